"""Actions: what a rule does to the epics it matches. One class per YAML key.

Actions here are declarations, checked before anything runs; the engine turns them into a
plan, and ``describe`` gives the one line a dry run prints for each.
"""

from __future__ import annotations

import string
from typing import Any

from triage.policy.registry import CheckContext, Element, Registry
from triage.policy.values import LABEL_LIST_SCHEMA, label_problems

TEMPLATE_PATH = {"type": "string", "pattern": r"^templates/[A-Za-z0-9_./-]+\.md$"}
PROMPT_NAME = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"}


class Action(Element):
    def describe(self) -> str:
        return f"{self.name}: {self.value}"


ACTIONS: Registry[type[Action]] = Registry("action")


@ACTIONS
class Comment(Action):
    """Post (or update in place) one comment per epic and rule, from a template.

    ``template`` is a Markdown file under ``templates/`` beside the policy file, or
    ``body`` is the template inline. Placeholders: ``{owner}``, ``{findings}``,
    ``{suggestion}``, ``{title}``, ``{url}``, ``{rule}``, ``{due_date}``, ``{opt_out_label}``.
    ``internal: true`` makes it an internal note, visible to members only.

    Example:
        comment: {template: templates/smart.md, internal: false}
    """

    name = "comment"
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "template": TEMPLATE_PATH,
            "body": {"type": "string", "minLength": 1},
            "internal": {"type": "boolean"},
        },
        "oneOf": [{"required": ["template"]}, {"required": ["body"]}],
    }
    PLACEHOLDERS = frozenset(
        ["owner", "findings", "suggestion", "title", "url", "rule", "due_date", "opt_out_label"]
    )

    def check(self, context: CheckContext) -> list[str]:
        if "template" in self.value:
            path = context.policy_dir / self.value["template"]
            if not path.is_file():
                return [f"comment: template '{self.value['template']}' does not exist"]
            text = path.read_text(encoding="utf-8")
        else:
            text = self.value["body"]
        return [
            f"comment: unknown placeholder '{{{name}}}' (valid: "
            f"{', '.join(sorted(self.PLACEHOLDERS))})"
            for name in placeholders(text)
            if name not in self.PLACEHOLDERS
        ]

    def describe(self) -> str:
        where = self.value.get("template", "inline template")
        kind = "internal comment" if self.value.get("internal") else "comment"
        return f"post or update a {kind} from {where}"


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

    def check(self, context: CheckContext) -> list[str]:
        return label_problems(self.value)

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

    def check(self, context: CheckContext) -> list[str]:
        return label_problems(self.value)

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

    def check(self, context: CheckContext) -> list[str]:
        return label_problems(self.value)

    def describe(self) -> str:
        return "when resolved, remove labels " + ", ".join(f"~{label}" for label in self.value)


@ACTIONS
class Mention(Action):
    """Whom the comment mentions: the epic's ``owner`` (once, not on every run) or ``none``.

    Example:
        mention: owner
    """

    name = "mention"
    schema = {"enum": ["owner", "none"]}

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
            "prompt": PROMPT_NAME,
            "allow_confidential": {"type": "boolean"},
        },
    }

    def check(self, context: CheckContext) -> list[str]:
        prompt = self.value["prompt"]
        if not (context.prompts_dir / f"{prompt}.yml").is_file():
            return [f"suggest: prompt '{prompt}' does not exist in {context.prompts_dir.name}/"]
        return []

    def describe(self) -> str:
        return f"draft SMART criteria with prompt '{self.value['prompt']}'"


@ACTIONS
class Summary(Action):
    """List the epic in the weekly summary issue under this heading.

    Example:
        summary: {heading: Incomplete objectives}
    """

    name = "summary"
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["heading"],
        "properties": {"heading": {"type": "string", "minLength": 1, "maxLength": 120}},
    }

    def describe(self) -> str:
        return f"list under '{self.value['heading']}' in the weekly summary"


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
    if "mention" in actions and actions["mention"] == "owner" and "comment" not in actions:
        problems.append("actions: 'mention: owner' needs a 'comment' to mention the owner in")
    if "suggest" in actions and "comment" not in actions:
        problems.append("actions: 'suggest' needs a 'comment' to put the suggestion in")
    return problems


def build(actions: dict[str, Any]) -> list[Action]:
    """Instances for an already validated ``actions`` mapping."""
    return [ACTIONS[name](value) for name, value in actions.items()]
