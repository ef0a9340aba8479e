"""The sandbox's in-memory records: plain dataclasses, no behaviour beyond naming.

The shapes follow GitLab's own objects closely enough that the GraphQL and REST layers
are thin translations. Issues and epics are both work items, and share one id sequence,
as they do in GitLab (an epic's work item id differs from its legacy epic id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class User:
    id: int
    username: str
    name: str


@dataclass
class Label:
    id: int
    title: str
    color: str = "#6699cc"
    description: str = ""
    group_id: int | None = None
    project_id: int | None = None


@dataclass
class Group:
    id: int
    path: str
    name: str
    full_path: str
    parent_id: int | None = None
    description: str = ""
    members: list[str] = field(default_factory=list)


@dataclass
class Project:
    id: int
    path: str
    name: str
    group_id: int
    path_with_namespace: str
    default_branch: str = "main"


@dataclass
class Award:
    """An emoji reaction (GitLab's ``AwardEmoji``): one per user and name on an awardable."""

    id: int
    name: str  # without colons: thumbsup, thumbsdown, rocket
    user: str
    created_at: datetime


@dataclass
class Note:
    id: int
    body: str
    author: str
    created_at: datetime
    updated_at: datetime
    system: bool = False
    internal: bool = False
    # The first note of the thread this note replies to; None: it starts its own thread
    # (GitLab wraps every standalone comment in a discussion of its own).
    thread: int | None = None
    awards: list[Award] = field(default_factory=list)


@dataclass
class WorkItem:
    """An epic (``kind == "epic"``, owned by a group) or an issue (owned by a project)."""

    id: int
    iid: int
    kind: str
    title: str
    author: str
    created_at: datetime
    updated_at: datetime
    group_id: int | None = None
    project_id: int | None = None
    description: str = ""
    labels: list[str] = field(default_factory=list)
    state: str = "opened"
    confidential: bool = False
    start_date: date | None = None
    due_date: date | None = None
    assignees: list[str] = field(default_factory=list)
    closed_at: datetime | None = None
    parent_id: int | None = None
    children: list[int] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    last_edited_at: datetime | None = None


@dataclass
class Artifact:
    project_id: int
    ref: str
    job: str
    path: str
    content: str
