"""Write the weekly summary issue from run reports, merging the shards of a parallel job.

Without --apply the summary is printed (or written with --output); with --apply it is
created, or updated in place when this week's issue exists, in the policies' summary
project. Merged shard reports give the same summary as one unsharded run.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from triage.commands.options import add_policies
from triage.errors import EXIT_OK, GitLabError, UsageError
from triage.gitlab.client import GitLab
from triage.policy.loader import load_policies
from triage.policy.model import PolicySet
from triage.settings import GitLabSettings
from triage.summary.block import Previous
from triage.summary.build import figures_of, preview, publish_summary
from triage.summary.figures import iso_week
from triage.summary.publish import read_baseline
from triage.summary.reports import load_report, merge


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report",
        type=Path,
        action="append",
        required=True,
        metavar="PATH",
        help="a run report (repeat for the shards of a parallel job)",
    )
    add_policies(parser, "policies with the summary settings (default: policies/)")
    parser.add_argument(
        "--apply",
        action="store_true",
        help="create or update the summary issue (default: print it)",
    )
    parser.add_argument(
        "--output", type=Path, metavar="PATH", help="also write the summary's Markdown here"
    )


def _baseline(policies: PolicySet, week: str, required: bool) -> Previous | None:
    """Last week's published summary, when GitLab can be asked: the printed summary then
    compares with it as the published one will. Without GitLab settings a printed summary
    compares with nothing; publishing needs them anyway."""
    if not policies.summary.project:
        return None
    try:
        settings = GitLabSettings.from_env()
    except UsageError:
        if required:
            raise
        return None
    gl = GitLab(settings)
    try:
        return read_baseline(gl, policies.summary, week)
    except GitLabError as exc:
        if required:
            raise
        print(f"warning: last week's summary not read, nothing compared: {exc}", file=sys.stderr)
        return None
    finally:
        gl.close()


def run(args: argparse.Namespace) -> int:
    policies = load_policies([args.policies])
    report = merge([load_report(path) for path in args.report])
    if args.apply and not policies.summary.project:
        raise UsageError("summary.project is not set in the policies")
    week = iso_week(datetime.fromisoformat(report["run"]["now"]).date())
    figures = figures_of(report, _baseline(policies, week, required=args.apply))
    markdown = preview(figures)
    if args.output:
        args.output.write_text(markdown)
    if not args.apply:
        print(markdown)
        return EXIT_OK
    gl = GitLab(GitLabSettings.from_env())
    try:
        published = publish_summary(
            gl, policies.summary, figures, report.get("failed_groups") or []
        )
    finally:
        gl.close()
    print(f"summary issue {published.action}: {published.url}")
    if published.closed:
        print(f"closed last week's summary: {published.closed}")
    return EXIT_OK
