"""Check policy files (structure, schema and meaning) without touching GitLab.

Every problem is reported as FILE:LINE: CONTEXT: MESSAGE; the exit code is 2 when there is
any, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from triage.errors import EXIT_CONFIG, EXIT_OK, PolicyError
from triage.llm.kpi_library import load_library
from triage.policy.loader import PolicyProblems, load_policies


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("policies")],
        metavar="PATH",
        help="policy files or folders (default: policies/)",
    )
    parser.add_argument(
        "--prompts",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of prompt files (default: prompts/ beside the policies)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        policies = load_policies(args.paths, args.prompts)
    except PolicyProblems as problems:
        for problem in problems.problems:
            print(problem, file=sys.stderr)
        count = len(problems.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return EXIT_CONFIG
    try:
        library = load_library(policies.policy_dir)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    actions = sum(len(rule.actions) for rule in policies.rules)
    print(
        f"ok: {len(policies.files)} file(s), {len(policies.rules)} rule(s), "
        f"{actions} action(s), {len(policies.labels_used())} label name(s), "
        f"{len(library.kpis)} KPI(s) for offline drafts"
    )
    for rule in policies.rules:
        print(f"  {rule.name} ({rule.location})")
    return EXIT_OK
