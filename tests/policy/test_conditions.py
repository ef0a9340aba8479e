"""What each condition matches, on plain epic records and a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from triage.policy.conditions import CONDITIONS, Subject
from triage.records import Epic
from triage.smart.stages import stage_of

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
EPIC = Epic(
    title="Cut deployment time",
    labels=("SP Objective", "SP Objective::Status::On Track", "Verifiable Outcome::Accepted"),
    created_at=datetime(2026, 6, 1, tzinfo=UTC),
    updated_at=datetime(2026, 10, 1, tzinfo=UTC),
    due_date=date(2026, 11, 1),
    children=1,
)


def matches(name: str, value: object, epic: Epic = EPIC, findings: set[str] | None = None):
    subject = Subject(epic, frozenset(findings or ()), NOW)
    return CONDITIONS[name](value).matches(subject)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("state", "opened", True),
        ("state", "closed", False),
        ("state", "all", True),
        ("labels", ["SP Objective", "SP Objective::Status::On Track"], True),
        ("labels", ["SP Objective", "UseCase::CI"], False),
        ("forbidden_labels", ["triage::ignore"], True),
        ("forbidden_labels", ["SP Objective"], False),
        ("any_labels", ["UseCase::CI", "SP Objective"], True),
        ("any_labels", ["UseCase::CI"], False),
        ("missing_scoped_labels", ["SP Objective::Status"], False),
        ("missing_scoped_labels", ["SP Objective::Status", "UseCase"], True),
        ("confidential", False, True),
        ("confidential", True, False),
        ("vo_stage", ["Accepted", "Delivered"], True),
        ("vo_stage", ["none"], False),
        ("has_initiatives", True, True),
        ("has_initiatives", False, False),
        ("date", {"attribute": "updated_at", "older_than": "30d"}, True),
        ("date", {"attribute": "updated_at", "older_than": "2m"}, False),
        ("date", {"attribute": "updated_at", "newer_than": "8w"}, True),
        ("date", {"attribute": "created_at", "older_than": "3m", "newer_than": "1y"}, True),
        ("date", {"attribute": "due_date", "older_than": "1d"}, True),
        ("date", {"attribute": "due_date", "older_than": "3w"}, False),
    ],
)
def test_condition_matches(name, value, expected):
    assert matches(name, value) is expected


def test_a_missing_date_never_matches():
    undated = Epic(title="x")
    assert not matches("date", {"attribute": "due_date", "older_than": "1d"}, undated)


def test_findings_any_and_all():
    found = {"missing_baseline", "missing_owner"}
    assert matches("findings", ["missing_baseline", "missing_timeline"], findings=found)
    assert matches("findings", {"all": ["missing_baseline", "missing_owner"]}, findings=found)
    assert not matches(
        "findings", {"all": ["missing_baseline", "missing_timeline"]}, findings=found
    )
    assert not matches("findings", {"any": ["missing_timeline"]}, findings=found)


def test_stage_comes_from_the_scoped_label():
    assert stage_of(EPIC) == "Accepted"
    assert stage_of(Epic(title="x", labels=("Verifiable Outcome::Unknown",))) == "none"
