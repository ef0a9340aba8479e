"""The run report: typed records in, the same records back from its JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from triage.apply import EpicResult, Status, WriteResult
from triage.plan.assess import assess
from triage.plan.marker import NOTHING
from triage.plan.planner import plan_epic
from triage.policy.actions import ACTIONS
from triage.policy.conditions import build
from triage.policy.model import PolicySet, Rule, Sources, SummarySettings
from triage.records import Epic, EpicRecord
from triage.report import RunReport
from triage.smart.checker import Checker

NOW = datetime(2026, 11, 20, tzinfo=UTC)
RULE = Rule(
    "smart-objective",
    tuple(build({"findings": {"any": ["missing_baseline"]}})),
    (
        ACTIONS["comment"]({"body": "{findings}"}),
        ACTIONS["mention"]("owner"),
        ACTIONS["summary"]({"heading": "Incomplete objectives"}),
    ),
)
EPIC = Epic(
    title="Improve adoption",
    description="## Summary\nMore teams.\n",
    group="acme",
    iid=3,
    id="gid://gitlab/WorkItem/3",
    assignees=("csm.north",),
    labels=("Verifiable Outcome::Accepted",),
)


def result(status: Status) -> EpicResult:
    policies = PolicySet(Sources(groups=("acme",)), (RULE,), SummarySettings())
    templates = {"smart-objective": "{findings}"}
    assessment = assess(EPIC, policies, Checker(), NOW, templates, {})
    plan = plan_epic(assessment, NOTHING, templates, NOW.date())
    return EpicResult(plan, [WriteResult(w, status) for w in plan.writes])


def report() -> RunReport:
    return RunReport("apply", NOW, ["acme"], "1/1", [], NOW)


def test_an_epic_record_says_what_was_found_written_and_whom_it_mentioned(tmp_path):
    run = report()
    record = run.add(result(Status.DONE))
    assert record.reference == "acme&3" and record.vo_stage == "Accepted"
    assert record.sections == ("smart-objective",)
    assert record.summary == ("Incomplete objectives",)
    assert record.mentioned == ("csm.north",)
    assert [w.kind for w in record.writes] == ["create note"]
    assert run.counts["written"] == 1 and run.counts["matched"] == 1
    path = tmp_path / "report.json"
    run.write(path)
    data = json.loads(path.read_text())
    assert data["version"] == 2
    assert [EpicRecord.from_json(e) for e in data["epics"]] == [record]
    run.close()


def test_a_dry_run_mentions_nobody_and_counts_planned_writes():
    run = report()
    record = run.add(result(Status.PLANNED))
    assert record.mentioned == ()  # planned, not sent: the console must not claim it
    assert run.counts["planned"] == 1 and run.counts["written"] == 0
    assert run.figures().headline["scanned"] == 1
    run.close()
