"""Conditions on an objective's initiatives: its child issues, each a step of the plan.

The handbook achieves each objective through initiatives with an owner and dates; a plan
whose steps nobody owns, that have no date, that slipped or that nobody touches is a plan
on paper only. Each condition names the initiatives at fault in the note, one line each,
keyed by the initiative's work item number so the marker knows who was told about what. Only
open initiatives are judged, except by ``initiatives_all_closed``. Pure, like every
condition: the epic with its initiatives and the run's clock are all they see.
"""

from __future__ import annotations

import re
from datetime import datetime

from triage.policy.conditions import CONDITIONS, Condition, Subject
from triage.policy.registry import ValidationContext
from triage.policy.values import INTERVAL_SCHEMA, parse_interval
from triage.records import Initiative
from triage.sanitize import quote


def named(initiative: Initiative) -> str:
    """An initiative as a note names it: its reference and title, both inert (a code span
    is no link, so the note creates no cross-reference on the issue). A confidential
    issue's title is not repeated on an objective that anyone in the group may read."""
    if initiative.confidential:
        return f"`{initiative.reference}` (confidential)"
    return f"`{initiative.reference}` {quote(initiative.title, limit=80)}"


def key_of(initiative: Initiative) -> str:
    """The initiative in a reason key: its work item number, which never changes and has
    only characters the note's marker keeps (a reference has ``/`` and ``#``)."""
    number = initiative.id.rpartition("/")[2]
    return number if number.isdigit() else re.sub(r"[^\w.-]+", ".", initiative.reference)


class InitiativeCondition(Condition):
    """A condition true when some open initiatives are at fault (value ``true``), or
    when none is (``false``). Subclasses say which are at fault and why."""

    schema = {"type": "boolean"}
    key = ""

    def at_fault(self, subject: Subject) -> list[Initiative]:
        raise NotImplementedError

    def sentence(self, initiative: Initiative, subject: Subject) -> str:
        raise NotImplementedError

    def wanted(self) -> bool:
        return bool(self.value)

    def matches(self, subject: Subject) -> bool:
        return bool(self.at_fault(subject)) is self.wanted()

    def reasons(self, subject: Subject) -> list[tuple[str, str]]:
        if not self.wanted():
            return []
        return [
            (f"{self.key}:{key_of(i)}", self.sentence(i, subject)) for i in self.at_fault(subject)
        ]


def _open(subject: Subject) -> list[Initiative]:
    return [i for i in subject.epic.initiatives if i.open]


@CONDITIONS
class InitiativeWithoutOwner(InitiativeCondition):
    """An open initiative (child issue) of the objective has no assignee (``false``: none
    lacks one).

    Example:
        initiative_without_owner: true
    """

    name = "initiative_without_owner"
    key = "initiative-owner"

    def at_fault(self, subject: Subject) -> list[Initiative]:
        return [i for i in _open(subject) if not i.assignees]

    def sentence(self, initiative: Initiative, subject: Subject) -> str:
        return f"Initiative {named(initiative)} has no owner: assign the person who drives it."


@CONDITIONS
class InitiativeWithoutDueDate(InitiativeCondition):
    """An open initiative of the objective has no due date (``false``: all have one).

    Example:
        initiative_without_due_date: true
    """

    name = "initiative_without_due_date"
    key = "initiative-due-date"

    def at_fault(self, subject: Subject) -> list[Initiative]:
        return [i for i in _open(subject) if i.due_date is None]

    def sentence(self, initiative: Initiative, subject: Subject) -> str:
        return f"Initiative {named(initiative)} has no due date: set when it should be done."


class IntervalCondition(InitiativeCondition):
    """An initiative condition whose value is an interval (30d, 2w, 6m, 1y)."""

    schema = INTERVAL_SCHEMA

    def wanted(self) -> bool:
        return True

    def validate(self, context: ValidationContext) -> list[str]:
        return []


@CONDITIONS
class InitiativeOverdue(IntervalCondition):
    """An open initiative's due date passed more than this interval ago (``0d``: any
    date before today).

    Example:
        initiative_overdue: 1d
    """

    name = "initiative_overdue"
    key = "initiative-overdue"

    def at_fault(self, subject: Subject) -> list[Initiative]:
        grace = parse_interval(self.value)
        today = subject.now.date()
        return [i for i in _open(subject) if i.due_date and today - i.due_date > grace]

    def sentence(self, initiative: Initiative, subject: Subject) -> str:
        due = initiative.due_date.isoformat() if initiative.due_date else ""
        return (
            f"Initiative {named(initiative)} was due on {due} and is still open: close it "
            "or agree a new date."
        )


@CONDITIONS
class InitiativeStale(IntervalCondition):
    """Nobody has updated an open initiative for longer than this interval.

    Example:
        initiative_stale: 30d
    """

    name = "initiative_stale"
    key = "initiative-stale"

    def at_fault(self, subject: Subject) -> list[Initiative]:
        limit = parse_interval(self.value)
        return [
            i
            for i in _open(subject)
            if i.updated_at is not None and subject.now - _aware(i.updated_at, subject) > limit
        ]

    def sentence(self, initiative: Initiative, subject: Subject) -> str:
        day = initiative.updated_at.date().isoformat() if initiative.updated_at else ""
        return (
            f"Initiative {named(initiative)} has had no update since {day}: record its "
            "progress or close it."
        )


def _aware(moment: datetime, subject: Subject) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=subject.now.tzinfo)


@CONDITIONS
class InitiativesAllClosed(Condition):
    """The objective is open, has initiatives, and every one is closed (``false``: some
    initiative is still open, or there is none): either the objective is done, or its
    next step has not been planned.

    Example:
        initiatives_all_closed: true
    """

    name = "initiatives_all_closed"
    schema = {"type": "boolean"}

    def holds(self, subject: Subject) -> bool:
        initiatives = subject.epic.initiatives
        return (
            subject.epic.state == "opened"
            and bool(initiatives)
            and not any(i.open for i in initiatives)
        )

    def matches(self, subject: Subject) -> bool:
        return self.holds(subject) is bool(self.value)

    def reasons(self, subject: Subject) -> list[tuple[str, str]]:
        if not self.value:
            return []
        count = len(subject.epic.initiatives)
        return [
            (
                "initiatives-all-closed",
                f"All {count} initiative(s) are closed while the objective is open: close "
                "the objective if it is met, or add the next initiative.",
            )
        ]
