"""The sandbox's state and the GitLab rules that change it.

Everything that mutates data goes through here, so GitLab's semantics live in one place:
scoped labels are exclusive per scope, notes run quick actions and touch their work item,
mentions are counted as notifications, label changes leave system notes. The HTTP layers
(``graphql_api``, ``rest_api``) only translate requests into these calls.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from gitlab_sandbox import markdown
from gitlab_sandbox.epic_index import Entry, EpicIndex, created_key
from gitlab_sandbox.model import Artifact, Award, Group, Label, Note, Project, User, WorkItem
from gitlab_sandbox.quick_actions import QUICK_ACTIONS, run_quick_actions


def utcnow() -> datetime:
    return datetime.now(UTC)


def label_scope(title: str) -> str | None:
    """The scope of a scoped label (everything before the last ``::``), else None."""
    return title.rsplit("::", 1)[0] if "::" in title else None


@dataclass(frozen=True)
class NoteOutcome:
    """What posting or editing a note did: the saved note (None when GitLab saved none,
    because the body held only quick actions) and the quick actions that ran."""

    note: Note | None
    commands: list[markdown.Command]
    messages: list[str]


class NotFound(LookupError):
    """A record the request names does not exist (REST 404, GraphQL null or error)."""

    def __init__(self, kind: str, ref: object) -> None:
        super().__init__(f"{kind} {ref} not found")
        self.kind = kind


class Store:
    """All sandbox data behind one re-entrant lock; handlers hold it while they run."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.users: dict[str, User] = {}
        self.groups: dict[int, Group] = {}
        self.projects: dict[int, Project] = {}
        self.labels: dict[int, Label] = {}
        self.items: dict[int, WorkItem] = {}
        self.artifacts: list[Artifact] = []
        self.stats: Counter[str] = Counter()
        self.routes: Counter[str] = Counter()
        self.mentioned: Counter[str] = Counter()
        self.markdown_engine = "current"  # set from Options by the server
        self._ids: Counter[str] = Counter()
        # Indexes, so lookups stay O(1) with tens of thousands of epics.
        self._group_paths: dict[str, int] = {}
        self._iids: dict[tuple[str, int, int], int] = {}
        self._note_items: dict[int, int] = {}
        self._owned_labels: dict[tuple[str, int], list[Label]] = {}
        self.epic_order = EpicIndex()  # epics by group in creation order: pages in O(page)

    def clear(self) -> None:
        """Forget every record (counters are cleared separately)."""
        self.users.clear()
        self.groups.clear()
        self.projects.clear()
        self.labels.clear()
        self.items.clear()
        self.artifacts.clear()
        self._ids.clear()
        self._group_paths.clear()
        self._iids.clear()
        self._note_items.clear()
        self._owned_labels.clear()
        self.epic_order.clear()

    # -- identity -------------------------------------------------------------------------
    def next_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def user(self, username: str, name: str | None = None) -> User:
        """The user with ``username``, created on first sight (authors, assignees)."""
        if username not in self.users:
            self.users[username] = User(self.next_id("user"), username, name or username)
        return self.users[username]

    # -- lookups --------------------------------------------------------------------------
    def group(self, ref: str | int) -> Group:
        """A group by numeric id or full path (REST accepts either)."""
        key = self._group_paths.get(str(ref))
        if key is None and str(ref).isdigit():
            key = int(ref)
        if key is None or key not in self.groups:
            raise NotFound("Group", ref)
        return self.groups[key]

    def project(self, ref: str | int) -> Project:
        for project in self.projects.values():
            if str(project.id) == str(ref) or project.path_with_namespace == ref:
                return project
        raise NotFound("Project", ref)

    def item(self, item_id: int) -> WorkItem:
        try:
            return self.items[item_id]
        except KeyError:
            raise NotFound("WorkItem", item_id) from None

    def note(self, note_id: int) -> tuple[WorkItem, Note]:
        item = self.items.get(self._note_items.get(note_id, 0))
        for note in item.notes if item else []:
            if note.id == note_id:
                return item, note  # type: ignore[return-value]
        raise NotFound("Note", note_id)

    def epic(self, group: Group, iid: int) -> WorkItem:
        found = self._iids.get(("epic", group.id, iid))
        if found is None:
            raise NotFound("Epic", f"{group.full_path}&{iid}")
        return self.items[found]

    def issue(self, project: Project, iid: int) -> WorkItem:
        found = self._iids.get(("issue", project.id, iid))
        if found is None:
            raise NotFound("Issue", f"{project.path_with_namespace}#{iid}")
        return self.items[found]

    def ancestors(self, group: Group) -> list[Group]:
        """``group`` and its ancestors, nearest first."""
        chain = [group]
        while chain[-1].parent_id is not None:
            chain.append(self.groups[chain[-1].parent_id])
        return chain

    def descendants(self, group: Group) -> list[Group]:
        """Every group below ``group`` (not ``group`` itself), parents before children."""
        found: list[Group] = []
        frontier = [group.id]
        while frontier:
            children = [g for g in self.groups.values() if g.parent_id in frontier]
            found.extend(children)
            frontier = [g.id for g in children]
        return found

    def owner_group(self, item: WorkItem) -> Group:
        """The group an epic lives in, or the group of an issue's project."""
        if item.group_id is not None:
            return self.groups[item.group_id]
        return self.groups[self.projects[item.project_id or 0].group_id]

    def available_labels(self, group: Group) -> list[Label]:
        """Labels usable in ``group``: its own and its ancestors' (as GitLab allows)."""
        return [
            label
            for g in self.ancestors(group)
            for label in self._owned_labels.get(("group", g.id), [])
        ]

    def labels_for(self, item: WorkItem) -> list[Label]:
        """Labels an item may carry: its group hierarchy's, plus its project's for issues."""
        labels = self.available_labels(self.owner_group(item))
        if item.project_id is not None:
            labels += self._owned_labels.get(("project", item.project_id), [])
        return labels

    def ensure_project_label(self, project: Project, title: str) -> None:
        """REST issue writes create missing labels in the project, as GitLab does."""
        group = self.groups[project.group_id]
        owned = self._owned_labels.setdefault(("project", project.id), [])
        if self.group_label(group, title) is None and all(lb.title != title for lb in owned):
            label = Label(self.next_id("label"), title, project_id=project.id)
            self.labels[label.id] = label
            owned.append(label)

    def add_group(self, group: Group) -> None:
        self.groups[group.id] = group
        self._group_paths[group.full_path] = group.id

    def owner_id(self, item: WorkItem) -> int:
        return (item.group_id if item.kind == "epic" else item.project_id) or 0

    def next_iid(self, kind: str, owner_id: int) -> int:
        """The next free iid in a group (epics) or project (issues)."""
        self._ids[f"{kind}:{owner_id}"] += 1
        while (kind, owner_id, self._ids[f"{kind}:{owner_id}"]) in self._iids:
            self._ids[f"{kind}:{owner_id}"] += 1
        return self._ids[f"{kind}:{owner_id}"]

    def iid_taken(self, kind: str, owner_id: int, iid: int) -> bool:
        return (kind, owner_id, iid) in self._iids

    def add_item(self, item: WorkItem) -> None:
        """Register a new epic or issue (and its notes) in the store and its indexes."""
        self.items[item.id] = item
        self._iids[(item.kind, self.owner_id(item), item.iid)] = item.id
        if item.kind == "epic" and item.group_id is not None:
            self.epic_order.add(*self._order_entry(item))
        for note in item.notes:
            self._note_items[note.id] = item.id

    def new_issue(self, project: Project, title: str, author: str) -> WorkItem:
        now = self.clock()
        issue = WorkItem(
            self.next_id("work_item"),
            self.next_iid("issue", project.id),
            "issue",
            title,
            author,
            now,
            now,
            project_id=project.id,
        )
        self.add_item(issue)
        return issue

    def remove_item(self, item: WorkItem) -> None:
        del self.items[item.id]
        del self._iids[(item.kind, self.owner_id(item), item.iid)]
        if item.kind == "epic" and item.group_id is not None:
            self.epic_order.remove(*self._order_entry(item))

    def _order_entry(self, item: WorkItem) -> tuple[Entry, int, list[int]]:
        group = self.groups[item.group_id or 0]
        created = item.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")  # as cursors print it
        return created_key(created, item.id), group.id, [g.id for g in self.ancestors(group)]

    def group_label(self, group: Group, title: str) -> Label | None:
        for label in self.available_labels(group):
            if label.title == title:
                return label
        return None

    def create_label(
        self, group: Group, title: str, color: str = "#6699cc", description: str = ""
    ) -> Label:
        owned = self._owned_labels.setdefault(("group", group.id), [])
        if any(lb.title == title for lb in owned):
            raise ValueError(f"Label '{title}' already exists in {group.full_path}")
        label = Label(self.next_id("label"), title, color, description, group_id=group.id)
        self.labels[label.id] = label
        owned.append(label)
        return label

    def delete_label(self, group: Group, label: Label) -> None:
        """Remove one of ``group``'s own labels, and its links to items, as GitLab does."""
        self._owned_labels[("group", group.id)].remove(label)
        del self.labels[label.id]
        for item in self.items.values():
            if (
                label.title in item.labels
                and self.group_label(self.owner_group(item), label.title) is None
            ):
                item.labels.remove(label.title)

    def group_labels(self, group: Group) -> list[Label]:
        """Labels defined in ``group`` itself."""
        return list(self._owned_labels.get(("group", group.id), []))

    def project_labels(self, project: Project, ancestors: bool = True) -> list[Label]:
        """Labels usable in ``project``: its own, and its groups' when ``ancestors``."""
        own = list(self._owned_labels.get(("project", project.id), []))
        if not ancestors:
            return own
        return own + self.available_labels(self.groups[project.group_id])

    def create_project_label(
        self, project: Project, title: str, color: str, description: str = ""
    ) -> Label:
        """A new project label; ``ValueError`` when one of that title is usable there
        already (its own or a group's), as lib/api/helpers/label_helpers.rb refuses."""
        if any(lb.title == title for lb in self.project_labels(project)):
            raise ValueError(f"Label '{title}' already exists in {project.path_with_namespace}")
        label = Label(self.next_id("label"), title, color, description, project_id=project.id)
        self.labels[label.id] = label
        self._owned_labels.setdefault(("project", project.id), []).append(label)
        return label

    def delete_project_label(self, project: Project, label: Label) -> None:
        """Remove one of ``project``'s own labels, and its links to the project's issues."""
        self._owned_labels[("project", project.id)].remove(label)
        del self.labels[label.id]
        for item in self.items.values():
            if item.project_id == project.id and label.title in item.labels:
                item.labels.remove(label.title)

    def iter_items(self, kind: str) -> Iterator[WorkItem]:
        return (item for item in self.items.values() if item.kind == kind)

    # -- mutations ------------------------------------------------------------------------
    def touch(self, item: WorkItem) -> None:
        item.updated_at = self.clock()

    def change_labels(self, item: WorkItem, add: list[str], remove: list[str], actor: str) -> None:
        """Add and remove labels by title, keeping at most one label per scope.

        As in GitLab, adding ``a::b`` removes any other ``a::*`` label, and when several
        labels of one scope are added at once the last one wins. Each change leaves a
        system note, which is why a bot must filter its note reads to comments.
        """
        before = list(item.labels)
        labels = [title for title in item.labels if title not in remove]
        for title in add:
            scope = label_scope(title)
            if scope is not None:
                labels = [t for t in labels if label_scope(t) != scope]
            if title not in labels:
                labels.append(title)
        if labels == before:
            return
        item.labels = labels
        added = [t for t in labels if t not in before]
        removed = [t for t in before if t not in labels]
        parts = []
        if added:
            parts.append("added " + " ".join(f'~"{t}"' for t in added))
        if removed:
            parts.append("removed " + " ".join(f'~"{t}"' for t in removed))
        self.add_system_note(
            item,
            " and ".join(parts) + " label" + ("s" if len(added) + len(removed) > 1 else ""),
            actor,
        )

    def set_state(self, item: WorkItem, state: str, actor: str) -> None:
        if item.state == state:
            return
        item.state = state
        item.closed_at = self.clock() if state == "closed" else None
        self.add_system_note(item, "closed" if state == "closed" else "reopened", actor)

    def add_system_note(self, item: WorkItem, body: str, actor: str) -> None:
        now = self.clock()
        self.append_note(item, Note(self.next_id("note"), body, actor, now, now, system=True))
        self.touch(item)

    def append_note(self, item: WorkItem, note: Note) -> None:
        item.notes.append(note)
        self._note_items[note.id] = item.id

    def create_note(
        self,
        item: WorkItem,
        body: str,
        author: str,
        internal: bool = False,
        thread: int | None = None,
    ) -> NoteOutcome:
        """Create a comment the way GitLab does: run its quick actions, then save the rest.
        ``thread``: the first note of the discussion it replies to."""
        text, commands = markdown.extract_commands(body, frozenset(QUICK_ACTIONS))
        messages = run_quick_actions(self, item, commands, author)
        if not text.strip():
            return NoteOutcome(None, commands, messages)
        now = self.clock()
        note = Note(self.next_id("note"), text, author, now, now, internal=internal, thread=thread)
        self.append_note(item, note)
        self.count_mentions(text, "", item)
        self.touch(item)
        return NoteOutcome(note, commands, messages)

    def delete_note(self, item: WorkItem, note: Note) -> None:
        item.notes.remove(note)
        self._note_items.pop(note.id, None)
        self.touch(item)

    def update_note(self, item: WorkItem, note: Note, body: str, author: str) -> NoteOutcome:
        """Edit a comment; quick actions in the new body run, new mentions notify.

        A new body of only quick actions deletes the note, as GitLab's update service does.
        """
        text, commands = markdown.extract_commands(body, frozenset(QUICK_ACTIONS))
        messages = run_quick_actions(self, item, commands, author)
        if not text.strip():
            item.notes.remove(note)
            return NoteOutcome(None, commands, messages)
        old = note.body
        note.body = text
        note.updated_at = self.clock()
        self.count_mentions(text, old, item)
        self.touch(item)
        return NoteOutcome(note, commands, messages)

    def award(self, note: Note, name: str, user: str) -> Award:
        """React to a note, as GitLab's ``AwardEmoji``: one reaction per user and name
        (``ValueError`` for a second), and only the note's ``updated_at`` moves
        (``Note#bump_updated_at`` writes the column without touching the noteable), so the
        epic's ``updatedAt`` stays where it was."""
        if any(a.name == name and a.user == user for a in note.awards):
            raise ValueError("Award Emoji Name has already been taken")
        if note.system:
            raise ValueError("system notes cannot be awarded emoji")
        award = Award(self.next_id("award"), name, self.user(user).username, self.clock())
        note.awards.append(award)
        note.updated_at = award.created_at
        return award

    def count_mentions(self, text: str, previous: str, item: WorkItem) -> None:
        """Count the notifications a text sends: only mentions it newly adds notify."""
        engine = self.markdown_engine
        self.cross_reference(text, previous, item)
        old = set(markdown.mentions(previous, engine))
        group = self.owner_group(item)
        members = {m for g in self.ancestors(group) for m in g.members}
        for name in markdown.mentions(text, engine):
            if name in old:
                continue
            if name == "all":
                recipients = len(members)
            elif name in self.users:
                recipients = 1
            else:
                recipients = next(
                    (len(g.members) or 1 for g in self.groups.values() if g.full_path == name), 0
                )
            if recipients:
                self.mentioned[name] += 1
                self.stats["notifications"] += recipients

    def cross_reference(self, text: str, previous: str, item: WorkItem) -> None:
        """Put GitLab's "mentioned in" system note on every epic or issue a text newly
        references (``SystemNoteService.cross_reference``); a reference to itself is none."""
        engine = self.markdown_engine
        old = set(markdown.references(previous, engine))
        for ref in markdown.references(text, engine):
            target = self._referenced(ref, item)
            if ref in old or target is None or target.id == item.id:
                continue
            where = self.owner_group(item).full_path
            sigil = "&" if item.kind == "epic" else "#"
            self.add_system_note(target, f"mentioned in {where}{sigil}{item.iid}", "system")
            self.stats["cross_references"] += 1

    def _referenced(self, ref: markdown.Reference, item: WorkItem) -> WorkItem | None:
        """The record a reference names, seen from ``item``; None when nothing matches."""
        try:
            if ref.sigil == "&":
                group = self.group(ref.path) if ref.path else self.owner_group(item)
                return self.epic(group, ref.iid)
            if ref.sigil == "#":  # an issue; for work items also an epic: ``group#1``
                if ref.path and ref.path in self._group_paths:
                    return self.epic(self.group(ref.path), ref.iid)
                if ref.path:
                    return self.issue(self.project(ref.path), ref.iid)
                if item.project_id is not None:
                    return self.issue(self.projects[item.project_id], ref.iid)
                return self.epic(self.owner_group(item), ref.iid)
        except NotFound:
            return None
        return None  # ``!1``: the sandbox has no merge requests
