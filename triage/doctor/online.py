"""The names a policy set gives, checked against GitLab: groups, labels, the summary project.

A typo in ``objective_label`` or in a condition's label is valid YAML and passes the
schema, yet it scans nothing or never matches, and nobody notices for a week. Here each
name is looked up where the run will use it, and a name GitLab lacks comes with the
closest names it has. ``triage validate --online`` and ``triage doctor`` share these.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from triage.doctor.checks import Finding, Status
from triage.errors import GitLabError
from triage.gitlab import instance
from triage.gitlab.client import GitLab
from triage.gitlab.reads import NO_WORK_ITEM_EPICS, group_labels
from triage.policy.model import PolicySet

# Conditions whose value lists label names that must exist for the rule to ever match.
LABEL_CONDITIONS = ("labels", "forbidden_labels", "any_labels")
SCOPE_CONDITIONS = ("missing_scoped_labels",)


def closest(name: str, known: Iterable[str], count: int = 3) -> list[str]:
    """Up to ``count`` names of ``known`` nearest to ``name``, ignoring case."""
    by_lower: dict[str, str] = {}
    for option in known:
        by_lower.setdefault(option.lower(), option)
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=count, cutoff=0.6)
    return [by_lower[m] for m in matches]


def _closest_text(name: str, known: Iterable[str]) -> str:
    near = closest(name, known)
    return f" (closest: {', '.join(repr(n) for n in near)})" if near else ""


@dataclass(frozen=True)
class NamedLabel:
    """A label or scope a policy names, and where: for the message and the fix."""

    name: str
    where: str  # "sources.objective_label", "rule 'x' condition labels"
    scope: bool = False  # a scope ("UseCase"): some "UseCase::..." label must exist


def named_labels(policies: PolicySet) -> list[NamedLabel]:
    """Every label and scope the policies read, objective label first."""
    names = [NamedLabel(policies.sources.objective_label, "sources.objective_label")]
    for rule in policies.rules:
        for condition in rule.conditions:
            where = f"rule '{rule.name}', condition {condition.name}"
            if condition.name in LABEL_CONDITIONS:
                names += [NamedLabel(label, where) for label in condition.value]
            elif condition.name in SCOPE_CONDITIONS:
                names += [NamedLabel(scope, where, scope=True) for scope in condition.value]
    return names


@dataclass
class Lookups:
    """What GitLab was asked once per run of the checks: the visible groups."""

    gl: GitLab
    _groups: list[str] | None = field(default=None)

    def groups(self) -> list[str]:
        if self._groups is None:
            try:
                self._groups = instance.visible_groups(self.gl)
            except GitLabError:
                self._groups = []  # only for suggestions: their absence is no error
        return self._groups


def label_findings(group: str, known: Iterable[str], policies: PolicySet) -> Iterator[Finding]:
    """One FAIL per label or scope the policies read that ``group`` lacks, else one ok."""
    titles = list(known)
    scopes = sorted({t.rsplit("::", 1)[0] for t in titles if "::" in t})
    what = f"Labels the policies read in '{group}'"
    failed = False
    for named in named_labels(policies):
        if named.scope:
            if any(t.startswith(f"{named.name}::") for t in titles):
                continue
            detail = f"no label of the scope '{named.name}::' ({named.where})"
            detail += _closest_text(named.name, scopes)
        else:
            if named.name in titles:
                continue
            detail = f"label '{named.name}' does not exist ({named.where})"
            detail += _closest_text(named.name, titles)
        failed = True
        yield Finding(
            Status.FAIL,
            what,
            detail,
            "correct the name in the policies (labels are matched exactly, case included), "
            "or create the label in the group",
        )
    if not failed:
        yield Finding(Status.PASS, what, f"all {len(named_labels(policies))} exist")


def group_findings(
    gl: GitLab, group: str, policies: PolicySet, lookups: Lookups
) -> Iterator[Finding]:
    """The group exists, holds epics as work items, has objectives and every label read."""
    sources = policies.sources
    what = f"Group '{group}'"
    try:
        found = instance.probe_group(gl, group, sources.objective_label, sources.include_subgroups)
    except GitLabError as exc:
        yield Finding(Status.FAIL, what, str(exc))
        return
    if not found.exists:
        yield Finding(
            Status.FAIL,
            what,
            "does not exist or the token cannot see it" + _closest_text(group, lookups.groups()),
            "check sources.groups in the policies, and make the token's user a member",
        )
        return
    if not found.work_items:
        yield Finding(
            Status.FAIL,
            what,
            NO_WORK_ITEM_EPICS.format(group=group),
            "use GitLab Premium or Ultimate 17.7 or later (or the work_item_epics flag)",
        )
        return
    try:
        known = group_labels(gl, group)
    except GitLabError as exc:
        yield Finding(Status.FAIL, what, str(exc))
        return
    if found.objectives:
        yield Finding(
            Status.PASS,
            what,
            f"{found.objectives} open epic(s) with the label '{sources.objective_label}'",
        )
    elif sources.objective_label in known:
        yield Finding(
            Status.WARN,
            what,
            f"no open epic has the label '{sources.objective_label}' yet",
            "label the group's objective epics, or check sources.objective_label",
        )
    yield from label_findings(group, known, policies)


def summary_findings(gl: GitLab, policies: PolicySet) -> Iterator[Finding]:
    project = policies.summary.project
    if not project:
        return
    what = f"Summary project '{project}'"
    try:
        issues = instance.project_issues_enabled(gl, project)
    except GitLabError as exc:
        yield Finding(Status.FAIL, what, str(exc))
        return
    if issues is None:
        yield Finding(
            Status.FAIL,
            what,
            "does not exist or the token cannot see it",
            "check summary.project in the policies (the project's full path)",
        )
    elif not issues:
        yield Finding(Status.FAIL, what, "issues are turned off", "turn issues on")
    else:
        yield Finding(Status.PASS, what, "exists, with issues on")


def check_online(gl: GitLab, policies: PolicySet, groups: list[str]) -> Iterator[Finding]:
    """Every group, then the summary project: what ``triage validate --online`` prints.

    The token is asked for first: a refused token (``GitLabAuthError``) or no answer at
    all (``GitLabUnreachable``) ends the check with its own exit code, instead of one
    failure per group that would read as typos."""
    instance.current_user_id(gl)
    lookups = Lookups(gl)
    for group in groups:
        yield from group_findings(gl, group, policies, lookups)
    yield from summary_findings(gl, policies)
