"""The run report: per epic what was found and written, per run the counts and costs.

Written as JSON (``--report``) for CI artifacts and the weekly summary, and read back by
``triage summarize``. It carries no token and no description text; confidential epics are
marked so the summary can show them as counts only.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from triage.apply import EpicResult, Status
from triage.errors import GitLabUnreachable
from triage.records import EpicRecord, WriteRecord
from triage.smart.findings import ELEMENTS
from triage.smart.stages import stage_of
from triage.summary.block import Previous
from triage.summary.figures import Aggregator, Figures

COUNTS = ("fetched", "matched", "skipped", "planned", "written", "unchanged", "limited", "failed")


def record_of(result: EpicResult) -> EpicRecord:
    """The report's line for one processed epic."""
    plan = result.plan
    assessment, epic = plan.assessment, plan.assessment.epic
    return EpicRecord(
        reference=epic.reference,
        id=epic.id,
        url=epic.web_url,
        title=epic.title,
        group=epic.group,
        confidential=epic.confidential,
        owner=assessment.owner,
        author=epic.author,
        assignees=epic.assignees,
        due_date=epic.due_date.isoformat() if epic.due_date else None,
        created_at=epic.created_at.isoformat() if epic.created_at else None,
        updated_at=epic.updated_at.isoformat() if epic.updated_at else None,
        vo_stage=stage_of(epic),
        initiatives=epic.children,
        skipped=assessment.skipped,
        missing=tuple(assessment.check.missing),
        findings=tuple(sorted(assessment.check.finding_ids)),
        rules=tuple(s.name for s in assessment.sections if s.name not in plan.limited),
        reasons=tuple(
            sorted({k for s in assessment.sections if s.name not in plan.limited for k in s.keys})
        ),
        summary=plan.summary_headings,
        sections=plan.sections,
        mentioned=tuple(
            m for r in result.writes if r.status is Status.DONE for m in r.write.mentions
        ),
        writes=tuple(
            WriteRecord(r.write.kind.value, r.status.value, r.write.describe())
            for r in result.writes
        ),
        error=result.error,
        llm_calls=result.llm_calls,
        llm_error=result.llm_error,
        feedback=tuple(result.feedback),
        elements={
            element: {
                "decision": str(assessment.check.decisions.get(element, "missing")),
                "rule": evidence.rule if evidence else None,
                "line": evidence.line if evidence else None,
                "quote": None if epic.confidential or not evidence else evidence.text or None,
            }
            for element in ELEMENTS
            for evidence in [assessment.check.evidence.get(element)]
        },
        owner_name=dict(epic.people).get(assessment.owner or epic.author) or None,
        group_name=epic.group_name,
        snoozed=tuple(s.describe() for s in assessment.snoozed),
    )


@dataclass
class RunReport:
    mode: str
    now: datetime
    groups: list[str]
    shard: str
    policies: list[str]
    started: datetime
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    # Not failures, yet worth a look: a group that yielded no objective epic.
    warnings: list[str] = field(default_factory=list)
    # Groups that failed because GitLab gave no answer at all (not written out): when
    # every group did, the run ends as "unreachable", which a CI job may retry.
    unreachable: list[GitLabUnreachable] = field(default_factory=list, repr=False)
    failed_groups: list[str] = field(default_factory=list)  # groups whose epics were not read
    llm_errors: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    llm: dict[str, Any] = field(default_factory=dict)
    finished: datetime | None = None
    summary: dict[str, str] | None = None
    headings: list[str] = field(default_factory=list)  # summary headings, most urgent first

    def __post_init__(self) -> None:
        # Epics go to a spool file and into the summary's running figures, not into a
        # list: memory stays flat however many epics a run sees.
        self._spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - lives as long as the report
        self._aggregator = Aggregator(self.groups, self.headings)

    def compare_with(self, baseline: Previous | None) -> None:
        """Last week's summary, before the first epic: "new" and "fixed" are decided as
        each epic is counted."""
        self._aggregator.baseline = baseline

    def add(self, result: EpicResult) -> EpicRecord:
        record = record_of(result)
        plan = result.plan
        self.counts["matched"] += bool(record.rules)
        self.counts["skipped"] += bool(record.skipped)
        self.counts["limited"] += len(plan.limited)
        for write in result.writes:
            self.counts["planned" if write.status is Status.PLANNED else "written"] += 1
        self.counts["unchanged"] += bool(plan.sections) and not plan.writes
        if result.llm_error:
            self.llm_errors.append(f"{record.reference}: {result.llm_error}")
        if result.error:
            self.counts["failed"] += 1
            self.errors.append(f"{record.reference}: {result.error}")
        self._spool.write(json.dumps(record.to_json()) + "\n")
        self._aggregator.add(record)
        return record

    def close(self) -> None:
        self._spool.close()

    @property
    def exit_code(self) -> int:
        return 1 if self.counts["failed"] or self.errors else 0

    def iter_epics(self) -> Iterator[EpicRecord]:
        """The epics added so far, in the order they finished."""
        self._spool.seek(0)
        for line in self._spool:
            yield EpicRecord.from_json(json.loads(line))
        self._spool.seek(0, 2)

    def figures(self) -> Figures:
        """The weekly summary's figures for this run."""
        return self._aggregator.finish(self.errors, self.llm, self.now.date())

    def header(self) -> dict[str, Any]:
        finished = self.finished or datetime.now(self.started.tzinfo)
        return {
            "version": 2,
            "run": {
                "mode": self.mode,
                "now": self.now.isoformat(),
                "started": self.started.isoformat(),
                "finished": finished.isoformat(),
                "duration_seconds": round((finished - self.started).total_seconds(), 3),
                "groups": self.groups,
                "shard": self.shard,
                "policies": self.policies,
                "headings": self.headings,
            },
            "counts": {key: self.counts[key] for key in COUNTS},
            "requests": self.requests,
            "llm": {**self.llm, "draft_errors": self.llm_errors},
            "errors": self.errors,
            "warnings": self.warnings,
            "failed_groups": self.failed_groups,
            "summary": self.summary,
        }

    def write(self, path: Path) -> None:
        """The report as JSON, streamed epic by epic."""
        path.parent.mkdir(parents=True, exist_ok=True)
        head = json.dumps(self.header(), indent=1)
        with path.open("w", encoding="utf-8") as out:
            out.write(head[:-2] + ',\n "epics": [\n')
            for index, epic in enumerate(self.iter_epics()):
                out.write(("" if index == 0 else ",\n") + json.dumps(epic.to_json()))
            out.write("\n ]\n}\n")
