"""Lines a CSM writes to the bot rather than about the objective: a check snoozed until a date.

``triage: snooze stale-objective until 2027-01-31`` on a line of its own (also inside an
HTML comment, to keep it out of sight; several rules separated by commas; ``all`` for every
rule). The checker blanks these lines before reading the description, so the date in them
never passes for the objective's timeline; line numbers of the evidence stay the same.
"""

from __future__ import annotations

import re
from datetime import date

SNOOZE_LINE = re.compile(
    r"^[ \t>]*(?:<!--[ \t]*)?triage:[ \t]*snooze[ \t]+(?P<rules>[a-z0-9][a-z0-9, \t-]*?)"
    r"[ \t]+until[ \t]+(?P<until>\d{4}-\d{2}-\d{2})\b[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
EVERY_RULE = "all"


def snoozed_until(description: str) -> dict[str, date]:
    """Per rule name (or ``all``), the last day it is snoozed; the latest date wins when a
    rule is named twice. A date that does not exist (2027-02-30) snoozes nothing."""
    found: dict[str, date] = {}
    for match in SNOOZE_LINE.finditer(description):
        try:
            until = date.fromisoformat(match.group("until"))
        except ValueError:
            continue
        for rule in re.split(r"[,\s]+", match.group("rules").strip().lower()):
            if rule and (rule not in found or found[rule] < until):
                found[rule] = until
    return found


def blank_directives(description: str) -> str:
    """The description with every snooze line emptied (the line itself stays, empty)."""
    return SNOOZE_LINE.sub("", description)
