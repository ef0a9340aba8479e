"""One triage run: validate, stream epics, check, plan, apply, report.

Policies, templates and settings are all validated before the first request, so a bad
policy file costs nothing. Epics are streamed page by page and handed to a bounded pool of
workers, so memory stays flat however many epics there are and GitLab sees at most
``concurrency`` requests at once.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TextIO

from triage.apply import Budget, Context, EpicResult, apply_plan
from triage.engine import last_human_activity, plan_epic
from triage.errors import GitLabError, UsageError
from triage.gitlab.client import GitLab, GitLabAuthError
from triage.gitlab.reads import comments, current_username, epic_pages
from triage.gitlab.writes import LabelDirectory
from triage.llm.factory import make_drafters
from triage.llm.suggestion import Drafter
from triage.policy.loader import load_policies
from triage.policy.model import PolicySet
from triage.records import Epic
from triage.report import RunReport
from triage.settings import GitLabSettings
from triage.smart.checker import Checker
from triage.state import State
from triage.summary.build import publish_summary


@dataclass
class RunOptions:
    policies: Path = Path("policies")
    groups: list[str] = field(default_factory=list)
    apply: bool = False
    now: datetime | None = None
    concurrency: int = 4
    shard: tuple[int, int] = (1, 1)
    state: Path | None = None
    prompts: Path | None = None
    max_llm_calls: int | None = None
    max_llm_tokens: int | None = None
    summary: bool = True  # publish the weekly summary after an --apply run


def shard_groups(groups: list[str], shard: tuple[int, int]) -> list[str]:
    """The groups shard K of N handles: a deterministic split of the sorted list."""
    index, total = shard
    return [g for i, g in enumerate(sorted(set(groups))) if i % total == index - 1]


def top_groups(groups: list[str], include_subgroups: bool) -> list[str]:
    """Drop groups already covered by a listed parent when subgroups are included."""
    if not include_subgroups:
        return groups
    return [g for g in groups if not any(g.startswith(f"{p}/") for p in groups if p != g)]


def load_templates(policies: PolicySet) -> dict[str, str]:
    templates = {}
    for rule in policies.rules:
        comment = rule.action("comment")
        if comment is None:
            continue
        value = comment.value
        templates[rule.name] = (
            (policies.policy_dir / value["template"]).read_text("utf-8")
            if "template" in value
            else value["body"]
        )
    return templates


class Printer:
    """Progress lines on stderr and plan/result lines on stdout, one thread at a time."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout  # looked up now, not at import, so redirection works
        self.err = err or sys.stderr
        self._lock = threading.Lock()

    def progress(self, line: str) -> None:
        with self._lock:
            print(line, file=self.err, flush=True)

    def result(self, result: EpicResult, dry_run: bool) -> None:
        plan = result.plan
        lines = []
        if plan.skipped:
            lines.append(f"{plan.epic.reference}: skipped, {plan.skipped}")
        for action in result.actions:
            if action.status == "unchanged" and not dry_run:
                continue
            lines.append(
                f"{plan.epic.reference}: {action.rule} {action.action} "
                f"{action.status}{': ' + action.detail if action.detail else ''}"
            )
        if result.error:
            lines.append(f"{plan.epic.reference}: FAILED: {result.error}")
        if lines:
            with self._lock:
                print("\n".join(lines), file=self.out, flush=True)


@dataclass
class _Processor:
    """Plans and applies one epic, in a worker thread."""

    ctx: Context
    policies: PolicySet
    checker: Checker
    now: datetime
    templates: dict[str, str]
    identities: dict[str, str]

    def __call__(self, fetched: Epic) -> EpicResult:
        """Date rules must see the last change a person made: the state knows when the
        bot last wrote; without it, the epic's notes tell."""
        ctx, notes, error = self.ctx, None, None
        if ctx.state.trusted:
            human = ctx.state.last_human_update(fetched.id, fetched.updated_at)
        else:
            try:
                notes = comments(ctx.gl, fetched.id)
                human = last_human_activity(fetched, notes, ctx.bot)
            except GitLabAuthError:
                raise
            except GitLabError as exc:
                human, error = fetched.updated_at, str(exc)
        epic = replace(fetched, updated_at=human) if human != fetched.updated_at else fetched
        plan = plan_epic(
            epic, self.policies, self.checker, self.now, self.templates, self.identities
        )
        if error:
            return EpicResult(plan, error=error)
        return apply_plan(plan, ctx, notes)


def run_triage(
    options: RunOptions,
    settings_factory: Callable[[], GitLabSettings],
    printer: Printer,
    drafters: dict[str, Drafter] | None = None,
) -> RunReport:
    policies = load_policies([options.policies], options.prompts)  # before any request
    templates = load_templates(policies)
    budget = None
    if drafters is None:
        drafters, budget = make_drafters(
            policies, os.environ, options.max_llm_calls, options.max_llm_tokens
        )
    groups = options.groups or list(policies.sources.groups)
    if not groups:
        raise UsageError("no groups to scan: list them in sources.groups or pass --group")
    groups = shard_groups(top_groups(groups, policies.sources.include_subgroups), options.shard)
    now = options.now or datetime.now().astimezone()
    settings = settings_factory()
    report = RunReport(
        mode="apply" if options.apply else "dry-run",
        now=now,
        groups=groups,
        shard=f"{options.shard[0]}/{options.shard[1]}",
        policies=[str(p) for p in policies.files],
        started=datetime.now().astimezone(),
    )
    gl = GitLab(settings)
    state = State(options.state)
    try:
        bot = current_username(gl)
        ctx = Context(
            gl=gl,
            bot=bot,
            dry_run=not options.apply,
            labels=LabelDirectory(gl, policies.sources.create_missing_labels),
            drafters=drafters,
            state=state,
            templates=templates,
            opt_out_label=(policies.sources.exclude_labels or ("triage::ignore",))[0],
            today=now.date(),
            budget=Budget({r.name: r.max_epics for r in policies.rules}),
        )
        process = _Processor(
            ctx,
            policies,
            Checker(policies.synonyms),
            now,
            templates,
            {name: d.identity for name, d in drafters.items()},
        )
        printer.progress(
            f"{report.mode}: {len(groups)} group(s), {len(policies.rules)} rules, "
            f"as @{bot}, clock {now.date().isoformat()}"
        )
        with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
            pending: list[Future[EpicResult]] = []
            for fetched in _epics(gl, groups, policies, report, printer):
                pending.append(pool.submit(process, fetched))
                if len(pending) >= options.concurrency * 4:  # keep memory flat
                    _collect(pending.pop(0), report, printer, ctx.dry_run)
            for future in pending:
                _collect(future, report, printer, ctx.dry_run)
        if options.apply:
            state.save()
            report.llm = budget.report() if budget else {"drafter": "offline template"}
            report.summary = _summary(gl, policies, report, options, printer)
    except BaseException:
        report.close()  # the caller never gets the report to close
        raise
    finally:
        report.requests = {"graphql": gl.requests["graphql"], "rest": gl.requests["rest"]}
        report.llm = budget.report() if budget else {"drafter": "offline template"}
        report.finished = datetime.now().astimezone()
        gl.close()
        state.close()
    c = report.counts
    printer.progress(
        f"fetched {c['fetched']}, matched {c['matched']}, skipped {c['skipped']}, "
        f"planned {c['planned']}, applied {c['applied']}, unchanged {c['unchanged']}, "
        f"limited {c['limited']}, failed {c['failed']}; "
        f"{sum(report.requests.values())} GitLab requests"
    )
    return report


def _summary(
    gl: GitLab, policies: PolicySet, report: RunReport, options: RunOptions, printer: Printer
) -> dict[str, str] | None:
    """Publish the weekly summary after an unsharded run (shards are merged by
    ``triage summarize``); a failure is an error of the run, not a crash."""
    if not policies.summary.project or options.shard[1] > 1 or not options.summary:
        return None
    try:
        published = publish_summary(gl, policies.summary, report.figures())
    except GitLabError as exc:
        report.errors.append(f"summary: {exc}")
        printer.progress(f"summary: FAILED: {exc}")
        return None
    printer.progress(f"summary issue {published.action}: {published.url}")
    return {"action": published.action, "url": published.url, "closed": published.closed or ""}


def _epics(
    gl: GitLab, groups: list[str], policies: PolicySet, report: RunReport, printer: Printer
) -> Iterator[Epic]:
    seen: set[str] = set()
    for group in groups:
        fetched = 0
        try:
            for page in epic_pages(
                gl, group, policies.sources.objective_label, policies.sources.include_subgroups
            ):
                fetched += len(page)
                report.counts["fetched"] += len(page)
                for epic in page:
                    if epic.id not in seen:
                        seen.add(epic.id)
                        yield epic
        except GitLabAuthError:
            raise
        except GitLabError as exc:
            report.errors.append(f"{group}: {exc}")
            printer.progress(f"{group}: FAILED to read epics: {exc}")
            continue
        printer.progress(f"{group}: fetched {fetched} objective epic(s)")


def _collect(
    future: Future[EpicResult], report: RunReport, printer: Printer, dry_run: bool
) -> None:
    result = future.result()
    report.add(result)
    printer.result(result, dry_run)
