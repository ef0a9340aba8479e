"""Never doubled: one writing run per group (a lease in GitLab), duplicate notes removed,
one open summary issue per week."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import requests

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, ROOT, control, point_bot_at
from tests.run.test_weekly_run import NOTED, bot_notes, epic_state, graphql
from triage.gitlab.lease import LEASE_LABEL, describe, lease_title

NOW = DEMO_DAY.isoformat()
PROJECT = "cs-ops%2Ftriage-reports"


def held_leases(box) -> list[dict]:
    """Lease labels some run still holds (a released one stays, marked released)."""
    return [label for label in lease_labels(box) if "held by run" in label["description"]]


def lease_labels(box) -> list[dict]:
    found = []
    for group in ("acme-corp", "acme-corp/emea", "globex", "initech"):
        response = requests.get(
            f"{box.url}/api/v4/groups/{quote(group, safe='')}/labels",
            params={"search": LEASE_LABEL, "include_ancestor_groups": "false"},
            headers={"PRIVATE-TOKEN": box.token},
            timeout=10,
        )
        found += [
            {**label, "group": group}
            for label in response.json()
            if label["name"] == lease_title(group)
        ]
    return found


def summaries(box, state: str = "opened") -> list[dict]:
    response = requests.get(
        f"{box.url}/api/v4/projects/{PROJECT}/issues",
        params={"state": state, "per_page": "100"},
        headers={"PRIVATE-TOKEN": box.token},
        timeout=10,
    )
    return response.json()


def slow_run(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    """An --apply run in its own process, slow enough to be overlapped."""
    command = [sys.executable, "-m", "triage", "run", "--apply", "--now", NOW, *extra]
    return subprocess.Popen(
        command,
        env={**env, "TRIAGE_NOTES_PER_MINUTE": "150"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for_writes(box, count: int) -> None:
    """Until the run made ``count`` writes to epics: it holds its lease by then."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if control(box, "stats")["routes"].get("graphql mutation", 0) >= count:
            return
        time.sleep(0.05)


def test_a_second_run_while_one_writes_stops_before_its_first_write(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox()
    env = point_bot_at(box, monkeypatch)
    first = slow_run(env, "--cache", str(tmp_path / "a.db"))
    wait_for_writes(box, 1)
    before = bot_notes(box)
    second = run_cli("run", "--apply", "--now", NOW, "--cache", str(tmp_path / "b.db"))
    assert second.returncode == 1
    # held by the first, or (on a slow machine) released by it while this one read
    assert "another run" in second.stderr and "nothing was written" in second.stderr
    assert "Traceback" not in second.stderr
    assert all(len(notes) == 1 for notes in before.values())
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err.decode()
    counts = Counter({ref: len(notes) for ref, notes in bot_notes(box).items()})
    assert len(counts) == NOTED and max(counts.values()) == 1
    assert len(summaries(box)) == 1
    assert held_leases(box) == []  # released at the end


def test_a_run_may_wait_for_the_other_and_then_writes_nothing_twice(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox()
    env = point_bot_at(box, monkeypatch)
    first = slow_run(env, "--cache", str(tmp_path / "a.db"))
    wait_for_writes(box, 1)
    second = run_cli(
        "run", "--apply", "--now", NOW, "--cache", str(tmp_path / "b.db"), "--lease-wait", "60"
    )
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err.decode()
    assert second.returncode == 0, second.stderr
    counts = Counter({ref: len(notes) for ref, notes in bot_notes(box).items()})
    assert len(counts) == NOTED and max(counts.values()) == 1
    assert len(summaries(box)) == 1 and held_leases(box) == []


def test_the_lease_of_a_killed_run_expires(make_sandbox, monkeypatch, tmp_path):
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    plant_lease(box, "globex", datetime.now(UTC) - timedelta(minutes=1))  # expired
    assert run_cli("run", "--apply", "--now", NOW, "--no-summary").returncode == 0
    assert len(bot_notes(box)) == NOTED and held_leases(box) == []


def test_a_second_note_of_the_bots_is_deleted_and_the_first_kept(sandbox, bot_env, tmp_path):
    cache = str(tmp_path / "state.db")
    assert run_cli("run", "--apply", "--now", NOW, "--cache", cache).returncode == 0
    (first,) = bot_notes(sandbox)["acme-corp&3"]
    epic = epic_state(sandbox, "acme-corp&3")
    graphql(
        sandbox,
        "mutation($id: NoteableID!, $body: String!) "
        "{ createNote(input: {noteableId: $id, body: $body}) { errors } }",
        {"id": f"gid://gitlab/WorkItem/{epic['id']}", "body": first["body"]},
    )
    assert len(bot_notes(sandbox)["acme-corp&3"]) == 2
    # a run that reads the notes (here: another state file) finds both
    result = run_cli("run", "--apply", "--now", NOW, "--cache", str(tmp_path / "other.db"))
    assert result.returncode == 0, result.stderr
    assert "acme-corp&3: done delete duplicate note" in result.stdout
    (kept,) = bot_notes(sandbox)["acme-corp&3"]
    assert kept["id"] == first["id"]


def test_one_open_summary_per_week_whatever_the_last_run_left(sandbox, bot_env):
    """A run that died between creating this week's issue and closing last week's left
    both open: any later run closes last week's."""
    assert run_cli("run", "--apply", "--now", NOW).returncode == 0
    later = (DEMO_DAY + timedelta(days=7)).isoformat()
    assert run_cli("run", "--apply", "--now", later).returncode == 0
    (old,) = summaries(sandbox, "closed")
    requests.put(
        f"{sandbox.url}/api/v4/projects/{PROJECT}/issues/{old['iid']}",
        data={"state_event": "reopen"},
        headers={"PRIVATE-TOKEN": sandbox.token},
        timeout=10,
    ).raise_for_status()
    assert len(summaries(sandbox)) == 2
    assert run_cli("run", "--apply", "--now", later).returncode == 0
    (still_open,) = summaries(sandbox)
    assert still_open["iid"] != old["iid"]


def test_a_run_that_read_while_another_wrote_stops_before_writing(sandbox):
    """B began reading; A wrote and released its lease meanwhile: B's reads may be stale,
    so B must not take the lease and write (a second note could follow)."""
    from tests.faults.test_lease_records import client, wrote
    from triage.errors import TriageError
    from triage.gitlab.lease import Lease

    with client(sandbox) as reader_gl, client(sandbox) as writer_gl:
        reader = Lease(reader_gl, ["globex"], run="reader")  # started: now
        writer = Lease(writer_gl, ["globex"], run="writer")
        writer.ensure()
        wrote(writer_gl, "globex")
        writer.release()
        try:
            reader.ensure()
        except TriageError as exc:
            assert "wrote to this group while this run was reading it" in str(exc)
        else:
            raise AssertionError("the reader took the lease after another run wrote")
        fresh = Lease(reader_gl, ["globex"], run="fresh")  # began after that write: free
        fresh.ensure()
        assert fresh.held
        fresh.release()


def test_a_run_that_only_writes_the_summary_takes_the_lease_first(sandbox, bot_env, tmp_path):
    state = str(tmp_path / "state.db")
    assert run_cli("run", "--apply", "--now", NOW, "--cache", state, "--no-summary").returncode == 0
    for label in lease_labels(sandbox):  # as if no run had ever taken them
        requests.delete(
            f"{sandbox.url}/api/v4/groups/{label['group']}/labels/{label['id']}",
            headers={"PRIVATE-TOKEN": sandbox.token},
            timeout=10,
        ).raise_for_status()
    assert lease_labels(sandbox) == []
    result = run_cli("run", "--apply", "--now", NOW, "--cache", state)
    assert result.returncode == 0 and "summary issue created" in result.stderr
    assert len(lease_labels(sandbox)) == 3 and held_leases(sandbox) == []


def test_a_run_over_a_subgroup_after_one_over_its_parent_takes_its_own_lease(sandbox, bot_env):
    """GitLab refuses a group label whose title an ancestor group has (409), and lets a
    subgroup update or delete only its own labels: with one lease title for every group,
    a subgroup's run met the lease its parent's last run released, could neither create
    its own nor take that one over, and stopped as if another run were writing, every
    week."""
    plant_lease(sandbox, "acme-corp", datetime.now(UTC) - timedelta(hours=1), released=True)
    child = run_cli("run", "--apply", "--now", NOW, "--group", "acme-corp/emea", "--no-summary")
    assert child.returncode == 0, child.stderr
    assert "another run" not in child.stderr and "could not" not in child.stderr
    assert bot_notes(sandbox), "nothing was written: the lease was never needed"
    assert held_leases(sandbox) == []


def plant_lease(box, group: str, until: datetime, **how: bool) -> None:
    """Another run's lease label on ``group`` (``released``, ``subgroups``)."""
    requests.post(
        f"{box.url}/api/v4/groups/{quote(group, safe='')}/labels",
        data={
            "name": lease_title(group),
            "color": "#8c8c8c",
            "description": describe("other", until, **how),
        },
        headers={"PRIVATE-TOKEN": box.token},
        timeout=10,
    ).raise_for_status()


def test_a_run_over_a_subgroup_stops_while_a_run_over_its_parent_writes_there(sandbox, bot_env):
    """Each group has its own lease label, but a run over a group writes to its
    subgroups' epics too: two runs over acme-corp and acme-corp/emea would write to the
    same epics."""
    plant_lease(sandbox, "acme-corp", datetime.now(UTC) + timedelta(minutes=5), subgroups=True)
    child = run_cli("run", "--apply", "--now", NOW, "--group", "acme-corp/emea", "--no-summary")
    assert child.returncode == 1
    assert "another run is writing to acme-corp, which contains this group" in child.stderr
    assert "nothing was written" in child.stderr and bot_notes(sandbox) == {}
    assert [label["group"] for label in held_leases(sandbox)] == ["acme-corp"]  # ours deleted


def test_a_run_over_a_group_stops_while_a_run_over_a_subgroup_writes(sandbox, bot_env):
    plant_lease(sandbox, "acme-corp/emea", datetime.now(UTC) + timedelta(minutes=5))
    parent = run_cli("run", "--apply", "--now", NOW, "--group", "acme-corp", "--no-summary")
    assert parent.returncode == 1
    assert "another run is writing to acme-corp/emea, which is inside this group" in parent.stderr
    assert bot_notes(sandbox) == {}


def test_runs_over_a_group_and_a_subgroup_it_does_not_write_to_go_on(sandbox, bot_env):
    """The parent's run covers only its own epics (include_subgroups: false): no epic in
    common, no reason to stop."""
    plant_lease(sandbox, "acme-corp", datetime.now(UTC) + timedelta(minutes=5))
    child = run_cli("run", "--apply", "--now", NOW, "--group", "acme-corp/emea", "--no-summary")
    assert child.returncode == 0, child.stderr
    assert bot_notes(sandbox)


def test_a_run_over_a_subgroup_may_wait_for_the_run_over_its_parent(sandbox, bot_env):
    plant_lease(sandbox, "acme-corp", datetime.now(UTC) + timedelta(seconds=2), subgroups=True)
    child = run_cli(
        "run",
        "--apply",
        "--now",
        NOW,
        "--group",
        "acme-corp/emea",
        "--no-summary",
        "--lease-wait",
        "30",
    )
    assert child.returncode == 0, child.stderr
    assert bot_notes(sandbox)
    # its own released; the other's, expired, left as that run left it
    assert [label["group"] for label in held_leases(sandbox)] == ["acme-corp"]


def test_each_group_has_its_own_lease_title_however_its_path_is_spelled():
    assert lease_title("Acme-Corp/EMEA") == lease_title("acme-corp/emea")
    assert lease_title("acme-corp") != lease_title("acme-corp/emea")
    deep = ["/".join(["level"] * 60), "/".join(["level"] * 61)]  # GitLab keeps 255 characters
    assert all(len(lease_title(path)) <= 255 for path in deep)
    assert lease_title(deep[0]) != lease_title(deep[1])
