"""Against a real GitLab: the bot's reads, writes and query costs on a scratch group.

Run with ``pytest -m live tests/live`` and ``GITLAB_URL``, ``GITLAB_TOKEN`` and
``TRIAGE_LIVE_GROUP`` (a scratch group holding at least one open epic with the objective
label of ``policies/``). Skipped without them; ``make test`` never selects them. They leave
nothing behind: the note is deleted and the label removed again (the label itself stays in
the top group, as the bot would create it).
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from triage.gitlab import queries, reads, writes
from triage.gitlab.client import GitLab
from triage.policy.loader import load_policies
from triage.records import Epic
from triage.settings import GitLabSettings

NEEDED = ("GITLAB_URL", "GITLAB_TOKEN", "TRIAGE_LIVE_GROUP")
MISSING = [name for name in NEEDED if not os.environ.get(name)]
HOST = urlsplit(os.environ.get("GITLAB_URL", "")).hostname or "gitlab.invalid"


def addresses(host: str) -> list[str]:
    """The host's addresses: the network blocker compares the address a socket connects
    to, never the name."""
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except OSError:
        return []


ROOT = Path(__file__).parents[2]
LABEL = "smart-triage live test"

pytestmark = [
    pytest.mark.live,
    pytest.mark.block_network(
        allowed_hosts=[re.escape(a) for a in [HOST, *addresses(HOST), "127.0.0.1", "localhost"]]
    ),
    pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}"),
]

DESTROY_NOTE = """
mutation($id: NoteID!) { destroyNote(input: {id: $id}) { errors } }
"""


@pytest.fixture(scope="module")
def gl() -> Iterator[GitLab]:
    client = GitLab(GitLabSettings.from_env())
    yield client
    client.close()


@pytest.fixture(scope="module")
def group() -> str:
    return os.environ["TRIAGE_LIVE_GROUP"]


@pytest.fixture(scope="module")
def objective_label() -> str:
    return load_policies([ROOT / "policies"], ROOT / "prompts").sources.objective_label


@pytest.fixture(scope="module")
def epic(gl: GitLab, group: str, objective_label: str) -> Epic:
    page = next(reads.epic_pages(gl, group, objective_label, include_subgroups=True))
    if not page:
        pytest.skip(f"no open epic labelled '{objective_label}' in {group}")
    return page[0]


def test_a_page_of_epics_reads_with_every_field_the_checks_use(epic: Epic, group: str):
    assert epic.id.startswith("gid://gitlab/WorkItem/")
    assert epic.iid > 0 and epic.title and epic.web_url.startswith("http")
    assert epic.group == group or epic.group.startswith(f"{group}/")
    assert epic.reference.endswith(f"&{epic.iid}")


def test_a_note_is_created_updated_and_deleted(gl: GitLab, epic: Epic):
    note_id, _when = writes.create_note(gl, epic.id, "smart-triage live test: note", True)
    try:
        writes.update_note(gl, note_id, "smart-triage live test: note, edited")
        bodies = {n.id: n.body for n in reads.comments(gl, epic.id)}
        assert bodies[note_id] == "smart-triage live test: note, edited"
    finally:
        gl.mutate(DESTROY_NOTE, {"id": note_id}, "destroyNote")
    assert note_id not in {n.id for n in reads.comments(gl, epic.id)}


def test_a_label_is_added_and_removed(gl: GitLab, epic: Epic, objective_label: str):
    directory = writes.LabelDirectory(gl, create_missing=True)
    [label_id] = directory.ids(epic.group, [LABEL])
    writes.update_labels(gl, epic.id, [label_id], [])
    try:
        assert LABEL in _labels_of(gl, epic, objective_label)
    finally:
        writes.update_labels(gl, epic.id, [], [label_id])
    assert LABEL not in _labels_of(gl, epic, objective_label)


def _labels_of(gl: GitLab, epic: Epic, objective_label: str) -> set[str]:
    page = next(reads.epic_pages(gl, epic.group, objective_label, include_subgroups=False))
    found = next((e for e in page if e.id == epic.id), None)
    return set(found.labels) if found else set()


def test_every_query_the_bot_sends_is_under_the_complexity_limit(
    gl: GitLab, epic: Epic, group: str, objective_label: str
):
    """GitLab answers ``queryComplexity`` with the score of the whole query it is in."""
    variables: dict[str, dict[str, Any]] = {
        "EPICS_PAGE": {"path": group, "labels": [objective_label], "descendants": True},
        "EPICS_PROBE": {"path": group, "labels": [objective_label], "descendants": True},
        "EPIC_NOTES": {"id": epic.id},
        "GROUP_LABELS": {"path": group},
        "CURRENT_USER": {},
    }
    scores = {}
    for name, values in variables.items():
        measured = gl.query(queries.with_complexity(getattr(queries, name)), values)
        scores[name] = (measured["queryComplexity"]["score"], measured["queryComplexity"]["limit"])
    assert all(score < limit for score, limit in scores.values()), scores
