"""What CSMs made of a draft: a thumbs up or down on the bot's note, and adoption.

The note asks for a reaction (``FEEDBACK_ASK``). GitLab keeps reactions on the note, and
reacting does not move the epic's ``updatedAt`` (``Note#bump_updated_at`` writes only the
note's column), so reactions are read with the epic's notes, where the run reads them anyway
or where the epic changed since the bot's last write: an unchanged week reads nothing more.

A draft is adopted when the description now contains its metric or its target and did not
when it was drafted: that needs no read at all, only what was drafted, which the write
cache keeps per epic and rule (``DraftRecord``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from triage.llm.suggestion import Suggestion

UP, DOWN = "thumbsup", "thumbsdown"
OFFLINE = "offline KPI library"
DRAFT_BLOCK = re.compile(
    r"<details><summary>Suggested SMART success criteria \((?P<kind>[^)]*)\)</summary>"
    r"(?P<body>.*?)</details>",
    re.DOTALL,
)
ROW = re.compile(r"^\| (?!Metric \|)(?!---)(?P<cells>.+) \|$", re.MULTILINE)
PARENS = re.compile(r"\s*\([^)]*\)")
QUESTION = re.compile(r"\?\s*$|^to agree\b", re.IGNORECASE)
MIN_PHRASE = 6  # shorter drafted words ("CI") would be "adopted" by chance


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .")


@dataclass(frozen=True)
class DraftRecord:
    """One drafted section of the bot's note, as the write cache keeps it."""

    rule: str
    drafter: str
    phrases: tuple[str, ...]  # metrics (without their unit) and targets, normalised
    known: tuple[str, ...] = ()  # of those, the ones the description held when drafted
    up: int = 0  # people who reacted thumbs up on the note, when last read
    down: int = 0
    adopted: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DraftRecord | None:
        """A stored record; anything unreadable is no record (it is a cache)."""
        try:
            data = json.loads(text)
            return cls(
                str(data["rule"]),
                str(data["drafter"]),
                tuple(str(p) for p in data["phrases"]),
                tuple(str(p) for p in data.get("known", ())),
                int(data.get("up", 0)),
                int(data.get("down", 0)),
                bool(data.get("adopted", False)),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def report(self) -> dict[str, Any]:
        """The run report's view: what the summary counts."""
        return {
            "rule": self.rule,
            "drafter": self.drafter,
            "useful": self.up > 0,
            "wrong": self.down > 0,
            "adopted": self.adopted,
        }


def drafter_of(source: str) -> str:
    """The summary's name of a drafter: the offline library, or ``model NAME``; the same
    whether the draft was just made or read back from the note."""
    return OFFLINE if source == "template" else source


def _record(rule: str, source: str, pairs: list[tuple[str, str]], description: str) -> DraftRecord:
    phrases: list[str] = []
    for metric, target in pairs:
        phrases.append(_norm(PARENS.sub("", metric)))
        if not QUESTION.search(target.strip()):
            phrases.append(_norm(target))
    kept = tuple(dict.fromkeys(p for p in phrases if len(p) >= MIN_PHRASE))
    text = _norm(description)
    return DraftRecord(rule, drafter_of(source), kept, tuple(p for p in kept if p in text))


def drafted(rule: str, suggestion: Suggestion, description: str) -> DraftRecord:
    """The record of a draft just written: its metrics and targets (a question is not a
    target), and which of them the description already held."""
    pairs = [(c.metric, c.target) for c in suggestion.criteria]
    return _record(rule, suggestion.source, pairs, description)


def from_note(body: str, rules: list[str], description: str) -> dict[str, DraftRecord]:
    """The drafts a note read from GitLab carries, when the write cache lost them: its
    draft blocks, in the order of ``rules`` (the note's open sections that draft). What the
    description held when drafted is unknown then: what it holds now stands in for it."""
    found: dict[str, DraftRecord] = {}
    for rule, block in zip(rules, DRAFT_BLOCK.finditer(body), strict=False):
        kind = block["kind"]
        source = (
            "template"
            if "KPI library" in kind or "template" in kind
            else kind.removeprefix("drafted by ").split(";")[0].strip()
        )
        pairs = []
        for row in ROW.finditer(block["body"]):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row["cells"])]
            if len(cells) == 4:
                pairs.append((cells[0], cells[2]))
        if pairs:
            found[rule] = _record(rule, source, pairs, description)
    return found


def adopted(record: DraftRecord, description: str) -> bool:
    """Whether the description now holds a drafted metric or target it did not hold."""
    text = _norm(description)
    return any(p in text and p not in record.known for p in record.phrases)


def votes(reactions: Iterable[tuple[str, str]], bot: str) -> tuple[int, int]:
    """People (not the bot) who reacted thumbs up, and thumbs down, each counted once."""
    up = {user for name, user in reactions if name == UP and user != bot}
    down = {user for name, user in reactions if name == DOWN and user != bot}
    return len(up), len(down)


def update(record: DraftRecord, description: str, reactions: tuple[int, int] | None) -> DraftRecord:
    """The record after this run: adoption from the description, votes when read."""
    up, down = reactions if reactions is not None else (record.up, record.down)
    return replace(record, up=up, down=down, adopted=record.adopted or adopted(record, description))
