"""What a person did to the bot's note: nothing, ticked its boxes, or rewrote it.

GitLab lets the author and anyone with the Maintainer role edit a comment, and ticking a
task box in a note is an edit of its Markdown. The marker keeps a hash of the text as the
bot wrote it, boxes unticked (``body=``), so the next run can tell the three apart from
GitLab alone: equal hash, unchanged; equal once the boxes are unticked, only boxes ticked
(they carry into the new text); otherwise a person's edit, which the bot never overwrites
(its update goes in a reply in the note's thread).
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

MARKER = re.compile(r"<!-- smart-triage:note [^>]*-->")  # any version of NOTE_MARKER
# A task item as GitLab reads it: bullet or ordered, box open, ticked or not applicable.
TASK = re.compile(r"^(?P<lead>\s*(?:[-*+]|\d+[.)]) \[)(?P<box>[ xX~])(?P<rest>\] (?P<text>.*))$")


class Edit(StrEnum):
    NONE = "none"  # as the bot wrote it, or the text is unknown (only the cache knew it)
    TICKS = "ticks"  # only task boxes ticked or unticked
    REWRITTEN = "rewritten"  # anything else a person changed


def _text(body: str) -> str:
    """The note without its marker, as GitLab may return it (line ends, trailing spaces)."""
    lines = MARKER.sub("", body).replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _unticked(text: str) -> str:
    return "\n".join(TASK.sub(r"\g<lead> \g<rest>", line) for line in text.split("\n"))


def body_hash(body: str) -> str:
    """The hash the marker keeps: the text without marker, every task box unticked."""
    return hashlib.sha256(_unticked(_text(body)).encode()).hexdigest()[:12]


def edit_of(body: str | None, written: str) -> Edit:
    """How ``body`` differs from the text whose hash is ``written`` (the marker's)."""
    if body is None:
        return Edit.NONE  # unknown text: only the cache knew the note
    if not MARKER.search(body):
        return Edit.REWRITTEN  # the marker itself is gone: a person's text now
    if not written:
        return Edit.NONE  # a note written before markers kept a hash
    if body_hash(body) != written:
        return Edit.REWRITTEN
    return Edit.TICKS if ticked(body) else Edit.NONE


def ticked(body: str) -> dict[str, str]:
    """The task items ticked (``x``) or marked not applicable (``~``) in ``body``, by text."""
    found = {}
    for line in _text(body).split("\n"):
        match = TASK.match(line)
        if match and match.group("box") != " ":
            found[match.group("text").strip()] = match.group("box")
    return found


def carry_ticks(text: str, ticks: dict[str, str]) -> str:
    """``text`` with the boxes of ``ticks`` set again: a CSM's ticks survive an update
    for every item still listed; items that are gone take their ticks with them."""
    if not ticks:
        return text
    out = []
    for line in text.split("\n"):
        match = TASK.match(line)
        box = ticks.get(match.group("text").strip()) if match else None
        out.append(f"{match.group('lead')}{box}{match.group('rest')}" if match and box else line)
    return "\n".join(out)
