"""One result per epic: everything the summary says about an epic, decided in one place.

Every figure of the summary (headline, per-CSM and per-customer tables, lists, trend) is a
count or a list of these results, so they cannot disagree: an epic is listed under exactly
one heading (its most urgent), or is fixed since last week, or opted out or snoozed, or has
nothing open. "SMART parts" and "format" are kept apart, as the labels the rules add are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from triage.records import EpicRecord
from triage.smart.findings import FINDING_KINDS


class Place(StrEnum):
    """Where the summary lists an epic: once, in one of these."""

    SECTION = "section"  # under its most urgent heading
    FIXED = "fixed"  # listed last week, nothing open now
    OPTED_OUT = "opted out"  # triage::ignore, or nothing open but a check snoozed
    NONE = "none"  # nothing open, nothing to report


@dataclass(frozen=True)
class EpicResult:
    reference: str
    url: str
    title: str
    confidential: bool
    csm: str  # username: the owner, else the author
    csm_name: str  # display name, else the username
    customer: str  # the customer's group path (a root, or a container's subgroup)
    customer_name: str
    headings: tuple[str, ...]  # every heading it belongs under, the most urgent first
    smart_gaps: tuple[str, ...]  # finding ids of missing or unmeasurable SMART parts
    format_gaps: tuple[str, ...]  # finding ids of missing headings or due date
    overdue: bool
    stale: bool
    opted_out: str | None  # why, when an exclude label leaves it alone
    snoozed: tuple[str, ...]
    failed: bool
    new: bool  # listed now, not last week (always, when there is no last week)
    fixed: bool  # listed last week, nothing open now
    place: Place
    initiatives: int = 0  # initiative problems told of (no owner, no date, overdue, ...)

    @property
    def section(self) -> str | None:
        return self.headings[0] if self.place is Place.SECTION else None

    def inline(self) -> str:
        """The findings in a few words, for the epic's one line in the summary."""
        if self.opted_out:  # left alone: what it lacks is nobody's to fix
            return self.opted_out
        parts = []
        if self.smart_gaps:
            parts.append("SMART: " + ", ".join(short(f) for f in self.smart_gaps))
        if self.format_gaps:
            parts.append("format: " + ", ".join(short(f) for f in self.format_gaps))
        if len(self.headings) > 1:
            parts.append("also in: " + ", ".join(self.headings[1:]))
        if self.snoozed:
            parts.append("snoozed: " + ", ".join(self.snoozed))
        if self.failed:
            parts.append("failed this run (see the run report)")
        return "; ".join(parts)


def short(finding: str) -> str:
    """ "No baseline: say where..." -> "no baseline"."""
    kind = FINDING_KINDS.get(finding)
    if kind is None:
        return finding.replace("_", " ")
    text = kind.message.split(":")[0]
    return text[0].lower() + text[1:]


def gaps(record: EpicRecord) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The record's SMART findings and its format findings, apart."""
    smart = tuple(f for f in record.findings if f in FINDING_KINDS and FINDING_KINDS[f].element)
    fmt = tuple(
        f for f in record.findings if f in FINDING_KINDS and FINDING_KINDS[f].element is None
    )
    return smart, fmt


def place_of(listed: bool, opted_out: bool, snoozed: bool, was_listed: bool) -> Place:
    if listed:
        return Place.SECTION
    if opted_out or snoozed:
        return Place.OPTED_OUT
    return Place.FIXED if was_listed else Place.NONE
