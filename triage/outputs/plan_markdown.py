"""The customer's success-plan report as Markdown: the same content as the HTML page, for
an e-mail, a wiki page or an issue. GitLab text is escaped for tables and sanitized, so
a title cannot mention anyone or run a quick action where the Markdown is pasted."""

from __future__ import annotations

import re
from collections.abc import Sequence

from triage.outputs.plan import CustomerPlan, Objective
from triage.outputs.svg import span
from triage.sanitize import sanitize

KIND_WORDS = {"done": "done", "open": "open", "late": "overdue", "undated": "no due date"}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _objective(objective: Objective, plan: CustomerPlan) -> list[str]:
    due = f"due {objective.due_date.isoformat()}" if objective.due_date else "no due date"
    progress = (
        f"{objective.closed_initiatives} of {len(objective.initiatives)} initiatives done "
        f"({objective.progress}%)"
        if objective.initiatives
        else "no initiatives yet"
    )
    lines = [
        f"### [{_cell(objective.title)}]({objective.url})",
        "",
        f"Status **{objective.status}** · Verifiable Outcome **{objective.stage}** · "
        f"{due} · owner {objective.owner or 'not named'} · progress: {progress}",
        "",
        "| SMART | |",
        "|---|---|",
    ]
    for part in objective.smart:
        value = {
            "missing": "**Not stated yet**",
            "unsure": f"{_cell(part.text)} _(to be confirmed)_",
        }.get(part.decision, _cell(part.text))
        lines.append(f"| {part.heading} | {value} |")
    if objective.initiatives:
        lines += [
            "",
            "| Initiative | State | Owner | Start | Due | On the timeline |",
            "|---|---|---|---|---|---|",
        ]
        for i in objective.initiatives:
            bar = span(i, plan.today)
            lines.append(
                f"| [{_cell(i.title)}]({i.web_url}) | {'Open' if i.open else 'Done'} | "
                f"{', '.join(i.assignees) or '**nobody**'} | "
                f"{i.start_date.isoformat() if i.start_date else ''} | "
                f"{i.due_date.isoformat() if i.due_date else '**not set**'} | "
                f"{bar.start.isoformat()} → {bar.end.isoformat()} ({KIND_WORDS[bar.kind]}) |"
            )
    return [*lines, ""]


MERMAID_STATE = {"done": "done, ", "late": "crit, ", "open": "", "undated": ""}


def _mermaid_text(text: str) -> str:
    """A title as Mermaid's gantt syntax takes it: no ``:``, ``#``, ``;`` or line break."""
    return " ".join(re.sub(r"[^\w .,()&/'+-]", " ", text).split())[:60] or "untitled"


def gantt(plan: CustomerPlan) -> list[str]:
    """The timeline as a Mermaid Gantt chart, which GitLab draws where the Markdown is
    shown; the report's date is a milestone (Mermaid's own marker shows the reader's
    today)."""
    sections = [o for o in plan.objectives if o.initiatives]
    if not sections:
        return []
    lines = [
        "```mermaid",
        "gantt",
        "  dateFormat YYYY-MM-DD",
        "  axisFormat %b %Y",
        f"  Report date {plan.today.isoformat()} : milestone, {plan.today.isoformat()}, 0d",
    ]
    for objective in sections:
        lines.append(f"  section {_mermaid_text(objective.title)}")
        for i in objective.initiatives:
            bar = span(i, plan.today)
            days = max((bar.end - bar.start).days, 1)
            lines.append(
                f"  {_mermaid_text(i.title)} : {MERMAID_STATE[bar.kind]}"
                f"{bar.start.isoformat()}, {days}d"
            )
    return [*lines, "```", ""]


def render_plan_markdown(plan: CustomerPlan) -> str:
    count = len(plan.objectives)
    lines = [
        f"# Success plan: {plan.name}",
        "",
        f"Report of {plan.today.isoformat()} · [{plan.group}]({plan.url}) · {count} open "
        "objective(s)."
        + (f" {plan.left_out} confidential objective(s) are not shown." if plan.left_out else ""),
        "",
        "## What changed",
        "",
    ]
    if plan.first:
        lines.append("This is the first report: the next one will list what changed since today.")
    elif not plan.changes:
        lines.append("Nothing changed since the last report.")
    else:
        since = plan.previous_date.isoformat() if plan.previous_date else "the last report"
        lines += [f"Since {since}:", "", *(f"- {line}" for line in plan.changes)]
    if plan.initiatives:
        lines += ["", "## Timeline of initiatives", "", *gantt(plan)]
    lines += ["", f"## Objectives (today: {plan.today.isoformat()})", ""]
    for objective in plan.objectives:
        lines += _objective(objective, plan)
    if not plan.objectives:
        lines.append("No open objective.")
    return sanitize("\n".join(lines)).rstrip() + "\n"


def render_index_markdown(plans: Sequence[tuple[CustomerPlan, str]]) -> str:
    lines = ["# Success plans", "", "| Customer | Open objectives | Initiatives |", "|---|---|---|"]
    lines += [
        f"| [{_cell(plan.name)}]({href}) | {len(plan.objectives)} | {len(plan.initiatives)} |"
        for plan, href in plans
    ]
    return "\n".join(lines) + "\n"
