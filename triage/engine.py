"""Epics + findings + policies -> a plan. Pure: no I/O, no clock but the one given.

For each epic the plan says, rule by rule, whether the rule matches, why (the checklist a
comment shows), which labels to add or remove, and the fingerprint of everything a comment
would be computed from. Applying the plan (``triage.apply``) compares that fingerprint with
the one in the bot's existing comment, so an unchanged epic costs no write and no LLM call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from triage.comments import Reason, fingerprint
from triage.policy.actions import Action
from triage.policy.conditions import Subject, stage_of
from triage.policy.model import PolicySet, Rule
from triage.records import Epic, Note
from triage.smart.checker import Checker, CheckResult
from triage.smart.patterns import HANDLE
from triage.state import SAME_WRITE


@dataclass(frozen=True)
class RuleOutcome:
    rule: Rule
    matched: bool
    reasons: tuple[Reason, ...] = ()
    fingerprint: str = ""
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()

    def action(self, name: str) -> Action | None:
        return self.rule.action(name)

    @property
    def comments(self) -> bool:
        return self.rule.action("comment") is not None


@dataclass(frozen=True)
class EpicPlan:
    epic: Epic
    check: CheckResult
    owner: str | None
    outcomes: tuple[RuleOutcome, ...] = ()
    skipped: str | None = None  # why the epic is left alone (opt-out label)

    @property
    def mention(self) -> str | None:
        """The owner to @mention: an assignee, a user GitLab vouches for, or nobody."""
        return self.epic.assignees[0] if self.epic.assignees else None

    @property
    def matched(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.matched]


def owner_of(epic: Epic, check: CheckResult) -> str | None:
    """Who owns the objective, for reports: the first assignee, else the handle in an
    Owner/DRI line. Only an assignee is ever mentioned (``EpicPlan.mention``): a handle
    written in the text could be ``@all`` or a whole group."""
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


def plan_epic(
    epic: Epic,
    policies: PolicySet,
    checker: Checker,
    now: datetime,
    templates: Mapping[str, str],
    drafter_identities: Mapping[str, str],
) -> EpicPlan:
    """What the policies want done to ``epic`` at ``now``."""
    check = checker.check(epic)
    owner = owner_of(epic, check)
    excluded = [label for label in policies.sources.exclude_labels if label in epic.labels]
    if excluded:
        return EpicPlan(epic, check, owner, skipped=f"opted out with label '{excluded[0]}'")
    subject = Subject(epic, check.finding_ids, now)
    outcomes = []
    for rule in policies.rules:
        matched = all(condition.matches(subject) for condition in rule.conditions)
        if not matched:
            resolve = rule.action("remove_labels_when_resolved")
            present = [
                label for label in (resolve.value if resolve else []) if label in epic.labels
            ]
            outcomes.append(RuleOutcome(rule, False, remove_labels=tuple(present)))
            continue
        reasons = tuple(
            Reason(key, text)
            for condition in rule.conditions
            for key, text in condition.reasons(subject)
        )
        add = rule.action("labels")
        remove = rule.action("remove_labels")
        suggest = rule.action("suggest")
        parts = {
            "rule": rule.name,
            "template": templates.get(rule.name, ""),
            "drafter": drafter_identities.get(suggest.value["prompt"], "") if suggest else "",
            "reasons": [(r.key, r.text) for r in reasons],
            "title": epic.title,
            "description": epic.description,
            "due_date": epic.due_date,
            "owner": owner,
            "stage": stage_of(epic),
        }
        outcomes.append(
            RuleOutcome(
                rule,
                True,
                reasons,
                fingerprint(parts),
                add_labels=tuple(
                    label for label in (add.value if add else []) if label not in epic.labels
                ),
                remove_labels=tuple(
                    label for label in (remove.value if remove else []) if label in epic.labels
                ),
            )
        )
    return EpicPlan(epic, check, owner, tuple(outcomes))
