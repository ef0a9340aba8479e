"""What reading objectives with their initiatives costs: requests, complexity, time.

Seeds one customer group with N objective epics, each with K child issues (owners, dates,
some closed), and reads them the way the weekly run, the plan report and the Gainsight
export do (``triage.gitlab.reads.epic_pages``). Prints, per (N, K): the GraphQL requests
(one per page of 100 objectives, whatever K, as long as K <= 100; one more per further
100 children of an objective), the page query's complexity score as the sandbox answers
it with GitLab's rules, and the time to read everything. Usage:

    .venv/bin/python benchmarks/initiatives_cost.py --epics 100 1000 --initiatives 0 5 20 150
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from typing import Any

from gitlab_sandbox import Sandbox
from gitlab_sandbox.server import stats

from triage.gitlab import queries
from triage.gitlab.client import GitLab
from triage.gitlab.reads import epic_pages
from triage.settings import GitLabSettings, Secret

GROUP = "bench-customer"
DAY = date(2026, 11, 20)


def seed(epics: int, initiatives: int) -> dict[str, Any]:
    issues, items = [], []
    for e in range(1, epics + 1):
        children = []
        for k in range(initiatives):
            iid = (e - 1) * initiatives + k + 1
            issue: dict[str, Any] = {
                "project": f"{GROUP}/plan",
                "iid": iid,
                "title": f"Initiative {k + 1} of objective {e}",
                "assignees": ["csm.bench"] if k % 3 else [],
                "start_date": (DAY - timedelta(days=60 - k)).isoformat(),
                "due_date": (DAY + timedelta(days=k * 7 - 30)).isoformat() if k % 4 else None,
                "state": "closed" if k % 5 == 0 else "opened",
            }
            issues.append(issue)
            children.append(f"{GROUP}/plan#{iid}")
        items.append(
            {
                "group": GROUP,
                "iid": e,
                "title": f"Objective {e}",
                "labels": ["SP Objective"],
                "description": "## Summary\nBenchmark objective.\n",
                "children": children,
            }
        )
    return {
        "users": [{"username": "csm.bench"}],
        "groups": [{"full_path": GROUP, "labels": [{"title": "SP Objective"}]}],
        "projects": [{"path_with_namespace": f"{GROUP}/plan"}],
        "issues": issues,
        "epics": items,
    }


def measure(epics: int, initiatives: int) -> dict[str, float]:
    from gitlab_sandbox import shape

    box = Sandbox(seed="empty", today=DAY).start()
    try:
        shape.load(box.store, seed(epics, initiatives))
        settings = GitLabSettings(
            url=box.url,
            token=Secret(box.token),
            requests_per_minute=1_000_000,
            notes_per_minute=1_000_000,
        )
        gl = GitLab(settings)
        try:
            score = gl.query(
                queries.with_complexity(queries.EPICS_PAGE),
                {"path": GROUP, "labels": ["SP Objective"], "descendants": True, "cursor": None},
            )["queryComplexity"]["score"]
            before = stats(box)["requests"]
            started = time.perf_counter()
            seen = read = 0
            for page in epic_pages(gl, GROUP, "SP Objective", True):
                seen += len(page)
                read += sum(len(e.initiatives) for e in page)
            elapsed = time.perf_counter() - started
            requests = stats(box)["requests"] - before
        finally:
            gl.close()
    finally:
        box.stop()
    assert seen == epics and read == epics * initiatives, (seen, read)
    return {"requests": requests, "score": score, "seconds": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epics", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--initiatives", type=int, nargs="+", default=[0, 5, 20, 150])
    args = parser.parse_args()
    print("| objectives | initiatives each | requests | page complexity (of 250) | read (s) |")
    print("|---|---|---|---|---|")
    for epics in args.epics:
        for initiatives in args.initiatives:
            figures = measure(epics, initiatives)
            print(
                f"| {epics:,} | {initiatives} | {figures['requests']:.0f} | "
                f"{figures['score']:.0f} | {figures['seconds']:.2f} |"
            )


if __name__ == "__main__":
    main()
