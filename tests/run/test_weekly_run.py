"""The weekly run end to end: the real CLI against the sandbox, counted by its stats."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import DEMO_DAY, control, point_bot_at
from triage.cli import main
from triage.comments import MARKER

ROOT = Path(__file__).parents[2]
NOW = DEMO_DAY.isoformat()


@pytest.fixture
def env(bot_env):
    return bot_env


def triage_run(*args: str) -> int:
    return main(["run", "--now", NOW, *args])


def bot_comments(box) -> dict[tuple[str, str], list[dict]]:
    """(epic reference, rule) -> the bot's comments carrying that rule's marker."""
    found: dict[tuple[str, str], list[dict]] = {}
    for epic in control(box, "state")["epics"]:
        for note in epic["notes"]:
            match = MARKER.search(note["body"])
            if match and note["author"] == "smart-triage-bot":
                key = (f"{epic['group']}&{epic['iid']}", match.group("rule"))
                found.setdefault(key, []).append({**note, "state": match.group("state")})
    return found


def epic_state(box, reference: str) -> dict:
    group, iid = reference.split("&")
    return next(
        e for e in control(box, "state")["epics"] if e["group"] == group and e["iid"] == int(iid)
    )


def graphql(box, query: str, variables: dict) -> dict:
    import requests

    response = requests.post(
        f"{box.url}/api/graphql",
        timeout=10,
        json={"query": query, "variables": variables},
        headers={"PRIVATE-TOKEN": box.token},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def edit_description(
    box, reference: str, description: str, assignee: str | None = None, due: str | None = None
) -> None:
    epic = epic_state(box, reference)
    update: dict = {
        "id": f"gid://gitlab/WorkItem/{epic['id']}",
        "descriptionWidget": {"description": description},
    }
    if due:
        update["startAndDueDateWidget"] = {"dueDate": due}
    if assignee:
        users = {u["username"]: i + 1 for i, u in enumerate(control(box, "state")["users"])}
        update["assigneesWidget"] = {"assigneeIds": [f"gid://gitlab/User/{users[assignee]}"]}
    graphql(
        box,
        "mutation($input: WorkItemUpdateInput!) { workItemUpdate(input: $input) { errors } }",
        {"input": update},
    )


def test_dry_run_writes_nothing_and_prints_the_plan(sandbox, env, capsys):
    assert triage_run() == 0
    out = capsys.readouterr().out
    assert "acme-corp&3: smart-objective comment planned: create" in out
    assert "initech&2: skipped, opted out with label 'triage::ignore'" in out
    stats = control(sandbox, "stats")
    assert stats["writes"] == 0 and stats["llm_calls"] == 0


def test_first_run_comments_and_labels_then_a_rerun_writes_nothing(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    assert triage_run("--apply", "--state", state) == 0
    comments = bot_comments(sandbox)
    assert all(len(notes) == 1 for notes in comments.values())
    assert {rule for (ref, rule) in comments if ref == "acme-corp&3"} == {
        "smart-objective",
        "required-labels",
        "stale-objective",
    }
    assert not any(ref in ("acme-corp&1", "globex&1", "initech&2") for ref, _ in comments)
    body = comments[("acme-corp&3", "smart-objective")][0]["body"]
    assert "- [ ] No baseline" in body and "<details><summary>Suggested SMART" in body
    assert "To stop these checks on this epic, add the label `triage::ignore`" in body
    assert "Needs SMART criteria" in epic_state(sandbox, "acme-corp&3")["labels"]
    assert "Objective overdue" in epic_state(sandbox, "acme-corp/emea&1")["labels"]
    first = control(sandbox, "stats")
    assert first["quick_actions_executed"] == 0
    assert set(first["mentioned"]) <= {"csm.north", "csm.emea", "csm.south"}

    for extra in ([], ["--state", state]):  # with the cache, and reading comments without it
        control(sandbox, "reset", {"stats_only": True})
        assert triage_run("--apply", *extra) == 0
        again = control(sandbox, "stats")
        assert (again["writes"], again["llm_calls"], again["notifications"]) == (0, 0, 0)
    # who am I, one page per group, and the summary issue looked up: no comment reads
    assert again["requests"] == 6


def test_an_edited_epic_gets_exactly_its_comment_updated(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    triage_run("--apply", "--state", state)
    before = bot_comments(sandbox)
    edit_description(
        sandbox,
        "globex&4",
        epic_state(sandbox, "globex&4")["description"] + "\n\nRisks: holiday freeze.",
    )
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--apply", "--state", state) == 0
    after = bot_comments(sandbox)
    changed = [key for key in after if after[key][0]["body"] != before[key][0]["body"]]
    assert changed == [("globex&4", "smart-objective")]
    stats = control(sandbox, "stats")
    assert stats["writes"] == 1
    assert stats["notifications"] == 0  # same findings: the owner is not pinged again


def test_a_fixed_epic_gets_its_comment_resolved_and_labels_removed(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    triage_run("--apply", "--state", state)
    assert "Needs SMART criteria" in epic_state(sandbox, "globex&4")["labels"]
    fixed = epic_state(sandbox, "globex&4")["description"] + "\n## Timeline\nBy 2027-03-31.\n"
    edit_description(sandbox, "globex&4", fixed, due="2027-03-31")
    assert triage_run("--apply", "--state", state) == 0
    comment = bot_comments(sandbox)[("globex&4", "smart-objective")]
    assert len(comment) == 1 and comment[0]["state"] == "resolved"
    assert comment[0]["body"].startswith("**Resolved on 2026-11-20.**")
    assert "Needs SMART criteria" not in epic_state(sandbox, "globex&4")["labels"]


def test_policies_that_do_not_validate_cost_no_request(sandbox, env, tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "rules:\n  - name: r\n    conditions: {forbiden_labels: [x]}\n"
        "    actions: {summary: {heading: x}}\n"
    )
    assert main(["run", "--apply", "--policies", str(bad)]) == 2
    assert "unknown condition 'forbiden_labels'" in capsys.readouterr().err
    assert control(sandbox, "stats")["requests"] == 0


def test_the_token_appears_in_no_output_and_no_report(sandbox, env, tmp_path, capsys):
    report = tmp_path / "report.json"
    assert triage_run("--apply", "--report", str(report)) == 0
    captured = capsys.readouterr()
    for text in (captured.out, captured.err, report.read_text()):
        assert sandbox.token not in text
    data = json.loads(report.read_text())
    assert data["counts"]["fetched"] == 14 and data["counts"]["failed"] == 0
    assert data["requests"]["graphql"] > 0


def test_a_wrong_token_stops_the_run_with_exit_2(sandbox, env, monkeypatch, capsys):
    monkeypatch.setenv("GITLAB_TOKEN", "not-the-token")
    assert triage_run("--apply") == 2
    err = capsys.readouterr().err
    assert "GitLab refused the token" in err and "not-the-token" not in err


def test_a_killed_run_leaves_one_comment_per_epic_and_rule(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    env = {**env, "TRIAGE_NOTES_PER_MINUTE": "120"}  # slow enough to kill half-way
    command = [
        sys.executable,
        "-m",
        "triage",
        "run",
        "--apply",
        "--now",
        NOW,
        "--state",
        state,
        "--concurrency",
        "1",
    ]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while control(sandbox, "stats")["writes"] < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    written = control(sandbox, "stats")["writes"]
    assert 4 <= written < 30, "the run was not killed half-way"
    assert triage_run("--apply", "--state", state) == 0
    counts = Counter({key: len(notes) for key, notes in bot_comments(sandbox).items()})
    assert counts and max(counts.values()) == 1
    assert len(counts) == 18  # every comment the policies ask for, once


def test_faults_and_rate_limits_end_with_every_epic_processed_or_failed(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox(fault_rate=0.1, fault_seed=3, rate_limit=30, rate_limit_window=1)
    point_bot_at(box, monkeypatch)  # pacing off: the sandbox must answer with 429s
    report = tmp_path / "report.json"
    codes = []
    for _ in range(4):  # a weekly schedule would just run again next week
        codes.append(main(["run", "--now", NOW, "--apply", "--report", str(report)]))
        data = json.loads(report.read_text())
        assert len(data["epics"]) + len(data["errors"]) >= 1
        failed = [e for e in data["epics"] if e["error"]]
        assert (codes[-1] == 1) is bool(failed or data["errors"])
        if codes[-1] == 0:
            break
    stats = control(box, "stats")
    assert stats["faults_injected"] > 0 and stats["throttled"] > 0
    counts = Counter({key: len(notes) for key, notes in bot_comments(box).items()})
    assert max(counts.values()) == 1
    assert codes[-1] == 0 and len(counts) == 18
