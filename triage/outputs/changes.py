"""What changed in a customer's plan since the last report.

Each report leaves a small JSON snapshot beside its pages (``plan.json``); the next report
reads it and says, in a sentence each, what is new, what moved and what closed. The
snapshot holds only what the sentences need, so nothing else of the plan is kept.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from triage.outputs.plan import CustomerPlan, Objective

SNAPSHOT_VERSION = 1


def snapshot(plan: CustomerPlan) -> dict[str, Any]:
    return {
        "version": SNAPSHOT_VERSION,
        "date": plan.today.isoformat(),
        "objectives": {
            o.reference: {
                "title": o.title,
                "status": o.status,
                "stage": o.stage,
                "due_date": o.due_date.isoformat() if o.due_date else None,
                "smart": [p.element for p in o.smart if p.decision == "present"],
                "initiatives": {
                    i.reference: {"title": i.title, "open": i.open} for i in o.initiatives
                },
            }
            for o in plan.objectives
        },
    }


def read_snapshot(path: Path) -> dict[str, Any] | None:
    """The snapshot at ``path``; None when there is none or it is unreadable (the report
    is then a first report, not a failure)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
        return None
    return data


def _objective_changes(o: Objective, before: dict[str, Any]) -> list[str]:
    name = f"“{o.title}”"
    lines = []
    if before.get("status") != o.status:
        lines.append(f"{name}: status {before.get('status')} → {o.status}.")
    if before.get("stage") != o.stage:
        lines.append(f"{name}: Verifiable Outcome {before.get('stage')} → {o.stage}.")
    due = o.due_date.isoformat() if o.due_date else None
    if before.get("due_date") != due:
        lines.append(
            f"{name}: due date {before.get('due_date') or 'not set'} → {due or 'not set'}."
        )
    had = set(before.get("smart") or [])
    has = {p.element for p in o.smart if p.decision == "present"}
    headings = {p.element: p.heading.lower() for p in o.smart}
    if has - had:
        gained = ", ".join(headings[e] for e in sorted(has - had))
        lines.append(f"{name}: now states its {gained}.")
    if had - has:
        lost = ", ".join(headings.get(e, e) for e in sorted(had - has))
        lines.append(f"{name}: no longer states its {lost}.")
    earlier = before.get("initiatives") or {}
    for i in o.initiatives:
        previous = earlier.get(i.reference)
        if previous is None:
            lines.append(f"{name}: new initiative “{i.title}”.")
        elif previous.get("open") and not i.open:
            lines.append(f"{name}: initiative “{i.title}” completed.")
        elif not previous.get("open") and i.open:
            lines.append(f"{name}: initiative “{i.title}” reopened.")
    return lines


def compare(plan: CustomerPlan, previous: dict[str, Any] | None) -> CustomerPlan:
    """``plan`` with the changes since ``previous`` (a snapshot), one sentence each."""
    if previous is None:
        return replace(plan, changes=(), first=True)
    before: dict[str, Any] = previous.get("objectives") or {}
    lines: list[str] = []
    now = {o.reference for o in plan.objectives}
    for o in plan.objectives:
        if o.reference not in before:
            lines.append(f"New objective “{o.title}”.")
        else:
            lines += _objective_changes(o, before[o.reference])
    for reference, old in before.items():
        if reference not in now:
            lines.append(f"“{old.get('title', reference)}” is no longer an open objective.")
    try:
        since: date | None = date.fromisoformat(previous.get("date", ""))
    except ValueError:
        since = None
    return replace(plan, changes=tuple(lines), previous_date=since, first=False)
