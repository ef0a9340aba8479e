"""Quick actions the sandbox executes, as GitLab does when a note is posted.

The bot must never trigger one: the sanitizer neutralises them. The sandbox executes them
for real and counts them (``quick_actions_executed``), so a test can prove that nothing the
bot posted acted on an epic. One function per command, registered under its name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import Protocol

from gitlab_sandbox import markdown
from gitlab_sandbox.model import Label, User, WorkItem


class Store(Protocol):
    """What a quick action may change: the store implements it, and this module does not
    import the store, so commands and the data they act on stay apart."""

    stats: Counter[str]
    users: dict[str, User]

    def labels_for(self, item: WorkItem) -> Iterable[Label]: ...

    def set_state(self, item: WorkItem, state: str, actor: str) -> None: ...

    def change_labels(
        self, item: WorkItem, add: list[str], remove: list[str], actor: str
    ) -> None: ...

    def add_system_note(self, item: WorkItem, body: str, actor: str) -> None: ...


Action = Callable[[Store, WorkItem, str, str], str | None]
QUICK_ACTIONS: dict[str, Action] = {}


def quick_action(*names: str) -> Callable[[Action], Action]:
    def register(func: Action) -> Action:
        for name in names:
            QUICK_ACTIONS[name] = func
        return func

    return register


def run_quick_actions(
    store: Store, item: WorkItem, commands: list[markdown.Command], actor: str
) -> list[str]:
    """Execute ``commands`` in order; returns the messages of those that did something."""
    messages: list[str] = []
    for command in commands:
        message = QUICK_ACTIONS[command.name](store, item, command.arg, actor)
        if message:
            store.stats["quick_actions_executed"] += 1
            messages.append(message)
    return messages


def _existing(store: Store, item: WorkItem, arg: str) -> list[str]:
    """Label titles from ``arg`` that exist for the item; GitLab ignores unknown ones."""
    known = {label.title for label in store.labels_for(item)}
    return [name for name in markdown.label_names(arg) if name in known]


@quick_action("close")
def _close(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    if item.state == "closed":
        return None
    store.set_state(item, "closed", actor)
    return "Closed this item."


@quick_action("reopen")
def _reopen(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    if item.state == "opened":
        return None
    store.set_state(item, "opened", actor)
    return "Reopened this item."


@quick_action("label", "labels")
def _label(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    names = _existing(store, item, arg)
    if not names:
        return None
    store.change_labels(item, names, [], actor)
    return "Added " + ", ".join(f"~{n}" for n in names) + " label(s)."


@quick_action("unlabel", "remove_label")
def _unlabel(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    names = markdown.label_names(arg) if arg else list(item.labels)
    present = [n for n in names if n in item.labels]
    if not present:
        return None
    store.change_labels(item, [], present, actor)
    return "Removed " + ", ".join(f"~{n}" for n in present) + " label(s)."


@quick_action("relabel")
def _relabel(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    names = _existing(store, item, arg)
    if not names:
        return None
    store.change_labels(item, names, [t for t in item.labels if t not in names], actor)
    return "Replaced all labels with " + ", ".join(f"~{n}" for n in names) + " label(s)."


@quick_action("title")
def _title(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    if not arg or arg == item.title:
        return None
    item.title = arg
    store.add_system_note(item, f"changed title to **{arg}**", actor)
    return f'Changed the title to "{arg}".'


@quick_action("confidential")
def _confidential(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    if item.confidential:
        return None
    item.confidential = True
    store.add_system_note(item, "made the item confidential", actor)
    return "Made this item confidential."


@quick_action("due")
def _due(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    try:
        due = date.fromisoformat(arg.strip())
    except ValueError:
        return None
    item.due_date = due
    store.add_system_note(item, f"changed due date to {due.isoformat()}", actor)
    return f"Set the due date to {due.isoformat()}."


@quick_action("remove_due_date")
def _remove_due(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    if item.due_date is None:
        return None
    item.due_date = None
    store.add_system_note(item, "removed due date", actor)
    return "Removed the due date."


@quick_action("assign")
def _assign(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    names = [n.lstrip("@") for n in arg.split() if n.lstrip("@") in store.users]
    new = [n for n in names if n not in item.assignees]
    if not new:
        return None
    item.assignees.extend(new)
    store.add_system_note(item, "assigned to " + ", ".join(f"@{n}" for n in new), actor)
    return "Assigned " + ", ".join(f"@{n}" for n in new) + "."


@quick_action("unassign")
def _unassign(store: Store, item: WorkItem, arg: str, actor: str) -> str | None:
    names = [n.lstrip("@") for n in arg.split()] or list(item.assignees)
    gone = [n for n in names if n in item.assignees]
    if not gone:
        return None
    item.assignees = [n for n in item.assignees if n not in gone]
    store.add_system_note(item, "unassigned " + ", ".join(f"@{n}" for n in gone), actor)
    return "Removed assignee " + ", ".join(f"@{n}" for n in gone) + "."
