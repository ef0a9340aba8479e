"""Write the weekly summary issue from run reports, merging the shards of a parallel job.

Without --apply the summary is printed (or written with --output); with --apply it is
created, or updated in place when this week's issue exists, in the policies' summary
project. Merged shard reports give the same summary as one unsharded run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from triage.commands.options import add_policies
from triage.errors import EXIT_OK, UsageError
from triage.gitlab.client import GitLab
from triage.policy.loader import load_policies
from triage.settings import GitLabSettings
from triage.summary.build import figures_of, preview, publish_summary
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


def run(args: argparse.Namespace) -> int:
    policies = load_policies([args.policies])
    report = merge([load_report(path) for path in args.report])
    figures = figures_of(report)
    markdown = preview(figures)
    if args.output:
        args.output.write_text(markdown)
    if not args.apply:
        print(markdown)
        return EXIT_OK
    if not policies.summary.project:
        raise UsageError("summary.project is not set in the policies")
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
