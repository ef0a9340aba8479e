"""The SMART checker on the shapes CSMs write, one behaviour at a time."""

from __future__ import annotations

from datetime import date

import pytest

from triage.records import Epic
from triage.smart.checker import Checker
from triage.smart.parse import parse

CHECKER = Checker()


def missing(description: str, title: str = "Objective", **fields) -> list[str]:
    return CHECKER.check(Epic(title=title, description=description, **fields)).missing


def test_headings_of_any_level_and_their_synonyms():
    text = (
        "# Current state\nReleases take 3 hours.\n"
        "#### Goal\nBelow 20 minutes.\n"
        "### Why it matters\nShipping weekly cuts time to market.\n"
        "## Target date\nEnd of Q3 2027.\n"
        "##### DRI\n@csm.north\n"
    )
    assert missing(text) == []


@pytest.mark.parametrize(
    "empty",
    [
        "TBD",
        "_TBD_",
        "?",
        "N/A",
        "-",
        "<!-- where are we today? -->",
        "<describe the baseline>",
        "_Describe where the customer is today_",
        "",
    ],
)
def test_empty_content_does_not_count(empty):
    text = f"## Baseline\n{empty}\n\n## Success Criteria\nBelow 20 minutes.\n"
    assert "baseline" in missing(text)


def test_bold_fields_and_label_lines():
    text = (
        "**Baseline:** 4 hours per deployment\n"
        "**Target**: 20 minutes\n"
        "- Impact: saves 600 engineer-hours a year\n"
        "Deadline: 2027-03-31\n"
        "Owner: @csm.north\n"
    )
    assert missing(text) == []


def test_table_columns_and_row_labels():
    columns = (
        "| Baseline Metrics | Success Criteria | Timeframe | Business Impact |\n"
        "|---|---|---|---|\n"
        "| Deployment frequency: 2 per week | Increase to 10 deployments per week "
        "| Before July 2025 | Time to market improved by 5x |\n"
    )
    assert missing(columns, assignees=("csm.north",)) == []
    rows = "| Baseline | 85% success |\n| Target | 99.5% |\n| Owner | @sa.acme |\n"
    assert missing(rows) == ["business_impact", "timeline"]


def test_prose_without_headings_counts():
    text = (
        "Releases currently take about 3 hours. The customer wants them down to 20 minutes "
        "by the end of FY26 Q3, which cuts their time to market. DRI: @csm.emea"
    )
    assert missing(text) == []


def test_epic_fields_stand_for_timeline_and_owner():
    text = "## Baseline\n2 per week\n## Success Criteria\n10 per week\n## Impact\nLower cost."
    assert missing(text) == ["timeline", "owner"]
    assert missing(text, due_date=date(2027, 1, 1), assignees=("csm.north",)) == []


def test_the_title_can_state_the_target():
    result = CHECKER.check(Epic(title="Cut Time to First Commit by 20%", description=""))
    assert "success_criteria" not in result.missing
    assert result.evidence["success_criteria"].source == "title"


@pytest.mark.parametrize(
    ("criteria", "measurable"),
    [
        ("Increase GitLab CI usage", False),
        ("Better adoption of merge requests", False),
        ("Old CI server switched off", True),
        ("All new projects use GitLab CI", True),
        ("From 55% to 90% of epics planned in GitLab", True),
        ("Below 10 minutes per pipeline", True),
    ],
)
def test_success_criteria_must_be_measurable(criteria, measurable):
    result = CHECKER.check(Epic(title="x", description=f"## Success Criteria\n{criteria}\n"))
    ids = result.finding_ids
    assert ("unmeasurable_success_criteria" not in ids) is measurable
    assert "missing_success_criteria" not in ids


def test_tool_usage_is_not_business_impact():
    assert "business_impact" in missing(
        "## Business impact\nThe customer wants to use GitLab CI more."
    )
    assert "business_impact" not in missing(
        "## Business impact\nCuts licence cost by $200k a year."
    )


def test_required_headings_and_due_date_findings():
    result = CHECKER.check(Epic(title="x", description="**Metrics:** 10 per week"))
    assert {
        "missing_summary_heading",
        "missing_success_criteria_heading",
        "missing_due_date",
    } <= result.finding_ids
    complete = CHECKER.check(
        Epic(
            title="x",
            description="## Summary\nx\n## Success Criteria\n1",
            due_date=date(2027, 1, 1),
        )
    )
    assert (
        not {"missing_summary_heading", "missing_success_criteria_heading", "missing_due_date"}
        & complete.finding_ids
    )


def test_policies_can_extend_the_synonyms():
    text = "## North star\nReach 10 deployments per week.\n"
    assert "success_criteria" not in missing(text)  # found in prose anyway
    text = "## Launch pad\nTwo deployments a month.\n## Where we go\nWeekly."
    assert "baseline" in missing(text)
    extended = Checker({"baseline": ["launch pad"]})
    assert "baseline" not in extended.check(Epic(title="x", description=text)).missing


def test_parser_keeps_wrapped_sentences_whole():
    parsed = parse("Today 55% of their\nepics are mirrored.\n\nSecond paragraph.")
    assert parsed.prose == ["Today 55% of their\nepics are mirrored.", "Second paragraph."]
