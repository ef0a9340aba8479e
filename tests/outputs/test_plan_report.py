"""`triage plan-report` against the demo sandbox: what a customer sees, and what changed."""

from __future__ import annotations

import json
import re

from tests.conftest import DEMO_DAY
from triage.cli import main

TODAY = DEMO_DAY.isoformat()
ACME_PUBLIC = [  # acme-corp's open objectives, with its EMEA subgroup's; not &5 (confidential)
    "Migrate EMEA teams off Jenkins",
    "Standardise CI templates across platform teams",
    "Cut average deployment time from 4 hours to 20 minutes",
    "Cut Time to First Commit by 20%",
    "Improve GitLab adoption",
    "Security scanning in every pipeline",
]


def report(tmp_path, *args: str) -> int:
    return main(["plan-report", "--today", TODAY, "--output", str(tmp_path / "site"), *args])


def test_each_customer_gets_a_self_contained_page_markdown_and_an_index(
    sandbox, bot_env, tmp_path, capsys
):
    assert report(tmp_path) == 0
    out = capsys.readouterr().out
    assert "acme-corp: 6 objective(s), 7 initiative(s), first report" in out
    site = tmp_path / "site"
    html = (site / "acme-corp" / "index.html").read_text()
    for title in ACME_PUBLIC:
        assert title in html
    assert "Reduce audit findings" not in html and "Approval rules on every production" not in html
    assert "1 confidential objective(s) are not shown" in html
    # nothing from anywhere: no script, no external stylesheet, font or image
    assert "<script" not in html and not re.search(r"(src|href)=\"https?://(?!127\.)", html)
    assert "default-src 'none'" in html
    # one bar per public initiative on the timeline, and today marked
    assert html.count('class="bar ') == 7
    assert f"Today {TODAY}" in html
    assert 'class="bar late"' in html  # the firmware build farm, due 2026-10-31
    # the SMART table says what is missing, in the customer's words
    assert "Not stated yet" in html and "Average deployment time: 4 hours" in html
    markdown = (site / "acme-corp" / "plan.md").read_text()
    for title in ACME_PUBLIC:
        assert title in markdown
    assert markdown.count("| Open |") + markdown.count("| Done |") == 7
    assert "This is the first report" in markdown
    gantt = markdown.split("```mermaid\n")[1].split("```")[0].splitlines()
    assert gantt[:2] == ["gantt", "  dateFormat YYYY-MM-DD"]
    assert f"  Report date {TODAY} : milestone, {TODAY}, 0d" in gantt
    tasks = [line for line in gantt if " : " in line and "milestone" not in line]
    assert len(tasks) == 7
    assert "  Migrate the firmware build farm : crit, 2026-05-18, 166d" in tasks  # overdue
    index = (site / "index.html").read_text()
    assert all(f'href="{slug}/index.html"' in index for slug in ("acme-corp", "globex", "initech"))


def test_the_next_report_says_what_changed(sandbox, bot_env, tmp_path, gl):
    assert report(tmp_path) == 0
    project = gl.projects.get("acme-corp/success-plan")
    project.issues.update(1, {"state_event": "close"})  # Build a shared pipeline template
    project.issues.update(2, {"due_date": "2027-03-01"})
    assert main(["plan-report", "--today", "2026-12-20", "--output", str(tmp_path / "site")]) == 0
    html = (tmp_path / "site" / "acme-corp" / "index.html").read_text()
    assert f"Since {TODAY}:" in html
    assert "initiative “Build a shared deployment pipeline template” completed." in html
    assert "Today 2026-12-20" in html
    snapshot = json.loads((tmp_path / "site" / "acme-corp" / "plan.json").read_text())
    assert snapshot["date"] == "2026-12-20"
    globex = (tmp_path / "site" / "globex" / "plan.md").read_text()
    assert "Nothing changed since the last report." in globex


def test_confidential_objectives_only_when_asked(sandbox, bot_env, tmp_path):
    assert report(tmp_path, "--group", "acme-corp", "--include-confidential") == 0
    html = (tmp_path / "site" / "acme-corp" / "index.html").read_text()
    assert "Reduce audit findings before the SOX review" in html
    assert html.count('class="bar ') == 8  # its confidential initiative too
    assert not (tmp_path / "site" / "globex").exists()


def test_a_group_that_does_not_exist_is_reported_and_the_rest_written(
    sandbox, bot_env, tmp_path, capsys
):
    code = report(tmp_path, "--group", "no-such-customer", "--group", "globex")
    assert code == 1  # partial: one customer left out
    err = capsys.readouterr().err
    assert "no-such-customer: left out: group 'no-such-customer' does not exist" in err
    assert (tmp_path / "site" / "globex" / "index.html").exists()
    index = (tmp_path / "site" / "index.html").read_text()
    assert "globex/index.html" in index and "no-such-customer" not in index
