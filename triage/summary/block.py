"""The data a summary issue carries for next week, as JSON in an HTML comment.

Next week's summary compares with it: the headline, which epics were listed (so "new",
"still open" and "fixed" can be told apart per CSM), the trend of the last weeks, the
ticked verification boxes and the week's model use. No other storage is needed, and the
block is invisible in the rendered issue. The list of open epics is compressed: a run of
tens of thousands of epics still fits well within an issue description.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

BLOCK = re.compile(r"<!-- smart-triage:summary (?P<json>\{.*?\}) -->", re.DOTALL)
TICK = re.compile(r"^- \[[xX]\] `(?P<name>[^`]+)`", re.MULTILINE)
TREND_WEEKS = 4


@dataclass(frozen=True)
class Previous:
    """What an earlier summary said: last week's (to compare), or this week's (a re-run)."""

    headline: dict[str, int]
    window: str
    verified: frozenset[str]
    week: str = ""
    llm: tuple[int, int] = (0, 0)  # LLM calls and tokens spent this week so far
    listed: frozenset[str] | None = None  # references of the epics listed; None: unknown
    trend: tuple[dict[str, Any], ...] = ()  # one entry per week, oldest first
    feedback: dict[str, list[int]] | None = None  # drafts rated and adopted, per rule


def pack(references: list[str]) -> str:
    data = json.dumps(sorted(references), separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def unpack(text: str) -> frozenset[str] | None:
    try:
        data = json.loads(zlib.decompress(base64.b64decode(text, validate=True)))
    except (binascii.Error, zlib.error, ValueError):
        return None
    if not isinstance(data, list):
        return None
    return frozenset(str(ref) for ref in data)


def read_previous(body: str | None) -> Previous | None:
    """The block of a summary issue's description; None when there is none (an issue
    written by hand, or by hand-edited JSON that no longer parses)."""
    if not body:
        return None
    match = BLOCK.search(body)
    if not match:
        return None
    try:
        data = json.loads(match.group("json"))
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    ticked = {m.group("name") for m in TICK.finditer(body)}
    llm = data.get("llm_week", [0, 0])
    listed = unpack(data["listed"]) if isinstance(data.get("listed"), str) else None
    trend = tuple(t for t in data.get("trend", []) if isinstance(t, dict) and "week" in t)
    return Previous(
        data.get("headline", {}),
        data.get("window", ""),
        frozenset(ticked | set(data.get("verified", []))),
        data.get("week", ""),
        (int(llm[0]), int(llm[1])),
        listed,
        trend,
        feedback_counts(data),
    )


def feedback_counts(data: dict[str, Any]) -> dict[str, list[int]] | None:
    """The drafts' feedback of a summary's block (``feedback.py``); None when it had none."""
    feedback = data.get("feedback")
    if not isinstance(feedback, dict):
        return None
    counts: dict[str, list[int]] = {}
    for key, row in feedback.items():
        if isinstance(row, list) and len(row) == 4:
            try:
                counts[str(key)] = [int(v) for v in row]
            except (TypeError, ValueError):
                continue
    return counts


@dataclass(frozen=True)
class Block:
    week: str
    headline: dict[str, int]
    window: str
    verified: list[str]
    llm_week: tuple[int, int]
    listed: list[str]
    trend: list[dict[str, Any]] = field(default_factory=list)
    feedback: dict[str, list[int]] = field(default_factory=dict)

    def render(self) -> str:
        data = {
            "week": self.week,
            "headline": self.headline,
            "window": self.window,
            "verified": sorted(self.verified),
            "llm_week": list(self.llm_week),
            "listed": pack(self.listed),
            "trend": self.trend,
            "feedback": self.feedback,
        }
        return f"<!-- smart-triage:summary {json.dumps(data, sort_keys=True)} -->"
