"""The ``Group`` GraphQL type: descendants, labels and the ``workItems`` connection."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from graphql import GraphQLError

from gitlab_sandbox.graphql_nodes import (
    Context,
    Info,
    LabelNode,
    WorkItemNode,
    ctx,
    gid,
    iso,
    simple_connection,
)
from gitlab_sandbox.model import Group, WorkItem
from gitlab_sandbox.pagination import MAX_PAGE_SIZE, connection, decode_cursor, encode_cursor
from gitlab_sandbox.store import NotFound
from gitlab_sandbox.work_item_filters import matching_items, passes

SORT_FIELDS = {
    "CREATED": "created_at",
    "UPDATED": "updated_at",
    "TITLE": "title",
    "DUE_DATE": "due_date",
    "START_DATE": "start_date",
}


TIMED_OUT = "Request timed out. Please try a less complex query or a smaller set of records."


class QueryAborted(Exception):
    """A database query past GitLab's statement timeout (ActiveRecord::QueryAborted): the
    controller answers the whole request with HTTP 503 and this message only."""


class GroupNode:
    def __init__(self, group: Group, context: Context) -> None:
        self.raw = group
        self.key = group.id
        self._context = context
        self.id = gid("Group", group.id)
        self.full_path = group.full_path
        self.name = group.name
        self.path = group.path
        self.description = group.description or None
        self.web_url = f"{context.base_url}/groups/{group.full_path}"
        chain = context.store.ancestors(group)
        self.full_name = " / ".join(g.name for g in reversed(chain))

    def parent(self, info: Info) -> GroupNode | None:
        parent_id = self.raw.parent_id
        return (
            None if parent_id is None else GroupNode(ctx(info).store.groups[parent_id], ctx(info))
        )

    def descendant_groups_count(self, info: Info) -> int:
        return len(ctx(info).store.descendants(self.raw))

    def descendant_groups(
        self,
        info: Info,
        include_parent_descendants: bool = True,
        search: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        store = ctx(info).store
        groups = (
            store.descendants(self.raw)
            if include_parent_descendants
            else [g for g in store.groups.values() if g.parent_id == self.raw.id]
        )
        groups = [g for g in groups if not search or search.lower() in g.full_path.lower()]
        return simple_connection([GroupNode(g, ctx(info)) for g in groups], **page)

    def label(self, info: Info, title: str) -> LabelNode | None:
        found = ctx(info).store.group_label(self.raw, title)
        return LabelNode(found) if found else None

    def labels(
        self,
        info: Info,
        search_term: str | None = None,
        include_ancestor_groups: bool = False,
        include_descendant_groups: bool = False,
        only_group_labels: bool = False,
        title: str | None = None,
        search_in: list[str] | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        store = ctx(info).store
        groups = store.ancestors(self.raw) if include_ancestor_groups else [self.raw]
        if include_descendant_groups:
            groups = groups + store.descendants(self.raw)
        ids = {g.id for g in groups}
        # app/finders/labels_finder.rb: unless onlyGroupLabels (false by default in
        # GraphQL, Resolvers::GroupLabelsResolver), the labels of the group's own projects
        # too (its descendants' with includeDescendantGroups), one title possibly twice
        below = {self.raw.id} | (
            {g.id for g in store.descendants(self.raw)} if include_descendant_groups else set()
        )
        projects = (
            set()
            if only_group_labels
            else {p.id for p in store.projects.values() if p.group_id in below}
        )
        labels = sorted(
            (
                lb
                for lb in store.labels.values()
                if lb.group_id in ids or (lb.project_id is not None and lb.project_id in projects)
            ),
            key=lambda lb: (lb.title.lower(), lb.id),
        )
        fields = search_in or ["TITLE", "DESCRIPTION"]
        if title is not None:
            labels = [lb for lb in labels if lb.title == title]
        if search_term:
            term = search_term.lower()
            labels = [
                lb
                for lb in labels
                if ("TITLE" in fields and term in lb.title.lower())
                or ("DESCRIPTION" in fields and term in lb.description.lower())
            ]
        return simple_connection([LabelNode(lb) for lb in labels], **page)

    def work_item(self, info: Info, iid: str) -> WorkItemNode | None:
        try:
            return WorkItemNode(ctx(info).store.epic(self.raw, int(iid)), ctx(info))
        except (NotFound, ValueError):
            return None

    def work_items(
        self,
        info: Info,
        sort: str = "CREATED_DESC",
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        **filters: Any,
    ) -> dict[str, Any] | None:
        root = self.raw.full_path.split("/", maxsplit=1)[0]
        if root in ctx(info).options.no_work_item_epics:
            return None  # work_items_resolver.rb: not ``ready?`` without work item epics
        field, _, direction = sort.rpartition("_")
        attr = SORT_FIELDS[field]
        descending = direction == "DESC"

        def key(item: WorkItem) -> tuple[Any, ...]:
            value = getattr(item, attr)
            value = iso(value) if isinstance(value, date | datetime) else value
            present = value is not None
            flag = int(present) if descending else int(not present)  # nulls last
            text = value.lower() if isinstance(value, str) and attr == "title" else value
            return (flag, text if present else "", item.id)

        if (
            field == "CREATED"
            and last is None
            and before is None
            and filters.get("types") == ["EPIC"]
        ):
            page = self._indexed_page(info, filters, key, descending, first, after)
        else:
            items = sorted(
                matching_items(ctx(info).store, self.raw, filters), key=key, reverse=descending
            )
            page = connection(items, key, descending, first, after, last, before)
        limit = ctx(info).options.page_record_limit
        if limit and len(page["nodes"]) > limit:
            raise QueryAborted(TIMED_OUT)
        page["nodes"] = [WorkItemNode(i, ctx(info)) for i in page["nodes"]]
        for edge, node in zip(page["edges"], page["nodes"], strict=True):
            edge["node"] = node
        return page

    def _indexed_page(
        self,
        info: Info,
        filters: dict[str, Any],
        key: Any,
        descending: bool,
        first: int | None,
        after: str | None,
    ) -> dict[str, Any]:
        """A page of epics in creation order read from the store's index: a seek to the
        cursor's position, then only as many epics as the page needs, as GitLab's database
        does; ``count`` is worked out only when asked for."""
        store = ctx(info).store
        if first is not None and first < 0:
            raise GraphQLError("Argument 'first' on Field must be non-negative")
        size = min(MAX_PAGE_SIZE if first is None else first, MAX_PAGE_SIZE)
        position = None
        if after is not None:
            cursor = decode_cursor(after)
            if len(cursor) != 3:
                raise GraphQLError("Please provide a valid cursor")
            position = (str(cursor[1]), int(cursor[2]))
        wanted = dict(filters)
        descendants = bool(wanted.pop("include_descendants", False))
        window: list[WorkItem] = []
        has_next = False
        for item_id in store.epic_order.walk(self.raw.id, descendants, position, descending):
            item = store.items.get(item_id)
            if item is None or not passes(item, wanted):
                continue
            if len(window) == size:
                has_next = True
                break
            window.append(item)
        cursors = [encode_cursor(key(item)) for item in window]
        raw = self.raw

        def count(*_: Any, **__: Any) -> int:
            return sum(1 for _ in matching_items(store, raw, dict(filters)))

        return {
            "count": count,
            "nodes": window,
            "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, window, strict=True)],
            "pageInfo": {
                "hasNextPage": has_next,
                "hasPreviousPage": after is not None,
                "startCursor": cursors[0] if cursors else None,
                "endCursor": cursors[-1] if cursors else None,
            },
        }
