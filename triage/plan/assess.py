"""What the policies say about one epic: which rules match, with which findings.

Pure: the epic, the policies, the checker's findings and the run's clock are all it sees.
A finding is stated once, in the first matching rule (in policy order) that names it; later
rules keep it only as a key, so their section can point back to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triage.plan.marker import fingerprint
from triage.policy.conditions import Subject
from triage.policy.effects import RuleEffects
from triage.policy.model import PolicySet, Rule
from triage.policy.optout import Snooze, snoozes
from triage.records import Epic, Note
from triage.smart.checker import Checker, CheckResult
from triage.smart.patterns import HANDLE
from triage.smart.stages import stage_of

SAME_WRITE = timedelta(seconds=5)  # GitLab touches the epic in the note's own transaction


@dataclass(frozen=True)
class Reason:
    """One line of a section's checklist, with a stable key for the marker."""

    key: str
    text: str


@dataclass(frozen=True)
class Section:
    """A matched rule's part of the note."""

    rule: Rule
    reasons: tuple[Reason, ...]  # stated here: not stated by an earlier section
    repeated: tuple[Reason, ...] = ()  # stated by an earlier section already

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def effects(self) -> RuleEffects:
        return self.rule.effects

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(r.key for r in (*self.reasons, *self.repeated))


@dataclass(frozen=True)
class Assessment:
    epic: Epic
    check: CheckResult
    owner: str | None  # for reports: an assignee, else a handle in an Owner/DRI line
    sections: tuple[Section, ...] = ()  # matched rules, in policy order
    unmatched: tuple[Rule, ...] = ()
    skipped: str | None = None  # why the epic is left alone (opt-out label)
    opt_out_label: str = "triage::ignore"
    parts: Mapping[str, object] = field(default_factory=dict)  # what the note is computed from
    snoozed: tuple[Snooze, ...] = ()  # rules switched off on this epic, matching or not

    @property
    def mention_target(self) -> str | None:
        """Who may be mentioned: the first assignee. A handle written in the text could
        be ``@all`` or a whole group, so it is never mentioned."""
        return self.epic.assignees[0] if self.epic.assignees else None

    def fingerprint_of(self, rules: Sequence[str]) -> str:
        """The fingerprint of a note whose open sections are ``rules``."""
        return fingerprint({**self.parts, "open": list(rules)})


def owner_of(epic: Epic, check: CheckResult) -> str | None:
    """The first assignee, else the handle in an Owner/DRI line."""
    if epic.assignees:
        return epic.assignees[0]
    evidence = check.evidence.get("owner")
    if evidence and evidence.source != "assignee":
        match = re.search(HANDLE, evidence.text)
        if match:
            return match.group(0).lstrip("@").rstrip(".")
    return None


def last_human_activity(epic: Epic, notes: Sequence[Note], bot: str) -> datetime | None:
    """``updatedAt``, unless the bot's own last note (a comment, or the system note of its
    label change) is what moved it; then the last thing a person did: the epic's creation,
    a description edit, or a note by someone else."""
    mine = [n.updated_at for n in notes if n.author == bot and n.updated_at]
    if epic.updated_at is None or not mine or abs(epic.updated_at - max(mine)) > SAME_WRITE:
        return epic.updated_at
    times = [t for t in (epic.created_at, epic.description_edited_at) if t]
    times += [n.updated_at for n in notes if n.author != bot and n.updated_at]
    return max(times) if times else epic.updated_at


def assess(
    epic: Epic,
    policies: PolicySet,
    checker: Checker,
    now: datetime,
    templates: Mapping[str, str],
    drafter_identities: Mapping[str, str],
    check: CheckResult | None = None,
    extra_parts: Mapping[str, object] | None = None,
) -> Assessment:
    """What the policies find on ``epic`` at ``now`` (with ``check`` when it was already
    made, for a second opinion merged into the rules'; ``extra_parts`` go into the note's
    fingerprint)."""
    check = check if check is not None else checker.check(epic)
    owner = owner_of(epic, check)
    opt_out = (policies.sources.exclude_labels or ("triage::ignore",))[0]
    excluded = [label for label in policies.sources.exclude_labels if label in epic.labels]
    if excluded:
        return Assessment(
            epic,
            check,
            owner,
            skipped=f"opted out with label '{excluded[0]}'",
            opt_out_label=opt_out,
        )
    subject = Subject(epic, check.finding_ids, now)
    sections: list[Section] = []
    unmatched: list[Rule] = []
    stated: set[str] = set()
    snoozed = snoozes(epic, [rule.name for rule in policies.rules], now.date())
    for rule in policies.rules:
        # a snoozed rule is as good as unmatched: no section, no label, no summary line
        if rule.name in snoozed or not all(c.matches(subject) for c in rule.conditions):
            unmatched.append(rule)
            continue
        reasons = [
            Reason(key, text)
            for condition in rule.conditions
            for key, text in condition.reasons(subject)
        ]
        first = tuple(r for r in reasons if r.key not in stated)
        again = tuple(r for r in reasons if r.key in stated)
        if rule.effects.writes_section:
            stated.update(r.key for r in first)
        sections.append(Section(rule, first, again))
    parts: dict[str, object] = {
        "sections": [
            {
                "rule": s.name,
                "template": templates.get(s.name, ""),
                "drafter": drafter_identities.get(s.effects.prompt or "", ""),
                "reasons": [(r.key, r.text) for r in s.reasons],
                "repeated": [r.key for r in s.repeated],
            }
            for s in sections
            if s.effects.writes_section
        ],
        "title": epic.title,
        "description": epic.description,
        "due_date": epic.due_date,
        "mention": epic.assignees[0] if epic.assignees else None,
        "stage": stage_of(epic),
        "opt_out": opt_out,
        **({"snoozed": [s.describe() for s in snoozed.values()]} if snoozed else {}),
        **(extra_parts or {}),
    }
    return Assessment(
        epic,
        check,
        owner,
        tuple(sections),
        tuple(unmatched),
        None,
        opt_out,
        parts,
        tuple(snoozed.values()),
    )
