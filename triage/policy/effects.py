"""What a rule asks for when it matches, as one typed record built by its actions.

Each registered action writes its own part here (``Action.contribute``), once, when the
policies are loaded; the planner, the drafters and the report read these fields and never
look an action up by its YAML name. A new action is one class that contributes a field.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

UNRANKED = 1_000_000  # a summary heading without a rank comes after every ranked one


class Mention(StrEnum):
    """Whom a rule's findings may notify: the epic's owner, or nobody."""

    OWNER = "owner"
    NONE = "none"


@dataclass
class RuleEffects:
    """Filled in by a rule's actions; read-only after loading."""

    template: str | None = None  # path under the policy folder, for a section of the note
    body: str | None = None  # an inline template instead of a file
    internal: bool = False  # the note is internal when any section asks for it
    mention: Mention = Mention.NONE
    prompt: str | None = None  # the drafter's prompt, for a drafted fix in the section
    allow_confidential: bool = False
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    remove_when_resolved: tuple[str, ...] = ()
    summary_heading: str | None = None
    summary_rank: int | None = None  # 1 the most urgent; None after every ranked heading

    @property
    def writes_section(self) -> bool:
        """Whether the rule has a section in the epic's note."""
        return self.template is not None or self.body is not None
