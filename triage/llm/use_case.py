"""The ``UseCase::`` label an objective most likely belongs to, suggested, never applied.

Reporting groups objectives by use case, and a CSM who forgot the label gets a hint with
the words that suggested it. Only labels the group already has are suggested (the bot never
invents a label), and the bot never adds it: a wrong guess must cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from triage.llm.kpi_library import KpiLibrary, word_pattern
from triage.records import Epic
from triage.sanitize import quote

PREFIX = "UseCase::"


@dataclass(frozen=True)
class UseCaseSuggestion:
    label: str
    words: tuple[str, ...]  # the objective's words that pointed to it, as written


def suggest_use_case(
    epic: Epic, library: KpiLibrary, group_labels: Iterable[str]
) -> UseCaseSuggestion | None:
    """The group's ``UseCase::`` label whose KPIs' words the objective uses most (words of
    the title count double), or None when the epic has one or no word points to any."""
    if any(label.startswith(PREFIX) for label in epic.labels):
        return None
    best: tuple[float, UseCaseSuggestion] | None = None
    for label in sorted(set(group_labels)):
        if not label.startswith(PREFIX):
            continue
        case = label[len(PREFIX) :]
        words = {case.lower()} | {
            word
            for kpi in library.kpis
            if case.lower() in (c.lower() for c in kpi.use_cases)
            for word in kpi.words
        }
        pattern = word_pattern(tuple(words))
        in_title = [m.group(1) for m in pattern.finditer(epic.title)]
        in_text = [m.group(1) for m in pattern.finditer(epic.description)]
        found = tuple(dict.fromkeys([*in_title, *in_text]))
        score = 2.0 * len(set(in_title)) + len(set(in_text) - set(in_title))
        if found and (best is None or score > best[0]):
            best = (score, UseCaseSuggestion(label, found))
    return best[1] if best else None


def render_use_case(suggestion: UseCaseSuggestion | None) -> str:
    """One line for the note; the label in a code span, the epic's words quoted."""
    if suggestion is None:
        return ""
    words = ", ".join(quote(word) for word in suggestion.words[:4])
    return (
        f"Suggested use case: `{suggestion.label}`, for the words {words}. Add it on the "
        "sidebar if it fits; the bot never adds it."
    )
