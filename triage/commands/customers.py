"""Reading each customer's objectives for the commands that hand them outside GitLab
(``plan-report``, ``export gainsight``): the same groups, policies and page query as a
weekly run, with no note read and nothing written."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from triage.commands.options import add_policies
from triage.errors import GitLabError, UsageError
from triage.gitlab.client import GitLab
from triage.gitlab.reads import epic_pages, group_info
from triage.pipeline.options import top_groups
from triage.policy.model import PolicySet
from triage.records import Epic


@dataclass(frozen=True)
class Customer:
    group: str
    name: str
    url: str
    error: str | None = None  # why the group cannot be read; the others still are


def configure(parser: argparse.ArgumentParser) -> None:
    add_policies(parser)
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="PATH",
        help="this customer group instead of the policies' groups (repeatable)",
    )
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
