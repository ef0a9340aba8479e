"""The run report: per epic what was found and done, per run the counts and costs.

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

from triage.apply import EpicResult
from triage.policy.conditions import stage_of
from triage.summary.figures import Aggregator, Figures

COUNTS = ("fetched", "matched", "skipped", "planned", "applied", "unchanged", "limited", "failed")


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
    llm_errors: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    llm: dict[str, Any] = field(default_factory=dict)
    finished: datetime | None = None
    summary: dict[str, str] | None = None

    def __post_init__(self) -> None:
        # Epics go to a spool file and into the summary's running figures, not into a
        # list: memory stays flat however many epics a run sees.
        self._spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - lives as long as the report
        self._aggregator = Aggregator(self.groups)
        self.epic_count = 0

    def add(self, result: EpicResult) -> None:
        plan, epic = result.plan, result.plan.epic
        self.counts["matched"] += bool(plan.matched)
        self.counts["skipped"] += bool(plan.skipped)
        for action in result.actions:
            key = {"planned": "planned", "limited": "limited", "unchanged": "unchanged"}.get(
                action.status, "applied"
            )
            self.counts[key] += 1
        if result.llm_error:
            self.llm_errors.append(f"{epic.reference}: {result.llm_error}")
        if result.error:
            self.counts["failed"] += 1
            self.errors.append(f"{epic.reference}: {result.error}")
        entry = {
            "reference": epic.reference,
            "id": epic.id,
            "url": epic.web_url,
            "title": epic.title,
            "group": epic.group,
            "confidential": epic.confidential,
            "owner": plan.owner,
            "author": epic.author,
            "assignees": list(epic.assignees),
            "due_date": epic.due_date.isoformat() if epic.due_date else None,
            "created_at": epic.created_at.isoformat() if epic.created_at else None,
            "updated_at": epic.updated_at.isoformat() if epic.updated_at else None,
            "vo_stage": stage_of(epic),
            "initiatives": epic.children,
            "skipped": plan.skipped,
            "missing": plan.check.missing,
            "findings": sorted(plan.check.finding_ids),
            "rules": [o.rule.name for o in plan.matched],
            "reasons": sorted({r.key for o in plan.matched for r in o.reasons}),
            "summary": [
                h for o in plan.matched if (a := o.action("summary")) for h in [a.value["heading"]]
            ],
            "actions": [a.__dict__ for a in result.actions],
            "error": result.error,
            "llm_calls": result.llm_calls,
            "llm_error": result.llm_error,
        }
        self._spool.write(json.dumps(entry) + "\n")
        self._aggregator.add(entry)
        self.epic_count += 1

    def close(self) -> None:
        self._spool.close()

    @property
    def exit_code(self) -> int:
        return 1 if self.counts["failed"] or self.errors else 0

    def iter_epics(self) -> Iterator[dict[str, Any]]:
        """The epics added so far, in the order they finished."""
        self._spool.seek(0)
        for line in self._spool:
            yield json.loads(line)
        self._spool.seek(0, 2)

    def figures(self) -> Figures:
        """The weekly summary's figures for this run."""
        return self._aggregator.finish(self.errors, self.llm, self.now.date())

    def header(self) -> dict[str, Any]:
        finished = self.finished or datetime.now(self.started.tzinfo)
        return {
            "version": 1,
            "run": {
                "mode": self.mode,
                "now": self.now.isoformat(),
                "started": self.started.isoformat(),
                "finished": finished.isoformat(),
                "duration_seconds": round((finished - self.started).total_seconds(), 3),
                "groups": self.groups,
                "shard": self.shard,
                "policies": self.policies,
            },
            "counts": {key: self.counts[key] for key in COUNTS},
            "requests": self.requests,
            "llm": {**self.llm, "draft_errors": self.llm_errors},
            "errors": self.errors,
            "summary": self.summary,
        }

    def to_json(self) -> dict[str, Any]:
        """The whole report in memory (for small runs and tests; ``write`` streams)."""
        return {**self.header(), "epics": sorted(self.iter_epics(), key=lambda e: e["reference"])}

    def write(self, path: Path) -> None:
        """The report as JSON, streamed epic by epic."""
        path.parent.mkdir(parents=True, exist_ok=True)
        head = json.dumps(self.header(), indent=1)
        with path.open("w", encoding="utf-8") as out:
            out.write(head[:-2] + ',\n "epics": [\n')
            for index, epic in enumerate(self.iter_epics()):
                out.write(("" if index == 0 else ",\n") + json.dumps(epic))
            out.write("\n ]\n}\n")
