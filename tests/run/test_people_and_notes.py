"""People and the bot's note: what a CSM does to it is never lost.

GitLab lets anyone with the Maintainer role edit or delete the bot's comment, and ticking
a task box is an edit. Ticks carry into the next text; any other edit stays as the person
wrote it and the bot's update goes in a reply in that thread; a deleted note stays deleted
until what it says changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.conftest import DEMO_DAY, control, point_bot_at
from triage.cli import main

BOT = "smart-triage-bot"
VAGUE = "## Summary\nRoll out GitLab CI to every team.\n"
WITH_BASELINE = VAGUE + "\n## Baseline\nDeployment frequency today: 2 per week.\n"


def _data() -> dict[str, Any]:
    return {
        "groups": [{"full_path": "acme", "members": ["csm.north"]}],
        "epics": [
            {
                "group": "acme",
                "title": "Faster delivery",
                "labels": ["SP Objective", "SP Objective::Status::On Track"],
                "assignees": ["csm.north"],
                "description": VAGUE,
                "due_date": "2027-03-31",
                "created_at": "2026-11-01T09:00:00Z",
                "updated_at": "2026-11-10T09:00:00Z",
            }
        ],
    }


def _run(cache: Path) -> None:
    args = ["run", "--apply", "--group", "acme", "--now", DEMO_DAY.isoformat(), "--no-summary"]
    assert main([*args, "--cache", str(cache)]) == 0


def _bot_notes(box: Any) -> list[dict[str, Any]]:
    epic = control(box, "state")["epics"][0]
    return [n for n in epic["notes"] if n["author"] == BOT and not n["system"]]


def _edit_epic(box: Any, **changes: Any) -> None:
    with box.store.lock:
        item = next(i for i in box.store.items.values() if i.kind == "epic")
        for name, value in changes.items():
            setattr(item, name, value)
        box.store.touch(item)


def _as_person(box: Any, method: str, note_id: int, body: str | None = None) -> None:
    url = f"{box.url}/-/sandbox/notes/{note_id}"
    response = requests.request(method, url, json={"body": body, "by": "csm.north"}, timeout=10)
    response.raise_for_status()


def _start(make_sandbox: Any, monkeypatch: Any, tmp_path: Path) -> tuple[Any, Path]:
    box = make_sandbox("empty")
    control(box, "load", _data())
    point_bot_at(box, monkeypatch)
    cache = tmp_path / "state.db"
    _run(cache)
    assert len(_bot_notes(box)) == 1
    return box, cache


def test_ticked_boxes_carry_into_the_updated_note(make_sandbox, monkeypatch, tmp_path):
    box, cache = _start(make_sandbox, monkeypatch, tmp_path)
    note = _bot_notes(box)[0]
    items = [line for line in note["body"].splitlines() if line.startswith("- [ ] ")]
    assert len(items) >= 2
    kept = next(line for line in items if "baseline" not in line.lower())
    _as_person(box, "PUT", note["id"], note["body"].replace(kept, kept.replace("[ ]", "[x]")))

    _edit_epic(box, description=WITH_BASELINE)  # fixes the baseline finding
    _run(cache)

    notes = _bot_notes(box)
    assert [n["id"] for n in notes] == [note["id"]]  # the same note, updated in place
    body = notes[0]["body"]
    assert body != note["body"]
    assert kept.replace("[ ]", "[x]") in body  # the CSM's tick survived the update


def test_a_rewritten_note_is_kept_and_the_update_is_a_reply(make_sandbox, monkeypatch, tmp_path):
    box, cache = _start(make_sandbox, monkeypatch, tmp_path)
    note = _bot_notes(box)[0]
    marker = note["body"][note["body"].index("<!--") :]
    words = "Baseline agreed on the call of 12 Nov, numbers in the QBR deck.\n\n" + marker
    _as_person(box, "PUT", note["id"], words)

    _edit_epic(box, description=WITH_BASELINE)
    _run(cache)

    notes = _bot_notes(box)
    assert notes[0]["id"] == note["id"] and notes[0]["body"] == words  # their words stay
    assert len(notes) == 2
    reply = notes[1]
    assert reply["discussion"] == notes[0]["discussion"]  # in the same thread
    assert "smart-triage:note" in reply["body"]

    _edit_epic(box, title="Faster delivery for every team")  # the next update edits the reply
    _run(cache)
    again = _bot_notes(box)
    assert [n["id"] for n in again] == [note["id"], reply["id"]]
    assert again[0]["body"] == words and again[1]["body"] != reply["body"]


def test_a_deleted_note_returns_only_when_its_findings_change(make_sandbox, monkeypatch, tmp_path):
    box, cache = _start(make_sandbox, monkeypatch, tmp_path)
    _as_person(box, "DELETE", _bot_notes(box)[0]["id"])

    _edit_epic(box, title="Faster delivery for every team")  # same findings, new text
    _run(cache)
    assert _bot_notes(box) == []

    _edit_epic(box, description=WITH_BASELINE)  # a finding fixed: the note has news
    _run(cache)
    assert len(_bot_notes(box)) == 1


def test_without_state_a_deleted_note_comes_back_once(make_sandbox, monkeypatch, tmp_path):
    box, cache = _start(make_sandbox, monkeypatch, tmp_path)
    _as_person(box, "DELETE", _bot_notes(box)[0]["id"])
    cache.unlink()
    _run(cache)
    assert len(_bot_notes(box)) == 1
    _run(cache)
    assert len(_bot_notes(box)) == 1


def test_a_note_rewritten_without_its_marker_still_gets_a_reply(
    make_sandbox, monkeypatch, tmp_path
):
    box, cache = _start(make_sandbox, monkeypatch, tmp_path)
    note = _bot_notes(box)[0]
    _as_person(box, "PUT", note["id"], "Tracked in the QBR deck from now on.")

    _edit_epic(box, description=WITH_BASELINE)
    _run(cache)

    notes = _bot_notes(box)
    assert notes[0]["body"] == "Tracked in the QBR deck from now on."
    assert len(notes) == 2 and notes[1]["discussion"] == notes[0]["discussion"]


def test_a_diff_run_remembers_a_deleted_note_too(make_sandbox, monkeypatch, tmp_path):
    box, cache = _start(make_sandbox, monkeypatch, tmp_path)
    _as_person(box, "DELETE", _bot_notes(box)[0]["id"])
    _edit_epic(box, title="Faster delivery for every team")
    args = ["run", "--apply", "--diff", "--group", "acme", "--now", DEMO_DAY.isoformat()]
    assert main([*args, "--no-summary", "--cache", str(cache)]) == 0
    assert _bot_notes(box) == []
    _run(cache)
    assert _bot_notes(box) == []
