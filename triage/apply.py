"""Carry out one epic's plan: nothing is decided here, every write comes from the plan.

A failure is recorded on the epic's result and the run goes on. When creating a note fails
in a way that may have saved it (a 5xx after GitLab wrote), the epic's notes are read again
before giving up, so a retry next week cannot leave two notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from triage.cache import WriteCache, Written
from triage.errors import GitLabError
from triage.gitlab import reads, writes
from triage.gitlab.client import GitLab
from triage.gitlab.lease import Lease
from triage.gitlab.writes import LabelDirectory
from triage.plan.marker import BotNote, find_existing
from triage.plan.planner import EpicPlan, Write, WriteKind


class Status(StrEnum):
    """What became of one intended write."""

    DONE = "done"
    PLANNED = "planned"  # a dry run: printed, not written


@dataclass(frozen=True)
class WriteResult:
    write: Write
    status: Status


@dataclass
class EpicResult:
    plan: EpicPlan
    writes: list[WriteResult] = field(default_factory=list)
    error: str | None = None
    llm_calls: int = 0
    llm_error: str | None = None
    feedback: list[dict[str, Any]] = field(default_factory=list)  # per drafted rule

    @property
    def written(self) -> int:
        return sum(r.status is Status.DONE for r in self.writes)


@dataclass
class Writer:
    """What applying needs: the client, the bot's name, the label ids, the cache."""

    gl: GitLab
    bot: str
    labels: LabelDirectory
    cache: WriteCache
    lease: Lease | None = None  # one writing run per group: held before the first write


def planned(plan: EpicPlan, result: EpicResult) -> EpicResult:
    """A dry run's result: every write printed, none made."""
    result.writes = [WriteResult(w, Status.PLANNED) for w in plan.writes]
    return result


def apply_plan(plan: EpicPlan, writer: Writer, result: EpicResult) -> EpicResult:
    """Make the plan's writes in order; the first failure ends this epic's writes."""
    epic = plan.assessment.epic
    touched: list[str] = []
    note: BotNote | None = None
    if plan.writes:
        writer.labels.ready()  # a missing label or right stops the run before any write
        if writer.lease is not None:  # another run writing here stops this one first
            writer.lease.ensure()
    try:
        for write in plan.writes:
            when, note_id = _WRITERS[write.kind](writer, epic.id, epic.group, write, plan)
            touched.append(when)
            if note_id and plan.marker is not None:
                note = BotNote(note_id, plan.marker)
            result.writes.append(WriteResult(write, Status.DONE))
    except GitLabError as exc:
        if writer.gl.unreachable_before_writing(exc):
            raise  # nothing written yet: the run stops as unreachable
        result.error = str(exc)
    finally:
        last = max((t for t in touched if t), default=None)
        human = epic.updated_at.isoformat() if epic.updated_at and last else None
        writer.cache.record(epic.id, Written(note, last, human))
    return result


Result = tuple[str, str | None]  # GitLab's time of the write, the note written (if any)


def _create(writer: Writer, epic_id: str, group: str, write: Write, plan: EpicPlan) -> Result:
    try:
        note_id, when = writes.create_note(
            writer.gl, epic_id, write.body, write.internal, write.reply_to
        )
        return when, note_id
    except GitLabError:
        found = find_existing(reads.comments(writer.gl, epic_id), writer.bot).note
        if found and plan.marker and found.marker.fingerprint == plan.marker.fingerprint:
            return "", found.id
        raise


def _update(writer: Writer, epic_id: str, group: str, write: Write, plan: EpicPlan) -> Result:
    assert write.note_id is not None
    return writes.update_note(writer.gl, write.note_id, write.body), write.note_id


def _move(writer: Writer, epic_id: str, group: str, write: Write, plan: EpicPlan) -> Result:
    assert write.note_id is not None
    return writes.update_note(writer.gl, write.note_id, write.body), None


def _labels(writer: Writer, epic_id: str, group: str, write: Write, plan: EpicPlan) -> Result:
    ids = dict(plan.assessment.epic.label_ids)
    add_ids = writer.labels.ids(group, list(write.add_labels)) if write.add_labels else []
    remove_ids = [ids[label] for label in write.remove_labels if label in ids]
    return writes.update_labels(writer.gl, epic_id, add_ids, remove_ids), None


def _delete(writer: Writer, epic_id: str, group: str, write: Write, plan: EpicPlan) -> Result:
    assert write.note_id is not None
    writes.destroy_note(writer.gl, write.note_id)
    return "", None


_WRITERS: dict[WriteKind, Callable[[Writer, str, str, Write, EpicPlan], Result]] = {
    WriteKind.CREATE_NOTE: _create,
    WriteKind.UPDATE_NOTE: _update,
    WriteKind.MOVE_COMMENT: _move,
    WriteKind.LABELS: _labels,
    WriteKind.DELETE_NOTE: _delete,
}
