"""The layer contracts of pyproject.toml hold, and a deliberate violation breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on ``tree`` (a copy of the packages and pyproject.toml)."""
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{tree / 'sandbox'}"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "triage", tree / "triage", ignore=ignore)
    shutil.copytree(
        ROOT / "sandbox" / "gitlab_sandbox", tree / "sandbox" / "gitlab_sandbox", ignore=ignore
    )
    shutil.copy(ROOT / "pyproject.toml", tree)
    return tree


def test_the_contracts_hold_and_fail_on_deliberate_violations(tmp_path):
    tree = copy_tree(tmp_path)
    clean = lint_imports(tree)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "5 kept, 0 broken" in clean.stdout

    # the SMART checker opens a database; GitLab code reaches up into the pipeline; the
    # policy layer calls python-gitlab; the sandbox borrows from the bot
    with (tree / "triage/smart/stages.py").open("a") as out:
        out.write("\nimport sqlite3  # noqa: E402\n")
    with (tree / "triage/gitlab/reads.py").open("a") as out:
        out.write("\nfrom triage.pipeline import options  # noqa: E402\n")
    with (tree / "triage/policy/model.py").open("a") as out:
        out.write("\nimport gitlab  # noqa: E402\n")
    with (tree / "sandbox/gitlab_sandbox/model.py").open("a") as out:
        out.write("\nfrom triage import records  # noqa: E402\n")
    broken = lint_imports(tree)
    assert broken.returncode == 1
    assert "0 kept, 5 broken" in broken.stdout
    for what in ("triage.smart.stages -> sqlite3", "triage.gitlab.reads -> triage.pipeline"):
        assert what in broken.stdout
