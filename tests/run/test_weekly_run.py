"""The weekly run end to end: the real CLI against the sandbox, counted by its stats."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import DEMO_DAY, control, point_bot_at
from triage.cli import main
from triage.plan.marker import LEGACY_MARKER, MOVED_MARKER, NOTE_MARKER

ROOT = Path(__file__).parents[2]
NOW = DEMO_DAY.isoformat()


@pytest.fixture
def env(bot_env):
    return bot_env


def triage_run(*args: str) -> int:
    return main(["run", "--now", NOW, *args])


BOT = "smart-triage-bot"
# The demo seed's epics that need a note, and the owners the first run must mention: the
# first assignee of each epic with a finding of a ``mention: owner`` rule (smart-objective,
# overdue-objective, vo-stage-ahead-of-content, initiative-overdue), once per epic.
NOTED = 13
FIRST_MENTIONS = {"csm.north": 2, "csm.emea": 1, "csm.south": 3}


def bot_notes(box) -> dict[str, list[dict]]:
    """Epic reference -> the bot's notes carrying the one-note marker, with ``open`` (the
    rules with an open section) parsed from it."""
    found: dict[str, list[dict]] = {}
    for epic in control(box, "state")["epics"]:
        for note in epic["notes"]:
            match = NOTE_MARKER.search(note["body"])
            if match and note["author"] == BOT and not note["system"]:
                opened = {rule for rule in match.group("open").split(",") if rule}
                found.setdefault(f"{epic['group']}&{epic['iid']}", []).append(
                    {**note, "open": opened}
                )
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
    assert "acme-corp&3: would create note" in out
    assert "acme-corp&3: would +~Needs SMART criteria +~Needs objective format" in out
    assert "initech&2: skipped, opted out with label 'triage::ignore'" in out
    stats = control(sandbox, "stats")
    assert stats["writes"] == 0 and stats["llm_calls"] == 0


def test_the_note_quotes_what_the_objective_already_states(sandbox, env, tmp_path):
    """Present elements are quoted, one short line each, so a wrong call can be disputed;
    the quotes are code spans, so nothing quoted can link, mention or run."""
    assert triage_run("--apply", "--no-summary") == 0
    body = bot_notes(sandbox)["globex&3"][0]["body"]
    found = body.split("What the objective already states:\n", 1)[1].split("\n\n", 1)[0]
    assert found.splitlines() == [
        "- Baseline: `The data science team (25 people) still keeps notebooks on a shared drive.`",
        "- Owner: `@csm.south` (the epic's assignee)",
    ]
    assert "- [ ] No baseline" not in body  # what is quoted as found is not also asked for


def test_one_note_per_epic_each_finding_once_then_a_rerun_writes_nothing(sandbox, env, tmp_path):
    cache = str(tmp_path / "cache.db")
    assert triage_run("--apply", "--cache", cache) == 0
    notes = bot_notes(sandbox)
    assert len(notes) == NOTED and all(len(n) == 1 for n in notes.values())
    assert notes["acme-corp&3"][0]["open"] == {
        "smart-objective",
        "objective-format",
        "required-labels",
        "stale-objective",
    }
    assert "initech&2" not in notes  # opted out
    # initiatives (child issues) are judged in the same page query and the same note
    assert notes["acme-corp&1"][0]["open"] == {"initiative-without-owner"}
    assert (
        "- [ ] Initiative `acme-corp/success-plan#2` `Migrate the payments service to the "
        "template` has no owner" in notes["acme-corp&1"][0]["body"]
    )
    assert {"initiative-without-due-date", "initiative-stale"} <= notes["acme-corp&4"][0]["open"]
    assert "initiative-overdue" in notes["acme-corp/emea&1"][0]["open"]
    for all_closed in ("acme-corp&2", "globex&1"):
        assert "initiatives-all-closed" in notes[all_closed][0]["open"]
    for ref, (note,) in notes.items():  # no finding stated twice on any epic
        items = [line for line in note["body"].splitlines() if line.startswith("- [ ] ")]
        assert len(items) == len(set(items)), ref
    body = notes["globex&2"][0]["body"]
    assert body.count("No baseline") == 1  # smart-objective states it; vo-stage points to it
    assert "Also needed here: the items listed above (baseline)" in body
    assert body.count("To stop these checks on this epic, add the label `triage::ignore`") == 1
    assert "- [ ] No baseline" in notes["acme-corp&3"][0]["body"]
    assert "<details><summary>Suggested SMART" in notes["acme-corp&3"][0]["body"]
    # SMART parts and format are separate findings with separate labels
    for complete in ("acme-corp/emea&2", "initech&1"):
        labels = epic_state(sandbox, complete)["labels"]
        assert "Needs SMART criteria" not in labels and "Needs objective format" in labels
    assert "Needs SMART criteria" in epic_state(sandbox, "acme-corp&3")["labels"]
    assert "Objective overdue" in epic_state(sandbox, "acme-corp/emea&1")["labels"]
    first = control(sandbox, "stats")
    assert first["quick_actions_executed"] == 0
    assert first["mentioned"] == FIRST_MENTIONS

    for extra in ([], ["--cache", cache]):  # reading notes without the cache, and with it
        control(sandbox, "clock", {"advance_seconds": 7 * 86400})  # a week later
        control(sandbox, "reset", {"stats_only": True})
        assert triage_run("--apply", *extra) == 0
        again = control(sandbox, "stats")
        assert (again["writes"], again["llm_calls"], again["notifications"]) == (0, 0, 0)
    # who am I, one request asking every group what changed since the last run (the
    # bot's notes of the first run did), one for the three groups' changes, and the
    # summary issues listed twice (last week's to compare with, this week's to update):
    # no note reads
    assert again["requests"] == 5
    # a week later, in which nobody changed anything: no epic page at all, each epic
    # re-checked as last read
    control(sandbox, "clock", {"advance_seconds": 7 * 86400})
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--apply", "--cache", cache) == 0
    quiet = control(sandbox, "stats")
    assert (quiet["requests"], quiet["writes"], quiet["llm_calls"]) == (4, 0, 0)


def test_an_edited_epic_gets_exactly_one_note_edit_and_no_mention(sandbox, env, tmp_path):
    cache = str(tmp_path / "cache.db")
    triage_run("--apply", "--cache", cache)
    before = bot_notes(sandbox)
    edit_description(
        sandbox,
        "globex&4",
        epic_state(sandbox, "globex&4")["description"] + "\n\nRisks: holiday freeze.",
    )
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--apply", "--cache", cache) == 0
    after = bot_notes(sandbox)
    changed = [ref for ref in after if after[ref][0]["body"] != before[ref][0]["body"]]
    assert changed == ["globex&4"]
    stats = control(sandbox, "stats")
    assert stats["routes"]["graphql mutation"] == 1  # the note: no label, no other epic
    assert stats["mentioned"] == {}  # same findings: the owner is not told again


def test_a_new_finding_mentions_the_owner_once(sandbox, env, tmp_path):
    cache = str(tmp_path / "cache.db")
    triage_run("--apply", "--cache", cache)
    text = epic_state(sandbox, "globex&1")["description"]
    edit_description(sandbox, "globex&1", text.split("## Baseline")[0] + "\nNothing yet.\n")
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--apply", "--cache", cache) == 0
    assert control(sandbox, "stats")["mentioned"] == {"csm.south": 1}
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--apply", "--cache", cache) == 0
    assert control(sandbox, "stats")["mentioned"] == {}


def test_a_fixed_epic_keeps_one_fixed_line_and_loses_its_labels(sandbox, env, tmp_path):
    cache = str(tmp_path / "cache.db")
    triage_run("--apply", "--cache", cache)
    assert "Needs SMART criteria" in epic_state(sandbox, "globex&4")["labels"]
    fixed = epic_state(sandbox, "globex&4")["description"] + "\n## Timeline\nBy 2027-03-31.\n"
    edit_description(sandbox, "globex&4", fixed, due="2027-03-31")
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--apply", "--cache", cache) == 0
    note = bot_notes(sandbox)["globex&4"]
    assert len(note) == 1 and note[0]["open"] == set()
    assert note[0]["body"].startswith(f"All triage checks pass on this objective since {NOW}.")
    labels = epic_state(sandbox, "globex&4")["labels"]
    assert "Needs SMART criteria" not in labels and "Needs objective format" not in labels
    assert control(sandbox, "stats")["mentioned"] == {}


def test_mention_none_on_every_rule_notifies_nobody(sandbox, env, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    rules = policies / "objectives.yml"
    rules.write_text(rules.read_text().replace("mention: owner", "mention: none"))
    assert triage_run("--apply", "--policies", str(policies)) == 0
    stats = control(sandbox, "stats")
    assert stats["writes"] > 0
    assert (stats["notifications"], stats["mentioned"]) == (0, {})


def test_comments_of_the_old_format_move_into_one_note_without_notifying(sandbox, env):
    epic = epic_state(sandbox, "globex&2")
    gid = f"gid://gitlab/WorkItem/{epic['id']}"
    old = {  # globex&2's findings, told to its owner @csm.south in the old format
        "smart-objective": "missing_baseline",
        "vo-stage-ahead-of-content": "missing_baseline",
        "required-labels": "scope:usecase",
    }
    for rule, reasons in old.items():
        graphql(
            sandbox,
            "mutation($input: CreateNoteInput!) { createNote(input: $input) { errors } }",
            {
                "input": {
                    "noteableId": gid,
                    "body": f"Old comment of {rule}.\n\n<!-- smart-triage:rule={rule} "
                    f"fp=00 reasons={reasons} state=open -->",
                }
            },
        )
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--apply") == 0
    bodies = [n["body"] for n in epic_state(sandbox, "globex&2")["notes"] if not n["system"]]
    assert sum(bool(NOTE_MARKER.search(b)) for b in bodies) == 1
    assert sum(MOVED_MARKER in b for b in bodies) == 2  # the first old comment became the note
    assert not any(LEGACY_MARKER.search(b) for b in bodies)
    # the other epics' first notes mention their owners; the moved one mentions nobody
    assert control(sandbox, "stats")["mentioned"] == {**FIRST_MENTIONS, "csm.south": 2}
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--apply") == 0
    assert control(sandbox, "stats")["writes"] == 0


def test_diff_shows_the_change_of_a_note(sandbox, env, capsys):
    triage_run("--apply")
    edit_description(
        sandbox,
        "globex&4",
        epic_state(sandbox, "globex&4")["description"] + "\n\nRisks: holiday freeze.",
    )
    capsys.readouterr()
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run("--diff") == 0
    out = capsys.readouterr().out
    assert "globex&4: would update note" in out
    assert "--- globex&4 (on the epic)" in out and "+++ globex&4 (planned)" in out
    assert control(sandbox, "stats")["writes"] == 0


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


def test_a_killed_run_leaves_one_note_per_epic(sandbox, env, tmp_path):
    cache = str(tmp_path / "cache.db")
    # slow enough to kill half-way; its lease expires soon after
    env = {**env, "TRIAGE_NOTES_PER_MINUTE": "120", "TRIAGE_LEASE_SECONDS": "1"}
    command = [
        sys.executable,
        "-m",
        "triage",
        "run",
        "--apply",
        "--now",
        NOW,
        "--cache",
        cache,
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
    assert 4 <= written < 20, "the run was not killed half-way"
    time.sleep(1.5)  # a killed run's lease blocks others until it expires
    assert triage_run("--apply", "--cache", cache) == 0
    counts = Counter({ref: len(notes) for ref, notes in bot_notes(sandbox).items()})
    assert counts and max(counts.values()) == 1
    assert len(counts) == NOTED


def test_faults_and_rate_limits_end_with_every_epic_processed_or_failed(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox(fault_rate=0.1, fault_seed=3, rate_limit=8, rate_limit_window=1)
    point_bot_at(box, monkeypatch)  # pacing off: the sandbox must answer with 429s
    report, cache = tmp_path / "report.json", str(tmp_path / "cache.db")
    codes = []
    for _ in range(4):  # a weekly schedule would just run again next week
        # with the cache: a run with failures must not let the next trust it to say "no note"
        codes.append(
            main(["run", "--now", NOW, "--apply", "--report", str(report), "--cache", cache])
        )
        data = json.loads(report.read_text())
        assert len(data["epics"]) + len(data["errors"]) >= 1
        failed = [e for e in data["epics"] if e["error"]]
        assert (codes[-1] == 1) is bool(failed or data["errors"])
        if codes[-1] == 0:
            break
    stats = control(box, "stats")
    assert stats["faults_injected"] > 0 and stats["throttled"] > 0
    counts = Counter({ref: len(notes) for ref, notes in bot_notes(box).items()})
    assert max(counts.values()) == 1
    assert codes[-1] == 0 and len(counts) == NOTED


def test_a_second_opinion_is_asked_once_per_text_and_its_made_up_quotes_discarded(
    sandbox, env, tmp_path, monkeypatch
):
    """With ``checker: {assess: llm}`` the model rates each epic that gets a note, through
    the same path as drafts. The sandbox's model quotes words that are not in the epics, so
    every quote is discarded and the notes are the rules' own; an unchanged week asks the
    model nothing."""
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    settings = policies / "settings.yml"
    settings.write_text(settings.read_text().replace("checker:\n", "checker:\n  assess: llm\n"))
    monkeypatch.setenv("OPENAI_API_KEY", "sandbox-key")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{sandbox.url}/v1")
    cache = str(tmp_path / "cache.db")
    args = ["--apply", "--no-summary", "--cache", cache, "--policies", str(policies)]
    args += ["--prompts", str(ROOT / "prompts")]
    assert triage_run(*args) == 0
    first = control(sandbox, "stats")
    notes = bot_notes(sandbox)
    assert len(notes) == NOTED
    drafted = sum("Suggested SMART" in n[0]["body"] for n in notes.values())
    assessed = first["llm_calls"] - drafted
    assert assessed >= NOTED - 1  # every noted epic but the confidential one
    assert not any("Please confirm" in n[0]["body"] for n in notes.values())
    control(sandbox, "reset", {"stats_only": True})
    assert triage_run(*args) == 0
    again = control(sandbox, "stats")
    assert (again["writes"], again["llm_calls"]) == (0, 0)


def test_a_refused_model_key_is_one_error_and_one_call_not_one_per_epic(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox(llm_key="the-right-key")
    point_bot_at(box, monkeypatch)
    monkeypatch.setenv("OPENAI_API_KEY", "a-revoked-key")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{box.url}/v1")
    report = tmp_path / "report.json"
    code = main(["run", "--apply", "--now", NOW, "--no-summary", "--report", str(report)])
    data = json.loads(report.read_text())
    assert code == 1
    assert data["errors"] == ["language model: the model's API refused the key (OPENAI_API_KEY)"]
    assert len(bot_notes(box)) == NOTED  # the notes went out, without drafts
    # Asked once per worker at most (4 run at once), not once per epic that gets a note.
    assert 1 <= control(box, "stats")["llm_refused"] <= 4 < NOTED
