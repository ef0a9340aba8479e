"""A drafted suggestion, the interface every drafter offers, and how a comment shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from triage.records import Epic
from triage.sanitize import sanitize
from triage.smart.checker import CheckResult


@dataclass(frozen=True)
class Criterion:
    metric: str
    baseline: str
    target: str
    deadline: str
    why_it_matters: str = ""


@dataclass(frozen=True)
class Suggestion:
    criteria: tuple[Criterion, ...]
    business_impact: str | None
    source: str  # "template" or "model <name>"
    usage: dict[str, int] = field(default_factory=dict)


class Drafter(Protocol):
    """Something that drafts SMART criteria. ``identity`` (kind, model, prompt version) is
    part of the comment fingerprint, so a new prompt or model re-drafts on the next run."""

    identity: str

    def draft(self, epic: Epic, check: CheckResult) -> Suggestion | None: ...


# The question the weekly summary counts the answers to (see triage/llm/feedback.py).
FEEDBACK_ASK = (
    "Was this draft useful? React to this note with :thumbsup: if it helped or "
    ":thumbsdown: if it is wrong; the weekly summary counts both."
)


def render_suggestion(suggestion: Suggestion | None) -> str:
    """The suggestion as a collapsed Markdown block, every string sanitized as LLM output."""
    if suggestion is None or not suggestion.criteria:
        return ""

    def clean(text: str) -> str:
        return " ".join(sanitize(text, links=False).split())

    rows = ["| Metric | Baseline | Target | Deadline |", "|---|---|---|---|"]
    for c in suggestion.criteria:
        cells = [clean(v).replace("|", "\\|") for v in (c.metric, c.baseline, c.target, c.deadline)]
        rows.append("| " + " | ".join(cells) + " |")
    why = [f"- {clean(c.why_it_matters)}" for c in suggestion.criteria if c.why_it_matters]
    kind = (
        "metrics from the success-plan handbook's KPI library, not AI"
        if suggestion.source == "template"
        else f"drafted by {clean(suggestion.source)}; check every number with the customer"
    )
    parts = [
        "<details><summary>Suggested SMART success criteria (" + kind + ")</summary>",
        "",
        *rows,
    ]
    if why:
        parts += ["", "Why it matters:", *why]
    if suggestion.business_impact:
        parts += ["", f"Business impact: {clean(suggestion.business_impact)}"]
    parts += [
        "",
        "Copy what fits into the description; this note updates itself.",
        "",
        FEEDBACK_ASK,
        "",
        "</details>",
    ]
    return "\n".join(parts)
