"""The customer's success-plan report as one self-contained HTML page, and the index.

Self-contained on purpose: a CSM attaches it to an e-mail or a customer opens it from a
Pages site, so it loads nothing from anywhere (no script, no font, no image from the
internet; the Content-Security-Policy says so to the browser too). Every text from GitLab
is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from triage.outputs.plan import CustomerPlan, Objective
from triage.outputs.svg import progress_bar, timeline
from triage.smart.stages import VO_STAGES

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:#1f1f24;margin:0;background:#f6f7f9}
main{max-width:1000px;margin:0 auto;padding:24px 28px;background:#fff}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #dde1e7}
h3{font-size:17px;margin:0}a{color:#1f5fbf}.muted{color:#6b6f76}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #dde1e7;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f6;width:150px}
.objective{border:1px solid #dde1e7;border-radius:8px;padding:14px 16px;margin:16px 0}
.chip{display:inline-block;border-radius:10px;padding:0 8px;font-size:13px;background:#e3e7ee}
.status-On-Track{background:#d7f0dd}.status-Watchpoint{background:#fdeccc}
.status-Concern{background:#f8d4d4}.status-Closed-Success{background:#e6dcf3}
.stages{display:flex;gap:4px;margin:8px 0}.stages span{flex:1;text-align:center;font-size:13px;
 padding:2px;border-radius:4px;background:#eef0f3;color:#6b6f76}
.stages span.reached{background:#1f5fbf;color:#fff}
.missing{color:#c62828;font-weight:600}.unsure{color:#a15c00}
svg text{font-size:12px;fill:#1f1f24}svg .objective{font-weight:600}svg .axis{fill:#6b6f76}
svg .grid{stroke:#e3e7ee}svg .today-label{fill:#d81b60;font-weight:600}
ul.changes li{margin:2px 0}.legend span{margin-right:14px;font-size:13px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;
 vertical-align:-1px}
"""


def _page(title: str, body: Sequence[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>",
            "<body><main>",
            *body,
            "</main></body></html>",
            "",
        ]
    )


def _stages(stage: str) -> str:
    reached = VO_STAGES.index(stage) if stage in VO_STAGES else -1
    cells = "".join(
        f'<span class="{"reached" if i <= reached else ""}">{name}</span>'
        for i, name in enumerate(VO_STAGES)
    )
    return f'<div class="stages" aria-label="Verifiable Outcome stage">{cells}</div>'


def _smart_table(objective: Objective) -> str:
    rows = []
    for part in objective.smart:
        if part.decision == "missing":
            value = '<span class="missing">Not stated yet</span>'
        elif part.decision == "unsure":
            value = f'{escape(part.text)} <span class="unsure">(to be confirmed)</span>'
        else:
            value = escape(part.text)
        rows.append(f"<tr><th>{part.heading}</th><td>{value}</td></tr>")
    return '<table class="smart">' + "".join(rows) + "</table>"


def _initiatives(objective: Objective) -> str:
    if not objective.initiatives:
        return '<p class="muted">No initiatives yet.</p>'
    rows = [
        "<tr>"
        f'<td><a href="{escape(i.web_url)}">{escape(i.title)}</a></td>'
        f"<td>{'Open' if i.open else 'Done'}</td>"
        f"<td>{escape(', '.join(i.assignees)) or '<span class=missing>nobody</span>'}</td>"
        f"<td>{i.start_date.isoformat() if i.start_date else ''}</td>"
        f"<td>{i.due_date.isoformat() if i.due_date else '<span class=missing>not set</span>'}</td>"
        "</tr>"
        for i in objective.initiatives
    ]
    head = "<tr><th>Initiative</th><th>State</th><th>Owner</th><th>Start</th><th>Due</th></tr>"
    return '<table class="initiatives">' + head + "".join(rows) + "</table>"


def _objective(objective: Objective) -> str:
    status = objective.status.replace(" ", "-")
    due = f"Due {objective.due_date.isoformat()}" if objective.due_date else "No due date"
    done = f"{objective.closed_initiatives} of {len(objective.initiatives)} initiatives done"
    return "\n".join(
        [
            f'<section class="objective" id="{escape(objective.reference)}">',
            f'<h3><a href="{escape(objective.url)}">{escape(objective.title)}</a></h3>',
            f'<p><span class="chip status-{escape(status)}">{escape(objective.status)}</span> '
            f'<span class="muted">{due} · Owner {escape(objective.owner or "not named")} · '
            f"{escape(objective.reference)}</span></p>",
            _stages(objective.stage),
            f"<p>Progress: {progress_bar(objective.progress, done)} "
            f'<span class="muted">{done if objective.initiatives else ""}</span></p>',
            _smart_table(objective),
            _initiatives(objective),
            "</section>",
        ]
    )


def _changes(plan: CustomerPlan) -> str:
    if plan.first:
        return "<p>This is the first report: the next one will list what changed since today.</p>"
    since = plan.previous_date.isoformat() if plan.previous_date else "the last report"
    if not plan.changes:
        return f"<p>Nothing changed since {since}.</p>"
    items = "".join(f"<li>{escape(line)}</li>" for line in plan.changes)
    return f'<p>Since {since}:</p><ul class="changes">{items}</ul>'


LEGEND = (
    '<p class="legend"><span><i style="background:#2e7d32"></i>done</span>'
    '<span><i style="background:#1f5fbf"></i>open</span>'
    '<span><i style="background:#c62828"></i>overdue</span>'
    '<span><i style="background:#8a8a8a"></i>no due date</span>'
    '<span><i style="background:#d81b60"></i>today</span></p>'
)


def render_plan(plan: CustomerPlan) -> str:
    count = len(plan.objectives)
    complete = sum(o.smart_present == len(o.smart) for o in plan.objectives)
    left_out = f" {plan.left_out} confidential objective(s) are not shown." if plan.left_out else ""
    body = [
        f"<h1>Success plan: {escape(plan.name)}</h1>",
        f'<p class="muted">Report of {plan.today.isoformat()} · '
        f'<a href="{escape(plan.url)}">{escape(plan.group)}</a> · {count} open objective(s), '
        f"{complete} with every SMART part stated.{left_out}</p>",
        "<h2>What changed</h2>",
        _changes(plan),
        "<h2>Timeline of initiatives</h2>",
        LEGEND,
        timeline(plan),
        "<h2>Objectives</h2>",
        *(
            [_objective(o) for o in plan.objectives]
            if plan.objectives
            else ['<p class="muted">No open objective.</p>']
        ),
    ]
    return _page(f"Success plan: {plan.name} ({plan.today.isoformat()})", body)


def render_index(plans: Sequence[tuple[CustomerPlan, str]]) -> str:
    """The page that links every customer's report (``href`` relative to the index)."""
    rows = "".join(
        f'<tr><td><a href="{escape(href)}">{escape(plan.name)}</a></td>'
        f"<td>{len(plan.objectives)}</td><td>{len(plan.initiatives)}</td>"
        f"<td>{len(plan.changes) if not plan.first else 'first report'}</td></tr>"
        for plan, href in plans
    )
    today = plans[0][0].today.isoformat() if plans else ""
    body = [
        "<h1>Success plans</h1>",
        f'<p class="muted">Reports of {today}.</p>',
        "<table><tr><th>Customer</th><th>Open objectives</th><th>Initiatives</th>"
        f"<th>Changes</th></tr>{rows}</table>",
    ]
    return _page("Success plans", body)
