"""The text of the bot's one note per epic: open sections, fixed lines, one footer.

Every section comes from its rule's template; the whole note passes the one sanitizer,
which lets through only the mention the planner decided on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from triage.plan.assess import Assessment, Reason, Section
from triage.plan.edits import body_hash, carry_ticks
from triage.plan.marker import MOVED_MARKER, NoteMarker
from triage.policy.optout import snooze_label
from triage.sanitize import quote, sanitize
from triage.smart.checker import CheckResult, Decision, Evidence
from triage.smart.findings import ELEMENTS

DRAFT_ON_APPLY = "_A drafted fix is added here when the run applies._"


@dataclass(frozen=True)
class FixedLine:
    rule: str
    heading: str
    since: date


def checklist(reasons: Sequence[Reason]) -> str:
    return "\n".join(f"- [ ] {reason.text}" for reason in reasons)


ELEMENT_NAMES = {
    "baseline": "Baseline",
    "success_criteria": "Success criteria",
    "business_impact": "Business impact",
    "timeline": "Timeline",
    "owner": "Owner",
}


def _quoted(evidence: Evidence) -> str:
    if evidence.source in ("due date", "assignee"):
        return f"{quote(evidence.text)} (the epic's {evidence.source})"
    return quote(evidence.text)


def found_lines(check: CheckResult) -> str:
    """One short quoted line per element the checker found: a wrong call shows at once."""
    lines = [
        f"- {ELEMENT_NAMES[element]}: {_quoted(evidence)}"
        for element in ELEMENTS
        if check.decisions.get(element) is Decision.PRESENT
        and (evidence := check.evidence.get(element)) is not None
        and evidence.text
    ]
    return "What the objective already states:\n" + "\n".join(lines) if lines else ""


def questions(check: CheckResult) -> str:
    """Elements the rules cannot decide, asked, never counted as missing."""
    lines = [
        f"- {ELEMENT_NAMES[element]}: is {_quoted(evidence)} the "
        f"{ELEMENT_NAMES[element].lower()}? If it is, write it so it can be read at a "
        "glance (a date such as 2027-03-31)."
        if element == "timeline"
        else f"- {ELEMENT_NAMES[element]}: is {_quoted(evidence)} the "
        f"{ELEMENT_NAMES[element].lower()}?"
        for element in check.unsure
        if (evidence := check.evidence.get(element)) is not None
    ]
    return "Please confirm:\n" + "\n".join(lines) if lines else ""


def _fill(template: str, values: Mapping[str, str]) -> str:
    text = template.format_map(values).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _values(
    section: Section, assessment: Assessment, suggestion: str, use_case: str = ""
) -> dict[str, str]:
    epic = assessment.epic
    findings = checklist(section.reasons)
    if section.repeated:
        also = (
            "- "
            + "Also needed here: the items listed above ("
            + ", ".join(r.key.replace("_", " ").replace("missing ", "") for r in section.repeated)
            + ")."
        )
        findings = f"{findings}\n{also}" if findings else also
    return {
        "findings": findings,
        "suggestion": suggestion,
        "title": epic.title,
        "url": epic.web_url,
        "rule": section.name,
        "due_date": epic.due_date.isoformat() if epic.due_date else "not set",
        "found": found_lines(assessment.check),
        "questions": questions(assessment.check),
        "use_case": use_case,
    }


def heading_of(template: str, rule: str) -> str:
    """The first Markdown heading of a template, without placeholders: a fixed section's
    name."""
    for line in template.splitlines():
        if line.startswith("#"):
            text = re.sub(r"\s*\(?\{[a-z_]+\}\)?", "", line.lstrip("#")).strip()
            if text:
                return text
    return f"rule {rule}"


def render_note(
    assessment: Assessment,
    sections: Sequence[Section],
    templates: Mapping[str, str],
    suggestions: Mapping[str, str],
    fixed: Sequence[FixedLine],
    mention: str | None,
    marker: NoteMarker,
    ticks: Mapping[str, str] | None = None,
    use_case: str = "",
) -> str:
    """The finished note: sections, fixed lines, footer, sanitized as a whole, the boxes a
    person ticked ticked again, marker last (with the hash of this very text)."""
    if not sections:
        since = max((line.since for line in fixed), default=None)
        when = f" since {since.isoformat()}" if since else ""
        body = f"All triage checks pass on this objective{when}. Thank you!"
        if assessment.snoozed:
            body = "No open finding on this objective.\n\n" + snoozed_lines(assessment, templates)
        return _finish(sanitize(body), marker, ticks)
    parts = [f"@{mention}: this objective has new findings." if mention else ""]
    for section in sections:
        values = _values(section, assessment, suggestions.get(section.name, ""), use_case)
        parts.append(_fill(templates[section.name], values))
    if fixed:
        parts.append(
            "**Fixed:**\n"
            + "\n".join(f"- {line.heading}: fixed since {line.since.isoformat()}" for line in fixed)
        )
    if assessment.snoozed:
        parts.append(snoozed_lines(assessment, templates))
    parts.append(footer(assessment, [s.name for s in sections]))
    body = "\n\n".join(part for part in parts if part)
    allowed = [mention] if mention else []
    return _finish(sanitize(body, allowed), marker, ticks)


def _finish(text: str, marker: NoteMarker, ticks: Mapping[str, str] | None) -> str:
    text = carry_ticks(text, dict(ticks or {}))
    return f"{text}\n\n{replace(marker, body=body_hash(text)).render()}"


def snoozed_lines(assessment: Assessment, templates: Mapping[str, str]) -> str:
    """The checks a CSM switched off here, and how each comes back."""
    lines = []
    for snooze in assessment.snoozed:
        heading = heading_of(templates.get(snooze.rule, ""), snooze.rule)
        if snooze.until:
            how = f"until {snooze.until.isoformat()} (the line in the description)"
        else:
            how = f"until the label `{snooze_label(snooze.rule)}` is removed"
        lines.append(f"- {heading}: {how}")
    return "**Snoozed:**\n" + "\n".join(lines)


def footer(assessment: Assessment, rules: Sequence[str]) -> str:
    """How to quiet the bot: the whole epic, or one check (for good, or until a day)."""
    example = rules[-1] if rules else "rule-name"
    labels = ", ".join(f"`{snooze_label(rule)}`" for rule in rules)
    return (
        "<sub>smart-triage keeps this one note up to date as the objective changes. To stop "
        f"these checks on this epic, add the label `{assessment.opt_out_label}`. To snooze "
        f"one check, add its label ({labels}); to snooze it until a day, write the line "
        f"`triage: snooze {example} until YYYY-MM-DD` in the description.</sub>"
    )


def moved_text(note_url: str) -> str:
    """What a comment of the old one-comment-per-rule format becomes once moved."""
    return (
        f"{sanitize(f'This check now lives in the triage note of this epic: {note_url}')}"
        f"\n\n{MOVED_MARKER}"
    )
