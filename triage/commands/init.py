"""Write a starter policy set (policies/ and prompts/) into a project, to edit from there.

The files are the default set, which encodes GitLab's success-plan handbook; only the
groups and the summary project need changing. Existing files are kept unless --force.

Without --group, and with GITLAB_URL and GITLAB_TOKEN set, the groups are those the token
can see that hold open epics with the objective label; otherwise settings.yml gets
`groups: []`, which `triage validate` reports as the one thing left to fill in.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import yaml

from triage.commands.options import add_directory, add_groups
from triage.errors import EXIT_OK, GitLabAuthError, GitLabError, UsageError
from triage.settings import GitLabSettings


def configure(parser: argparse.ArgumentParser) -> None:
    add_directory(parser)
    add_groups(parser, "a success-plan group to scan (repeatable)")
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


def _groups_from_gitlab(settings: Path) -> list[str]:
    """The groups with objective epics the token can see, said as they are found; none
    when GitLab is not configured or not reachable (the user then names them)."""
    if not (os.environ.get("GITLAB_URL") or os.environ.get("CI_SERVER_URL")) or not (
        os.environ.get("GITLAB_TOKEN")
    ):
        print(
            "groups: none written; set GITLAB_URL and GITLAB_TOKEN and run `triage init "
            "--force` to list those your token can see, or pass --group",
            file=sys.stderr,
        )
        return []
    # Imported here: the GitLab clients are heavy, and an init with --group needs none.
    from triage.doctor.discover import objective_groups
    from triage.gitlab.client import GitLab

    label = str(yaml.safe_load(settings.read_text())["sources"]["objective_label"])
    gl = GitLab(GitLabSettings.from_env(os.environ))
    try:
        found = objective_groups(gl, label)
    except (GitLabError, GitLabAuthError) as exc:
        print(f"groups: none written: {exc}", file=sys.stderr)
        return []
    finally:
        gl.close()
    if not found:
        print(
            f"groups: none written: no group your token can see at {gl.settings.url} has "
            f"an open epic with the label '{label}'",
            file=sys.stderr,
        )
        return []
    for group in found:
        print(f"group {group.path}: {group.objectives} open epic(s) labelled '{label}'")
    return [group.path for group in found]


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
        groups = args.group or _groups_from_gitlab(settings)
        _customise(settings, groups, args.summary_project)
    for path in written:
        print(f"wrote {path}")
    print(
        "next: check sources.groups and set summary.project in policies/settings.yml, then "
        "run `triage validate --online` and `triage run` (a dry-run)"
    )
    return EXIT_OK
