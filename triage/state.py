"""What the bot wrote last time: per epic and rule, the comment's id, fingerprint and state.

A cache, never the truth: the marker in each comment is the truth. With it, a weekly re-run
on unchanged data needs no comment reads at all; without it (first run, lost cache) the bot
reads comments and finds its markers. It is a SQLite file: each epic's writes are
committed as soon as they are made, so a run killed half-way leaves a state that knows
about every write it made, and nothing is held in memory, however many epics there are.

It also remembers when the bot itself last touched each epic. GitLab moves an epic's
``updatedAt`` for every comment and label change, the bot's included; without this, the
bot's own comment would make a stale objective look fresh on the next run.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

SAME_WRITE = timedelta(seconds=5)  # GitLab touches the epic in the note's own transaction
SCHEMA = """
CREATE TABLE IF NOT EXISTS comments (
  epic TEXT NOT NULL, rule TEXT NOT NULL, fingerprint TEXT NOT NULL, note TEXT NOT NULL,
  state TEXT NOT NULL, PRIMARY KEY (epic, rule));
CREATE TABLE IF NOT EXISTS touches (
  epic TEXT PRIMARY KEY, touched TEXT NOT NULL, human TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    note: str
    state: str  # open | resolved


@dataclass
class EpicState:
    """What one epic's processing wrote, to record in one transaction."""

    rules: dict[str, Entry] = field(default_factory=dict)
    touched: str | None = None  # updatedAt GitLab gave the epic at the bot's last write
    human: str | None = None  # updatedAt before that write: the last change by a person


class State:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        # Trusted only after a complete --apply run: then a missing entry means "no
        # comment"; after a dry-run or a killed first run, comments must be read.
        self.trusted = (
            self._db.execute("SELECT 1 FROM meta WHERE key = 'complete'").fetchone() is not None
        )

    def get(self, epic: str, rule: str) -> Entry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT fingerprint, note, state FROM comments WHERE epic = ? AND rule = ?",
                (epic, rule),
            ).fetchone()
        return Entry(*row) if row else None

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

    def record(self, epic: str, update: EpicState) -> None:
        """Remember what was written for ``epic`` now, durably, in one transaction."""
        if not update.rules and not update.touched:
            return
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO comments VALUES (?, ?, ?, ?, ?)",
                [(epic, rule, e.fingerprint, e.note, e.state) for rule, e in update.rules.items()],
            )
            if update.touched and update.human:
                self._db.execute(
                    "INSERT OR REPLACE INTO touches VALUES (?, ?, ?)",
                    (epic, update.touched, update.human),
                )
            self._db.execute("COMMIT")

    def save(self) -> None:
        """Mark the state complete (after an --apply run); every write is already
        committed, the write-ahead log is folded into the file."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('complete', 'yes')")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            self._db.close()
