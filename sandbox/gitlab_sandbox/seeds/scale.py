"""``scale:N``: N objective epics across many customer groups, for benchmarks.

Deterministic (a fixed RNG seed), so two runs of a benchmark see the same data. Customers
are subgroups of one parent group, ``success-plans`` (as a CS organisation keeps them),
about one per 25 epics (``scale:N,K``: one per K), every fifth with a regional subgroup,
and a mix of complete objectives and ones missing each SMART part.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

PARTS = {
    "baseline": "## Baseline metrics\nDeployment frequency: {a} per week (measured {month}).",
    "criteria": "## Success Criteria\nReach {b} deployments per week for 4 consecutive weeks.",
    "impact": "## Business impact\nShipping {ratio}x more often cuts time to market for "
    "customer-facing features.",
    "timeline": "## Timeline\nBy {due}.",
    "owner": "Owner: @{csm}",
}
STATUSES = ["Not Started", "On Track", "Watchpoint", "Concern"]
STAGES = ["Proposed", "Accepted", "Delivered", "Verified"]
USE_CASES = ["CI", "CD", "SCM", "Security", "Plan", "AI"]
EPICS_PER_GROUP = 25
PARENT = "success-plans"


def _labels() -> list[dict[str, str]]:
    titles = [
        "SP Objective",
        "triage::ignore",
        *(f"SP Objective::Status::{s}" for s in [*STATUSES, "Closed Success"]),
        *(f"Verifiable Outcome::{s}" for s in STAGES),
        *(f"UseCase::{u}" for u in USE_CASES),
    ]
    return [{"title": t} for t in titles]


def scale_seed(
    count: int, per_group: int = EPICS_PER_GROUP, today: date | None = None
) -> dict[str, Any]:
    """``count`` epics over one customer group per ``per_group`` epics (``scale:N,K``)."""
    rng = random.Random(20261122)
    today = today or date.today()
    now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    customers = max(1, -(-count // per_group))
    csms = [f"csm.{i:03d}" for i in range(max(1, customers // 10))]
    groups: list[dict[str, Any]] = [
        {"full_path": "cs-ops", "name": "Customer Success Ops"},
        {"full_path": PARENT, "name": "Success plans", "labels": _labels(), "members": csms},
    ]
    projects = [{"path_with_namespace": "cs-ops/triage-reports", "name": "Triage reports"}]
    paths: list[str] = []
    for c in range(customers):
        path = f"{PARENT}/customer-{c:04d}"
        groups.append(
            {"full_path": path, "name": f"Customer {c:04d}", "members": [csms[c % len(csms)]]}
        )
        paths.append(path)
        if c % 5 == 0:
            groups.append({"full_path": f"{path}/region", "name": "Regional unit"})
            paths.append(f"{path}/region")
    epics = []
    for n in range(count):
        group = paths[n % len(paths)]
        csm = csms[(n % len(paths)) % len(csms)]
        a = rng.randint(1, 5)
        due = today + timedelta(days=rng.randint(-60, 240))
        values = {
            "a": a,
            "b": a * rng.randint(2, 5),
            "ratio": rng.randint(2, 5),
            "month": "May 2026",
            "due": due.isoformat(),
            "csm": csm,
        }
        missing = {part for part in PARTS if rng.random() < 0.25}
        body = "## Summary\nShip the customer's storefront more often.\n\n" + "\n\n".join(
            text.format(**values) for part, text in PARTS.items() if part not in missing
        )
        updated = now - timedelta(days=rng.randint(0, 120), minutes=n)
        epics.append(
            {
                "group": group,
                "title": f"Objective {n:05d}: deploy more often",
                "description": body,
                "author": csm,
                "assignees": [] if "owner" in missing else [csm],
                "labels": [
                    "SP Objective",
                    f"SP Objective::Status::{rng.choice(STATUSES)}",
                    f"Verifiable Outcome::{rng.choice(STAGES)}",
                    f"UseCase::{rng.choice(USE_CASES)}",
                ],
                "due_date": None if "timeline" in missing else due.isoformat(),
                "confidential": rng.random() < 0.03,
                "created_at": (updated - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return {
        "users": [{"username": u} for u in csms],
        "groups": groups,
        "projects": projects,
        "epics": epics,
    }
