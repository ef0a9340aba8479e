"""Plain records passed between layers: what the bot knows about an objective epic.

``triage.gitlab`` builds them from GitLab's work items, ``triage lint`` from a file in the
sandbox's JSON shape; checks, rules and reports read them. No behaviour, no client objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Epic:
    title: str
    description: str = ""
    labels: tuple[str, ...] = ()
    state: str = "opened"
    confidential: bool = False
    group: str = ""
    iid: int = 0
    id: str = ""
    author: str = ""
    assignees: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    start_date: date | None = None
    due_date: date | None = None
    web_url: str = ""
    children: int = 0  # number of child items (initiatives)
    label_ids: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (title, gid)
    reference: str = ""
    description_edited_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.reference and self.group:
            object.__setattr__(self, "reference", f"{self.group}&{self.iid}")


@dataclass(frozen=True)
class Note:
    """A comment on an epic, as far as the bot needs it."""

    id: str
    body: str
    author: str
    system: bool = False
    updated_at: datetime | None = None
