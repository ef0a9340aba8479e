"""Reads: the current user, objective epics page by page, an epic's comments, labels."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from triage.errors import GitLabError
from triage.gitlab import queries
from triage.gitlab.client import GitLab
from triage.records import Epic, Note

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


def _nodes(connection: Any) -> list[dict[str, Any]]:
    """The nodes of a connection, with a null connection, null nodes list or null node
    read as absent: GitLab answers ``null`` for a field it could not resolve."""
    nodes = connection.get("nodes") if isinstance(connection, dict) else None
    return [n for n in nodes or [] if isinstance(n, dict)]


def _field(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None


class BadEpic(GitLabError):
    """One work item GitLab answered in a shape the bot cannot read: that epic fails."""

    def __init__(self, node_id: str, reference: str, cause: str) -> None:
        super().__init__(
            f"{reference or node_id}: GitLab answered it in an unreadable shape ({cause})"
        )
        self.node_id = node_id
        self.reference = reference


def epic_from_node(node: dict[str, Any]) -> Epic:
    """An ``Epic`` record from a work item node of ``EPICS_PAGE``.

    Any field but the id may be ``null`` (a widget GitLab failed to resolve, ``widgets:
    null``): it reads as absent, so one odd epic is never a TypeError that stops the run.
    A value of the wrong kind (a date that is no date) raises ``BadEpic``: that epic fails.
    """
    widgets: dict[str, Any] = {}
    for widget in node.get("widgets") or []:
        if isinstance(widget, dict):
            widgets.update(widget)
    try:
        labels = [
            (str(n["title"]), str(n["id"]))
            for n in _nodes(widgets.get("labels"))
            if n.get("title") and n.get("id")
        ]
        assignees = [n["username"] for n in _nodes(widgets.get("assignees")) if n.get("username")]
        return Epic(
            id=str(node["id"]),
            iid=int(node.get("iid") or 0),
            title=node.get("title") or "",
            description=widgets.get("description") or "",
            labels=tuple(title for title, _ in labels),
            label_ids=tuple(labels),
            confidential=bool(node.get("confidential")),
            group=_field(node.get("namespace"), "fullPath") or "",
            author=_field(node.get("author"), "username") or "",
            assignees=tuple(assignees),
            created_at=_time(node.get("createdAt")),
            updated_at=_time(node.get("updatedAt")),
            start_date=_date(widgets.get("startDate")),
            due_date=_date(widgets.get("dueDate")),
            web_url=node.get("webUrl") or "",
            children=int(_field(widgets.get("children"), "count") or 0),
            reference=node.get("reference") or "",
            description_edited_at=_time(widgets.get("lastEditedAt")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadEpic(
            str(node.get("id") or "?"), str(node.get("reference") or ""), repr(exc)
        ) from None


def _readable(nodes: list[Any], on_bad: Callable[[BadEpic], None] | None) -> list[Epic]:
    epics = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        try:
            epics.append(epic_from_node(node))
        except BadEpic as exc:
            if on_bad is None:
                raise
            on_bad(exc)
    return epics


def epic_pages(
    gl: GitLab,
    group: str,
    objective_label: str,
    include_subgroups: bool,
    on_bad: Callable[[BadEpic], None] | None = None,
) -> Iterator[list[Epic]]:
    """Open objective epics of ``group``, one page (at most 100) at a time. An epic that
    cannot be read goes to ``on_bad`` (when given), so the others go on."""
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
        yield _readable(items.get("nodes") or [], on_bad)
        if not (items.get("pageInfo") or {}).get("hasNextPage"):
            return
        cursor = items["pageInfo"]["endCursor"]


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
                notes.append(
                    Note(
                        note["id"],
                        note["body"],
                        author,
                        bool(note.get("system")),
                        _time(note.get("updatedAt")),
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
