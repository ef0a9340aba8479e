"""The summary's "Drafts" section: per rule and per drafter, how many drafts CSMs rated
useful or wrong (a reaction on the bot's note) and how many they adopted (the description
took the drafted metric or target), with the change since last week's summary.

Its figures travel in the summary's data block under ``feedback``, so next week's summary
can compare without any other storage. Pure: report records in, Markdown lines out.
"""

from __future__ import annotations

from triage.records import EpicRecord
from triage.summary.collectors import collector
from triage.summary.results import EpicResult
from triage.summary.sections import Context, section

COLUMNS = ("drafts", "useful", "wrong", "adopted")
Counts = dict[str, list[int]]  # "rule / drafter" -> drafts, useful, wrong, adopted


@collector
class FeedbackTally:
    """Counts built one epic at a time (memory does not grow with the number of epics)."""

    name = "feedback"

    def __init__(self) -> None:
        self.counts: Counts = {}

    def finish(self) -> Counts:
        return self.counts

    def add(self, epic: EpicRecord, result: EpicResult | None = None) -> None:
        for item in epic.feedback:
            key = f"{item.get('rule', '?')} / {item.get('drafter', '?')}"
            row = self.counts.setdefault(key, [0, 0, 0, 0])
            row[0] += 1
            row[1] += bool(item.get("useful"))
            row[2] += bool(item.get("wrong"))
            row[3] += bool(item.get("adopted"))


def _cell(now: int, before: list[int] | None, index: int) -> str:
    if before is None:
        return f"{now} (new)"
    change = now - before[index]
    return f"{now} ({change:+d})" if change else f"{now} (0)"


@section(75)
def drafts(ctx: Context) -> list[str]:
    """The section, compared with last week's summary (this week's re-run keeps the
    comparison with last week)."""
    counts = ctx.figures.extra.get("feedback") or {}
    baseline = ctx.figures.baseline
    return render_section(counts, baseline.feedback if baseline is not None else None)


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
