"""How objectives map onto Gainsight's success-plan fields: the ``gainsight:`` section.

Gainsight is where the handbook keeps success plans; GitLab is where CSMs work on them.
Which label or description section feeds which Gainsight field differs between teams, so
it is data in the policy files, validated with them (schema, then label and scope names),
and ``triage export gainsight`` only reads it. Name, Owner, Due Date and the GitLab URL
come from the objective itself and are not configurable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage.policy.values import LABEL_SCHEMA, label_problem, scope_problem

# The configurable fields, in Gainsight's order, with the objective's own fields first.
FIELDS = (
    "objective_category",
    "status",
    "priority",
    "playbook",
    "success_criteria",
    "comments",
    "summary_of_outcome",
)

SECTION_LIST = {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}
SOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "description": (
        "Where a field's value comes from: text (a fixed value), label_scope (the value of "
        "the objective's scoped label, e.g. Priority::High gives High, renamed by values), "
        "labels (label name to value; the first label the objective has wins), section "
        "(the text under the first of these description headings); default when none gives "
        "a value."
    ),
    "properties": {
        "text": {"type": "string", "description": "A fixed value.", "examples": ["Adoption"]},
        "label_scope": {
            **LABEL_SCHEMA,
            "description": "A label scope: the value of the objective's label of that scope.",
            "examples": ["Priority"],
        },
        "values": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Renames a label_scope value for Gainsight (label value: field value).",
            "examples": [{"On Track": "Active"}],
        },
        "labels": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "string"},
            "description": "Label name to value; the first label the objective has wins.",
            "examples": [{"UseCase::CI": "Adoption"}],
        },
        "section": {
            **SECTION_LIST,
            "description": "The text under the first of these description headings.",
            "examples": [["Success criteria", "Success Criteria"]],
        },
        "default": {
            "type": "string",
            "description": "The value when nothing else gives one.",
        },
        "closed": {
            "type": "string",
            "description": "The value for an objective or task that is closed in GitLab.",
        },
    },
    "oneOf": [
        {"required": ["text"]},
        {"required": ["label_scope"]},
        {"required": ["labels"]},
        {"required": ["section"]},
    ],
}
GAINSIGHT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": (
        "How `triage export gainsight` fills Gainsight's success-plan fields from objectives "
        "(epics) and their initiatives (tasks)."
    ),
    "properties": {
        **{
            name: {
                **SOURCE_SCHEMA,
                "description": f"Gainsight's {name.replace('_', ' ').title()} field. "
                + SOURCE_SCHEMA["description"],
            }
            for name in FIELDS
        },
        "task_status": {
            "type": "object",
            "additionalProperties": False,
            "description": "A task's Status from its issue's state.",
            "properties": {
                "opened": {"type": "string", "description": "Status of an open task."},
                "closed": {"type": "string", "description": "Status of a closed task."},
            },
        },
    },
}


@dataclass(frozen=True)
class Source:
    """One field's source, as validated (see ``SOURCE_SCHEMA``)."""

    text: str | None = None
    label_scope: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    section: tuple[str, ...] = ()
    default: str = ""
    closed: str | None = None

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Source:
        return cls(
            text=spec.get("text"),
            label_scope=spec.get("label_scope"),
            values=dict(spec.get("values") or {}),
            labels=dict(spec.get("labels") or {}),
            section=tuple(spec.get("section") or ()),
            default=spec.get("default", ""),
            closed=spec.get("closed"),
        )


STATUS_LABELS = {
    "SP Objective::Status::Not Started": "New",
    "SP Objective::Status::On Track": "Work in Progress",
    "SP Objective::Status::Watchpoint": "Work in Progress",
    "SP Objective::Status::Concern": "Work in Progress",
    "SP Objective::Status::Closed Success": "Completed",
}
# The handbook's own use of each field (seeds: "Create a Success Plan in Gainsight").
DEFAULTS: dict[str, Source] = {
    "objective_category": Source(text="ROI Success"),
    "status": Source(labels=STATUS_LABELS, default="New", closed="Completed"),
    "priority": Source(label_scope="Priority", default="Medium"),
    "playbook": Source(label_scope="UseCase"),
    "success_criteria": Source(section=("Success Criteria", "Success criteria")),
    "comments": Source(section=("Summary",)),
    "summary_of_outcome": Source(section=("Business impact", "Outcome", "Summary of Outcome")),
}


@dataclass(frozen=True)
class GainsightMapping:
    sources: dict[str, Source] = field(default_factory=lambda: dict(DEFAULTS))
    task_opened: str = "Work in Progress"
    task_closed: str = "Complete"

    @classmethod
    def of(cls, spec: dict[str, Any] | None) -> GainsightMapping:
        """The mapping of a validated ``gainsight:`` section; unnamed fields keep the
        defaults."""
        spec = spec or {}
        sources = dict(DEFAULTS)
        sources.update({name: Source.of(spec[name]) for name in FIELDS if name in spec})
        tasks = spec.get("task_status") or {}
        return cls(
            sources,
            tasks.get("opened", cls.task_opened),
            tasks.get("closed", cls.task_closed),
        )


def problems(spec: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """What the schema cannot say: label and scope names GitLab would refuse, as
    (path inside the section, message)."""
    found: list[tuple[tuple[str, ...], str]] = []
    for name in FIELDS:
        source = spec.get(name)
        if not isinstance(source, dict):
            continue
        scope = source.get("label_scope")
        if isinstance(scope, str) and (problem := scope_problem(scope)):
            found.append(((name, "label_scope"), problem))
        for label in source.get("labels") or {}:
            if problem := label_problem(label):
                found.append(((name, "labels", label), problem))
    return found
