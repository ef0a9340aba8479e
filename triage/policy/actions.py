"""Actions: what a rule does to the epics it matches. One class per YAML key.

Actions here are declarations, validated before anything runs. Each contributes its part
of the rule's effects (``contribute``), which is all the planner reads, and ``describe``
gives the one line ``triage validate`` prints for each.
"""

from __future__ import annotations

import string
from typing import Any

from triage.policy.effects import Mention as MentionWhom
from triage.policy.effects import RuleEffects
from triage.policy.registry import Element, Registry, ValidationContext
from triage.policy.values import LABEL_LIST_SCHEMA, label_problems

TEMPLATE_PATH = {"type": "string", "pattern": r"^templates/[A-Za-z0-9_./-]+\.md$"}
PROMPT_NAME = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"}


class Action(Element):
    def contribute(self, effects: RuleEffects) -> None:
        """Write this action's part of what the rule does into ``effects``."""
        raise NotImplementedError

    def describe(self) -> str:
        return f"{self.name}: {self.value}"


ACTIONS: Registry[type[Action]] = Registry("action")


@ACTIONS
class Comment(Action):
    """Give the rule a section in the epic's one triage note, from a template.

    ``template`` is a Markdown file under ``templates/`` beside the policy file, or
    ``body`` is the template inline. Placeholders: ``{findings}`` (the checklist of what
    is missing), ``{found}`` (one quoted line per SMART element found), ``{questions}``
    (elements the checker is unsure of, asked), ``{suggestion}``, ``{title}``, ``{url}``,
    ``{rule}``, ``{due_date}``, ``{use_case}`` (when the objective has no ``UseCase::``
    label, the group's one its words point to, suggested, never applied). The note
    mentions the owner at its top (see ``mention``) and says how to opt out at its end,
    once for all sections.
    ``internal: true`` makes the note internal, visible to members only.

    Example:
        comment: {template: templates/smart.md, internal: false}
    """

    name = "comment"
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "template": {
                **TEMPLATE_PATH,
                "description": "A Markdown file under templates/ beside the policy file.",
                "examples": ["templates/smart.md"],
            },
            "body": {
                "type": "string",
                "minLength": 1,
                "description": "The section's template inline, instead of a template file.",
            },
            "internal": {
                "type": "boolean",
                "description": "true: an internal note, visible to members of the group only.",
            },
        },
        "oneOf": [{"required": ["template"]}, {"required": ["body"]}],
    }
    PLACEHOLDERS = frozenset(
        [
            "findings",
            "found",
            "questions",
            "suggestion",
            "title",
            "url",
            "rule",
            "due_date",
            "use_case",
        ]
    )
    RETIRED = {
        "owner": "the note mentions the owner once, at its top ('mention: owner')",
        "opt_out_label": "the note says how to opt out once, at its end",
    }

    def validate(self, context: ValidationContext) -> list[str]:
        if "template" in self.value:
            path = context.policy_dir / self.value["template"]
            if not path.is_file():
                return [f"comment: template '{self.value['template']}' does not exist"]
            if not path.resolve().is_relative_to(context.policy_dir.resolve()):
                # through "..", or a symbolic link: any file the runner can read would be
                # posted on every epic
                return [
                    f"comment: template '{self.value['template']}' is outside the policy "
                    "folder; templates must live in it"
                ]
            text = path.read_text(encoding="utf-8")
        else:
            text = self.value["body"]
        return [
            f"comment: placeholder '{{{name}}}' is no longer used: {self.RETIRED[name]}"
            if name in self.RETIRED
            else f"comment: unknown placeholder '{{{name}}}' (valid: "
            f"{', '.join(sorted(self.PLACEHOLDERS))})"
            for name in placeholders(text)
            if name not in self.PLACEHOLDERS
        ]

    def contribute(self, effects: RuleEffects) -> None:
        effects.template = self.value.get("template")
        effects.body = self.value.get("body")
        effects.internal = bool(self.value.get("internal"))

    def describe(self) -> str:
        where = self.value.get("template", "inline template")
        kind = "internal note" if self.value.get("internal") else "note"
        return f"a section of the epic's triage {kind}, from {where}"


def placeholders(text: str) -> list[str]:
    """Names in ``{name}`` placeholders, ignoring ``{{`` escapes."""
    names = []
    for _literal, field, _spec, _conversion in string.Formatter().parse(text):
        if field is not None and field not in names:
            names.append(field)
    return names


@ACTIONS
class AddLabels(Action):
    """Add these labels to the epic.

    Example:
        labels: ["SP Objective::Needs SMART"]
    """

    name = "labels"
    schema = LABEL_LIST_SCHEMA

    def validate(self, context: ValidationContext) -> list[str]:
        return label_problems(self.value)

    def contribute(self, effects: RuleEffects) -> None:
        effects.add_labels = tuple(self.value)

    def describe(self) -> str:
        return "add labels " + ", ".join(f"~{label}" for label in self.value)


@ACTIONS
class RemoveLabels(Action):
    """Remove these labels from the epic.

    Example:
        remove_labels: ["SP Objective::Status::Not Started"]
    """

    name = "remove_labels"
    schema = LABEL_LIST_SCHEMA

    def validate(self, context: ValidationContext) -> list[str]:
        return label_problems(self.value)

    def contribute(self, effects: RuleEffects) -> None:
        effects.remove_labels = tuple(self.value)

    def describe(self) -> str:
        return "remove labels " + ", ".join(f"~{label}" for label in self.value)


@ACTIONS
class RemoveLabelsWhenResolved(Action):
    """Remove these labels once the epic no longer matches the rule.

    Example:
        remove_labels_when_resolved: ["SP Objective::Needs SMART"]
    """

    name = "remove_labels_when_resolved"
    schema = LABEL_LIST_SCHEMA

    def validate(self, context: ValidationContext) -> list[str]:
        return label_problems(self.value)

    def contribute(self, effects: RuleEffects) -> None:
        effects.remove_when_resolved = tuple(self.value)

    def describe(self) -> str:
        return "when resolved, remove labels " + ", ".join(f"~{label}" for label in self.value)


@ACTIONS
class Mention(Action):
    """Whom the rule's findings notify: the epic's ``owner`` or ``none`` (the default).

    The owner is mentioned only when the note gains a finding of such a rule that the owner
    has not been told about, never for an edit that adds nothing new.

    Example:
        mention: owner
    """

    name = "mention"
    schema = {"enum": ["owner", "none"]}

    def contribute(self, effects: RuleEffects) -> None:
        effects.mention = MentionWhom(self.value)

    def describe(self) -> str:
        return "mention the owner" if self.value == "owner" else "mention nobody"


@ACTIONS
class Suggest(Action):
    """Draft SMART success criteria with the named prompt from ``prompts/``.

    Example:
        suggest: {prompt: smart_criteria}
    """

    name = "suggest"
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["prompt"],
        "properties": {
            "prompt": {
                **PROMPT_NAME,
                "description": "A prompt file of prompts/, named without .yml.",
                "examples": ["smart_criteria"],
            },
            "allow_confidential": {
                "type": "boolean",
                "description": "true: confidential epics are sent to the model too "
                "(default false: they get no drafted fix).",
            },
        },
    }

    def validate(self, context: ValidationContext) -> list[str]:
        prompt = self.value["prompt"]
        if not (context.prompts_dir / f"{prompt}.yml").is_file():
            return [f"suggest: prompt '{prompt}' does not exist in {context.prompts_dir.name}/"]
        return []

    def contribute(self, effects: RuleEffects) -> None:
        effects.prompt = self.value["prompt"]
        effects.allow_confidential = bool(self.value.get("allow_confidential"))

    def describe(self) -> str:
        return f"draft SMART criteria with prompt '{self.value['prompt']}'"


@ACTIONS
class Summary(Action):
    """List the epic in the weekly summary issue under this heading.

    The summary lists each epic once, under the most urgent of its headings: the lowest
    ``rank`` (1 is the most urgent), then the rule that comes first. Headings follow the
    same order in the summary.

    Example:
        summary: {heading: Overdue objectives, rank: 1}
    """

    name = "summary"
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["heading"],
        "properties": {
            "heading": {
                "type": "string",
                "minLength": 1,
                "maxLength": 120,
                "description": "The heading of the summary's section that lists the epic.",
                "examples": ["Objectives missing SMART parts"],
            },
            "rank": {
                "type": "integer",
                "minimum": 1,
                "description": "Urgency of the heading, 1 the most urgent; without it, after "
                "every ranked heading, in rule order. Each epic is listed once, under its most "
                "urgent heading.",
                "examples": [1],
            },
        },
    }

    def contribute(self, effects: RuleEffects) -> None:
        effects.summary_heading = self.value["heading"]
        effects.summary_rank = self.value.get("rank")

    def describe(self) -> str:
        rank = f", rank {self.value['rank']}" if "rank" in self.value else ""
        return f"list under '{self.value['heading']}' in the weekly summary{rank}"


def conflicts(actions: dict[str, Any]) -> list[str]:
    """Actions of one rule that contradict each other."""
    added = set(actions.get("labels") or [])
    removed = set(actions.get("remove_labels") or [])
    problems = [
        f"actions: label '{label}' is both added and removed" for label in sorted(added & removed)
    ]
    scopes: dict[str, str] = {}
    for label in actions.get("labels") or []:
        scope = label.rpartition("::")[0]
        if scope in scopes:
            problems.append(
                f"actions: labels '{scopes[scope]}' and '{label}' share the scope '{scope}', "
                "so only the last would stay"
            )
        elif scope:
            scopes[scope] = label
    return problems + comment_needed(actions)


def comment_needed(actions: dict[str, Any]) -> list[str]:
    """Actions that put something into the note's section, in a rule without ``comment``."""
    if "comment" in actions:
        return []
    problems = []
    if actions.get("mention") == "owner":
        problems.append("actions: 'mention: owner' needs a 'comment' to mention the owner in")
    if "suggest" in actions:
        problems.append("actions: 'suggest' needs a 'comment' to put the suggestion in")
    return problems


def build(actions: dict[str, Any]) -> list[Action]:
    """Instances for an already validated ``actions`` mapping."""
    return [ACTIONS[name](value) for name, value in actions.items()]
