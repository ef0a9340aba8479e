"""The exit-code table of docs/setup.md, held row by row: each code has one test here that
brings it about the way a user would meet it, and the table has no row without a test."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, control, point_bot_at

ROOT = Path(__file__).parents[1]
NOW = DEMO_DAY.isoformat()


def documented_codes() -> list[int]:
    text = (ROOT / "docs" / "setup.md").read_text()
    table = text.split("The exit code says what happened:", 1)[1].split("\n\n", 2)[1]
    return [int(m) for m in re.findall(r"(?m)^\| (\d+) \|", table)]


def test_every_row_of_the_table_has_its_test_and_every_test_its_row():
    tested = sorted(
        int(name.rsplit("_", 1)[1]) for name in globals() if name.startswith("test_exit_")
    )
    assert documented_codes() == tested


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_exit_0(make_sandbox, monkeypatch, tmp_path):
    """Every epic processed."""
    point_bot_at(make_sandbox(), monkeypatch)
    report = tmp_path / "report.json"
    result = run_cli("run", "--now", NOW, "--group", "globex", "--report", str(report))
    assert result.returncode == 0, result.stderr
    written = json.loads(report.read_text())
    assert written["counts"]["fetched"] == 4 and written["counts"]["failed"] == 0
    assert written["errors"] == [] and written["warnings"] == []


def test_exit_1(make_sandbox, monkeypatch, tmp_path):
    """Some groups failed; the rest were processed, and the report says which failed."""
    point_bot_at(make_sandbox(), monkeypatch)
    report = tmp_path / "report.json"
    result = run_cli(
        "run",
        "--now",
        NOW,
        "--group",
        "globex",
        "--group",
        "no-such-group",
        "--report",
        str(report),
    )
    assert result.returncode == 1
    assert "globex: fetched 4 objective epic(s)" in result.stderr
    assert "no-such-group: FAILED to read epics" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_2(make_sandbox, monkeypatch, tmp_path):
    """A typo in the objective label: every group yields nothing, the run stops with the
    label it looked for, and nothing is written even with --apply."""
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    settings = policies / "settings.yml"
    settings.write_text(settings.read_text().replace("SP Objective\n", "SP Objectve\n", 1))
    result = run_cli(
        "run",
        "--apply",
        "--now",
        NOW,
        "--policies",
        str(policies),
        "--prompts",
        str(ROOT / "prompts"),
    )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("triage: error: no open epic in the 3 group(s) scanned has the label")
    assert "'SP Objectve'" in last and "triage validate --online" in last
    assert control(box, "stats")["writes"] == 0


def test_exit_3(monkeypatch):
    """Anything unforeseen: exit 3 and a trace to report."""

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("triage.pipeline.weekly_run.run_triage", broken)
    result = run_cli("run")
    assert result.returncode == 3
    assert "please report it with this trace" in result.stderr
    assert "RuntimeError: a bug" in result.stderr


def test_exit_4(monkeypatch):
    """GitLab unreachable before any write: its own code, the URL without credentials,
    the cause and the next step."""
    port = closed_port()
    monkeypatch.setenv("GITLAB_URL", f"http://bot:s3cret@127.0.0.1:{port}")
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-not-shown")
    monkeypatch.setenv("TRIAGE_GITLAB_MAX_RETRIES", "1")
    monkeypatch.chdir(ROOT)
    result = run_cli("run", "--now", NOW, "--apply")
    assert result.returncode == 4
    assert f"cannot reach GitLab at http://127.0.0.1:{port}: connection refused" in result.stderr
    assert "run `triage doctor`" in result.stderr
    assert "s3cret" not in result.stderr and "glpat" not in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_130(monkeypatch):
    """Ctrl-C: no trace, the shell's code for an interrupt."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("triage.pipeline.weekly_run.run_triage", interrupted)
    result = run_cli("run")
    assert result.returncode == 130
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("code", [0, 1, 2, 3, 4])
def test_the_codes_are_the_ones_the_errors_module_names(code):
    from triage import errors

    names = {
        0: "EXIT_OK",
        1: "EXIT_PARTIAL",
        2: "EXIT_CONFIG",
        3: "EXIT_UNEXPECTED",
        4: "EXIT_UNREACHABLE",
    }
    assert getattr(errors, names[code]) == code
