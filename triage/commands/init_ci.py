"""Add the weekly triage to a project's GitLab CI: policy checks, a plan, the schedule.

Writes .gitlab/ci/smart-triage.yml (the CI/CD component) and a .gitlab-ci.yml that
includes it; with --component, includes the component from the CI/CD catalog instead. An
existing .gitlab-ci.yml is left alone: the include to add is printed.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from triage.commands.options import add_directory
from triage.errors import EXIT_OK

HEADER = """\
# Weekly success-plan triage with smart-triage.
# Needs a GITLAB_TOKEN CI/CD variable (masked, protected): a group access token or bot user
# token with the api scope. Then add a pipeline schedule (Build > Pipeline schedules).
"""


def configure(parser: argparse.ArgumentParser) -> None:
    add_directory(parser)
    parser.add_argument(
        "--component",
        metavar="REF",
        help="include from the catalog, as in "
        "$CI_SERVER_FQDN/<group>/<project>/weekly-triage@1.0.0",
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing files")


def include_block(args: argparse.Namespace) -> str:
    if args.component:
        return f"include:\n  - component: {args.component}\n"
    return "include:\n  - local: .gitlab/ci/smart-triage.yml\n"


def run(args: argparse.Namespace) -> int:
    root: Path = args.directory
    if not args.component:
        component = root / ".gitlab" / "ci" / "smart-triage.yml"
        if component.exists() and not args.force:
            print(f"kept {component} (exists; --force overwrites)")
        else:
            component.parent.mkdir(parents=True, exist_ok=True)
            source = resources.files("triage.defaults") / "ci" / "weekly-triage.yml"
            component.write_text(source.read_text())
            print(f"wrote {component}")
    pipeline = root / ".gitlab-ci.yml"
    if pipeline.exists() and not args.force:
        print(f"kept {pipeline} (exists); add this to it:\n\n{include_block(args)}")
    else:
        pipeline.write_text(HEADER + "stages: [test, deploy]\n\n" + include_block(args))
        print(f"wrote {pipeline}")
    return EXIT_OK
