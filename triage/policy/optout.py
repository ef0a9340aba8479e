"""Opting out, whole or per rule: which of an epic's checks its CSM has switched off.

Three ways, from the bluntest: an exclude label (``triage::ignore``) leaves the whole epic
alone; a snooze label (``triage snooze: stale-objective``) switches one rule off until the
label is removed; a line in the description (``triage: snooze stale-objective until
2027-01-31``) switches it off until that day, after which the rule applies again unaided.

Snooze labels are plain labels on purpose, not scoped ones: GitLab keeps one label per
scope on an epic, so ``triage::snooze::a`` would silently replace ``triage::snooze::b``
and a CSM who snoozed two rules would find one of them back. The bot creates every one of
these labels up front, with a description saying what it does, so the label picker shows
them to whoever looks for a way to quiet the bot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from triage.policy.model import PolicySet
from triage.records import Epic
from triage.smart.directives import EVERY_RULE, snoozed_until

SNOOZE_LABEL_PREFIX = "triage snooze: "


def snooze_label(rule: str) -> str:
    """The label that snoozes ``rule`` on an epic."""
    return f"{SNOOZE_LABEL_PREFIX}{rule}"


def snooze_line(rule: str, until: date) -> str:
    """The description line that snoozes ``rule`` until ``until``."""
    return f"triage: snooze {rule} until {until.isoformat()}"


@dataclass(frozen=True)
class Snooze:
    """One rule switched off on one epic: by its label (``until`` None), or until a day."""

    rule: str
    until: date | None = None

    def describe(self) -> str:
        how = f"until {self.until.isoformat()}" if self.until else "by label"
        return f"{self.rule} ({how})"


def snoozes(epic: Epic, rules: Sequence[str], today: date) -> dict[str, Snooze]:
    """The rules of ``rules`` snoozed on ``epic`` today; a label wins over a date (it has
    no end), and a date in the past snoozes nothing."""
    dated = snoozed_until(epic.description)
    found: dict[str, Snooze] = {}
    for rule in rules:
        if snooze_label(rule) in epic.labels:
            found[rule] = Snooze(rule)
            continue
        until = max(
            (d for d in (dated.get(rule), dated.get(EVERY_RULE)) if d is not None), default=None
        )
        if until is not None and until >= today:
            found[rule] = Snooze(rule, until)
    return found


MAX_DESCRIPTION = 255  # kept short: the label picker shows it on one line


def label_descriptions(policies: PolicySet) -> dict[str, str]:
    """Every opt-out label with the description it is created with."""
    labels = dict.fromkeys(
        policies.sources.exclude_labels,
        "smart-triage leaves epics with this label alone: no note, label or mention; the "
        "weekly summary counts them as opted out. Remove it to have the epic checked again.",
    )
    for rule in policies.rules:
        labels[snooze_label(rule.name)] = (
            f"smart-triage skips its '{rule.name}' check on epics with this label (the "
            "weekly summary counts them as snoozed). Remove it to resume; to snooze until "
            f"a date, write '{snooze_line(rule.name, date(2027, 1, 31))}' in the description."
        )[:MAX_DESCRIPTION]
    return labels
