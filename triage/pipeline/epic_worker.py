"""One epic, in a worker thread: read what is needed, assess, draft, plan, apply.

Reads are spent only where they decide something: the epic's notes are read when the write
cache cannot say what the bot has on the epic (first run, lost cache) or when ``--diff``
needs the note's text; the drafter is called only when the note will be written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from triage.apply import EpicResult, Writer, apply_plan, planned
from triage.errors import GitLabError, LLMError
from triage.gitlab.reads import comments
from triage.llm.suggestion import Drafter, render_suggestion
from triage.pipeline.limits import RuleLimits
from triage.plan.assess import Assessment, assess, last_human_activity
from triage.plan.marker import Existing, find_existing
from triage.plan.planner import Drafts, EpicPlan, plan_epic
from triage.policy.model import PolicySet
from triage.records import Epic
from triage.smart.checker import Checker


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

    def __call__(self, fetched: Epic) -> EpicResult:
        cache, notes = self.writer.cache, None
        try:
            existing = cache.existing(fetched.id)
            if cache.complete:
                human = cache.last_human_update(fetched.id, fetched.updated_at)
            else:
                notes = comments(self.writer.gl, fetched.id)
                human = last_human_activity(fetched, notes, self.writer.bot)
        except GitLabError as exc:
            return EpicResult(EpicPlan(self._assess(fetched)), error=str(exc))
        epic = replace(fetched, updated_at=human) if human != fetched.updated_at else fetched
        assessment = self._assess(epic)
        if assessment.skipped:
            return EpicResult(EpicPlan(assessment))
        try:
            if (
                existing is None
                or notes is not None
                or (self.diff and self._text_missing(existing))
            ):
                notes = notes if notes is not None else comments(self.writer.gl, epic.id)
                existing = find_existing(notes, self.writer.bot)
        except GitLabError as exc:
            return EpicResult(EpicPlan(assessment), error=str(exc))
        return self._plan_and_apply(assessment, existing)

    def _assess(self, epic: Epic) -> Assessment:
        return assess(epic, self.policies, self.checker, self.now, self.templates, self.identities)

    @staticmethod
    def _text_missing(existing: Existing) -> bool:
        return existing.note is not None and existing.note.body is None

    def _plan_and_apply(self, assessment: Assessment, existing: Existing) -> EpicResult:
        before = existing.open_rules
        new = [
            s.name for s in assessment.sections if s.effects.writes_section and s.name not in before
        ]
        limited = self.limits.spent(new)
        today = self.now.date()
        plan = plan_epic(assessment, existing, self.templates, today, Drafts(pending=True), limited)
        if self.dry_run:
            return planned(plan, EpicResult(plan))
        if plan.note_write is None:  # labels at most: no draft is needed
            return apply_plan(plan, self.writer, EpicResult(plan))
        result = EpicResult(plan)
        drafts = self._drafts(plan, result)
        plan = plan_epic(assessment, existing, self.templates, today, drafts, limited)
        result.plan = plan
        return apply_plan(plan, self.writer, result)

    def _drafts(self, plan: EpicPlan, result: EpicResult) -> Drafts:
        """Drafted fixes for the sections that ask for one; confidential epics only where
        the rule allows sending them to the model."""
        epic, texts, failed = plan.assessment.epic, {}, False
        for section in plan.assessment.sections:
            effects = section.effects
            if section.name not in plan.sections or not effects.prompt:
                continue
            if epic.confidential and not effects.allow_confidential:
                continue
            try:
                drafted = self.drafters[effects.prompt].draft(epic, plan.assessment.check)
            except LLMError as exc:
                result.llm_error, failed = str(exc), True
                continue
            result.llm_calls += int(bool(drafted and drafted.source != "template"))
            texts[section.name] = render_suggestion(drafted)
        return Drafts(texts, failed)
