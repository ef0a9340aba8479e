"""Writes: comments and labels on epics (GraphQL), group labels (REST)."""

from __future__ import annotations

import threading

import gitlab

from triage.errors import GitLabError
from triage.gitlab import queries
from triage.gitlab.client import GitLab
from triage.gitlab.reads import group_labels

NEW_LABEL_COLOR = "#6699CC"


def create_note(gl: GitLab, epic_id: str, body: str, internal: bool) -> tuple[str, str]:
    """Create a comment; returns its id and GitLab's time of the write."""
    gl.note_pacer.wait()
    payload = gl.mutate(
        queries.CREATE_NOTE, {"id": epic_id, "body": body, "internal": internal}, "createNote"
    )
    note = payload.get("note")
    if not note:
        raise GitLabError("createNote saved no note (was the body only quick actions?)")
    return note["id"], note["updatedAt"]


def update_note(gl: GitLab, note_id: str, body: str) -> str:
    """Replace a comment's text; returns GitLab's time of the write."""
    payload = gl.mutate(queries.UPDATE_NOTE, {"id": note_id, "body": body}, "updateNote")
    when: str = (payload.get("note") or {}).get("updatedAt", "")
    return when


def update_labels(gl: GitLab, epic_id: str, add: list[str], remove: list[str]) -> str:
    """Add and remove labels by id; returns the epic's new ``updatedAt``."""
    payload = gl.mutate(
        queries.UPDATE_LABELS, {"id": epic_id, "add": add, "remove": remove}, "workItemUpdate"
    )
    when: str = (payload.get("workItem") or {}).get("updatedAt", "")
    return when


class LabelDirectory:
    """Label ids per group, looked up once per group and run; missing ones created on demand.

    Labels are created at the top-level group of the epic, so every subgroup can use them.
    """

    def __init__(self, gl: GitLab, create_missing: bool) -> None:
        self.gl = gl
        self.create_missing = create_missing
        self._cache: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def ids(self, group: str, titles: list[str]) -> list[str]:
        with self._lock:
            if group not in self._cache:
                self._cache[group] = group_labels(self.gl, group)
            known = self._cache[group]
            missing = [title for title in titles if title not in known]
            if missing and not self.create_missing:
                raise GitLabError(
                    f"label(s) {', '.join(repr(m) for m in missing)} do not exist in "
                    f"'{group}' or its parents; create them, or set "
                    "sources.create_missing_labels: true"
                )
            for title in missing:
                self._create(group.split("/", maxsplit=1)[0], title)
            if missing:
                self._cache = {}  # every group under that top group now sees the label
                self._cache[group] = known = group_labels(self.gl, group)
            return [known[title] for title in titles]

    def _create(self, top_group: str, title: str) -> None:
        try:
            self.gl.rest.groups.get(top_group, lazy=True).labels.create(
                {"name": title, "color": NEW_LABEL_COLOR, "description": "Added by smart-triage"}
            )
        except gitlab.GitlabCreateError as exc:
            if exc.response_code != 409:  # 409: created meanwhile by another run
                raise GitLabError(
                    f"cannot create label '{title}' in '{top_group}': HTTP {exc.response_code}"
                ) from exc
