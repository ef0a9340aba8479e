"""The published policy schema works in the tools ops people use: check-jsonschema and any
editor whose YAML support reads JSON Schema (ECMA-262 patterns, help on every key).

The golden files are ``valid/`` (every condition and action, all accepted) and
``malformed/`` (those marked ``# schema: rejects``, all refused).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import regress

from triage.policy.actions import ACTIONS
from triage.policy.conditions import CONDITIONS
from triage.policy.loader import load_policies
from triage.policy.schema import policy_schema
from triage.policy.values import INTERVAL, schema_pattern

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SCHEMA = ROOT / "policies" / "policy.schema.json"
SHIPPED = sorted((ROOT / "policies").glob("*.yml"))
VALID = sorted((HERE / "valid").glob("*.yml"))
REJECTED = sorted(
    path
    for path in (HERE / "malformed").glob("*.yml")
    if "# schema: rejects" in path.read_text().splitlines()
)
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def check_jsonschema(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "-o", "json", "--schemafile", str(SCHEMA), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_jsonschema_accepts_the_shipped_policies_and_every_valid_golden_file():
    assert SHIPPED and VALID
    result = check_jsonschema(SHIPPED + VALID)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jsonschema_rejects_every_malformed_file_the_schema_can_fault():
    assert len(REJECTED) >= 30
    result = check_jsonschema(REJECTED)
    assert result.returncode == 1, result.stderr  # 1: documents invalid, not the schema
    failed = {Path(error["filename"]).name for error in json.loads(result.stdout)["errors"]}
    assert failed == {path.name for path in REJECTED}


def test_the_valid_golden_files_load_and_use_every_condition_and_action():
    policies = load_policies([HERE / "valid"], ROOT / "prompts")
    used_conditions = {type(cond).name for rule in policies.rules for cond in rule.conditions}
    used_actions = {type(action).name for rule in policies.rules for action in rule.actions}
    assert used_conditions == set(CONDITIONS)
    assert used_actions == set(ACTIONS)


def _nodes(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema with its place in the schema."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{path}/{index}")


def test_every_property_has_a_description_for_the_editor_to_show():
    undocumented = [
        f"{path}/{name}"
        for path, node in _nodes(policy_schema())
        if not re.search(r"/if(/|$)", path)  # a condition's test, no key anyone writes
        for name, sub in (node.get("properties") or {}).items()
        if isinstance(sub, dict) and not sub.get("description")
    ]
    assert undocumented == []


@pytest.mark.parametrize("name", sorted([*CONDITIONS, *ACTIONS]))
def test_every_condition_and_action_has_a_description_and_an_example(name):
    rule = policy_schema()["properties"]["rules"]["items"]["properties"]
    kind = "conditions" if name in CONDITIONS else "actions"
    element = rule[kind]["properties"][name]
    summary = (CONDITIONS[name] if name in CONDITIONS else ACTIONS[name]).summary()
    assert element["description"].startswith(summary.replace("``", "`"))
    assert element["examples"], name


def test_every_pattern_is_an_ecma262_regular_expression_python_also_reads():
    patterns = [node["pattern"] for _path, node in _nodes(policy_schema()) if "pattern" in node]
    assert len(patterns) >= 5
    for pattern in patterns:
        regress.Regex(pattern, "u")  # editors and check-jsonschema: ECMA-262, unicode mode
        re.compile(pattern)  # the loader validates with Python's re


def test_named_groups_are_translated_in_one_place():
    translated = schema_pattern(INTERVAL)
    assert "(?P<" not in translated
    assert regress.Regex(translated, "u").find("30d") is not None
    assert regress.Regex(translated, "u").find("30 days") is None
    assert re.fullmatch(translated, "2w") and not re.fullmatch(translated, "2x")
