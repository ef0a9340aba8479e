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
from pathlib import Path

from triage.commands import customers
from triage.errors import EXIT_OK, EXIT_PARTIAL, GitLabError
from triage.gitlab.client import GitLab
from triage.outputs.plan import CustomerPlan, PlanBuilder
from triage.outputs.site import slug, write_customer, write_index
from triage.policy.loader import load_policies
from triage.settings import GitLabSettings
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


def run(args: argparse.Namespace) -> int:
    policies = load_policies([args.policies])
    groups = customers.groups(args, policies)
    day = customers.today(args)
    checker = Checker(policies.synonyms)
    gl = GitLab(GitLabSettings.from_env())
    written: list[CustomerPlan] = []
    failed = 0
    try:
        for customer, pages in customers.customers(gl, groups, policies):
            if customer.error:
                failed += 1
                print(f"{customer.group}: left out: {customer.error}", file=sys.stderr)
                continue
            builder = PlanBuilder(
                customer.group,
                customer.name,
                customer.url,
                day,
                args.include_confidential,
                checker,
            )
            try:
                for page in customers.objectives(pages, policies):
                    builder.add(page)
            except GitLabError as exc:
                failed += 1
                print(f"{customer.group}: left out: {exc}", file=sys.stderr)
                continue
            plan = write_customer(args.output, builder.build(), args.previous)
            written.append(plan)
            print(
                f"{customer.group}: {len(plan.objectives)} objective(s), "
                f"{len(plan.initiatives)} initiative(s), "
                f"{'first report' if plan.first else f'{len(plan.changes)} change(s)'}: "
                f"{args.output / slug(customer.group) / 'index.html'}"
            )
    finally:
        gl.close()
    index = write_index(args.output, written)
    print(f"index of {len(written)} customer(s): {index}")
    return EXIT_PARTIAL if failed else EXIT_OK
