"""A model's reading of an objective, merged with the rules' as a second opinion.

The model rates each SMART element present or missing with a verbatim quote from the epic.
A quote that is not in the epic's text is discarded (the model made it up, or paraphrased),
and the rules' decision stands for that element. Where a checked model and the rules
disagree, the element is ``unsure``: asked in the note, never counted missing or labelled.
Pure: the opinion comes in as data, so this is tested without a model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from triage.smart.checker import CheckResult, Decision, Evidence, line_of
from triage.smart.findings import ELEMENTS


@dataclass(frozen=True)
class Opinion:
    """The model's reading of one element."""

    present: bool
    quote: str | None = None


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def verified(quote: str | None, text: str) -> bool:
    """Whether ``quote`` is really in ``text`` (whitespace and case aside), and long enough
    to mean something."""
    if not quote or len(quote.strip()) < 3:
        return False
    return _normal(quote).strip(" .\"'“”„«»") in _normal(text)


def merge(
    check: CheckResult, opinions: Mapping[str, Opinion], title: str, description: str
) -> CheckResult:
    """``check`` with each element the model read (with a verified quote when it says
    present) confirmed, or made unsure where it disagrees with the rules."""
    text = f"{title}\n{description}"
    decisions = dict(check.decisions)
    evidence = dict(check.evidence)
    dropped: set[str] = set()
    for element in ELEMENTS:
        opinion = opinions.get(element)
        rules = check.decisions.get(element, Decision.MISSING)
        if opinion is None or rules is Decision.UNSURE:
            continue
        if opinion.present and not verified(opinion.quote, text):
            continue  # an unchecked "present" is no opinion
        if opinion.present == (rules is Decision.PRESENT):
            continue  # they agree
        decisions[element] = Decision.UNSURE
        dropped.add(element)
        if opinion.present and opinion.quote:
            quote = " ".join(opinion.quote.split())
            evidence[element] = Evidence(
                element,
                "model",
                quote,
                "the model reads this as stated; the rules found no " + element.replace("_", " "),
                line_of(description, quote),
                Decision.UNSURE,
            )
        else:
            found = evidence.get(element)
            if found is not None:
                evidence[element] = replace(
                    found,
                    decision=Decision.UNSURE,
                    rule=f"{found.rule}; the model does not read it as stated",
                )
    findings = tuple(f for f in check.findings if f.element not in dropped)
    return CheckResult(findings, evidence, decisions)


JSON_ELEMENT = re.compile(r"^[a-z_]+$")
