"""Cursor (GraphQL) and offset (REST) pagination with GitLab's rules.

GraphQL cursors are keyset cursors, as GitLab's are: base64 of the sort key of the last
row. An item whose sort key changes while a client pages (say, ``updatedAt`` after the bot
commented) moves in the order exactly as it would on GitLab, so paging bugs show up here.
Pages hold at most 100 nodes; a bigger ``first`` is clamped, as graphql-ruby does.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from graphql import GraphQLError

T = TypeVar("T")
MAX_PAGE_SIZE = 100
SortKey = tuple[Any, ...]


def encode_cursor(key: SortKey) -> str:
    return base64.b64encode(json.dumps(list(key)).encode()).decode()


def decode_cursor(cursor: str) -> SortKey:
    try:
        return tuple(json.loads(base64.b64decode(cursor.encode(), validate=True)))
    except (ValueError, TypeError):
        raise GraphQLError("Please provide a valid cursor") from None


def connection(
    items: Sequence[T],
    key: Callable[[T], SortKey],
    descending: bool = False,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """A Relay connection over ``items`` (already sorted by ``key``, in that direction)."""
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise GraphQLError(f"Argument '{name}' on Field must be non-negative")

    def beyond(item: T, cursor: SortKey) -> bool:
        item_key = key(item)
        return item_key < cursor if descending else item_key > cursor

    window = list(items)
    if after is not None:
        cursor = decode_cursor(after)
        window = [item for item in window if beyond(item, cursor)]
    if before is not None:
        cursor = decode_cursor(before)
        window = [item for item in window if not beyond(item, cursor) and key(item) != cursor]
    has_next = has_previous = False
    if first is None and last is None:
        first = MAX_PAGE_SIZE
    if first is not None:
        size = min(first, MAX_PAGE_SIZE)
        has_next = len(window) > size
        window = window[:size]
    if last is not None:
        size = min(last, MAX_PAGE_SIZE)
        has_previous = len(window) > size
        window = window[-size:] if size else []
    cursors = [encode_cursor(key(item)) for item in window]
    return {
        "count": len(items),
        "nodes": window,
        "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, window, strict=True)],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous or after is not None,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


@dataclass(frozen=True)
class OffsetPage:
    """One REST page and the headers GitLab sends with it."""

    rows: list[Any]
    headers: dict[str, str]


def offset_page(rows: Sequence[Any], query: dict[str, str], url: str) -> OffsetPage:
    """Slice ``rows`` by ``page``/``per_page`` and build GitLab's pagination headers.

    ``x-total`` and ``x-total-pages`` are left out above 10,000 rows, as on GitLab.com,
    so a client that relies on them instead of ``Link``/``x-next-page`` breaks here too.
    """
    try:
        page = max(1, int(query.get("page", "1")))
        per_page = min(MAX_PAGE_SIZE, max(1, int(query.get("per_page", "20"))))
    except ValueError:
        page, per_page = 1, 20
    total = len(rows)
    pages = max(1, math.ceil(total / per_page))
    chunk = list(rows[(page - 1) * per_page : page * per_page])

    def link(number: int) -> str:
        return f"{url}?{urlencode({**query, 'page': number, 'per_page': per_page})}"

    links = []
    if page > 1:
        links.append(f'<{link(page - 1)}>; rel="prev"')
    if page < pages:
        links.append(f'<{link(page + 1)}>; rel="next"')
    links.append(f'<{link(1)}>; rel="first"')
    links.append(f'<{link(pages)}>; rel="last"')
    headers = {
        "Link": ", ".join(links),
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
    if total <= 10_000:
        headers["X-Total"] = str(total)
        headers["X-Total-Pages"] = str(pages)
    return OffsetPage(chunk, headers)
