"""What the bot wrote last time: per epic and rule, the comment's id, fingerprint and state.

A cache, never the truth: the marker in each comment is the truth. With it, a weekly re-run
on unchanged data needs no comment reads at all; without it (first run, lost cache) the bot
reads comments and finds its markers. Every finished epic is appended to a journal at once,
so a run killed half-way leaves a state that knows about every write it made.

It also remembers when the bot itself last touched each epic. GitLab moves an epic's
``updatedAt`` for every comment and label change, the bot's included; without this, the
bot's own comment would make a stale objective look fresh on the next run.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

VERSION = 2
SAME_WRITE = timedelta(seconds=5)  # GitLab touches the epic in the note's own transaction


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    note: str
    state: str  # open | resolved


@dataclass
class EpicState:
    rules: dict[str, Entry] = field(default_factory=dict)
    touched: str | None = None  # updatedAt GitLab gave the epic at the bot's last write
    human: str | None = None  # updatedAt before that write: the last change by a person

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": {r: e.__dict__ for r, e in self.rules.items()},
            "touched": self.touched,
            "human": self.human,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EpicState:
        return cls(
            {r: Entry(**e) for r, e in data.get("rules", {}).items()},
            data.get("touched"),
            data.get("human"),
        )


class State:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.epics: dict[str, EpicState] = {}
        self.trusted = False  # a state file existed: a missing entry means "no comment"
        self._lock = threading.Lock()
        self._journal: Any = None
        if path is not None:
            self._load(path)

    @property
    def journal_path(self) -> Path | None:
        return self.path.with_suffix(self.path.suffix + ".journal") if self.path else None

    def _load(self, path: Path) -> None:
        if path.exists():
            data = json.loads(path.read_text())
            if data.get("version") == VERSION:
                self.epics = {k: EpicState.from_json(v) for k, v in data["epics"].items()}
                self.trusted = True
        journal = self.journal_path
        if journal and journal.exists():
            for line in journal.read_text().splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # the last line of a killed run may be cut
                self._merge(record["epic"], EpicState.from_json(record))

    def get(self, epic: str, rule: str) -> Entry | None:
        known = self.epics.get(epic)
        return known.rules.get(rule) if known else None

    def last_human_update(self, epic: str, updated_at: datetime | None) -> datetime | None:
        """``updated_at``, unless the bot's own last write is what set it."""
        known = self.epics.get(epic)
        if updated_at is None or not known or not known.touched or not known.human:
            return updated_at
        touched = datetime.fromisoformat(known.touched)
        if abs(updated_at - touched) <= SAME_WRITE:
            return datetime.fromisoformat(known.human)
        return updated_at

    def _merge(self, epic: str, update: EpicState) -> None:
        current = self.epics.setdefault(epic, EpicState())
        current.rules.update(update.rules)
        if update.touched:
            current.touched, current.human = update.touched, update.human

    def record(self, epic: str, update: EpicState) -> None:
        """Remember what was written for ``epic`` now, durably (journal line + fsync)."""
        if not update.rules and not update.touched:
            return
        with self._lock:
            self._merge(epic, update)
            if self.journal_path is None:
                return
            if self._journal is None:
                self.journal_path.parent.mkdir(parents=True, exist_ok=True)
                self._journal = self.journal_path.open("a")
            self._journal.write(json.dumps({"epic": epic, **update.to_json()}) + "\n")
            self._journal.flush()
            os.fsync(self._journal.fileno())

    def save(self) -> None:
        """Write the whole state atomically and drop the journal."""
        if self.path is None:
            return
        with self._lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            data = {
                "version": VERSION,
                "epics": {k: v.to_json() for k, v in sorted(self.epics.items())},
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(self.path.suffix + ".tmp")
            tmp.write_text(json.dumps(data, indent=1))
            tmp.replace(self.path)
            journal = self.journal_path
            if journal and journal.exists():
                journal.unlink()
