"""Objectives as Gainsight success-plan objectives, and their initiatives as its tasks.

The handbook keeps success plans in Gainsight and has objectives "sync" there; this
writes what a Gainsight import reads: one CSV row per objective with Gainsight's field
names, one CSV row per task naming its objective, and the same as one JSON document with
the tasks inside their objectives. Which label or description section fills which field
is the policies' ``gainsight:`` mapping.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from triage.plan.assess import owner_of
from triage.policy.gainsight import GainsightMapping, Source
from triage.records import Epic, Initiative
from triage.smart.checker import Checker
from triage.smart.parse import normalise_label, parse

OBJECTIVE_COLUMNS = (
    "Name",
    "Owner",
    "Due Date",
    "Objective Category",
    "Status",
    "Priority",
    "Playbook",
    "Success Criteria",
    "Comments",
    "Summary of Outcome",
    "GitLab URL",
    "Customer",
)
FIELD_COLUMNS = {
    "objective_category": "Objective Category",
    "status": "Status",
    "priority": "Priority",
    "playbook": "Playbook",
    "success_criteria": "Success Criteria",
    "comments": "Comments",
    "summary_of_outcome": "Summary of Outcome",
}
TASK_COLUMNS = (
    "Objective",
    "Objective GitLab URL",
    "Name",
    "Owner",
    "Due Date",
    "Status",
    "GitLab URL",
)
MAX_TEXT = 4000  # a text field longer than this is cut, with an ellipsis


@dataclass(frozen=True)
class Row:
    objective: dict[str, str]
    tasks: tuple[dict[str, str], ...]


def section_text(description: str, headings: Sequence[str]) -> str:
    """The text under the first of ``headings`` in ``description`` (Markdown headings or
    ``**Label:**`` fields), one paragraph per line; "" when none is there."""
    wanted = [normalise_label(h) for h in headings]
    blocks = parse(description).blocks
    for heading in wanted:
        for block in blocks:
            if block.kind in ("heading", "field") and normalise_label(block.label) == heading:
                text = _paragraphs(block.text)
                return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
    return ""


def _paragraphs(text: str) -> str:
    """Markdown as plain text for a Gainsight field: one line per paragraph (hard-wrapped
    lines joined) and per bullet, written "•"."""
    lines: list[str] = []
    joining = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            joining = False
        elif line[:2] in ("- ", "* ", "+ "):
            lines.append(f"• {line[2:].strip()}")
            joining = False
        elif joining:
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
            joining = True
    return "\n".join(lines)


def value_of(source: Source, epic: Epic) -> str:
    if epic.state == "closed" and source.closed is not None:
        return source.closed
    if source.text is not None:
        return source.text
    if source.label_scope:
        for label in epic.labels:
            scope, _, value = label.rpartition("::")
            if scope == source.label_scope and value:
                return source.values.get(value, value)
        return source.default
    if source.labels:
        for label, value in source.labels.items():
            if label in epic.labels:
                return value
        return source.default
    return section_text(epic.description, source.section) or source.default


def task_of(
    initiative: Initiative, objective: dict[str, str], mapping: GainsightMapping
) -> dict[str, str]:
    return {
        "Objective": objective["Name"],
        "Objective GitLab URL": objective["GitLab URL"],
        "Name": initiative.title,
        "Owner": initiative.assignees[0] if initiative.assignees else "",
        "Due Date": initiative.due_date.isoformat() if initiative.due_date else "",
        "Status": mapping.task_opened if initiative.open else mapping.task_closed,
        "GitLab URL": initiative.web_url,
    }


def row_of(
    epic: Epic, customer: str, mapping: GainsightMapping, checker: Checker, confidential: bool
) -> Row:
    objective = {
        "Name": epic.title,
        "Owner": owner_of(epic, checker.check(epic)) or "",
        "Due Date": epic.due_date.isoformat() if epic.due_date else "",
        **{FIELD_COLUMNS[name]: value_of(source, epic) for name, source in mapping.sources.items()},
        "GitLab URL": epic.web_url,
        "Customer": customer,
    }
    tasks = tuple(
        task_of(i, objective, mapping)
        for i in epic.initiatives
        if confidential or not i.confidential
    )
    return Row({c: objective.get(c, "") for c in OBJECTIVE_COLUMNS}, tasks)


def _csv(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _neutral(row.get(c, "")) for c in columns})
    return out.getvalue()


def _neutral(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ at its start)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def objectives_csv(rows: Sequence[Row]) -> str:
    return _csv(OBJECTIVE_COLUMNS, (r.objective for r in rows))


def tasks_csv(rows: Sequence[Row]) -> str:
    return _csv(TASK_COLUMNS, (task for r in rows for task in r.tasks))


def as_json(rows: Sequence[Row], today: date) -> str:
    document = {
        "exported": today.isoformat(),
        "objectives": [{**r.objective, "Tasks": list(r.tasks)} for r in rows],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
