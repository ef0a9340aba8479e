"""Pages served from the creation-order index hold exactly what sorting every epic would:
the same epics in the same order, and an epic removed is gone from them."""

from __future__ import annotations

import json
from typing import Any

from gitlab_sandbox import Sandbox

from tests.conftest import DEMO_DAY

PAGE = """
query($path: ID!, $after: String, $sort: WorkItemSort, $types: [IssueType!], $d: Boolean) {
  group(fullPath: $path) {
    workItems(types: $types, includeDescendants: $d, sort: $sort, first: 2, after: $after,
              state: opened) {
      count
      pageInfo { hasNextPage endCursor }
      nodes { iid createdAt namespace { fullPath } }
    }
  }
}
"""


def every_page(box: Sandbox, **variables: Any) -> tuple[list[tuple[str, str, str]], int]:
    """Every epic over all pages, as (createdAt, group, iid), and the connection's count."""
    seen: list[tuple[str, str, str]] = []
    after = None
    while True:
        body = json.dumps({"query": PAGE, "variables": {**variables, "after": after}}).encode()
        response = box.handle(
            "POST",
            "/api/graphql",
            {"content-type": "application/json", "private-token": box.token},
            body,
        )
        data = json.loads(response.encode())["data"]["group"]["workItems"]
        seen += [(n["createdAt"], n["namespace"]["fullPath"], n["iid"]) for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            return seen, data["count"]
        after = data["pageInfo"]["endCursor"]


def test_indexed_pages_match_a_full_sort_in_both_orders_with_and_without_subgroups():
    with Sandbox(seed="demo", today=DEMO_DAY) as box:
        for sort in ("CREATED_ASC", "CREATED_DESC"):
            for descendants in (True, False):
                args = {"path": "acme-corp", "sort": sort, "d": descendants}
                indexed, count = every_page(box, types=["EPIC"], **args)
                # without a types filter the sandbox sorts every item: the reference
                plain, _ = every_page(box, **args)
                assert indexed == [e for e in plain if e in indexed]
                assert len(indexed) == count == len({e[1:] for e in indexed})
                assert any(group == "acme-corp/emea" for _, group, _ in indexed) == descendants


def test_a_removed_epic_leaves_the_pages():
    with Sandbox(seed="demo", today=DEMO_DAY) as box:
        args = {"path": "acme-corp", "sort": "CREATED_ASC", "d": True, "types": ["EPIC"]}
        before, _ = every_page(box, **args)
        store = box.store
        with store.lock:
            first = store.epic(store.group(before[0][1]), int(before[0][2]))
            store.remove_item(first)
        after, count = every_page(box, **args)
        assert after == before[1:] and count == len(before) - 1
