"""The bot's comments: the hidden marker, the fingerprint, and rendering from templates.

Every bot comment ends with ``<!-- smart-triage:rule=NAME fp=HASH reasons=a,b state=open -->``.
The marker is how the bot finds its own comment again (one per epic and rule), the
fingerprint says whether anything the comment was computed from changed (no change: no
write, no LLM call), and the reasons say whether the findings changed (only then is the
owner mentioned again). Only comments written by the bot's own user are trusted, and the
sanitizer strips HTML comments from everything else, so a marker cannot be forged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from triage.records import Note
from triage.sanitize import sanitize

MARKER = re.compile(
    r"<!-- smart-triage:rule=(?P<rule>[a-z0-9-]+) fp=(?P<fp>[0-9a-f]+) "
    r"reasons=(?P<reasons>[\w:,.-]*) state=(?P<state>open|resolved) -->"
)
RENDER_VERSION = "1"  # bump when the rendering code changes what a comment says
HANDBOOK = "https://handbook.gitlab.com/handbook/customer-success/csm/success-plans/"


@dataclass(frozen=True)
class Reason:
    """One line of a comment's checklist, with a stable key for the marker."""

    key: str
    text: str


@dataclass(frozen=True)
class Marker:
    rule: str
    fingerprint: str
    reasons: tuple[str, ...]
    state: str

    def render(self) -> str:
        return (
            f"<!-- smart-triage:rule={self.rule} fp={self.fingerprint} "
            f"reasons={','.join(self.reasons)} state={self.state} -->"
        )


def find_marker(notes: Sequence[Note], rule: str, bot: str) -> tuple[Note, Marker] | None:
    """The bot's own comment for ``rule`` among an epic's comments, if there is one."""
    for note in notes:
        if note.author != bot or note.system:
            continue
        match = MARKER.search(note.body)
        if match and match.group("rule") == rule:
            reasons = tuple(r for r in match.group("reasons").split(",") if r)
            return note, Marker(rule, match.group("fp"), reasons, match.group("state"))
    return None


def fingerprint(parts: Mapping[str, Any]) -> str:
    """A short, stable hash of everything a comment is computed from."""
    blob = json.dumps({"render": RENDER_VERSION, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def checklist(reasons: Iterable[Reason]) -> str:
    return "\n".join(f"- [ ] {reason.text}" for reason in reasons)


@dataclass(frozen=True)
class CommentText:
    """What a template needs besides the epic: reasons, owner mention, suggestion."""

    rule: str
    reasons: tuple[Reason, ...]
    owner: str | None
    mention_owner: bool
    suggestion: str
    opt_out_label: str


def render(
    template: str, text: CommentText, title: str, url: str, due_date: date | None, fp: str
) -> str:
    """The finished comment: template filled, sanitized as a whole, marker appended."""
    owner = f"@{text.owner}: " if text.owner and text.mention_owner else ""
    values = {
        "owner": owner,
        "findings": checklist(text.reasons),
        "suggestion": text.suggestion,
        "title": title,
        "url": url,
        "rule": text.rule,
        "due_date": due_date.isoformat() if due_date else "not set",
        "opt_out_label": text.opt_out_label,
    }
    body = template.format_map(values).strip()
    body = re.sub(r"\n{3,}", "\n\n", body)
    allowed = [text.owner] if text.owner and text.mention_owner else []
    marker = Marker(text.rule, fp, tuple(r.key for r in text.reasons), "open")
    return f"{sanitize(body, allowed)}\n\n{marker.render()}"


def render_resolved(
    rule: str, previous: Marker, today: date, fp: str, labels_removed: Sequence[str]
) -> str:
    """The short text a comment becomes once its rule no longer matches the epic."""
    fixed = ", ".join(key.replace("_", " ").replace(":", " ") for key in previous.reasons)
    lines = [f"**Resolved on {today.isoformat()}.** This objective no longer needs this check."]
    if fixed:
        lines.append(f"What changed: {fixed} — now in order.")
    if labels_removed:
        lines.append("Removed labels: " + ", ".join(f"`{label}`" for label in labels_removed))
    lines.append(f"\n<sub>smart-triage, rule `{rule}`. Thank you!</sub>")
    marker = Marker(rule, fp, (), "resolved")
    return f"{sanitize(chr(10).join(lines))}\n\n{marker.render()}"
