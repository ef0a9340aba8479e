"""Carry out one epic's plan: comments created, updated or resolved in place, and labels.

Decisions, per rule, in this order, so the cheapest evidence settles most epics:
the state cache says the comment already carries this fingerprint (no request at all);
else the epic's comments are read once and the bot's marker compared; only a differing
fingerprint leads to an LLM call and a write. In dry-run the same decisions are made and
printed, and nothing is written. A failure is recorded on the epic and the run goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from triage.comments import CommentText, find_marker, fingerprint, render, render_resolved
from triage.engine import EpicPlan, RuleOutcome
from triage.errors import GitLabError, LLMError
from triage.gitlab import reads, writes
from triage.gitlab.client import GitLab, GitLabAuthError
from triage.llm.suggestion import Drafter, render_suggestion
from triage.records import Note
from triage.state import Entry, EpicState, State


@dataclass
class ActionResult:
    rule: str
    action: str  # comment, labels, resolve
    status: str  # created, updated, unchanged, resolved, planned, limited, failed
    detail: str = ""


@dataclass
class EpicResult:
    plan: EpicPlan
    actions: list[ActionResult] = field(default_factory=list)
    error: str | None = None
    llm_calls: int = 0
    llm_error: str | None = None

    @property
    def writes(self) -> int:
        return sum(a.status in ("created", "updated", "resolved", "applied") for a in self.actions)


class Budget:
    """How many epics each rule may still touch this run (``limits.max_epics``)."""

    def __init__(self, limits: Mapping[str, int | None]) -> None:
        self._left = {rule: limit for rule, limit in limits.items() if limit is not None}
        self._lock = threading.Lock()

    def take(self, rule: str) -> bool:
        with self._lock:
            if rule not in self._left:
                return True
            if self._left[rule] <= 0:
                return False
            self._left[rule] -= 1
            return True


@dataclass
class Context:
    gl: GitLab
    bot: str
    dry_run: bool
    labels: writes.LabelDirectory
    drafters: Mapping[str, Drafter]  # prompt name -> drafter
    state: State
    templates: Mapping[str, str]
    opt_out_label: str
    today: date
    budget: Budget


class _EpicRun:
    def __init__(self, plan: EpicPlan, ctx: Context, notes: list[Note] | None) -> None:
        self.plan = plan
        self.ctx = ctx
        self.result = EpicResult(plan)
        self.recorded: dict[str, Entry] = {}
        self._notes = notes
        self.add: list[str] = []
        self.remove: list[str] = []
        self.touched: str | None = None  # GitLab's time of this run's last write
        self.mentioned = False  # the owner is mentioned at most once per epic and run

    def wrote(self, when: str) -> None:
        if when and (self.touched is None or when > self.touched):
            self.touched = when

    def notes(self, fresh: bool = False) -> list[Note]:
        if self._notes is None or fresh:
            self._notes = reads.comments(self.ctx.gl, self.plan.epic.id)
        return self._notes

    def done(self, rule: str, action: str, status: str, detail: str = "") -> None:
        self.result.actions.append(ActionResult(rule, action, status, detail))

    def run(self) -> EpicResult:
        try:
            for outcome in self.plan.outcomes:
                if outcome.matched:
                    self.matched(outcome)
                else:
                    self.unmatched(outcome)
            self.write_labels()
        except GitLabAuthError:
            raise
        except GitLabError as exc:
            self.result.error = str(exc)
        finally:
            if not self.ctx.dry_run:
                updated = self.plan.epic.updated_at
                human = updated.isoformat() if updated and self.touched else None
                self.ctx.state.record(
                    self.plan.epic.id, EpicState(self.recorded, self.touched, human)
                )
        return self.result

    def matched(self, outcome: RuleOutcome) -> None:
        rule = outcome.rule.name
        needs_labels = bool(outcome.add_labels or outcome.remove_labels)
        comment_due = outcome.comments and not self.comment_is_current(outcome)
        if not (comment_due or needs_labels):
            if outcome.comments:
                self.done(rule, "comment", "unchanged")
            return
        if not self.ctx.budget.take(rule):
            self.done(
                rule,
                "comment" if comment_due else "labels",
                "limited",
                f"limit of {outcome.rule.max_epics} epics reached",
            )
            return
        if comment_due:
            self.write_comment(outcome)
        elif outcome.comments:
            self.done(rule, "comment", "unchanged")
        self.add += [label for label in outcome.add_labels if label not in self.add]
        self.remove += [label for label in outcome.remove_labels if label not in self.remove]

    def comment_is_current(self, outcome: RuleOutcome) -> bool:
        prior = self.ctx.state.get(self.plan.epic.id, outcome.rule.name)
        if prior and prior.fingerprint == outcome.fingerprint and prior.state == "open":
            return True
        found = find_marker(self.notes(), outcome.rule.name, self.ctx.bot)
        if found and found[1].fingerprint == outcome.fingerprint and found[1].state == "open":
            self.recorded[outcome.rule.name] = Entry(outcome.fingerprint, found[0].id, "open")
            return True
        return False

    def write_comment(self, outcome: RuleOutcome) -> None:
        epic, ctx, rule = self.plan.epic, self.ctx, outcome.rule
        found = find_marker(self.notes(), rule.name, ctx.bot)
        keys = {reason.key for reason in outcome.reasons}
        changed = found is None or found[1].state != "open" or set(found[1].reasons) != keys
        verb = "update" if found else "create"
        if ctx.dry_run:
            self.done(rule.name, "comment", "planned", f"{verb} ({', '.join(sorted(keys))})")
            return
        suggestion, written_fp = "", outcome.fingerprint
        suggest = rule.action("suggest")
        if suggest is not None and (
            not epic.confidential or suggest.value.get("allow_confidential")
        ):
            try:
                drafted = ctx.drafters[suggest.value["prompt"]].draft(epic, self.plan.check)
                self.result.llm_calls += int(bool(drafted and drafted.source != "template"))
                suggestion = render_suggestion(drafted)
            except LLMError as exc:
                # Post the checklist without a draft; a fingerprint that cannot match
                # makes the next run try the draft again.
                self.result.llm_error = str(exc)
                written_fp = fingerprint({"base": outcome.fingerprint, "draft": "failed"})
        comment = rule.action("comment")
        assert comment is not None
        mention = changed and not self.mentioned and self.plan.mention is not None
        self.mentioned = self.mentioned or mention
        text = CommentText(
            rule.name, outcome.reasons, self.plan.mention, mention, suggestion, ctx.opt_out_label
        )
        body = render(
            ctx.templates[rule.name],
            text,
            epic.title,
            epic.web_url,
            epic.due_date,
            written_fp,
        )
        if found and found[0].body == body:
            note_id = found[0].id  # a draft that failed again renders the same text
        elif found:
            self.wrote(writes.update_note(ctx.gl, found[0].id, body))
            note_id = found[0].id
        else:
            note_id = self.create_checked(
                body, bool(comment.value.get("internal")), rule.name, written_fp
            )
        self.recorded[rule.name] = Entry(written_fp, note_id, "open")
        self.done(
            rule.name,
            "comment",
            "updated" if found else "created",
            f"@{self.plan.mention} mentioned" if mention else "",
        )

    def create_checked(self, body: str, internal: bool, rule: str, fp: str) -> str:
        """Create the note; if GitLab fails in a way that may have saved it, look first."""
        try:
            note_id, when = writes.create_note(self.ctx.gl, self.plan.epic.id, body, internal)
            self.wrote(when)
            return note_id
        except GitLabAuthError:
            raise
        except GitLabError:
            found = find_marker(self.notes(fresh=True), rule, self.ctx.bot)
            if found and found[1].fingerprint == fp:
                return found[0].id
            raise

    def unmatched(self, outcome: RuleOutcome) -> None:
        """The rule no longer applies: resolve its open comment, drop its labels."""
        self.remove += [label for label in outcome.remove_labels if label not in self.remove]
        if not outcome.comments:
            return
        rule, ctx = outcome.rule.name, self.ctx
        prior = ctx.state.get(self.plan.epic.id, rule)
        if prior is not None and prior.state != "open":
            return
        if prior is None and ctx.state.trusted:
            return  # the state knows every comment the bot wrote: there is none
        found = find_marker(self.notes(), rule, ctx.bot)
        if found is None or found[1].state != "open":
            return
        if ctx.dry_run:
            self.done(rule, "resolve", "planned", "edit the comment to say it is resolved")
            return
        note, marker = found
        fp = fingerprint({"resolved": rule})
        body = render_resolved(rule, marker, ctx.today, fp, list(outcome.remove_labels))
        self.wrote(writes.update_note(ctx.gl, note.id, body))
        self.recorded[rule] = Entry(fp, note.id, "resolved")
        self.done(rule, "resolve", "resolved", ", ".join(marker.reasons))

    def write_labels(self) -> None:
        epic = self.plan.epic
        add = [label for label in self.add if label not in self.remove]
        if not (add or self.remove):
            return
        detail = " ".join(
            [*(f"+~{label}" for label in add), *(f"-~{label}" for label in self.remove)]
        )
        if self.ctx.dry_run:
            self.done("*", "labels", "planned", detail)
            return
        ids = dict(epic.label_ids)
        add_ids = self.ctx.labels.ids(epic.group, add) if add else []
        remove_ids = [ids[label] for label in self.remove if label in ids]
        self.wrote(writes.update_labels(self.ctx.gl, epic.id, add_ids, remove_ids))
        self.done("*", "labels", "applied", detail)


def apply_plan(plan: EpicPlan, ctx: Context, notes: list[Note] | None = None) -> EpicResult:
    """Carry out ``plan`` (``notes``: the epic's notes, if already read); errors end up in
    the result, except a refused token."""
    if plan.skipped:
        return EpicResult(plan)
    return _EpicRun(plan, ctx, notes).run()


Applier = Callable[[EpicPlan], EpicResult]
