"""Figures for managers, computed from one result per epic (``results.py``). Pure.

Each epic becomes one ``EpicResult``; the headline, the per-CSM and per-customer tables,
the lists, the funnel and the trend are all counts or lists of those results, added in one
pass. The headline is the sum of the CSM rows by construction, so the two cannot disagree.
Inputs are report entries, so a summary of merged shard reports equals one of an unsharded
run; memory holds the tables, the first ``LIST_LIMIT`` epics of each list and the
references of the listed epics (next week's comparison needs them).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from triage.records import EpicRecord
from triage.summary.block import Previous
from triage.summary.collectors import COLLECTORS
from triage.summary.results import EpicResult, Place, gaps, place_of

STAGES = ("Proposed", "Accepted", "Delivered", "Verified")
AGREED = {"Accepted", "Delivered", "Verified"}  # baseline, criteria, timeline agreed
LIST_LIMIT = 50  # epics listed per section of the summary; the report has them all
COUNTS = (  # the columns of a row, in the order of the tables
    "objectives",
    "attention",
    "new",
    "still_open",
    "fixed",
    "smart",
    "format",
    "overdue",
    "stale",
    "opted_out",
    "snoozed",
    "set_aside",
    "clean",
    "initiatives",
)


def initiative_problems(epic: EpicRecord) -> int:
    """How many initiative problems the matched rules told of on ``epic``: one per
    initiative and kind (reason keys ``initiative-...:<reference>``), one for all closed."""
    return sum(key.startswith(("initiative-", "initiatives-")) for key in epic.reasons)


class Top:
    """The first ``limit`` public epics by CSM and reference, with counts of all of them
    and of the confidential ones: what a summary lists, in memory that does not grow."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[EpicResult] = []
        self.public = 0
        self.confidential = 0

    def add(self, epic: EpicResult) -> None:
        if epic.confidential:
            self.confidential += 1
            return
        self.public += 1
        bisect.insort(self.items, epic, key=lambda e: (e.csm_name.lower(), e.reference))
        if len(self.items) > self.limit:
            self.items.pop()

    @property
    def total(self) -> int:
        return self.public + self.confidential


@dataclass
class Row:
    """The counts of one CSM, one customer, or everything (the headline)."""

    key: str
    name: str = ""
    url: str = ""
    objectives: int = 0
    attention: int = 0  # listed under a heading
    new: int = 0  # of those, not listed last week
    still_open: int = 0  # of those, listed last week too
    fixed: int = 0  # listed last week, nothing open now
    smart: int = 0  # missing or unmeasurable SMART parts
    format: int = 0  # missing headings or due date
    overdue: int = 0
    stale: int = 0
    opted_out: int = 0  # an exclude label
    snoozed: int = 0  # at least one check snoozed
    set_aside: int = 0  # opted out, or snoozed with nothing else open: listed apart
    clean: int = 0  # nothing open, nothing to report
    initiatives: int = 0  # initiative problems (no owner, no date, overdue, stale, all closed)

    def add(self, result: EpicResult) -> None:
        self.objectives += 1
        self.attention += result.place is Place.SECTION
        self.new += result.place is Place.SECTION and result.new
        self.still_open += result.place is Place.SECTION and not result.new
        self.fixed += result.place is Place.FIXED
        self.set_aside += result.place is Place.OPTED_OUT
        self.clean += result.place is Place.NONE
        if result.opted_out:
            self.opted_out += 1
            return  # left alone: its findings are nobody's to fix
        self.smart += bool(result.smart_gaps)
        self.format += bool(result.format_gaps)
        self.overdue += result.overdue
        self.stale += result.stale
        self.snoozed += bool(result.snoozed)
        self.initiatives += result.initiatives

    def merge(self, other: Row) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in COUNTS}

    @property
    def share_clear(self) -> int:
        """Percent of objectives with nothing open (fixed, clean or set aside)."""
        if not self.objectives:
            return 100
        return round(100 * (self.objectives - self.attention) / self.objectives)


@dataclass
class Figures:
    week: str
    today: date
    headline: dict[str, int]
    csms: list[Row]
    customers: list[Row]
    funnel: dict[str, int]
    findings: list[tuple[str, int]]
    sections: dict[str, Top]  # heading -> its epics, the most urgent heading first
    errors: list[str]
    llm: dict[str, Any]
    fixed: Top = field(default_factory=lambda: Top(LIST_LIMIT))
    set_aside: Top = field(default_factory=lambda: Top(LIST_LIMIT))
    baseline: Previous | None = None  # last week's summary, when one was read
    listed: list[str] = field(default_factory=list)  # references listed this week
    extra: dict[str, Any] = field(default_factory=dict)  # per registered collector

    def trend_entry(self) -> dict[str, Any]:
        keys = ("attention", "new", "fixed", "smart", "format", "overdue", "stale")
        return {"week": self.week, **{k: self.headline[k] for k in keys}}


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def disagrees(epic: EpicRecord) -> str | None:
    """Why the epic's Verifiable Outcome stage and its content disagree, if they do."""
    stage, missing = epic.vo_stage, set(epic.missing)
    gaps_ = missing & {"baseline", "success_criteria", "timeline"}
    if stage in AGREED and gaps_:
        return f"{stage} without {', '.join(sorted(g.replace('_', ' ') for g in gaps_))}"
    if stage == "Verified" and "business_impact" in missing:
        return "Verified without the business impact recorded"
    return None


def base_url(epic_url: str) -> str:
    """The instance's address, from an epic's: ``https://host/groups/a/-/epics/1``."""
    head, sep, _ = epic_url.partition("/groups/")
    return head if sep else ""


class Aggregator:
    """Figures built one epic at a time. ``headings``: the summary's headings, most urgent
    first (others are added in the order they appear); ``baseline``: last week's summary."""

    def __init__(
        self,
        roots: list[str],
        headings: Sequence[str] = (),
        baseline: Previous | None = None,
    ) -> None:
        self.roots = sorted(roots, key=len, reverse=True)
        self.headings = list(headings)
        self.baseline = baseline
        self.own_epics: set[str] = set()  # roots with epics of their own: not containers
        self.total = Row("")
        self.csms: dict[str, Row] = {}
        self.by_group: dict[str, Row] = {}  # keyed by root or root/subgroup
        self.group_names: dict[str, str] = {}
        self.findings: Counter[str] = Counter()
        self.sections: dict[str, Top] = {}
        self.fixed = Top(LIST_LIMIT)
        self.set_aside = Top(LIST_LIMIT)
        self.funnel = Counter(dict.fromkeys([*STAGES, "no stage"], 0))
        self.listed: list[str] = []
        self.seen_before = 0  # epics of last week's list seen again
        self.base_url = ""
        self.collectors = [make() for make in COLLECTORS]

    def _unit(self, group: str) -> str:
        for root in self.roots:
            if group == root:
                self.own_epics.add(root)
                return root
            if group.startswith(f"{root}/"):
                return "/".join(group.split("/")[: root.count("/") + 2])
        return group

    def was_listed(self, reference: str) -> bool:
        """Whether last week's summary listed the epic."""
        before = self.baseline.listed if self.baseline else None
        return before is not None and reference in before

    def result_of(self, epic: EpicRecord) -> EpicResult:
        """The summary's one decision about ``epic``."""
        unit = self._unit(epic.group)
        names = epic.group_name.split(" / ") if epic.group_name else []
        depth = unit.count("/") + 1
        customer_name = " / ".join(names[:depth]) if len(names) >= depth else unit
        smart, fmt = gaps(epic)
        listed = bool(epic.summary) and not epic.skipped
        was_listed = self.was_listed(epic.reference)
        csm = epic.owner or epic.author or "(nobody)"
        return EpicResult(
            reference=epic.reference,
            url=epic.url,
            title=epic.title,
            confidential=epic.confidential,
            csm=csm,
            csm_name=epic.owner_name or csm,
            customer=unit,
            customer_name=customer_name,
            headings=tuple(epic.summary),
            smart_gaps=smart,
            format_gaps=fmt,
            overdue="overdue" in epic.reasons,
            stale="stale" in epic.reasons,
            opted_out=epic.skipped,
            snoozed=epic.snoozed,
            failed=bool(epic.error),
            initiatives=initiative_problems(epic),
            new=listed and not was_listed,
            fixed=not listed and was_listed and not epic.skipped and not epic.snoozed,
            place=place_of(listed, bool(epic.skipped), bool(epic.snoozed), was_listed),
        )

    def add(self, epic: EpicRecord) -> None:
        result = self.result_of(epic)
        self.seen_before += self.was_listed(epic.reference)
        self.base_url = self.base_url or base_url(epic.url)
        self.total.add(result)
        self.csms.setdefault(result.csm, Row(result.csm, result.csm_name)).add(result)
        self.by_group.setdefault(result.customer, Row(result.customer)).add(result)
        self.group_names.setdefault(result.customer, result.customer_name)
        if not epic.skipped:
            self.findings.update(epic.findings)
            self.funnel["no stage" if epic.vo_stage == "none" else epic.vo_stage] += 1
        for extra in self.collectors:
            extra.add(epic, result)
        if result.place is Place.SECTION:
            heading = result.headings[0]
            if heading not in self.headings:
                self.headings.append(heading)
            self.sections.setdefault(heading, Top(LIST_LIMIT)).add(result)
            self.listed.append(result.reference)
        elif result.place is Place.FIXED:
            self.fixed.add(result)
        elif result.place is Place.OPTED_OUT:
            self.set_aside.add(result)

    def customers(self) -> list[Row]:
        """Per customer: a root's own row, or its subgroups' when the root only holds
        customer subgroups (a container such as ``success-plans``)."""
        rows: dict[str, Row] = {}
        for unit, row in self.by_group.items():
            root = next((r for r in self.roots if unit == r or unit.startswith(f"{r}/")), unit)
            key = root if root in self.own_epics else unit
            name = self.group_names.get(key, key)
            url = f"{self.base_url}/groups/{key}" if self.base_url else ""
            rows.setdefault(key, Row(key, name, url)).merge(row)
        return sorted(rows.values(), key=lambda r: r.name.lower())

    def finish(self, errors: list[str], llm: dict[str, Any], today: date) -> Figures:
        headline = self.total.counts()
        headline["scanned"] = headline.pop("objectives")
        headline["failed"] = len(errors)  # every failed epic, and every failed group, once
        before = self.baseline.listed if self.baseline and self.baseline.listed else frozenset()
        headline["gone"] = len(before) - self.seen_before  # closed, relabelled, unread
        for row in self.csms.values():
            row.url = f"{self.base_url}/{row.key}" if self.base_url and row.key[0] != "(" else ""
        return Figures(
            week=iso_week(today),
            today=today,
            headline=headline,
            csms=sorted(self.csms.values(), key=lambda r: r.name.lower()),
            customers=self.customers(),
            funnel=dict(self.funnel),
            findings=sorted(self.findings.items(), key=lambda item: (-item[1], item[0])),
            sections={h: self.sections[h] for h in self.headings if h in self.sections},
            errors=errors,
            llm=llm,
            fixed=self.fixed,
            set_aside=self.set_aside,
            baseline=self.baseline,
            listed=self.listed,
            extra={c.name: c.finish() for c in self.collectors},
        )


def compute(
    epics: Iterable[EpicRecord],
    roots: list[str],
    errors: list[str],
    llm: dict[str, Any],
    today: date,
    headings: Sequence[str] = (),
    baseline: Previous | None = None,
) -> Figures:
    aggregator = Aggregator(roots, headings, baseline)
    for epic in epics:
        aggregator.add(epic)
    return aggregator.finish(errors, llm, today)


def half_year(day: date) -> tuple[str, date]:
    """The handbook's verification window for ``day`` and its last day: the first half of
    the fiscal year is February 1 to July 31, the second August 1 to January 31."""
    if 2 <= day.month <= 7:
        return f"H1 (Feb 1 - Jul 31 {day.year})", date(day.year, 7, 31)
    year = day.year + 1 if day.month >= 8 else day.year
    return f"H2 (Aug 1 {year - 1} - Jan 31 {year})", date(year, 1, 31)
