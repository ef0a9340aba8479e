"""``triage lint`` as a CSM runs it: files and stdin, Markdown and JSON, exit codes."""

from __future__ import annotations

import json

import pytest

from tests.cli import Result, run_cli

COMPLETE = """# Cut deployment time to 20 minutes

## Summary
Deployments are manual.

## Baseline metrics
Average deployment time: 4 hours (May 2026).

## Success Criteria
Below 20 minutes for 30 consecutive deployments.

## Business impact
Weekly releases instead of monthly: faster time to market.

## Timeline
By 2027-03-31.

Owner: @csm.north
"""
VAGUE = "# GitLab CI\n\n**Metrics:** Increase GitLab CI usage\n"


def lint(*args: str, stdin: str | None = None) -> Result:
    return run_cli("lint", *args, stdin=stdin)


def test_a_complete_markdown_objective_passes(tmp_path):
    path = tmp_path / "objective.md"
    path.write_text(COMPLETE)
    result = lint(str(path))
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0] == "Objective: Cut deployment time to 20 minutes"
    assert result.stdout.splitlines()[-1] == "All SMART elements are there."
    assert "[x] baseline" in result.stdout


def test_json_from_stdin_reports_missing_elements_by_name():
    epic = {
        "title": "GitLab CI",
        "description": "**Metrics:** Increase GitLab CI usage",
        "assignees": ["csm.north"],
        "due_date": "2027-01-31",
    }
    result = lint("-", "--format", "json", stdin=json.dumps(epic))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["missing"] == ["baseline", "success_criteria", "business_impact"]
    assert "unmeasurable_success_criteria" in [f["id"] for f in report["findings"]]
    assert report["evidence"]["owner"] == {"source": "assignee", "text": "@csm.north"}
    assert report["evidence"]["timeline"] == {"source": "due date", "text": "2027-01-31"}


def test_markdown_from_stdin_prints_a_checklist():
    result = lint("-", stdin=VAGUE)
    assert result.returncode == 1
    assert "[ ] success criteria  The success criteria are not measurable" in result.stdout
    assert result.stdout.splitlines()[-1] == "5 of 5 SMART elements missing"


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "the input is empty"),
        ("{not json", "not valid JSON"),
        ('{"description": "no title"}', "'title' is required"),
        ('{"title": "x", "due_date": "next week"}', "'due_date' must be a date"),
        ('{"title": "x", "labels": "SP Objective"}', "'labels' must be a list of strings"),
    ],
)
def test_unreadable_input_exits_2(stdin, message):
    result = lint("-", stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_missing_file_exits_2(tmp_path):
    result = lint(str(tmp_path / "nope.md"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr
