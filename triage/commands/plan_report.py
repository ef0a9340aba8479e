"""Write each customer's success-plan report: an HTML page and the same as Markdown.

For every customer group (the policies' sources.groups, or --group): its open objectives
with the SMART table, Verifiable Outcome stage and status, progress, the initiatives on a
timeline with today marked, and what changed since the last report (read from the
snapshot the last report left in the output folder, or in --previous). The HTML page is
self-contained: no script, no font, nothing from the internet; charts are inline SVG. An
index page links every customer. Confidential objectives and initiatives are left out
unless --include-confidential. Reads GitLab only; writes nothing there.
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
from triage.outputs.plan import CustomerPlan, PlanBuilder
from triage.outputs.site import slug, write_customer, write_index
from triage.policy.model import PolicySet
from triage.smart.checker import Checker


def configure(parser: argparse.ArgumentParser) -> None:
    customers.configure(parser)
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("plan-report"),
        metavar="DIR",
        help="where the pages go, one folder per customer (default: plan-report/)",
    )
    parser.add_argument(
        "--previous",
        type=Path,
        metavar="DIR",
        help="the last report's folder, to say what changed (default: --output's earlier content)",
    )


def write_reports(
    gl: GitLab,
    groups: list[str],
    policies: PolicySet,
    output: Path,
    *,
    today: date,
    previous: Path | None = None,
    include_confidential: bool = False,
    out: TextIO | None = None,
) -> tuple[list[CustomerPlan], int]:
    """Write every customer's pages and the index; returns the plans written and how many
    customers could not be read (named on stderr, the others still written)."""
    out = out or sys.stdout
    checker = Checker(policies.synonyms)
    written: list[CustomerPlan] = []
    failed = 0
    for customer, pages in customers.customers(gl, groups, policies):
        if customer.error:
            failed += 1
            print(f"{customer.group}: left out: {customer.error}", file=sys.stderr)
            continue
        builder = PlanBuilder(
            customer.group, customer.name, customer.url, today, include_confidential, checker
        )
        try:
            for page in customers.objectives(pages, policies):
                builder.add(page)
        except GitLabError as exc:
            failed += 1
            print(f"{customer.group}: left out: {exc}", file=sys.stderr)
            continue
        plan = write_customer(output, builder.build(), previous)
        written.append(plan)
        print(
            f"{customer.group}: {len(plan.objectives)} objective(s), "
            f"{len(plan.initiatives)} initiative(s), "
            f"{'first report' if plan.first else f'{len(plan.changes)} change(s)'}: "
            f"{output / slug(customer.group) / 'index.html'}",
            file=out,
        )
    index = write_index(output, written)
    print(f"index of {len(written)} customer(s): {index}", file=out)
    return written, failed


def run(args: argparse.Namespace) -> int:
    return customers.run_with_gitlab(
        args,
        lambda gl, groups, policies: write_reports(
            gl,
            groups,
            policies,
            args.output,
            today=customers.today(args),
            previous=args.previous,
            include_confidential=args.include_confidential,
        ),
    )
