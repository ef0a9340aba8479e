"""Every malformed policy under ``malformed/`` fails with the exact message and line.

Each file ends with its expectations: ``# expect: LINE: CONTEXT: MESSAGE`` lines (``FILE``
stands for the file's own path) and ``# schema: rejects|accepts|n/a``, which says whether
the generated JSON Schema alone rejects the file (the rest needs the loader's own checks).
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from triage.policy.loader import PolicyProblems, load_policies
from triage.policy.schema import policy_schema

HERE = Path(__file__).parent
CASES = sorted((HERE / "malformed").glob("*.yml"))
PROMPTS = Path(__file__).parents[2] / "prompts"


def expectations(path: Path) -> tuple[list[str], str]:
    lines = path.read_text().splitlines()
    expects = [line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")]
    schema = next(line.removeprefix("# schema: ") for line in lines if line.startswith("# schema:"))
    return [f"{path}:{e.replace('FILE', str(path))}" for e in expects], schema


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_each_problem_is_reported_with_its_line(path):
    expected, _schema = expectations(path)
    with pytest.raises(PolicyProblems) as raised:
        load_policies([path], PROMPTS)
    assert [str(problem) for problem in raised.value.problems] == expected


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_the_generated_schema_rejects_what_validate_rejects(path):
    _expected, schema = expectations(path)
    if schema == "n/a":
        pytest.skip("not a YAML mapping: nothing for a schema to judge")
    errors = list(
        jsonschema.Draft202012Validator(policy_schema()).iter_errors(
            yaml.safe_load(path.read_text())
        )
    )
    assert bool(errors) is (schema == "rejects"), [e.message for e in errors]
