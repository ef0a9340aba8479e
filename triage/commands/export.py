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
from pathlib import Path

from triage.commands import customers
from triage.errors import EXIT_OK, EXIT_PARTIAL, GitLabError
from triage.gitlab.client import GitLab
from triage.outputs.gainsight import Row, as_json, objectives_csv, row_of, tasks_csv
from triage.outputs.site import write_text
from triage.policy.loader import load_policies
from triage.settings import GitLabSettings
from triage.smart.checker import Checker

TARGETS = ("gainsight",)


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


def run(args: argparse.Namespace) -> int:
    policies = load_policies([args.policies])
    groups = customers.groups(args, policies)
    checker = Checker(policies.synonyms)
    gl = GitLab(GitLabSettings.from_env())
    rows: list[Row] = []
    left_out = failed = 0
    try:
        for customer, pages in customers.customers(gl, groups, policies):
            if customer.error:
                failed += 1
                print(f"{customer.group}: left out: {customer.error}", file=sys.stderr)
                continue
            try:
                for page in customers.objectives(pages, policies):
                    for epic in page:
                        if epic.confidential and not args.include_confidential:
                            left_out += 1
                            continue
                        rows.append(
                            row_of(
                                epic,
                                customer.name,
                                policies.gainsight,
                                checker,
                                args.include_confidential,
                            )
                        )
            except GitLabError as exc:
                failed += 1
                print(f"{customer.group}: left out: {exc}", file=sys.stderr)
    finally:
        gl.close()
    out: Path = args.output
    write_text(out / "gainsight-objectives.csv", objectives_csv(rows))
    write_text(out / "gainsight-tasks.csv", tasks_csv(rows))
    write_text(out / "gainsight.json", as_json(rows, customers.today(args)))
    tasks = sum(len(r.tasks) for r in rows)
    confidential = f", {left_out} confidential left out" if left_out else ""
    print(
        f"{len(rows)} objective(s) and {tasks} task(s){confidential}: "
        f"{out / 'gainsight-objectives.csv'}, {out / 'gainsight-tasks.csv'}, "
        f"{out / 'gainsight.json'}"
    )
    return EXIT_PARTIAL if failed else EXIT_OK
