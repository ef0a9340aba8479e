"""``triage doctor``: the first command a new user runs.

It checks what a weekly run needs, in the order to fix it: the settings, that GitLab
answers (and its version), the token (user, kind, scopes, expiry), every policy group's
epics as work items, the labels the rules add, the summary project, the language model
(one small call, only when configured) and the CI/CD variables. Each line says ok, warn,
FAIL or skip, and every failure says how to fix it. Exit 0 when nothing failed, 1 when
something did, 2 when the policies themselves are wrong.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from triage.commands.options import add_groups, add_policies
from triage.doctor.checks import Context, Status, diagnose
from triage.errors import EXIT_OK, EXIT_PARTIAL
from triage.pipeline.options import top_groups
from triage.policy.loader import load_policies


def configure(parser: argparse.ArgumentParser) -> None:
    add_policies(parser)
    parser.add_argument(
        "--prompts",
        type=Path,
        metavar="DIR",
        help="prompt folder (default: prompts/ beside the policies)",
    )
    add_groups(parser, "check this group instead of the policies' groups (repeatable)")


MARKS = {Status.PASS: "ok  ", Status.WARN: "warn", Status.FAIL: "FAIL", Status.SKIP: "skip"}


def run(args: argparse.Namespace) -> int:
    policies = load_policies([args.policies], args.prompts)  # a bad policy: exit 2 first
    groups = top_groups(
        args.group or list(policies.sources.groups), policies.sources.include_subgroups
    )
    context = Context(policies, groups, os.environ, date.today())
    failed = warned = 0
    for finding in diagnose(context):
        line = f"[{MARKS[finding.status]}] {finding.what}"
        if finding.detail:
            line += f": {finding.detail}"
        print(line, flush=True)
        if finding.fix and finding.status in (Status.FAIL, Status.WARN):
            print(f"       fix: {finding.fix}", flush=True)
        failed += finding.status is Status.FAIL
        warned += finding.status is Status.WARN
    verdict = "ready for a weekly run" if not failed else "not ready: fix the FAIL lines"
    print(f"{failed} failed, {warned} warning(s): {verdict}")
    return EXIT_PARTIAL if failed else EXIT_OK
