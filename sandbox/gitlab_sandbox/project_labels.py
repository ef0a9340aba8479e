"""REST v4 project labels: list, get, create, update, delete, with GitLab's answers.

As ``lib/api/labels.rb`` and ``lib/api/helpers/label_helpers.rb``: creating a label whose
title is usable in the project already (its own, or one of its groups') answers 409 "Label
already exists", which makes a project label a lock the way a group label is one; reading
one by id or title sees the groups' labels too, while update and delete find only the
project's own (``include_ancestor_groups: false``). The routes join ``rest_api``'s router.
"""

from __future__ import annotations

from gitlab_sandbox.http import Request, Response, error
from gitlab_sandbox.model import Label, Project
from gitlab_sandbox.rest_api import (
    create_label,
    find_label,
    label_json,
    label_matches,
    labels_denied,
    paged,
    router,
    update_label,
)


def _project(req: Request) -> Project:
    return req.store.project(req.params["id"])


def _label(req: Request, project: Project, ancestors: bool) -> Label:
    return find_label(req, req.store.project_labels(project, ancestors))


@router.route("GET", "/projects/:id/labels")
def list_project_labels(req: Request) -> Response:
    project = _project(req)
    ancestors = req.query.get("include_ancestor_groups", "true") == "true"
    search = req.query.get("search", "")
    labels = sorted(
        (lb for lb in req.store.project_labels(project, ancestors) if label_matches(lb, search)),
        key=lambda lb: lb.title.lower(),
    )
    return paged(req, [label_json(lb) for lb in labels])


@router.route("POST", "/projects/:id/labels")
def create_project_label(req: Request) -> Response:
    project = _project(req)
    if labels_denied(req, project):
        return error(403, "403 Forbidden")
    return create_label(
        req, lambda name, color, text: req.store.create_project_label(project, name, color, text)
    )


@router.route("GET", "/projects/:id/labels/:label_id")
def get_project_label(req: Request) -> Response:
    return Response(200, label_json(_label(req, _project(req), ancestors=True)))


@router.route("PUT", "/projects/:id/labels/:label_id")
def update_project_label(req: Request) -> Response:
    """``new_name``, ``color``, ``description``, ``priority``; at least one (400)."""
    project = _project(req)
    if labels_denied(req, project):
        return error(403, "403 Forbidden")
    label = _label(req, project, ancestors=False)
    keys = ("new_name", "color", "description", "priority")
    return update_label(req, label, keys, "new_name, color, description, priority, archived")


@router.route("DELETE", "/projects/:id/labels/:label_id")
def delete_project_label(req: Request) -> Response:
    project = _project(req)
    if labels_denied(req, project):
        return error(403, "403 Forbidden")
    label = _label(req, project, ancestors=False)
    req.store.stats["writes"] += 1
    req.store.delete_project_label(project, label)
    return Response(204, raw=b"")
