"""Command-line entry point: parses arguments and dispatches, nothing else.

Each command lives in ``triage/commands/<name>.py`` and exposes ``configure(parser)`` and
``run(args) -> int``; the table below is the whole registry, so adding a command is one
module and one line here.

Only the command being run is imported: the others appear in ``triage --help`` with the
first line of their module docstring, read from the source without importing it. A run
imports the model SDK and the GitLab client; ``triage --help`` or ``triage lint`` must not
pay for them (``benchmarks/startup.py`` measures it).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import io
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from triage import __version__
from triage.errors import EXIT_OK, EXIT_UNEXPECTED, TriageError

COMMANDS: dict[str, str] = {
    "doctor": "triage.commands.doctor",
    "run": "triage.commands.run",
    "summarize": "triage.commands.summarize",
    "plan-report": "triage.commands.plan_report",
    "export": "triage.commands.export",
    "lint": "triage.commands.lint",
    "validate": "triage.commands.validate",
    "schema": "triage.commands.schema",
    "init": "triage.commands.init",
    "init-ci": "triage.commands.init_ci",
    "sandbox": "triage.commands.sandbox",
    "demo": "triage.commands.demo",
}


# CPython 3.11's parser keeps per-interpreter state that two threads parsing at once
# corrupt ("SystemError: AST constructor recursion depth mismatch"): ``main`` may run in
# several threads of one process (the suite's concurrent publishers do), so parse one at a
# time.
_PARSING = threading.Lock()


@cache
def _docstring(module: str) -> str:
    """A command module's docstring, read from its source: importing every command to
    list them would import everything any command uses."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ImportError(f"no command module {module}")
    source = Path(spec.origin).read_text(encoding="utf-8")
    with _PARSING:
        tree = ast.parse(source)
    return ast.get_docstring(tree) or ""


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line: the first word that is not an option (the
    top-level options take no value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with one sub-parser per registered command; only ``command``
    (every command when ``None``) is imported and given its options."""
    parser = argparse.ArgumentParser(
        prog="triage",
        description="Triage customer success plans kept in GitLab.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, path in COMMANDS.items():
        if command is None or name == command:
            module = importlib.import_module(path)
            doc = module.__doc__ or ""
            sub = subparsers.add_parser(name, help=doc.strip().splitlines()[0], description=doc)
            module.configure(sub)
            sub.set_defaults(handler=module.run)
        else:
            doc = _docstring(path)
            subparsers.add_parser(name, help=doc.strip().splitlines()[0], description=doc)
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
    words = sys.argv[1:] if argv is None else list(argv)
    # "" when no command is named (``triage --help``): then none is imported
    args = build_parser(chosen_command(words) or "").parse_args(words)
    try:
        code: int = args.handler(args)
    except TriageError as exc:
        problems = getattr(exc, "problems", None)  # PolicyProblems: one line each
        if problems is not None:
            for problem in problems:
                print(problem, file=sys.stderr)
                if getattr(problem, "excerpt", None):  # the line, with a caret
                    print(problem.excerpt, file=sys.stderr)
            print(
                f"triage: {len(problems)} problem(s) in the policies; nothing was run",
                file=sys.stderr,
            )
        else:
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
