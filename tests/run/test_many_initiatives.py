"""An objective with more initiatives than the page query brings (100): the rest are read
too, so a late initiative's problem is found whichever read brought the objective."""

from __future__ import annotations

import json

from tests.conftest import DEMO_DAY, control, point_bot_at
from triage.cli import main

CHILDREN = 105


def _data() -> dict:
    issues = [
        {
            "project": "acme/plan",
            "iid": n,
            "title": f"Step {n}",
            "assignees": ["csm.north"],
            "due_date": "2026-10-01",
            # all done but the last, which is open and overdue
            "state": "closed" if n < CHILDREN else "opened",
            "created_at": "2026-09-01T09:00:00Z",
            "updated_at": "2026-11-15T09:00:00Z",
        }
        for n in range(1, CHILDREN + 1)
    ]
    return {
        "groups": [{"full_path": "acme", "members": ["csm.north"]}],
        "projects": [{"path_with_namespace": "acme/plan"}],
        "issues": issues,
        "epics": [
            {
                "group": "acme",
                "title": "Every team on GitLab CI",
                "labels": ["SP Objective", "SP Objective::Status::On Track"],
                "assignees": ["csm.north"],
                "description": "## Summary\nAll teams build in GitLab CI.\n",
                "due_date": "2027-03-31",
                "created_at": "2026-09-01T09:00:00Z",
                "updated_at": "2026-11-10T09:00:00Z",
                "children": [f"acme/plan#{n}" for n in range(1, CHILDREN + 1)],
            }
        ],
    }


def test_the_initiatives_after_the_first_hundred_are_judged_too(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox("empty")
    control(box, "load", _data())
    point_bot_at(box, monkeypatch)
    report = tmp_path / "report.json"
    args = ["run", "--group", "acme", "--now", DEMO_DAY.isoformat(), "--no-summary"]
    assert main([*args, "--report", str(report), "--cache", str(tmp_path / "s.db")]) == 0
    (epic,) = json.loads(report.read_text())["epics"]
    assert any(key.startswith("initiative-overdue:") for key in epic["reasons"])
    assert "initiatives-all-closed" not in epic["reasons"]  # the 105th is still open
