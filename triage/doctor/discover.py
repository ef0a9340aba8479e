"""Find the success-plan groups a token can see: those holding epics with the objective
label. ``triage init`` starts a policy set from them instead of from example names."""

from __future__ import annotations

from dataclasses import dataclass

from triage.errors import GitLabError
from triage.gitlab import instance
from triage.gitlab.client import GitLab


@dataclass(frozen=True)
class FoundGroup:
    path: str
    objectives: int  # open epics with the objective label, subgroups' included


def objective_groups(gl: GitLab, objective_label: str) -> list[FoundGroup]:
    """The groups the token's user is a member of that hold open epics with the label.

    A group listed with its parent is dropped: the parent's scan includes its subgroups
    (``include_subgroups: true``, the default), and scanning both would read it twice.
    A group GitLab fails on is skipped: this only proposes a start."""
    found: list[FoundGroup] = []
    for path in instance.visible_groups(gl):
        if any(path.startswith(f"{parent.path}/") for parent in found):
            continue  # sorted by path: its parent came first and covers it
        try:
            probe = instance.probe_group(gl, path, objective_label, descendants=True)
        except GitLabError:
            continue
        if probe.objectives:
            found.append(FoundGroup(path, probe.objectives))
    return found
