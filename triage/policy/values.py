"""Small value types of policy files: intervals and label names, with their rules."""

from __future__ import annotations

import re
from datetime import timedelta

# Python's named groups, ``(?P<name>``, which no ECMA-262 engine reads.
NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def schema_pattern(regex: re.Pattern[str] | str) -> str:
    """``regex`` as a JSON Schema ``pattern``: the one place Python syntax is translated.

    A schema's patterns are ECMA-262 regular expressions (JSON Schema 2020-12, section
    6.4): editors (yaml-language-server) and check-jsonschema reject the whole schema over
    one ``(?P<name>...)``. The loader also validates with Python's ``re``, which in turn
    has no ``(?<name>...)``, so named groups become plain ``(?:...)`` groups, which both
    read alike; a schema never needs the names.
    """
    text = regex.pattern if isinstance(regex, re.Pattern) else regex
    return NAMED_GROUP.sub("(?:", text)


INTERVAL = re.compile(r"^(?P<count>\d+)(?P<unit>[dwmy])$")
UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
INTERVAL_SCHEMA = {
    "type": "string",
    "pattern": schema_pattern(INTERVAL),
    "description": "A count and a unit: d (days), w (weeks), m (30 days) or y (365 days).",
    "examples": ["30d", "2w", "6m", "1y"],
}
# An interval of at least one unit: "newer than 0d" would match nothing.
NONZERO_INTERVAL = r"^0*[1-9]\d*[dwmy]$"
# What ``label_problem`` refuses, as a pattern editors check while one types: no comma or
# line break, no leading ~, no space at either end, no empty part around "::".
LABEL_PATTERN = r"^(?!~)(?!::)(?!.*::\s*::)(?!.*::\s*$)[^\s,](?:[^,\n]*[^\s,])?$"
LABEL_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": LABEL_PATTERN,
    "description": "A GitLab label name as shown in the label picker, without the leading ~.",
}
LABEL_LIST_SCHEMA = {"type": "array", "items": LABEL_SCHEMA, "minItems": 1, "uniqueItems": True}


def parse_interval(text: str) -> timedelta:
    """``30d``, ``2w``, ``6m`` (30 days each) or ``1y`` (365 days)."""
    match = INTERVAL.match(text)
    if not match:
        raise ValueError(f"'{text}' is not an interval like 30d, 2w, 6m or 1y")
    return timedelta(days=int(match.group("count")) * UNIT_DAYS[match.group("unit")])


def label_problem(title: str) -> str | None:
    """Why ``title`` cannot be a GitLab label name here, or None when it can.

    Commas split label lists in GitLab's REST API, a leading ``~`` is Markdown reference
    syntax rather than part of the name, and an empty scope part (``Status::``) is a typo.
    """
    if title != title.strip():
        return f"label '{title}' has spaces at its start or end"
    if not title:
        return "label name is empty"
    if "," in title or "\n" in title:
        return f"label '{title}' contains a comma or a line break"
    if title.startswith("~"):
        return f"label '{title}' starts with '~': write the name without it"
    if any(not part.strip() for part in title.split("::")):
        return f"label '{title}' has an empty part around '::'"
    return None


def label_problems(labels: list[str]) -> list[str]:
    """Why each of ``labels`` cannot be a label name (empty when all can)."""
    return [problem for label in labels if (problem := label_problem(label))]


def scope_problem(scope: str) -> str | None:
    """Why ``scope`` is not a scoped-label prefix such as ``SP Objective::Status``."""
    problem = label_problem(scope)
    return problem.replace("label", "scope", 1) if problem else None
