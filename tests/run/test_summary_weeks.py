"""The weekly summary over two weeks against the sandbox: figures that agree with each
other, each epic listed once, and what changed per CSM from one week to the next."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from tests.conftest import DEMO_DAY, control
from tests.run.test_summary import run_on, summaries
from tests.run.test_weekly_run import edit_description, graphql
from triage.cli import main
from triage.summary.block import BLOCK, unpack

COMPLETE = """## Summary
{what}

## Success Criteria
- Baseline: 0 of 12 teams work this way today (measured 2026-10-01).
- Target: 12 of 12 teams by 2027-03-31.
- Business impact: one tool saves 200 hours a quarter of status reporting.
- Timeline: pilot by 2027-01-15, all teams by 2027-03-31.
- Owner: @{owner}
"""
CSM_COLUMNS = (
    "objectives",
    "new",
    "still_open",
    "fixed",
    "smart",
    "format",
    "overdue",
    "stale",
    "opted_out",
    "snoozed",
    "initiatives",
)


@pytest.fixture
def env(bot_env):
    return bot_env


def block_of(text: str) -> dict:
    match = BLOCK.search(text)
    assert match is not None
    return json.loads(match.group("json"))


def csm_rows(text: str) -> dict[str, dict[str, int]]:
    """The By CSM table: per username, its counts."""
    table = text.split("## By CSM\n\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    rows = {}
    for line in table:
        cells = [c.strip() for c in line.strip("|").split("|")]
        username = re.search(r"\[([^\]]+)\]\(", cells[0]).group(1)  # type: ignore[union-attr]
        rows[username] = dict(zip(CSM_COLUMNS, map(int, cells[1:]), strict=True))
    return rows


def listed(text: str) -> dict[str, list[str]]:
    """Per section heading, the epic references listed under it."""
    found: dict[str, list[str]] = {}
    for part in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = part.partition("\n")
        refs = re.findall(r"^- \[([\w./-]+&\d+)\]\(", body, flags=re.MULTILINE)
        if refs:
            found[heading] = refs
    return found


def count_in(heading: str) -> int:
    match = re.search(r"\((\d+)\)$", heading)
    assert match is not None, heading
    return int(match.group(1))


def check_agreement(text: str) -> dict:
    """Headline, per-CSM table and lists agree; no epic is listed twice."""
    data = block_of(text)
    head = data["headline"]
    assert head["scanned"] == head["attention"] + head["fixed"] + head["set_aside"] + head["clean"]
    assert head["attention"] == head["new"] + head["still_open"]
    rows = csm_rows(text)
    for column in CSM_COLUMNS:
        key = "scanned" if column == "objectives" else column
        assert sum(r[column] for r in rows.values()) == head[key], column
    lists = listed(text)
    references = [ref for refs in lists.values() for ref in refs]
    assert len(references) == len(set(references)), "an epic listed twice"
    sections = {h: refs for h, refs in lists.items() if not h.startswith(("Fixed", "Opted out"))}
    counted = re.findall(r"^## (.+ \(\d+\))$", text, flags=re.MULTILINE)
    attention = [h for h in counted if not h.startswith(("Fixed", "Opted out"))]
    assert sum(count_in(h) for h in attention) == head["attention"]
    assert set(sections) <= set(attention)
    # next week's comparison knows every listed epic, confidential ones too
    remembered = unpack(data["listed"]) or frozenset()
    assert len(remembered) == head["attention"]
    assert {ref for refs in sections.values() for ref in refs} <= remembered
    return data


def test_headline_tables_and_lists_agree_and_each_epic_is_listed_once(sandbox, env):
    assert run_on(DEMO_DAY) == 0
    text = summaries(sandbox)[0]["description"]
    data = check_agreement(text)
    head = data["headline"]
    # the console's "fetched 14" and the summary's scanned agree; the opted-out epic counts
    assert head["scanned"] == 14 and head["opted_out"] == 1
    assert "initech&2" in listed(text)["Opted out or snoozed, nothing else open (1)"]
    # SMART parts and format counted apart: csm.emea's epics lack headings, not SMART parts
    emea = csm_rows(text)["csm.emea"]
    assert emea["smart"] == 0 and emea["format"] == 2
    # customers and CSMs by name, the path as a link
    assert "Acme Corp ([acme-corp](" in text and "CSM EMEA ([csm.emea](" in text
    # globex&2 matches two listing rules, and is listed once, under the more urgent one
    assert [h for h, refs in listed(text).items() if "globex&2" in refs] == [
        "Verifiable Outcome stage and content disagree (1)"
    ]


def test_a_second_week_shows_two_fixed_epics_per_csm(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    assert run_on(DEMO_DAY, "--state", state) == 0
    first = summaries(sandbox)[0]["description"]
    before = csm_rows(first)
    assert "initech&1" in listed(first)["Objectives missing reporting format (1)"]
    # the CSMs fix one objective each: every part, the headings, a due date ahead
    edit_description(
        sandbox,
        "initech&1",
        COMPLETE.format(what="Plan every team's work in GitLab epics.", owner="csm.north"),
        due="2027-03-31",
    )
    edit_description(
        sandbox,
        "acme-corp/emea&1",
        COMPLETE.format(what="Move the EMEA teams off Jenkins.", owner="csm.emea"),
        due="2027-03-31",
    )
    # ... and the overdue initiative of the EMEA objective gets a date ahead
    issue = next(
        i
        for i in control(sandbox, "state")["issues"]
        if i["project"] == "acme-corp/emea/success-plan" and i["iid"] == 2
    )
    graphql(
        sandbox,
        "mutation($input: WorkItemUpdateInput!) { workItemUpdate(input: $input) { errors } }",
        {
            "input": {
                "id": f"gid://gitlab/WorkItem/{issue['id']}",
                "startAndDueDateWidget": {"dueDate": "2027-03-31"},
            }
        },
    )
    assert run_on(DEMO_DAY + timedelta(days=7), "--state", state) == 0
    second = max(summaries(sandbox), key=lambda i: i["iid"])["description"]
    data = check_agreement(second)
    assert "Compared with the summary of 2026-W47." in second
    fixed = next(refs for h, refs in listed(second).items() if h.startswith("Fixed since"))
    assert sorted(fixed) == ["acme-corp/emea&1", "initech&1"]
    assert "## Fixed since last week (2)" in second
    after = csm_rows(second)
    assert after["csm.north"]["fixed"] == 1 and after["csm.emea"]["fixed"] == 1
    assert after["csm.south"]["fixed"] == 0
    # what was open and is still open is no longer new
    assert after["csm.north"]["new"] == 0
    assert after["csm.north"]["still_open"] == before["csm.north"]["new"] - 1
    assert data["headline"]["fixed"] == 2 and data["headline"]["new"] == 0
    assert "| Fixed since last week | 2 | +2 |" in second
    # the trend keeps both weeks
    assert [t["week"] for t in data["trend"]] == ["2026-W47", "2026-W48"]
    assert data["trend"][-1]["fixed"] == 2


def test_the_trend_keeps_four_weeks(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    for week in range(5):
        assert run_on(DEMO_DAY + timedelta(days=7 * week), "--state", state) == 0
    latest = max(summaries(sandbox), key=lambda i: i["iid"])["description"]
    weeks = [t["week"] for t in block_of(latest)["trend"]]
    assert weeks == ["2026-W48", "2026-W49", "2026-W50", "2026-W51"]
    assert "## Last 4 weeks" in latest


def test_a_dry_runs_summary_file_compares_with_the_published_summary(sandbox, env, tmp_path):
    assert run_on(DEMO_DAY) == 0
    control(sandbox, "reset", {"stats_only": True})
    preview = tmp_path / "summary.md"
    day = (DEMO_DAY + timedelta(days=7)).isoformat()
    assert main(["run", "--now", day, "--summary-file", str(preview)]) == 0
    text = preview.read_text()
    assert "Compared with the summary of 2026-W47." in text
    assert "| Objectives scanned | 14 | 0 |" in text
    assert "| Need attention: still open from last week | 13 | +13 |" in text
    assert control(sandbox, "stats")["writes"] == 0  # a dry run still writes nothing


def test_a_rerun_on_unchanged_data_leaves_the_summary_and_the_leases_alone(
    sandbox, bot_env, tmp_path
):
    """GitLab keeps an issue's description without its trailing line break (the quick
    actions' pass strips it): compared as sent, every run rewrote the summary and took
    every group's lease to do it."""
    from tests.cli import run_cli

    cache = str(tmp_path / "state.db")
    now = DEMO_DAY.isoformat()
    assert run_cli("run", "--apply", "--now", now, "--cache", cache).returncode == 0
    control(sandbox, "reset", {"stats_only": True})
    again = run_cli("run", "--apply", "--now", now, "--cache", cache)
    assert again.returncode == 0, again.stderr
    assert "summary issue unchanged" in again.stderr
    stats = control(sandbox, "stats")
    assert stats["writes"] == 0 and stats["requests"] <= 6, stats


def test_a_summary_issue_made_without_its_labels_is_a_failure_said_plainly(
    make_sandbox, monkeypatch
):
    """GitLab leaves out the labels a user below Planner may not create and makes the
    issue anyway: the next run, which finds summaries by their labels, could neither
    compare with it nor close it, and would make another each week."""
    from tests.cli import run_cli
    from tests.conftest import point_bot_at

    box = make_sandbox(label_admin_denied=("cs-ops",))
    point_bot_at(box, monkeypatch)
    result = run_cli("run", "--apply", "--now", DEMO_DAY.isoformat())
    assert result.returncode == 1, result.stderr
    assert "was created without its label(s)" in result.stderr
    assert "Give it the Planner role in 'cs-ops/triage-reports'" in result.stderr
    assert "Traceback" not in result.stderr
    (made,) = summaries(box)
    assert made["labels"] == []  # as GitLab leaves it
