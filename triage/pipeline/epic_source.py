"""Where a run's epics come from: GitLab for what changed, the cache for the rest.

A weekly run must look at every open objective, because staleness and due dates move with
the clock, but it need not read every objective from GitLab. Per group (a *scope*: the
group with the run's objective label and subgroup setting) the cache keeps each epic as
last read and the GitLab time that read started. A warm run then:

1. asks, many groups per request, how many epics changed since that time
   (``triage/gitlab/changes.py`` says what counts as a change on GitLab);
2. reads the changed epics of the groups that have some, open or closed, objective or
   not: a closed epic or one whose objective label was removed is dropped from the cache;
3. takes every other epic from the cache, as last read.

The bot's own writes are changes too: GitLab touches an epic when a note is created or
edited on it, so each epic the bot wrote to is read once more on the next run. That read
is what makes the copy current again (the labels the bot set, the ``updatedAt`` of its
write, which the write cache tells apart from a person's change), so nothing the bot did
is ever mistaken for a person's activity, and a week without writes costs no epic reads.

Deletions and group transfers change no ``updatedAt``, so a full read replaces the
cache's copy at an interval: by default on the first run of each month
(``--full-read``), and always when the cache has no complete read of the group (first run,
lost cache, another policy label). Nothing read is kept in a dry run.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from triage.cache import WriteCache
from triage.errors import GitLabError, GitLabSetupError, GitLabUnreachable
from triage.gitlab.changes import (
    FULL_BATCH,
    changed_counts,
    changed_nodes,
    first_pages,
    objective_nodes,
)
from triage.gitlab.client import GitLab
from triage.gitlab.reads import BadEpic, complete_initiatives, epic_from_node
from triage.pipeline.console import Console
from triage.records import Epic
from triage.report import RunReport

# ``updatedAfter`` is sent this much before the run's start on GitLab's clock: its ``Date``
# header is to the second, and the database that sets ``updated_at`` may be a little off
# the web server that sends it. An epic changed in that minute is read twice; none is missed.
MARGIN = timedelta(minutes=1)
BATCH = 100  # epics kept per transaction: one commit per page, not per epic


def _same_month(last: datetime, now: datetime) -> bool:
    return (last.year, last.month) == (now.year, now.month)


def _same_week(last: datetime, now: datetime) -> bool:
    return last.isocalendar()[:2] == now.isocalendar()[:2]


# How often a full read runs: the run is a full one when its clock is no longer in the
# period of the last full read. ``run`` reads everything every time (no incremental reads).
FULL_READ_EVERY: dict[str, Callable[[datetime, datetime], bool]] = {
    "month": _same_month,
    "week": _same_week,
    "run": lambda last, now: False,
}


@dataclass
class SourceCounts:
    """Per group, what the source did: for the console and the benchmarks."""

    read: int = 0  # epics read from GitLab
    kept: int = 0  # epics taken from the cache
    full: bool = True
    dropped: int = 0


@dataclass
class EpicSource:
    gl: GitLab
    cache: WriteCache
    report: RunReport
    console: Console
    objective_label: str
    include_subgroups: bool
    now: datetime
    full_read_every: str = "month"
    save: bool = True  # an --apply run keeps what it read; a dry run keeps nothing
    _seen: set[str] = field(default_factory=set)

    def scope(self, group: str) -> str:
        return json.dumps([group, self.objective_label, self.include_subgroups])

    def epics(self, groups: list[str]) -> Iterator[Epic]:
        """Every open objective epic of ``groups``, each once."""
        since = (self.gl.server_now() - MARGIN).isoformat()
        warm: dict[str, tuple[str, str]] = {}
        for group in groups:
            state = self.cache.read_state(self.scope(group))
            if state is not None and FULL_READ_EVERY[self.full_read_every](
                datetime.fromisoformat(state[1]), self.now
            ):
                warm[group] = state
        changes = self._probe(warm)
        # Groups read together, in run order: first pages of the full reads, and first
        # pages of the changes of groups read from the same time.
        lines: dict[str | None, list[str]] = {None: [g for g in groups if g not in warm]}
        for group in groups:
            if group in warm and isinstance(changes[group], int) and changes[group]:
                lines.setdefault(warm[group][0], []).append(group)
        firsts: dict[str, dict[str, Any] | str | GitLabError] = {}

        def first_page(group: str, since: str | None) -> dict[str, Any]:
            if group not in firsts:  # this group and the next ones, one request
                line = lines[since]
                at = line.index(group)
                firsts.update(self._first_pages(line[at : at + FULL_BATCH], since))
            first = firsts.pop(group)
            if isinstance(first, GitLabError):
                raise first
            if isinstance(first, str):
                raise GitLabError(first)
            return first

        for group in groups:
            counts = SourceCounts(full=group not in warm)
            try:
                if group not in warm:
                    yield from self._full(group, since, first_page(group, None), counts)
                else:
                    change = changes[group]
                    if isinstance(change, GitLabError):
                        raise change
                    if isinstance(change, str):
                        raise GitLabError(change)
                    first = first_page(group, warm[group][0]) if change else None
                    yield from self._warm(group, since, warm[group], first, counts)
            except GitLabError as exc:
                if self.gl.unreachable_before_writing(exc):
                    raise  # no answer, nothing written: the run stops (exit 4)
                self.report.errors.append(f"{group}: {exc}")
                self.report.failed_groups.append(group)
                if isinstance(exc, GitLabUnreachable):
                    self.report.unreachable.append(exc)
                self.console.progress(f"{group}: FAILED to read epics: {exc}")
                continue
            self._said(group, counts)
        # With nothing fetched, no epic went to a worker: stopping here writes nothing.
        self._something_to_triage(groups)

    def _something_to_triage(self, groups: list[str]) -> None:
        """Stop, before any write, a run that found no objective epic at all.

        Every group answering "none" is almost always a typo in ``sources.objective_label``:
        a configuration error (exit 2), not a quiet week. Every group failing to connect
        means GitLab could not be reached: its own exit code, which the CI job retries."""
        report = self.report
        if report.counts["fetched"]:
            return
        if report.unreachable and len(report.unreachable) == len(report.errors):
            raise report.unreachable[0]
        if report.errors:
            return  # some groups failed otherwise: exit 1, their errors say why
        raise GitLabSetupError(
            f"no open epic in the {len(groups)} group(s) scanned has the label "
            f"'{self.objective_label}' (sources.objective_label): nothing to triage, nothing "
            "was written; check the label's name (`triage validate --online` names the "
            "closest existing labels)"
        )

    def _probe(self, warm: dict[str, tuple[str, str]]) -> dict[str, int | str | GitLabError]:
        """How many epics changed per warm group, one request per batch of groups read
        from the same time (usually all of them: they were read by the same run)."""
        by_since: dict[str, list[str]] = {}
        for group, (since, _) in warm.items():
            by_since.setdefault(since, []).append(group)
        changes: dict[str, int | str | GitLabError] = {}
        for since, groups in by_since.items():
            try:
                changes.update(changed_counts(self.gl, groups, since, self.include_subgroups))
            except GitLabError as exc:  # kept as it is: "no answer" must stay that
                changes.update(dict.fromkeys(groups, exc))
        return changes

    def _first_pages(
        self, groups: list[str], since: str | None
    ) -> dict[str, dict[str, Any] | str | GitLabError]:
        try:
            found = first_pages(
                self.gl, groups, self.objective_label, self.include_subgroups, since
            )
        except GitLabError as exc:  # kept as it is: "no answer" must stay that
            return dict.fromkeys(groups, exc)
        return dict(found)

    def _full(
        self, group: str, since: str, first: dict[str, Any], counts: SourceCounts
    ) -> Iterator[Epic]:
        """Every open objective of ``group``: the first page read with other groups', the
        rest, if any, from its cursor on."""
        scope = self.scope(group)
        if self.save:
            self.cache.forget_scope(scope)  # until this read ends, no complete read of it
        nodes: Iterable[dict[str, Any]] = first["nodes"]
        if first["pageInfo"]["hasNextPage"]:
            rest = objective_nodes(
                self.gl,
                group,
                self.objective_label,
                self.include_subgroups,
                cursor=first["pageInfo"]["endCursor"],
            )
            nodes = itertools.chain(nodes, rest)
        batch: list[tuple[str, str]] = []
        for node in nodes:
            epic = self._readable(node)
            if epic is None:
                continue
            batch.append((epic.id, json.dumps(node)))
            counts.read += 1
            yield from self._once(epic)
            if len(batch) >= BATCH:
                self._keep(scope, batch)
        self._keep(scope, batch)
        if self.save:
            self.cache.mark_read(scope, since, self.now.isoformat())

    def _keep(self, scope: str, batch: list[tuple[str, str]]) -> None:
        """Keep a batch of epics as read, in one transaction, and empty it."""
        if self.save and batch:
            self.cache.keep_epics(scope, batch)
        batch.clear()

    def _warm(
        self,
        group: str,
        since: str,
        last: tuple[str, str],
        first: dict[str, Any] | None,
        counts: SourceCounts,
    ) -> Iterator[Epic]:
        """The epics of ``group`` changed since ``last`` (their first page read with other
        groups', the rest from its cursor), then every other one as last read."""
        scope = self.scope(group)
        fresh: set[str] = set()
        batch: list[tuple[str, str]] = []
        gone: list[str] = []
        if first is not None:
            nodes: Iterable[dict[str, Any]] = first["nodes"]
            if first["pageInfo"]["hasNextPage"]:
                rest = changed_nodes(
                    self.gl,
                    group,
                    last[0],
                    self.include_subgroups,
                    cursor=first["pageInfo"]["endCursor"],
                )
                nodes = itertools.chain(nodes, rest)
            for node in nodes:
                epic = self._readable(node)
                if epic is None:
                    continue
                fresh.add(epic.id)
                if self._objective(node, epic):
                    batch.append((epic.id, json.dumps(node)))
                    counts.read += 1
                    yield from self._once(epic)
                    if len(batch) >= BATCH:
                        self._keep(scope, batch)
                else:
                    gone.append(epic.id)
                    counts.dropped += 1
            self._keep(scope, batch)
            if self.save and gone:
                self.cache.drop_epics(gone)
        for epic_id, data in self.cache.kept_epics(scope):
            if epic_id not in fresh:
                kept = self._readable(json.loads(data))
                if kept is not None:
                    counts.kept += 1
                    yield from self._once(kept)
        if self.save:
            self.cache.mark_read(scope, since, last[1])

    def _readable(self, node: Any) -> Epic | None:
        """The epic of a work item node; one GitLab answered in a shape the bot cannot
        judge (``widgets: null``) fails alone, said in the report, and the group goes on."""
        if not isinstance(node, dict):
            return None
        try:
            # the page brings an objective's first 100 children; the rare objective with
            # more costs one request per further 100, whichever read found it
            return complete_initiatives(self.gl, node, epic_from_node(node))
        except BadEpic as failure:
            self.report.errors.append(str(failure))
            self.console.progress(f"{failure.reference or failure.node_id}: FAILED: {failure}")
            return None

    def _objective(self, node: dict[str, Any], epic: Epic) -> bool:
        """Whether a changed epic is still an open objective of this run."""
        return node.get("state") == "OPEN" and self.objective_label in epic.labels

    def _once(self, epic: Epic) -> Iterator[Epic]:
        if epic.id not in self._seen:
            self._seen.add(epic.id)
            self.report.counts["fetched"] += 1
            yield epic

    def _said(self, group: str, counts: SourceCounts) -> None:
        total = counts.read + counts.kept
        how = (
            "full read"
            if counts.full
            else f"{counts.read} changed since the last run, {counts.kept} as last read"
            + (f", {counts.dropped} no longer open objectives" if counts.dropped else "")
        )
        self.console.progress(f"{group}: fetched {total} objective epic(s) ({how})")
        if total == 0:  # a typo in the label scans nothing, silently otherwise
            warning = (
                f"{group}: no open epic has the label "
                f"'{self.objective_label}'; check sources.objective_label"
            )
            self.report.warnings.append(warning)
            self.console.progress(f"warning: {warning}")
