"""The sandbox's JSON shape: what ``GET /-/sandbox/state`` returns and ``load`` accepts.

One shape in both directions, so a test can read the state, change it and load it into a
fresh sandbox, and ``triage lint`` can read an exported file. The shape is validated with a
JSON Schema (``shape.schema.json``) before anything is added, so a bad file changes nothing.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from gitlab_sandbox.graphql_nodes import iso
from gitlab_sandbox.model import Artifact, Award, Group, Note, Project, WorkItem
from gitlab_sandbox.store import NotFound, Store


class ShapeError(ValueError):
    """Data that does not fit the shape, or refers to something that does not exist."""


@cache
def shape_schema() -> dict[str, Any]:
    text = resources.files("gitlab_sandbox").joinpath("shape.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _time(value: str | None, default: datetime) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else default


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _notes_json(notes: list[Note]) -> list[dict[str, Any]]:
    return [
        {
            "id": n.id,
            "body": n.body,
            "author": n.author,
            "created_at": iso(n.created_at),
            "updated_at": iso(n.updated_at),
            "system": n.system,
            "internal": n.internal,
            "discussion": n.thread or n.id,  # the first note of its thread
            "awards": [{"name": a.name, "user": a.user} for a in n.awards],
        }
        for n in notes
    ]


def _reference(store: Store, item: WorkItem) -> str:
    if item.kind == "epic":
        return f"{store.groups[item.group_id or 0].full_path}&{item.iid}"
    return f"{store.projects[item.project_id or 0].path_with_namespace}#{item.iid}"


def _item_json(store: Store, item: WorkItem) -> dict[str, Any]:
    owner = (
        {"group": store.groups[item.group_id or 0].full_path}
        if item.kind == "epic"
        else {"project": store.projects[item.project_id or 0].path_with_namespace}
    )
    parent = store.items.get(item.parent_id or 0)
    return {
        "id": item.id,
        **owner,
        "iid": item.iid,
        "title": item.title,
        "description": item.description,
        "labels": list(item.labels),
        "state": item.state,
        "confidential": item.confidential,
        "start_date": iso(item.start_date),
        "due_date": iso(item.due_date),
        "assignees": list(item.assignees),
        "author": item.author,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "closed_at": iso(item.closed_at),
        "children": [_reference(store, store.items[c]) for c in item.children],
        "parent": _reference(store, parent) if parent else None,
        "notes": _notes_json(item.notes),
    }


def dump(store: Store) -> dict[str, Any]:
    """Everything in the sandbox, in the documented shape."""
    with store.lock:
        return {
            "users": [{"username": u.username, "name": u.name} for u in store.users.values()],
            "groups": [
                {
                    "id": g.id,
                    "full_path": g.full_path,
                    "name": g.name,
                    "description": g.description,
                    "members": list(g.members),
                    "labels": [
                        {"title": lb.title, "color": lb.color, "description": lb.description}
                        for lb in store.group_labels(g)
                    ],
                }
                for g in store.groups.values()
            ],
            "projects": [
                {"id": p.id, "path_with_namespace": p.path_with_namespace, "name": p.name}
                for p in store.projects.values()
            ],
            "epics": [_item_json(store, i) for i in store.iter_items("epic")],
            "issues": [_item_json(store, i) for i in store.iter_items("issue")],
            "artifacts": [
                {
                    "project": store.projects[a.project_id].path_with_namespace,
                    "ref": a.ref,
                    "job": a.job,
                    "path": a.path,
                    "content": a.content,
                }
                for a in store.artifacts
            ],
        }


def load(store: Store, data: Any) -> dict[str, int]:
    """Validate ``data`` and add it; returns how many records of each kind were added.

    Groups that already exist are reused (their labels and members extended); an epic or
    issue whose iid is taken is an error. Labels that items use but no group defines are
    created at the item's top-level group, so hand-written data stays short.
    """
    errors = sorted(
        jsonschema.Draft202012Validator(shape_schema()).iter_errors(data),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise ShapeError(f"{where}: {errors[0].message}")
    with store.lock:
        try:
            return _load(store, data)
        except NotFound as exc:
            raise ShapeError(f"unknown {exc.kind.lower()}: {exc}") from None


def _load(store: Store, data: dict[str, Any]) -> dict[str, int]:
    now = store.clock()
    added = {"groups": 0, "projects": 0, "epics": 0, "issues": 0, "artifacts": 0}
    for user in data.get("users", []):
        store.user(user["username"], user.get("name"))
    for spec in sorted(data.get("groups", []), key=lambda g: g["full_path"].count("/")):
        added["groups"] += _load_group(store, spec)
    for spec in data.get("projects", []):
        namespace, _, path = spec["path_with_namespace"].rpartition("/")
        group = store.group(namespace)
        project = Project(
            store.next_id("project"),
            path,
            spec.get("name", path),
            group.id,
            spec["path_with_namespace"],
        )
        store.projects[project.id] = project
        added["projects"] += 1
    created: list[tuple[WorkItem, dict[str, Any]]] = []
    for kind, key in (("issue", "issues"), ("epic", "epics")):
        for spec in data.get(key, []):
            created.append((_load_item(store, kind, spec, now), spec))
            added[key] += 1
    for item, spec in created:
        for reference in spec.get("children", []):
            child = _resolve(store, reference)
            child.parent_id = item.id
            if child.id not in item.children:
                item.children.append(child.id)
    for spec in data.get("artifacts", []):
        project = store.project(spec["project"])
        store.artifacts.append(
            Artifact(project.id, spec["ref"], spec["job"], spec["path"], spec["content"])
        )
        added["artifacts"] += 1
    return added


def _load_group(store: Store, spec: dict[str, Any]) -> int:
    full_path: str = spec["full_path"]
    try:
        group = store.group(full_path)
        new = 0
    except NotFound:
        parent_path, _, path = full_path.rpartition("/")
        parent = store.group(parent_path) if parent_path else None
        group = Group(
            store.next_id("group"),
            path,
            spec.get("name", path),
            full_path,
            parent.id if parent else None,
            spec.get("description", ""),
        )
        store.add_group(group)
        new = 1
    for member in spec.get("members", []):
        store.user(member)
        if member not in group.members:
            group.members.append(member)
    for label in spec.get("labels", []):
        if all(lb.title != label["title"] for lb in store.group_labels(group)):
            store.create_label(
                group, label["title"], label.get("color", "#6699cc"), label.get("description", "")
            )
    return new


def _load_item(store: Store, kind: str, spec: dict[str, Any], now: datetime) -> WorkItem:
    if kind == "epic":
        group = store.group(spec["group"])
        owner_id = group.id
        owner: dict[str, Any] = {"group_id": group.id}
    else:
        project = store.project(spec["project"])
        group = store.groups[project.group_id]
        owner_id = project.id
        owner = {"project_id": project.id}
    iid = spec.get("iid") or store.next_iid(kind, owner_id)
    if store.iid_taken(kind, owner_id, iid):
        raise ShapeError(
            f"{kind} {spec.get('group') or spec.get('project')} iid {iid} already exists"
        )
    created = _time(spec.get("created_at"), now)
    item = WorkItem(
        store.next_id("work_item"),
        iid,
        kind,
        spec["title"],
        spec.get("author", "csm"),
        created,
        _time(spec.get("updated_at"), created),
        **owner,
        description=spec.get("description", ""),
        labels=list(spec.get("labels", [])),
        state=spec.get("state", "opened"),
        confidential=spec.get("confidential", False),
        start_date=_date(spec.get("start_date")),
        due_date=_date(spec.get("due_date")),
        assignees=list(spec.get("assignees", [])),
        closed_at=_time(spec["closed_at"], now) if spec.get("closed_at") else None,
    )
    for name in [item.author, *item.assignees]:
        store.user(name)
    known = {lb.title for lb in store.labels_for(item)}
    for title in item.labels:
        if title not in known:
            store.create_label(store.ancestors(group)[-1], title)
    for note in spec.get("notes", []):
        at = _time(note.get("created_at"), item.created_at)
        store.user(note["author"])
        item.notes.append(
            Note(
                store.next_id("note"),
                note["body"],
                note["author"],
                at,
                _time(note.get("updated_at"), at),
                note.get("system", False),
                note.get("internal", False),
                awards=[
                    Award(store.next_id("award"), a["name"], store.user(a["user"]).username, at)
                    for a in note.get("awards", [])
                ],
            )
        )
    # An update later than every note can only have been an edit: record it as one, as
    # GitLab would have (lastEditedAt), so "when did a person last change this" has an answer.
    latest = max([item.created_at, *(n.updated_at for n in item.notes)])
    if item.updated_at > latest:
        item.last_edited_at = item.updated_at
    store.add_item(item)
    return item


def _resolve(store: Store, reference: str) -> WorkItem:
    """An item from a GitLab reference: ``group&iid`` for epics, ``group/project#iid``."""
    if "&" in reference:
        path, _, iid = reference.rpartition("&")
        return store.epic(store.group(path), int(iid))
    path, _, iid = reference.rpartition("#")
    if not path or not iid.isdigit():
        raise ShapeError(f"bad reference '{reference}': use group&iid or group/project#iid")
    return store.issue(store.project(path), int(iid))
