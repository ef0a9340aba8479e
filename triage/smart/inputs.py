"""Read one objective for ``triage lint``: Markdown, or the sandbox's epic JSON shape."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from triage.errors import UsageError
from triage.records import Epic

TEXT_FIELDS = ("title", "description", "state", "group", "author")
LIST_FIELDS = ("labels", "assignees")


def read_objective(text: str, source: str) -> Epic:
    """An ``Epic`` from JSON (when the text starts with ``{``) or from Markdown."""
    if not text.strip():
        raise UsageError(f"{source}: the input is empty")
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{source}: not valid JSON: {exc.msg} (line {exc.lineno})") from exc
        return epic_from_shape(data, source)
    return epic_from_markdown(text)


def epic_from_markdown(text: str) -> Epic:
    """The first ``# `` line is the title; everything else is the description."""
    lines = text.replace("\r", "").split("\n")
    for index, line in enumerate(lines):
        if line.startswith("# "):
            description = "\n".join(lines[:index] + lines[index + 1 :]).strip()
            return Epic(title=line[2:].strip(), description=description)
    return Epic(title="", description=text.strip())


def _date(value: Any, key: str, source: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise UsageError(
            f"{source}: '{key}' must be a date like 2027-03-31, got {value!r}"
        ) from exc


def _time(value: Any, key: str, source: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"{source}: '{key}' must be an ISO 8601 time, got {value!r}") from exc


def epic_from_shape(data: Any, source: str) -> Epic:
    """An ``Epic`` from one epic of the sandbox's JSON shape (``GET /-/sandbox/state``)."""
    if not isinstance(data, dict):
        raise UsageError(f"{source}: expected a JSON object describing one epic")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise UsageError(f"{source}: 'title' is required and must be a string")
    for key in TEXT_FIELDS:
        if key in data and data[key] is not None and not isinstance(data[key], str):
            raise UsageError(f"{source}: '{key}' must be a string")
    for key in LIST_FIELDS:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"{source}: '{key}' must be a list of strings")
    children = data.get("children", [])
    if not isinstance(children, list):
        raise UsageError(f"{source}: 'children' must be a list")
    return Epic(
        title=data["title"],
        description=data.get("description") or "",
        labels=tuple(data.get("labels", [])),
        state=data.get("state") or "opened",
        confidential=bool(data.get("confidential", False)),
        group=data.get("group") or "",
        iid=int(data.get("iid") or 0),
        author=data.get("author") or "",
        assignees=tuple(data.get("assignees", [])),
        created_at=_time(data.get("created_at"), "created_at", source),
        updated_at=_time(data.get("updated_at"), "updated_at", source),
        start_date=_date(data.get("start_date"), "start_date", source),
        due_date=_date(data.get("due_date"), "due_date", source),
        children=len(children),
    )
