"""Behaviours of a real GitLab the bot must survive, as the sandbox models them.

Each is modelled from GitLab's source, not from what the bot sends: ``workItems`` is null
without epics as work items (work_items_resolver.rb), the note-creation limit answers 200
with a top-level error (mutations/notes/create/base.rb), and creating a group label needs
the right to administer labels (GroupPolicy ``admin_label``).
"""

from __future__ import annotations

import requests

from tests.conftest import control
from tests.sandbox.queries import CREATE_NOTE

LIST = """query($path: ID!) { group(fullPath: $path) {
  workItems(types: [EPIC], first: 5) { nodes { id iid } } } }"""


def graphql(box, query: str, variables: dict | None = None) -> requests.Response:
    return requests.post(
        f"{box.url}/api/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {box.token}"},
        timeout=10,
    )


def test_a_group_without_work_item_epics_answers_work_items_null(make_sandbox):
    box = make_sandbox(no_work_item_epics=("globex",))
    off = graphql(box, LIST, {"path": "globex"}).json()
    assert off == {"data": {"group": {"workItems": None}}}
    on = graphql(box, LIST, {"path": "acme-corp"}).json()
    assert on["data"]["group"]["workItems"]["nodes"]


def test_notes_over_the_limit_get_gitlabs_200_with_a_top_level_error(make_sandbox):
    box = make_sandbox(note_limit=2, note_limit_window=3600)  # one window for the test
    epic = graphql(box, LIST, {"path": "acme-corp"}).json()["data"]["group"]["workItems"]
    epic = epic["nodes"][0]
    answers = [graphql(box, CREATE_NOTE, {"id": epic["id"], "body": f"note {n}"}) for n in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(a.json()["data"]["createNote"]["note"] for a in answers[:2])
    refused = answers[2].json()
    assert refused["data"] == {"createNote": None}
    assert refused["errors"][0]["message"] == (
        "This endpoint has been requested too many times. Try again later."
    )
    assert refused["errors"][0]["path"] == ["createNote"]
    bodies = [n["body"] for e in control(box, "state")["epics"] for n in e["notes"]]
    assert "note 2" not in bodies  # nothing was saved
    assert control(box, "stats")["notes_limited"] == 1


def test_label_creation_is_refused_where_the_token_may_not_administer_labels(make_sandbox):
    box = make_sandbox(label_admin_denied=("acme-corp",))
    headers = {"PRIVATE-TOKEN": box.token}
    body = {"name": "New label", "color": "#6699CC"}
    refused = requests.post(
        f"{box.url}/api/v4/groups/acme-corp/labels", json=body, headers=headers, timeout=10
    )
    assert (refused.status_code, refused.json()) == (403, {"message": "403 Forbidden"})
    allowed = requests.post(
        f"{box.url}/api/v4/groups/globex/labels", json=body, headers=headers, timeout=10
    )
    assert allowed.status_code == 201


def test_a_lost_answer_comes_after_the_write_was_saved(make_sandbox):
    box = make_sandbox(lost_answers=("POST /projects/:id/issues",))
    url = f"{box.url}/api/v4/projects/cs-ops%2Ftriage-reports/issues"
    headers = {"PRIVATE-TOKEN": box.token}
    first = requests.post(url, json={"title": "Once"}, headers=headers, timeout=10)
    second = requests.post(url, json={"title": "Twice"}, headers=headers, timeout=10)
    assert (first.status_code, second.status_code) == (502, 201)
    titles = [i["title"] for i in requests.get(url, headers=headers, timeout=10).json()]
    assert "Once" in titles and "Twice" in titles
