"""Emoji reactions on notes, as GitLab keeps them: ``Note.awardEmoji``, one per user and
name, and only the note's ``updatedAt`` moves (``Note#bump_updated_at``), not the epic's."""

from __future__ import annotations

import requests

from tests.conftest import control
from triage.gitlab import queries

EPIC = ("acme-corp/emea", 1)  # a demo epic with a comment of its own


def state_of(box) -> tuple[dict, dict]:
    epic = next(e for e in control(box, "state")["epics"] if (e["group"], e["iid"]) == EPIC)
    return epic, epic["notes"][0]


def test_a_reaction_is_read_with_the_notes_and_leaves_the_epic_untouched(sandbox, gq):
    epic, note = state_of(sandbox)
    award = control(sandbox, "award", {"note": note["id"], "user": "csm.emea", "name": "thumbsup"})
    assert award["name"] == "thumbsup" and award["user"] == "csm.emea"
    after, noted = state_of(sandbox)
    assert after["updated_at"] == epic["updated_at"]  # reacting is not an epic change
    assert noted["updated_at"] > note["updated_at"]  # the note's own activity moved
    data = gq.execute(
        queries.EPIC_NOTES, variable_values={"id": f"gid://gitlab/WorkItem/{epic['id']}"}
    )
    (widget,) = [w for w in data["workItem"]["widgets"] if "discussions" in w]
    nodes = [n for d in widget["discussions"]["nodes"] for n in d["notes"]["nodes"]]
    read = next(n for n in nodes if n["id"] == f"gid://gitlab/Note/{note['id']}")
    assert read["awardEmoji"]["nodes"] == [{"name": "thumbsup", "user": {"username": "csm.emea"}}]


def test_one_reaction_per_user_and_name_and_none_on_unknown_notes(sandbox):
    _epic, note = state_of(sandbox)
    body = {"note": note["id"], "user": "csm.emea", "name": "thumbsdown"}
    control(sandbox, "award", body)
    again = requests.post(f"{sandbox.url}/-/sandbox/award", json=body, timeout=10)
    assert again.status_code == 400 and "already been taken" in again.text
    missing = requests.post(
        f"{sandbox.url}/-/sandbox/award", json={**body, "note": 999999}, timeout=10
    )
    assert missing.status_code == 404


def test_seeds_and_loads_may_carry_reactions(sandbox):
    control(
        sandbox,
        "load",
        {
            "groups": [{"full_path": "rated"}],
            "epics": [
                {
                    "group": "rated",
                    "title": "Objective",
                    "notes": [
                        {
                            "author": "smart-triage-bot",
                            "body": "draft",
                            "awards": [{"name": "thumbsup", "user": "csm.north"}],
                        }
                    ],
                }
            ],
        },
    )
    epic = next(e for e in control(sandbox, "state")["epics"] if e["group"] == "rated")
    assert epic["notes"][0]["awards"] == [{"name": "thumbsup", "user": "csm.north"}]
