"""The write cache: what the bot learnt from GitLab last time, so an unchanged week costs
no reads.

A cache, never the truth: GitLab is (the bot's note and its marker, people's notes, system
notes). Per epic it keeps what reading the epic's notes told the bot: its note's id and
marker (or that it has none) and when a person last touched the epic, together with the
``updatedAt`` GitLab showed at that moment (or gave the bot's own last write). That
knowledge is used only while the epic's ``updatedAt`` is still the one it was learnt at:
any other change, by a person, by another run, by a move, makes the bot read the notes
again. So a lost, truncated, corrupt or foreign cache (another shard's, a laptop's) costs
reads, never a different write: no second note, and the bot's own note is never taken for
a person's activity (which would make a stale objective look fresh).

It is a SQLite file, each epic committed as soon as it is learnt or written, so a run
killed half-way leaves a cache that knows every write it made, and nothing is held in
memory, however many epics there are.

It also keeps each epic as last read (GitLab's work item node), per scope (a group read
with one objective label), with the time of that read: a warm run then reads only the
epics updated since, and re-checks the others from this copy, since staleness and due
dates move with the clock even when nothing changes (``triage/pipeline/epic_source.py``).

It also remembers when the bot itself last touched each epic, and the note a person
deleted (``forget_note``), the one thing GitLab cannot tell. GitLab moves an epic's
``updatedAt`` for every note and label change, the bot's included; without this, the bot's
own note would make a stale objective look fresh on the next run.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from triage.errors import UsageError
from triage.plan.assess import SAME_WRITE
from triage.plan.marker import BotNote, Existing, NoteMarker

NO_NOTE = ""  # the note column of an epic the bot read and found no note of its own on
DELETED = "deleted"  # the note column of an epic whose note a person deleted (its marker kept)

VERSION = 2  # PRAGMA user_version; a file of another version is started afresh
SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (epic TEXT PRIMARY KEY, note TEXT NOT NULL, marker TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS touches (
  epic TEXT PRIMARY KEY, touched TEXT NOT NULL, human TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS opinions (epic TEXT PRIMARY KEY, key TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS drafts (
  epic TEXT NOT NULL, rule TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (epic, rule));
CREATE TABLE IF NOT EXISTS epics (epic TEXT PRIMARY KEY, scope TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS epics_scope ON epics (scope);
CREATE TABLE IF NOT EXISTS reads (scope TEXT PRIMARY KEY, since TEXT NOT NULL, swept TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Written:
    """What one epic's processing wrote, to record in one transaction."""

    note: BotNote | None = None
    touched: str | None = None  # updatedAt of the epic at the bot's last write or read
    human: str | None = None  # the last change by a person, as of ``touched``
    no_note: bool = False  # the notes were read and hold no note of the bot's


@dataclass(frozen=True)
class Known:
    """What the cache may say about an epic whose ``updatedAt`` has not moved since."""

    existing: Existing
    human: datetime | None


class WriteCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.warning: str | None = None  # what the run should say about the cache file
        self._broken = False  # a write failed mid-run: said once, the run goes on
        try:
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open(path)
        except OSError as exc:  # the folder cannot be made: a file in the way, no right
            raise UsageError(
                f"cannot use the cache file {path}: {exc.strerror or exc}; pass another "
                "--cache path"
            ) from None
        except sqlite3.OperationalError as exc:  # read-only, a folder, no permission
            raise UsageError(
                f"cannot use the cache file {path}: {exc}; make it writable or pass another "
                "--cache path"
            ) from None
        except sqlite3.DatabaseError as exc:  # truncated or garbage: a cache, set it aside
            assert path is not None
            aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
            path.rename(aside)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            self.warning = (
                f"the cache {path} could not be read ({exc}); it was moved to {aside.name} "
                "and this run reads each epic's notes instead"
            )
            self._db = self._open(path)
        # Complete only after a whole --apply run with no failed epic or group. It decides
        # nothing (an epic the cache does not know is read, whatever this says); it tells
        # people and tests whether the last run went through.
        self.complete = (
            self._db.execute("SELECT 1 FROM meta WHERE key = 'complete'").fetchone() is not None
        )

    @staticmethod
    def _open(path: Path | None) -> sqlite3.Connection:
        db = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None
        )
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                db.executescript(
                    "DROP TABLE IF EXISTS comments; DROP TABLE IF EXISTS notes; "
                    "DROP TABLE IF EXISTS touches; DROP TABLE IF EXISTS meta;"
                )
                db.execute(f"PRAGMA user_version = {VERSION}")
            db.execute("PRAGMA journal_mode=WAL")
            # A truncated file can open and fail only when a later page is read, half-way
            # through a run: check every page now, while it can still be set aside.
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed")
            db.executescript(SCHEMA)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('opened', 'yes')")  # writable?
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def known(self, epic: str, updated_at: datetime | None) -> Known | None:
        """What the bot has on ``epic`` and when a person last touched it, if the cache
        learnt both at this very ``updatedAt``; ``None``: the notes must be read."""
        if updated_at is None:
            return None
        try:
            with self._lock:
                note = self._db.execute(
                    "SELECT note, marker FROM notes WHERE epic = ?", (epic,)
                ).fetchone()
                seen = self._db.execute(
                    "SELECT touched, human FROM touches WHERE epic = ?", (epic,)
                ).fetchone()
            if note is None or seen is None:
                return None
            if abs(updated_at - datetime.fromisoformat(seen[0])) > SAME_WRITE:
                return None  # changed since: by a person, another run, a move
            human = datetime.fromisoformat(seen[1])
        except (sqlite3.DatabaseError, ValueError, TypeError):  # a damaged row: read
            return None
        if note[0] == NO_NOTE:
            return Known(Existing(), human)
        if note[0] == DELETED:
            gone = NoteMarker.parse(note[1])
            return Known(Existing(deleted=gone), human) if gone else None
        marker = NoteMarker.parse(note[1])
        return Known(Existing(BotNote(note[0], marker)), human) if marker else None

    def existing(self, epic: str) -> Existing | None:
        """What the bot has on ``epic`` as far as the cache knows: ``None`` when it cannot
        say (the epic's notes must be read)."""
        with self._lock:
            row = self._db.execute(
                "SELECT note, marker FROM notes WHERE epic = ?", (epic,)
            ).fetchone()
        if row and row[0] == NO_NOTE:
            return Existing()
        if row and row[0] == DELETED:
            gone = NoteMarker.parse(row[1])
            return Existing(deleted=gone) if gone else None
        if row:
            marker = NoteMarker.parse(row[1])
            if marker is not None:
                return Existing(BotNote(row[0], marker))
        return None

    def last_human_update(self, epic: str, updated_at: datetime | None) -> datetime | None:
        """``updated_at``, unless the bot's own last write is what set it."""
        if updated_at is None:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT touched, human FROM touches WHERE epic = ?", (epic,)
            ).fetchone()
        if row and abs(updated_at - datetime.fromisoformat(row[0])) <= SAME_WRITE:
            return datetime.fromisoformat(row[1])
        return updated_at

    def record(self, epic: str, written: Written) -> None:
        """Remember what was written or learnt for ``epic`` now, in one transaction.

        A cache that cannot be written any more (disk full, file removed) costs the next
        run reads, not this run its writes: the failure is said once (``warning``)."""
        if written.note is None and not written.touched and not written.no_note:
            return
        with self._lock:
            if self._broken:
                return
            try:
                self._db.execute("BEGIN")
                if written.note is not None:
                    self._db.execute(
                        "INSERT OR REPLACE INTO notes VALUES (?, ?, ?)",
                        (epic, written.note.id, written.note.marker.render()),
                    )
                elif written.no_note:
                    self._db.execute(
                        "INSERT OR REPLACE INTO notes VALUES (?, ?, ?)", (epic, NO_NOTE, "")
                    )
                if written.touched and written.human:
                    self._db.execute(
                        "INSERT OR REPLACE INTO touches VALUES (?, ?, ?)",
                        (epic, written.touched, written.human),
                    )
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                self._broken = True
                self.warning = (
                    f"the cache {self.path} could not be written ({exc}); the next run "
                    "reads the notes this run could not remember"
                )
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")

    @property
    def broken(self) -> bool:
        return self._broken

    def forget_note(self, epic: str, marker: NoteMarker) -> None:
        """Remember that a person deleted the bot's note saying ``marker``: it is posted
        again only when its findings change. Only this file knows it; without it the note
        comes back once."""
        with self._lock:
            if self._broken:
                return
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO notes VALUES (?, ?, ?)",
                    (epic, DELETED, marker.render()),
                )
            except sqlite3.DatabaseError as exc:
                self._broken = True
                self.warning = f"the cache {self.path} could not be written ({exc})"

    def opinion(self, epic: str, key: str) -> str | None:
        """The model's stored reading of ``epic``, if it was given for this very text
        (``key`` hashes the text and the model's identity); none from a damaged file."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT data FROM opinions WHERE epic = ? AND key = ?", (epic, key)
                ).fetchone()
        except sqlite3.DatabaseError:
            return None
        return str(row[0]) if row else None

    def remember_opinion(self, epic: str, key: str, data: str) -> None:
        with self._lock:
            if self._broken:
                return
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO opinions VALUES (?, ?, ?)", (epic, key, data)
                )
            except sqlite3.DatabaseError as exc:
                self._broken = True
                self.warning = f"the cache {self.path} could not be written ({exc})"

    def changed_since_write(self, epic: str, updated_at: datetime | None) -> bool:
        """Whether something moved the epic's ``updatedAt`` after the bot's last write to it
        (a person's edit, comment or label change); False when the bot never wrote to it."""
        if updated_at is None:
            return False
        with self._lock:
            row = self._db.execute("SELECT touched FROM touches WHERE epic = ?", (epic,)).fetchone()
        return bool(row) and abs(updated_at - datetime.fromisoformat(row[0])) > SAME_WRITE

    def drafts(self, epic: str) -> list[str]:
        """The drafts the bot's note on ``epic`` carries, as stored (JSON per rule)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM drafts WHERE epic = ? ORDER BY rule", (epic,)
            ).fetchall()
        return [str(row[0]) for row in rows]

    def remember_drafts(self, epic: str, drafts: dict[str, str], keep: set[str]) -> None:
        """Store ``drafts`` (rule -> JSON) and forget the epic's other rules not in ``keep``
        (their section is gone or carries no draft any more), in one transaction."""
        with self._lock:
            self._db.execute("BEGIN")
            rows = self._db.execute("SELECT rule FROM drafts WHERE epic = ?", (epic,)).fetchall()
            for (rule,) in rows:
                if rule not in keep and rule not in drafts:
                    self._db.execute("DELETE FROM drafts WHERE epic = ? AND rule = ?", (epic, rule))
            for rule, data in drafts.items():
                self._db.execute(
                    "INSERT OR REPLACE INTO drafts VALUES (?, ?, ?)", (epic, rule, data)
                )
            self._db.execute("COMMIT")

    def mark_complete(self) -> None:
        """Say that every epic of the run was recorded (after a whole --apply run); the
        write-ahead log is folded into the file."""
        with self._lock:
            if self._broken:
                return
            try:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('complete', 'yes')")
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.DatabaseError:
                self._broken = True

    def mark_incomplete(self) -> None:
        """Say that the last run did not go through (a failed epic or group)."""
        with self._lock:
            if self._broken:
                return
            try:
                self._db.execute("DELETE FROM meta WHERE key = 'complete'")
            except sqlite3.DatabaseError:
                self._broken = True

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # What was last read, per scope (see the module docstring and pipeline/epic_source.py).

    def read_state(self, scope: str) -> tuple[str, str] | None:
        """``(since, swept)`` of the last complete read of ``scope``: the GitLab time it
        started at, and the run clock of its last full read; ``None`` if there is none."""
        with self._lock:
            row = self._db.execute(
                "SELECT since, swept FROM reads WHERE scope = ?", (scope,)
            ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def forget_scope(self, scope: str) -> None:
        """Drop what was read of ``scope``: a full read starts afresh, and until it ends,
        the next run knows no complete read to build on."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM reads WHERE scope = ?", (scope,))
            self._db.execute("DELETE FROM epics WHERE scope = ?", (scope,))
            self._db.execute("COMMIT")

    def keep_epics(self, scope: str, nodes: list[tuple[str, str]]) -> None:
        """Keep ``(epic id, node JSON)`` pairs as the last read of those epics."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO epics VALUES (?, ?, ?)",
                [(epic, scope, data) for epic, data in nodes],
            )
            self._db.execute("COMMIT")

    def drop_epics(self, epics: list[str]) -> None:
        """Forget epics that left the scope (closed, no longer objectives)."""
        with self._lock:
            self._db.executemany("DELETE FROM epics WHERE epic = ?", [(e,) for e in epics])

    def kept_epics(self, scope: str, chunk: int = 500) -> Iterator[tuple[str, str]]:
        """``(epic id, node JSON)`` of every epic kept for ``scope``, a chunk at a time, so
        memory stays flat however many there are."""
        last = ""
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT epic, data FROM epics WHERE scope = ? AND epic > ? "
                    "ORDER BY epic LIMIT ?",
                    (scope, last, chunk),
                ).fetchall()
            if not rows:
                return
            for epic, data in rows:
                yield str(epic), str(data)
            last = str(rows[-1][0])

    def mark_read(self, scope: str, since: str, swept: str) -> None:
        """Record a complete read of ``scope`` that started at ``since`` (GitLab's time)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO reads VALUES (?, ?, ?)", (scope, since, swept))
