"""More figures for the summary, as a registry: each collector sees every epic once.

A new figure (initiatives per objective, CSM reactions to drafts, ...) is one class
registered with ``@collector``: it is given each report record with the summary's result
for it, and what ``finish`` returns lands in ``Figures.extra[name]``, where a section
registered in ``sections.py`` renders it. The aggregator needs no change, and shard
reports merged by ``triage summarize`` go through the same collectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from triage.records import EpicRecord
from triage.summary.results import EpicResult


class Collector(Protocol):
    name: str

    def add(self, record: EpicRecord, result: EpicResult) -> None: ...

    def finish(self) -> object: ...


COLLECTORS: list[Callable[[], Collector]] = []


def collector(factory: Callable[[], Collector]) -> Callable[[], Collector]:
    """Register a collector (a class, or any factory of one), made anew for each summary."""
    COLLECTORS.append(factory)
    return factory
