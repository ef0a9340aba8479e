"""The weekly summary issue: one per ISO week, updated in place, deltas, shards, Markdown."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.conftest import DEMO_DAY, control
from triage.cli import main
from triage.summary.figures import half_year
from triage.summary.markdown import BLOCK

ROOT = Path(__file__).parents[2]
PROJECT = "cs-ops/triage-reports"


@pytest.fixture
def env(bot_env):
    return bot_env


def summaries(box) -> list[dict]:
    return [
        i
        for i in control(box, "state")["issues"]
        if i["project"] == PROJECT and i["title"].startswith("Success plan triage: ")
    ]


def run_on(day: date, *args: str) -> int:
    return main(["run", "--apply", "--now", day.isoformat(), *args])


def test_one_issue_per_week_updated_in_place_then_closed_next_week(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    assert run_on(DEMO_DAY, "--state", state) == 0
    first = summaries(sandbox)
    assert [i["title"] for i in first] == ["Success plan triage: 2026-W47"]
    assert first[0]["labels"] == ["triage report"]
    control(sandbox, "reset", {"stats_only": True})
    assert run_on(DEMO_DAY + timedelta(days=1), "--state", state) == 0
    assert [i["iid"] for i in summaries(sandbox)] == [first[0]["iid"]]  # same week, same issue
    assert run_on(DEMO_DAY + timedelta(days=7), "--state", state) == 0
    issues = {i["title"]: i for i in summaries(sandbox)}
    old, new = issues["Success plan triage: 2026-W47"], issues["Success plan triage: 2026-W48"]
    assert old["state"] == "closed" and "Superseded by" in old["description"]
    assert new["state"] == "opened"
    # next week's figures are compared with last week's
    assert "Compared with the summary of 2026-W47." in new["description"]
    assert "| Objectives scanned | 14 | 0 |" in new["description"]
    assert "| Need attention: new since last week | 0 | -13 |" in new["description"]


def test_ticked_verification_boxes_survive_a_rerun(sandbox, env):
    assert run_on(DEMO_DAY) == 0
    issue = summaries(sandbox)[0]
    ticked = issue["description"].replace("- [ ] `csm.north`", "- [x] `csm.north`")
    requests.put(
        f"{sandbox.url}/api/v4/projects/{quote(PROJECT, safe='')}/issues/{issue['iid']}",
        json={"description": ticked},
        headers={"PRIVATE-TOKEN": sandbox.token},
        timeout=10,
    ).raise_for_status()
    assert run_on(DEMO_DAY + timedelta(days=7)) == 0
    latest = max(summaries(sandbox), key=lambda i: i["iid"])
    assert "- [x] `csm.north`" in latest["description"]
    assert "- [ ] `csm.south`" in latest["description"]


def test_merged_shard_reports_give_the_unsharded_summary(sandbox, env, tmp_path, capsys):
    reports = []
    for shard in ("1/2", "2/2", "1/1"):
        path = tmp_path / f"{shard.replace('/', '-')}.json"
        assert (
            main(["run", "--now", DEMO_DAY.isoformat(), "--shard", shard, "--report", str(path)])
            == 0
        )
        reports.append(path)
    capsys.readouterr()
    assert main(["summarize", "--report", str(reports[0]), "--report", str(reports[1])]) == 0
    merged = capsys.readouterr().out
    assert main(["summarize", "--report", str(reports[2])]) == 0
    whole = capsys.readouterr().out
    assert merged == whole
    assert "| Objectives scanned | 14 |" in whole
    shard_groups = [json.loads(p.read_text())["run"]["groups"] for p in reports[:2]]
    assert sorted(shard_groups[0] + shard_groups[1]) == ["acme-corp", "globex", "initech"]


def markdown_checks(text: str) -> None:
    """Tables have consistent columns, no chart needs a recent Mermaid, the JSON block
    round-trips."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].startswith("|"):
            table = []
            while index < len(lines) and lines[index].startswith("|"):
                table.append(lines[index])
                index += 1
            widths = {len(re.split(r"(?<!\\)\|", row.strip().strip("|"))) for row in table}
            assert len(widths) == 1, table
            assert re.fullmatch(r"\|(---\|)+", table[1]), table[1]
        index += 1
    # xychart-beta needs Mermaid 10.6; GitLab instances ship older ones: bars are text
    assert "xychart" not in text and "```mermaid" not in text
    bars = re.findall(r"\| ([█░]+) (\d+)% \|", text)
    assert bars and all(len(b) == 10 and b.count("█") == round(int(p) / 10) for b, p in bars)
    block = BLOCK.search(text)
    assert block is not None
    data = json.loads(block.group("json"))
    assert json.loads(json.dumps(data)) == data and set(data) >= {"week", "headline", "trend"}


def test_the_summary_markdown_is_well_formed(sandbox, env):
    assert run_on(DEMO_DAY) == 0
    description = summaries(sandbox)[0]["description"]
    markdown_checks(description)
    assert "1 confidential" in description
    assert "Reduce audit findings" not in description  # the confidential epic's title
    # initiative gaps per customer: acme-corp has an initiative without owner, one whose
    # objective's initiatives are all closed, one without date and stale, one without
    # date (confidential), one overdue (EMEA); globex one objective with all closed
    table = description.split("## By customer")[1].split("\n## ")[0].splitlines()
    header = [c.strip() for c in table[2].strip("|").split("|")]
    column = header.index("Initiative gaps")
    gaps = {
        re.search(r"\[([^\]]+)\]\(", cells[0]).group(1): int(cells[column])  # type: ignore[union-attr]
        for row in table[4:]
        if row.startswith("| ")
        for cells in [[c.strip() for c in row.strip("|").split("|")]]
    }
    assert gaps == {"acme-corp": 6, "globex": 1, "initech": 0}


@pytest.mark.parametrize(
    ("day", "window", "due"),
    [
        (date(2026, 11, 20), "H2 (Aug 1 2026 - Jan 31 2027)", date(2027, 1, 31)),
        (date(2027, 1, 10), "H2 (Aug 1 2026 - Jan 31 2027)", date(2027, 1, 31)),
        (date(2027, 3, 1), "H1 (Feb 1 - Jul 31 2027)", date(2027, 7, 31)),
    ],
)
def test_verification_windows_follow_the_handbook(day, window, due):
    assert half_year(day) == (window, due)
