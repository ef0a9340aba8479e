"""Turn JSON Schema errors into the sentences an ops person can act on.

A raw validator message ("Additional properties are not allowed ('forbiden_labels' was
unexpected)") says what is wrong with the document; these say what to change in the file,
and suggest the nearest valid name for a typo.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from triage.policy.actions import comment_needed
from triage.policy.schema import GROUP_PATH
from triage.policy.values import (
    INTERVAL,
    INTERVAL_SCHEMA,
    LABEL_PATTERN,
    NONZERO_INTERVAL,
    label_problem,
    scope_problem,
)

KINDS = {"conditions": "condition", "actions": "action"}
# What a value in a list or field is called in messages ("unknown finding 'x'").
NOUNS = {"any": "finding", "all": "finding", "findings": "finding", "vo_stage": "stage"}
TYPE_WORDS = {
    "array": "a list",
    "object": "a mapping",
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
    "number": "a number",
}
PATTERN_HINTS = {
    INTERVAL_SCHEMA["pattern"]: "is not an interval like 30d, 2w, 6m or 1y",
    r"^templates/[A-Za-z0-9_./-]+\.md$": "is not a template path like templates/name.md",
    r"^[a-z][a-z0-9_]*$": "is not a prompt name (lowercase letters, digits, underscores)",
    r"^[a-z0-9][a-z0-9-]*$": "is not a rule name (lowercase letters, digits and dashes)",
    r"\{week\}": "must contain the {week} placeholder",
    GROUP_PATH["pattern"]: "is not a group or project path like group/subgroup/project",
}


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the nearest choice: a close spelling or a prefix."""
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    close = close or sorted(o for o in options if len(word) >= 3 and o.startswith(word))[:1]
    return f" (did you mean '{close[0]}'?)" if close else ""


def _type_name(value: Any) -> str:
    for python, word in (
        (bool, "true/false"),
        (int, "a number"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "a mapping"),
    ):
        if isinstance(value, python):
            return word
    return "empty" if value is None else type(value).__name__


def _field(path: list[str | int]) -> str:
    names = [part for part in path if isinstance(part, str)]
    return names[-1] if names else "the file"


def humanise(error: ValidationError) -> list[tuple[list[str | int], str]]:
    """(path of the offending value, message) pairs for one schema error."""
    if error.validator in ("oneOf", "anyOf"):
        return _one_of(error)
    path = list(error.absolute_path)
    field = _field(path)
    value: Any = error.instance
    validator = error.validator
    schema_value: Any = error.validator_value
    schema: dict[str, Any] = dict(error.schema) if isinstance(error.schema, dict) else {}
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        kind = KINDS.get(str(path[-1]) if path else "", "key")
        results = []
        for key in sorted(set(value) - set(allowed)):
            hint = suggest(str(key), allowed) or f" (valid {kind}s: {', '.join(allowed)})"
            results.append(([*path, key], f"unknown {kind} '{key}'{hint}"))
        return results
    if validator == "type":
        expected = schema_value if isinstance(schema_value, str) else schema_value[0]
        return [
            (
                path,
                f"'{field}' must be {TYPE_WORDS.get(expected, expected)}, not {_type_name(value)}",
            )
        ]
    if validator == "enum":
        choices = [str(c) for c in schema_value]
        hint = suggest(str(value), choices)
        if hint:
            return [(path, f"unknown {NOUNS.get(field, field)} '{value}'{hint}")]
        return [(path, f"'{field}' must be one of {', '.join(choices)}, not '{value}'")]
    if validator == "required" and field == "actions" and schema_value == ["comment"]:
        # the same sentences as ``actions.conflicts``, which says them when no schema ran
        return [(path, problem) for problem in comment_needed(value)]
    if validator == "required":
        missing = [name for name in schema_value if name not in value]
        return [(path, f"'{name}' is required") for name in missing]
    if validator == "pattern" and schema_value == LABEL_PATTERN:
        # the label rules' own sentence, the same whether the schema or the loader speaks
        scoped = "missing_scoped_labels" in path
        problem = scope_problem(value) if scoped else label_problem(value)
        return [(path, problem or f"'{value}' is not a label name")]
    if validator == "pattern" and schema_value == NONZERO_INTERVAL:
        if INTERVAL.search(str(value)):  # 0d: well formed, yet empty
            return [(path, f"date: newer_than {value} matches nothing: nothing is newer than now")]
        schema_value = INTERVAL_SCHEMA["pattern"]
    if validator == "pattern":
        hint = PATTERN_HINTS.get(schema_value, f"does not match {schema_value}")
        return [(path, f"'{value}' {hint}")]
    messages = {
        "minItems": f"'{field}' must not be empty",
        "uniqueItems": f"'{field}' lists the same value twice",
        "minimum": f"'{field}' must be at least {schema_value}",
        "minLength": f"'{field}' must not be empty",
        "maxLength": f"'{field}' is longer than {schema_value} characters",
        "minProperties": "a rule needs at least one action"
        if field == "actions"
        else f"'{field}' must not be empty",
        "maxProperties": f"'{field}' takes exactly one of "
        f"{', '.join(schema.get('properties', {}))}",
    }
    return [(path, messages.get(str(validator), error.message))]


def _one_of(error: ValidationError) -> list[tuple[list[str | int], str]]:
    path = list(error.absolute_path)
    branches: Any = error.validator_value
    instance: Any = error.instance
    if all(set(branch) == {"required"} for branch in branches):
        names = [name for branch in branches for name in branch["required"]]
        given = [name for name in names if isinstance(instance, dict) and name in instance]
        field = _field(path)
        if not given:
            return [(path, f"'{field}' needs {' or '.join(names)}")]
        return [(path, f"'{field}' takes {' or '.join(names)}, not both")]
    # Prefer the branch written for this kind of value: a mapping given to "list or
    # mapping" is judged against the mapping branch, not told it should be a list.
    relevant = [
        sub
        for sub in error.context or []
        if not (sub.validator == "type" and not sub.relative_path)
    ]
    best = best_match(relevant or error.context or [])
    return humanise(best) if best is not None else [(path, error.message)]
