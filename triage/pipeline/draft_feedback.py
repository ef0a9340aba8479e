"""Feedback on one epic's drafts, around its plan: read before, recorded after.

Reactions on the bot's note come with the epic's notes: where this run read them anyway,
or where the epic changed since the bot's last write (reacting does not move an epic's
``updatedAt`` in GitLab, so a quiet week reads nothing more). What the note drafted comes
from the write cache, or from the note itself when the cache lost it. After the plan, the
drafts just written replace the old ones, keeping the note's votes and any adoption seen.
"""

from __future__ import annotations

from dataclasses import replace

from triage.apply import EpicResult, Status, Writer
from triage.errors import GitLabError
from triage.gitlab.reads import comments
from triage.llm.feedback import DraftRecord, from_note, update, votes
from triage.plan.marker import Existing, find_existing
from triage.plan.planner import WriteKind
from triage.policy.model import PolicySet
from triage.records import Epic

NOTE_WRITES = (WriteKind.CREATE_NOTE, WriteKind.UPDATE_NOTE)
Votes = tuple[int, int] | None  # thumbs up, thumbs down; None when the note was not read


def stored_drafts(writer: Writer, epic_id: str) -> dict[str, DraftRecord]:
    records = (DraftRecord.from_json(text) for text in writer.cache.drafts(epic_id))
    return {record.rule: record for record in records if record is not None}


def read_feedback(
    writer: Writer, policies: PolicySet, fetched: Epic, description: str, existing: Existing
) -> tuple[Existing, dict[str, DraftRecord], Votes]:
    """What the bot's note drafted and, where its notes are (or are now) read, the votes
    on it; ``existing`` comes back fresh when the notes were read here."""
    stored = stored_drafts(writer, fetched.id)
    if existing.note is not None and existing.note.body is not None:  # read this run
        if not stored:  # a lost cache: the note itself says what it drafted
            drafting = [r.name for r in policies.rules if r.effects.prompt]
            rules = [rule for rule in existing.note.marker.open if rule in drafting]
            stored = from_note(existing.note.body, rules, description)
        return existing, stored, votes(existing.note.reactions, writer.bot)
    if stored and writer.cache.changed_since_write(fetched.id, fetched.updated_at):
        # A person who rates a draft usually also edits the objective: read the note there.
        try:
            fresh = find_existing(comments(writer.gl, fetched.id), writer.bot)
        except GitLabError as exc:
            if writer.gl.unreachable_before_writing(exc):
                raise  # GitLab is gone and nothing was written: the run stops
            return existing, stored, None  # the rating waits for another week
        if fresh.note is not None:
            return fresh, stored, votes(fresh.note.reactions, writer.bot)
        return fresh, stored, None
    return existing, stored, None


def record_feedback(
    writer: Writer,
    dry_run: bool,
    epic: Epic,
    result: EpicResult,
    stored: dict[str, DraftRecord],
    reactions: Votes,
    drafted: dict[str, DraftRecord],
) -> EpicResult:
    """What became of the drafts on this epic's note: rated (when the note was read),
    adopted (from the description), for the report; remembered after an applied run.

    A new draft keeps the note's reactions and an adoption already seen: re-drafting
    follows the very edit that adopted the last draft."""
    written = any(r.status is Status.DONE and r.write.kind in NOTE_WRITES for r in result.writes)
    sections = set(result.plan.sections)
    current = {
        rule: update(record, epic.description, reactions)
        for rule, record in stored.items()
        if rule in sections
    }
    if written and not dry_run:
        for rule, record in drafted.items():
            before = current.get(rule)
            kept = replace(
                record,
                up=before.up if before else 0,
                down=before.down if before else 0,
                adopted=bool(before and before.adopted),
            )
            current[rule] = update(kept, epic.description, reactions)
    if not dry_run and current != stored_drafts(writer, epic.id):
        writer.cache.remember_drafts(
            epic.id, {rule: r.to_json() for rule, r in current.items()}, set(current)
        )
    result.feedback = [record.report() for _, record in sorted(current.items())]
    return result
