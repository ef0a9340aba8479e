"""Write the weekly summary issue from run reports, merging the shards of a parallel job.

Without --apply the summary is printed (or written with --output); with --apply it is
created, or updated in place when this week's issue exists, in the policies' summary
project. Merged shard reports give the same summary as one unsharded run.

With --apply it first takes the summary project's lease, as a run publishing its summary
does, so two publishers at once (two merge jobs, a person beside the schedule) never make
two issues for one week: the second stops with nothing written, exit 1, or waits with
--lease-wait. Exit 4 when GitLab gave no answer before anything was written.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from triage.commands.options import add_policies
from triage.commands.terminate import until_terminated
from triage.errors import EXIT_OK, GitLabError, GitLabUnreachable, UsageError
from triage.gitlab.client import GitLab
from triage.gitlab.summary_lease import summary_lease
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
    parser.add_argument(
        "--lease-wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="with --apply, wait this long for another run or summarize publishing the "
        "summary (default: 0, stop at once with nothing written)",
    )


def _baseline(policies: PolicySet, week: str) -> Previous | None:
    """Last week's published summary, when GitLab can be asked: the printed summary then
    compares with it as the published one will. Without GitLab settings a printed summary
    compares with nothing; publishing reads it under the summary lease."""
    if not policies.summary.project:
        return None
    try:
        settings = GitLabSettings.from_env()
    except UsageError:
        return None
    gl = GitLab(settings)
    try:
        return read_baseline(gl, policies.summary, week)
    except GitLabError as exc:
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
    if args.apply:
        # SIGTERM as an exit: the lease is released as on Ctrl-C
        return until_terminated(lambda: _publish(args, policies, report, week))
    markdown = preview(figures_of(report, _baseline(policies, week)))
    if args.output:
        args.output.write_text(markdown)
    print(markdown)
    return EXIT_OK


def _publish(
    args: argparse.Namespace, policies: PolicySet, report: dict[str, Any], week: str
) -> int:
    """Under the summary lease, from the first look at the issues (last week's, to compare
    with) to the last write; released whatever happens."""
    project = policies.summary.project or ""
    gl = GitLab(GitLabSettings.from_env())
    warnings: list[str] = []
    try:
        with summary_lease(gl, project, max(0.0, args.lease_wait)) as lease:
            warnings = lease.warnings
            figures = figures_of(report, read_baseline(gl, policies.summary, week))
            if args.output:
                args.output.write_text(preview(figures))
            published = publish_summary(
                gl, policies.summary, figures, report.get("failed_groups") or []
            )
    except GitLabUnreachable as exc:
        if gl.wrote:  # an issue may have been written: partial, not worth a blind retry
            raise GitLabError(str(exc)) from None
        raise exc.nothing_written() from None
    finally:
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        gl.close()
    print(f"summary issue {published.action}: {published.url}")
    if published.closed:
        print(f"closed last week's summary: {published.closed}")
    return EXIT_OK
