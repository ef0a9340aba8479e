"""The weekly run against the behaviours of a real GitLab that the demo sandbox lacks.

For each: the run ends the way a user can act on (one clear line with the fix, the right
exit code, no stack trace), writes nothing before a configuration failure, never doubles
the summary issue, and stays under the note-creation limit even as several shards at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, control, point_bot_at
from tests.run.test_weekly_run import NOTED, bot_notes

ROOT = Path(__file__).parents[2]
NOW = DEMO_DAY.isoformat()
SUMMARY_PROJECT = "cs-ops/triage-reports"


def run(tmp_path: Path, *args: str):
    report = tmp_path / "report.json"
    result = run_cli("run", "--now", NOW, "--report", str(report), *args)
    return result, json.loads(report.read_text()) if report.exists() else None


def test_a_group_without_work_item_epics_is_one_clear_error_and_the_run_goes_on(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox(no_work_item_epics=("globex",))
    point_bot_at(box, monkeypatch)
    result, report = run(tmp_path, "--apply")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert len(report["errors"]) == 1
    error = report["errors"][0]
    assert error.startswith("globex: group 'globex' has no epics as work items")
    assert "Premium or Ultimate" in error and "work_item_epics feature flag" in error
    noted = bot_notes(box)
    assert not any(ref.startswith("globex") for ref in noted)
    assert any(ref.startswith("acme-corp") for ref in noted)
    assert any(ref.startswith("initech") for ref in noted)


def test_a_label_the_token_may_not_create_stops_the_run_before_any_comment(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox(label_admin_denied=("globex",))
    point_bot_at(box, monkeypatch)
    result, _report = run(tmp_path, "--apply")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "cannot create label" in result.stderr and "'globex': HTTP 403" in result.stderr
    assert "needs at least the Planner role" in result.stderr
    assert bot_notes(box) == {}
    stats = control(box, "stats")
    assert stats["routes"].get("graphql mutation", 0) == 0  # no comment, no label on an epic
    # The right was checked everywhere before anything was created, in any group.
    assert stats["routes"].get("POST /groups/:id/labels", 0) == 0


def test_a_subgroup_token_that_cannot_see_the_top_group_stops_before_any_comment(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox(not_member_of=("acme-corp",))
    point_bot_at(box, monkeypatch)
    result, _report = run(tmp_path, "--apply")
    assert result.returncode == 2, result.stderr
    assert "cannot create label" in result.stderr and "'acme-corp': HTTP 404" in result.stderr
    assert "a subgroup's token cannot create labels in the top-level group" in result.stderr
    assert bot_notes(box) == {}


def test_a_lost_answer_to_the_summary_create_leaves_one_summary_issue(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox(lost_answers=("POST /projects/:id/issues",))
    point_bot_at(box, monkeypatch)
    result, report = run(tmp_path, "--apply")
    assert result.returncode == 0, result.stderr
    assert control(box, "stats")["answers_lost"] == 1
    summaries = [i for i in control(box, "state")["issues"] if i["project"] == SUMMARY_PROJECT]
    assert len(summaries) == 1
    assert report["summary"]["action"] == "created"
    assert report["summary"]["url"].endswith(f"/issues/{summaries[0]['iid']}")


def test_notes_over_gitlabs_limit_are_waited_out_and_all_written(
    make_sandbox, monkeypatch, tmp_path
):
    box = make_sandbox(note_limit=3, note_limit_window=1)
    point_bot_at(box, monkeypatch)  # pacing far above the sandbox's limit
    monkeypatch.setenv("TRIAGE_NOTE_BACKOFF", "0.3")
    result, report = run(tmp_path, "--apply")
    assert result.returncode == 0, result.stderr
    assert control(box, "stats")["notes_limited"] > 0
    assert report["requests"]["note_limited"] == control(box, "stats")["notes_limited"]
    counts = Counter({ref: len(notes) for ref, notes in bot_notes(box).items()})
    assert len(counts) == NOTED and max(counts.values()) == 1


def test_shards_at_once_share_the_note_limit_and_never_exceed_it(make_sandbox, tmp_path):
    """Three shards of one ``parallel:`` job, one token: each paces at its third of 90% of
    the limit, so GitLab never has to refuse a note. The limit is 50 notes per 5 s, given
    to the bot as 600 a minute: a shard may put at most 16 notes in one window."""
    box = make_sandbox(seed="scale:75", note_limit=50, note_limit_window=5)
    groups = sorted({e["group"] for e in control(box, "state")["epics"]})
    tops = sorted({"/".join(g.split("/")[:2]) for g in groups})  # the customers
    assert len(tops) == 3
    env = {
        **{k: v for k, v in os.environ.items() if "OPENAI" not in k},
        "GITLAB_URL": box.url,
        "GITLAB_TOKEN": box.token,
        "TRIAGE_NOTES_PER_MINUTE": "600",
        "TRIAGE_REQUESTS_PER_MINUTE": "1000000",
        "CI_NODE_TOTAL": "3",
    }
    group_args = [arg for top in tops for arg in ("--group", top)]
    shards = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "triage",
                "run",
                "--apply",
                "--now",
                NOW,
                *group_args,
                "--cache",
                str(tmp_path / f"cache-{index}.db"),
                "--report",
                str(tmp_path / f"report-{index}.json"),
            ],
            env={**env, "CI_NODE_INDEX": str(index)},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in (1, 2, 3)
    ]
    errors = [shard.communicate(timeout=120)[1] for shard in shards]
    assert [shard.returncode for shard in shards] == [0, 0, 0], errors
    stats = control(box, "stats")
    assert stats["notes_limited"] == 0
    notes = sum(len(found) for found in bot_notes(box).values())
    assert notes > 50  # more notes than one window allows: the pacing was put to work
    reports = [json.loads((tmp_path / f"report-{i}.json").read_text()) for i in (1, 2, 3)]
    assert all(r["counts"]["written"] > 0 for r in reports)


def test_a_typo_in_the_objective_label_is_said_not_silently_scanned(
    make_sandbox, monkeypatch, tmp_path
):
    import shutil

    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    settings = policies / "settings.yml"
    settings.write_text(settings.read_text().replace("SP Objective\n", "SP Objectve\n", 1))
    result = run_cli(
        "run", "--now", NOW, "--policies", str(policies), "--prompts", str(ROOT / "prompts")
    )
    output = result.stdout + result.stderr
    assert "warning: globex: no open epic has the label 'SP Objectve'" in output
    assert "check sources.objective_label" in output
