"""Run the ``triage`` command line in-process, the way the tests call it.

A ``python -m triage`` subprocess costs well over a second per call (a fresh interpreter that
imports the whole package again), which made CLI runs about a third of the suite's time.
Calling ``triage.cli.main`` in this process tests the same parsing, dispatch, output and exit
codes in milliseconds. What only a real process proves, that ``python -m triage`` starts as a
user runs it, is kept by exactly one subprocess smoke test in ``tests/test_cli.py``.

Tests that need a working directory or environment variables set them with pytest's
``monkeypatch.chdir`` / ``monkeypatch.setenv``, where a subprocess would take ``cwd=``/``env=``.
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass

from triage.cli import main


@dataclass(frozen=True)
class Result:
    """What a run printed and returned: the attribute names of ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | None = None) -> Result:
    """Run ``triage ARGS...`` in this process and capture its output.

    ``stdin``, when given, is what the command reads from standard input. The ``SystemExit``
    argparse raises for ``--help``, ``--version`` or a usage error becomes the return code,
    as a process exit would (``None`` is 0).
    """
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_code(exit_)
    finally:
        sys.stdin = saved_stdin
    return Result(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def exit_code(exit_: SystemExit) -> int:
    """The process exit status a ``SystemExit`` stands for."""
    if exit_.code is None:
        return 0
    if isinstance(exit_.code, int):
        return exit_.code
    print(exit_.code, file=sys.stderr)  # as the interpreter does with a message
    return 1
