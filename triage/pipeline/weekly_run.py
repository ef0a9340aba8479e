"""One triage run: validate, stream epics, assess, plan, apply, report, summarize.

Policies, templates and settings are all validated before the first request, so a bad
policy file costs nothing. Epics are streamed page by page and handed to a bounded pool of
workers, so memory stays flat however many epics there are and GitLab sees at most
``concurrency`` requests at once.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from triage.apply import EpicResult, Writer
from triage.cache import WriteCache
from triage.errors import GitLabError, GitLabUnreachable, UsageError
from triage.gitlab.client import GitLab
from triage.gitlab.lease import Lease, LeaseHeld, ttl_from
from triage.gitlab.reads import current_username
from triage.gitlab.writes import LabelDirectory
from triage.llm.factory import make_assessor, make_drafters
from triage.llm.suggestion import Drafter
from triage.pipeline.console import Console
from triage.pipeline.epic_source import EpicSource
from triage.pipeline.epic_worker import EpicWorker
from triage.pipeline.limits import RuleLimits
from triage.pipeline.options import RunOptions, shard_groups, top_groups
from triage.policy.loader import load_policies
from triage.policy.model import PolicySet
from triage.policy.optout import label_descriptions
from triage.policy.templates import load_templates
from triage.records import Epic
from triage.report import RunReport
from triage.settings import GitLabSettings
from triage.smart.checker import Checker
from triage.summary.block import Previous
from triage.summary.build import summary_headings
from triage.summary.figures import iso_week
from triage.summary.leased import publish_leased
from triage.summary.publish import read_baseline

if TYPE_CHECKING:
    from triage.llm.openai_drafter import LLMBudget


def run_triage(
    options: RunOptions,
    settings_factory: Callable[[], GitLabSettings],
    console: Console,
    drafters: dict[str, Drafter] | None = None,
) -> RunReport:
    policies = load_policies([options.policies], options.prompts)  # before any request
    templates = load_templates(policies)
    budget = None
    if drafters is None:
        drafters, budget = make_drafters(
            policies,
            os.environ,
            options.max_llm_calls,
            options.max_llm_tokens,
            options.now.date() if options.now else None,
        )
    assessor = make_assessor(policies, os.environ, budget)
    groups = options.groups or list(policies.sources.groups)
    if not groups:
        raise UsageError("no groups to scan: list them in sources.groups or pass --group")
    groups = shard_groups(top_groups(groups, policies.sources.include_subgroups), options.shard)
    now = options.now or datetime.now().astimezone()
    settings = settings_factory().share(options.shard[1])
    report = RunReport(
        mode="apply" if options.apply else "dry-run",
        now=now,
        groups=groups,
        shard=f"{options.shard[0]}/{options.shard[1]}",
        policies=[str(p) for p in policies.files],
        started=datetime.now().astimezone(),
        headings=summary_headings(policies),
    )
    cache = _open_cache(options, report, console)  # before GitLab: a bad path stops here
    gl = GitLab(settings)
    # One writing run per group: the leases are taken at the run's first write (an
    # unchanged week costs nothing), or before any read when the run may wait.
    lease = (
        Lease(
            gl,
            groups,
            options.lease_wait,
            ttl_from(os.environ),
            subgroups=policies.sources.include_subgroups,
        )
        if options.apply
        else None
    )
    try:
        bot = current_username(gl)
        report.compare_with(_baseline(gl, policies, now, console))
        if lease is not None and options.lease_wait > 0:
            lease.acquire()
        labels = LabelDirectory(
            gl,
            policies.sources.create_missing_labels,
            groups=tuple(groups),
            required=tuple(policies.added_labels()),
            offered=label_descriptions(policies),  # opt-out labels, made up front
        )
        worker = EpicWorker(
            writer=Writer(gl, bot, labels, cache, lease),
            policies=policies,
            checker=Checker(policies.synonyms),
            templates=templates,
            drafters=drafters,
            identities={name: d.identity for name, d in drafters.items()},
            limits=RuleLimits({r.name: r.max_epics for r in policies.rules}),
            now=now,
            dry_run=not options.apply,
            diff=options.diff,
            assessor=assessor,
        )
        console.progress(
            f"{report.mode}: {len(groups)} group(s), {len(policies.rules)} rules, "
            f"as @{bot}, clock {now.date().isoformat()}"
        )
        source = EpicSource(
            gl,
            cache,
            report,
            console,
            policies.sources.objective_label,
            policies.sources.include_subgroups,
            now,
            full_read_every=options.full_read_every,
            save=options.apply,
        )
        stopped = _process(worker, source.epics(groups), options, report, console, gl)
        _after_epics(worker, cache, report, console)
        if options.apply:
            # Complete only when every epic and group was read and written (it tells, it
            # decides nothing: see cache.py).
            (cache.mark_incomplete if report.errors else cache.mark_complete)()
            report.llm = budget.report() if budget else {"drafter": "offline template"}
            if not stopped:
                report.summary = _summary(gl, policies, report, options, console, lease)
    except GitLabUnreachable as exc:
        report.close()  # the caller never gets the report to close
        if gl.wrote:  # never raised this far after a write; if it were, exit 1
            raise GitLabError(str(exc)) from None
        raise exc.nothing_written() from None  # exit 4: the CI job tries again
    except BaseException:
        report.close()
        raise
    finally:
        if lease is not None:
            lease.release()
            _say(lease.warnings, console)
        _finish(report, gl, budget)
        cache.close()
    c = report.counts
    console.progress(
        f"fetched {c['fetched']}, matched {c['matched']}, skipped {c['skipped']}, "
        f"planned {c['planned']}, written {c['written']}, unchanged {c['unchanged']}, "
        f"limited {c['limited']}, failed {c['failed']}; "
        f"{report.requests['graphql'] + report.requests['rest']} GitLab requests"
        + (
            f", {report.requests['note_limited']} note(s) refused by GitLab's note limit "
            "and tried again"
            if report.requests.get("note_limited")
            else ""
        )
    )
    return report


def _process(
    worker: EpicWorker,
    epics: Iterator[Epic],
    options: RunOptions,
    report: RunReport,
    console: Console,
    gl: GitLab,
) -> bool:
    """Every epic through the worker pool; False, or True when the run stopped early,
    said once in the report's errors: another run's lease stopped it before its first
    write, or GitLab stopped answering after it.

    GitLab giving no answer before the run's first write (a group's read, an epic's notes,
    the labels, the lease) raises ``GitLabUnreachable`` out of the run, exit 4: nothing is
    half-done, and the CI job tries again. Epics already being processed finish first and
    are reported; if one of them did write meanwhile, the run ends as partial instead."""
    pool = ThreadPoolExecutor(max_workers=options.concurrency)
    pending: deque[Future[EpicResult]] = deque()
    try:
        for fetched in epics:
            pending.append(pool.submit(worker, fetched))
            if len(pending) >= options.concurrency * 4:  # keep memory flat
                _collect(pending.popleft(), report, console)
        while pending:
            _collect(pending.popleft(), report, console)
    except LeaseHeld as exc:
        _drain(pool, pending, report, console)
        report.errors.append(str(exc))
        console.progress(f"stopped: {exc}")
        return True
    except GitLabUnreachable as exc:
        _drain(pool, pending, report, console)
        if not gl.wrote:
            raise
        report.errors.append(f"GitLab stopped answering; the run stopped: {exc}")
        console.progress(f"stopped: GitLab stopped answering: {exc}")
        return True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return False


def _drain(
    pool: ThreadPoolExecutor,
    pending: deque[Future[EpicResult]],
    report: RunReport,
    console: Console,
) -> None:
    """Stop the pool: epics not started are dropped, those running finish; every epic
    that finished is reported (what it wrote with it), the ones that stopped are not."""
    pool.shutdown(wait=True, cancel_futures=True)
    for future in pending:
        if not future.cancelled() and future.exception() is None:
            _collect(future, report, console)
    pending.clear()


def _say(warnings: list[str], console: Console) -> None:
    for warning in warnings:
        console.progress(f"warning: {warning}")


def _finish(report: RunReport, gl: GitLab, budget: LLMBudget | None) -> None:
    """The run's costs into the report, and the client closed, however the run ended."""
    report.requests = {"graphql": gl.requests["graphql"], "rest": gl.requests["rest"]}
    if gl.requests["note_limited"]:
        report.requests["note_limited"] = gl.requests["note_limited"]
    report.llm = budget.report() if budget else {"drafter": "offline template"}
    report.finished = datetime.now().astimezone()
    gl.close()


def _after_epics(
    worker: EpicWorker, cache: WriteCache, report: RunReport, console: Console
) -> None:
    """What the run says once, after every epic, rather than once per epic."""
    if cache.broken:  # GitLab has every write; the next run reads what was not kept
        console.progress(f"warning: {cache.warning}")
    if worker.key_refused:  # one error for the run, not one per epic
        report.errors.append(f"language model: {worker.key_refused}")
        console.progress(f"language model: FAILED: {worker.key_refused}")


def _open_cache(options: RunOptions, report: RunReport, console: Console) -> WriteCache:
    """The write cache; an unreadable file was set aside (said once), an unusable path
    stops the run (exit 2) with the report closed."""
    try:
        cache = WriteCache(options.cache)
    except BaseException:
        report.close()
        raise
    if cache.warning:
        console.progress(f"warning: {cache.warning}")
    return cache


def _baseline(gl: GitLab, policies: PolicySet, now: datetime, console: Console) -> Previous | None:
    """Last week's published summary, which this run's summary (and a dry run's
    ``--summary-file``) compares with; a read failure only costs the comparison. No
    answer at all is no exception: the epics need none of it, and when GitLab is gone
    the group reads that come next stop the run (exit 4), while a summary project that
    alone fails must not cost the week's triage."""
    if not policies.summary.project:
        return None
    try:
        return read_baseline(gl, policies.summary, iso_week(now.date()))
    except GitLabError as exc:
        console.progress(f"warning: last week's summary not read, nothing compared: {exc}")
        return None


def _summary(
    gl: GitLab,
    policies: PolicySet,
    report: RunReport,
    options: RunOptions,
    console: Console,
    lease: Lease | None = None,
) -> dict[str, str] | None:
    """Publish the weekly summary after an unsharded run (shards are merged by
    ``triage summarize``); a failure is an error of the run, not a crash.

    Its writes are made under the summary project's lease (``summary/leased.py``), so a
    ``triage summarize`` or another run publishing at the same time goes before or after
    this one, never beside it; ``--lease-wait`` waits for it. GitLab giving no answer
    while the run has written nothing ends it with exit 4."""
    if not policies.summary.project or options.shard[1] > 1 or not options.summary:
        return None
    warnings: list[str] = []
    try:
        published = publish_leased(
            gl,
            policies.summary,
            report.figures(),
            report.failed_groups,
            options.lease_wait,
            warnings,
            before_write=lease.ensure if lease else None,
        )
    except (GitLabError, LeaseHeld) as exc:
        if gl.unreachable_before_writing(exc):
            raise
        report.errors.append(f"summary: {exc}")
        console.progress(f"summary: FAILED: {exc}")
        return None
    finally:
        _say(warnings, console)
    console.progress(f"summary issue {published.action}: {published.url}")
    return {"action": published.action, "url": published.url, "closed": published.closed or ""}


def _collect(future: Future[EpicResult], report: RunReport, console: Console) -> None:
    result = future.result()
    report.add(result)
    console.result(result)
