"""Verifiable Outcome stages: where an objective stands with the customer.

Domain knowledge from the success-plan handbook, read from the epic's scoped labels; the
policy conditions, the planner and the report all ask this one function.
"""

from __future__ import annotations

from triage.records import Epic

VO_SCOPE = "Verifiable Outcome"
VO_STAGES = ("Proposed", "Accepted", "Delivered", "Verified")


def stage_of(epic: Epic) -> str:
    """The Verifiable Outcome stage from the epic's labels, or ``none``."""
    for label in epic.labels:
        scope, _, stage = label.rpartition("::")
        if scope == VO_SCOPE and stage in VO_STAGES:
            return stage
    return "none"
