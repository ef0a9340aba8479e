"""Ratings and adoption of drafts, read back from a note when the cache lost them."""

from __future__ import annotations

from datetime import date

from triage.llm.feedback import (
    OFFLINE,
    DraftRecord,
    adopted,
    drafted,
    from_note,
    update,
    votes,
)
from triage.llm.offline import OfflineDrafter
from triage.llm.suggestion import Criterion, Suggestion, render_suggestion
from triage.records import Epic
from triage.smart.checker import Checker
from triage.summary.block import feedback_counts as previous_counts
from triage.summary.feedback import FeedbackTally, render_section

EPIC = Epic(
    title="Increase deployment frequency",
    description="## Baseline\nDeployment frequency: 2 per week.\n",
    due_date=date(2027, 3, 31),
)


def offline_draft() -> Suggestion:
    suggestion = OfflineDrafter(today=date(2026, 12, 3)).draft(EPIC, Checker().check(EPIC))
    assert suggestion is not None
    return suggestion


def test_a_metric_the_description_already_named_is_not_an_adoption():
    record = drafted("smart-objective", offline_draft(), EPIC.description)
    assert record.drafter == OFFLINE
    assert "deployment frequency" in record.known  # the epic named it before the draft
    assert not adopted(record, EPIC.description + "\nDeployment frequency: 3 per week.")
    model = Suggestion(
        (Criterion("Lead time for changes (days)", "unknown", "under 2 days", "2027-03-31"),),
        None,
        "model gpt-4o-mini",
    )
    record = drafted("smart-objective", model, EPIC.description)
    assert record.drafter == "model gpt-4o-mini"
    assert adopted(record, EPIC.description + "\nTarget: lead time for changes under 2 days")
    assert not adopted(record, EPIC.description)


def test_votes_count_people_once_and_never_the_bot():
    reactions = [
        ("thumbsup", "csm.south"),
        ("thumbsup", "csm.north"),
        ("thumbsdown", "smart-triage-bot"),
        ("rocket", "csm.north"),
    ]
    assert votes(reactions, "smart-triage-bot") == (2, 0)


def test_the_note_says_what_it_drafted_when_the_cache_is_lost():
    suggestion = offline_draft()
    body = "### Not SMART yet\n\n" + render_suggestion(suggestion) + "\n\nmore text"
    (record,) = from_note(body, ["smart-objective"], EPIC.description).values()
    assert record == drafted("smart-objective", suggestion, EPIC.description)
    assert DraftRecord.from_json(record.to_json()) == record
    assert DraftRecord.from_json("not json") is None


def test_an_adoption_is_kept_and_votes_are_kept_until_read_again():
    record = drafted("smart-objective", offline_draft(), "")
    seen = update(record, "Deployment frequency today: 2 per week", (1, 0))
    assert seen.adopted and seen.up == 1
    assert update(seen, "", None) == seen  # not read this week: last week's votes stand


def test_the_summary_section_compares_with_last_week():
    from triage.records import EpicRecord

    tally = FeedbackTally()
    for useful in (True, False):
        item = {"rule": "smart-objective", "drafter": OFFLINE, "useful": useful}
        tally.add(EpicRecord("g&1", "1", "", "t", "g", feedback=({**item, "adopted": True},)))
    lines = render_section(tally.counts, previous_counts({"feedback": tally.counts}))
    assert "| `smart-objective / offline KPI library` | 2 (0) | 1 (0) | 0 (0) | 2 (0) |" in lines
    first = render_section(tally.counts, None)
    row = "| `smart-objective / offline KPI library` | 2 (new) | 1 (new) | 0 (new) | 2 (new) |"
    assert row in first
    assert render_section({}, None) == []
