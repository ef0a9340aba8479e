"""The console says what happened, once: a rule's limit is one line at the end with the
number of epics left, not one line per epic (a 20,000-epic dry run printed 1,504)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, point_bot_at

ROOT = Path(__file__).parents[2]


def test_limit_lines_are_folded_into_one_per_rule(make_sandbox, monkeypatch, tmp_path):
    point_bot_at(make_sandbox(), monkeypatch)
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    rules = policies / "objectives.yml"
    text = rules.read_text()
    assert text.count("max_epics: 200") >= 2
    rules.write_text(text.replace("max_epics: 200", "max_epics: 1"))
    report = tmp_path / "report.json"
    result = run_cli(
        "run",
        "--now",
        DEMO_DAY.isoformat(),
        "--policies",
        str(policies),
        "--prompts",
        str(ROOT / "prompts"),
        "--report",
        str(report),
        "--concurrency",
        "1",
    )
    assert result.returncode == 0, result.stderr
    folded = [line for line in result.stdout.splitlines() if "limit" in line]
    assert folded and all(line.startswith("limit reached for rule ") for line in folded)
    assert len(folded) == len({line.split(":")[0] for line in folded})  # one per rule
    left = sum(int(line.rsplit(": ", 1)[1].split()[0].replace(",", "")) for line in folded)
    assert left == json.loads(report.read_text())["counts"]["limited"]
    assert result.stdout.splitlines()[-len(folded) :] == folded  # after every epic's lines


def test_thousands_are_written_with_separators():
    import io

    from triage.pipeline.console import Console

    out = io.StringIO()
    console = Console(out=out, err=io.StringIO())
    console._limited.update({"stale-objective": 1504, "smart-objective": 1})
    console.finish()
    assert out.getvalue().splitlines() == [
        "limit reached for rule smart-objective: 1 epic left for next week",
        "limit reached for rule stale-objective: 1,504 epics left for next week",
    ]


def test_the_console_claims_exactly_the_mentions_gitlab_sent(make_sandbox, monkeypatch):
    from collections import Counter

    from tests.conftest import control

    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    dry = run_cli("run", "--now", DEMO_DAY.isoformat())
    assert "mentions @" in dry.stdout  # planned ones are said with "would", nothing sent
    assert all(
        line.split(": ", 1)[1].startswith("would ")
        for line in dry.stdout.splitlines()
        if "mentions @" in line
    )
    assert control(box, "stats")["mentioned"] == {}
    applied = run_cli("run", "--apply", "--now", DEMO_DAY.isoformat())
    assert applied.returncode == 0, applied.stderr
    claimed = Counter(
        name.strip()
        for line in applied.stdout.splitlines()
        if "mentions @" in line
        for name in line.split("mentions @", 1)[1].split(", @")
    )
    assert claimed and dict(claimed) == control(box, "stats")["mentioned"]
