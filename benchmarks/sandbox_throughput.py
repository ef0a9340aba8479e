"""How fast the sandbox serves epic pages, so bot benchmarks measure the bot, not the sandbox.

Starts a sandbox with ``scale:N`` epics, reads every customer group's open epics through
python-gitlab's GraphQL client (one page per group, as the bot will), and prints pages per
second and the sandbox's own request counts. Usage:

    .venv/bin/python benchmarks/sandbox_throughput.py --epics 1000 5000
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

import gitlab
from gitlab_sandbox import Sandbox
from gitlab_sandbox.server import stats

QUERY = """
query($path: ID!, $cursor: String) {
  group(fullPath: $path) {
    workItems(types: [EPIC], state: opened, includeDescendants: true, first: 100,
              after: $cursor, sort: UPDATED_DESC) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id iid title updatedAt
        widgets {
          ... on WorkItemWidgetDescription { description }
          ... on WorkItemWidgetLabels { labels { nodes { id title } } }
          ... on WorkItemWidgetAssignees { assignees { nodes { username } } }
          ... on WorkItemWidgetStartAndDueDate { dueDate }
        }
      }
    }
  }
}
"""


def measure(epics: int) -> dict[str, float]:
    started = time.perf_counter()
    box = Sandbox(seed=f"scale:{epics}", today=date(2026, 11, 20)).start()
    seeded = time.perf_counter() - started
    roots = sorted({path.split("/")[0] for path in box.store._group_paths})
    seen = pages = 0
    started = time.perf_counter()
    with gitlab.GraphQL(box.url, token=box.token) as client:
        for root in roots:
            cursor = None
            while True:
                page = client.execute(QUERY, variable_values={"path": root, "cursor": cursor})
                items = page["group"]["workItems"]
                pages += 1
                seen += len(items["nodes"])
                if not items["pageInfo"]["hasNextPage"]:
                    break
                cursor = items["pageInfo"]["endCursor"]
    elapsed = time.perf_counter() - started
    counts = stats(box)
    box.stop()
    return {
        "epics": epics,
        "epics_read": seen,
        "pages": pages,
        "sandbox_requests": counts["requests"],
        "seed_seconds": round(seeded, 2),
        "read_seconds": round(elapsed, 2),
        "pages_per_second": round(pages / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epics", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    rows = [measure(n) for n in args.epics]
    header = list(rows[0])
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[key]) for key in header))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
