"""Run the weekly triage: scan objective epics, plan, and (with --apply) write.

Without --apply nothing is written: the plan is printed. Needs GITLAB_URL and GITLAB_TOKEN
(a group access token or bot user token with the api scope). Exit 0 when every epic was
processed, 1 when some failed or another run was writing to the same groups, 2 on a
configuration error (policies, settings, token).
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

from triage.commands.options import add_groups, add_policies
from triage.commands.terminate import until_terminated
from triage.errors import UsageError
from triage.pipeline.options import RunOptions
from triage.settings import GitLabSettings

SHARD = re.compile(r"^(\d+)/(\d+)$")


def when(text: str) -> datetime:
    """``--now``: a date (midnight UTC) or an ISO 8601 time."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-23") from exc


def shard(text: str) -> tuple[int, int]:
    match = SHARD.match(text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise argparse.ArgumentTypeError(f"'{text}' is not a shard like 2/4 (K from 1 to N)")
    return int(match.group(1)), int(match.group(2))


def default_shard() -> str:
    index, total = os.environ.get("CI_NODE_INDEX"), os.environ.get("CI_NODE_TOTAL")
    return f"{index}/{total}" if index and total else "1/1"


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    add_policies(parser)
    add_groups(parser, "scan this group instead of the policies' groups (repeatable)")
    parser.add_argument(
        "--apply",
        action="store_true",
        help="write comments and labels (default: dry-run, print the plan)",
    )
    parser.add_argument("--report", type=Path, metavar="PATH", help="write a JSON report here")
    parser.add_argument(
        "--cache",
        "--state",
        dest="cache",
        type=Path,
        metavar="PATH",
        help="remember the bot's notes here between runs (a cache: re-runs on unchanged "
        "data then read no notes; --state is the older name)",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="with the plan, show each note's change against the text on the epic",
    )
    parser.add_argument(
        "--now", type=when, metavar="DATE", help="the clock date rules use (default: now)"
    )
    parser.add_argument(
        "--concurrency",
        type=positive,
        default=4,
        metavar="N",
        help="epics processed at once (default: 4)",
    )
    parser.add_argument(
        "--shard",
        type=shard,
        default=None,
        metavar="K/N",
        help="handle shard K of N of the groups (default: CI_NODE_INDEX/CI_NODE_TOTAL, else 1/1)",
    )
    parser.add_argument(
        "--max-llm-calls",
        type=positive,
        metavar="N",
        help="stop drafting with the LLM after N calls this run",
    )
    parser.add_argument(
        "--max-llm-tokens",
        type=positive,
        metavar="N",
        help="stop drafting with the LLM after N tokens this run",
    )
    parser.add_argument(
        "--no-summary",
        action="store_true",
        help="do not write the weekly summary issue after --apply",
    )
    parser.add_argument(
        "--summary-file",
        type=Path,
        metavar="PATH",
        help="write the summary's Markdown here (for CI artifacts)",
    )
    parser.add_argument(
        "--full-read",
        dest="full_read_every",
        choices=("month", "week", "run"),
        default="month",
        metavar="EVERY",
        help="read every epic from GitLab on the first run of each month (default), week, "
        "or on every run; other runs read only epics changed since the last run and take "
        "the rest from --cache. A full read finds epics deleted or moved away",
    )
    parser.add_argument(
        "--prompts",
        type=Path,
        metavar="DIR",
        help="prompt folder (default: prompts/ beside the policies)",
    )
    parser.add_argument(
        "--lease-wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="with --apply, wait this long for another run writing to the same groups "
        "(default: 0, stop at once with nothing written)",
    )


def run(args: argparse.Namespace) -> int:
    # Imported here, not above: ``triage run --help`` needs none of the pipeline.
    from triage.pipeline.console import Console
    from triage.pipeline.weekly_run import run_triage
    from triage.summary.build import preview

    try:
        selected = args.shard or shard(default_shard())
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"CI_NODE_INDEX/CI_NODE_TOTAL: {exc}") from exc
    options = RunOptions(
        policies=args.policies,
        groups=args.group,
        apply=args.apply,
        now=args.now,
        concurrency=args.concurrency,
        shard=selected,
        cache=args.cache,
        prompts=args.prompts,
        max_llm_calls=args.max_llm_calls,
        max_llm_tokens=args.max_llm_tokens,
        summary=not args.no_summary,
        diff=args.diff,
        full_read_every=args.full_read_every,
        lease_wait=max(0.0, args.lease_wait),
    )
    console = Console(diff=args.diff)
    # SIGTERM as an exit: the run's lease is released and its cache closed, as on Ctrl-C
    report = until_terminated(lambda: run_triage(options, GitLabSettings.from_env, console))
    console.finish()
    try:
        if args.report:
            report.write(args.report)
        if args.summary_file:
            args.summary_file.write_text(preview(report.figures()))
        return report.exit_code
    finally:
        report.close()
