"""The ``Group.workItems`` filter arguments, one predicate per GitLab argument name.

A filter the sandbox does not know cannot be passed at all (the schema rejects it), so the
table below is the complete list of filters the sandbox honours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from graphql import GraphQLError

from gitlab_sandbox.model import Group, WorkItem
from gitlab_sandbox.store import Store

Predicate = Callable[[WorkItem, Any], bool]
TYPE_KINDS = {"EPIC": "epic", "ISSUE": "issue"}


def _time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(f"Time '{value}' is not a valid ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.now().astimezone().tzinfo)


def _state(item: WorkItem, state: str) -> bool:
    if state == "locked":
        raise GraphQLError("locked is not a valid state filter for issues.")
    return state in ("all", item.state)


FILTERS: dict[str, Predicate] = {
    "types": lambda item, types: item.kind in {TYPE_KINDS.get(t) for t in types},
    "state": _state,
    "label_name": lambda item, names: all(name in item.labels for name in names),
    "confidential": lambda item, flag: item.confidential == flag,
    "updated_after": lambda item, t: item.updated_at >= _time(t),
    "updated_before": lambda item, t: item.updated_at <= _time(t),
    "created_after": lambda item, t: item.created_at >= _time(t),
    "created_before": lambda item, t: item.created_at <= _time(t),
    "iid": lambda item, iid: str(item.iid) == iid,
    "iids": lambda item, iids: str(item.iid) in iids,
    "author_username": lambda item, name: item.author == name,
    "assignee_usernames": lambda item, names: all(n in item.assignees for n in names),
    "search": lambda item, text: text.lower() in f"{item.title}\n{item.description}".lower(),
}


def matching_items(store: Store, group: Group, args: dict[str, Any]) -> Iterator[WorkItem]:
    """Work items of ``group`` (and its descendants when asked) that pass every filter.

    Like GitLab, ``includeDescendants`` defaults to false: without it a top-level group's
    query misses every epic kept in its subgroups.
    """
    include_descendants = args.pop("include_descendants", False)
    groups = [group, *store.descendants(group)] if include_descendants else [group]
    group_ids = {g.id for g in groups}
    project_ids = {p.id for p in store.projects.values() if p.group_id in group_ids}
    active = [(FILTERS[name], value) for name, value in args.items() if value is not None]
    for item in store.items.values():
        owned = (
            item.group_id in group_ids
            if item.kind == "epic"
            else (include_descendants and item.project_id in project_ids)
        )
        if owned and all(predicate(item, value) for predicate, value in active):
            yield item


def passes(item: WorkItem, filters: dict[str, Any]) -> bool:
    """Whether ``item`` passes every filter given (``include_descendants`` aside)."""
    return all(FILTERS[name](item, value) for name, value in filters.items() if value is not None)
