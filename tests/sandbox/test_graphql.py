"""The sandbox's GraphQL API, driven through python-gitlab's own GraphQL client."""

from __future__ import annotations

from typing import Any

import gitlab
import pytest
import requests
from gitlab_sandbox import Sandbox
from gql.transport.exceptions import TransportQueryError

from tests.conftest import control
from tests.sandbox.queries import (
    CREATE_NOTE,
    EPICS,
    LABELS,
    UPDATE_LABELS,
    UPDATE_NOTE,
    epic_by_reference,
    widget,
)

WIDGETS = {
    "WorkItemWidgetDescription",
    "WorkItemWidgetLabels",
    "WorkItemWidgetAssignees",
    "WorkItemWidgetStartAndDueDate",
    "WorkItemWidgetHierarchy",
    "WorkItemWidgetNotes",
}


def epics(gq: gitlab.GraphQL, path: str, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = gq.execute(EPICS, variable_values={"path": path, **variables})
    return result["group"]["workItems"]


def load_epics(box: Sandbox, group: str, count: int) -> None:
    control(
        box,
        "load",
        {
            "groups": [{"full_path": group}],
            "epics": [
                {
                    "group": group,
                    "title": f"Objective {n}",
                    "labels": ["SP Objective"],
                    "updated_at": f"2026-10-01T{n // 60:02d}:{n % 60:02d}:00Z",
                }
                for n in range(count)
            ],
        },
    )


def test_the_documented_epics_query_returns_demo_epics_with_their_widgets(gq):
    page = epics(gq, "acme-corp")
    references = {node["reference"] for node in page["nodes"]}
    assert references == {
        "acme-corp&1",
        "acme-corp&2",
        "acme-corp&3",
        "acme-corp&4",
        "acme-corp&5",
        "acme-corp/emea&1",
        "acme-corp/emea&2",
    }
    assert page["count"] == 7
    assert page["pageInfo"]["hasNextPage"] is False
    epic = epic_by_reference(page["nodes"], "acme-corp&1")
    assert {w["__typename"] for w in epic["widgets"]} == WIDGETS
    assert epic["id"].startswith("gid://gitlab/WorkItem/")
    assert epic["workItemType"]["name"] == "Epic"
    assert epic["webUrl"].endswith("/groups/acme-corp/-/epics/1")
    assert "## Success Criteria" in widget(epic, "WorkItemWidgetDescription")["description"]
    labels = {n["title"] for n in widget(epic, "WorkItemWidgetLabels")["labels"]["nodes"]}
    assert "Verifiable Outcome::Accepted" in labels
    assignees = widget(epic, "WorkItemWidgetAssignees")["assignees"]["nodes"]
    assert [a["username"] for a in assignees] == ["csm.north"]
    assert widget(epic, "WorkItemWidgetStartAndDueDate")["dueDate"] == "2027-03-31"
    children = widget(epic, "WorkItemWidgetHierarchy")["children"]["nodes"]
    assert [c["workItemType"]["name"] for c in children] == ["Issue", "Issue", "Issue"]
    discussions = widget(epic, "WorkItemWidgetNotes")["discussions"]["nodes"]
    assert [d["notes"]["nodes"][0]["author"]["username"] for d in discussions] == [
        "acme.platform-lead"
    ]


def test_confidential_and_closed_epics_are_reported_as_gitlab_does(gq):
    nodes = epics(gq, "acme-corp")["nodes"]
    assert epic_by_reference(nodes, "acme-corp&5")["confidential"] is True
    globex = {n["reference"] for n in epics(gq, "globex")["nodes"]}
    assert "globex&5" not in globex  # closed, and the query asks for state: opened


def test_include_descendants_defaults_to_false_like_gitlab(gq):
    query = EPICS.replace("includeDescendants: $descendants, ", "").replace(
        "$descendants: Boolean = true,", ""
    )
    result = gq.execute(query, variable_values={"path": "acme-corp"})
    references = {n["reference"] for n in result["group"]["workItems"]["nodes"]}
    assert references and all(not r.startswith("acme-corp/emea") for r in references)


def test_cursor_pagination_gives_every_epic_once_in_pages_of_at_most_100(make_sandbox, graphql_for):
    box = make_sandbox("empty")
    load_epics(box, "big-customer", 230)
    client = graphql_for(box)
    seen: list[str] = []
    sizes = []
    cursor = None
    while True:
        page = epics(client, "big-customer", cursor=cursor, first=500)
        sizes.append(len(page["nodes"]))
        seen += [n["iid"] for n in page["nodes"]]
        assert page["count"] == 230
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert sizes == [100, 100, 30]  # first: 500 is clamped to GitLab's maximum of 100
    assert sorted(seen, key=int) == [str(n) for n in range(1, 231)]


def test_keyset_cursors_move_updated_epics_as_gitlab_does(make_sandbox, graphql_for):
    """Commenting while paging: safe with UPDATED_DESC, duplicates with UPDATED_ASC."""
    for sort, expect_duplicates in (("UPDATED_DESC", False), ("UPDATED_ASC", True)):
        box = make_sandbox("empty")
        load_epics(box, "paging", 150)
        client = graphql_for(box)
        first = epics(client, "paging", sort=sort)
        for node in first["nodes"][:5]:
            client.execute(CREATE_NOTE, variable_values={"id": node["id"], "body": "seen"})
        rest = epics(client, "paging", sort=sort, cursor=first["pageInfo"]["endCursor"])
        first_ids = {n["id"] for n in first["nodes"]}
        again = [n["id"] for n in rest["nodes"] if n["id"] in first_ids]
        assert bool(again) is expect_duplicates, sort


def test_a_field_gitlab_does_not_have_fails_with_200_and_errors(sandbox, gq):
    query = '{ group(fullPath: "acme-corp") { workItems { nodes { bogusField } } } }'
    response = requests.post(
        f"{sandbox.url}/api/graphql",
        json={"query": query},
        headers={"PRIVATE-TOKEN": sandbox.token},
        timeout=10,
    )
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"] == "Field 'bogusField' doesn't exist on type 'WorkItem'"
    assert body["errors"][0]["extensions"] == {
        "code": "undefinedField",
        "typeName": "WorkItem",
        "fieldName": "bogusField",
    }
    assert body["errors"][0]["path"] == ["query", "group", "workItems", "nodes", "bogusField"]
    with pytest.raises(TransportQueryError, match="doesn't exist on type 'WorkItem'"):
        gq.execute(query)


def test_wrong_token_is_401_and_no_token_sees_no_private_group(sandbox, graphql_for):
    wrong = requests.post(
        f"{sandbox.url}/api/graphql",
        json={"query": EPICS, "variables": {"path": "acme-corp"}},
        headers={"Authorization": "Bearer wrong"},
        timeout=10,
    )
    assert wrong.status_code == 401
    assert wrong.json() == {"errors": [{"message": "Invalid token"}]}
    # GitLab's 401 carries a GraphQL body, so gql reports it as a query error rather than
    # an HTTP error: the bot has to recognise "Invalid token" itself.
    with pytest.raises(TransportQueryError, match="Invalid token"):
        graphql_for(sandbox, "wrong").execute(EPICS, variable_values={"path": "x"})
    response = requests.post(
        f"{sandbox.url}/api/graphql",
        json={"query": EPICS, "variables": {"path": "acme-corp"}},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"group": None}}


def test_label_ids_are_looked_up_once_per_hierarchy(gq):
    result = gq.execute(LABELS, variable_values={"path": "acme-corp/emea", "term": "Verifiable"})
    labels = result["group"]["labels"]
    assert labels["count"] == 4
    assert all(n["id"].startswith("gid://gitlab/GroupLabel/") for n in labels["nodes"])


def label_ids(gq: gitlab.GraphQL, *titles: str) -> list[str]:
    nodes = gq.execute(LABELS, variable_values={"path": "acme-corp"})["group"]["labels"]["nodes"]
    by_title = {n["title"]: n["id"] for n in nodes}
    return [by_title[t] for t in titles]


def test_scoped_labels_are_exclusive_and_leave_system_notes(sandbox, gq):
    epic = epic_by_reference(epics(gq, "acme-corp")["nodes"], "acme-corp&1")
    result = gq.execute(
        UPDATE_LABELS,
        variable_values={"id": epic["id"], "add": label_ids(gq, "Verifiable Outcome::Delivered")},
    )
    payload = result["workItemUpdate"]
    assert payload["errors"] == []
    titles = {
        n["title"] for n in widget(payload["workItem"], "WorkItemWidgetLabels")["labels"]["nodes"]
    }
    assert "Verifiable Outcome::Delivered" in titles
    assert "Verifiable Outcome::Accepted" not in titles
    state = control(sandbox, "state")
    saved = next(e for e in state["epics"] if e["group"] == "acme-corp" and e["iid"] == 1)
    assert saved["notes"][-1]["system"] is True
    # comments-only reads do not see the system note
    again = epic_by_reference(epics(gq, "acme-corp")["nodes"], "acme-corp&1")
    assert len(widget(again, "WorkItemWidgetNotes")["discussions"]["nodes"]) == 1


def test_notes_are_created_updated_and_touch_the_epic(sandbox, gq):
    epic = epic_by_reference(epics(gq, "globex")["nodes"], "globex&2")
    created = gq.execute(CREATE_NOTE, variable_values={"id": epic["id"], "body": "First draft"})
    note = created["createNote"]["note"]
    assert created["createNote"]["errors"] == []
    assert note["id"].startswith("gid://gitlab/Note/")
    updated = gq.execute(UPDATE_NOTE, variable_values={"id": note["id"], "body": "Second draft"})
    assert updated["updateNote"]["note"]["body"] == "Second draft"
    after = epic_by_reference(epics(gq, "globex")["nodes"], "globex&2")
    assert after["updatedAt"] > epic["updatedAt"]
    bodies = [
        d["notes"]["nodes"][0]["body"]
        for d in widget(after, "WorkItemWidgetNotes")["discussions"]["nodes"]
    ]
    assert bodies == ["Second draft"]
    assert control(sandbox, "stats")["writes"] == 2


def test_mutation_failures_come_back_in_errors_or_as_graphql_errors(gq):
    epic = epics(gq, "initech")["nodes"][0]
    blank = gq.execute(CREATE_NOTE, variable_values={"id": epic["id"], "body": "   "})
    assert blank["createNote"] == {
        "note": None,
        "errors": ["Note can't be blank"],
        "quickActionsStatus": None,
    }
    with pytest.raises(TransportQueryError, match="is not a valid GitLab ID"):
        gq.execute(CREATE_NOTE, variable_values={"id": "42", "body": "hello"})
    with pytest.raises(TransportQueryError, match="does not exist or you don't have permission"):
        gq.execute(CREATE_NOTE, variable_values={"id": "gid://gitlab/WorkItem/999999", "body": "x"})


def test_only_the_author_may_edit_a_note(gq):
    epic = epic_by_reference(epics(gq, "acme-corp")["nodes"], "acme-corp&1")
    theirs = widget(epic, "WorkItemWidgetNotes")["discussions"]["nodes"][0]["notes"]["nodes"][0]
    with pytest.raises(TransportQueryError, match="don't have permission"):
        gq.execute(UPDATE_NOTE, variable_values={"id": theirs["id"], "body": "rewritten"})
