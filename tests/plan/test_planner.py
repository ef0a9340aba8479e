"""Planning without a server: the writes a plan intends, and whom it mentions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import yaml

from triage.plan.assess import assess
from triage.plan.marker import NOTHING, BotNote, Existing, LegacyComment, NoteMarker
from triage.plan.planner import Drafts, EpicPlan, WriteKind, plan_epic
from triage.policy.actions import ACTIONS
from triage.policy.conditions import build as build_conditions
from triage.policy.model import PolicySet, Rule, Sources, SummarySettings
from triage.records import Epic
from triage.smart.checker import Checker

NOW = datetime(2026, 11, 20, tzinfo=UTC)
TODAY = NOW.date()
TEMPLATE = "### Not SMART yet\n\n{findings}\n\n{suggestion}"
OWNER = "csm.north"
GAPS = Epic(
    title="Improve adoption",
    description="## Summary\nMore teams on GitLab.\n",
    labels=("SP Objective",),
    group="acme",
    iid=3,
    id="gid://gitlab/WorkItem/3",
    assignees=(OWNER,),
    web_url="https://gitlab.example.com/groups/acme/-/epics/3",
)


def rule(name: str, actions: dict, findings: list[str] | None = None) -> Rule:
    conditions = build_conditions({"findings": {"any": findings or ["missing_baseline"]}})
    built = tuple(ACTIONS[key](value) for key, value in actions.items())
    return Rule(name, tuple(conditions), built)


def policies(*rules: Rule) -> PolicySet:
    return PolicySet(Sources(groups=("acme",)), rules, SummarySettings())


def plan_for(
    epic: Epic, rules: tuple[Rule, ...], existing: Existing = NOTHING, **kwargs
) -> EpicPlan:
    templates = {r.name: TEMPLATE for r in rules}
    assessment = assess(epic, policies(*rules), Checker(), NOW, templates, {})
    return plan_epic(assessment, existing, templates, TODAY, **kwargs)


SMART = rule(
    "smart",
    {"comment": {"body": TEMPLATE}, "mention": "owner", "labels": ["Needs SMART"]},
    ["missing_baseline", "missing_timeline"],
)
STAGE = rule("stage", {"comment": {"body": TEMPLATE}}, ["missing_baseline"])


def test_a_new_epic_gets_one_note_with_each_finding_once_and_its_owner_mentioned():
    plan = plan_for(GAPS, (SMART, STAGE))
    kinds = [w.kind for w in plan.writes]
    assert kinds == [WriteKind.CREATE_NOTE, WriteKind.LABELS]
    note = plan.writes[0]
    assert note.mentions == (OWNER,)
    assert note.body.startswith(f"@{OWNER}: ")
    assert note.body.count("No baseline") == 1
    assert "Also needed here: the items listed above (baseline)" in note.body
    assert plan.writes[1].add_labels == ("Needs SMART",)
    assert plan.sections == ("smart", "stage")


def test_mention_none_mentions_nobody():
    quiet = rule("smart", {"comment": {"body": TEMPLATE}, "mention": "none"})
    plan = plan_for(GAPS, (quiet,))
    assert plan.mentions == ()
    assert f"@{OWNER}" not in plan.writes[0].body


def test_an_unchanged_epic_plans_no_write():
    first = plan_for(GAPS, (SMART,))
    assert first.marker is not None
    existing = Existing(BotNote("gid://gitlab/Note/9", first.marker))
    assert (
        plan_for(replace(GAPS, labels=(*GAPS.labels, "Needs SMART")), (SMART,), existing).writes
        == ()
    )


def test_an_edit_updates_the_note_in_place_without_mentioning_again():
    first = plan_for(GAPS, (SMART,))
    assert first.marker is not None
    existing = Existing(BotNote("gid://gitlab/Note/9", first.marker, first.writes[0].body))
    edited = replace(GAPS, description=GAPS.description + "\nRisks: a freeze.\n")
    plan = plan_for(edited, (SMART,), existing)
    assert [w.kind for w in plan.writes] == [WriteKind.UPDATE_NOTE, WriteKind.LABELS]
    assert plan.writes[0].note_id == "gid://gitlab/Note/9"
    assert plan.mentions == ()
    assert plan.writes[0].previous == first.writes[0].body  # what --diff compares with


def test_a_finding_the_owner_was_not_told_about_mentions_again():
    told = NoteMarker("0" * 16, ("smart",), (), frozenset({"missing_baseline"}))
    plan = plan_for(GAPS, (SMART,), Existing(BotNote("gid://gitlab/Note/9", told)))
    assert plan.mentions == (OWNER,)  # missing_timeline is new to the owner
    assert plan.marker is not None
    assert plan.marker.told == {"missing_baseline", "missing_timeline"}


def test_a_resolved_note_says_so_in_one_line_and_drops_the_label():
    first = plan_for(GAPS, (SMART,))
    assert first.marker is not None
    resolve = rule(
        "smart",
        {"comment": {"body": TEMPLATE}, "remove_labels_when_resolved": ["Needs SMART"]},
        ["missing_baseline", "missing_timeline"],
    )
    fixed = replace(
        GAPS,
        description="## Summary\nx\n## Baseline\n2 per week today.\n## Timeline\nBy 2027-03-31.\n",
        labels=(*GAPS.labels, "Needs SMART"),
    )
    plan = plan_for(fixed, (resolve,), Existing(BotNote("gid://gitlab/Note/9", first.marker)))
    note, labels = plan.writes
    assert note.body.startswith(f"All triage checks pass on this objective since {TODAY}.")
    assert labels.remove_labels == ("Needs SMART",)
    assert plan.fixed == ("smart",)


def test_old_format_comments_move_into_the_first_without_a_mention():
    legacy = (
        LegacyComment("gid://gitlab/Note/1", "smart", ("missing_baseline",), True),
        LegacyComment("gid://gitlab/Note/2", "stage", ("missing_baseline",), True),
    )
    plan = plan_for(GAPS, (SMART, STAGE), Existing(None, legacy))
    kinds = [(w.kind, w.note_id) for w in plan.writes[:2]]
    assert kinds == [
        (WriteKind.UPDATE_NOTE, "gid://gitlab/Note/1"),
        (WriteKind.MOVE_COMMENT, "gid://gitlab/Note/2"),
    ]
    assert plan.mentions == ()
    assert "#note_1" in plan.writes[1].body


def test_old_comments_left_by_a_run_that_died_while_moving_are_moved_without_a_note_edit():
    first = plan_for(GAPS, (SMART,))
    assert first.marker is not None
    left = (LegacyComment("gid://gitlab/Note/2", "stage", ("missing_baseline",), True),)
    existing = Existing(BotNote("gid://gitlab/Note/1", first.marker), left)
    labelled = replace(GAPS, labels=(*GAPS.labels, "Needs SMART"))
    plan = plan_for(labelled, (SMART,), existing)
    assert [(w.kind, w.note_id) for w in plan.writes] == [
        (WriteKind.MOVE_COMMENT, "gid://gitlab/Note/2")
    ]
    assert "#note_1" in plan.writes[0].body


def test_a_label_one_rule_adds_is_not_removed_because_another_rule_is_resolved():
    adds = rule("adds", {"comment": {"body": TEMPLATE}, "labels": ["Needs attention"]})
    resolved = rule(
        "resolved",
        {"comment": {"body": TEMPLATE}, "remove_labels_when_resolved": ["Needs attention"]},
        ["missing_owner"],  # GAPS has an assignee: this rule does not match
    )
    without = plan_for(GAPS, (adds, resolved))
    with_it = plan_for(replace(GAPS, labels=(*GAPS.labels, "Needs attention")), (adds, resolved))
    assert without.writes[-1].add_labels == ("Needs attention",)
    assert all(w.kind is not WriteKind.LABELS for w in with_it.writes)  # stable: no loop


def test_resolved_old_comments_are_left_alone_when_there_is_nothing_to_say():
    legacy = (
        LegacyComment("gid://gitlab/Note/1", "smart", (), False),
        LegacyComment("gid://gitlab/Note/2", "stage", (), False),
    )
    complete = replace(
        GAPS, description="## Baseline\n2 per week today.\n## Timeline\nBy 2027-03-31.\n"
    )
    assert plan_for(complete, (SMART, STAGE), Existing(None, legacy)).writes == ()


def test_a_limited_rule_adds_no_section_and_no_label():
    plan = plan_for(GAPS, (SMART,), limited=frozenset({"smart"}))
    assert plan.writes == () and plan.limited == ("smart",)


def test_a_failed_draft_changes_the_fingerprint_so_the_next_run_retries():
    drafting = rule("smart", {"comment": {"body": TEMPLATE}, "suggest": {"prompt": "smart"}})
    ok = plan_for(GAPS, (drafting,), drafts=Drafts({"smart": "a table"}))
    failed = plan_for(GAPS, (drafting,), drafts=Drafts({}, failed=True))
    assert ok.marker is not None and failed.marker is not None
    assert ok.marker.fingerprint != failed.marker.fingerprint
    assert "a table" in ok.writes[0].body


# Every registered action must change what a plan contains, for an epic that can show it:
# the base rule has a section; each action is added to it with its docstring example.
SHOWN_ON = {
    "remove_labels": replace(GAPS, labels=(*GAPS.labels, "SP Objective::Status::Not Started")),
    "remove_labels_when_resolved": replace(
        GAPS,
        description="## Baseline\n2 per week today.\n",
        labels=(*GAPS.labels, "SP Objective::Needs SMART"),
    ),
}


def plan_summary(plan: EpicPlan) -> tuple:
    return (
        tuple(
            (w.kind, w.body, w.internal, w.mentions, w.add_labels, w.remove_labels)
            for w in plan.writes
        ),
        plan.summary_headings,
        plan.sections,
    )


@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_registered_action_changes_a_plan(name):
    example = yaml.safe_load(ACTIONS[name].example())[name]
    epic = SHOWN_ON.get(name, GAPS)
    base_actions = {"comment": {"body": TEMPLATE}} if name != "comment" else {}
    with_it = {**base_actions, name: example}
    # a draft is offered to every plan; only a section that asks for one shows it
    drafts = Drafts({"base": "DRAFTED TABLE"})
    plain = plan_for(epic, (rule("base", base_actions),), drafts=drafts)
    changed = plan_for(epic, (rule("base", with_it),), drafts=drafts)
    assert plan_summary(plain) != plan_summary(changed), f"action '{name}' changes no plan"


def _rewritten(internal: bool) -> Existing:
    """A note whose text is no longer the one the bot wrote (the hash ``body`` kept)."""
    marker = NoteMarker("0" * 16, ("smart",), body="0123456789ab")
    body = "Baseline is in the QBR deck.\n\n" + marker.render()
    return Existing(BotNote("n1", marker, body, "d1", internal))


def test_a_rewritten_note_gets_a_reply_in_its_thread():
    plan = plan_for(GAPS, (SMART,), _rewritten(internal=False))
    write = plan.note_write
    assert write is not None and write.kind is WriteKind.CREATE_NOTE
    assert write.reply_to == "d1" and write.note_id is None


def test_a_reply_that_must_be_internal_never_goes_into_a_public_thread():
    """GitLab gives a reply its thread's visibility, whatever the reply asks for."""
    internal = rule("smart", {"comment": {"body": TEMPLATE, "internal": True}})
    write = plan_for(GAPS, (internal,), _rewritten(internal=False)).note_write
    assert write is not None and write.internal and write.reply_to is None


def test_a_deleted_note_stays_deleted_while_its_findings_are_the_same():
    first = plan_for(GAPS, (SMART,))
    assert first.marker is not None
    gone = Existing(deleted=first.marker)
    assert plan_for(GAPS, (SMART,), gone).note_write is None
    fixed = replace(GAPS, description=GAPS.description + "\n## Timeline\nBy 2027-03-31.\n")
    again = plan_for(fixed, (SMART,), gone).note_write
    assert again is not None and again.mentions == ()  # the owner was told before
