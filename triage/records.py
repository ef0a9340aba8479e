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
    children: tuple[str, ...] = field(default=())  # titles of child items (initiatives)

    @property
    def reference(self) -> str:
        return f"{self.group}&{self.iid}"
