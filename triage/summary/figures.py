"""Figures for managers, computed from the epics of one or more run reports. Pure.

Per CSM (the owner, else the author), per customer, the Verifiable Outcome funnel, the
objectives whose stage and content disagree, the most common findings. Inputs are report
entries, so a summary of merged shard reports equals one of an unsharded run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from triage.smart.findings import ELEMENTS

STAGES = ("Proposed", "Accepted", "Delivered", "Verified")
AGREED = {"Accepted", "Delivered", "Verified"}  # baseline, criteria, timeline agreed
HEADLINE = ("scanned", "complete", "incomplete", "overdue", "stale", "failed")


@dataclass
class Row:
    name: str
    objectives: int = 0
    incomplete: int = 0
    overdue: int = 0
    stale: int = 0
    present: int = 0  # SMART elements present, summed over objectives
    attention: list[dict[str, Any]] = field(default_factory=list)

    @property
    def completeness(self) -> int:
        return (
            round(100 * self.present / (len(ELEMENTS) * self.objectives)) if self.objectives else 0
        )


@dataclass
class Figures:
    week: str
    today: date
    headline: dict[str, int]
    csms: list[Row]
    customers: list[Row]
    funnel: dict[str, int]
    disagreements: list[dict[str, Any]]
    findings: list[tuple[str, int]]
    sections: dict[str, list[dict[str, Any]]]
    errors: list[str]
    llm: dict[str, Any]


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def customer_of(group: str, roots: list[str], containers: set[str]) -> str:
    """The customer an epic belongs to: its scanned root group, or, when that root only
    holds customer subgroups (a container such as ``success-plans``), the subgroup."""
    for root in sorted(roots, key=len, reverse=True):
        if group == root or group.startswith(f"{root}/"):
            if root in containers and group != root:
                return "/".join(group.split("/")[: root.count("/") + 2])
            return root
    return group


def disagrees(epic: dict[str, Any]) -> str | None:
    """Why the epic's Verifiable Outcome stage and its content disagree, if they do."""
    stage, missing = epic["vo_stage"], set(epic["missing"])
    gaps = missing & {"baseline", "success_criteria", "timeline"}
    if stage in AGREED and gaps:
        return f"{stage} without {', '.join(sorted(g.replace('_', ' ') for g in gaps))}"
    if stage == "Verified" and "business_impact" in missing:
        return "Verified without the business impact recorded"
    return None


def compute(
    epics: list[dict[str, Any]],
    roots: list[str],
    errors: list[str],
    llm: dict[str, Any],
    today: date,
) -> Figures:
    live = [e for e in epics if not e.get("skipped")]
    containers = {
        root
        for root in roots
        if not any(e["group"] == root for e in live)
        and any(e["group"].startswith(f"{root}/") for e in live)
    }
    csms: dict[str, Row] = {}
    customers: dict[str, Row] = {}
    findings: Counter[str] = Counter()
    sections: dict[str, list[dict[str, Any]]] = {}
    headline = Counter(dict.fromkeys(HEADLINE, 0))
    for epic in sorted(live, key=lambda e: e["reference"]):
        overdue, stale = "overdue" in epic["reasons"], "stale" in epic["reasons"]
        headline["scanned"] += 1
        headline["complete" if not epic["missing"] else "incomplete"] += 1
        headline["overdue"] += overdue
        headline["stale"] += stale
        headline["failed"] += bool(epic["error"])
        findings.update(epic["findings"])
        person = epic["owner"] or epic["author"] or "(nobody)"
        customer = customer_of(epic["group"], roots, containers)
        for table, key in ((csms, person), (customers, customer)):
            row = table.setdefault(key, Row(key))
            row.objectives += 1
            row.incomplete += bool(epic["missing"])
            row.overdue += overdue
            row.stale += stale
            row.present += len(ELEMENTS) - len(epic["missing"])
            if epic["rules"]:
                row.attention.append(epic)
        for heading in epic["summary"]:
            sections.setdefault(heading, []).append(epic)
    headline["failed"] += len(errors) - sum(bool(e["error"]) for e in live)
    funnel = {stage: sum(e["vo_stage"] == stage for e in live) for stage in STAGES}
    funnel["no stage"] = sum(e["vo_stage"] == "none" for e in live)
    return Figures(
        week=iso_week(today),
        today=today,
        headline=dict(headline),
        csms=sorted(csms.values(), key=lambda r: r.name),
        customers=sorted(customers.values(), key=lambda r: r.name),
        funnel=funnel,
        disagreements=[
            {**e, "why": why}
            for e in sorted(live, key=lambda e: e["reference"])
            if (why := disagrees(e))
        ],
        findings=sorted(findings.items(), key=lambda item: (-item[1], item[0])),
        sections=dict(sorted(sections.items())),
        errors=errors,
        llm=llm,
    )


def half_year(day: date) -> tuple[str, date]:
    """The handbook's verification window for ``day`` and its last day: the first half of
    the fiscal year is February 1 to July 31, the second August 1 to January 31."""
    if 2 <= day.month <= 7:
        return f"H1 (Feb 1 - Jul 31 {day.year})", date(day.year, 7, 31)
    year = day.year + 1 if day.month >= 8 else day.year
    return f"H2 (Aug 1 {year - 1} - Jan 31 {year})", date(year, 1, 31)
