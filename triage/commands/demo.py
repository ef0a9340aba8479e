"""Show a full weekly triage against the bundled sandbox, start to finish.

Starts the sandbox with the demo success plans, runs `triage run --apply` with the policies
in policies/, prints what it found and wrote on each epic, runs again to show that an
unchanged week writes nothing, and writes the JSON report.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage.commands import sandbox_extra
from triage.commands.export import export_gainsight
from triage.commands.options import add_policies
from triage.commands.plan_report import write_reports
from triage.errors import EXIT_OK
from triage.gitlab.client import GitLab
from triage.outputs.site import slug
from triage.pipeline.console import Console
from triage.pipeline.options import RunOptions, top_groups
from triage.pipeline.weekly_run import run_triage
from triage.policy.loader import load_policies
from triage.report import RunReport
from triage.settings import GitLabSettings, Secret
from triage.smart.findings import ELEMENTS, FINDING_KINDS

if TYPE_CHECKING:
    from gitlab_sandbox import Sandbox


def configure(parser: argparse.ArgumentParser) -> None:
    add_policies(parser, "policy folder (default: policies/)")
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("demo-report.json"),
        metavar="PATH",
        help="where to write the report (default: demo-report.json)",
    )
    parser.add_argument(
        "--plans",
        type=Path,
        default=Path("demo-plan-report"),
        metavar="DIR",
        help="where to write the customers' success-plan reports (default: demo-plan-report/)",
    )
    parser.add_argument(
        "--gainsight",
        type=Path,
        default=Path("demo-gainsight"),
        metavar="DIR",
        help="where to write the Gainsight export (default: demo-gainsight/)",
    )
    parser.add_argument(
        "--serve", action="store_true", help="keep the sandbox running afterwards, to look around"
    )


def _stats(sandbox: Sandbox) -> dict[str, Any]:
    with urllib.request.urlopen(f"{sandbox.url}/-/sandbox/stats") as response:
        data: dict[str, Any] = json.load(response)
    return data


def _reset_stats(sandbox: Sandbox) -> None:
    request = urllib.request.Request(
        f"{sandbox.url}/-/sandbox/reset",
        data=b'{"stats_only": true}',
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request).close()


def _issue_description(sandbox: Sandbox, url: str) -> str:
    with urllib.request.urlopen(f"{sandbox.url}/-/sandbox/state") as response:
        state = json.load(response)
    project, _, iid = url.partition("/-/issues/")
    path = project.removeprefix(sandbox.url + "/")
    issue = next(i for i in state["issues"] if i["project"] == path and str(i["iid"]) == iid)
    description: str = issue["description"]
    return description


def describe(report: RunReport) -> str:
    """Per epic: what is missing and what the bot wrote, as a CSM would want to read it."""
    lines = []
    for epic in sorted(report.iter_epics(), key=lambda e: e.reference):
        title = "(confidential)" if epic.confidential else epic.title
        lines.append(f"{epic.reference}  {title}")
        if epic.skipped:
            lines.append(f"    skipped: {epic.skipped}")
            continue
        missing = [m.replace("_", " ") for m in epic.missing]
        lines.append(
            f"    SMART: {len(ELEMENTS) - len(missing)}/{len(ELEMENTS)}"
            + (f", missing {', '.join(missing)}" if missing else ", complete")
        )
        other = [
            FINDING_KINDS[f].message.split(":")[0]
            for f in epic.findings
            if FINDING_KINDS[f].element is None
        ]
        if other:
            lines.append(f"    also: {'; '.join(other)}")
        if epic.sections:
            lines.append(f"    note sections: {', '.join(epic.sections)}")
        for write in epic.writes:
            lines.append(f"    {write.status}: {write.detail}")
        if epic.error:
            lines.append(f"    FAILED: {epic.error}")
    return "\n".join(lines)


def _plans_and_export(args: argparse.Namespace, settings: GitLabSettings) -> None:
    """The customers' success-plan reports and the Gainsight export, as a CSM hands them
    on, and where to open them."""
    policies = load_policies([args.policies])
    groups = top_groups(list(policies.sources.groups), policies.sources.include_subgroups)
    today = datetime.now(UTC).date()
    gl = GitLab(settings)
    quiet = io.StringIO()
    try:
        # The demo's plans are dated anew on every start, so an earlier demo's snapshot
        # would show every date as changed: each demo report is a first report.
        with tempfile.TemporaryDirectory() as nothing_before:
            plans, _ = write_reports(
                gl,
                groups,
                policies,
                args.plans,
                today=today,
                previous=Path(nothing_before),
                out=quiet,
            )
        rows, _ = export_gainsight(gl, groups, policies, args.gainsight, today=today, out=quiet)
    finally:
        gl.close()
    print("\nSuccess-plan reports (triage plan-report), to open in a browser:")
    for plan in plans:
        page = (args.plans / slug(plan.group) / "index.html").resolve()
        print(
            f"  {plan.name}: {len(plan.objectives)} objectives, "
            f"{len(plan.initiatives)} initiative{'' if len(plan.initiatives) == 1 else 's'}: "
            f"{page.as_uri()}"
        )
    print(f"  all customers: {(args.plans / 'index.html').resolve().as_uri()}")
    print(f"  the same as Markdown: {args.plans}/<customer>/plan.md")
    tasks = sum(len(row.tasks) for row in rows)
    print(
        f"Gainsight export (triage export gainsight): {len(rows)} objectives, {tasks} tasks: "
        f"{args.gainsight / 'gainsight-objectives.csv'}, "
        f"{args.gainsight / 'gainsight-tasks.csv'}, {args.gainsight / 'gainsight.json'}"
    )


def run(args: argparse.Namespace) -> int:
    sandbox = sandbox_extra.load().Sandbox(seed="demo").start()
    settings = GitLabSettings(
        url=sandbox.url,
        token=Secret(sandbox.token),
        notes_per_minute=6000,
        requests_per_minute=60000,
    )
    print(f"Sandbox with the demo success plans: {sandbox.url}\n")
    with tempfile.TemporaryDirectory() as scratch:
        options = RunOptions(policies=args.policies, apply=True, cache=Path(scratch) / "cache.db")
        quiet = Console(out=io.StringIO(), err=io.StringIO())
        report = run_triage(options, lambda: settings, quiet)
        first = _stats(sandbox)
        print("First weekly run (triage run --apply):\n")
        print(describe(report))
        c = report.counts
        print(
            f"\n{c['fetched']} objective epics scanned, {c['matched']} need attention, "
            f"{c['skipped']} opted out; {first['writes']} writes, "
            f"{first['requests']} GitLab requests, {first['notifications']} notifications, "
            f"{first['quick_actions_executed']} quick actions run."
        )
        _reset_stats(sandbox)
        run_triage(options, lambda: settings, quiet).close()
        second = _stats(sandbox)
        print(
            f"Second run on unchanged data: {second['writes']} writes, "
            f"{second['requests']} GitLab requests."
        )
    report.write(args.report)
    report.close()
    summary = report.summary or {}
    if summary.get("url"):
        print(f"\nThe weekly summary issue for managers ({summary['url']}):\n")
        print(_issue_description(sandbox, summary["url"]))
    print(f"\nReport: {args.report}")
    _plans_and_export(args, settings)
    if args.serve:
        print(
            f"\nThe sandbox keeps running at {sandbox.url} (token {sandbox.token}); "
            "Ctrl-C stops it. Its state: "
            f"{sandbox.url}/-/sandbox/state"
        )
        with contextlib.suppress(KeyboardInterrupt):
            sandbox.serve_forever_in_foreground()
    sandbox.stop()
    return EXIT_OK
