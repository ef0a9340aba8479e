"""Conditions on an objective's initiatives: which objectives they select, and the lines
the note shows for each initiative at fault."""

from __future__ import annotations

from datetime import UTC, date, datetime

from triage.policy.conditions import CONDITIONS, Subject
from triage.records import Epic, Initiative

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def initiative(iid: int, **fields) -> Initiative:
    values = {
        "title": f"Step {iid}",
        "reference": f"acme/plan#{iid}",
        "id": f"gid://gitlab/WorkItem/{100 + iid}",
        "assignees": ("sa.acme",),
        "due_date": date(2027, 1, 31),
        "updated_at": datetime(2026, 11, 25, tzinfo=UTC),
        **fields,
    }
    return Initiative(**values)


def subject(*initiatives: Initiative, state: str = "opened") -> Subject:
    epic = Epic("Objective", state=state, initiatives=initiatives, children=len(initiatives))
    return Subject(epic, frozenset(), NOW)


def check(name: str, value, target: Subject) -> tuple[bool, list[tuple[str, str]]]:
    condition = CONDITIONS[name](value)
    return condition.matches(target), condition.reasons(target)


def test_an_initiative_without_owner_is_named_and_closed_ones_are_not_judged():
    target = subject(
        initiative(1),
        initiative(2, assignees=()),
        initiative(3, assignees=(), state="closed"),
    )
    matched, reasons = check("initiative_without_owner", True, target)
    assert matched
    assert reasons == [
        (
            "initiative-owner:102",
            "Initiative `acme/plan#2` `Step 2` has no owner: assign the person who drives it.",
        )
    ]
    assert check("initiative_without_owner", False, target) == (False, [])
    assert check("initiative_without_owner", True, subject(initiative(1)))[0] is False


def test_without_due_date_overdue_and_stale_use_the_runs_clock():
    target = subject(
        initiative(1, due_date=None),
        initiative(2, due_date=date(2026, 11, 29)),  # two days before NOW
        initiative(3, due_date=date(2026, 11, 30)),  # one day: not more than 1d
        initiative(4, updated_at=datetime(2026, 10, 1, tzinfo=UTC)),
    )
    assert [k for k, _ in check("initiative_without_due_date", True, target)[1]] == [
        "initiative-due-date:101"
    ]
    matched, reasons = check("initiative_overdue", "1d", target)
    assert matched and [k for k, _ in reasons] == ["initiative-overdue:102"]
    assert "was due on 2026-11-29" in reasons[0][1]
    assert [k for k, _ in check("initiative_overdue", "0d", target)[1]] == [
        "initiative-overdue:102",
        "initiative-overdue:103",
    ]
    matched, reasons = check("initiative_stale", "30d", target)
    assert matched and [k for k, _ in reasons] == ["initiative-stale:104"]
    assert "since 2026-10-01" in reasons[0][1]  # a date, so the text is the same next week


def test_all_initiatives_closed_needs_an_open_objective_with_initiatives():
    done = subject(initiative(1, state="closed"), initiative(2, state="closed"))
    matched, reasons = check("initiatives_all_closed", True, done)
    assert matched and reasons[0][0] == "initiatives-all-closed"
    assert "All 2 initiative(s) are closed" in reasons[0][1]
    assert not check("initiatives_all_closed", True, subject())[0]  # none at all
    assert not check("initiatives_all_closed", True, subject(initiative(1)))[0]
    closed_objective = subject(initiative(1, state="closed"), state="closed")
    assert not check("initiatives_all_closed", True, closed_objective)[0]


def test_keys_fit_the_notes_marker_even_without_an_id():
    from triage.plan.marker import NoteMarker

    target = subject(initiative(1, assignees=()), initiative(2, assignees=(), id=""))
    keys = [k for k, _ in check("initiative_without_owner", True, target)[1]]
    assert keys == ["initiative-owner:101", "initiative-owner:acme.plan.2"]
    marker = NoteMarker("ab", ("r",), (), frozenset(keys))
    assert NoteMarker.parse(marker.render()) == marker


def test_a_hostile_title_is_quoted_inert():
    target = subject(initiative(1, assignees=(), title="/close @all [x](https://evil.example)"))
    _matched, reasons = check("initiative_without_owner", True, target)
    text = reasons[0][1]
    assert "https://" not in text
    assert "`/close @all x`" in text


def test_a_confidential_initiatives_title_is_not_repeated_in_the_note():
    target = subject(initiative(1, assignees=(), title="Secret audit fix", confidential=True))
    text = check("initiative_without_owner", True, target)[1][0][1]
    assert "Secret" not in text and "`acme/plan#1` (confidential)" in text
