"""A group's projects may have labels of the same titles as the policies' labels. GitLab's
group ``labels`` in GraphQL include them unless asked not to (``onlyGroupLabels``, false
by default), but an epic can carry only group labels: an id of a project label is dropped
from ``workItemUpdate`` without an error."""

from __future__ import annotations

import requests

from tests.cli import run_cli
from tests.conftest import DEMO_DAY
from tests.run.test_weekly_run import epic_state

NOW = DEMO_DAY.isoformat()


def test_a_project_label_of_the_same_title_does_not_take_the_group_labels_place(sandbox, bot_env):
    made = requests.post(
        f"{sandbox.url}/api/v4/projects/acme-corp%2Fsuccess-plan/labels",
        data={"name": "Needs SMART criteria", "color": "#cc0000"},
        headers={"PRIVATE-TOKEN": sandbox.token},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    first = run_cli("run", "--apply", "--now", NOW, "--group", "acme-corp", "--no-summary")
    assert first.returncode == 0, first.stderr
    assert "+~Needs SMART criteria" in first.stdout  # the run says it labelled epics
    labelled = [
        ref
        for ref in ("acme-corp&2", "acme-corp&3", "acme-corp&4")
        if "Needs SMART criteria" in epic_state(sandbox, ref)["labels"]
    ]
    assert labelled == ["acme-corp&2", "acme-corp&3", "acme-corp&4"]
    again = run_cli("run", "--apply", "--now", NOW, "--group", "acme-corp", "--no-summary")
    assert "+~Needs SMART criteria" not in again.stdout  # done once, not every week
