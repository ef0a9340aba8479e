"""Conditions: which epics a rule applies to. One class per YAML key, all must hold.

Each class says what its value looks like (``schema``), what it means beyond the schema
(``validate``) and whether an epic matches (``matches``). Matching is pure: the epic, the
checker's findings and the run's clock are all it sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from triage.policy.registry import Element, Registry, ValidationContext
from triage.policy.values import (
    INTERVAL_SCHEMA,
    LABEL_LIST_SCHEMA,
    NONZERO_INTERVAL,
    label_problems,
    parse_interval,
    scope_problem,
)
from triage.records import Epic
from triage.smart.findings import FINDING_KINDS
from triage.smart.stages import VO_STAGES, stage_of


@dataclass(frozen=True)
class Subject:
    """What a condition sees: the epic, the ids of its findings, and the run's clock."""

    epic: Epic
    findings: frozenset[str]
    now: datetime


class Condition(Element):
    def matches(self, subject: Subject) -> bool:
        raise NotImplementedError

    def reasons(self, subject: Subject) -> list[tuple[str, str]]:
        """(key, sentence) pairs a comment lists for a matching epic; most conditions
        only select epics and say nothing."""
        return []


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


CONDITIONS: Registry[type[Condition]] = Registry("condition")


@CONDITIONS
class State(Condition):
    """The epic's state: opened (the default everywhere), closed or all.

    Example:
        state: opened
    """

    name = "state"
    schema = {"enum": ["opened", "closed", "all"]}

    def matches(self, subject: Subject) -> bool:
        return self.value in ("all", subject.epic.state)


@CONDITIONS
class Labels(Condition):
    """The epic has all of these labels.

    Example:
        labels: [SP Objective, "UseCase::CI"]
    """

    name = "labels"
    schema = LABEL_LIST_SCHEMA

    def validate(self, context: ValidationContext) -> list[str]:
        return label_problems(self.value)

    def matches(self, subject: Subject) -> bool:
        return all(label in subject.epic.labels for label in self.value)


@CONDITIONS
class ForbiddenLabels(Condition):
    """The epic has none of these labels (works on epics, unlike in some triage tools).

    Example:
        forbidden_labels: ["SP Objective::Status::Closed Success"]
    """

    name = "forbidden_labels"
    schema = LABEL_LIST_SCHEMA

    def validate(self, context: ValidationContext) -> list[str]:
        return label_problems(self.value)

    def matches(self, subject: Subject) -> bool:
        return not any(label in subject.epic.labels for label in self.value)


@CONDITIONS
class AnyLabels(Condition):
    """The epic has at least one of these labels.

    Example:
        any_labels: ["Priority::High", "Priority::Medium"]
    """

    name = "any_labels"
    schema = LABEL_LIST_SCHEMA

    def validate(self, context: ValidationContext) -> list[str]:
        return label_problems(self.value)

    def matches(self, subject: Subject) -> bool:
        return any(label in subject.epic.labels for label in self.value)


@CONDITIONS
class MissingScopedLabels(Condition):
    """The epic lacks a label in at least one of these scopes (``scope::value``).

    Example:
        missing_scoped_labels: ["SP Objective::Status", "Verifiable Outcome", "UseCase"]
    """

    name = "missing_scoped_labels"
    schema = LABEL_LIST_SCHEMA

    def validate(self, context: ValidationContext) -> list[str]:
        return [problem for scope in self.value if (problem := scope_problem(scope))]

    def missing(self, epic: Epic) -> list[str]:
        """The scopes of ``value`` that have no label on ``epic``."""
        return [
            scope
            for scope in self.value
            if not any(label.startswith(f"{scope}::") for label in epic.labels)
        ]

    def matches(self, subject: Subject) -> bool:
        return bool(self.missing(subject.epic))

    def reasons(self, subject: Subject) -> list[tuple[str, str]]:
        return [
            (f"scope:{slug(scope)}", f"No `{scope}::…` label: pick one.")
            for scope in self.missing(subject.epic)
        ]


@CONDITIONS
class DateCondition(Condition):
    """A date of the epic is older and/or newer than an interval before the run's clock.

    ``attribute`` is created_at, updated_at or due_date; an epic without that date does
    not match. Intervals are written 30d, 2w, 6m (30 days) or 1y.

    Example:
        date: {attribute: updated_at, older_than: 30d}
    """

    name = "date"
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["attribute"],
        "anyOf": [{"required": ["older_than"]}, {"required": ["newer_than"]}],
        "properties": {
            "attribute": {
                "enum": ["created_at", "updated_at", "due_date"],
                "description": "Which date of the epic; an epic without it does not match.",
            },
            "older_than": {
                **INTERVAL_SCHEMA,
                "description": "The date is further back than this before the run's clock.",
            },
            "newer_than": {
                **INTERVAL_SCHEMA,
                "pattern": NONZERO_INTERVAL,
                "description": "The date is less far back than this (the longer interval "
                "when both are given).",
            },
        },
    }

    def validate(self, context: ValidationContext) -> list[str]:
        older, newer = self.value.get("older_than"), self.value.get("newer_than")
        if newer is not None and parse_interval(newer).days == 0:
            return ["date: newer_than 0d matches nothing: nothing is newer than now"]
        if older and newer and parse_interval(newer) <= parse_interval(older):
            return [
                f"date: older_than {older} and newer_than {newer} can never both hold "
                "(newer_than must be the longer interval)"
            ]
        return []

    def reasons(self, subject: Subject) -> list[tuple[str, str]]:
        attribute = self.value["attribute"]
        value: date | datetime | None = getattr(subject.epic, attribute)
        if value is None:
            return []
        day = value.date() if isinstance(value, datetime) else value
        # Dates only, no "N days ago": the text must not change from one week to the next,
        # or the comment would be rewritten on every run.
        if attribute == "due_date":
            return [("overdue", f"The due date {day.isoformat()} has passed.")]
        if attribute == "updated_at":
            return [("stale", f"Nobody has updated it since {day.isoformat()}.")]
        return [("age", f"Created on {day.isoformat()}.")]

    def matches(self, subject: Subject) -> bool:
        value: date | datetime | None = getattr(subject.epic, self.value["attribute"])
        if value is None:
            return False
        moment = (
            value
            if isinstance(value, datetime)
            else datetime.combine(value, datetime.min.time(), tzinfo=subject.now.tzinfo)
        )
        age = subject.now - moment
        older, newer = self.value.get("older_than"), self.value.get("newer_than")
        return (older is None or age > parse_interval(older)) and (
            newer is None or age < parse_interval(newer)
        )


@CONDITIONS
class Confidential(Condition):
    """The epic is (true) or is not (false) confidential.

    Example:
        confidential: false
    """

    name = "confidential"
    schema = {"type": "boolean"}

    def matches(self, subject: Subject) -> bool:
        return bool(subject.epic.confidential == self.value)


FINDING_LIST = {
    "type": "array",
    "minItems": 1,
    "uniqueItems": True,
    "items": {"enum": sorted(FINDING_KINDS)},
}


@CONDITIONS
class Findings(Condition):
    """The SMART checker reported any (or all) of these findings for the epic.

    A plain list means ``any``.

    Example:
        findings: {any: [missing_baseline, missing_success_criteria]}
    """

    name = "findings"
    schema = {
        "oneOf": [
            FINDING_LIST,
            {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {
                    "any": {**FINDING_LIST, "description": "At least one of these findings."},
                    "all": {**FINDING_LIST, "description": "Every one of these findings."},
                },
            },
        ]
    }

    def ids(self) -> tuple[str, list[str]]:
        if isinstance(self.value, list):
            return "any", self.value
        mode = next(iter(self.value))
        return mode, self.value[mode]

    def matches(self, subject: Subject) -> bool:
        mode, ids = self.ids()
        test = any if mode == "any" else all
        return test(finding in subject.findings for finding in ids)

    def reasons(self, subject: Subject) -> list[tuple[str, str]]:
        _mode, ids = self.ids()
        return [(fid, FINDING_KINDS[fid].message) for fid in ids if fid in subject.findings]


@CONDITIONS
class VoStage(Condition):
    """The epic's Verifiable Outcome stage is one of these (``none``: it has no stage label).

    Example:
        vo_stage: [Accepted, Delivered, Verified]
    """

    name = "vo_stage"
    schema = {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"enum": [*VO_STAGES, "none"]},
    }

    def matches(self, subject: Subject) -> bool:
        return stage_of(subject.epic) in self.value


@CONDITIONS
class HasInitiatives(Condition):
    """The epic has (true) or has no (false) child issues, its initiatives.

    Example:
        has_initiatives: false
    """

    name = "has_initiatives"
    schema = {"type": "boolean"}

    def matches(self, subject: Subject) -> bool:
        return bool(subject.epic.children) is bool(self.value)

    def reasons(self, subject: Subject) -> list[tuple[str, str]]:
        if self.value:
            return []
        return [("no-initiatives", "No initiatives: add a child issue with the first step.")]


def build(conditions: dict[str, Any]) -> list[Condition]:
    """Instances for an already validated ``conditions`` mapping."""
    return [CONDITIONS[name](value) for name, value in conditions.items()]


# Conditions on an objective's initiatives live in a module of their own; importing it
# here registers them wherever the registry is read.
from triage.policy import initiative_conditions  # noqa: E402, F401
