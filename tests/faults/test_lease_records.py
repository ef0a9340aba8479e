"""A lease is a lock and a record: what a retried job, a run that wrote nothing, a run
that gives a lease back and a run whose lease expired under it leave in GitLab, so that
no two runs write to one group at once and no stale reading is written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, control
from tests.faults.test_never_doubled import lease_labels, plant_lease
from tests.run.test_weekly_run import bot_notes
from triage.gitlab.client import GitLab
from triage.gitlab.lease import LEASE_LABEL, Lease, LeaseHeld, describe, lease_title
from triage.settings import GitLabSettings

NOW = DEMO_DAY.isoformat()


@contextmanager
def client(box) -> Iterator[GitLab]:
    """A client of its own: each run is a process with its own connection and its own
    record of whether it wrote."""
    gl = GitLab(GitLabSettings.from_env({"GITLAB_URL": box.url, "GITLAB_TOKEN": box.token}))
    try:
        yield gl
    finally:
        gl.close()


def wrote(gl: GitLab, group: str) -> None:
    """A write of the run's (a label, as a run creates missing ones)."""
    gl.rest.http_post(f"/groups/{group}/labels", post_data={"name": "a write", "color": "#000"})
    assert gl.wrote


def lease_of(box, group: str) -> dict:
    (label,) = [label for label in lease_labels(box) if label["group"] == group]
    return label


def test_a_retried_job_pushes_its_old_lease_ahead_so_no_other_run_takes_it(sandbox):
    """The failed attempt's lease had expired: taken back as it was, another run could
    take it over as expired before the retry's first renewal, and both would write."""
    with client(sandbox) as gl:
        earlier = datetime.now(UTC) - timedelta(minutes=10)
        attempt = Lease(gl, ["globex"], run="pipeline-7/run", clock=lambda: earlier)
        attempt.ensure()  # held until five minutes ago: the attempt died then
        retry = Lease(gl, ["globex"], run="pipeline-7/run")
        retry.ensure()
        assert retry.held
        other = Lease(gl, ["globex"], run="laptop")
        with pytest.raises(LeaseHeld, match="another run is writing"):
            other.ensure()
        assert "held by run pipeline-7/run until" in lease_of(sandbox, "globex")["description"]


def test_a_run_that_wrote_nothing_leaves_no_record_that_stops_others(sandbox):
    """A --lease-wait run takes its leases before reading; in a week with nothing to
    write, marking them released would stop every run that began reading before."""
    with client(sandbox) as reader_gl, client(sandbox) as waiter_gl:
        reader = Lease(reader_gl, ["globex"], run="reader")  # began reading first
        waiter = Lease(waiter_gl, ["globex"], wait=5, run="waiter")
        waiter.acquire()
        waiter.release()  # nothing written
        assert lease_labels(sandbox) == []  # the label it made is gone
        reader.ensure()
        assert reader.held
        reader.release()


def test_a_lease_given_back_keeps_the_record_of_the_run_before(sandbox):
    """Taking over a released lease replaces the only record that its run wrote; a run
    that gives it back unused puts that record back, so a run that began reading before
    that write still stops."""
    with client(sandbox) as slow_gl, client(sandbox) as first_gl, client(sandbox) as idle_gl:
        slow = Lease(slow_gl, ["globex"], run="slow")  # began reading first
        first = Lease(first_gl, ["globex"], run="first")
        first.ensure()
        wrote(first_gl, "globex")
        first.release()
        record = lease_of(sandbox, "globex")["description"]
        idle = Lease(idle_gl, ["globex"], run="idle")
        idle.ensure()  # took it over: began after the first run's write
        assert "held by run idle" in lease_of(sandbox, "globex")["description"]
        idle.release()  # wrote nothing
        assert lease_of(sandbox, "globex")["description"] == record
        with pytest.raises(LeaseHeld, match="wrote to this group while this run was reading"):
            slow.ensure()


def test_a_lease_that_expired_under_a_run_and_was_taken_stops_its_writes(sandbox):
    with client(sandbox) as gl:
        lease = Lease(gl, ["globex"], run="slow")
        lease.ensure()
        label = lease.held["globex"]
        requests.delete(  # expired, and another run took it over (by its id)
            f"{sandbox.url}/api/v4/groups/globex/labels/{label}",
            headers={"PRIVATE-TOKEN": sandbox.token},
            timeout=10,
        ).raise_for_status()
        lease.renew()
        with pytest.raises(LeaseHeld, match="expired while this run was working"):
            lease.ensure()  # before its next write


def test_an_earlier_versions_lease_above_stops_a_run(sandbox, bot_env):
    """Earlier versions held one title in every group, which says no group: while one is
    held above, here or below, a run does not write beside it."""
    requests.post(
        f"{sandbox.url}/api/v4/groups/acme-corp/labels",
        data={
            "name": LEASE_LABEL,
            "color": "#8c8c8c",
            "description": describe("old-version", datetime.now(UTC) + timedelta(minutes=5)),
        },
        headers={"PRIVATE-TOKEN": sandbox.token},
        timeout=10,
    ).raise_for_status()
    result = run_cli("run", "--apply", "--now", NOW, "--group", "acme-corp/emea", "--no-summary")
    assert result.returncode == 1
    assert "a run of an earlier version of smart-triage holds" in result.stderr
    assert bot_notes(sandbox) == {}


def test_an_earlier_versions_released_lease_is_no_obstacle(sandbox, bot_env):
    gone = datetime.now(UTC) - timedelta(hours=1)
    plant_lease(sandbox, "globex", gone, released=True)
    requests.post(
        f"{sandbox.url}/api/v4/groups/globex/labels",
        data={"name": LEASE_LABEL, "color": "#8c8c8c", "description": describe("old", gone)},
        headers={"PRIVATE-TOKEN": sandbox.token},
        timeout=10,
    ).raise_for_status()
    result = run_cli("run", "--apply", "--now", NOW, "--group", "globex", "--no-summary")
    assert result.returncode == 0, result.stderr
    assert lease_title("globex") in {label["name"] for label in lease_labels(sandbox)}


def test_the_loser_of_two_label_creates_at_once_reads_the_label_as_taken(make_sandbox):
    """Two creates of one title at once both pass GitLab's look-up; the second fails its
    uniqueness validation with 400, not 409. A run taking a lease, or a shard creating a
    missing label, read that 400 as an error of its own and failed."""
    import gitlab

    from triage.gitlab.label_create import title_taken

    box = make_sandbox(label_create_race=True)
    with client(box) as first_gl, client(box) as second_gl:
        first = Lease(first_gl, ["globex"], run="first")
        first.ensure()
        second = Lease(second_gl, ["globex"], run="second")
        with pytest.raises(LeaseHeld, match="another run is writing to this group"):
            second.ensure()
        api = second_gl.rest.groups.get("globex", lazy=True).labels
        api.create({"name": "Needs owner", "color": "#123456"})
        with pytest.raises(gitlab.GitlabCreateError) as raced:
            api.create({"name": "Needs owner", "color": "#123456"})
        assert raced.value.response_code == 400 and title_taken(raced.value)
        with pytest.raises(gitlab.GitlabHttpError) as invalid:
            second_gl.rest.http_post("/groups/globex/labels", post_data={"name": "No colour"})
        assert invalid.value.response_code == 400 and not title_taken(invalid.value)


def test_groups_under_one_parent_share_one_list_of_the_leases_around_them(
    make_sandbox, monkeypatch
):
    """Customer groups under one parent: one list of the parent's tree tells each what is
    above and below it, not a request per group; and it still sees a run over the parent."""
    from tests.conftest import point_bot_at
    from tests.run.test_weekly_run import triage_run

    box = make_sandbox(seed="scale:40,10")
    point_bot_at(box, monkeypatch)
    groups = [f"success-plans/customer-{c:04d}" for c in range(4)]
    args = [arg for group in groups for arg in ("--group", group)]
    assert triage_run("--apply", *args, "--no-summary") == 0
    routes = control(box, "stats")["routes"]
    assert routes["GET /groups/:id/labels"] == 1  # one list for the four groups
    assert routes["POST /groups/:id/labels"] >= 4  # each group's own lease

    plant_lease(box, "success-plans", datetime.now(UTC) + timedelta(minutes=5), subgroups=True)
    later = "2026-12-31"  # weeks later: stale objectives to write about again
    result = run_cli("run", "--apply", "--now", later, *args, "--no-summary")
    assert result.returncode == 1
    assert "another run is writing to success-plans, which contains this group" in result.stderr
