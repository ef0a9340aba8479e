"""The JSON Schema of a policy file, generated from the condition and action registries.

``triage schema`` prints it, ``policies/policy.schema.json`` is a committed copy editors
use for completion, and the loader validates every file against it before anything else.
"""

from __future__ import annotations

from typing import Any

from triage.policy.actions import ACTIONS
from triage.policy.conditions import CONDITIONS
from triage.policy.gainsight import GAINSIGHT_SCHEMA
from triage.policy.values import LABEL_LIST_SCHEMA, LABEL_SCHEMA, schema_pattern
from triage.smart.findings import ELEMENTS

GROUP_PATH = {
    "type": "string",
    "pattern": schema_pattern(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$"),
}
RULE_NAME = {
    "type": "string",
    "pattern": schema_pattern(r"^[a-z0-9][a-z0-9-]*$"),
    "maxLength": 80,
}


# Actions whose output goes into the rule's note section: without `comment` they do nothing.
NEEDS_COMMENT: dict[str, dict[str, Any]] = {
    "suggest": {"if": {"required": ["suggest"]}, "then": {"required": ["comment"]}},
    "mention": {
        "if": {"required": ["mention"], "properties": {"mention": {"const": "owner"}}},
        "then": {"required": ["comment"]},
    },
}


def _labels(description: str, *examples: list[str]) -> dict[str, Any]:
    return {**LABEL_LIST_SCHEMA, "description": description, "examples": list(examples)}


def policy_schema() -> dict[str, Any]:
    rule = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "actions"],
        "description": "One rule: which epics it applies to (conditions) and what it does.",
        "properties": {
            "name": {
                **RULE_NAME,
                "description": "Unique name: lowercase letters, digits, dashes. It names the "
                "note's section, the report's entries and the summary's counts.",
                "examples": ["smart-objective"],
            },
            "description": {
                "type": "string",
                "description": "What the rule is for, in words, for the people who edit it.",
            },
            "conditions": {
                **CONDITIONS.schema(),
                "description": "All must hold for an epic to match (none: every objective).",
            },
            "limits": {
                "type": "object",
                "additionalProperties": False,
                "description": "Caps on what one run may do under this rule.",
                "properties": {
                    "max_epics": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "At most this many epics touched per run; the rest "
                        "wait for the next run.",
                        "examples": [200],
                    }
                },
            },
            "actions": {
                **ACTIONS.schema(),
                "minProperties": 1,
                "description": "What to do to matching epics.",
                # what the other actions put into the note needs the note's section
                "allOf": [NEEDS_COMMENT["suggest"], NEEDS_COMMENT["mention"]],
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "smart-triage-policy",
        "title": "smart-triage policy file",
        "description": "Policy files of smart-triage (policies/*.yml), merged in file order.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "sources": {
                "type": "object",
                "additionalProperties": False,
                "description": "Which groups to scan and which epics are objectives.",
                "properties": {
                    "groups": {
                        "type": "array",
                        "items": {**GROUP_PATH, "description": "A group's full path."},
                        "uniqueItems": True,
                        "description": "The success-plan groups to scan, by full path "
                        "(`triage run --group` overrides them for one run).",
                        "examples": [["acme-corp", "customers/globex"]],
                    },
                    "include_subgroups": {
                        "type": "boolean",
                        "description": "true: also scan the epics of every subgroup.",
                    },
                    "objective_label": {
                        **LABEL_SCHEMA,
                        "description": "The label that marks an epic as an objective; only "
                        "open epics with it are scanned.",
                        "examples": ["SP Objective"],
                    },
                    "exclude_labels": _labels(
                        "Epics with any of these labels are skipped (an opt-out for CSMs).",
                        ["triage::ignore"],
                    ),
                    "create_missing_labels": {
                        "type": "boolean",
                        "description": "true: create the labels the rules add, at each "
                        "top-level group, before the first write that needs them.",
                    },
                },
            },
            "rules": {
                "type": "array",
                "items": rule,
                "description": "The triage rules, applied in order; each matching rule is a "
                "section of the epic's one bot note.",
            },
            "summary": {
                "type": "object",
                "additionalProperties": False,
                "description": "Where and how the weekly summary issue is written.",
                "properties": {
                    "project": {
                        **GROUP_PATH,
                        "description": "The project, by full path, whose issue holds the "
                        "weekly summary (unset: no summary issue).",
                        "examples": ["cs-ops/triage-reports"],
                    },
                    "title": {
                        "type": "string",
                        "pattern": r"\{week\}",
                        "maxLength": 200,
                        "description": "The issue's title; {week} becomes the ISO week, "
                        "which is how next week's run finds it.",
                        "examples": ["Success plan triage: {week}"],
                    },
                    "labels": _labels("Labels of the summary issue.", ["triage report"]),
                    "close_previous": {
                        "type": "boolean",
                        "description": "true: close last week's summary issue when the new "
                        "one is published.",
                    },
                },
            },
            "gainsight": GAINSIGHT_SCHEMA,
            "checker": {
                "type": "object",
                "additionalProperties": False,
                "description": (
                    "How the SMART checker reads objectives: extra heading words, and "
                    "whether a model gives a second opinion."
                ),
                "properties": {
                    "assess": {
                        "enum": ["rules", "llm"],
                        "description": (
                            "rules (default): the checker's rules alone. llm: also ask the "
                            "configured model to rate each element with a verbatim quote; a "
                            "quote not in the epic is discarded, and where the model and the "
                            "rules disagree the element is unsure (asked in the note, never "
                            "counted missing). An unchanged epic costs no call; confidential "
                            "epics are never sent."
                        ),
                    },
                    "synonyms": {
                        "type": "object",
                        "additionalProperties": False,
                        "description": "More heading and field words per SMART element, "
                        "added to the built-in ones.",
                        "properties": {
                            element: {
                                "type": "array",
                                "minItems": 1,
                                "items": {"type": "string", "minLength": 2},
                                "description": f"Headings or field labels that mean "
                                f"{element.replace('_', ' ')}.",
                            }
                            for element in ELEMENTS
                        },
                        "examples": [{"baseline": ["current metrics"]}],
                    },
                },
            },
        },
    }
