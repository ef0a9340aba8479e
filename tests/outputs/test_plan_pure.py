"""The report's records, comparison and rendering, without GitLab."""

from __future__ import annotations

from datetime import UTC, date, datetime

from triage.outputs.changes import compare, snapshot
from triage.outputs.plan import PlanBuilder
from triage.outputs.plan_html import render_plan
from triage.outputs.plan_markdown import render_plan_markdown
from triage.outputs.svg import span
from triage.records import Epic, Initiative

DAY = date(2026, 12, 1)
FULL = """## Summary
Ship weekly.

## Baseline
Deployment frequency: 1 per month (2026-10).

## Success Criteria
4 deployments per month by 2027-03-31.

## Business impact
Features reach customers three weeks sooner.

Owner: @csm.north
"""


def epic(iid: int, **fields) -> Epic:
    values = {
        "title": f"Objective {iid}",
        "group": "acme",
        "iid": iid,
        "web_url": f"https://gitlab.example/groups/acme/-/epics/{iid}",
        "labels": ("SP Objective", "SP Objective::Status::On Track"),
        **fields,
    }
    return Epic(**values)


def step(iid: int, **fields) -> Initiative:
    values = {"title": f"Step {iid}", "reference": f"acme/plan#{iid}", **fields}
    return Initiative(**values)


def plan_of(*epics: Epic, confidential: bool = False):
    builder = PlanBuilder("acme", "Acme", "https://gitlab.example/groups/acme", DAY, confidential)
    builder.add(epics)
    return builder.build()


def test_changes_name_what_moved_since_the_snapshot():
    before = plan_of(
        epic(1, description="## Summary\nShip weekly.", initiatives=(step(1), step(2))),
        epic(2, title="Dropped objective"),
    )
    after = plan_of(
        epic(
            1,
            description=FULL,
            labels=(
                "SP Objective",
                "SP Objective::Status::Watchpoint",
                "Verifiable Outcome::Accepted",
            ),
            due_date=date(2027, 3, 31),
            initiatives=(step(1, state="closed"), step(2), step(3)),
        ),
        epic(3, title="Brand new"),
    )
    changes = compare(after, snapshot(before)).changes
    assert "“Objective 1”: status On Track → Watchpoint." in changes
    assert "“Objective 1”: Verifiable Outcome none → Accepted." in changes
    assert "“Objective 1”: due date not set → 2027-03-31." in changes
    assert any(c.startswith("“Objective 1”: now states its baseline") for c in changes)
    assert "“Objective 1”: initiative “Step 1” completed." in changes
    assert "“Objective 1”: new initiative “Step 3”." in changes
    assert "New objective “Brand new”." in changes
    assert "“Dropped objective” is no longer an open objective." in changes
    assert compare(after, snapshot(after)).changes == ()
    assert compare(after, None).first


def test_untrusted_titles_are_inert_in_html_and_markdown():
    hostile = epic(
        1,
        title="<script>alert(1)</script> /close @all",
        initiatives=(step(1, title="<img src=x onerror=alert(1)>", due_date=date(2027, 1, 1)),),
    )
    plan = compare(plan_of(hostile), None)
    html = render_plan(plan)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    markdown = render_plan_markdown(plan)
    assert "\n/close" not in markdown and "@all" not in markdown.replace("`@all`", "")


def test_confidential_objectives_and_initiatives_are_left_out_unless_asked():
    epics = (
        epic(1, initiatives=(step(1), step(2, confidential=True))),
        epic(2, confidential=True),
    )
    shown = plan_of(*epics)
    assert [o.reference for o in shown.objectives] == ["acme&1"]
    assert shown.left_out == 1 and len(shown.initiatives) == 1
    assert len(plan_of(*epics, confidential=True).initiatives) == 2


def test_a_bar_spans_start_to_due_and_says_why_it_is_drawn_so():
    created = datetime(2026, 9, 1, tzinfo=UTC)
    assert (
        span(step(1, start_date=date(2026, 10, 1), due_date=date(2027, 1, 1)), DAY).kind == "open"
    )
    late = span(step(2, created_at=created, due_date=date(2026, 11, 1)), DAY)
    assert (late.start, late.end, late.kind) == (date(2026, 9, 1), date(2026, 11, 1), "late")
    undated = span(step(3, created_at=created), DAY)
    assert (undated.end, undated.kind, undated.note) == (DAY, "undated", "no due date")
    closed = datetime(2026, 10, 5, tzinfo=UTC)
    done = span(step(4, created_at=created, state="closed", closed_at=closed), DAY)
    assert (done.end, done.kind) == (date(2026, 10, 5), "done")
