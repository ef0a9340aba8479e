"""The sandbox's REST v4 API, driven through python-gitlab's ``gitlab.Gitlab`` client."""

from __future__ import annotations

import gitlab
import pytest
import requests

from tests.conftest import control


def test_groups_paginate_with_gitlab_headers(sandbox, gl):
    response = requests.get(
        f"{sandbox.url}/api/v4/groups",
        params={"per_page": 2, "page": 2},
        headers={"PRIVATE-TOKEN": sandbox.token},
        timeout=10,
    )
    assert response.status_code == 200
    assert len(response.json()) == 2
    headers = response.headers
    assert (headers["x-total"], headers["x-total-pages"]) == ("5", "3")
    assert (headers["x-page"], headers["x-next-page"], headers["x-prev-page"]) == ("2", "3", "1")
    assert 'rel="next"' in headers["link"] and "page=3" in headers["link"]
    paths = [g.full_path for g in gl.groups.list(iterator=True, per_page=2)]
    assert sorted(paths) == ["acme-corp", "acme-corp/emea", "cs-ops", "globex", "initech"]


def test_token_headers_are_checked_like_gitlab(sandbox):
    gitlab.Gitlab(sandbox.url, private_token=sandbox.token).auth()
    gitlab.Gitlab(sandbox.url, oauth_token=sandbox.token).auth()  # Authorization: Bearer
    with pytest.raises(gitlab.GitlabAuthenticationError):
        gitlab.Gitlab(sandbox.url, private_token="wrong").auth()
    anonymous = requests.get(f"{sandbox.url}/api/v4/groups", timeout=10)
    assert (anonymous.status_code, anonymous.json()) == (401, {"message": "401 Unauthorized"})


def test_groups_subgroups_and_labels(gl):
    acme = gl.groups.get("acme-corp")
    assert [g.full_path for g in acme.subgroups.list(get_all=True)] == ["acme-corp/emea"]
    assert [g.full_path for g in acme.descendant_groups.list(get_all=True)] == ["acme-corp/emea"]
    emea_labels = gl.groups.get("acme-corp/emea").labels.list(get_all=True)
    assert "SP Objective" in {label.name for label in emea_labels}  # inherited from acme-corp
    with pytest.raises(gitlab.GitlabGetError) as missing:
        gl.groups.get("no-such-customer")
    assert missing.value.response_code == 404
    assert "404 Group Not Found" in str(missing.value)


def test_group_labels_are_created_once(gl):
    group = gl.groups.get("globex")
    label = group.labels.create({"name": "SP Objective::Stale", "color": "#FF0000"})
    assert label.name == "SP Objective::Stale"
    with pytest.raises(gitlab.GitlabCreateError) as duplicate:
        group.labels.create({"name": "SP Objective::Stale", "color": "#FF0000"})
    assert duplicate.value.response_code == 409


def test_summary_issues_are_created_found_and_updated(sandbox, gl):
    project = gl.projects.get("cs-ops/triage-reports")
    first = project.issues.create(
        {"title": "Success plan triage: 2026-W47", "description": "old", "labels": "triage report"}
    )
    second = project.issues.create(
        {
            "title": "Success plan triage: 2026-W48",
            "description": "new",
            "labels": ["triage report"],
        }
    )
    latest = project.issues.list(
        labels="triage report",
        state="all",
        order_by="created_at",
        sort="desc",
        per_page=1,
        get_all=False,
    )
    assert [i.iid for i in latest] == [second.iid]
    first.state_event = "close"
    first.description = "superseded by #2"
    first.save()
    reread = project.issues.get(first.iid)
    assert (reread.state, reread.description) == ("closed", "superseded by #2")
    assert [i.iid for i in project.issues.list(state="opened", get_all=True)] == [second.iid]
    assert control(sandbox, "stats")["writes"] == 3


def test_issue_labels_keep_one_per_scope(gl):
    project = gl.projects.get("cs-ops/triage-reports")
    issue = project.issues.create({"title": "t", "labels": "health::green,triage report"})
    project.issues.update(issue.iid, {"add_labels": "health::red"})
    assert sorted(project.issues.get(issue.iid).labels) == ["health::red", "triage report"]


def test_issue_description_limit_is_gitlabs(gl):
    project = gl.projects.get("cs-ops/triage-reports")
    with pytest.raises(gitlab.GitlabCreateError) as too_long:
        project.issues.create({"title": "big", "description": "x" * 1_048_577})
    assert too_long.value.response_code == 400
    assert project.issues.list(get_all=True) == []


def test_job_artifacts_download_with_token_or_job_token(sandbox, gl):
    project = gl.projects.get("cs-ops/triage-reports")
    raw = project.artifacts.raw("main", "report.json", "triage")
    assert raw == b'{"run": "sandbox-seed", "epics": []}'
    with pytest.raises(gitlab.GitlabGetError):
        project.artifacts.raw("main", "missing.json", "triage")
    job = gitlab.Gitlab(sandbox.url, job_token="ci-job-token")
    assert job.projects.get(project.id, lazy=True).artifacts.raw("main", "report.json", "triage")


def test_a_ci_job_token_cannot_read_epics(sandbox):
    response = requests.post(
        f"{sandbox.url}/api/graphql",
        json={"query": '{ group(fullPath: "acme-corp") { id } }'},
        headers={"JOB-TOKEN": "ci-job-token"},
        timeout=10,
    )
    assert response.json() == {"data": {"group": None}}
    labels = requests.get(
        f"{sandbox.url}/api/v4/groups/acme-corp/labels",
        headers={"JOB-TOKEN": "ci-job-token"},
        timeout=10,
    )
    assert labels.status_code == 401


def test_a_group_label_is_found_changed_and_deleted_by_id_or_title(sandbox):
    """As lib/api/helpers/labels_helpers.rb: by id first, then by title; a deleted label
    is 404 the second time (what makes the run lease's takeover safe)."""
    api, auth = f"{sandbox.url}/api/v4/groups/globex/labels", {"PRIVATE-TOKEN": sandbox.token}
    made = requests.post(api, data={"name": "lock", "color": "#123456"}, headers=auth, timeout=10)
    again = requests.post(api, data={"name": "lock", "color": "#123456"}, headers=auth, timeout=10)
    assert (made.status_code, again.status_code) == (201, 409)
    label = made.json()["id"]
    by_title = requests.get(f"{api}/lock", headers=auth, timeout=10).json()
    assert by_title["id"] == label
    changed = requests.put(f"{api}/{label}", data={"description": "x"}, headers=auth, timeout=10)
    assert changed.json()["description"] == "x"
    assert requests.put(f"{api}/{label}", headers=auth, timeout=10).status_code == 400
    assert requests.delete(f"{api}/{label}", headers=auth, timeout=10).status_code == 204
    assert requests.delete(f"{api}/{label}", headers=auth, timeout=10).status_code == 404


def test_a_project_label_is_a_lock_like_a_group_label(sandbox):
    """As lib/api/helpers/label_helpers.rb for projects: a title usable in the project
    already (its own, or its group's) is 409; get sees the group's labels, update and
    delete only the project's own; a deleted label is 404 the second time."""
    auth = {"PRIVATE-TOKEN": sandbox.token}
    api = f"{sandbox.url}/api/v4/projects/cs-ops%2Ftriage-reports/labels"
    made = requests.post(api, data={"name": "lock", "color": "#123456"}, headers=auth, timeout=10)
    again = requests.post(api, data={"name": "lock", "color": "#123456"}, headers=auth, timeout=10)
    assert (made.status_code, again.status_code) == (201, 409)
    assert made.json()["is_project_label"] is True
    group_label = requests.post(
        f"{sandbox.url}/api/v4/groups/cs-ops/labels",
        data={"name": "team", "color": "#123456"},
        headers=auth,
        timeout=10,
    ).json()
    shadow = requests.post(api, data={"name": "team", "color": "#654321"}, headers=auth, timeout=10)
    assert shadow.status_code == 409  # the group's label is usable in the project
    assert requests.get(f"{api}/team", headers=auth, timeout=10).json()["id"] == group_label["id"]
    assert requests.delete(f"{api}/team", headers=auth, timeout=10).status_code == 404
    label = made.json()["id"]
    assert requests.get(f"{api}/lock", headers=auth, timeout=10).json()["id"] == label
    changed = requests.put(f"{api}/{label}", data={"description": "x"}, headers=auth, timeout=10)
    assert changed.json()["description"] == "x"
    assert requests.put(f"{api}/{label}", headers=auth, timeout=10).status_code == 400
    names = [lb["name"] for lb in requests.get(api, headers=auth, timeout=10).json()]
    assert "lock" in names and "team" in names
    assert requests.delete(f"{api}/{label}", headers=auth, timeout=10).status_code == 204
    assert requests.delete(f"{api}/{label}", headers=auth, timeout=10).status_code == 404


def test_a_group_label_title_of_an_ancestor_group_is_taken_in_its_subgroups(sandbox):
    """As lib/api/helpers/label_helpers.rb: create looks up the title among the labels
    usable in the group, its ancestors' included (409); a single label's get includes
    them unless asked not to; update and delete see the group's own labels only."""
    auth = {"PRIVATE-TOKEN": sandbox.token}
    parent = f"{sandbox.url}/api/v4/groups/acme-corp/labels"
    child = f"{sandbox.url}/api/v4/groups/acme-corp%2Femea/labels"
    lock = {"name": "lock", "color": "#123456"}
    made = requests.post(parent, data=lock, headers=auth, timeout=10)
    below = requests.post(child, data=lock, headers=auth, timeout=10)
    assert (made.status_code, below.status_code) == (201, 409)
    assert requests.get(f"{child}/lock", headers=auth, timeout=10).json()["id"] == made.json()["id"]
    own_only = {"include_ancestor_groups": "false"}
    alone = requests.get(f"{child}/lock", params=own_only, headers=auth, timeout=10)
    assert alone.status_code == 404
    label = made.json()["id"]
    changed = requests.put(f"{child}/{label}", data={"description": "x"}, headers=auth, timeout=10)
    assert changed.status_code == 404
    assert requests.delete(f"{child}/{label}", headers=auth, timeout=10).status_code == 404
    # a title first made in the subgroup does not stop its parent's (GitLab looks upwards)
    first = requests.post(child, data={"name": "team", "color": "#1"}, headers=auth, timeout=10)
    later = requests.post(parent, data={"name": "team", "color": "#1"}, headers=auth, timeout=10)
    assert (first.status_code, later.status_code) == (201, 201)


def test_a_label_search_finds_words_of_the_title_or_of_the_description(sandbox):
    """As Label.search (app/models/label.rb, fuzzy_search on title and description)."""
    auth = {"PRIVATE-TOKEN": sandbox.token}
    api = f"{sandbox.url}/api/v4/groups/globex/labels"
    about = {"name": "Platform", "color": "#123456", "description": "Owned by the DevEx team"}
    requests.post(api, data=about, headers=auth, timeout=10).raise_for_status()

    def names(search: str) -> list[str]:
        found = requests.get(api, params={"search": search}, headers=auth, timeout=10).json()
        return [label["name"] for label in found]

    assert names("platf") == ["Platform"]
    assert names("devex TEAM") == ["Platform"]  # every word, in the description
    assert names("platform devex") == []  # one word in each: no column has both
