"""What one run is asked to do, and which groups a shard of a ``parallel:`` job takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class RunOptions:
    policies: Path = Path("policies")
    groups: list[str] = field(default_factory=list)
    apply: bool = False
    now: datetime | None = None
    concurrency: int = 4
    shard: tuple[int, int] = (1, 1)
    cache: Path | None = None
    prompts: Path | None = None
    max_llm_calls: int | None = None
    max_llm_tokens: int | None = None
    summary: bool = True  # publish the weekly summary after an --apply run
    diff: bool = False  # show each note's change in a dry run (reads the notes)
    full_read_every: str = "month"  # a key of epic_source.FULL_READ_EVERY
    lease_wait: float = 0.0  # seconds an --apply run waits for another run's lease


def shard_groups(groups: list[str], shard: tuple[int, int]) -> list[str]:
    """The groups shard K of N handles: a deterministic split of the sorted list."""
    index, total = shard
    return [g for i, g in enumerate(sorted(set(groups))) if i % total == index - 1]


def top_groups(groups: list[str], include_subgroups: bool) -> list[str]:
    """Drop groups already covered by a listed parent when subgroups are included."""
    if not include_subgroups:
        return groups
    return [g for g in groups if not any(g.startswith(f"{p}/") for p in groups if p != g)]
