"""Reading each customer's objectives for the commands that hand them outside GitLab
(``plan-report``, ``export gainsight``): the same groups, policies and page query as a
weekly run, with no note read and nothing written."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from triage.commands.options import add_groups, add_policies
from triage.errors import EXIT_OK, EXIT_PARTIAL, GitLabError, UsageError
from triage.gitlab.client import GitLab
from triage.gitlab.reads import epic_pages, group_info
from triage.pipeline.options import top_groups
from triage.policy.loader import load_policies
from triage.policy.model import PolicySet
from triage.records import Epic
from triage.settings import GitLabSettings


@dataclass(frozen=True)
class Customer:
    group: str
    name: str
    url: str
    error: str | None = None  # why the group cannot be read; the others still are


def configure(parser: argparse.ArgumentParser) -> None:
    add_policies(parser)
    add_groups(parser, "this customer group instead of the policies' groups (repeatable)")
    parser.add_argument(
        "--include-confidential",
        action="store_true",
        help="also show confidential objectives and initiatives (default: left out)",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="DATE",
        help="the date the output is made as of (default: today, UTC)",
    )


def today(args: argparse.Namespace) -> date:
    chosen: date | None = args.today
    return chosen or datetime.now(UTC).date()


Write = Callable[[GitLab, list[str], PolicySet], tuple[object, int]]


def run_with_gitlab(args: argparse.Namespace, write: Write) -> int:
    """Load the policies, name the customer groups and hand both, with a GitLab client,
    to ``write``, which returns what it wrote and how many customers it could not read:
    exit 1 when any, as a weekly run with failed groups does."""
    policies = load_policies([args.policies])
    chosen = groups(args, policies)
    gl = GitLab(GitLabSettings.from_env())
    try:
        _written, failed = write(gl, chosen, policies)
    finally:
        gl.close()
    return EXIT_PARTIAL if failed else EXIT_OK


def groups(args: argparse.Namespace, policies: PolicySet) -> list[str]:
    chosen = list(args.group) or list(policies.sources.groups)
    if not chosen:
        raise UsageError("no customer groups: list them in sources.groups or pass --group")
    return top_groups(chosen, policies.sources.include_subgroups)


def customers(
    gl: GitLab, groups: list[str], policies: PolicySet
) -> Iterator[tuple[Customer, Iterator[list[Epic]]]]:
    """Each customer group with its open objectives, page by page."""
    for group in groups:
        try:
            name, url = group_info(gl, group)
        except GitLabError as exc:
            yield Customer(group, group, "", str(exc)), iter(())
            continue
        pages = epic_pages(
            gl, group, policies.sources.objective_label, policies.sources.include_subgroups
        )
        yield Customer(group, name, url), pages


def objectives(pages: Iterator[list[Epic]], policies: PolicySet) -> Iterator[list[Epic]]:
    """The pages without epics the policies exclude (the opt-out label)."""
    excluded = set(policies.sources.exclude_labels)
    for page in pages:
        yield [epic for epic in page if not excluded & set(epic.labels)]
