"""Warm runs read only what changed: the probe, changed pages, the cache's copies, the full
read at an interval, all against the sandbox's model of GitLab's ``updatedAfter``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gitlab_sandbox.complexity import AUTHENTICATED_MAX_COMPLEXITY, query_cost
from gitlab_sandbox.graphql_api import schema
from graphql import parse

from tests.conftest import control, point_bot_at
from tests.run.test_weekly_run import edit_description, epic_state, graphql, triage_run
from triage.gitlab import changes
from triage.gitlab.changes import FULL_BATCH, PROBE_BATCH, first_pages_document, probe_document

WEEK = 7 * 86400


@pytest.fixture
def env(bot_env):
    return bot_env


def week_passes(box) -> None:
    control(box, "clock", {"advance_seconds": WEEK})
    control(box, "reset", {"stats_only": True})


def report_of(path) -> dict[str, Any]:
    return json.loads(path.read_text())


def decisions(report: dict[str, Any]) -> dict[str, tuple]:
    """What a run decided per epic: findings, rules and due date, the writes aside."""
    return {
        e["reference"]: (tuple(e["findings"]), tuple(e["rules"]), e["due_date"], e["title"])
        for e in report["epics"]
    }


def update(box, reference: str, **fields: Any) -> None:
    epic = epic_state(box, reference)
    graphql(
        box,
        "mutation($input: WorkItemUpdateInput!) { workItemUpdate(input: $input) { errors } }",
        {"input": {"id": f"gid://gitlab/WorkItem/{epic['id']}", **fields}},
    )


def test_a_full_probe_batch_is_within_gitlab_complexity_and_size_limits():
    document = probe_document(PROBE_BATCH)
    variables = {"since": "2026-11-20T00:00:00Z", "descendants": True}
    variables.update({f"p{i}": f"group-{i}" for i in range(PROBE_BATCH)})
    cost = query_cost(schema(), parse(document), None, variables)
    assert cost.score <= AUTHENTICATED_MAX_COMPLEXITY
    assert len(document) < 10_000  # GitLab's query size limit


def test_a_full_batch_of_first_pages_is_within_gitlab_limits():
    document = first_pages_document(FULL_BATCH)
    variables = {"labels": ["SP Objective"], "descendants": True}
    variables.update({f"p{i}": f"group-{i}" for i in range(FULL_BATCH)})
    assert query_cost(schema(), parse(document), None, variables).score <= (
        AUTHENTICATED_MAX_COMPLEXITY
    )
    assert len(document) < 10_000


def test_a_first_read_asks_many_groups_at_once(sandbox, env, tmp_path):
    """The demo's three groups in one request for their epics."""
    report = tmp_path / "report.json"
    assert triage_run("--no-summary", "--report", str(report)) == 0
    fetched = report_of(report)["counts"]["fetched"]
    # who am I, one request for the three groups' epics, without a cache yet each epic's
    # notes, and the labels of the two groups whose notes suggest a UseCase:: label
    assert control(sandbox, "stats")["routes"]["graphql query"] == 2 + fetched + 2


def test_a_batch_gitlab_finds_too_complex_is_split(make_sandbox, monkeypatch, tmp_path, capsys):
    """Should the epic's fields outgrow the batch, GitLab's complexity refusal splits it."""
    box = make_sandbox(seed="scale:100,10")
    point_bot_at(box, monkeypatch)
    monkeypatch.setattr(changes, "FULL_FIRST", 100)  # 4 groups of 100 cost 392 of 250
    groups = [f"success-plans/customer-{c:04d}" for c in range(10)]
    report = tmp_path / "report.json"
    args = [arg for group in groups for arg in ("--group", group)]
    assert triage_run(*args, "--no-summary", "--report", str(report)) == 0
    assert report_of(report)["counts"]["fetched"] == 100
    # who am I; 4 groups refused, then 2 and 2 of them, twice; then the last 2; the
    # labels of their parent group for the UseCase:: suggestion; and without a cache
    # yet, each epic's notes
    assert control(box, "stats")["requests"] == 9 + 100


def test_a_group_gone_since_the_last_run_fails_alone(sandbox, env, tmp_path, capsys):
    """GitLab answers ``null`` for the alias of a group it cannot find: the run names it
    and goes on with the other groups of the same request."""
    cache, report = str(tmp_path / "cache.db"), tmp_path / "report.json"
    assert triage_run("--apply", "--cache", cache, "--no-summary") == 0
    week_passes(sandbox)
    with sandbox.store.lock:  # globex renamed: its old path leads nowhere
        store = sandbox.store
        group_id = store._group_paths.pop("globex")
        store.groups[group_id].full_path = store.groups[group_id].path = "globex-renamed"
        store._group_paths["globex-renamed"] = group_id
    capsys.readouterr()
    assert triage_run("--apply", "--cache", cache, "--no-summary", "--report", str(report)) == 1
    assert "globex: FAILED to read epics: group 'globex' does not exist" in capsys.readouterr().err
    groups = {e["group"].split("/")[0] for e in report_of(report)["epics"]}
    assert groups == {"acme-corp", "initech"}
    # who am I, one probe for the three groups, one request for the changes (the first
    # run's notes) of the two others
    assert control(sandbox, "stats")["routes"]["graphql query"] == 3


def test_only_changed_epics_are_read_and_the_rest_come_from_the_cache(
    sandbox, env, tmp_path, capsys
):
    cache, report = str(tmp_path / "cache.db"), tmp_path / "report.json"
    assert triage_run("--apply", "--cache", cache) == 0
    week_passes(sandbox)
    assert triage_run("--apply", "--cache", cache) == 0  # reads what the bot wrote
    week_passes(sandbox)
    assert triage_run("--apply", "--cache", cache, "--report", str(report)) == 0
    unchanged = report_of(report)
    # who am I, the probe, and the summary issues listed twice (last week's, this week's)
    assert control(sandbox, "stats")["requests"] == 4

    week_passes(sandbox)
    epic = epic_state(sandbox, "globex&4")
    edit_description(sandbox, "globex&4", epic["description"] + "\n\nRisks: holiday freeze.")
    update(sandbox, "initech&1", stateEvent="CLOSE")  # closed: no longer scanned
    capsys.readouterr()
    assert triage_run("--apply", "--cache", cache, "--report", str(report)) == 0
    out = capsys.readouterr().err
    stats = control(sandbox, "stats")
    # globex's and initech's changes in one request; the other epics as last read
    assert (
        "globex: fetched 4 objective epic(s) (1 changed since the last run, 3 as last read)" in out
    )
    assert (
        "initech: fetched 2 objective epic(s) (0 changed since the last run, 2 as last read, "
        "1 no longer open objectives)" in out
    )
    after = decisions(report_of(report))
    before = decisions(unchanged)
    assert set(before) - set(after) == {"initech&1"}
    assert stats["writes"] >= 1 and after["globex&4"] == before["globex&4"]


def test_a_warm_run_decides_exactly_as_a_full_read_at_a_later_clock(sandbox, env, tmp_path):
    """Stale and overdue findings follow the clock from the copies in the cache: a dry
    run a month of clock later decides the same for every epic, warm or fully read."""
    cache, warm, full = str(tmp_path / "cache.db"), tmp_path / "warm.json", tmp_path / "full.json"
    assert triage_run("--apply", "--cache", cache) == 0
    week_passes(sandbox)
    assert triage_run("--apply", "--cache", cache) == 0
    week_passes(sandbox)
    later = ["--now", "2026-11-30", "--cache", cache]
    assert triage_run(*later, "--report", str(warm)) == 0
    assert control(sandbox, "stats")["routes"]["graphql query"] == 2  # who am I, the probe
    assert triage_run(*later, "--report", str(full), "--full-read", "run") == 0
    assert decisions(report_of(warm)) == decisions(report_of(full))


def test_deleted_epics_leave_at_the_monthly_full_read(sandbox, env, tmp_path, capsys):
    cache, report = str(tmp_path / "cache.db"), tmp_path / "report.json"
    assert triage_run("--apply", "--cache", cache, "--no-summary") == 0
    week_passes(sandbox)
    gone = epic_state(sandbox, "initech&2")  # opted out: the bot never writes to it
    with sandbox.store.lock:  # deleting changes no updatedAt: only a full read sees it
        # (an epic the bot never wrote to: one it wrote to is read again the week after)
        del sandbox.store.items[gone["id"]]
    assert triage_run("--apply", "--cache", cache, "--no-summary", "--report", str(report)) == 0
    assert "initech&2" in decisions(report_of(report))
    # the first run of December reads every epic again
    capsys.readouterr()
    december = ["--now", "2026-12-01", "--apply", "--cache", cache, "--no-summary"]
    assert triage_run(*december, "--report", str(report)) == 0
    assert "initech: fetched 2 objective epic(s) (full read)" in capsys.readouterr().err
    assert "initech&2" not in decisions(report_of(report))
    week_passes(sandbox)  # and the next run of December is warm again
    assert triage_run(*december, "--report", str(report)) == 0
    assert "(full read)" not in capsys.readouterr().err


def test_a_big_groups_pages_that_time_out_are_read_smaller(make_sandbox, monkeypatch, tmp_path):
    """GitLab gives up on a page of a big group past its time limit (HTTP 503, "Request
    timed out ... a smaller set of records"): asked again the same, it times out again,
    and the group was "not read" every week. A smaller page goes on where it stopped."""
    box = make_sandbox(seed="scale:150,150", page_record_limit=40)
    point_bot_at(box, monkeypatch)
    report = tmp_path / "report.json"
    group = "success-plans/customer-0000"
    code = triage_run("--group", group, "--no-summary", "--report", str(report))
    assert code == 0, report_of(report)["errors"]
    assert report_of(report)["counts"]["fetched"] == 150
    # the first 20 came in the first request; then a page of 100 timed out, once (the
    # same query is not repeated), and one of 50; pages of 25 read the other 130
    assert control(box, "stats")["timed_out"] == 2
