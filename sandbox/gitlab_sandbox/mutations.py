"""The GraphQL mutations the bot uses, registered under their (snake_case) field names.

Each returns GitLab's payload shape. Failures GitLab reports inside the payload (a blank
note, a note that is too long) go to ``errors``; failures it raises as top-level GraphQL
errors (bad global id, no access) are raised here too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from graphql import GraphQLError

from gitlab_sandbox.graphql_nodes import (
    NO_ACCESS,
    Info,
    NoteNode,
    WorkItemNode,
    ctx,
    discussion_gid,
    parse_gid,
)
from gitlab_sandbox.model import WorkItem
from gitlab_sandbox.store import NoteOutcome, NotFound

MAX_NOTE_LENGTH = 1_000_000
Mutation = Callable[..., dict[str, Any]]
MUTATIONS: dict[str, Mutation] = {}


def mutation(func: Mutation) -> Mutation:
    MUTATIONS[func.__name__] = func
    return func


def _writable_item(info: Info, global_id: str) -> WorkItem:
    store = ctx(info).store
    store.stats["writes"] += 1
    try:
        return store.item(parse_gid(global_id, "WorkItem", "Issue"))
    except NotFound:
        raise GraphQLError(NO_ACCESS) from None


# app/graphql/mutations/notes/create/base.rb: verify_rate_limit! raises ResourceNotAvailable,
# a top-level error next to ``createNote: null`` in an HTTP 200, after the noteable is found.
NOTE_LIMIT_MESSAGE = "This endpoint has been requested too many times. Try again later."


def _verify_note_limit(info: Info) -> None:
    context = ctx(info)
    if context.note_limiter is None:
        return
    allowed, _headers = context.note_limiter.check(context.username or "anonymous")
    if not allowed:
        context.store.stats["notes_limited"] += 1
        raise GraphQLError(NOTE_LIMIT_MESSAGE)


def _note_errors(body: str) -> list[str]:
    if not body.strip():
        return ["Note can't be blank"]
    if len(body) > MAX_NOTE_LENGTH:
        return [f"Note is too long (maximum is {MAX_NOTE_LENGTH} characters)"]
    return []


def _note_payload(
    info: Info, item: WorkItem, outcome: NoteOutcome, client_id: str | None
) -> dict[str, Any]:
    note = outcome.note
    status = None
    if outcome.commands:
        status = {
            "commandNames": [c.name for c in outcome.commands],
            "commandsOnly": note is None,
            "messages": outcome.messages or None,
            "errorMessages": None if outcome.messages else ["Commands did not apply"],
        }
    return {
        "clientMutationId": client_id,
        "errors": [],
        "note": NoteNode(note, WorkItemNode(item, ctx(info))) if note else None,
        "quickActionsStatus": status,
    }


@mutation
def create_note(info: Info, input: dict[str, Any]) -> dict[str, Any]:
    """``createNote``: a comment on a work item; quick actions in the body run."""
    item = _writable_item(info, input["noteableId"])
    _verify_note_limit(info)
    body: str = input["body"]
    errors = _note_errors(body)
    client_id = input.get("clientMutationId")
    if errors:
        return {
            "clientMutationId": client_id,
            "errors": errors,
            "note": None,
            "quickActionsStatus": None,
        }
    context = ctx(info)
    assert context.username is not None
    thread = _thread(item, input.get("discussionId"))
    internal = bool(input.get("internal"))
    if thread is not None:  # Notes::BuildService: a reply takes its thread's visibility
        internal = next((n.internal for n in item.notes if (n.thread or n.id) == thread), False)
    outcome = context.store.create_note(item, body, context.username, internal, thread)
    return _note_payload(info, item, outcome, client_id)


def _thread(item: WorkItem, discussion_id: str | None) -> int | None:
    """The first note of the discussion a reply names (``discussionId``), which must be on
    the same work item: GitLab answers an unknown one as a resource it cannot find."""
    if discussion_id is None:
        return None
    for note in item.notes:
        thread = note.thread or note.id
        if not note.system and discussion_gid(thread) == discussion_id:
            return thread
    raise GraphQLError(NO_ACCESS)


@mutation
def update_note(info: Info, input: dict[str, Any]) -> dict[str, Any]:
    """``updateNote``: only the note's author may edit it, as on GitLab."""
    context = ctx(info)
    context.store.stats["writes"] += 1
    try:
        item, note = context.store.note(parse_gid(input["id"], "Note", "DiscussionNote"))
    except NotFound:
        raise GraphQLError(NO_ACCESS) from None
    if note.author != context.username or note.system:
        raise GraphQLError(NO_ACCESS)
    body = input.get("body")
    client_id = input.get("clientMutationId")
    if body is None:
        return _note_payload(info, item, NoteOutcome(note, [], []), client_id)
    errors = _note_errors(body)
    if errors:
        return {
            "clientMutationId": client_id,
            "errors": errors,
            "note": None,
            "quickActionsStatus": None,
        }
    assert context.username is not None
    outcome = context.store.update_note(item, note, body, context.username)
    return _note_payload(info, item, outcome, client_id)


@mutation
def destroy_note(info: Info, input: dict[str, Any]) -> dict[str, Any]:
    """``destroyNote``: only the note's author may delete it (its admin aside)."""
    context = ctx(info)
    context.store.stats["writes"] += 1
    try:
        item, note = context.store.note(parse_gid(input["id"], "Note", "DiscussionNote"))
    except NotFound:
        raise GraphQLError(NO_ACCESS) from None
    if note.author != context.username or note.system:
        raise GraphQLError(NO_ACCESS)
    context.store.delete_note(item, note)
    return {"clientMutationId": input.get("clientMutationId"), "errors": [], "note": None}


@mutation
def work_item_update(info: Info, input: dict[str, Any]) -> dict[str, Any]:
    """``workItemUpdate``: labels (by global id), state, title and confidentiality."""
    item = _writable_item(info, input["id"])
    context = ctx(info)
    store = context.store
    actor = context.username or ""
    widget = input.get("labelsWidget") or {}
    available = {lb.id: lb.title for lb in store.labels_for(item)}
    errors: list[str] = []

    def titles(ids: list[str] | None) -> list[str]:
        numbers = [parse_gid(i, "Label", "GroupLabel", "ProjectLabel") for i in ids or []]
        return [available[n] for n in numbers if n in available]

    add, remove = titles(widget.get("addLabelIds")), titles(widget.get("removeLabelIds"))
    if "title" in input:
        if not (input["title"] or "").strip():
            errors.append("Title can't be blank")
        else:
            item.title = input["title"]
            store.touch(item)
    if errors:
        return {
            "clientMutationId": input.get("clientMutationId"),
            "errors": errors,
            "workItem": WorkItemNode(item, context),
        }
    if input.get("descriptionWidget") is not None:
        item.description = input["descriptionWidget"]["description"]
        item.last_edited_at = store.clock()
        store.touch(item)
    if input.get("assigneesWidget") is not None:
        ids = {parse_gid(i, "User") for i in input["assigneesWidget"]["assigneeIds"]}
        item.assignees = [u.username for u in store.users.values() if u.id in ids]
        store.add_system_note(item, "changed assignees", actor)
    dates = input.get("startAndDueDateWidget")
    if dates is not None:
        if "dueDate" in dates:
            item.due_date = date.fromisoformat(dates["dueDate"]) if dates["dueDate"] else None
        if "startDate" in dates:
            item.start_date = date.fromisoformat(dates["startDate"]) if dates["startDate"] else None
        store.add_system_note(item, "changed dates", actor)
    if add or remove:
        store.change_labels(item, add, remove, actor)
    if input.get("stateEvent"):
        store.set_state(item, "closed" if input["stateEvent"] == "CLOSE" else "opened", actor)
    if input.get("confidential") is not None and input["confidential"] != item.confidential:
        item.confidential = bool(input["confidential"])
        store.touch(item)
    return {
        "clientMutationId": input.get("clientMutationId"),
        "errors": [],
        "workItem": WorkItemNode(item, context),
    }
