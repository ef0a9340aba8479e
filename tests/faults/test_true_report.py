"""Faults end in a true report: reads survive a flaky network, one odd epic fails alone,
a group that could not be read is named and never shown as zeros."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
import requests
from gitlab_sandbox.fault_proxy import (
    BAD_GATEWAY,
    DROP_AFTER,
    DROP_BEFORE,
    HANG,
    FaultPlan,
    FaultProxy,
    graphql_read_of,
    null_widgets_of,
)

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, point_bot_at
from tests.run.test_weekly_run import NOTED, bot_notes
from triage.cache import WriteCache

NOW = DEMO_DAY.isoformat()
PROJECT = "cs-ops%2Ftriage-reports"


@pytest.fixture
def behind_proxy(make_sandbox, monkeypatch):
    """A sandbox, and the bot pointed at a fault proxy in front of it."""
    started = []

    def start(plan: FaultPlan):
        box = make_sandbox()
        point_bot_at(box, monkeypatch)
        proxy = FaultProxy(box.url, plan).start()
        started.append(proxy)
        monkeypatch.setenv("GITLAB_URL", proxy.url)
        monkeypatch.setenv("TRIAGE_GITLAB_TIMEOUT", "1")
        return box, proxy

    yield start
    for proxy in started:
        proxy.stop()


def is_read(method: str, path: str, body: bytes) -> bool:
    return path == "/api/graphql" and b"mutation" not in body


def test_reads_are_retried_on_dropped_connections_and_timeouts(behind_proxy, tmp_path):
    plan = FaultPlan(
        {DROP_BEFORE: 0.1, DROP_AFTER: 0.1, HANG: 0.05}, seed=7, picks=is_read, hang_seconds=1.5
    )
    box, proxy = behind_proxy(plan)
    report = tmp_path / "report.json"
    result = run_cli("run", "--apply", "--now", NOW, "--report", str(report))
    assert sum(proxy.counts.values()) >= 3, proxy.counts
    assert result.returncode == 0, result.stderr
    assert json.loads(report.read_text())["errors"] == []
    counts = Counter({ref: len(notes) for ref, notes in bot_notes(box).items()})
    assert len(counts) == NOTED and max(counts.values()) == 1


def test_an_epic_with_null_widgets_fails_alone(behind_proxy, tmp_path):
    behind_proxy(FaultPlan(rewrite=null_widgets_of("Improve GitLab adoption")))
    report = tmp_path / "report.json"
    result = run_cli("run", "--apply", "--now", NOW, "--report", str(report))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    data = json.loads(report.read_text())
    assert len(data["errors"]) == 1 and "unreadable shape" in data["errors"][0]
    assert data["counts"]["fetched"] >= 13


def test_a_group_not_read_is_named_and_keeps_last_weeks_figures(behind_proxy, tmp_path):
    box, proxy = behind_proxy(FaultPlan())
    state = tmp_path / "state.db"
    assert run_cli("run", "--apply", "--now", NOW, "--cache", str(state)).returncode == 0
    issue_url = f"{box.url}/api/v4/projects/{PROJECT}/issues"
    auth = {"PRIVATE-TOKEN": box.token}
    (last_week,) = requests.get(issue_url, headers=auth, timeout=10).json()
    proxy.plan.always[BAD_GATEWAY] = graphql_read_of("globex")
    later = (DEMO_DAY + timedelta(days=7)).isoformat()
    result = run_cli("run", "--apply", "--now", later, "--cache", str(state))
    assert result.returncode == 1
    assert "globex: FAILED to read epics" in result.stderr
    opened = requests.get(issue_url, params={"state": "opened"}, headers=auth, timeout=10).json()
    (this_week,) = opened
    assert this_week["iid"] != last_week["iid"]
    body = this_week["description"]
    assert body.startswith("<!-- smart-triage:held -->")
    assert "**Not read this run:** `globex`" in body
    assert last_week["description"] in body  # last week's figures, not zeros
    assert not WriteCache(state).complete


def test_an_epic_whose_notes_come_back_null_fails_alone(behind_proxy, tmp_path):
    """Without its notes the bot cannot know its own note: that epic fails, no second
    note is posted, and every other epic is processed."""
    broken: list[str] = []

    def null_discussions(path: str, body: bytes, answer):
        if path != "/api/graphql":
            return answer
        widgets = ((answer.get("data") or {}).get("workItem") or {}).get("widgets") or []
        for widget in widgets:
            if "discussions" in widget and not broken:
                broken.append(json.loads(body)["variables"]["id"])
                widget["discussions"] = None
        return answer

    box, _ = behind_proxy(FaultPlan(rewrite=null_discussions))
    report = tmp_path / "report.json"
    result = run_cli("run", "--apply", "--now", NOW, "--report", str(report))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    data = json.loads(report.read_text())
    failed = [e for e in data["epics"] if e["error"]]
    assert len(failed) == 1 and "unreadable shape" in failed[0]["error"]
    assert all(len(notes) == 1 for notes in bot_notes(box).values())


def test_a_summary_project_that_drops_every_connection_is_an_error_not_a_trace(
    behind_proxy, monkeypatch, tmp_path
):
    def summary_project(method: str, path: str, body: bytes) -> bool:
        return "/projects/" in path and "/issues" in path

    box, proxy = behind_proxy(FaultPlan(always={DROP_BEFORE: summary_project}))
    monkeypatch.setenv("TRIAGE_GITLAB_MAX_RETRIES", "1")
    report = tmp_path / "report.json"
    result = run_cli("run", "--apply", "--now", NOW, "--report", str(report))
    assert proxy.counts[DROP_BEFORE] >= 1
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = json.loads(report.read_text())["errors"]
    assert len(errors) == 1 and errors[0].startswith("summary: ")
    assert len(bot_notes(box)) == NOTED
