"""What the instance and the token are: version, token scopes, the user's access levels.

``triage doctor`` reads these to tell a new user what is missing before a run fails on it.
Plain records out; a missing endpoint (an older GitLab) is ``None``, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import gitlab
import requests

from triage.errors import GitLabAuthError, GitLabError
from triage.gitlab import queries
from triage.gitlab.client import GitLab
from triage.gitlab.unreachable import unreachable

# Access levels (GitLab's doc/api/members.md).
GUEST, PLANNER, REPORTER = 10, 15, 20


@dataclass(frozen=True)
class Version:
    text: str  # as GitLab says it, e.g. "18.6.0-ee"
    major: int
    minor: int
    enterprise: bool | None  # None when the instance does not say (before 15.6)


@dataclass(frozen=True)
class TokenInfo:
    user_id: int
    username: str
    bot: bool  # a bot user: a group, project or service account token
    scopes: tuple[str, ...] | None  # None when GitLab cannot describe the token
    expires_at: str | None
    admin: bool = False  # an instance administrator may act where it is no member


@dataclass(frozen=True)
class GroupProbe:
    exists: bool
    work_items: bool  # epics readable as work items (workItems is not null)
    objectives: int  # open epics with the objective label


def _get(gl: GitLab, path: str) -> Any:
    try:
        return gl.rest.http_get(path)
    except gitlab.GitlabAuthenticationError:
        raise GitLabAuthError(
            "GitLab refused the token (GITLAB_TOKEN): is it valid, unexpired, with the api scope?"
        ) from None
    except gitlab.GitlabHttpError as exc:
        if exc.response_code == 404:
            return None
        raise GitLabError(f"GET {path}: HTTP {exc.response_code}") from None
    except requests.RequestException as exc:
        found = unreachable(gl.settings.url, exc)
        if found is not None:
            raise found from None
        raise GitLabError(f"GET {path} failed ({type(exc).__name__}): {exc}") from None


def version(gl: GitLab) -> Version:
    raw = _get(gl, "/version")
    if not raw:
        raise GitLabError("GET /version answered nothing: is GITLAB_URL a GitLab instance?")
    text = str(raw.get("version", ""))
    numbers = text.split("-", maxsplit=1)[0].split(".")
    try:
        major, minor = int(numbers[0]), int(numbers[1])
    except (IndexError, ValueError):
        major = minor = 0
    enterprise = raw.get("enterprise")
    if enterprise is None and text:
        enterprise = text.endswith("-ee") or None
    return Version(text, major, minor, enterprise)


def token_info(gl: GitLab) -> TokenInfo:
    user = _get(gl, "/user")
    if not user:
        raise GitLabError("GET /user answered nothing")
    token = _get(gl, "/personal_access_tokens/self")
    scopes = tuple(token.get("scopes") or ()) if token else None
    return TokenInfo(
        int(user["id"]),
        str(user["username"]),
        bool(user.get("bot")),
        scopes,
        token.get("expires_at") if token else None,
        bool(user.get("is_admin")),
    )


def current_user_id(gl: GitLab) -> int:
    user = _get(gl, "/user")
    if not user:
        raise GitLabError("GET /user answered nothing")
    return int(user["id"])


def access_level(gl: GitLab, kind: str, path: str, user_id: int) -> int | None:
    """The user's access level in a group or project, inherited ones included; ``None``
    when the user is no member (an administrator may still have every right)."""
    member = _get(gl, f"/{kind}/{quote(path, safe='')}/members/all/{user_id}")
    return int(member["access_level"]) if member else None


def project_issues_enabled(gl: GitLab, path: str) -> bool | None:
    """Whether the project has issues on; ``None`` when it does not exist or is hidden."""
    project = _get(gl, f"/projects/{quote(path, safe='')}")
    if not project:
        return None
    return bool(project.get("issues_enabled", True))


def probe_group(gl: GitLab, group: str, objective_label: str, descendants: bool) -> GroupProbe:
    data = gl.query(
        queries.EPICS_PROBE,
        {"path": group, "labels": [objective_label], "descendants": descendants},
    )
    found = data.get("group")
    if found is None:
        return GroupProbe(False, False, 0)
    items = found.get("workItems")
    if items is None:
        return GroupProbe(True, False, 0)
    return GroupProbe(True, True, int(items.get("count") or 0))


MAX_GROUPS = 1000  # groups listed to suggest a path or to start a policy set from


def visible_groups(gl: GitLab, top_level_only: bool = False) -> list[str]:
    """Full paths of the groups the token's user is a member of (any role), sorted.

    ``min_access_level`` keeps the list to memberships: on GitLab.com, ``GET /groups``
    alone lists every public group there is (``doc/api/groups.md``)."""
    params: dict[str, Any] = {"min_access_level": GUEST, "per_page": 100, "order_by": "path"}
    if top_level_only:
        params["top_level_only"] = True
    paths: list[str] = []
    try:
        for raw in gl.rest.http_list("/groups", query_data=params, iterator=True):
            paths.append(str(raw["full_path"]))
            if len(paths) >= MAX_GROUPS:
                break
    except gitlab.GitlabAuthenticationError:
        raise GitLabAuthError(
            "GitLab refused the token (GITLAB_TOKEN): is it valid, unexpired, with the api scope?"
        ) from None
    except gitlab.GitlabHttpError as exc:
        raise GitLabError(f"GET /groups: HTTP {exc.response_code}") from None
    except requests.RequestException as exc:
        raise unreachable(gl.settings.url, exc) or GitLabError(
            f"GET /groups failed ({type(exc).__name__})"
        ) from None
    return sorted(paths)
