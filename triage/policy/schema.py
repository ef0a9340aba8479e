"""The JSON Schema of a policy file, generated from the condition and action registries.

``triage schema`` prints it, ``policies/policy.schema.json`` is a committed copy editors
use for completion, and the loader validates every file against it before anything else.
"""

from __future__ import annotations

from typing import Any

from triage.policy.actions import ACTIONS
from triage.policy.conditions import CONDITIONS
from triage.policy.gainsight import GAINSIGHT_SCHEMA
from triage.policy.values import LABEL_LIST_SCHEMA, LABEL_SCHEMA
from triage.smart.findings import ELEMENTS

GROUP_PATH = {
    "type": "string",
    "pattern": r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$",
}
RULE_NAME = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$", "maxLength": 80}


def policy_schema() -> dict[str, Any]:
    rule = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "actions"],
        "properties": {
            "name": {**RULE_NAME, "description": "Unique name: lowercase letters, digits, dashes."},
            "description": {"type": "string"},
            "conditions": {**CONDITIONS.schema(), "description": "All must hold."},
            "limits": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "max_epics": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "At most this many epics touched per run.",
                    }
                },
            },
            "actions": {
                **ACTIONS.schema(),
                "minProperties": 1,
                "description": "What to do to matching epics.",
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "smart-triage-policy",
        "title": "smart-triage policy file",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "sources": {
                "type": "object",
                "additionalProperties": False,
                "description": "Which groups to scan and which epics are objectives.",
                "properties": {
                    "groups": {"type": "array", "items": GROUP_PATH, "uniqueItems": True},
                    "include_subgroups": {"type": "boolean"},
                    "objective_label": LABEL_SCHEMA,
                    "exclude_labels": LABEL_LIST_SCHEMA,
                    "create_missing_labels": {"type": "boolean"},
                },
            },
            "rules": {"type": "array", "items": rule},
            "summary": {
                "type": "object",
                "additionalProperties": False,
                "description": "Where and how the weekly summary issue is written.",
                "properties": {
                    "project": GROUP_PATH,
                    "title": {"type": "string", "pattern": r"\{week\}", "maxLength": 200},
                    "labels": LABEL_LIST_SCHEMA,
                    "close_previous": {"type": "boolean"},
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
                        "properties": {
                            element: {
                                "type": "array",
                                "minItems": 1,
                                "items": {"type": "string", "minLength": 2},
                            }
                            for element in ELEMENTS
                        },
                    },
                },
            },
        },
    }
