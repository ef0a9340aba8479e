"""The summary's "Drafts" section: per rule and per drafter, how many drafts CSMs rated
useful or wrong (a reaction on the bot's note) and how many they adopted (the description
took the drafted metric or target), with the change since last week's summary.

Its figures travel in the summary's data block under ``feedback``, so next week's summary
can compare without any other storage. Pure: report records in, Markdown lines out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.records import EpicRecord

COLUMNS = ("drafts", "useful", "wrong", "adopted")
Counts = dict[str, list[int]]  # "rule / drafter" -> drafts, useful, wrong, adopted


class FeedbackTally:
    """Counts built one epic at a time (memory does not grow with the number of epics)."""

    def __init__(self) -> None:
        self.counts: Counts = {}

    def add(self, epic: EpicRecord) -> None:
        for item in epic.feedback:
            key = f"{item.get('rule', '?')} / {item.get('drafter', '?')}"
            row = self.counts.setdefault(key, [0, 0, 0, 0])
            row[0] += 1
            row[1] += bool(item.get("useful"))
            row[2] += bool(item.get("wrong"))
            row[3] += bool(item.get("adopted"))


def previous_counts(block: Mapping[str, Any]) -> Counts | None:
    """Last week's counts from the summary's data block; None when it had none."""
    data = block.get("feedback")
    if not isinstance(data, dict):
        return None
    counts: Counts = {}
    for key, row in data.items():
        if isinstance(row, list) and len(row) == len(COLUMNS):
            try:
                counts[str(key)] = [int(v) for v in row]
            except (TypeError, ValueError):
                continue
    return counts


def _cell(now: int, before: list[int] | None, index: int) -> str:
    if before is None:
        return f"{now} (new)"
    change = now - before[index]
    return f"{now} ({change:+d})" if change else f"{now} (0)"


def render_section(counts: Counts, previous: Counts | None) -> list[str]:
    """The section's lines; nothing when no open objective carries a draft."""
    if not counts:
        return []
    lines = [
        "## Drafts: what CSMs made of them",
        "",
        "Open objectives whose note carries a draft, per rule and drafter. Useful and wrong "
        "count the notes with a :thumbsup: or :thumbsdown: from someone other than the bot; "
        "adopted, the descriptions that now hold a drafted metric or target. In brackets: "
        "the change since the last summary.",
        "",
        "| Rule / drafter | Drafts | Rated useful | Rated wrong | Adopted |",
        "|---|---|---|---|---|",
    ]
    for key in sorted(counts):
        row = counts[key]
        before = previous.get(key) if previous is not None else None
        cells = [_cell(row[i], before, i) for i in range(len(COLUMNS))]
        name = " ".join(key.split()).replace("|", "\\|")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines.append("")
    return lines
