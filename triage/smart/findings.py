"""The checker's findings: one id per gap, with the sentence a CSM reads.

The ids are a public contract: policies select epics by them (``findings: {any: [...]}``),
the report and the summary count them. The table is data so that adding a finding is one
line, and policy validation can name the valid ids.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FindingKind:
    id: str
    element: str | None  # the SMART element it makes missing, if any
    message: str


FINDING_KINDS: dict[str, FindingKind] = {
    kind.id: kind
    for kind in [
        FindingKind(
            "missing_baseline",
            "baseline",
            "No baseline: say where the customer is today, with a number and when it was measured.",
        ),
        FindingKind(
            "missing_success_criteria",
            "success_criteria",
            "No success criteria: say how you and the customer will know the objective is met.",
        ),
        FindingKind(
            "unmeasurable_success_criteria",
            "success_criteria",
            "The success criteria are not measurable: add a target number, threshold or a "
            "done/not-done outcome.",
        ),
        FindingKind(
            "missing_business_impact",
            "business_impact",
            "No business impact: say what the customer's business gains (time to market, cost, "
            "risk, revenue), in their words.",
        ),
        FindingKind(
            "missing_timeline",
            "timeline",
            "No timeline: give a target date or a deadline the customer agreed to.",
        ),
        FindingKind(
            "missing_owner",
            "owner",
            "No owner: assign the epic or add an `Owner:` / `DRI:` line.",
        ),
        FindingKind(
            "missing_summary_heading",
            None,
            "No `## Summary` heading: downstream reporting reads the summary from it.",
        ),
        FindingKind(
            "missing_success_criteria_heading",
            None,
            "No `## Success Criteria` heading: downstream reporting reads the criteria from it.",
        ),
        FindingKind(
            "missing_due_date",
            None,
            "No due date on the epic: set one so the objective shows on the roadmap.",
        ),
    ]
}

ELEMENTS = ("baseline", "success_criteria", "business_impact", "timeline", "owner")
