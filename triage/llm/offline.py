"""The offline drafter: a deterministic SMART template built from what the checker saw.

Used when no LLM is configured. It quotes the baseline the checker found (or says to
measure first), leaves the target for the CSM and the customer to agree, and takes the
deadline from the epic's due date. It says plainly that it is a template, not AI.
"""

from __future__ import annotations

from triage.llm.suggestion import Criterion, Suggestion
from triage.records import Epic
from triage.smart.checker import CheckResult

MEASURE_FIRST = "unknown: measure first"


class OfflineDrafter:
    identity = "offline-template/1"

    def draft(self, epic: Epic, check: CheckResult) -> Suggestion | None:
        baseline = check.evidence.get("baseline")
        criteria = check.evidence.get("success_criteria")
        metric = _metric(baseline.text if baseline else "", epic.title)
        deadline = (
            epic.due_date.isoformat() if epic.due_date else "the date agreed with the customer"
        )
        target = (
            criteria.text
            if criteria and "success_criteria" not in check.missing
            else "the value agreed with the customer"
        )
        return Suggestion(
            criteria=(
                Criterion(
                    metric=metric,
                    baseline=baseline.text if baseline else MEASURE_FIRST,
                    target=target,
                    deadline=deadline,
                    why_it_matters="State the business result this metric moves, in the "
                    "customer's words.",
                ),
            ),
            business_impact=None,
            source="template",
        )


def _metric(baseline: str, title: str) -> str:
    """The metric's name: the label of a ``Metric: value`` baseline, else the title."""
    name, sep, _value = baseline.partition(":")
    if sep and 2 <= len(name) <= 60:
        return name.strip(" -*")
    return title
