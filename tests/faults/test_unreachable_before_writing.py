"""GitLab stops answering mid-run: exit 4 (which the CI job retries) while nothing was
written, exit 1 once something was; and what tells a write that never left this machine
from one GitLab may have saved."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable

import pytest
import requests
from gitlab_sandbox.fault_proxy import DROP_BEFORE, FaultPlan, FaultProxy

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, control, point_bot_at
from tests.faults.test_never_doubled import held_leases
from tests.run.test_weekly_run import NOTED, bot_notes
from triage.errors import GitLabUnreachable
from triage.gitlab.client import GitLab
from triage.gitlab.issues import recent_issues
from triage.gitlab.lease import LEASE_LABEL, Lease, run_id
from triage.gitlab.unreachable import never_sent
from triage.gitlab.writes import LabelDirectory
from triage.settings import GitLabSettings

NOW = DEMO_DAY.isoformat()
PROJECT = "cs-ops%2Ftriage-reports"


def gone_from(
    first: Callable[[str, bytes], bool], passed: list[str]
) -> Callable[[str, str, bytes], bool]:
    """A picker that lets every request through (each one's query, or path, kept in
    ``passed``) until ``first`` picks one, and from that one on drops them all: GitLab
    went away at that moment."""
    gone = threading.Event()

    def picks(method: str, path: str, body: bytes) -> bool:
        if not gone.is_set() and first(path, body):
            gone.set()
        if not gone.is_set():
            passed.append(json.loads(body).get("query", "") if path == "/api/graphql" else path)
        return gone.is_set()

    return picks


def is_label_lookup(path: str, body: bytes) -> bool:
    """The group labels query (a rule's labels, the note's use-case hint)."""
    if path != "/api/graphql" or not body:
        return False
    query = "".join(str(json.loads(body).get("query", "")).split())  # as printed, any layout
    return "labels(includeAncestorGroups" in query and "workItems" not in query


def is_second_write(seen: list[int]) -> Callable[[str, bytes], bool]:
    def picks(path: str, body: bytes) -> bool:
        if path == "/api/graphql" and b"mutation" in body:
            seen.append(1)
        return len(seen) >= 2

    return picks


@pytest.fixture
def gitlab_goes_away(make_sandbox, monkeypatch):
    """A sandbox behind a fault proxy that drops every request from a chosen one on."""
    started: list[FaultProxy] = []

    def start(first: Callable[[str, bytes], bool]):
        box = make_sandbox()
        point_bot_at(box, monkeypatch)
        passed: list[str] = []
        plan = FaultPlan(always={DROP_BEFORE: gone_from(first, passed)})
        proxy = FaultProxy(box.url, plan).start()
        started.append(proxy)
        monkeypatch.setenv("GITLAB_URL", proxy.url)
        monkeypatch.setenv("TRIAGE_GITLAB_TIMEOUT", "2")
        monkeypatch.setenv("TRIAGE_GITLAB_MAX_RETRIES", "1")
        return box, proxy, passed

    yield start
    for proxy in started:
        proxy.stop()


def test_gitlab_gone_after_the_group_reads_before_the_labels_is_exit_4_and_no_write(
    gitlab_goes_away, tmp_path
):
    box, proxy, passed = gitlab_goes_away(is_label_lookup)
    result = run_cli("run", "--apply", "--now", NOW, "--cache", str(tmp_path / "state.db"))
    assert proxy.counts[DROP_BEFORE] >= 1, "GitLab never went away: nothing was tested"
    assert any("workItems(" in query for query in passed)  # the groups were read
    assert result.returncode == 4, result.stderr
    assert control(box, "stats")["writes"] == 0
    assert bot_notes(box) == {}
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("triage: ")]
    assert line.startswith("triage: error: cannot reach GitLab at ")
    assert "nothing was written" in line and "run `triage doctor`" in line
    assert "FAILED" not in result.stderr  # one line for the run, not one per epic
    assert "Traceback" not in result.stderr


def test_gitlab_gone_after_a_write_is_exit_1_with_the_write_kept(gitlab_goes_away, tmp_path):
    seen: list[int] = []
    box, proxy, _ = gitlab_goes_away(is_second_write(seen))
    report = tmp_path / "report.json"
    result = run_cli("run", "--apply", "--now", NOW, "--report", str(report))
    assert proxy.counts[DROP_BEFORE] >= 1
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert sum(len(notes) for notes in bot_notes(box).values()) == 1  # the one that went
    data = json.loads(report.read_text())
    assert data["counts"]["written"] == 1
    assert any("cannot reach GitLab" in (e["error"] or "") for e in data["epics"])


def after_the_lease(path: str, body: bytes, taken: list[int] = []) -> bool:  # noqa: B006
    """Every request after the first lease label was created: GitLab went away between
    the run taking its lease and its first write, so the lease stays held."""
    if LEASE_LABEL.encode() in body:
        taken.append(1)
        return False
    return bool(taken)


def test_a_retried_ci_job_takes_over_the_lease_its_first_attempt_left(
    gitlab_goes_away, monkeypatch, tmp_path
):
    """A retry (the component's own after exit 4, or a person's after exit 1) used to stop
    for the lease the failed attempt could not release ("another run is writing") until
    it expired, so the retry was wasted. A retry is the same pipeline and job name: the
    same run. Here the first writes' connections dropped: they may have been saved, so the
    attempt ends with exit 1, and a person retries the job."""
    box, proxy, _ = gitlab_goes_away(after_the_lease)
    monkeypatch.setenv("CI_PIPELINE_ID", "4711")
    monkeypatch.setenv("CI_JOB_NAME", "smart-triage-run")
    first = run_cli("run", "--apply", "--now", NOW, "--cache", str(tmp_path / "1.db"))
    assert proxy.counts[DROP_BEFORE] >= 1
    assert first.returncode == 1, first.stderr
    assert bot_notes(box) == {}  # the proxy dropped them before GitLab
    assert held_leases(box), "the first attempt's lease was released: nothing was tested"

    monkeypatch.setenv("GITLAB_URL", box.url)  # GitLab is back
    monkeypatch.setenv("CI_PIPELINE_ID", "4712")  # another pipeline is another run
    other = run_cli("run", "--apply", "--now", NOW, "--cache", str(tmp_path / "2.db"))
    assert other.returncode == 1 and "another run is writing" in other.stderr
    assert bot_notes(box) == {}

    monkeypatch.setenv("CI_PIPELINE_ID", "4711")  # the retry of the first job
    retry = run_cli("run", "--apply", "--now", NOW, "--cache", str(tmp_path / "3.db"))
    assert retry.returncode == 0, retry.stderr
    assert len(bot_notes(box)) == NOTED
    assert all(len(notes) == 1 for notes in bot_notes(box).values())
    assert held_leases(box) == []  # released at its end


def test_a_run_outside_ci_is_a_new_run_each_time(monkeypatch):
    assert run_id({}) != run_id({})
    assert run_id({"CI_PIPELINE_ID": "", "CI_JOB_NAME": "x"}) != run_id({})
    job = {"CI_PIPELINE_ID": "4711", "CI_JOB_NAME": "smart-triage-run 2/3"}
    assert run_id(job) == run_id(dict(job))
    assert run_id(job).startswith("pipeline-4711/smart-triage-run-2-3-")
    assert run_id({**job, "CI_JOB_NAME": "smart-triage-run 3/3"}) != run_id(job)
    assert run_id({**job, "CI_JOB_NAME": "smart-triage-run-2-3"}) != run_id(job)
    matrix = "smart-triage-weekly: [customer-success/enterprise-accounts/emea, eu-{}]"
    east, west = ({**job, "CI_JOB_NAME": matrix.format(side)} for side in ("east", "west"))
    assert run_id(east) != run_id(west)  # one prefix, cut short


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def client(url: str) -> GitLab:
    return GitLab(
        GitLabSettings.from_env(
            {"GITLAB_URL": url, "GITLAB_TOKEN": "t", "TRIAGE_GITLAB_MAX_RETRIES": "1"}
        )
    )


def test_a_write_to_a_closed_port_never_left_so_nothing_was_written():
    gl = client(f"http://127.0.0.1:{closed_port()}")
    try:
        with pytest.raises(requests.ConnectionError) as raised:
            gl.rest.http_post("/groups/g/labels", post_data={"name": "x"})
        assert never_sent(raised.value)
        with pytest.raises(GitLabUnreachable) as mutation:
            gl.mutate("mutation { x }", {}, "x")
        assert never_sent(mutation.value)
        assert not gl.wrote
        assert gl.unreachable_before_writing(mutation.value)
    finally:
        gl.close()


def test_a_write_whose_answer_was_lost_may_have_been_saved():
    """A server that reads the request and hangs up: GitLab may have saved it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        def hang_up() -> None:
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:  # closed at the end of the test
                    return
                conn.recv(65536)
                conn.close()

        threading.Thread(target=hang_up, daemon=True).start()
        gl = client(f"http://127.0.0.1:{server.getsockname()[1]}")
        try:
            with pytest.raises(requests.ConnectionError) as raised:
                gl.rest.http_get("/user")  # a read: no write, whatever happens
            assert not gl.wrote
            with pytest.raises(requests.ConnectionError) as raised:
                gl.rest.http_post("/groups/g/labels", post_data={"name": "x"})
            assert not never_sent(raised.value)
            assert gl.wrote
        finally:
            gl.close()


def test_the_leases_labels_are_no_write_of_the_run(sandbox):
    gl = GitLab(GitLabSettings.from_env({"GITLAB_URL": sandbox.url, "GITLAB_TOKEN": sandbox.token}))
    try:
        with gl.bookkeeping():
            gl.rest.http_post("/groups/globex/labels", post_data={"name": "x", "color": "#000"})
        assert not gl.wrote
        gl.rest.http_post("/groups/globex/labels", post_data={"name": "y", "color": "#000"})
        assert gl.wrote
    finally:
        gl.close()


def test_each_step_before_the_first_write_lets_no_answer_through_as_it_is():
    """The label lookup, the lease and the summary's issues each used to turn "no answer"
    into their own failure (swallowed, "another run is writing", a plain error): the run
    could not tell it from a partial failure and ended with exit 1."""
    gl = client(f"http://127.0.0.1:{closed_port()}")
    try:
        labels = LabelDirectory(gl, True, groups=("globex",), required=("Needs baseline",))
        with pytest.raises(GitLabUnreachable):
            labels.ready()
        with pytest.raises(GitLabUnreachable):
            labels.ready()  # every thread gets the same answer, at once
        with pytest.raises(GitLabUnreachable):
            Lease(gl, ["globex"]).ensure()
        with pytest.raises(GitLabUnreachable):
            recent_issues(gl, "cs-ops/triage-reports", ["triage report"])
        assert not gl.wrote
    finally:
        gl.close()
