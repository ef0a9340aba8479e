"""The ``triage`` command line: in-process (``tests.cli``), plus the subprocesses that need a
real process: the sandbox server, and one smoke test of ``python -m triage``."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import gitlab
import pytest

from tests.cli import run_cli
from tests.conftest import ROOT
from tests.sandbox.queries import EPICS
from triage.cli import main


@pytest.fixture
def served() -> Iterator[tuple[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "triage", "sandbox", "--port", "0", "--seed", "demo"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        url = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)\n", first)
        token = re.fullmatch(r"token: (\S+)\n", second)
        assert url and token, (first, second)
        yield url.group(1), token.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def test_sandbox_command_serves_the_documented_query(served):
    url, token = served
    with gitlab.GraphQL(url, token=token) as client:
        result = client.execute(EPICS, variable_values={"path": "globex"})
    titles = [n["title"] for n in result["group"]["workItems"]["nodes"]]
    assert "Increase deployment frequency to 10 per week" in titles
    assert len(titles) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault-rate", "2"], "--fault-rate must be between 0 and 1"),
        (["--seed", "nothing"], "unknown seed 'nothing'"),
        (["--seed", "scale:many"], "scale seed needs a positive number"),
        (["--note-limit", "-1"], "--note-limit must be >= 0"),
    ],
)
def test_bad_sandbox_options_exit_2_with_a_clear_message(args, message):
    result = run_cli("sandbox", "--port", "0", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_help_lists_the_commands():
    """The one subprocess smoke test: ``python -m triage`` runs as a user runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "triage", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "sandbox" in result.stdout


def test_sandbox_commands_name_the_extra_when_the_sandbox_is_missing(monkeypatch):
    """A plain install has no sandbox: the command says which extra brings it."""
    monkeypatch.setitem(sys.modules, "gitlab_sandbox", None)  # import fails as if absent
    result = run_cli("sandbox", "--port", "0")
    assert result.returncode == 2
    assert "pip install 'smart-triage[sandbox]'" in result.stderr


def test_sandbox_llm_modes_are_the_sandboxes_own():
    from gitlab_sandbox.llm_api import MODES

    from triage.commands.sandbox import LLM_MODES

    assert sorted(LLM_MODES) == sorted(MODES)


def test_output_cut_short_by_its_reader_ends_quietly(monkeypatch, capsys):
    """``triage schema | head``: the reader closing the pipe is no error and no trace."""

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["schema"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_an_unreachable_gitlab_says_where_why_and_what_to_check(monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("GITLAB_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("GITLAB_TOKEN", "any")
    monkeypatch.setenv("TRIAGE_GITLAB_MAX_RETRIES", "1")
    monkeypatch.chdir(ROOT)
    result = run_cli("run", "--now", "2026-11-20")
    assert result.returncode == 4  # unreachable before any write: a CI job retries it
    assert f"cannot reach GitLab at http://127.0.0.1:{port}" in result.stderr
    assert "Connection refused" in result.stderr and "check the port in GITLAB_URL" in result.stderr
    assert "Traceback" not in result.stderr
