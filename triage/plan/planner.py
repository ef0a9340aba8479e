"""One epic's plan: every write the bot intends, decided before anything is written.

From the assessment (what the policies find), what the bot already has on the epic (its
note, or old-format comments, from GitLab or from the write cache) and the drafts, the
planner decides: create, update or leave the note, with its full text and whom it
mentions; move old-format comments into it; add and remove labels. Applying only carries
these writes out; a dry run prints them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from triage.plan.assess import Assessment, Section
from triage.plan.edits import Edit, ticked
from triage.plan.marker import Existing, NoteMarker, fingerprint
from triage.plan.note_text import DRAFT_ON_APPLY, FixedLine, heading_of, moved_text, render_note
from triage.policy.effects import UNRANKED, Mention


class WriteKind(StrEnum):
    CREATE_NOTE = "create note"
    UPDATE_NOTE = "update note"
    MOVE_COMMENT = "move comment"  # an old-format comment becomes a pointer to the note
    LABELS = "labels"
    DELETE_NOTE = "delete duplicate note"  # a second note of the bot's on the epic


@dataclass(frozen=True)
class Write:
    """One write the plan intends. ``note_id`` is the note to edit (update, move)."""

    kind: WriteKind
    body: str = ""
    note_id: str | None = None
    internal: bool = False
    mentions: tuple[str, ...] = ()
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    previous: str | None = None  # the note's text before, when known (for --diff)
    reply_to: str | None = None  # the thread of a note a person rewrote: reply there

    def describe(self) -> str:
        if self.kind is WriteKind.LABELS:
            return " ".join(
                [*(f"+~{label}" for label in self.add_labels)]
                + [f"-~{label}" for label in self.remove_labels]
            )
        who = f", mentions @{', @'.join(self.mentions)}" if self.mentions else ""
        where = " (a reply: a person edited the note)" if self.reply_to else ""
        return f"{self.kind.value}{where}{who}"


@dataclass(frozen=True)
class Drafts:
    """Drafted fixes per rule, rendered; ``failed`` when a drafter failed, so the note's
    fingerprint cannot match and the next run tries again."""

    texts: Mapping[str, str] = field(default_factory=dict)
    failed: bool = False
    pending: bool = False  # a dry run: drafts are made only when the run applies
    use_case: str = ""  # the suggested UseCase:: label, for templates with {use_case}


@dataclass(frozen=True)
class EpicPlan:
    assessment: Assessment
    writes: tuple[Write, ...] = ()
    sections: tuple[str, ...] = ()  # rules with an open section in the planned note
    fixed: tuple[str, ...] = ()  # rules whose section this plan marks fixed
    limited: tuple[str, ...] = ()  # rules left out: their limit of epics was reached
    marker: NoteMarker | None = None

    @property
    def note_write(self) -> Write | None:
        return next(
            (w for w in self.writes if w.kind in (WriteKind.CREATE_NOTE, WriteKind.UPDATE_NOTE)),
            None,
        )

    @property
    def mentions(self) -> tuple[str, ...]:
        return tuple(m for w in self.writes for m in w.mentions)

    @property
    def summary_headings(self) -> tuple[str, ...]:
        """The headings the epic belongs under, the most urgent first (the summary lists
        it under that one only)."""
        ranked = sorted(
            (
                (s.effects.summary_rank or UNRANKED, index, heading)
                for index, s in enumerate(self.assessment.sections)
                if s.name not in self.limited and (heading := s.effects.summary_heading)
            ),
        )
        return tuple(dict.fromkeys(heading for _, _, heading in ranked))


def note_url(web_url: str, note_id: str) -> str:
    return f"{web_url}#note_{note_id.rsplit('/', 1)[-1]}"


def plan_epic(
    assessment: Assessment,
    existing: Existing,
    templates: Mapping[str, str],
    today: date,
    drafts: Drafts | None = None,
    limited: frozenset[str] = frozenset(),
) -> EpicPlan:
    """The writes for one epic. ``limited``: rules whose per-run limit of epics is spent
    (they keep a section the note already has, but add none)."""
    if assessment.skipped:
        return EpicPlan(assessment)
    drafts = drafts or Drafts()
    epic = assessment.epic
    known_open = existing.open_rules
    kept = tuple(
        s
        for s in assessment.sections
        if s.effects.writes_section and (s.name not in limited or s.name in known_open)
    )
    left_out = tuple(s.name for s in assessment.sections if s.name in limited and s not in kept)
    open_rules = tuple(s.name for s in kept)
    writes: list[Write] = []

    marker, fixed_lines = _marker(assessment, existing, kept, today, drafts, templates)
    unchanged = (
        existing.note is not None
        and existing.note.marker.fingerprint == marker.fingerprint
        and existing.note.marker.open == marker.open
    )
    needs_note = bool(kept) or existing.note is not None or any(c.open for c in existing.legacy)
    # A person deleted the note: it comes back only when what it would say changes.
    if existing.note is None and existing.deleted and existing.deleted.keys == marker.keys:
        needs_note = False
    if needs_note and not unchanged:
        mention = _mention(assessment, existing, kept)
        marker = NoteMarker(
            marker.fingerprint,
            marker.open,
            marker.fixed,
            _told(existing, kept, mention),
            marker.keys,
        )
        edit = existing.edit
        body = render_note(
            assessment,
            kept,
            templates,
            _suggestions(kept, drafts),
            fixed_lines,
            mention,
            marker,
            ticked(existing.note.body or "") if existing.note and edit is Edit.TICKS else None,
            drafts.use_case,
        )
        mentions = (mention,) if mention else ()
        internal = any(s.effects.internal for s in kept)
        if existing.note is not None and edit is Edit.REWRITTEN:
            # Never overwrite a person's words: the update goes in a reply in their thread,
            # which GitLab makes as visible as the thread; else in a note of its own.
            same = existing.note.internal == internal
            writes.append(
                Write(
                    WriteKind.CREATE_NOTE,
                    body,
                    None,
                    internal,
                    mentions,
                    reply_to=existing.note.discussion if same else None,
                )
            )
        elif existing.note is not None:
            writes.append(
                Write(
                    WriteKind.UPDATE_NOTE,
                    body,
                    existing.note.id,
                    internal,
                    mentions,
                    previous=existing.note.body,
                )
            )
        elif existing.legacy:
            target = existing.legacy[0]
            writes.append(Write(WriteKind.UPDATE_NOTE, body, target.id, internal, mentions))
        else:
            writes.append(Write(WriteKind.CREATE_NOTE, body, None, internal, mentions))
    if writes or existing.note is not None:  # pointers need a note to point to
        writes += _moves(existing, epic.web_url)
    writes += [Write(WriteKind.DELETE_NOTE, note_id=d) for d in existing.duplicates]
    labels = _labels(assessment, kept)
    if labels.add_labels or labels.remove_labels:
        writes.append(labels)
    snoozed = {s.rule for s in assessment.snoozed}
    newly_fixed = tuple(r for r in known_open if r not in open_rules and r not in snoozed)
    return EpicPlan(assessment, tuple(writes), open_rules, newly_fixed, left_out, marker)


def _moves(existing: Existing, web_url: str) -> list[Write]:
    """Old-format comments left over become pointers to the note: all of them when the
    note exists (a run that died while moving them), else all but the first, which
    becomes the note."""
    if not existing.legacy:
        return []
    if existing.note is not None:
        target, rest = existing.note.id, existing.legacy
    else:
        target, rest = existing.legacy[0].id, existing.legacy[1:]
    pointer = moved_text(note_url(web_url, target))
    return [Write(WriteKind.MOVE_COMMENT, pointer, comment.id) for comment in rest]


def _marker(
    assessment: Assessment,
    existing: Existing,
    kept: tuple[Section, ...],
    today: date,
    drafts: Drafts,
    templates: Mapping[str, str],
) -> tuple[NoteMarker, list[FixedLine]]:
    open_rules = tuple(s.name for s in kept)
    snoozed = {s.rule for s in assessment.snoozed}  # switched off, not fixed
    earlier = dict(existing.note.marker.fixed) if existing.note else {}
    for rule in existing.open_rules:
        if rule not in open_rules and rule not in snoozed:
            earlier[rule] = today
    fixed = {
        rule: since
        for rule, since in earlier.items()
        if rule not in open_rules and rule not in snoozed
    }
    fp = assessment.fingerprint_of(open_rules)
    if drafts.failed:
        fp = fingerprint({"base": fp, "draft": "failed"})
    told = _told_before(existing)
    lines = [
        FixedLine(rule, heading_of(templates.get(rule, ""), rule), since)
        for rule, since in fixed.items()
    ]
    keys = fingerprint({"keys": sorted({key for s in kept for key in s.keys})})
    return NoteMarker(fp, open_rules, tuple(fixed.items()), told, keys), lines


def _mention(assessment: Assessment, existing: Existing, kept: tuple[Section, ...]) -> str | None:
    """The owner, when the note gains a finding of a ``mention: owner`` rule that the owner
    has not been told about; nobody while old-format comments are moved (they were told)."""
    if existing.legacy and existing.note is None:
        return None
    told = _told_before(existing)
    keys = _mentioning_keys(kept)
    target = assessment.mention_target
    return target if target and keys - told else None


def _told(existing: Existing, kept: tuple[Section, ...], mention: str | None) -> frozenset[str]:
    """Findings the owner knows of after this write: those told before that are still
    open, plus every finding of a mentioning rule when the owner is mentioned now (or was
    told through the old-format comments being moved)."""
    current = _mentioning_keys(kept)
    before = _told_before(existing)
    if mention or (existing.legacy and existing.note is None):
        return frozenset(current)
    return frozenset(before & current)


def _told_before(existing: Existing) -> frozenset[str]:
    """What the owner was told: by the note, or by the note a person deleted."""
    if existing.note is not None:
        return existing.note.marker.told
    return existing.deleted.told if existing.deleted is not None else frozenset()


def _mentioning_keys(kept: tuple[Section, ...]) -> set[str]:
    return {key for s in kept if s.effects.mention is Mention.OWNER for key in s.keys}


def _suggestions(kept: tuple[Section, ...], drafts: Drafts) -> dict[str, str]:
    """Drafts go only into sections whose rule asks for one."""
    placeholder = DRAFT_ON_APPLY if drafts.pending else ""
    return {s.name: drafts.texts.get(s.name, placeholder) for s in kept if s.effects.prompt}


def _labels(assessment: Assessment, kept: tuple[Section, ...]) -> Write:
    epic = assessment.epic
    wanted: list[str] = []
    remove: list[str] = []
    kept_rules = {s.name for s in kept}
    for section in assessment.sections:
        if section.name not in kept_rules and section.effects.writes_section:
            continue  # limited: no labels either
        wanted += section.effects.add_labels
        remove += [label for label in section.effects.remove_labels if label in epic.labels]
    # A label a matching rule adds is not resolved because another rule stopped matching:
    # removing it would make the next run add it again, every week.
    for rule in assessment.unmatched:
        remove += [
            label
            for label in rule.effects.remove_when_resolved
            if label in epic.labels and label not in wanted
        ]
    add = [label for label in wanted if label not in epic.labels]
    remove = list(dict.fromkeys(remove))
    add = [label for label in dict.fromkeys(add) if label not in remove]
    return Write(WriteKind.LABELS, add_labels=tuple(add), remove_labels=tuple(remove))
