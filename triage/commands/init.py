"""Write a starter policy set (policies/ and prompts/) into a project, to edit from there.

The files are the default set, which encodes GitLab's success-plan handbook; only the
groups and the summary project need changing. Existing files are kept unless --force.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from triage.commands.options import add_directory
from triage.errors import EXIT_OK, UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    add_directory(parser)
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="PATH",
        help="a success-plan group to scan (repeatable)",
    )
    parser.add_argument(
        "--summary-project", metavar="PATH", help="project for the weekly summary issue"
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing files")


def _copy(source: Traversable, target: Path, force: bool, written: list[Path]) -> None:
    for entry in source.iterdir():
        if entry.name.startswith(("_", ".")):
            continue
        destination = target / entry.name
        if entry.is_dir():
            _copy(entry, destination, force, written)
            continue
        if destination.exists() and not force:
            print(f"kept {destination} (exists; --force overwrites)", file=sys.stderr)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(entry.read_bytes())
        written.append(destination)


def _customise(settings: Path, groups: list[str], project: str | None) -> None:
    """The user's groups and summary project, or none: the defaults' are the demo's, and
    a run must not scan or write to groups the user never named."""
    text = settings.read_text()
    listed = (
        f"[{', '.join(groups)}]"
        if groups
        else "[]  # your success-plan groups, e.g. [customers] (or triage run --group)"
    )
    text = re.sub(r"(?m)^  groups: \[.*\]$", f"  groups: {listed}", text)
    summary = (
        f"  project: {project}"
        if project
        else "  # project: group/project  (where the weekly summary issue goes; unset: none)"
    )
    text = re.sub(r"(?m)^  project: .*$", summary, text)
    settings.write_text(text)


def run(args: argparse.Namespace) -> int:
    target: Path = args.directory
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is not a folder")
    defaults = resources.files("triage.defaults")
    written: list[Path] = []
    for folder in ("policies", "prompts"):
        _copy(defaults / folder, target / folder, args.force, written)
    settings = target / "policies" / "settings.yml"
    if settings in written:
        _customise(settings, args.group, args.summary_project)
    for path in written:
        print(f"wrote {path}")
    print(
        "next: set sources.groups and summary.project in policies/settings.yml, then run "
        "`triage validate` and `triage run` (a dry-run)"
    )
    return EXIT_OK
