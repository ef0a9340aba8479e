"""The bot's state is a cache: losing, damaging or swapping it changes reads, never writes."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from tests.conftest import DEMO_DAY, control, point_bot_at
from tests.run.test_weekly_run import bot_notes
from triage.cli import main

STALE = "acme-corp&3"  # untouched for months: its note has an open stale-objective section


@pytest.fixture
def env(bot_env):
    return bot_env


def run(day_offset: int, *args: str) -> int:
    return main(
        [
            "run",
            "--apply",
            "--no-summary",
            "--now",
            (DEMO_DAY + timedelta(days=day_offset)).isoformat(),
            *args,
        ]
    )


def writes_of(box, *args: str, day: int) -> tuple[int, int]:
    control(box, "reset", {"stats_only": True})
    code = run(day, *args)
    return code, control(box, "stats")["writes"]


def weeks(box, state, lose: bool) -> tuple[list[tuple[int, int]], dict[str, list[str]]]:
    """Three weekly runs, the state lost after the first when ``lose``: each run's exit
    code and writes, and the notes' bodies at the end."""
    assert run(0, "--cache", str(state)) == 0
    if lose:
        state.unlink()
    codes = [writes_of(box, "--cache", str(state), day=day) for day in (7, 14)]
    bodies = {ref: [n["body"] for n in notes] for ref, notes in bot_notes(box).items()}
    return codes, bodies


def test_a_lost_state_gives_the_same_writes_and_resolves_nothing(
    make_sandbox, monkeypatch, tmp_path
):
    """Lost between weeks: the bot's own note must not pass for a person's activity, so
    the stale objective stays stale, and every write is the one a kept state gives."""
    results = []
    for lose in (False, True):
        box = make_sandbox()
        point_bot_at(box, monkeypatch)
        results.append(weeks(box, tmp_path / f"state-{lose}.db", lose))
    kept, lost = results
    assert lost == kept
    notes = lost[1]
    assert len(notes[STALE]) == 1 and "Resolved" not in notes[STALE][0]
    assert all(len(bodies) == 1 for bodies in notes.values())


def test_another_shards_state_posts_no_second_note(sandbox, env, tmp_path):
    """A state that knows other groups only (a copied shard cache) must not make the bot
    believe this group's epics have no note."""
    mine, theirs = tmp_path / "mine.db", tmp_path / "theirs.db"
    assert run(0, "--cache", str(theirs), "--group", "globex") == 0
    assert run(0, "--cache", str(mine), "--group", "acme-corp") == 0
    shutil.copy(theirs, mine)
    assert writes_of(sandbox, "--cache", str(mine), "--group", "acme-corp", day=0) == (0, 0)
    assert all(len(notes) == 1 for notes in bot_notes(sandbox).values())


def test_a_state_that_cannot_be_made_stops_before_any_request(make_sandbox, monkeypatch, tmp_path):
    from tests.cli import run_cli

    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("run", "--apply", "--cache", str(blocker / "state.db"))
    assert result.returncode == 2
    assert "cannot use the cache file" in result.stderr and "Traceback" not in result.stderr
    assert control(box, "stats")["requests"] == 0
