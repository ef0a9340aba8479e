"""Display names as GitLab gives them: a namespace's full name joins its ancestors' names
with " / " (Routable#full_name), users carry their name beside their username."""

from __future__ import annotations

import gitlab

from triage.gitlab.queries import EPICS_PAGE
from triage.gitlab.reads import epic_from_node


def test_epics_carry_the_groups_full_name_and_the_peoples_names(gq: gitlab.GraphQL) -> None:
    page = gq.execute(
        EPICS_PAGE,
        variable_values={"path": "acme-corp", "labels": ["SP Objective"], "descendants": True},
    )
    nodes = {n["reference"]: n for n in page["group"]["workItems"]["nodes"]}
    emea = nodes["acme-corp/emea&1"]
    assert emea["namespace"] == {
        "fullPath": "acme-corp/emea",
        "fullName": "Acme Corp / EMEA business unit",
    }
    epic = epic_from_node(emea)
    assert epic.group_name == "Acme Corp / EMEA business unit"
    assert dict(epic.people)["csm.emea"] == "CSM EMEA"
    assert epic_from_node(nodes["acme-corp&2"]).group_name == "Acme Corp"
