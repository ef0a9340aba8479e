"""The validated policy set: plain, immutable records the engine and commands read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from triage.policy.actions import Action
from triage.policy.conditions import Condition
from triage.policy.effects import RuleEffects
from triage.policy.gainsight import GainsightMapping

DEFAULT_OBJECTIVE_LABEL = "SP Objective"
DEFAULT_EXCLUDE_LABELS = ("triage::ignore",)
DEFAULT_SUMMARY_TITLE = "Success plan triage: {week}"


@dataclass(frozen=True)
class Sources:
    groups: tuple[str, ...] = ()
    include_subgroups: bool = True
    objective_label: str = DEFAULT_OBJECTIVE_LABEL
    exclude_labels: tuple[str, ...] = DEFAULT_EXCLUDE_LABELS
    create_missing_labels: bool = False


@dataclass(frozen=True)
class SummarySettings:
    project: str | None = None
    title: str = DEFAULT_SUMMARY_TITLE
    labels: tuple[str, ...] = ("triage report",)
    close_previous: bool = True


@dataclass(frozen=True)
class Rule:  # not slotted: ``effects`` is cached on the instance
    name: str
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]
    description: str = ""
    max_epics: int | None = None
    location: str = ""  # file:line where the rule starts

    @cached_property
    def effects(self) -> RuleEffects:
        """What the rule does when it matches, as its actions contributed it."""
        effects = RuleEffects()
        for action in self.actions:
            action.contribute(effects)
        return effects


@dataclass(frozen=True)
class PolicySet:
    sources: Sources
    rules: tuple[Rule, ...]
    summary: SummarySettings
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # "rules": the checker alone; "llm": the model's reading as a second opinion, when a
    # model is configured (elements the two disagree on become unsure)
    assess: str = "rules"
    files: tuple[Path, ...] = ()
    policy_dir: Path = Path("policies")
    prompts_dir: Path = Path("prompts")
    gainsight: GainsightMapping = field(default_factory=GainsightMapping)

    def added_labels(self) -> list[str]:
        """Every label a rule may add: each must exist (or be created) before any write."""
        names = [name for rule in self.rules for name in rule.effects.add_labels]
        return list(dict.fromkeys(names))

    def labels_used(self) -> list[str]:
        """Every label name the policies read or write, for one lookup before any write."""
        names = [self.sources.objective_label, *self.sources.exclude_labels]
        for rule in self.rules:
            for element in (*rule.conditions, *rule.actions):
                if element.name in (
                    "labels",
                    "forbidden_labels",
                    "any_labels",
                    "remove_labels",
                    "remove_labels_when_resolved",
                ):
                    names.extend(element.value)
        return list(dict.fromkeys(names))
