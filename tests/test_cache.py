"""The write cache: what it says about an epic, and when it may say "no note"."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, control, point_bot_at
from triage.cache import WriteCache, Written
from triage.plan.marker import BotNote, NoteMarker

MARKER = NoteMarker("ab" * 8, ("smart-objective",), (), frozenset({"missing_baseline"}))


def test_a_recorded_note_is_known_across_runs(tmp_path):
    path = tmp_path / "cache.db"
    cache = WriteCache(path)
    cache.record("e1", Written(BotNote("n1", MARKER), "2026-11-20T10:00:00+00:00", None))
    cache.close()
    again = WriteCache(path)
    existing = again.existing("e1")
    assert existing is not None and existing.note is not None
    assert (existing.note.id, existing.note.marker) == ("n1", MARKER)
    assert existing.note.body is None  # the cache keeps no text: --diff reads it


def test_a_complete_run_does_not_make_an_unknown_epic_noteless(tmp_path):
    """A cache another shard or a laptop left, or a group new to this cache, says nothing
    about an epic it never saw: its notes must be read, or a second note would be posted."""
    path = tmp_path / "cache.db"
    cache = WriteCache(path)
    cache.mark_complete()
    cache.close()
    again = WriteCache(path)
    assert again.complete
    assert again.existing("e2") is None
    assert again.known("e2", datetime(2026, 11, 20, tzinfo=UTC)) is None


def test_what_was_learnt_holds_only_while_the_epic_is_unchanged(tmp_path):
    cache = WriteCache(tmp_path / "cache.db")
    seen = datetime(2026, 11, 20, 10, tzinfo=UTC)
    human = datetime(2026, 9, 1, tzinfo=UTC)
    cache.record("e1", Written(None, seen.isoformat(), human.isoformat(), no_note=True))
    known = cache.known("e1", seen)
    assert known is not None and known.existing.note is None and known.human == human
    assert cache.known("e1", seen + timedelta(days=1)) is None  # changed: read the notes
    cache.record("e2", Written(BotNote("n2", MARKER), seen.isoformat(), human.isoformat()))
    known = cache.known("e2", seen + timedelta(seconds=1))
    assert known is not None and known.existing.note == BotNote("n2", MARKER)


def test_a_damaged_row_is_read_again_from_gitlab(tmp_path):
    path = tmp_path / "cache.db"
    cache = WriteCache(path)
    seen = datetime(2026, 11, 20, 10, tzinfo=UTC)
    cache.record("e1", Written(BotNote("n1", MARKER), seen.isoformat(), seen.isoformat()))
    cache.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE notes SET marker = 'garbage'")
    db.execute("UPDATE touches SET human = 'not a time'")
    db.commit()
    db.close()
    assert WriteCache(path).known("e1", seen) is None


def test_a_truncated_cache_file_is_set_aside_when_opened_not_half_way_through_a_run(tmp_path):
    path = tmp_path / "cache.db"
    cache = WriteCache(path)
    seen = datetime(2026, 11, 20, 10, tzinfo=UTC).isoformat()
    for n in range(2000):
        cache.record(f"e{n}", Written(BotNote(f"n{n}", MARKER), seen, seen))
    cache.mark_complete()
    cache.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    again = WriteCache(path)
    assert again.warning is not None and "could not be read" in again.warning
    assert again.known("e1999", datetime.fromisoformat(seen)) is None


def test_the_bots_own_write_is_not_taken_for_a_persons_activity(tmp_path):
    cache = WriteCache(tmp_path / "cache.db")
    touched = datetime(2026, 11, 20, 10, tzinfo=UTC)
    human = datetime(2026, 9, 1, tzinfo=UTC)
    cache.record("e1", Written(None, touched.isoformat(), human.isoformat()))
    assert cache.last_human_update("e1", touched + timedelta(seconds=2)) == human
    later = touched + timedelta(days=3)
    assert cache.last_human_update("e1", later) == later  # somebody changed it since


def test_a_cache_of_the_older_format_starts_afresh(tmp_path):
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE comments (epic TEXT, rule TEXT, fingerprint TEXT, note TEXT, state TEXT);"
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('complete', 'yes');"
    )
    db.commit()
    db.close()
    cache = WriteCache(path)
    assert not cache.complete  # an old 'complete' must not make the bot skip reading notes
    assert cache.existing("e1") is None


def test_a_garbage_cache_file_is_set_aside_with_a_warning_and_the_run_goes_on_cold(tmp_path):
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is not a database\x00" * 100)
    cache = WriteCache(path)
    assert cache.warning is not None and "could not be read" in cache.warning
    assert not cache.complete  # cold: notes are read, nothing is trusted
    assert [p.name for p in tmp_path.iterdir() if ".unreadable-" in p.name]
    cache.record("e1", Written(BotNote("n1", MARKER), "2026-11-20T10:00:00+00:00", None))
    assert cache.existing("e1") is not None


def test_a_cache_path_that_cannot_be_used_stops_the_run_before_anything_is_written(
    make_sandbox, monkeypatch, tmp_path
):
    """A path the bot cannot open as its cache (here a folder; a read-only file on a
    machine that enforces permissions) is a configuration error: exit 2, no write."""
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    path = tmp_path / "cache.db"
    path.mkdir()
    result = run_cli("run", "--apply", "--now", DEMO_DAY.isoformat(), "--cache", str(path))
    assert result.returncode == 2
    assert f"cannot use the cache file {path}" in result.stderr
    assert "Traceback" not in result.stderr
    assert control(box, "stats")["requests"] == 0


def test_a_cache_that_fails_mid_run_is_said_once_and_the_run_goes_on(tmp_path):
    """GitLab already has the writes: a cache that cannot record them (disk full, file
    gone read-only) costs the next run reads, never this run a traceback."""
    cache = WriteCache(tmp_path / "cache.db")
    cache._db.execute("PRAGMA query_only = ON")  # every write now fails, as on a full disk
    seen = datetime(2026, 11, 20, 10, tzinfo=UTC).isoformat()
    cache.record("e1", Written(BotNote("n1", MARKER), seen, seen))
    cache.record("e2", Written(BotNote("n2", MARKER), seen, seen))
    cache.remember_opinion("e1", "k", "{}")
    cache.mark_complete()
    assert cache.broken and cache.warning is not None and "could not be written" in cache.warning
    assert cache.known("e1", datetime.fromisoformat(seen)) is None  # read again next time
