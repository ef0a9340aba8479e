"""The summary's sections, as a registry: each renders its own Markdown from the figures.

A new part of the summary is one function registered with ``@section(order)``; the
renderer calls them in order and joins what they return (an empty list: nothing to say).
Orders are spaced by ten so a section can go between two others without renumbering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from triage.summary.block import Previous
from triage.summary.figures import Figures


@dataclass(frozen=True)
class Context:
    """What every section may read: the figures, and what the summary carries over."""

    figures: Figures
    window: str  # the manager verification window, "H2 (Aug 1 2026 - Jan 31 2027)"
    due: date
    verified: frozenset[str]  # CSMs whose plans a manager ticked in this window
    week_llm: tuple[int, int]  # model calls and tokens this week so far
    previous: Previous | None  # the earlier text: ticks, model use


Render = Callable[[Context], list[str]]


@dataclass(frozen=True)
class Section:
    order: int
    name: str
    render: Render


SECTIONS: list[Section] = []


def section(order: int) -> Callable[[Render], Render]:
    """Register a section of the summary at ``order`` (smaller is higher up)."""

    def register(render: Render) -> Render:
        SECTIONS.append(Section(order, render.__name__, render))
        SECTIONS.sort(key=lambda s: s.order)
        return render

    return register
