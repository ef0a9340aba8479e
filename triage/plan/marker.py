"""The hidden marker that makes the bot's one note per epic findable and comparable.

The note ends with ``<!-- smart-triage:note fp=HASH open=a,b fixed=c@2026-11-20 told=k1,k2 -->``:
``fp`` is the fingerprint of everything the open sections were computed from (unchanged:
no write, no LLM call); ``open`` and ``fixed`` say which rules have a section and since when
a resolved one is fixed; ``told`` holds the findings the owner was mentioned for, so the
owner is mentioned again only for a finding that is new to them. Only notes written by the
bot's own user are trusted, and the sanitizer strips HTML comments from everything else, so
a marker cannot be forged.

Comments of the earlier one-comment-per-rule format end with
``<!-- smart-triage:rule=NAME fp=HASH reasons=a,b state=open -->``; they are read here so the
planner can move them into the note (``LegacyComment``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from triage.plan.edits import Edit, edit_of
from triage.records import Note

RENDER_VERSION = "3"  # bump when the rendering code changes what a note says
NOTE_MARKER = re.compile(
    r"<!-- smart-triage:note fp=(?P<fp>[0-9a-f]+) open=(?P<open>[a-z0-9,-]*) "
    r"fixed=(?P<fixed>[a-z0-9,@-]*) told=(?P<told>[\w:,.-]*)"
    r"(?: keys=(?P<keys>[0-9a-f]*))?(?: body=(?P<body>[0-9a-f]*))? -->"
)
LEGACY_MARKER = re.compile(
    r"<!-- smart-triage:rule=(?P<rule>[a-z0-9-]+) fp=(?P<fp>[0-9a-f]+) "
    r"reasons=(?P<reasons>[\w:,.-]*) state=(?P<state>open|resolved) -->"
)
MOVED_MARKER = "<!-- smart-triage:moved -->"


def _split(text: str) -> tuple[str, ...]:
    return tuple(item for item in text.split(",") if item)


@dataclass(frozen=True)
class NoteMarker:
    fingerprint: str
    open: tuple[str, ...] = ()  # rules with an open section, in policy order
    fixed: tuple[tuple[str, date], ...] = ()  # (rule, fixed since)
    told: frozenset[str] = frozenset()  # finding keys the owner was mentioned for
    keys: str = ""  # a hash of the open findings: a deleted note returns when they change
    body: str = ""  # a hash of the text as written (``plan/edits.py``): a person's edit shows

    def render(self) -> str:
        fixed = ",".join(f"{rule}@{since.isoformat()}" for rule, since in self.fixed)
        extra = (f" keys={self.keys}" if self.keys else "") + (
            f" body={self.body}" if self.body else ""
        )
        return (
            f"<!-- smart-triage:note fp={self.fingerprint} open={','.join(self.open)} "
            f"fixed={fixed} told={','.join(sorted(self.told))}{extra} -->"
        )

    @classmethod
    def parse(cls, body: str) -> NoteMarker | None:
        match = NOTE_MARKER.search(body)
        if match is None:
            return None
        fixed = []
        for item in _split(match.group("fixed")):
            rule, _, since = item.partition("@")
            try:
                fixed.append((rule, date.fromisoformat(since)))
            except ValueError:
                continue
        return cls(
            match.group("fp"),
            _split(match.group("open")),
            tuple(fixed),
            frozenset(_split(match.group("told"))),
            match.group("keys") or "",
            match.group("body") or "",
        )


@dataclass(frozen=True)
class BotNote:
    """The bot's note on an epic: its id, marker, and text when it was read from GitLab
    (``None`` when only the write cache knows it)."""

    id: str
    marker: NoteMarker
    body: str | None = None
    discussion: str | None = None  # its thread, to reply in when a person rewrote it
    internal: bool = False  # a reply takes this visibility, whatever it asks for
    reactions: tuple[tuple[str, str], ...] = ()  # (emoji, username), when read from GitLab


@dataclass(frozen=True)
class LegacyComment:
    """A comment of the one-comment-per-rule format, to be moved into the note."""

    id: str
    rule: str
    reasons: tuple[str, ...]
    open: bool


@dataclass(frozen=True)
class Existing:
    """What the bot already has on an epic: its note, and comments of the old format."""

    note: BotNote | None = None
    legacy: tuple[LegacyComment, ...] = ()
    duplicates: tuple[str, ...] = ()  # later notes of the bot's with a marker: to delete
    deleted: NoteMarker | None = None  # the marker of a note a person deleted (write cache)

    @property
    def edit(self) -> Edit:
        """What a person did to the note, as far as its text is known."""
        return edit_of(self.note.body, self.note.marker.body) if self.note else Edit.NONE

    @property
    def open_rules(self) -> tuple[str, ...]:
        """Rules with an open section: the note's, else the open old-format comments'."""
        if self.note is not None:
            return self.note.marker.open
        return tuple(dict.fromkeys(c.rule for c in self.legacy if c.open))


NOTHING = Existing()


def find_existing(notes: Sequence[Note], bot: str) -> Existing:
    """The bot's own note and old-format comments among an epic's notes: the first note
    with a marker that no person rewrote (else the first with a marker), and any other
    note of the bot's with a marker that no person rewrote (a duplicate, to be deleted;
    a person's words are never deleted)."""
    notes_found: list[BotNote] = []
    legacy: list[LegacyComment] = []
    for item in notes:
        if item.author != bot or item.system or MOVED_MARKER in item.body:
            continue
        marker = NoteMarker.parse(item.body)
        if marker is not None:
            notes_found.append(
                BotNote(
                    item.id,
                    marker,
                    item.body,
                    item.discussion_id,
                    item.internal,
                    item.reactions,
                )
            )
            continue
        old = LEGACY_MARKER.search(item.body)
        if old is None:
            # The bot posts nothing on an epic without a marker: a note of its own without
            # one is a note a person rewrote, marker and all. It is theirs now.
            unmarked = NoteMarker("")
            notes_found.append(
                BotNote(item.id, unmarked, item.body, item.discussion_id, item.internal)
            )
            continue
        if old:
            legacy.append(
                LegacyComment(
                    item.id, old.group("rule"), _split(old.group("reasons")), old["state"] == "open"
                )
            )
    # A note a person rewrote stays as they wrote it; the bot's own text then lives in a
    # reply in its thread, which is the note to keep up to date.
    untouched = [n for n in notes_found if edit_of(n.body, n.marker.body) is not Edit.REWRITTEN]
    note = untouched[0] if untouched else (notes_found[0] if notes_found else None)
    duplicates = tuple(n.id for n in untouched[1:])
    return Existing(note, tuple(legacy), duplicates)


def fingerprint(parts: Mapping[str, Any]) -> str:
    """A short, stable hash of everything a note is computed from."""
    blob = json.dumps({"render": RENDER_VERSION, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
