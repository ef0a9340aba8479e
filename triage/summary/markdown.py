"""The summary issue's Markdown (GitLab-flavoured), and the data block it carries.

A manager reads it top down in two minutes: the headline, one row per CSM (new, still
open, fixed), then each epic that needs attention, once, under its most urgent heading with
its findings inline; then what was fixed, what was set aside, customers, the trend. Every
figure comes from the same per-epic results (``figures.py``). The chart is a plain table
of bars: ``xychart-beta`` needs Mermaid 10.6 or later, and GitLab bundles its own Mermaid
(its yarn.lock pinned 8.9.2 in the 13.x releases), so a self-managed instance that is not
recent shows an error box where a text bar shows everywhere. Epic titles are untrusted:
escaped for tables and links, and the whole body passes the sanitizer before the block is
appended. Confidential epics appear only as counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from triage.sanitize import sanitize
from triage.smart.findings import FINDING_KINDS
from triage.summary.block import BLOCK, TREND_WEEKS, Block, Previous, read_previous
from triage.summary.figures import STAGES, Figures, Row, Top, half_year
from triage.summary.results import EpicResult
from triage.summary.sections import SECTIONS, Context, section

__all__ = ["BLOCK", "HEADLINE", "Previous", "read_previous", "render"]

# The headline, top down: the first five add up (scanned = the four after it); the rest
# are facts about the same objectives. Keys are Row counts.
HEADLINE: list[tuple[str, str]] = [
    ("scanned", "Objectives scanned"),
    ("attention", "Need attention (listed below)"),
    ("fixed", "Fixed since last week"),
    ("set_aside", "Opted out or snoozed, nothing else open"),
    ("clean", "Nothing open"),
    ("new", "Need attention: new since last week"),
    ("still_open", "Need attention: still open from last week"),
    ("smart", "Missing SMART parts"),
    ("format", "Missing reporting format (headings, due date)"),
    ("overdue", "Overdue"),
    ("stale", "Stale (no update by a person)"),
    ("opted_out", "Opted out by label"),
    ("snoozed", "With a check snoozed"),
    ("gone", "Listed last week, not scanned now (closed, relabelled or not read)"),
    ("failed", "Failed to process"),
]
BAR = 10  # characters of a full bar


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _title(text: str) -> str:
    return _cell(text).replace("[", "").replace("]", "")[:80]


def _named(name: str, path: str, url: str) -> str:
    """A customer or CSM: the display name, and the path as a link."""
    if not url:
        return f"{_title(name)} (`{path}`)" if name != path else f"`{path}`"
    return f"{_title(name)} ([{path}]({url}))" if name != path else f"[{path}]({url})"


def _delta(now: int, before: int | None) -> str:
    if before is None:
        return "-"
    change = now - before
    return f"{change:+d}" if change else "0"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _line(epic: EpicResult, compared: bool) -> str:
    tag = " **new**" if compared and epic.new else ""
    inline = epic.inline()
    return (
        f"- [{epic.reference}]({epic.url}) {_title(epic.title)} · {_title(epic.csm_name)}{tag}"
        + (f" · {_cell(inline)}" if inline else "")
    )


def _bullets(top: Top, line: Callable[[EpicResult], str]) -> list[str]:
    """A bullet per listed epic; the rest and the confidential ones only counted."""
    lines = [line(e) for e in top.items]
    if top.public > len(top.items):
        lines.append(f"- and {top.public - len(top.items)} more (see the run report)")
    if top.confidential:
        lines.append(f"- {top.confidential} confidential")
    return lines


def bar(percent: int) -> str:
    full = round(percent * BAR / 100)
    return "█" * full + "░" * (BAR - full)


@section(10)
def intro(ctx: Context) -> list[str]:
    figures = ctx.figures
    baseline = figures.baseline
    compared = (
        f"Compared with the summary of {baseline.week}."
        if baseline and baseline.week
        else "No earlier summary to compare with: every objective that needs attention "
        "counts as new."
    )
    if baseline and baseline.listed is None:
        compared += (
            " That summary does not list its objectives' references: new and fixed "
            "objectives are told apart from next week."
        )
    return [
        f"Weekly triage of customer success plans, week {figures.week} "
        f"(as of {figures.today.isoformat()}). {compared}",
    ]


@section(20)
def headline(ctx: Context) -> list[str]:
    figures = ctx.figures
    before = figures.baseline.headline if figures.baseline else {}
    rows = [
        [label, figures.headline.get(key, 0), _delta(figures.headline.get(key, 0), before.get(key))]
        for key, label in HEADLINE
        if key != "gone" or figures.baseline
    ]
    return _table(["Figure", "This week", "Change since last week"], rows)


def _csm_rows(rows: list[Row]) -> list[list[Any]]:
    return [
        [
            _named(r.name, r.key, r.url),
            r.objectives,
            r.new,
            r.still_open,
            r.fixed,
            r.smart,
            r.format,
            r.overdue,
            r.stale,
            r.opted_out,
            r.snoozed,
            r.initiatives,
        ]
        for r in rows
    ]


@section(30)
def by_csm(ctx: Context) -> list[str]:
    figures = ctx.figures
    lines = ["## By CSM", ""]
    lines += _table(
        [
            "CSM",
            "Objectives",
            "New",
            "Still open",
            "Fixed",
            "SMART parts missing",
            "Format missing",
            "Overdue",
            "Stale",
            "Opted out",
            "Snoozed",
            "Initiative gaps",
        ],
        _csm_rows(figures.csms),
    )
    lines += [""]
    lines += _table(
        ["CSM", "Objectives with nothing open"],
        [[r.name, f"{bar(r.share_clear)} {r.share_clear}%"] for r in figures.csms],
    )
    return lines


@section(40)
def attention(ctx: Context) -> list[str]:
    """Each epic once, under its most urgent heading, its findings inline."""
    figures = ctx.figures
    compared = figures.baseline is not None
    lines: list[str] = []
    for heading, epics in figures.sections.items():
        lines += [f"## {_cell(heading)} ({epics.total})", ""]
        lines += _bullets(epics, lambda e: _line(e, compared))
        lines.append("")
    return lines[:-1]


@section(50)
def fixed(ctx: Context) -> list[str]:
    figures = ctx.figures
    if figures.baseline is None:
        return []
    lines = [f"## Fixed since last week ({figures.fixed.total})", ""]
    if not figures.fixed.total:
        return [*lines, "Nothing listed last week is fixed yet."]
    return lines + _bullets(figures.fixed, lambda e: _line(e, False))


@section(60)
def set_aside(ctx: Context) -> list[str]:
    top = ctx.figures.set_aside
    if not top.total:
        return []
    lines = [f"## Opted out or snoozed, nothing else open ({top.total})", ""]
    return lines + _bullets(top, lambda e: _line(e, False))


@section(70)
def by_customer(ctx: Context) -> list[str]:
    rows = [
        [
            _named(r.name, r.key, r.url),
            r.objectives,
            r.attention,
            r.smart,
            r.format,
            r.overdue,
            r.stale,
            r.opted_out,
            r.snoozed,
            r.initiatives,
        ]
        for r in ctx.figures.customers
    ]
    header = [
        "Customer",
        "Objectives",
        "Need attention",
        "SMART parts missing",
        "Format missing",
        "Overdue",
        "Stale",
        "Opted out",
        "Snoozed",
        "Initiative gaps",
    ]
    return ["## By customer", "", *_table(header, rows)]


def trend_of(figures: Figures) -> list[dict[str, Any]]:
    """The last weeks, oldest first, this week last (a re-run replaces this week's)."""
    earlier = list(figures.baseline.trend) if figures.baseline else []
    weeks = [t for t in earlier if str(t.get("week", "")) < figures.week]
    return [*weeks, figures.trend_entry()][-TREND_WEEKS:]


@section(80)
def trend(ctx: Context) -> list[str]:
    rows = [
        [
            t["week"],
            *(
                t.get(k, "")
                for k in ("attention", "new", "fixed", "smart", "format", "overdue", "stale")
            ),
        ]
        for t in trend_of(ctx.figures)
    ]
    header = [
        "Week",
        "Need attention",
        "New",
        "Fixed",
        "SMART parts missing",
        "Format missing",
        "Overdue",
        "Stale",
    ]
    return [f"## Last {TREND_WEEKS} weeks", "", *_table(header, rows)]


@section(90)
def outcomes(ctx: Context) -> list[str]:
    figures = ctx.figures
    lines = ["## Verifiable Outcomes", ""]
    lines += _table([*STAGES, "No stage"], [[figures.funnel[s] for s in [*STAGES, "no stage"]]])
    if figures.findings:
        lines += ["", "## Most common findings", ""]
        lines += _table(
            ["Finding", "Objectives"],
            [
                [FINDING_KINDS[f].message.split(":")[0] if f in FINDING_KINDS else f, n]
                for f, n in figures.findings
            ],
        )
    return lines


@section(100)
def verification(ctx: Context) -> list[str]:
    lines = [
        f"## Manager verification, {ctx.window}",
        "",
        f"Review each CSM's success plans and tick them by {ctx.due.isoformat()}.",
        "",
    ]
    return lines + [
        f"- [{'x' if r.key in ctx.verified else ' '}] `{r.key}` {_title(r.name)}".rstrip()
        for r in ctx.figures.csms
    ]


@section(110)
def this_run(ctx: Context) -> list[str]:
    """Errors of the latest run, and LLM use summed over the week, so that a re-run on
    unchanged data leaves the issue as it is."""
    figures, week_llm = ctx.figures, ctx.week_llm
    lines = ["## This run", ""]
    if figures.errors:
        lines += ["Errors:", ""] + [f"- {_cell(e)}" for e in figures.errors[:30]]
        if len(figures.errors) > 30:
            lines.append(f"- and {len(figures.errors) - 30} more (see the run report)")
        lines.append("")
    llm = figures.llm
    if llm.get("drafter") == "offline template":
        lines.append("Drafts: offline, from the KPI library (no LLM configured).")
    else:
        lines.append(f"LLM drafts this week: {week_llm[0]} calls, {week_llm[1]} tokens.")
        if llm.get("budget_exhausted"):
            lines.append("The budget ran out: later objectives got no draft.")
    if llm.get("draft_errors"):
        lines.append(f"{len(llm['draft_errors'])} draft(s) failed and will be retried.")
    return lines


def render(figures: Figures, previous: Previous | None) -> str:
    """The whole issue description. ``previous``: this week's issue when re-run, else last
    week's (ticked boxes carry over within a verification window, model use within a week);
    week-over-week figures come from ``figures.baseline``."""
    window, due = half_year(figures.today)
    verified = previous.verified if previous and previous.window == window else frozenset()
    same_week = previous is not None and previous.week == figures.week
    before_calls, before_tokens = previous.llm if previous and same_week else (0, 0)
    week_llm = (
        before_calls + int(figures.llm.get("calls", 0)),
        before_tokens
        + int(figures.llm.get("prompt_tokens", 0))
        + int(figures.llm.get("completion_tokens", 0)),
    )
    ctx = Context(figures, window, due, verified, week_llm, previous)
    parts = [lines for s in SECTIONS if (lines := s.render(ctx))]
    body = sanitize("\n\n".join("\n".join(lines) for lines in parts).rstrip())
    block = Block(
        week=figures.week,
        headline=figures.headline,
        window=window,
        verified=sorted(verified),
        llm_week=week_llm,
        listed=figures.listed,
        trend=trend_of(figures),
        feedback=dict(figures.extra.get("feedback") or {}),
    )
    return f"{body}\n\n{block.render()}\n"
