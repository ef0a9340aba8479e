"""The report's charts as inline SVG: a Gantt-style timeline of initiatives with today
marked, and a progress bar per objective.

SVG written by hand rather than a charting library: the page must open offline with no
script, and two simple charts do not need one. Every text is escaped; every initiative is
exactly one ``rect.bar`` (the browser test counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from triage.outputs.plan import CustomerPlan, Objective
from triage.records import Initiative

WIDTH = 960
LABEL = 330  # width of the label column
ROW = 24
HEAD = 48  # today's label, then the month axis
COLOURS = {
    "done": "#2e7d32",
    "open": "#1f5fbf",
    "late": "#c62828",
    "undated": "#8a8a8a",
}


@dataclass(frozen=True)
class Span:
    start: date
    end: date
    kind: str  # done, open, late, undated
    note: str  # why the bar is drawn this way, for its tooltip


def span(initiative: Initiative, today: date) -> Span:
    """Where an initiative's bar goes: from its start date (else its creation) to its due
    date (else when it closed, else today, drawn as undated)."""
    created = initiative.created_at.date() if initiative.created_at else None
    start = initiative.start_date or created or initiative.due_date or today
    closed = initiative.closed_at.date() if initiative.closed_at else None
    if initiative.due_date:
        end, note = initiative.due_date, f"due {initiative.due_date.isoformat()}"
    else:
        end, note = (closed or today), "no due date"
    if not initiative.open:
        kind, note = "done", f"{note}, closed" + (f" {closed.isoformat()}" if closed else "")
    elif initiative.due_date is None:
        kind = "undated"
    elif initiative.due_date < today:
        kind, note = "late", f"{note}, overdue"
    else:
        kind = "open"
    if end < start:
        start, end = end, start
    return Span(start, end, kind, note)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _months(first: date, last: date) -> list[date]:
    day = date(first.year, first.month, 1)
    found = []
    while day <= last:
        if day >= first:
            found.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


def timeline(plan: CustomerPlan) -> str:
    """One SVG: a row per objective (its name) and a bar per initiative below it."""
    rows: list[tuple[Objective, Initiative | None]] = []
    for objective in plan.objectives:
        if objective.initiatives:
            rows.append((objective, None))
            rows += [(objective, i) for i in objective.initiatives]
    if not rows:
        return '<p class="empty">No initiative has been planned yet.</p>'
    spans = {id(i): span(i, plan.today) for _, i in rows if i is not None}
    first = min([s.start for s in spans.values()] + [plan.today]) - timedelta(days=7)
    last = max([s.end for s in spans.values()] + [plan.today]) + timedelta(days=14)
    days = max((last - first).days, 1)
    plot = WIDTH - LABEL - 10

    def x(day: date) -> float:
        return round(LABEL + plot * (day - first).days / days, 1)

    height = HEAD + ROW * len(rows) + 8
    out = [
        f'<svg class="timeline" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="Timeline of initiatives">',
        "<title>Initiatives on a timeline</title>",
    ]
    months = _months(first, last)
    step = 1 if len(months) <= 10 else 2 if len(months) <= 20 else 3  # labels must not touch
    for number, month in enumerate(months):
        left = x(month)
        out.append(f'<line class="grid" x1="{left}" y1="{HEAD - 6}" x2="{left}" y2="{height}"/>')
        if number % step == 0:
            name = month.strftime("%b %Y" if number == 0 or month.month <= step else "%b")
            out.append(f'<text class="axis" x="{left + 3}" y="{HEAD - 10}">{name}</text>')
    for index, (objective, initiative) in enumerate(rows):
        top = HEAD + ROW * index
        if initiative is None:
            out.append(
                f'<text class="objective" x="4" y="{top + 16}">'
                f"{escape(_clip(objective.title, 48))}</text>"
            )
            continue
        bar = spans[id(initiative)]
        left, right = x(bar.start), x(bar.end)
        wide = max(right - left, 4.0)
        tip = (
            f"{initiative.title} ({initiative.reference}): {bar.start.isoformat()} to "
            f"{bar.end.isoformat()}, {bar.note}"
        )
        out.append(
            f'<text class="initiative" x="16" y="{top + 16}">'
            f"{escape(_clip(initiative.title, 46))}</text>"
            f'<rect class="bar {bar.kind}" data-initiative="{escape(initiative.reference)}" '
            f'x="{left}" y="{top + 5}" width="{round(wide, 1)}" height="{ROW - 10}" rx="3" '
            f'fill="{COLOURS[bar.kind]}"><title>{escape(tip)}</title></rect>'
        )
    today = x(plan.today)
    late_half = today > LABEL + plot / 2  # the label goes on the side with room
    out.append(
        f'<line class="today" x1="{today}" y1="18" x2="{today}" y2="{height}" '
        'stroke="#d81b60" stroke-width="2"/>'
        f'<text class="today-label" x="{today + (-4 if late_half else 4)}" y="14" '
        f'text-anchor="{"end" if late_half else "start"}">Today '
        f"{plan.today.isoformat()}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def progress_bar(percent: int | None, label: str) -> str:
    """A small horizontal bar with the share of initiatives closed."""
    if percent is None:
        return '<span class="muted">no initiatives</span>'
    filled = round(2 * percent)
    return (
        f'<svg class="progress" role="img" viewBox="0 0 260 18" width="260" height="18" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(label)}">'
        '<rect x="0" y="3" width="200" height="12" rx="6" fill="#e3e7ee"/>'
        f'<rect x="0" y="3" width="{filled}" height="12" rx="6" fill="#2e7d32"/>'
        f'<text x="208" y="14">{percent}%</text></svg>'
    )
