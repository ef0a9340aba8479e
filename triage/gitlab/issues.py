"""Issues of the summary project (REST): list, create, edit, close; plain records out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import gitlab
import requests

from triage.errors import GitLabError
from triage.gitlab.client import GitLab
from triage.gitlab.unreachable import unreachable


@dataclass(frozen=True)
class Issue:
    iid: int
    title: str
    description: str
    state: str
    web_url: str
    reference: str  # full reference, e.g. group/project#12
    labels: tuple[str, ...] = ()


def _issue(raw: Any) -> Issue:
    return Issue(
        int(raw.iid),
        raw.title,
        raw.description or "",
        raw.state,
        raw.web_url,
        (raw.references or {}).get("full", ""),
        tuple(getattr(raw, "labels", None) or ()),
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
    except requests.RequestException as exc:  # dropped or timed out after the retries
        raise unreachable(gl.settings.url, exc) or GitLabError(
            f"project '{project}': {type(exc).__name__}"
        ) from None
    return [_issue(raw) for raw in found]


LOOK_AGAIN = (1.0, 4.0)  # seconds before each look for an issue whose answer was lost


def create_issue(
    gl: GitLab, project: str, title: str, description: str, labels: list[str]
) -> Issue:
    """Create an issue once, even when the answer is lost.

    A 5xx or a dropped connection may come after GitLab saved the issue, so the POST is
    never repeated blindly (python-gitlab would): the project is searched for an issue of
    that exact title first, and only when there is none is the create tried again.
    """
    attempts = max(1, gl.settings.max_retries)
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            created = gl.rest.projects.get(project, lazy=True).issues.create(
                {"title": title, "description": description, "labels": labels},
                retry_transient_errors=False,
            )
            return _issue(created)
        except gitlab.GitlabError as exc:
            status = exc.response_code or 0
            if status < 500 or last:
                raise GitLabError(f"cannot create an issue in '{project}': HTTP {status}") from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            if last:
                raise GitLabError(
                    f"cannot create an issue in '{project}': {type(exc).__name__}"
                ) from exc
        # A timeout or a 502 often means GitLab is still saving: look a few times, with
        # waits, before trying the create again.
        for wait in LOOK_AGAIN:
            time.sleep(wait * 2**attempt)
            saved = [i for i in recent_issues(gl, project, labels) if i.title == title]
            if saved:
                return saved[0]
    raise AssertionError("unreachable: the last attempt returns or raises")


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
    except requests.RequestException as exc:
        raise GitLabError(
            f"cannot edit issue #{iid} in '{project}': {type(exc).__name__}"
        ) from None
