"""The summary issue's Markdown (GitLab-flavoured), and the data block it carries.

The issue embeds its headline figures as JSON in an HTML comment, so next week's summary
can show week-over-week change without any other storage. Epic titles are untrusted text:
they are escaped for tables and links, and the whole body passes the sanitizer before the
block is appended. Confidential epics appear only as counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from triage.records import EpicRecord
from triage.sanitize import sanitize
from triage.smart.findings import FINDING_KINDS
from triage.summary.figures import HEADLINE, STAGES, Figures, Row, Top, disagrees, half_year

BLOCK = re.compile(r"<!-- smart-triage:summary (?P<json>\{.*?\}) -->", re.DOTALL)
TICK = re.compile(r"^- \[[xX]\] `(?P<name>[^`]+)`", re.MULTILINE)
LABELS = {
    "scanned": "Objectives scanned",
    "complete": "Complete (all SMART parts)",
    "incomplete": "Incomplete",
    "overdue": "Overdue",
    "stale": "Stale (no update by a person)",
    "failed": "Failed to process",
}


@dataclass(frozen=True)
class Previous:
    """What last week's (or this week's earlier) summary said."""

    headline: dict[str, int]
    window: str
    verified: frozenset[str]
    week: str = ""
    llm: tuple[int, int] = (0, 0)  # LLM calls and tokens spent this week so far


def read_previous(body: str | None) -> Previous | None:
    if not body:
        return None
    match = BLOCK.search(body)
    if not match:
        return None
    try:
        data = json.loads(match.group("json"))
    except json.JSONDecodeError:
        return None
    ticked = {m.group("name") for m in TICK.finditer(body)}
    llm = data.get("llm_week", [0, 0])
    return Previous(
        data.get("headline", {}),
        data.get("window", ""),
        frozenset(ticked | set(data.get("verified", []))),
        data.get("week", ""),
        (int(llm[0]), int(llm[1])),
    )


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _link(epic: EpicRecord) -> str:
    title = re.sub(r"[\[\]]", "", _cell(epic.title))[:80]
    return f"[{epic.reference}]({epic.url}) {title}"


def _epic_list(top: Top) -> str:
    parts = [f"[{e.reference}]({e.url})" for e in top.items]
    if top.public > len(top.items):
        parts.append(f"and {top.public - len(top.items)} more")
    if top.confidential:
        parts.append(f"{top.confidential} confidential")
    return ", ".join(parts)


def _bullets(top: Top, line: Callable[[EpicRecord], str]) -> list[str]:
    """A bullet per listed epic; the rest and the confidential ones only counted."""
    lines = [line(e) for e in top.items]
    if top.public > len(top.items):
        lines.append(f"- and {top.public - len(top.items)} more (see the run report)")
    if top.confidential:
        lines.append(f"- {top.confidential} confidential")
    return lines


def _delta(now: int, before: int | None) -> str:
    if before is None:
        return "new"
    change = now - before
    return f"{change:+d}" if change else "0"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _rows(rows: list[Row], attention: bool) -> list[list[Any]]:
    return [
        [
            f"`{r.name}`",
            r.objectives,
            r.incomplete,
            r.overdue,
            r.stale,
            r.initiatives,
            f"{r.completeness}%",
            *([_epic_list(r.attention)] if attention else []),
        ]
        for r in rows
    ]


def _chart(figures: Figures) -> list[str]:
    names = ", ".join(json.dumps(r.name) for r in figures.csms)
    values = ", ".join(str(r.completeness) for r in figures.csms)
    return [
        "```mermaid",
        "xychart-beta",
        '  title "SMART completeness by CSM (%)"',
        f"  x-axis [{names}]",
        '  y-axis "complete %" 0 --> 100',
        f"  bar [{values}]",
        "```",
    ]


def render(figures: Figures, previous: Previous | None) -> str:
    """The whole issue description."""
    window, due = half_year(figures.today)
    before = previous.headline if previous else {}
    verified = previous.verified if previous and previous.window == window else frozenset()
    lines = [
        f"Weekly triage of customer success plans, week {figures.week} "
        f"(as of {figures.today.isoformat()}).",
        "",
        *_table(
            ["Figure", "This week", "Change since last summary"],
            [
                [LABELS[k], figures.headline[k], _delta(figures.headline[k], before.get(k))]
                for k in HEADLINE
            ],
        ),
        "",
        "## By CSM",
        "",
        *_table(
            [
                "CSM",
                "Objectives",
                "Incomplete",
                "Overdue",
                "Stale",
                "Initiative gaps",
                "SMART %",
                "Needs attention",
            ],
            _rows(figures.csms, attention=True),
        ),
        "",
        *_chart(figures),
        "",
        "## By customer",
        "",
        *_table(
            [
                "Customer",
                "Objectives",
                "Incomplete",
                "Overdue",
                "Stale",
                "Initiative gaps",
                "SMART %",
            ],
            _rows(figures.customers, attention=False),
        ),
        "",
        "## Verifiable Outcomes",
        "",
        *_table([*STAGES, "No stage"], [[figures.funnel[s] for s in [*STAGES, "no stage"]]]),
        "",
    ]
    if figures.disagreements.public or figures.disagreements.confidential:
        lines += ["Stage and content disagree:", ""]
        lines += _bullets(figures.disagreements, lambda e: f"- {_link(e)}: {disagrees(e)}")
        lines.append("")
    if figures.findings:
        lines += ["## Most common findings", ""]
        lines += _table(
            ["Finding", "Objectives"],
            [
                [FINDING_KINDS[f].message.split(":")[0] if f in FINDING_KINDS else f, n]
                for f, n in figures.findings
            ],
        )
        lines.append("")
    for heading, epics in figures.sections.items():
        lines += [f"## {_cell(heading)}", ""]
        lines += _bullets(epics, lambda e: f"- {_link(e)} (`{e.owner or e.author}`)")
        lines.append("")
    lines += [
        f"## Manager verification, {window}",
        "",
        f"Review each CSM's success plans and tick them by {due.isoformat()}.",
        "",
    ]
    lines += [f"- [{'x' if r.name in verified else ' '}] `{r.name}`" for r in figures.csms]
    lines.append("")
    same_week = previous is not None and previous.week == figures.week
    before_calls, before_tokens = previous.llm if previous and same_week else (0, 0)
    week_llm = (
        before_calls + int(figures.llm.get("calls", 0)),
        before_tokens
        + int(figures.llm.get("prompt_tokens", 0))
        + int(figures.llm.get("completion_tokens", 0)),
    )
    lines += _run_section(figures, week_llm)
    block = {
        "week": figures.week,
        "headline": figures.headline,
        "window": window,
        "verified": sorted(verified),
        "llm_week": list(week_llm),
    }
    body = sanitize("\n".join(lines).rstrip())
    return f"{body}\n\n<!-- smart-triage:summary {json.dumps(block, sort_keys=True)} -->\n"


def _run_section(figures: Figures, week_llm: tuple[int, int]) -> list[str]:
    """Errors of the latest run, and LLM use summed over the week, so that a re-run on
    unchanged data leaves the issue as it is."""
    lines = ["## This run", ""]
    if figures.errors:
        lines += ["Errors:", ""] + [f"- {_cell(e)}" for e in figures.errors[:30]]
        if len(figures.errors) > 30:
            lines.append(f"- and {len(figures.errors) - 30} more (see the run report)")
        lines.append("")
    llm = figures.llm
    if llm.get("drafter") == "offline template":
        lines.append("Drafts: offline templates (no LLM configured).")
    else:
        lines.append(f"LLM drafts this week: {week_llm[0]} calls, {week_llm[1]} tokens.")
        if llm.get("budget_exhausted"):
            lines.append("The budget ran out: later objectives got no draft.")
    if llm.get("draft_errors"):
        lines.append(f"{len(llm['draft_errors'])} draft(s) failed and will be retried.")
    return lines
