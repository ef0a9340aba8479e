"""Issues of the summary project (REST): list, create, edit, close; plain records out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gitlab

from triage.errors import GitLabError
from triage.gitlab.client import GitLab


@dataclass(frozen=True)
class Issue:
    iid: int
    title: str
    description: str
    state: str
    web_url: str
    reference: str  # full reference, e.g. group/project#12


def _issue(raw: Any) -> Issue:
    return Issue(
        int(raw.iid),
        raw.title,
        raw.description or "",
        raw.state,
        raw.web_url,
        (raw.references or {}).get("full", ""),
    )


def recent_issues(gl: GitLab, project: str, labels: list[str], limit: int = 50) -> list[Issue]:
    """The project's newest issues with all of ``labels``, open or closed."""
    try:
        found = gl.rest.projects.get(project, lazy=True).issues.list(
            labels=labels,
            state="all",
            order_by="created_at",
            sort="desc",
            per_page=limit,
            get_all=False,
        )
    except gitlab.GitlabError as exc:
        raise GitLabError(f"project '{project}': HTTP {exc.response_code}") from exc
    return [_issue(raw) for raw in found]


def create_issue(
    gl: GitLab, project: str, title: str, description: str, labels: list[str]
) -> Issue:
    try:
        created = gl.rest.projects.get(project, lazy=True).issues.create(
            {"title": title, "description": description, "labels": labels}
        )
    except gitlab.GitlabError as exc:
        raise GitLabError(
            f"cannot create an issue in '{project}': HTTP {exc.response_code}"
        ) from exc
    return _issue(created)


def edit_issue(gl: GitLab, project: str, iid: int, description: str, close: bool = False) -> None:
    """Replace the description (and close the issue, when asked) in one request."""
    update: dict[str, Any] = {"description": description}
    if close:
        update["state_event"] = "close"
    try:
        gl.rest.projects.get(project, lazy=True).issues.update(iid, update)
    except gitlab.GitlabError as exc:
        raise GitLabError(
            f"cannot edit issue #{iid} in '{project}': HTTP {exc.response_code}"
        ) from exc
