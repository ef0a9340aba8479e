"""Command-line entry point: parses arguments and dispatches, nothing else.

Each command lives in ``triage/commands/<name>.py`` and exposes ``configure(parser)`` and
``run(args) -> int``; the table below is the whole registry, so adding a command is one
module and one line here.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from triage import __version__
from triage.commands import (
    demo,
    doctor,
    export,
    init,
    init_ci,
    lint,
    plan_report,
    run,
    sandbox,
    schema,
    summarize,
    validate,
)
from triage.errors import EXIT_OK, EXIT_UNEXPECTED, TriageError
from triage.policy.loader import PolicyProblems

COMMANDS: dict[str, ModuleType] = {
    "doctor": doctor,
    "run": run,
    "summarize": summarize,
    "plan-report": plan_report,
    "export": export,
    "lint": lint,
    "validate": validate,
    "schema": schema,
    "init": init,
    "init-ci": init_ci,
    "sandbox": sandbox,
    "demo": demo,
}


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with one sub-parser per registered command."""
    parser = argparse.ArgumentParser(
        prog="triage",
        description="Triage customer success plans kept in GitLab.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in COMMANDS.items():
        doc = (module.__doc__ or "").strip().splitlines()[0]
        sub = subparsers.add_parser(name, help=doc, description=module.__doc__)
        module.configure(sub)
        sub.set_defaults(handler=module.run)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (an in-process capture): nothing to flush


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and map errors to exit codes (see ``triage.errors``)."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except PolicyProblems as problems:
        for problem in problems.problems:
            print(problem, file=sys.stderr)
            if problem.excerpt:
                print(problem.excerpt, file=sys.stderr)
        print(
            f"triage: {len(problems.problems)} problem(s) in the policies; nothing was run",
            file=sys.stderr,
        )
        return problems.exit_code
    except TriageError as exc:
        print(f"triage: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # "triage summarize | head": the reader has what it wanted
        _silence_stdout()
        return EXIT_OK
    except Exception:
        print(
            "triage: an unexpected error occurred; please report it with this trace:",
            file=sys.stderr,
        )
        traceback.print_exc()
        return EXIT_UNEXPECTED
    return code
