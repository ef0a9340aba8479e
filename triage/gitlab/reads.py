"""Reads: the current user, objective epics page by page, an epic's comments, labels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from triage.errors import GitLabError
from triage.gitlab import queries
from triage.gitlab.client import GitLab
from triage.records import Epic, Initiative, Note

# GitLab answers ``workItems: null`` when the namespace has no work items enabled
# (app/graphql/resolvers/namespaces/work_items_resolver.rb, its ``ready?`` check).
NO_WORK_ITEM_EPICS = (
    "group '{group}' has no epics as work items (GitLab answered workItems: null). "
    "The bot needs GitLab Premium or Ultimate with epics as work items: GitLab.com, or "
    "Self-Managed 17.7 or later (17.2 to 17.6: turn on the work_item_epics feature flag)"
)


def current_username(gl: GitLab) -> str:
    user = gl.query(queries.CURRENT_USER).get("currentUser")
    if not user:
        raise GitLabError("GitLab did not say who the token belongs to")
    username: str = user["username"]
    return username


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _widgets(node: dict[str, Any]) -> dict[str, Any]:
    widgets: dict[str, Any] = {}
    for widget in node.get("widgets") or []:
        widgets.update(widget)
    return widgets


def initiative_from_node(node: dict[str, Any]) -> Initiative:
    """An ``Initiative`` from a child work item node (the ``Initiative`` fragment)."""
    widgets = _widgets(node)
    return Initiative(
        title=node["title"],
        state="closed" if node.get("state") == "CLOSED" else "opened",
        id=node.get("id") or "",
        reference=node.get("reference") or "",
        web_url=node.get("webUrl") or "",
        assignees=tuple(a["username"] for a in (widgets.get("assignees") or {}).get("nodes", [])),
        labels=tuple(n["title"] for n in (widgets.get("labels") or {}).get("nodes", [])),
        start_date=_date(widgets.get("startDate")),
        due_date=_date(widgets.get("dueDate")),
        created_at=_time(node.get("createdAt")),
        updated_at=_time(node.get("updatedAt")),
        closed_at=_time(node.get("closedAt")),
        confidential=bool(node.get("confidential")),
    )


def _initiatives(nodes: list[dict[str, Any]]) -> list[Initiative]:
    """Child issues only: a child epic is a sub-objective, not a step of this one's plan."""
    return [
        initiative_from_node(n)
        for n in nodes
        if (n.get("workItemType") or {}).get("name", "Issue") != "Epic"
    ]


def epic_from_node(node: dict[str, Any]) -> Epic:
    """An ``Epic`` record from a work item node of ``EPICS_PAGE``."""
    widgets = _widgets(node)
    labels = [(n["title"], n["id"]) for n in (widgets.get("labels") or {}).get("nodes", [])]
    assignees = (widgets.get("assignees") or {}).get("nodes", [])
    author = node.get("author") or {}
    people = {a["username"]: a.get("name") or "" for a in assignees}
    if author.get("username"):
        people.setdefault(author["username"], author.get("name") or "")
    return Epic(
        id=node["id"],
        iid=int(node["iid"]),
        title=node["title"],
        description=widgets.get("description") or "",
        labels=tuple(title for title, _ in labels),
        label_ids=tuple(labels),
        confidential=bool(node.get("confidential")),
        group=(node.get("namespace") or {}).get("fullPath", ""),
        author=(node.get("author") or {}).get("username", ""),
        assignees=tuple(a["username"] for a in assignees),
        created_at=_time(node.get("createdAt")),
        updated_at=_time(node.get("updatedAt")),
        start_date=_date(widgets.get("startDate")),
        due_date=_date(widgets.get("dueDate")),
        web_url=node.get("webUrl") or "",
        children=int((widgets.get("children") or {}).get("count", 0)),
        initiatives=tuple(_initiatives((widgets.get("children") or {}).get("nodes") or [])),
        reference=node.get("reference") or "",
        description_edited_at=_time(widgets.get("lastEditedAt")),
        group_name=(node.get("namespace") or {}).get("fullName") or "",
        people=tuple((user, name) for user, name in people.items() if name),
    )


def epic_pages(
    gl: GitLab, group: str, objective_label: str, include_subgroups: bool
) -> Iterator[list[Epic]]:
    """Open objective epics of ``group``, one page (at most 100) at a time."""
    cursor: str | None = None
    while True:
        data = gl.query(
            queries.EPICS_PAGE,
            {
                "path": group,
                "labels": [objective_label],
                "descendants": include_subgroups,
                "cursor": cursor,
            },
        )
        if data.get("group") is None:
            raise GitLabError(f"group '{group}' does not exist or the token cannot see it")
        items = data["group"].get("workItems")
        if items is None:
            raise GitLabError(NO_WORK_ITEM_EPICS.format(group=group))
        yield [_complete(gl, node, epic_from_node(node)) for node in items["nodes"]]
        if not items["pageInfo"]["hasNextPage"]:
            return
        cursor = items["pageInfo"]["endCursor"]


def _complete(gl: GitLab, node: dict[str, Any], epic: Epic) -> Epic:
    """``epic`` with every initiative: the page brings the first 100 children of each
    objective; the rare objective with more costs one request per further 100."""
    page = _widgets(node).get("children") or {}
    if not (page.get("pageInfo") or {}).get("hasNextPage"):
        return epic
    initiatives = list(epic.initiatives)
    cursor = page["pageInfo"]["endCursor"]
    while cursor:
        data = gl.query(queries.EPIC_CHILDREN, {"id": epic.id, "cursor": cursor})
        item = data.get("workItem") or {}
        more = _widgets(item).get("children") or {}
        initiatives += _initiatives(more.get("nodes") or [])
        info = more.get("pageInfo") or {}
        cursor = info.get("endCursor") if info.get("hasNextPage") else None
    return replace(epic, initiatives=tuple(initiatives))


def comments(gl: GitLab, epic_id: str) -> list[Note]:
    """Every note of an epic (comments and system notes), across pages."""
    notes: list[Note] = []
    cursor: str | None = None
    while True:
        data = gl.query(queries.EPIC_NOTES, {"id": epic_id, "cursor": cursor})
        item = data.get("workItem")
        if item is None:
            raise GitLabError("the epic no longer exists or the token cannot see it")
        widget = next((w for w in item["widgets"] if "discussions" in w), None)
        if widget is None:
            return notes
        page = widget["discussions"]
        for discussion in page["nodes"]:
            for note in discussion["notes"]["nodes"]:
                author = (note.get("author") or {}).get("username", "")
                awards = (note.get("awardEmoji") or {}).get("nodes") or []
                notes.append(
                    Note(
                        note["id"],
                        note["body"],
                        author,
                        bool(note.get("system")),
                        _time(note.get("updatedAt")),
                        discussion.get("replyId"),
                        bool(note.get("internal")),
                        tuple(
                            (a["name"], (a.get("user") or {}).get("username", ""))
                            for a in awards
                            if a
                        ),
                    )
                )
        if not page["pageInfo"]["hasNextPage"]:
            return notes
        cursor = page["pageInfo"]["endCursor"]


def group_labels(gl: GitLab, group: str) -> dict[str, str]:
    """Title -> global id of every label usable in ``group`` (its own and ancestors')."""
    labels: dict[str, str] = {}
    cursor: str | None = None
    while True:
        data = gl.query(queries.GROUP_LABELS, {"path": group, "cursor": cursor})
        if data.get("group") is None:
            raise GitLabError(f"group '{group}' does not exist or the token cannot see it")
        page = data["group"]["labels"]
        labels.update({n["title"]: n["id"] for n in page["nodes"]})
        if not page["pageInfo"]["hasNextPage"]:
            return labels
        cursor = page["pageInfo"]["endCursor"]


def group_info(gl: GitLab, group: str) -> tuple[str, str]:
    """A group's full display name and web address."""
    data = gl.query(queries.GROUP_INFO, {"path": group})
    found = data.get("group")
    if found is None:
        raise GitLabError(f"group '{group}' does not exist or the token cannot see it")
    return str(found.get("fullName") or group), str(found.get("webUrl") or "")
