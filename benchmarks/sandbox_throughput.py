"""How fast the sandbox serves epic pages, so bot benchmarks measure the bot, not the sandbox.

Starts a sandbox with ``scale:N`` epics and reads every open objective epic of its parent
group with the bot's own page query (``triage.gitlab.queries.EPICS_PAGE``: creation order,
100 a page, cursor after cursor), in-process, so the figure is the sandbox's own time per
page, without HTTP or a client. A page should cost the same at any N. Usage:

    .venv/bin/python benchmarks/sandbox_throughput.py --epics 1000 5000 20000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

from gitlab_sandbox import Sandbox

from triage.gitlab.queries import EPICS_PAGE


def measure(epics: int) -> dict[str, float]:
    started = time.perf_counter()
    box = Sandbox(seed=f"scale:{epics}", today=date(2026, 11, 20))
    seeded = time.perf_counter() - started
    roots = sorted({path.split("/")[0] for path in box.store._group_paths})
    headers = {"content-type": "application/json", "private-token": box.token}
    seen, times = 0, []
    for root in roots:
        cursor = None
        while True:
            variables = {
                "path": root,
                "labels": ["SP Objective"],
                "descendants": True,
                "cursor": cursor,
            }
            body = json.dumps({"query": EPICS_PAGE, "variables": variables}).encode()
            started = time.perf_counter()
            answer = json.loads(box.handle("POST", "/api/graphql", headers, body).encode())
            times.append(time.perf_counter() - started)
            items = answer["data"]["group"]["workItems"]
            seen += len(items["nodes"])
            if not items["pageInfo"]["hasNextPage"]:
                break
            cursor = items["pageInfo"]["endCursor"]
    return {
        "epics": epics,
        "epics_read": seen,
        "pages": len(times),
        "seed_seconds": round(seeded, 2),
        "ms_per_page_median": round(statistics.median(times) * 1000, 1),
        "ms_first_page": round(times[0] * 1000, 1),
        "ms_last_page": round(times[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epics", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()
    rows = [measure(n) for n in args.epics]
    header = list(rows[0])
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[key]) for key in header))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
