"""The registries document themselves: every element has a schema, a docstring and an
example that its own schema accepts."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from triage.policy.actions import ACTIONS
from triage.policy.conditions import CONDITIONS

ELEMENTS = [("condition", n, c) for n, c in CONDITIONS.items()] + [
    ("action", n, c) for n, c in ACTIONS.items()
]


@pytest.mark.parametrize(("kind", "name", "cls"), ELEMENTS, ids=str)
def test_element_has_schema_docstring_and_valid_example(kind, name, cls):
    assert cls.summary(), f"{kind} {name} has no docstring"
    example = yaml.safe_load(cls.example())
    assert list(example) == [name], f"{kind} {name}: example must be a '{name}:' mapping"
    jsonschema.validate(example[name], cls.schema)


def test_the_policy_readme_documents_every_element():
    readme = (Path(__file__).parents[2] / "policies" / "README.md").read_text()
    for kind, name, _cls in ELEMENTS:
        assert f"| `{name}` |" in readme, f"{kind} '{name}' is missing from policies/README.md"
