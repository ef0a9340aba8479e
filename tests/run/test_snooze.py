"""Opting out precisely: per-rule snoozes by label or until a date, the labels the bot
creates for them, what the note says, and what the summary counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import DEMO_DAY, control
from tests.run.test_summary import run_on, summaries
from tests.run.test_summary_weeks import block_of, check_agreement, listed
from tests.run.test_weekly_run import edit_description, epic_state, graphql
from triage.policy.optout import snooze_label, snoozes
from triage.records import Epic
from triage.smart.checker import Checker
from triage.smart.directives import blank_directives, snoozed_until

LABELS = "query($p: ID!) { group(fullPath: $p) { labels(first: 100) { nodes { id title } } } }"
ADD = "mutation($input: WorkItemUpdateInput!) { workItemUpdate(input: $input) { errors } }"


@pytest.fixture
def env(bot_env):
    return bot_env


def add_label(box, reference: str, title: str) -> None:
    group = reference.split("&", maxsplit=1)[0]
    nodes = graphql(box, LABELS, {"p": group})["group"]["labels"]["nodes"]
    label = next(n["id"] for n in nodes if n["title"] == title)
    epic = epic_state(box, reference)
    graphql(
        box,
        ADD,
        {
            "input": {
                "id": f"gid://gitlab/WorkItem/{epic['id']}",
                "labelsWidget": {"addLabelIds": [label]},
            }
        },
    )


def note_of(box, reference: str) -> str:
    notes = [n for n in epic_state(box, reference)["notes"] if "smart-triage:" in n["body"]]
    assert len(notes) == 1
    return notes[0]["body"]


def test_the_bot_creates_the_opt_out_labels_with_what_they_do(sandbox, env):
    assert run_on(DEMO_DAY, "--no-summary") == 0
    groups = {g["full_path"]: g for g in control(sandbox, "state")["groups"]}
    for top in ("acme-corp", "globex", "initech"):
        labels = {lb["title"]: lb["description"] for lb in groups[top]["labels"]}
        snooze = labels[snooze_label("stale-objective")]
        assert "skips its 'stale-objective' check" in snooze and "Remove it" in snooze
        assert "triage: snooze stale-objective until" in snooze
        assert len(snooze) <= 255
        assert snooze_label("objective-without-initiatives") in labels
    # the seed's own triage::ignore label is kept as its owners wrote it
    ignore = {lb["title"]: lb["description"] for lb in groups["globex"]["labels"]}
    assert ignore["triage::ignore"] == "The triage bot skips this epic"


def test_a_snooze_label_switches_one_rule_off_and_the_summary_counts_it(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    assert run_on(DEMO_DAY, "--state", state) == 0
    note = note_of(sandbox, "acme-corp&4")
    assert "`triage snooze: stale-objective`" in note  # the note says how
    assert re.search(r"`triage: snooze [a-z-]+ until YYYY-MM-DD`", note)
    add_label(sandbox, "acme-corp&4", snooze_label("stale-objective"))
    assert run_on(DEMO_DAY + timedelta(days=7), "--state", state) == 0
    note = note_of(sandbox, "acme-corp&4")
    assert "**Snoozed:**" in note and "`triage snooze: stale-objective` is removed" in note
    assert "Fixed:" not in note  # snoozed is not fixed
    text = max(summaries(sandbox), key=lambda i: i["iid"])["description"]
    data = check_agreement(text)
    assert data["headline"]["snoozed"] == 1
    line = next(ln for ln in text.splitlines() if ln.startswith("- [acme-corp&4]"))
    assert "snoozed: stale-objective (by label)" in line
    assert "Stale objectives" not in line  # no longer listed under the snoozed rule


def test_a_dated_snooze_ends_on_its_day(sandbox, env, tmp_path):
    state = str(tmp_path / "state.db")
    epic = epic_state(sandbox, "initech&1")  # only format findings
    until = DEMO_DAY + timedelta(days=20)
    edit_description(
        sandbox,
        "initech&1",
        f"{epic['description']}\n\n<!-- triage: snooze objective-format until {until} -->\n",
    )
    assert run_on(DEMO_DAY, "--state", state) == 0
    text = summaries(sandbox)[0]["description"]
    check_agreement(text)
    assert block_of(text)["headline"]["snoozed"] == 1
    aside = next(refs for h, refs in listed(text).items() if h.startswith("Opted out or snoozed"))
    assert "initech&1" in aside
    assert f"objective-format (until {until})" in text
    assert run_on(until + timedelta(days=1), "--state", state) == 0
    later = max(summaries(sandbox), key=lambda i: i["iid"])["description"]
    assert "initech&1" in listed(later)["Objectives missing reporting format (1)"]
    assert block_of(later)["headline"]["snoozed"] == 0


def test_snooze_lines_name_rules_or_all_and_never_count_as_a_timeline():
    text = (
        "Intro\n"
        "triage: snooze stale-objective, objective-format until 2027-01-31\n"
        "<!-- triage: snooze all until 2026-12-01 -->\n"
        "triage: snooze stale-objective until 2027-02-30\n"  # no such day: ignored
    )
    assert snoozed_until(text) == {
        "stale-objective": date(2027, 1, 31),
        "objective-format": date(2027, 1, 31),
        "all": date(2026, 12, 1),
    }
    assert blank_directives(text).splitlines()[1:3] == ["", ""]
    epic = Epic(title="x", description="## Summary\nMore users.\n" + text, group="g", iid=1)
    assert "missing_timeline" in Checker().check(epic).finding_ids
    found = snoozes(epic, ["stale-objective", "smart-objective"], date(2026, 11, 20))
    assert {r: s.until for r, s in found.items()} == {
        "stale-objective": date(2027, 1, 31),
        "smart-objective": date(2026, 12, 1),  # by "all"
    }
    assert snoozes(epic, ["smart-objective"], date(2026, 12, 2)) == {}  # "all" has ended
    labelled = Epic(title="x", labels=(snooze_label("smart-objective"),), group="g", iid=1)
    assert snoozes(labelled, ["smart-objective"], date(2030, 1, 1))["smart-objective"].until is None
