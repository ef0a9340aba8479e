"""Plain records passed between layers: what the bot knows about an objective epic, and
what a run did to it.

``triage.gitlab`` builds epics from GitLab's work items, ``triage lint`` from a file in the
sandbox's JSON shape; checks, rules and reports read them. The report's per-epic record is
here too, because the summary reads it. No behaviour, no client objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Initiative:
    """A child issue of an objective: one step of its plan, with an owner and dates.

    Read with the objective in the same page query (the hierarchy widget's children), so
    knowing the initiatives costs no request per objective."""

    title: str
    state: str = "opened"  # opened or closed
    id: str = ""
    reference: str = ""  # group/project#iid
    web_url: str = ""
    assignees: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    start_date: date | None = None
    due_date: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    confidential: bool = False

    @property
    def open(self) -> bool:
        return self.state == "opened"


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
    group_name: str = ""  # GitLab's full name of the group: "Acme Corp / EMEA"
    people: tuple[tuple[str, str], ...] = ()  # (username, display name) of author, assignees
    # the child issues read with the epic; ``children`` counts every child item
    initiatives: tuple[Initiative, ...] = ()
    closed_at: datetime | None = None

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
    discussion_id: str | None = None  # the thread it is in, as a reply names it
    internal: bool = False
    reactions: tuple[tuple[str, str], ...] = ()  # (emoji name, username) on the note


@dataclass(frozen=True)
class WriteRecord:
    """One write of a run, as the report keeps it."""

    kind: str  # create note, update note, move comment, labels
    status: str  # done, planned, failed
    detail: str = ""


@dataclass(frozen=True)
class EpicRecord:
    """One epic's line of the run report: what was found and what was written.

    The report writes it as JSON, ``triage summarize`` reads it back, the weekly summary
    and the demo read its fields; no description text, and confidential epics are marked
    so the summary shows them as counts only."""

    reference: str
    id: str
    url: str
    title: str
    group: str
    confidential: bool = False
    owner: str | None = None
    author: str = ""
    assignees: tuple[str, ...] = ()
    due_date: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    vo_stage: str = "none"
    initiatives: int = 0
    skipped: str | None = None
    missing: tuple[str, ...] = ()  # SMART elements missing
    findings: tuple[str, ...] = ()  # every finding id of the checker
    rules: tuple[str, ...] = ()  # matched rules
    reasons: tuple[str, ...] = ()  # keys of the reasons the matched rules give
    summary: tuple[str, ...] = ()  # summary headings the epic is listed under
    sections: tuple[str, ...] = ()  # rules with an open section in the note
    mentioned: tuple[str, ...] = ()
    writes: tuple[WriteRecord, ...] = ()
    error: str | None = None
    llm_calls: int = 0
    llm_error: str | None = None
    # Per SMART element: decision, rule, line and the quoted words (no quote on a
    # confidential epic), so a wrong call can be seen and disputed from the report.
    elements: dict[str, dict[str, Any]] = field(default_factory=dict)
    owner_name: str | None = None  # display names, for the summary: "CSM North America"
    group_name: str = ""  # the group's full name: "Acme Corp / EMEA"
    snoozed: tuple[str, ...] = ()  # rules switched off by their CSM: "stale-objective (until ...)"
    # Per drafted rule: the drafter, whether the CSM rated the draft useful or wrong (a
    # reaction on the bot's note) and whether the description adopted it.
    feedback: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["writes"] = [asdict(w) for w in self.writes]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EpicRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key, value in values.items():
            if isinstance(value, list) and key != "writes":
                values[key] = tuple(value)
        values["writes"] = tuple(WriteRecord(**w) for w in data.get("writes", ()))
        return cls(**values)
