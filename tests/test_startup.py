"""``triage --help`` starts fast: it imports no command, no model SDK, no GitLab client.

Speed itself is measured by ``benchmarks/startup.py``; here, what makes it slow."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("openai", "gitlab", "gql", "httpx", "triage.pipeline.weekly_run")

PROBE = """
import json, sys
from triage.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules)))
"""


def imported(*words: str) -> tuple[set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *words], capture_output=True, text=True, check=True
    )
    *lines, modules = done.stdout.strip().splitlines()
    return set(json.loads(modules)), "\n".join(lines)


def test_help_lists_every_command_without_importing_any():
    modules, out = imported("--help")
    for command in ("doctor", "run", "summarize", "lint", "validate", "schema", "init", "demo"):
        assert f"    {command}" in out
    assert "Run the weekly triage: scan objective epics" in out
    assert not [m for m in modules if m.startswith("triage.commands.")]
    assert not [m for m in modules if m.split(".")[0] in (*HEAVY, "jsonschema") or m in HEAVY]


def test_a_commands_help_imports_that_command_only():
    modules, out = imported("run", "--help")
    assert "--full-read EVERY" in out and "--apply" in out
    assert "triage.commands.run" in modules and "triage.commands.demo" not in modules
    assert not [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY]
