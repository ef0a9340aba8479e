"""REST v4 endpoints the bot needs where GraphQL has no equivalent, with GitLab's JSON.

Groups, group labels, projects, project issues (the weekly summary) and job artifacts
(shard reports). Lists use offset pagination with GitLab's headers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from urllib.parse import unquote

from gitlab_sandbox.graphql_nodes import iso, text_color
from gitlab_sandbox.http import Request, Response, Router, error
from gitlab_sandbox.model import Group, Label, Project, WorkItem
from gitlab_sandbox.pagination import offset_page
from gitlab_sandbox.store import NotFound

MAX_DESCRIPTION = 1_048_576
router = Router("/api/v4")
ISSUE_ORDER = {"created_at", "updated_at", "title", "due_date"}


def paged(req: Request, rows: list[Any]) -> Response:
    page = offset_page(rows, req.query, f"{req.base_url}{req.path}")
    return Response(200, page.rows, page.headers)


def group_json(req: Request, group: Group) -> dict[str, Any]:
    chain = req.store.ancestors(group)
    return {
        "id": group.id,
        "name": group.name,
        "path": group.path,
        "full_path": group.full_path,
        "description": group.description,
        "full_name": " / ".join(g.name for g in reversed(chain)),
        "parent_id": group.parent_id,
        "visibility": "private",
        "web_url": f"{req.base_url}/groups/{group.full_path}",
    }


def label_json(label: Label) -> dict[str, Any]:
    return {
        "id": label.id,
        "name": label.title,
        "color": label.color,
        "text_color": text_color(label.color),
        "description": label.description or None,
        "subscribed": False,
        "priority": None,
        "is_project_label": label.project_id is not None,
    }


def project_json(req: Request, project: Project) -> dict[str, Any]:
    group = req.store.groups[project.group_id]
    return {
        "id": project.id,
        "name": project.name,
        "path": project.path,
        "path_with_namespace": project.path_with_namespace,
        "name_with_namespace": f"{group.name} / {project.name}",
        "default_branch": project.default_branch,
        "namespace": {"id": group.id, "full_path": group.full_path, "kind": "group"},
        "web_url": f"{req.base_url}/{project.path_with_namespace}",
        "issues_enabled": True,
    }


def user_json(req: Request, username: str) -> dict[str, Any]:
    user = req.store.user(username)
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "state": "active",
        "bot": user.username == req.options.username,  # the token's user: a bot user
        "is_admin": False,
        "web_url": f"{req.base_url}/{user.username}",
    }


def issue_json(req: Request, issue: WorkItem) -> dict[str, Any]:
    project = req.store.projects[issue.project_id or 0]
    return {
        "id": issue.id,
        "iid": issue.iid,
        "project_id": project.id,
        "title": issue.title,
        "description": issue.description,
        "state": issue.state,
        "labels": sorted(issue.labels),
        "confidential": issue.confidential,
        "created_at": iso(issue.created_at),
        "updated_at": iso(issue.updated_at),
        "closed_at": iso(issue.closed_at),
        "due_date": iso(issue.due_date),
        "author": user_json(req, issue.author),
        "assignees": [user_json(req, name) for name in issue.assignees],
        "user_notes_count": sum(1 for n in issue.notes if not n.system),
        "references": {
            "short": f"#{issue.iid}",
            "relative": f"#{issue.iid}",
            "full": f"{project.path_with_namespace}#{issue.iid}",
        },
        "web_url": f"{req.base_url}/{project.path_with_namespace}/-/issues/{issue.iid}",
    }


def _group(req: Request) -> Group:
    return req.store.group(req.params["id"])


def _project(req: Request) -> Project:
    return req.store.project(req.params["id"])


@router.route("GET", "/user")
def current_user(req: Request) -> Response:
    return Response(200, user_json(req, req.username or ""))


@router.route("GET", "/version")
def get_version(req: Request) -> Response:
    version = req.options.version
    return Response(
        200,
        {
            "version": version,
            "revision": "sandbox",
            "kas": {"enabled": False, "externalUrl": None, "version": None},
            "enterprise": version.endswith("-ee"),
        },
    )


@router.route("GET", "/personal_access_tokens/self")
def get_token_self(req: Request) -> Response:
    """The token of the request, as GitLab describes a personal, group or project token."""
    user = req.store.user(req.username or "")
    return Response(
        200,
        {
            "id": 1,
            "name": "smart-triage",
            "revoked": False,
            "created_at": "2026-01-05T09:00:00.000Z",
            "description": "",
            "scopes": list(req.options.token_scopes),
            "user_id": user.id,
            "last_used_at": None,
            "active": True,
            "expires_at": req.options.token_expires_at,
        },
    )


# Access levels (doc/api/members.md): Guest 10, Planner 15, Reporter 20, Developer 30,
# Maintainer 40, Owner 50. The token's user is a Maintainer, or a Guest where it may not
# administer labels (``Options.label_admin_denied``).
GUEST, MAINTAINER = 10, 40


def _member_json(req: Request, level: int) -> dict[str, Any]:
    return {**user_json(req, req.username or ""), "access_level": level}


@router.route("GET", "/groups/:id/members/all/:user_id")
def get_group_member(req: Request) -> Response:
    group = _group(req)
    if int(req.params["user_id"]) != req.store.user(req.username or "").id:
        return error(404, "404 Not found")
    if group.full_path in req.options.not_member_of:
        return error(404, "404 Not found")
    denied = group.full_path in req.options.label_admin_denied
    return Response(200, _member_json(req, GUEST if denied else MAINTAINER))


@router.route("GET", "/projects/:id/members/all/:user_id")
def get_project_member(req: Request) -> Response:
    _project(req)
    if int(req.params["user_id"]) != req.store.user(req.username or "").id:
        return error(404, "404 Not found")
    return Response(200, _member_json(req, MAINTAINER))


@router.route("GET", "/groups")
def list_groups(req: Request) -> Response:
    search = req.query.get("search", "").lower()
    top = req.query.get("top_level_only") == "true"
    groups = [
        g
        for g in req.store.groups.values()
        if search in g.full_path.lower() and not (top and g.parent_id)
    ]
    return paged(req, [group_json(req, g) for g in groups])


@router.route("GET", "/groups/:id")
def get_group(req: Request) -> Response:
    return Response(200, group_json(req, _group(req)))


@router.route("GET", "/groups/:id/subgroups")
def list_subgroups(req: Request) -> Response:
    parent = _group(req)
    return paged(
        req, [group_json(req, g) for g in req.store.groups.values() if g.parent_id == parent.id]
    )


@router.route("GET", "/groups/:id/descendant_groups")
def list_descendants(req: Request) -> Response:
    return paged(req, [group_json(req, g) for g in req.store.descendants(_group(req))])


@router.route("GET", "/groups/:id/labels")
def list_group_labels(req: Request) -> Response:
    group = _group(req)
    store = req.store
    groups = (
        store.ancestors(group)
        if req.query.get("include_ancestor_groups", "true") == "true"
        else [group]
    )
    if req.query.get("include_descendant_groups") == "true":
        groups += store.descendants(group)
    ids = {g.id for g in groups}
    search = req.query.get("search", "")
    labels = sorted(
        (lb for lb in store.labels.values() if lb.group_id in ids and label_matches(lb, search)),
        key=lambda lb: lb.title.lower(),
    )
    return paged(req, [label_json(lb) for lb in labels])


@router.route("POST", "/groups/:id/labels")
def create_group_label(req: Request) -> Response:
    group = _group(req)
    if group.full_path in req.options.label_admin_denied:
        return error(403, "403 Forbidden")  # GroupPolicy: admin_label needs Planner or above
    if group.full_path in req.options.not_member_of:
        return error(404, "404 Group Not Found")  # a private group the user cannot see

    def make(name: str, color: str, text: str) -> Label:
        # lib/api/helpers/label_helpers.rb create_label: 409 for a title of the group's
        # own labels or of an ancestor's (available_labels_for includes ancestor groups);
        # the model alone checks only the group's own
        if any(lb.title == name for lb in req.store.available_labels(group)):
            raise ValueError(name)
        return req.store.create_label(group, name, color, text)

    return create_label(req, make)


def labels_denied(req: Request, project: Project) -> bool:
    """Whether the token's user may not administer labels in ``project`` (below Planner in
    its group, ``Options.label_admin_denied``)."""
    return req.store.groups[project.group_id].full_path in req.options.label_admin_denied


def label_matches(label: Label, search: str) -> bool:
    """A label list's ``search``, as ``Label.search`` (app/models/label.rb): each of its
    words in the title, or each in the description, ignoring case (``fuzzy_search``)."""
    words = search.lower().split()
    return any(
        all(word in text.lower() for word in words) for text in (label.title, label.description)
    )


def create_label(req: Request, make: Callable[[str, str, str], Label]) -> Response:
    """A group's or a project's new label, with GitLab's answers: 400 without a name or a
    colour, 409 when the title is usable there already (``make`` raises ValueError)."""
    name, color = req.arg("name"), req.arg("color")
    if not name:
        return error(400, "400 Bad request - name is missing")
    if not color:
        return error(400, "400 Bad request - color is missing")
    req.store.stats["writes"] += 1
    try:
        label = make(name, color, req.arg("description") or "")
    except ValueError:
        if req.options.label_create_race:  # app/models/label.rb: validates uniqueness
            return error(400, {"title": ["has already been taken"]})
        return error(409, "Label already exists")
    return Response(201, label_json(label))


def find_label(req: Request, labels: Iterable[Label]) -> Label:
    """The label the route names, as lib/api/helpers/labels_helpers.rb ``find_label``: by
    id first, then by title."""
    wanted = unquote(req.params["label_id"])
    labels = list(labels)
    found = next((lb for lb in labels if str(lb.id) == wanted), None) or next(
        (lb for lb in labels if lb.title == wanted), None
    )
    if found is None:
        raise NotFound("Label", wanted)
    return found


def update_label(req: Request, label: Label, keys: tuple[str, ...], missing: str) -> Response:
    """A label's new title, colour or description; 400 when none of ``keys`` is given."""
    changes = {k: req.arg(k) for k in keys if req.arg(k) is not None}
    if not changes:
        message = f"{missing} are missing, at least one parameter must be provided"
        return error(400, f"400 Bad request - {message}")
    req.store.stats["writes"] += 1
    label.title = changes.get("new_name") or label.title
    label.color = changes.get("color") or label.color
    label.description = changes.get("description", label.description)
    return Response(200, label_json(label))


def _group_label(req: Request, group: Group, ancestors: bool) -> Label:
    """A group label by id or title; ancestors' labels only where GitLab includes them."""
    labels = req.store.available_labels(group) if ancestors else req.store.group_labels(group)
    return find_label(req, labels)


@router.route("GET", "/groups/:id/labels/:label_id")
def get_group_label(req: Request) -> Response:
    ancestors = req.query.get("include_ancestor_groups", "true") == "true"  # GitLab's default
    return Response(200, label_json(_group_label(req, _group(req), ancestors)))


@router.route("PUT", "/groups/:id/labels/:label_id")
def update_group_label(req: Request) -> Response:
    """``new_name``, ``color``, ``description``; at least one is required (400)."""
    group = _group(req)
    if group.full_path in req.options.label_admin_denied:
        return error(403, "403 Forbidden")
    label = _group_label(req, group, ancestors=False)
    keys = ("new_name", "color", "description")
    return update_label(req, label, keys, "new_name, color, description")


@router.route("DELETE", "/groups/:id/labels/:label_id")
def delete_group_label(req: Request) -> Response:
    group = _group(req)
    if group.full_path in req.options.label_admin_denied:
        return error(403, "403 Forbidden")
    label = _group_label(req, group, ancestors=False)
    req.store.stats["writes"] += 1
    req.store.delete_label(group, label)
    return Response(204, raw=b"")


@router.route("GET", "/groups/:id/projects")
def list_group_projects(req: Request) -> Response:
    group = _group(req)
    ids = {group.id}
    if req.query.get("include_subgroups") == "true":
        ids |= {g.id for g in req.store.descendants(group)}
    return paged(
        req, [project_json(req, p) for p in req.store.projects.values() if p.group_id in ids]
    )


@router.route("GET", "/projects/:id")
def get_project(req: Request) -> Response:
    return Response(200, project_json(req, _project(req)))


@router.route("GET", "/projects/:id/issues")
def list_issues(req: Request) -> Response:
    project = _project(req)
    state = req.query.get("state", "all")
    wanted = [t for t in req.query.get("labels", "").split(",") if t]
    search = req.query.get("search", "").lower()
    iids = set(req.query_lists.get("iids[]", []))
    issues = [
        i
        for i in req.store.iter_items("issue")
        if i.project_id == project.id
        and state in ("all", i.state)
        and all(t in i.labels for t in wanted)
        and (not iids or str(i.iid) in iids)
        and search in f"{i.title}\n{i.description}".lower()
    ]
    order = req.query.get("order_by", "created_at")
    if order not in ISSUE_ORDER:
        return error(400, "400 Bad request - order_by does not have a valid value")
    issues.sort(
        key=lambda i: (getattr(i, order) is not None, getattr(i, order) or "", i.id),
        reverse=req.query.get("sort", "desc") == "desc",
    )
    return paged(req, [issue_json(req, i) for i in issues])


@router.route("GET", "/projects/:id/issues/:iid")
def get_issue(req: Request) -> Response:
    project = _project(req)
    try:
        return Response(200, issue_json(req, req.store.issue(project, int(req.params["iid"]))))
    except (NotFound, ValueError):
        return error(404, "404 Not found")


def _labels(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [t.strip() for t in items if t.strip()]


def _issue_fields(req: Request, issue: WorkItem) -> Response | None:
    """Apply title/description/dates/labels from the request; a Response on bad input."""
    body = req.json() or {}
    if "description" in body and len(body["description"] or "") > MAX_DESCRIPTION:
        return error(
            400, {"description": [f"is too long (maximum is {MAX_DESCRIPTION} characters)"]}
        )
    if "title" in body:
        if not str(body["title"] or "").strip():
            return error(400, {"title": ["can't be blank"]})
        issue.title = body["title"]
    if "description" in body:
        previous = issue.description
        # stored as the quick actions' pass leaves it: no "\r", no trailing blanks
        # (lib/gitlab/quick_actions/extractor.rb perform_regex: content.rstrip)
        issue.description = (body["description"] or "").replace("\r", "").rstrip()
        issue.last_edited_at = req.store.clock()
        req.store.count_mentions(issue.description, previous, issue)
    if "due_date" in body:
        issue.due_date = date.fromisoformat(body["due_date"]) if body["due_date"] else None
    if "confidential" in body:
        issue.confidential = bool(body["confidential"])
    project = req.store.projects[issue.project_id or 0]
    # app/services/labels/find_or_create_service.rb: a missing label is created only for
    # a user who may create labels there (Planner); for others it is dropped, silently,
    # and the issue is written without it
    may_create = not labels_denied(req, project)
    known = {lb.title for lb in req.store.project_labels(project)}

    def usable(titles: list[str]) -> list[str]:
        if may_create:
            for title in titles:
                req.store.ensure_project_label(project, title)
            return titles
        return [title for title in titles if title in known]

    if "labels" in body:
        wanted = usable(_labels(body["labels"]))
        req.store.change_labels(
            issue, wanted, [t for t in issue.labels if t not in wanted], req.username or ""
        )
    req.store.change_labels(
        issue,
        usable(_labels(body.get("add_labels"))),
        _labels(body.get("remove_labels")),
        req.username or "",
    )
    event = body.get("state_event")
    if event in ("close", "reopen"):
        req.store.set_state(issue, "closed" if event == "close" else "opened", req.username or "")
    req.store.touch(issue)
    return None


@router.route("POST", "/projects/:id/issues")
def create_issue(req: Request) -> Response:
    project = _project(req)
    body = req.json() or {}
    if not str(body.get("title") or "").strip():
        return error(400, "400 Bad request - title is missing")
    req.store.stats["writes"] += 1
    issue = req.store.new_issue(project, body["title"], req.username or "")
    problem = _issue_fields(req, issue)
    if problem is not None:
        req.store.remove_item(issue)
        return problem
    return Response(201, issue_json(req, issue))


@router.route("PUT", "/projects/:id/issues/:iid")
def update_issue(req: Request) -> Response:
    project = _project(req)
    try:
        issue = req.store.issue(project, int(req.params["iid"]))
    except (NotFound, ValueError):
        return error(404, "404 Not found")
    req.store.stats["writes"] += 1
    problem = _issue_fields(req, issue)
    return problem or Response(200, issue_json(req, issue))


@router.route("GET", "/projects/:id/jobs/artifacts/:ref/raw/*path")
def artifact_raw(req: Request) -> Response:
    project = _project(req)
    job = req.query.get("job")
    if not job:
        return error(400, "400 Bad request - job is missing")
    for artifact in reversed(req.store.artifacts):
        if (artifact.project_id, artifact.ref, artifact.job, artifact.path) == (
            project.id,
            req.params["ref"],
            job,
            req.params["path"],
        ):
            return Response(
                200, raw=artifact.content.encode(), content_type="application/octet-stream"
            )
    return error(404, "404 Not found")
