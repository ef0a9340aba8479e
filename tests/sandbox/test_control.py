"""The control routes tests and benchmarks use: stats, state, load and reset."""

from __future__ import annotations

import jsonschema
import requests
from gitlab_sandbox.shape import shape_schema

from tests.conftest import control
from tests.sandbox.queries import CREATE_NOTE, EPICS

NEW_CUSTOMER = {
    "groups": [{"full_path": "hooli", "name": "Hooli", "members": ["csm.west"]}],
    "projects": [{"path_with_namespace": "hooli/success-plan"}],
    "issues": [{"project": "hooli/success-plan", "title": "Pilot with two teams"}],
    "epics": [
        {
            "group": "hooli",
            "title": "Adopt merge trains",
            "labels": ["SP Objective", "Verifiable Outcome::Proposed"],
            "assignees": ["csm.west"],
            "due_date": "2027-02-01",
            "children": ["hooli/success-plan#1"],
            "notes": [{"author": "csm.west", "body": "Kick-off done."}],
        }
    ],
}


def test_stats_count_requests_reads_writes_and_routes(sandbox, gl, gq):
    gl.groups.get("globex")
    epic = gq.execute(EPICS, variable_values={"path": "globex"})["group"]["workItems"]["nodes"][0]
    gq.execute(CREATE_NOTE, variable_values={"id": epic["id"], "body": "hello"})
    stats = control(sandbox, "stats")
    assert (stats["requests"], stats["reads"], stats["writes"]) == (3, 2, 1)
    assert stats["routes"] == {
        "GET /groups/:id": 1,
        "graphql mutation": 1,
        "graphql query": 1,
    }
    assert control(sandbox, "stats")["requests"] == 3  # control routes are not counted


def test_state_lists_everything_in_the_documented_shape(sandbox):
    state = control(sandbox, "state")
    jsonschema.validate(state, shape_schema())
    assert len(state["epics"]) == 16
    assert len(state["groups"]) == 5
    confidential = [e["title"] for e in state["epics"] if e["confidential"]]
    assert confidential == ["Reduce audit findings before the SOX review"]
    epic = next(e for e in state["epics"] if e["group"] == "acme-corp" and e["iid"] == 1)
    assert epic["children"] == [
        "acme-corp/success-plan#1",
        "acme-corp/success-plan#2",
        "acme-corp/success-plan#5",
    ]
    assert epic["assignees"] == ["csm.north"]
    assert epic["due_date"] == "2027-03-31"


def test_loaded_data_is_served_by_the_api(sandbox, gq):
    assert control(sandbox, "load", NEW_CUSTOMER)["added"]["epics"] == 1
    nodes = gq.execute(EPICS, variable_values={"path": "hooli"})["group"]["workItems"]["nodes"]
    assert [n["title"] for n in nodes] == ["Adopt merge trains"]
    assert nodes[0]["reference"] == "hooli&1"


def test_bad_load_data_is_refused_whole_with_the_place_of_the_mistake(sandbox):
    bad = {**NEW_CUSTOMER, "epics": [{"group": "hooli", "title": "x", "state": "archived"}]}
    response = requests.post(f"{sandbox.url}/-/sandbox/load", json=bad, timeout=10)
    assert response.status_code == 400
    assert response.json()["message"].startswith("epics/0/state:")
    groups = [g["full_path"] for g in control(sandbox, "state")["groups"]]
    assert "hooli" not in groups
    taken = {"epics": [{"group": "globex", "iid": 1, "title": "duplicate"}]}
    response = requests.post(f"{sandbox.url}/-/sandbox/load", json=taken, timeout=10)
    assert response.status_code == 400
    assert "iid 1 already exists" in response.json()["message"]


def test_state_loads_back_into_an_empty_sandbox(sandbox, make_sandbox):
    state = control(sandbox, "state")
    empty = make_sandbox("empty")
    control(empty, "load", state)
    copy = control(empty, "state")
    assert [(e["group"], e["iid"], e["title"], e["labels"]) for e in copy["epics"]] == [
        (e["group"], e["iid"], e["title"], e["labels"]) for e in state["epics"]
    ]
    assert [len(e["notes"]) for e in copy["epics"]] == [len(e["notes"]) for e in state["epics"]]


def test_reset_clears_counters_and_optionally_data(sandbox, gl):
    gl.groups.get("globex")
    kept = control(sandbox, "reset", {"stats_only": True})
    assert kept["requests"] == 0
    assert len(control(sandbox, "state")["epics"]) == 16
    control(sandbox, "reset", {})
    assert control(sandbox, "state")["epics"] == []
    control(sandbox, "reset", {"seed": "scale:40"})
    assert len(control(sandbox, "state")["epics"]) == 40
