"""Telling a person's edit of the bot's note from the bot's own text."""

from __future__ import annotations

from triage.plan.edits import Edit, body_hash, carry_ticks, edit_of, ticked

NOTE = "Findings:\n- [ ] Add a baseline\n- [ ] Add a date\n\n<!-- smart-triage:note fp=ab -->"


def test_the_bots_own_text_is_unedited_even_as_gitlab_returns_it():
    written = body_hash(NOTE)
    assert edit_of(NOTE, written) is Edit.NONE
    assert edit_of(NOTE.replace("\n", "\r\n") + "  ", written) is Edit.NONE
    assert edit_of(None, written) is Edit.NONE  # only the cache knew it: nothing to judge


def test_ticks_are_told_apart_from_a_rewrite():
    written = body_hash(NOTE)
    ticked_note = NOTE.replace("- [ ] Add a date", "- [x] Add a date")
    assert edit_of(ticked_note, written) is Edit.TICKS
    assert ticked(ticked_note) == {"Add a date": "x"}
    not_applicable = NOTE.replace("- [ ] Add a date", "- [~] Add a date")
    assert edit_of(not_applicable, written) is Edit.TICKS
    assert edit_of(NOTE.replace("Add a baseline", "Baseline is in the deck"), written) is (
        Edit.REWRITTEN
    )


def test_ticks_carry_only_to_items_still_listed():
    text = "- [ ] Add a date\n- [ ] Name an owner"
    assert carry_ticks(text, {"Add a date": "x", "Add a baseline": "x", "Name an owner": "~"}) == (
        "- [x] Add a date\n- [~] Name an owner"
    )


def test_a_note_without_its_marker_is_a_persons_text():
    assert edit_of("We track this in the QBR deck now.", body_hash(NOTE)) is Edit.REWRITTEN
