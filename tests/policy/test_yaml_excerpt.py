"""A YAML syntax error shows the offending line with a caret under the column, as an
editor would, below the one-line FILE:LINE message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import run_cli

MALFORMED = Path(__file__).parent / "malformed"


@pytest.mark.parametrize(
    ("name", "shown", "caret"),
    [
        ("66-yaml-unquoted-colon.yml", "  3 |     description: Goal: faster", 21),
        ("67-yaml-tab.yml", "  2 |  - name: r", 0),
        ("56-yaml-syntax-error.yml", "  4 |       summary: {heading: Objectives", 15),
    ],
)
def test_validate_shows_the_line_and_a_caret_under_the_column(name, shown, caret):
    result = run_cli("validate", str(MALFORMED / name))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{MALFORMED / name}:")
    assert f"column {caret + 1}" in lines[0]
    assert lines[1] == shown
    gutter = " " * len(shown.split("|")[0].strip())
    assert lines[2] == f"  {gutter} | {' ' * caret}^"
    assert lines[3] == "1 problem found"


def test_a_run_on_broken_yaml_shows_the_caret_too(tmp_path):
    (tmp_path / "rules.yml").write_text("rules:\n  - name: r\n    description: a: b\n")
    result = run_cli("run", "--policies", str(tmp_path))
    assert result.returncode == 2
    assert "    description: a: b" in result.stderr
    assert result.stderr.splitlines()[2].endswith("^")
