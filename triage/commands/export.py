"""Export the success plans for another tool: `triage export gainsight`.

gainsight: per objective, Gainsight's success-plan fields (Name, Owner, Due Date, Objective
Category, Status, Priority, Playbook, Success Criteria, Comments, Summary of Outcome) plus
its GitLab URL, and its initiatives as Gainsight tasks; as CSV (one row per objective, and
a tasks file) and as JSON (tasks inside their objective). Which label or description
section fills each field is the policies' `gainsight:` section, validated with them.
Confidential objectives and initiatives are left out unless --include-confidential.
Reads GitLab only.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from triage.commands import customers
from triage.errors import GitLabError
from triage.gitlab.client import GitLab
from triage.outputs.gainsight import Row, as_json, objectives_csv, row_of, tasks_csv
from triage.outputs.site import write_text
from triage.policy.model import PolicySet
from triage.smart.checker import Checker

TARGETS = ("gainsight",)
FILES = ("gainsight-objectives.csv", "gainsight-tasks.csv", "gainsight.json")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", choices=TARGETS, help="where the export goes: gainsight")
    customers.configure(parser)
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("gainsight"),
        metavar="DIR",
        help="folder of the files: gainsight-objectives.csv, gainsight-tasks.csv, "
        "gainsight.json (default: gainsight/)",
    )


def export_gainsight(
    gl: GitLab,
    groups: list[str],
    policies: PolicySet,
    output: Path,
    *,
    today: date,
    include_confidential: bool = False,
    out: TextIO | None = None,
) -> tuple[list[Row], int]:
    """Write the three files; returns the objectives' rows and how many customers could
    not be read (named on stderr, the others still exported)."""
    out = out or sys.stdout
    checker = Checker(policies.synonyms)
    rows: list[Row] = []
    left_out = failed = 0
    for customer, pages in customers.customers(gl, groups, policies):
        if customer.error:
            failed += 1
            print(f"{customer.group}: left out: {customer.error}", file=sys.stderr)
            continue
        try:
            for page in customers.objectives(pages, policies):
                for epic in page:
                    if epic.confidential and not include_confidential:
                        left_out += 1
                        continue
                    rows.append(
                        row_of(
                            epic, customer.name, policies.gainsight, checker, include_confidential
                        )
                    )
        except GitLabError as exc:
            failed += 1
            print(f"{customer.group}: left out: {exc}", file=sys.stderr)
    files = [output / name for name in FILES]
    write_text(files[0], objectives_csv(rows))
    write_text(files[1], tasks_csv(rows))
    write_text(files[2], as_json(rows, today))
    tasks = sum(len(r.tasks) for r in rows)
    confidential = f", {left_out} confidential left out" if left_out else ""
    print(
        f"{len(rows)} objective(s) and {tasks} task(s){confidential}: "
        + ", ".join(map(str, files)),
        file=out,
    )
    return rows, failed


def run(args: argparse.Namespace) -> int:
    return customers.run_with_gitlab(
        args,
        lambda gl, groups, policies: export_gainsight(
            gl,
            groups,
            policies,
            args.output,
            today=customers.today(args),
            include_confidential=args.include_confidential,
        ),
    )
