"""GraphQL object views over the sandbox store, one class per GitLab type.

The sandbox resolves every field with one resolver (``graphql_api.resolve_field``): a
camelCase field ``fooBar`` reads attribute ``foo_bar`` of these views, and calls it with the
field's arguments when it is a method. The views hold no state of their own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeAlias

from graphql import GraphQLError, GraphQLResolveInfo

from gitlab_sandbox.faults import RateLimiter
from gitlab_sandbox.model import Award, Label, Note, User, WorkItem
from gitlab_sandbox.options import Options
from gitlab_sandbox.pagination import connection
from gitlab_sandbox.store import Store

TYPE_IDS = {"Issue": 1, "Incident": 2, "Task": 5, "Epic": 8}
KIND_TYPE = {"epic": "Epic", "issue": "Issue"}
NO_ACCESS = (
    "The resource that you are attempting to access does not exist or you don't "
    "have permission to perform this action"
)


@dataclass
class Context:
    """Per-request context: the store, the caller and the URL clients reached us on."""

    store: Store
    base_url: str
    username: str | None
    options: Options = field(default_factory=Options)
    note_limiter: RateLimiter | None = None


Info: TypeAlias = "GraphQLResolveInfo[Context]"


def ctx(info: Info) -> Context:
    return info.context


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def gid(kind: str, number: int | str) -> str:
    return f"gid://gitlab/{kind}/{number}"


def parse_gid(value: str, *kinds: str) -> int:
    """The numeric id of a global id of one of ``kinds``, with GitLab's error messages."""
    prefix, _, number = str(value).rpartition("/")
    if not prefix.startswith("gid://gitlab/") or not number.isdigit():
        raise GraphQLError(f"{value} is not a valid GitLab ID.")
    if prefix.removeprefix("gid://gitlab/") not in kinds:
        raise GraphQLError(f"{value} is not a valid ID for {', '.join(kinds)}.")
    return int(number)


def text_color(color: str) -> str:
    """GitLab picks dark or light label text from the background's luminance."""
    try:
        red, green, blue = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return "#FFFFFF"
    return "#1F1E24" if (red * 299 + green * 587 + blue * 114) / 1000 > 186 else "#FFFFFF"


def simple_connection(
    items: list[Any],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """A connection in the items' natural order, keyed by position-stable ids."""
    return connection(items, lambda node: (node.key,), False, first, after, last, before)


class UserNode:
    def __init__(self, user: User, base_url: str) -> None:
        self.key = user.id
        self.id = gid("User", user.id)
        self.username = user.username
        self.name = user.name
        self.web_url = f"{base_url}/{user.username}"
        self.bot = user.username.endswith("-bot")


class LabelNode:
    def __init__(self, label: Label) -> None:
        self.key = label.id
        kind = "GroupLabel" if label.group_id is not None else "ProjectLabel"
        self.id = gid(kind, label.id)
        self.title = label.title
        self.color = label.color
        self.text_color = text_color(label.color)
        self.description = label.description or None


class NoteNode:
    def __init__(self, note: Note, item: WorkItemNode) -> None:
        self.key = note.id
        self.thread = note.thread or note.id  # kept when the thread's first note goes
        self._note = note
        self._item = item
        self.id = gid("Note", note.id)
        self.body = note.body
        self.created_at = iso(note.created_at)
        self.updated_at = iso(note.updated_at)
        self.last_edited_at = iso(note.updated_at) if note.updated_at != note.created_at else None
        self.internal = note.internal
        self.system = note.system
        self.url = f"{item.web_url}#note_{note.id}"

    def author(self, info: Info) -> UserNode:
        return UserNode(ctx(info).store.user(self._note.author), ctx(info).base_url)

    def award_emoji(self, info: Info, **page: Any) -> dict[str, Any]:
        return simple_connection([AwardNode(a) for a in self._note.awards], **page)


class AwardNode:
    def __init__(self, award: Award) -> None:
        self.key = award.id
        self._award = award
        self.name = award.name

    def user(self, info: Info) -> UserNode:
        return UserNode(ctx(info).store.user(self._award.user), ctx(info).base_url)


def discussion_gid(first_note: int) -> str:
    """A discussion's global id: GitLab's is a SHA1, here of its first note's id."""
    return gid("Discussion", hashlib.sha1(str(first_note).encode()).hexdigest())


class DiscussionNode:
    """A thread: GitLab wraps every standalone comment in a discussion of its own, and a
    reply joins the discussion of the note it answers."""

    def __init__(self, notes: list[NoteNode]) -> None:
        first = notes[0]
        self.key = first.thread
        self._notes = notes
        self.id = discussion_gid(first.thread)
        self.reply_id = self.id
        self.created_at = first.created_at
        self.resolvable = False
        self.resolved = False

    def notes(self, info: Info, **page: Any) -> dict[str, Any]:
        return simple_connection(self._notes, **page)


class Widget:
    """A work item widget; ``typename`` picks the GraphQL object type."""

    def __init__(self, typename: str, kind: str, item: WorkItemNode) -> None:
        self.typename = typename
        self.type = kind
        self._item = item
        self._raw = item.raw


class DescriptionWidget(Widget):
    def description(self, info: Info) -> str | None:
        return self._raw.description or None

    def edited(self, info: Info) -> bool:
        return self._raw.last_edited_at is not None

    def last_edited_at(self, info: Info) -> str | None:
        return iso(self._raw.last_edited_at)

    def last_edited_by(self, info: Info) -> None:
        return None


class LabelsWidget(Widget):
    allows_scoped_labels = True

    def labels(self, info: Info, **page: Any) -> dict[str, Any]:
        known = {lb.title: lb for lb in ctx(info).store.labels_for(self._raw)}
        nodes = [LabelNode(known[t]) for t in sorted(self._raw.labels) if t in known]
        return simple_connection(nodes, **page)


class AssigneesWidget(Widget):
    allows_multiple_assignees = True
    can_invite_members = False

    def assignees(self, info: Info, **page: Any) -> dict[str, Any]:
        store = ctx(info).store
        users = [UserNode(store.user(name), ctx(info).base_url) for name in self._raw.assignees]
        return simple_connection(users, **page)


class DatesWidget(Widget):
    is_fixed = True
    roll_up = False

    def start_date(self, info: Info) -> str | None:
        return iso(self._raw.start_date)

    def due_date(self, info: Info) -> str | None:
        return iso(self._raw.due_date)


class HierarchyWidget(Widget):
    def has_children(self, info: Info) -> bool:
        return bool(self._raw.children)

    def has_parent(self, info: Info) -> bool:
        return self._raw.parent_id is not None

    def parent(self, info: Info) -> WorkItemNode | None:
        if self._raw.parent_id is None:
            return None
        return WorkItemNode(ctx(info).store.item(self._raw.parent_id), ctx(info))

    def children(self, info: Info, **page: Any) -> dict[str, Any]:
        store = ctx(info).store
        nodes = [WorkItemNode(store.item(child), ctx(info)) for child in self._raw.children]
        return simple_connection(nodes, **page)


class NotesWidget(Widget):
    discussion_locked = False

    def discussions(self, info: Info, filter: str = "ALL_NOTES", **page: Any) -> dict[str, Any]:
        wanted = {"ALL_NOTES": (True, False), "ONLY_COMMENTS": (False,), "ONLY_ACTIVITY": (True,)}[
            filter
        ]
        threads: dict[int, list[NoteNode]] = {}
        for note in self._raw.notes:
            if note.system in wanted:
                threads.setdefault(note.thread or note.id, []).append(NoteNode(note, self._item))
        return simple_connection([DiscussionNode(notes) for notes in threads.values()], **page)


WIDGETS: dict[str, tuple[str, type[Widget]]] = {
    "DESCRIPTION": ("WorkItemWidgetDescription", DescriptionWidget),
    "LABELS": ("WorkItemWidgetLabels", LabelsWidget),
    "ASSIGNEES": ("WorkItemWidgetAssignees", AssigneesWidget),
    "START_AND_DUE_DATE": ("WorkItemWidgetStartAndDueDate", DatesWidget),
    "HIERARCHY": ("WorkItemWidgetHierarchy", HierarchyWidget),
    "NOTES": ("WorkItemWidgetNotes", NotesWidget),
}


class WorkItemNode:
    def __init__(self, item: WorkItem, context: Context) -> None:
        store = context.store
        self.raw = item
        self.key = item.id
        self.id = gid("WorkItem", item.id)
        self.iid = str(item.iid)
        self.title = item.title
        self.description = item.description or None
        self.state = "OPEN" if item.state == "opened" else "CLOSED"
        self.confidential = item.confidential
        self.created_at = iso(item.created_at)
        self.updated_at = iso(item.updated_at)
        self.closed_at = iso(item.closed_at)
        type_name = KIND_TYPE[item.kind]
        self.work_item_type = {
            "id": gid("WorkItems::Type", TYPE_IDS[type_name]),
            "name": type_name,
            "iconName": f"work-item-{item.kind}",
        }
        if item.kind == "epic":
            group = store.groups[item.group_id or 0]
            self._path, self._sep = group.full_path, "&"
            self.web_url = f"{context.base_url}/groups/{group.full_path}/-/epics/{item.iid}"
        else:
            project = store.projects[item.project_id or 0]
            self._path, self._sep = project.path_with_namespace, "#"
            self.web_url = f"{context.base_url}/{project.path_with_namespace}/-/issues/{item.iid}"

    def author(self, info: Info) -> UserNode:
        return UserNode(ctx(info).store.user(self.raw.author), ctx(info).base_url)

    def namespace(self, info: Info) -> dict[str, Any]:
        store = ctx(info).store
        group = store.owner_group(self.raw)
        path = self._path
        # GitLab's Routable#full_name: the names of the ancestors and the namespace's
        # own, joined by " / " (a project's namespace name is the project's name)
        names = [g.name for g in reversed(store.ancestors(group))]
        if self.raw.kind != "epic":
            names.append(store.projects[self.raw.project_id or 0].name)
        return {
            "id": gid("Namespace", group.id),
            "fullPath": path,
            "fullName": " / ".join(names),
            "name": names[-1],
            "path": path.rsplit("/", 1)[-1],
            "webUrl": f"{ctx(info).base_url}/{path}",
        }

    def reference(self, info: Info, full: bool = False) -> str:
        return f"{self._path if full else ''}{self._sep}{self.iid}"

    def widgets(
        self,
        info: Info,
        only_types: list[str] | None = None,
        except_types: list[str] | None = None,
    ) -> list[Widget]:
        return [
            cls(typename, kind, self)
            for kind, (typename, cls) in WIDGETS.items()
            if (only_types is None or kind in only_types) and kind not in (except_types or [])
        ]
