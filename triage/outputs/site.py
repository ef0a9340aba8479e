"""The report folder: one folder per customer (HTML page, Markdown, snapshot) and an index.

Layout, so a Pages site or an artifact can be browsed as it is::

    OUT/index.html  OUT/index.md
    OUT/<customer>/index.html  OUT/<customer>/plan.md  OUT/<customer>/plan.json

Each page is written to a temporary file and renamed, so a failed run leaves last
month's report whole rather than half of this month's.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from triage.outputs.changes import compare, read_snapshot, snapshot
from triage.outputs.plan import CustomerPlan
from triage.outputs.plan_html import render_index, render_plan
from triage.outputs.plan_markdown import render_index_markdown, render_plan_markdown

SNAPSHOT = "plan.json"


def slug(group: str) -> str:
    """A folder name for a group path: ``success-plans/acme`` -> ``success-plans-acme``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", group).strip("-.") or "customer"


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def previous_snapshot(out: Path, previous: Path | None, group: str) -> dict[str, Any] | None:
    """Last report's snapshot of ``group``: from ``previous`` (a report folder) when given,
    else from the folder about to be overwritten."""
    return read_snapshot((previous or out) / slug(group) / SNAPSHOT)


def write_customer(out: Path, plan: CustomerPlan, previous: Path | None) -> CustomerPlan:
    """Write one customer's pages and snapshot; returns the plan with its changes."""
    plan = compare(plan, previous_snapshot(out, previous, plan.group))
    folder = out / slug(plan.group)
    write_text(folder / "index.html", render_plan(plan))
    write_text(folder / "plan.md", render_plan_markdown(plan))
    write_text(folder / SNAPSHOT, json.dumps(snapshot(plan), indent=1, sort_keys=True) + "\n")
    return plan


def write_index(out: Path, plans: Sequence[CustomerPlan]) -> Path:
    html = [(plan, f"{slug(plan.group)}/index.html") for plan in plans]
    markdown = [(plan, f"{slug(plan.group)}/plan.md") for plan in plans]
    write_text(out / "index.html", render_index(html))
    write_text(out / "index.md", render_index_markdown(markdown))
    return out / "index.html"
