"""Figures for managers, computed from the epics of one or more run reports. Pure.

Per CSM (the owner, else the author), per customer, the Verifiable Outcome funnel, the
objectives whose stage and content disagree, the most common findings. Inputs are report
entries, so a summary of merged shard reports equals one of an unsharded run.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from triage.records import EpicRecord
from triage.smart.findings import ELEMENTS

STAGES = ("Proposed", "Accepted", "Delivered", "Verified")
AGREED = {"Accepted", "Delivered", "Verified"}  # baseline, criteria, timeline agreed
HEADLINE = ("scanned", "complete", "incomplete", "overdue", "stale", "failed")
LIST_LIMIT = 50  # epics listed per section of the summary; the report has them all
ATTENTION_LINKS = 8  # epic links per CSM row


def initiative_problems(epic: EpicRecord) -> int:
    """How many initiative problems the matched rules told of on ``epic``: one per
    initiative and kind (reason keys ``initiative-...:<reference>``), one for all closed."""
    return sum(key.startswith(("initiative-", "initiatives-")) for key in epic.reasons)


class Top:
    """The first ``limit`` public epics by reference, with counts of all of them and of
    the confidential ones: what a summary lists, in memory that does not grow with N."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[EpicRecord] = []
        self.public = 0
        self.confidential = 0

    def add(self, epic: EpicRecord) -> None:
        if epic.confidential:
            self.confidential += 1
            return
        self.public += 1
        bisect.insort(self.items, epic, key=lambda e: e.reference)
        if len(self.items) > self.limit:
            self.items.pop()


@dataclass
class Row:
    name: str
    objectives: int = 0
    incomplete: int = 0
    overdue: int = 0
    stale: int = 0
    initiatives: int = 0  # initiative problems (no owner, no date, overdue, stale, all closed)
    present: int = 0  # SMART elements present, summed over objectives
    attention: Top = field(default_factory=lambda: Top(ATTENTION_LINKS))

    @property
    def completeness(self) -> int:
        if not self.objectives:
            return 0
        return round(100 * self.present / (len(ELEMENTS) * self.objectives))

    def add(self, epic: EpicRecord, overdue: bool, stale: bool) -> None:
        self.objectives += 1
        self.incomplete += bool(epic.missing)
        self.overdue += overdue
        self.stale += stale
        self.initiatives += initiative_problems(epic)
        self.present += len(ELEMENTS) - len(epic.missing)
        if epic.rules:
            self.attention.add(epic)

    def merge(self, other: Row) -> None:
        for name in ("objectives", "incomplete", "overdue", "stale", "initiatives", "present"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for epic in other.attention.items:
            self.attention.add(epic)
        self.attention.public += other.attention.public - len(other.attention.items)
        self.attention.confidential += other.attention.confidential


@dataclass
class Figures:
    week: str
    today: date
    headline: dict[str, int]
    csms: list[Row]
    customers: list[Row]
    funnel: dict[str, int]
    disagreements: Top
    findings: list[tuple[str, int]]
    sections: dict[str, Top]
    errors: list[str]
    llm: dict[str, Any]


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def disagrees(epic: EpicRecord) -> str | None:
    """Why the epic's Verifiable Outcome stage and its content disagree, if they do."""
    stage, missing = epic.vo_stage, set(epic.missing)
    gaps = missing & {"baseline", "success_criteria", "timeline"}
    if stage in AGREED and gaps:
        return f"{stage} without {', '.join(sorted(g.replace('_', ' ') for g in gaps))}"
    if stage == "Verified" and "business_impact" in missing:
        return "Verified without the business impact recorded"
    return None


class Aggregator:
    """Figures built one epic at a time, so a run of any size keeps only the tables and
    the first ``LIST_LIMIT`` epics of each list in memory."""

    def __init__(self, roots: list[str]) -> None:
        self.roots = sorted(roots, key=len, reverse=True)
        self.own_epics: set[str] = set()  # roots with epics of their own: not containers
        self.csms: dict[str, Row] = {}
        self.by_group: dict[str, Row] = {}  # keyed by root or root/subgroup
        self.findings: Counter[str] = Counter()
        self.sections: dict[str, Top] = {}
        self.disagreements = Top(LIST_LIMIT)
        self.headline = Counter(dict.fromkeys(HEADLINE, 0))
        self.funnel = Counter(dict.fromkeys([*STAGES, "no stage"], 0))
        self.epic_errors = 0

    def _unit(self, group: str) -> str:
        for root in self.roots:
            if group == root:
                self.own_epics.add(root)
                return root
            if group.startswith(f"{root}/"):
                return "/".join(group.split("/")[: root.count("/") + 2])
        return group

    def add(self, epic: EpicRecord) -> None:
        if epic.skipped:
            return
        overdue, stale = "overdue" in epic.reasons, "stale" in epic.reasons
        self.headline["scanned"] += 1
        self.headline["complete" if not epic.missing else "incomplete"] += 1
        self.headline["overdue"] += overdue
        self.headline["stale"] += stale
        self.epic_errors += bool(epic.error)
        self.findings.update(epic.findings)
        self.funnel["no stage" if epic.vo_stage == "none" else epic.vo_stage] += 1
        person = epic.owner or epic.author or "(nobody)"
        self.csms.setdefault(person, Row(person)).add(epic, overdue, stale)
        unit = self._unit(epic.group)
        # customer rows list no epics: no attention list to keep per group
        self.by_group.setdefault(unit, Row(unit, attention=Top(0))).add(epic, overdue, stale)
        for heading in epic.summary:
            self.sections.setdefault(heading, Top(LIST_LIMIT)).add(epic)
        if disagrees(epic):
            self.disagreements.add(epic)

    def customers(self) -> list[Row]:
        """Per customer: a root's own row, or its subgroups' when the root only holds
        customer subgroups (a container such as ``success-plans``)."""
        rows: dict[str, Row] = {}
        for unit, row in self.by_group.items():
            root = next((r for r in self.roots if unit == r or unit.startswith(f"{r}/")), unit)
            key = root if root in self.own_epics else unit
            rows.setdefault(key, Row(key, attention=Top(0))).merge(row)
        return sorted(rows.values(), key=lambda r: r.name)

    def finish(self, errors: list[str], llm: dict[str, Any], today: date) -> Figures:
        headline = dict(self.headline)
        headline["failed"] = len(errors)  # every failed epic, and every failed group, once
        return Figures(
            week=iso_week(today),
            today=today,
            headline=headline,
            csms=sorted(self.csms.values(), key=lambda r: r.name),
            customers=self.customers(),
            funnel=dict(self.funnel),
            disagreements=self.disagreements,
            findings=sorted(self.findings.items(), key=lambda item: (-item[1], item[0])),
            sections=dict(sorted(self.sections.items())),
            errors=errors,
            llm=llm,
        )


def compute(
    epics: Iterable[EpicRecord],
    roots: list[str],
    errors: list[str],
    llm: dict[str, Any],
    today: date,
) -> Figures:
    aggregator = Aggregator(roots)
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
