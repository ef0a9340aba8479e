"""Check policy files (structure, schema and meaning); --online also checks them in GitLab.

Every problem is reported as FILE:LINE: CONTEXT: MESSAGE; the exit code is 2 when there is
any, 0 otherwise. An empty sources.groups (as `triage init` writes it when it could not
ask GitLab) is reported as the one thing left to fill in.

--online (needs GITLAB_URL and GITLAB_TOKEN) looks every name up where the run will use
it: that each group exists, that sources.objective_label and every label or scope the
conditions name exist in each group (with the closest existing names when not), and that
the summary project exists. A typo there is valid YAML that would scan nothing or never
match; found here, it costs no week. Exit 2 when a name is wrong, 4 when GitLab cannot be
reached.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from triage.commands.options import add_groups
from triage.errors import EXIT_CONFIG, EXIT_OK, PolicyError
from triage.llm.kpi_library import load_library
from triage.pipeline.options import top_groups
from triage.policy import yaml_lines
from triage.policy.loader import PolicyProblems, load_policies
from triage.policy.model import PolicySet
from triage.settings import GitLabSettings

# By the value of triage.doctor.checks.Status, which is imported only when online.
MARKS = {"ok": "ok  ", "warn": "warn", "FAIL": "FAIL", "skip": "skip"}


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
    parser.add_argument(
        "--online",
        action="store_true",
        help="also check in GitLab that the groups, labels and summary project exist "
        "(needs GITLAB_URL and GITLAB_TOKEN)",
    )
    add_groups(
        parser,
        "the groups `triage run --group` will scan, instead of sources.groups (repeatable)",
    )


def _print_problems(lines: list[str], count: int) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
    return EXIT_CONFIG


def groups_left_empty(policies: PolicySet) -> str:
    """FILE:LINE: the problem of a set that names no group (``groups: []``)."""
    where = f"{policies.files[0]}:1" if policies.files else "policies:1"
    for path in policies.files:
        try:
            doc = yaml_lines.load(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        sources = doc.data.get("sources") if isinstance(doc.data, dict) else None
        if isinstance(sources, dict) and "groups" in sources:
            where = f"{path}:{doc.line(('sources', 'groups'))}"
    return (
        f"{where}: sources: 'groups' is empty: name your success-plan groups, e.g. "
        "groups: [customers] (run `triage init --force` with GITLAB_URL and GITLAB_TOKEN "
        "set to list those your token can see)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        policies = load_policies(args.paths, args.prompts)
    except PolicyProblems as problems:
        lines = []
        for problem in problems.problems:
            lines.append(str(problem))
            if problem.excerpt:
                lines.append(problem.excerpt)
        return _print_problems(lines, len(problems.problems))
    try:
        library = load_library(policies.policy_dir)
    except PolicyError as exc:
        return _print_problems([str(exc)], 1)
    groups = args.group or list(policies.sources.groups)
    if not groups:
        return _print_problems([groups_left_empty(policies)], 1)
    actions = sum(len(rule.actions) for rule in policies.rules)
    print(
        f"ok: {len(policies.files)} file(s), {len(policies.rules)} rule(s), "
        f"{actions} action(s), {len(policies.labels_used())} label name(s), "
        f"{len(library.kpis)} KPI(s) for offline drafts"
    )
    for rule in policies.rules:
        print(f"  {rule.name} ({rule.location})")
    if not args.online:
        return EXIT_OK
    return _online(policies, top_groups(groups, policies.sources.include_subgroups))


def _online(policies: PolicySet, groups: list[str]) -> int:
    # Imported here: the GitLab clients are heavy, and offline validation needs none.
    from triage.doctor.online import check_online
    from triage.gitlab.client import GitLab

    gl = GitLab(GitLabSettings.from_env(os.environ))  # unset: a usage error, exit 2
    failed = 0
    print(f"online: {gl.settings.url}, {len(groups)} group(s)")
    try:
        for finding in check_online(gl, policies, groups):
            line = f"[{MARKS[str(finding.status)]}] {finding.what}"
            if finding.detail:
                line += f": {finding.detail}"
            print(line, flush=True)
            if finding.fix and finding.status in ("FAIL", "warn"):
                print(f"       fix: {finding.fix}", flush=True)
            failed += finding.status == "FAIL"
    finally:
        gl.close()
    if failed:
        print(f"{failed} problem(s) found in GitLab", file=sys.stderr)
        return EXIT_CONFIG
    return EXIT_OK
