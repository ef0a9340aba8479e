"""One summary issue per week whoever publishes it: `triage summarize --apply` and a run's
own summary take the summary project's lease before they look at its issues."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, ROOT, control, point_bot_at
from tests.run.test_weekly_run import NOTED, bot_notes
from triage.cli import main
from triage.gitlab.client import GitLab
from triage.gitlab.lease import describe
from triage.gitlab.summary_lease import SUMMARY_LEASE_LABEL, SummaryLease
from triage.settings import GitLabSettings

NOW = DEMO_DAY.isoformat()
PROJECT = "cs-ops/triage-reports"
API_PROJECT = "cs-ops%2Ftriage-reports"
CREATES = "POST /projects/:id/issues"
EDITS = "PUT /projects/:id/issues/:iid"
LEASE_READS = "GET /projects/:id/labels/:label_id"


def summaries(box) -> list[dict]:
    response = requests.get(
        f"{box.url}/api/v4/projects/{API_PROJECT}/issues",
        params={"state": "all", "per_page": "100"},
        headers={"PRIVATE-TOKEN": box.token},
        timeout=10,
    )
    return [i for i in response.json() if i["title"].startswith("Success plan triage: ")]


def summary_lease_label(box) -> dict | None:
    response = requests.get(
        f"{box.url}/api/v4/projects/{API_PROJECT}/labels/{SUMMARY_LEASE_LABEL}",
        headers={"PRIVATE-TOKEN": box.token},
        timeout=10,
    )
    return response.json() if response.status_code == 200 else None


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    """A waiting publisher looks again every 0.2 s, not every 5: the same waits, sooner."""
    monkeypatch.setattr("triage.gitlab.lease.POLL", 0.2)


def routes(box) -> dict[str, int]:
    return dict(control(box, "stats")["routes"])


def shard_report(box, tmp_path: Path) -> Path:
    """What a shard's merge step gets: the report of a run that published no summary."""
    report = tmp_path / "report.json"
    result = run_cli("run", "--apply", "--now", NOW, "--no-summary", "--report", str(report))
    assert result.returncode == 0, result.stderr
    assert summaries(box) == []
    return report


def another_publisher(box) -> tuple[GitLab, SummaryLease]:
    """The summary lease held the way a run or a summarize holds it while it publishes."""
    gl = GitLab(GitLabSettings.from_env({"GITLAB_URL": box.url, "GITLAB_TOKEN": box.token}))
    lease = SummaryLease(gl, [PROJECT])
    lease.acquire()
    assert lease.held
    return gl, lease


def test_publishers_at_once_make_one_summary_issue(make_sandbox, monkeypatch, tmp_path):
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    report = str(shard_report(box, tmp_path))
    box.options.latency_ms = 60  # every request slower: without the lease, both create
    start = threading.Barrier(3)
    codes: list[int] = []

    def publish() -> None:
        start.wait()
        codes.append(main(["summarize", "--apply", "--report", report, "--lease-wait", "60"]))

    threads = [threading.Thread(target=publish) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert codes == [0, 0, 0]
    (issue,) = summaries(box)
    assert issue["state"] == "opened"
    seen = routes(box)
    assert seen.get(CREATES) == 1  # one created it; the others found it, in turn
    assert seen.get(LEASE_READS, 0) >= 2  # the others met the lease and waited
    assert "released by run" in (summary_lease_label(box) or {}).get("description", "")


def test_a_held_summary_lease_stops_summarize_before_any_write(make_sandbox, monkeypatch, tmp_path):
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    report = str(shard_report(box, tmp_path))
    gl, other = another_publisher(box)
    looked = routes(box).get("GET /projects/:id/issues")
    try:
        result = run_cli("summarize", "--apply", "--report", report)
        assert result.returncode == 1
        assert "another run is publishing the weekly summary in this project" in result.stderr
        assert "nothing was written" in result.stderr and "--lease-wait" in result.stderr
        assert "Traceback" not in result.stderr
        seen = routes(box)
        assert CREATES not in seen and EDITS not in seen
        assert seen.get("GET /projects/:id/issues") == looked  # it did not even look
        assert summaries(box) == []
    finally:
        other.release()
        gl.close()


def test_summarize_may_wait_for_the_lease_and_then_publishes(make_sandbox, monkeypatch, tmp_path):
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    report = str(shard_report(box, tmp_path))
    gl, other = another_publisher(box)
    codes: list[int] = []
    waiting = threading.Thread(
        target=lambda: codes.append(
            main(["summarize", "--apply", "--report", report, "--lease-wait", "30"])
        )
    )
    try:
        waiting.start()
        deadline = time.monotonic() + 20
        while routes(box).get(LEASE_READS, 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # until it met the held lease
        time.sleep(0.3)
        assert waiting.is_alive() and summaries(box) == []  # waiting, nothing written
    finally:
        other.release()
        gl.close()
    waiting.join(timeout=60)
    assert codes == [0]
    assert len(summaries(box)) == 1


def test_the_summary_lease_of_a_killed_publisher_expires(make_sandbox, monkeypatch, tmp_path):
    box = make_sandbox()
    env = point_bot_at(box, monkeypatch)
    report = str(shard_report(box, tmp_path))
    box.options.latency_ms = 400  # the publisher holds the lease for seconds
    killed = subprocess.Popen(
        [sys.executable, "-m", "triage", "summarize", "--apply", "--report", report],
        env={**env, "TRIAGE_LEASE_SECONDS": "3"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        label = summary_lease_label(box)
        if label and "held by run" in (label["description"] or ""):
            break
        time.sleep(0.05)
    os.kill(killed.pid, signal.SIGKILL)  # no release: the lease stays, held
    killed.wait(timeout=10)
    box.options.latency_ms = 0
    held = summary_lease_label(box)
    assert held is not None and "held by run" in held["description"]
    stopped = run_cli("summarize", "--apply", "--report", report)
    assert stopped.returncode == 1 and "another run is publishing" in stopped.stderr
    waited = run_cli("summarize", "--apply", "--report", report, "--lease-wait", "20")
    assert waited.returncode == 0, waited.stderr  # once its 3 seconds passed
    assert len([i for i in summaries(box) if i["state"] == "opened"]) == 1


def test_an_expired_lease_is_taken_over_at_once(make_sandbox, monkeypatch, tmp_path):
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    report = str(shard_report(box, tmp_path))
    expired = datetime.now(UTC) - timedelta(minutes=1)
    requests.post(
        f"{box.url}/api/v4/projects/{API_PROJECT}/labels",
        data={
            "name": SUMMARY_LEASE_LABEL,
            "color": "#8c8c8c",
            "description": describe("gone", expired),
        },
        headers={"PRIVATE-TOKEN": box.token},
        timeout=10,
    ).raise_for_status()
    result = run_cli("summarize", "--apply", "--report", report)
    assert result.returncode == 0, result.stderr
    assert len(summaries(box)) == 1


def test_a_runs_own_summary_takes_the_same_lease(make_sandbox, monkeypatch, tmp_path):
    """A run publishing its summary meets a summarize's lease: it stops its summary with
    nothing of it written (its epics are done), or waits with --lease-wait."""
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    gl, other = another_publisher(box)
    try:
        stopped = run_cli("run", "--apply", "--now", NOW, "--cache", str(tmp_path / "a.db"))
        assert stopped.returncode == 1
        assert "summary: FAILED" in stopped.stderr and "another run is publishing" in stopped.stderr
        assert len(bot_notes(box)) == NOTED and summaries(box) == []
        threading.Timer(1.0, other.release).start()
        waited = run_cli(
            "run", "--apply", "--now", NOW, "--cache", str(tmp_path / "a.db"), "--lease-wait", "30"
        )
    finally:
        other.release()
        gl.close()
    assert waited.returncode == 0, waited.stderr
    assert "summary issue created" in waited.stderr
    assert len(summaries(box)) == 1


def test_summarize_without_gitlab_is_exit_4_with_nothing_written(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    report = str(shard_report(box, tmp_path))
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("GITLAB_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TRIAGE_GITLAB_MAX_RETRIES", "1")
    result = run_cli("summarize", "--apply", "--report", report)
    assert result.returncode == 4  # the merge job retries it
    assert f"cannot reach GitLab at http://127.0.0.1:{port}" in result.stderr
    assert "nothing was written" in result.stderr and "Traceback" not in result.stderr
