"""One epic, in a worker thread: read what is needed, assess, draft, plan, apply.

Reads are spent only where they decide something: the epic's notes are read when the write
cache cannot say what the bot has on the epic (first run, lost or foreign cache, or the epic
changed since the cache learnt it) or when ``--diff`` needs the note's text; the drafter is
called only when the note will be written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from triage.apply import EpicResult, Writer, apply_plan, planned
from triage.cache import Written
from triage.errors import GitLabError, LLMError, LLMKeyRefused
from triage.gitlab.reads import comments
from triage.llm.assessor import OpenAIAssessor
from triage.llm.feedback import DraftRecord
from triage.llm.feedback import drafted as new_draft
from triage.llm.kpi_library import KpiLibrary, load_library
from triage.llm.suggestion import Drafter, render_suggestion
from triage.llm.use_case import PREFIX, render_use_case, suggest_use_case
from triage.pipeline.draft_feedback import read_feedback, record_feedback
from triage.pipeline.limits import RuleLimits
from triage.plan.assess import Assessment, assess, last_human_activity
from triage.plan.marker import Existing, find_existing, fingerprint
from triage.plan.planner import Drafts, EpicPlan, WriteKind, plan_epic
from triage.policy.model import PolicySet
from triage.records import Epic
from triage.smart.checker import Checker
from triage.smart.second_opinion import Opinion, merge


def _opinions(stored: str) -> dict[str, Opinion] | None:
    """A stored opinion read back; anything unreadable is no opinion (a cache)."""
    try:
        data = json.loads(stored)
        return {
            e: Opinion(bool(v[0]), v[1] if isinstance(v[1], str) else None) for e, v in data.items()
        }
    except (ValueError, TypeError, IndexError, AttributeError):
        return None


@dataclass
class EpicWorker:
    writer: Writer
    policies: PolicySet
    checker: Checker
    templates: Mapping[str, str]
    drafters: Mapping[str, Drafter]  # prompt name -> drafter
    identities: Mapping[str, str]
    limits: RuleLimits
    now: datetime
    dry_run: bool
    diff: bool = False
    assessor: OpenAIAssessor | None = None  # the model's second opinion, when asked for
    key_refused: str | None = None  # set once the model refused the key: no more calls

    def __call__(self, fetched: Epic) -> EpicResult:
        try:
            existing, human = self._learn(fetched)
        except GitLabError as exc:
            self._unless_gone(exc)
            return EpicResult(EpicPlan(self._assess(fetched)), error=str(exc))
        epic = replace(fetched, updated_at=human) if human != fetched.updated_at else fetched
        assessment = self._assess(epic)
        if assessment.skipped:
            return EpicResult(EpicPlan(assessment))
        try:
            if self.diff and self._text_missing(existing):
                found = find_existing(comments(self.writer.gl, epic.id), self.writer.bot)
                existing = self._reconcile(epic.id, existing, found)
        except GitLabError as exc:
            self._unless_gone(exc)
            return EpicResult(EpicPlan(assessment), error=str(exc))
        existing, stored, reactions = read_feedback(
            self.writer, self.policies, fetched, epic.description, existing
        )
        drafted: dict[str, DraftRecord] = {}
        result = self._plan_and_apply(assessment, existing, drafted)
        return record_feedback(self.writer, self.dry_run, epic, result, stored, reactions, drafted)

    def _unless_gone(self, exc: GitLabError) -> None:
        """Re-raise ``exc`` when GitLab gave no answer before any write of the run: then
        the run stops with exit 4 (``weekly_run._process``) rather than failing every epic
        in turn, each after its own timeouts, and calling the model for notes it cannot
        post. Otherwise the failure is this epic's alone."""
        if self.writer.gl.unreachable_before_writing(exc):
            raise exc

    def _learn(self, fetched: Epic) -> tuple[Existing, datetime | None]:
        """What the bot has on the epic and when a person last touched it: from the cache
        while the epic's ``updatedAt`` is the one it was learnt at, else from the epic's
        notes (remembered, on an --apply run, for the next run)."""
        cache = self.writer.cache
        known = cache.known(fetched.id, fetched.updated_at)
        if known is not None:
            return known.existing, known.human
        notes = comments(self.writer.gl, fetched.id)
        human = last_human_activity(fetched, notes, self.writer.bot)
        # What the cache last knew, whatever happened since, tells one thing GitLab cannot:
        # that a note the bot wrote is gone because a person deleted it.
        existing = self._reconcile(
            fetched.id, cache.existing(fetched.id), find_existing(notes, self.writer.bot)
        )
        if not self.dry_run and fetched.updated_at and human and not existing.legacy:
            cache.record(
                fetched.id,
                Written(
                    existing.note,
                    fetched.updated_at.isoformat(),
                    human.isoformat(),
                    no_note=existing.note is None and existing.deleted is None,
                ),
            )
        return existing, human

    def _assess(self, epic: Epic, opinions: Mapping[str, Opinion] | None = None) -> Assessment:
        """The policies' findings; with a second opinion (given, or stored for this very
        text), merged into the rules' check. An unchanged epic costs no model call."""
        check, extra = self.checker.check(epic), None
        if self._asks_model(epic):
            assert self.assessor is not None
            extra = {"assessor": self.assessor.identity}
            if opinions is None:
                stored = self.writer.cache.opinion(epic.id, self._opinion_key(epic))
                opinions = _opinions(stored) if stored else None
            if opinions is not None:
                check = merge(check, opinions, epic.title, epic.description)
        return assess(
            epic,
            self.policies,
            self.checker,
            self.now,
            self.templates,
            self.identities,
            check=check,
            extra_parts=extra,
        )

    def _asks_model(self, epic: Epic) -> bool:
        return self.assessor is not None and not epic.confidential

    def _opinion_key(self, epic: Epic) -> str:
        assert self.assessor is not None
        return fingerprint(
            {
                "title": epic.title,
                "description": epic.description,
                "due_date": epic.due_date,
                "assessor": self.assessor.identity,
            }
        )

    def _second_opinion(self, assessment: Assessment, result: EpicResult) -> Assessment | None:
        """Ask the model once for this text, remember its answer, merge it; None when
        nothing new was learnt (no model, budget spent, or a failed call)."""
        epic = assessment.epic
        if not self._asks_model(epic):
            return None
        key = self._opinion_key(epic)
        if self.writer.cache.opinion(epic.id, key) is not None:
            return None  # already merged in _assess
        assert self.assessor is not None
        if self.key_refused:
            return None
        try:
            opinions = self.assessor.assess(epic, assessment.check)
        except LLMKeyRefused as exc:
            self.key_refused = result.llm_error = str(exc)
            return None
        except LLMError as exc:
            result.llm_error = str(exc)
            return None
        if opinions is None:
            return None
        result.llm_calls += 1
        stored = {e: [o.present, o.quote] for e, o in opinions.items()}
        self.writer.cache.remember_opinion(epic.id, key, json.dumps(stored))
        return self._assess(epic, opinions)

    @staticmethod
    def _unread_update(plan: EpicPlan, existing: Existing) -> bool:
        write = plan.note_write
        return (
            write is not None
            and write.kind is WriteKind.UPDATE_NOTE
            and existing.note is not None
            and existing.note.body is None
        )

    def _reread(self, epic_id: str, cached: Existing) -> Existing:
        found = find_existing(comments(self.writer.gl, epic_id), self.writer.bot)
        return self._reconcile(epic_id, cached, found)

    def _reconcile(self, epic_id: str, cached: Existing | None, found: Existing) -> Existing:
        """What is on the epic now (``found``), with the one thing only the cache can know:
        a note the cache knows that is gone from the epic was deleted by a person."""
        if found.note is not None or cached is None:
            return found
        if cached.deleted is not None:
            return replace(found, deleted=cached.deleted)
        if cached.note is None:
            return found
        if not self.dry_run:
            self.writer.cache.forget_note(epic_id, cached.note.marker)
        return replace(found, deleted=cached.note.marker)

    @staticmethod
    def _text_missing(existing: Existing) -> bool:
        return existing.note is not None and existing.note.body is None

    def _plan_and_apply(
        self,
        assessment: Assessment,
        existing: Existing,
        drafted: dict[str, DraftRecord] | None = None,
    ) -> EpicResult:
        before = existing.open_rules
        new = [
            s.name for s in assessment.sections if s.effects.writes_section and s.name not in before
        ]
        limited = self.limits.spent(new)
        today = self.now.date()
        plan = plan_epic(assessment, existing, self.templates, today, Drafts(pending=True), limited)
        if self._unread_update(plan, existing):
            # Only the cache knew the note: read it before writing over it, as a person
            # may have ticked, rewritten or deleted it since.
            try:
                existing = self._reread(assessment.epic.id, existing)
            except GitLabError as exc:
                self._unless_gone(exc)
                return EpicResult(plan, error=str(exc))
            plan = plan_epic(
                assessment, existing, self.templates, today, Drafts(pending=True), limited
            )
        use_case = self._use_case(plan) if plan.note_write is not None else ""
        pending = Drafts(pending=True, use_case=use_case)
        if use_case:
            plan = plan_epic(assessment, existing, self.templates, today, pending, limited)
        if self.dry_run:
            return planned(plan, EpicResult(plan))
        if plan.note_write is None:  # labels at most: no draft is needed
            return apply_plan(plan, self.writer, EpicResult(plan))
        result = EpicResult(plan)
        second = self._second_opinion(assessment, result)
        if second is not None:  # the model's reading may close or open sections
            assessment = second
            plan = plan_epic(assessment, existing, self.templates, today, pending, limited)
            result.plan = plan
            if plan.note_write is None:
                return apply_plan(plan, self.writer, result)
        drafts = replace(self._drafts(plan, result, drafted), use_case=use_case)
        plan = plan_epic(assessment, existing, self.templates, today, drafts, limited)
        result.plan = plan
        return apply_plan(plan, self.writer, result)

    @cached_property
    def kpi_library(self) -> KpiLibrary:
        """The KPI library (checked before the run's first request by the drafters'
        factory); its words point to use cases too."""
        return load_library(self.policies.policy_dir)

    def _use_case(self, plan: EpicPlan) -> str:
        """The suggested ``UseCase::`` label, for a note that will be written with a section
        whose template shows it; the group's labels are read once per group and run. A
        failed read costs the hint, never the epic (no answer before any write stops the
        run, as everywhere)."""
        epic = plan.assessment.epic
        if any(label.startswith(PREFIX) for label in epic.labels):
            return ""
        if not any("{use_case}" in self.templates.get(rule, "") for rule in plan.sections):
            return ""
        try:
            labels = self.writer.labels.titles(epic.group)
        except GitLabError as exc:
            self._unless_gone(exc)
            return ""
        return render_use_case(suggest_use_case(epic, self.kpi_library, labels))

    def _drafts(
        self, plan: EpicPlan, result: EpicResult, drafted: dict[str, DraftRecord] | None = None
    ) -> Drafts:
        """Drafted fixes for the sections that ask for one; confidential epics only where
        the rule allows sending them to the model."""
        epic, texts, failed = plan.assessment.epic, {}, False
        for section in plan.assessment.sections:
            effects = section.effects
            if section.name not in plan.sections or not effects.prompt:
                continue
            if epic.confidential and not effects.allow_confidential:
                continue
            if self.key_refused:
                result.llm_error, failed = self.key_refused, True
                continue
            try:
                suggestion = self.drafters[effects.prompt].draft(epic, plan.assessment.check)
            except LLMKeyRefused as exc:
                self.key_refused = str(exc)
                result.llm_error, failed = str(exc), True
                continue
            except LLMError as exc:
                result.llm_error, failed = str(exc), True
                continue
            result.llm_calls += int(bool(suggestion and suggestion.source != "template"))
            texts[section.name] = render_suggestion(suggestion)
            if suggestion is not None and suggestion.criteria and drafted is not None:
                drafted[section.name] = new_draft(section.name, suggestion, epic.description)
        return Drafts(texts, failed)
