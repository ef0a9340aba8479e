"""Reads: the current user, objective epics page by page, an epic's comments, labels."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from triage.errors import GitLabError, GitLabTimedOut
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


class BadEpic(GitLabError):
    """One work item GitLab answered in a shape the bot cannot judge: that epic fails."""

    def __init__(self, node_id: str, reference: str, cause: str) -> None:
        super().__init__(
            f"{reference or node_id}: GitLab answered it in an unreadable shape ({cause})"
        )
        self.node_id = node_id
        self.reference = reference


def _needed(data: Any, key: str, kind: type | tuple[type, ...] = dict) -> Any:
    """``data[key]``, which must be there and of ``kind``: a ``null`` where GitLab always
    sends a value means it failed to resolve it, and judging the epic without it would
    write wrong findings (an objective without its labels, its description)."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, kind):
        raise ValueError(f"{key}: {'null' if value is None else type(value).__name__}")
    return value


def _nodes(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = _needed(_needed(data, key), "nodes", list)
    if not all(isinstance(n, dict) for n in nodes):
        raise ValueError(f"{key}: a null node")
    return nodes


def epic_from_node(node: dict[str, Any]) -> Epic:
    """An ``Epic`` record from a work item node of ``EPICS_PAGE``.

    A value GitLab always sends but answered ``null`` (``widgets: null``, a widget without
    its connection) raises ``BadEpic``, and so does a value of the wrong kind: that epic
    fails, the others go on. Values that may be absent (dates, a description) may be null.
    """
    try:
        widgets: dict[str, Any] = {}
        for widget in _needed(node, "widgets", list):
            widgets.update(_needed({"widget": widget}, "widget"))
        labels = [(str(n["title"]), str(n["id"])) for n in _nodes(widgets, "labels")]
        assignees = _nodes(widgets, "assignees")
        author = node.get("author") or {}
        people = {str(a["username"]): a.get("name") or "" for a in assignees}
        if author.get("username"):
            people.setdefault(author["username"], author.get("name") or "")
        namespace = _needed(node, "namespace")
        children = widgets.get("children") or {}
        return Epic(
            id=str(_needed(node, "id", str)),
            iid=int(_needed(node, "iid", (str, int))),
            title=_needed(node, "title", str),
            description=widgets.get("description") or "",
            labels=tuple(title for title, _ in labels),
            label_ids=tuple(labels),
            confidential=bool(node.get("confidential")),
            group=_needed(namespace, "fullPath", str),
            author=author.get("username", ""),
            assignees=tuple(str(a["username"]) for a in assignees),
            created_at=_time(node.get("createdAt")),
            updated_at=_time(_needed(node, "updatedAt", str)),
            start_date=_date(widgets.get("startDate")),
            due_date=_date(widgets.get("dueDate")),
            web_url=node.get("webUrl") or "",
            children=int(children.get("count", 0)),
            initiatives=tuple(_initiatives(children.get("nodes") or [])),
            reference=node.get("reference") or "",
            description_edited_at=_time(widgets.get("lastEditedAt")),
            group_name=namespace.get("fullName") or "",
            people=tuple((user, name) for user, name in people.items() if name),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        cause = str(exc) if isinstance(exc, ValueError) else repr(exc)
        raise BadEpic(str(node.get("id") or "?"), str(node.get("reference") or ""), cause) from None


def _readable(gl: GitLab, nodes: list[Any], on_bad: Callable[[BadEpic], None] | None) -> list[Epic]:
    epics = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        try:
            epics.append(complete_initiatives(gl, node, epic_from_node(node)))
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
    variables = {"labels": [objective_label], "descendants": include_subgroups}
    for items in work_item_pages(gl, queries.EPICS_PAGE, group, variables):
        yield _readable(gl, items.get("nodes") or [], on_bad)


PAGE = 100  # work items per page: GitLab's most
SMALLEST_PAGE = 5


def work_item_pages(
    gl: GitLab,
    document: str,
    group: str,
    variables: dict[str, Any],
    cursor: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Each page (``workItems``) of ``group`` that ``document`` reads, from ``cursor``.

    A big customer group's page of 100 objectives with their initiatives can pass GitLab's
    time limit (HTTP 503 "Request timed out", which the transport does not repeat): that
    page is asked again at half the size, down to ``SMALLEST_PAGE``, and the rest of the
    group is read at the size that worked. The cursor is a position, so a smaller page
    goes on from where the last one ended."""
    size = PAGE
    while True:
        try:
            data = gl.query(document, {**variables, "path": group, "cursor": cursor, "first": size})
        except GitLabTimedOut:
            if size <= SMALLEST_PAGE:
                raise
            size = max(SMALLEST_PAGE, size // 2)
            continue
        if data.get("group") is None:
            raise GitLabError(f"group '{group}' does not exist or the token cannot see it")
        items = data["group"].get("workItems")
        if items is None:
            raise GitLabError(NO_WORK_ITEM_EPICS.format(group=group))
        yield items
        if not (items.get("pageInfo") or {}).get("hasNextPage"):
            return
        cursor = items["pageInfo"]["endCursor"]


def complete_initiatives(gl: GitLab, node: dict[str, Any], epic: Epic) -> Epic:
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
    """Every note of an epic (comments and system notes), across pages. An answer with a
    ``null`` where GitLab always sends a value fails this epic (``GitLabError``): judging
    it without its notes could post a second note."""
    notes: list[Note] = []
    cursor: str | None = None
    while True:
        data = gl.query(queries.EPIC_NOTES, {"id": epic_id, "cursor": cursor})
        item = data.get("workItem")
        if item is None:
            raise GitLabError("the epic no longer exists or the token cannot see it")
        try:
            page = _notes_page(item, notes)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            cause = str(exc) if isinstance(exc, ValueError) else repr(exc)
            raise GitLabError(
                f"GitLab answered the epic's notes in an unreadable shape ({cause})"
            ) from None
        if page is None or not page["pageInfo"]["hasNextPage"]:
            return notes
        cursor = page["pageInfo"]["endCursor"]


def _notes_page(item: dict[str, Any], notes: list[Note]) -> dict[str, Any] | None:
    """Add one page of notes to ``notes``; the page, or None when the epic has no notes
    widget."""
    widgets = _needed(item, "widgets", list)
    widget = next((w for w in widgets if isinstance(w, dict) and "discussions" in w), None)
    if widget is None:
        return None
    page: dict[str, Any] = _needed(widget, "discussions")
    for discussion in _needed(page, "nodes", list):
        for note in _nodes(discussion, "notes"):
            author = (note.get("author") or {}).get("username", "")
            awards = (note.get("awardEmoji") or {}).get("nodes") or []
            notes.append(
                Note(
                    _needed(note, "id", str),
                    note.get("body") or "",
                    author,
                    bool(note.get("system")),
                    _time(note.get("updatedAt")),
                    discussion.get("replyId"),
                    bool(note.get("internal")),
                    tuple(
                        (a["name"], (a.get("user") or {}).get("username", ""))
                        for a in awards
                        if isinstance(a, dict)
                    ),
                )
            )
    _needed(page, "pageInfo")
    return page


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
