"""Decide which SMART elements an objective states, and report what it misses.

Pure and deterministic: an ``Epic`` record in, a ``CheckResult`` out. For each element the
checker looks, in order, at labelled blocks (headings, fields, table cells whose label is a
synonym of the element), then at sentences anywhere that state it in prose, then at the
epic's own fields (a due date is a timeline, an assignee an owner). It keeps the text that
convinced it as evidence, so a comment can say why an element counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from triage.records import Epic
from triage.smart import patterns
from triage.smart.findings import ELEMENTS, FINDING_KINDS
from triage.smart.parse import Block, Parsed, parse

EVIDENCE_CHARS = 160


@dataclass(frozen=True)
class Finding:
    id: str
    message: str
    element: str | None = None


@dataclass(frozen=True)
class Evidence:
    element: str
    source: str  # 'heading "Baseline metrics"', "prose", "title", "due date", "assignee"
    text: str


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    evidence: Mapping[str, Evidence] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """SMART elements not (measurably) stated, in the canonical order."""
        gaps = {f.element for f in self.findings if f.element}
        return [element for element in ELEMENTS if element in gaps]

    @property
    def finding_ids(self) -> frozenset[str]:
        return frozenset(f.id for f in self.findings)


@cache
def vocabulary() -> dict[str, Any]:
    text = resources.files("triage.smart").joinpath("vocabulary.yml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


class Checker:
    """A SMART checker with the built-in vocabulary plus any synonyms a policy adds."""

    def __init__(self, extra_synonyms: Mapping[str, Iterable[str]] | None = None) -> None:
        vocab = vocabulary()
        self.synonyms: list[tuple[str, str]] = []  # (phrase, element), longest first
        for element, words in vocab["synonyms"].items():
            self.synonyms += [(w.lower(), element) for w in words]
        for element, words in (extra_synonyms or {}).items():
            self.synonyms += [(w.lower(), element) for w in words]
        self.synonyms.sort(key=lambda pair: -len(pair[0]))
        terms = sorted(vocab["business_terms"], key=len, reverse=True)
        self.business = re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![\w-])|[$€£]\s?\d",
            re.IGNORECASE,
        )

    def element_of(self, label: str) -> str | None:
        """The element a label names: the longest synonym found as whole words wins.

        A synonym written ``=word`` names the element only as the whole label, for short
        table headers such as ``From``/``To`` or ``Before``/``After``.
        """
        for phrase, element in self.synonyms:
            if phrase.startswith("="):
                if label == phrase[1:]:
                    return element
            elif re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", label):
                return element
        return None

    def check(self, epic: Epic) -> CheckResult:
        parsed = parse(epic.description)
        labelled: dict[str, list[Block]] = {element: [] for element in ELEMENTS}
        for block in parsed.blocks:
            element = self.element_of(block.label)
            if element:
                labelled[element].append(block)
        findings: list[Finding] = []
        evidence: dict[str, Evidence] = {}
        for element in ELEMENTS:
            found, gap = JUDGES[element](self, epic, parsed, labelled)
            if found:
                evidence[element] = found
            if gap:
                findings.append(_finding(gap))
        headings = [h.lower().strip(" :*") for h in parsed.headings]
        if not any(re.sub(r"^\d+[.)]?\s*", "", h).startswith("summary") for h in headings):
            findings.append(_finding("missing_summary_heading"))
        if not any("success criteria" in h for h in headings):
            findings.append(_finding("missing_success_criteria_heading"))
        if epic.due_date is None:
            findings.append(_finding("missing_due_date"))
        return CheckResult(tuple(findings), evidence)

    def is_business(self, text: str) -> bool:
        return bool(self.business.search(text))


def _finding(finding_id: str) -> Finding:
    kind = FINDING_KINDS[finding_id]
    return Finding(kind.id, kind.message, kind.element)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def _label_source(block: Block) -> str:
    return f'{block.kind} "{block.label}"'


def _first_sentence(
    texts: Iterable[tuple[str, str]], test: Callable[[str], bool]
) -> Evidence | None:
    for source, text in texts:
        for sentence in patterns.sentences(text):
            if test(sentence):
                return Evidence("", source, _clip(sentence))
    return None


def _everywhere(epic: Epic, parsed: Parsed) -> list[tuple[str, str]]:
    """(source, text) pairs of the whole objective: title, labelled blocks, prose."""
    return [
        ("title", epic.title),
        *((_label_source(b), b.text) for b in parsed.blocks),
        *(("prose", line) for line in parsed.prose),
    ]


Judgement = tuple[Evidence | None, str | None]  # evidence, id of the finding if missing


def _with_element(element: str, found: Evidence | None) -> Evidence | None:
    return Evidence(element, found.source, found.text) if found else None


def judge_baseline(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    for block in labelled["baseline"]:
        if block.text:
            return Evidence("baseline", _label_source(block), _clip(block.text)), None
    # Unlabelled text may state a baseline loosely ("about 400 a month"); text under
    # another element's label needs a strong cue, or its targets would read as baselines.
    loose = [
        ("title", epic.title),
        *(("prose", p) for p in parsed.prose),
        *((_label_source(b), b.text) for b in parsed.blocks if checker.element_of(b.label) is None),
    ]
    found = _first_sentence(loose, patterns.states_baseline)
    found = found or _first_sentence(
        [(_label_source(b), b.text) for b in parsed.blocks],
        lambda sentence: patterns.states_baseline(sentence, strict=True),
    )
    return _with_element("baseline", found), None if found else "missing_baseline"


def judge_success_criteria(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    stated = [b for b in labelled["success_criteria"] if b.text]
    # Under a criteria label, a target wins over a bare number (which may be the baseline
    # written in the same "Metrics:" field).
    for test in (patterns.states_target, _measurable_not_baseline):
        for block in stated:
            for sentence in patterns.sentences(block.text):
                if test(sentence):
                    evidence = Evidence("success_criteria", _label_source(block), _clip(sentence))
                    return evidence, None
    texts = [
        (s, t)
        for s, t in _everywhere(epic, parsed)
        if not any(t == b.text for b in labelled["baseline"])
    ]
    found = _first_sentence(texts, patterns.states_target)
    if found:
        return _with_element("success_criteria", found), None
    if stated:
        block = stated[0]
        return (
            Evidence("success_criteria", _label_source(block), _clip(block.text)),
            "unmeasurable_success_criteria",
        )
    return None, "missing_success_criteria"


def _measurable_not_baseline(sentence: str) -> bool:
    return patterns.is_measurable(sentence) and not patterns.states_baseline(sentence, strict=True)


def judge_business_impact(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    for block in labelled["business_impact"]:
        if block.text and checker.is_business(block.text):
            return Evidence("business_impact", _label_source(block), _clip(block.text)), None
    other = {
        id(b) for e in ("baseline", "success_criteria", "timeline", "owner") for b in labelled[e]
    }
    texts = [
        ("title", epic.title),
        *((_label_source(b), b.text) for b in parsed.blocks if id(b) not in other),
        *(("prose", line) for line in parsed.prose),
    ]
    found = _first_sentence(texts, checker.is_business)
    return _with_element("business_impact", found), None if found else "missing_business_impact"


def judge_timeline(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    for block in labelled["timeline"]:
        if block.text and patterns.names_a_date(block.text):
            return Evidence("timeline", _label_source(block), _clip(block.text)), None
    if epic.due_date is not None:
        return Evidence("timeline", "due date", epic.due_date.isoformat()), None
    found = _first_sentence(_everywhere(epic, parsed), patterns.states_deadline)
    return _with_element("timeline", found), None if found else "missing_timeline"


def judge_owner(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    for block in labelled["owner"]:
        if block.text and patterns.names_someone(block.text):
            return Evidence("owner", _label_source(block), _clip(block.text)), None
    if epic.assignees:
        return Evidence("owner", "assignee", ", ".join(f"@{a}" for a in epic.assignees)), None
    found = _first_sentence(_everywhere(epic, parsed), patterns.states_owner)
    return _with_element("owner", found), None if found else "missing_owner"


JUDGES: dict[str, Callable[[Checker, Epic, Parsed, dict[str, list[Block]]], Judgement]] = {
    "baseline": judge_baseline,
    "success_criteria": judge_success_criteria,
    "business_impact": judge_business_impact,
    "timeline": judge_timeline,
    "owner": judge_owner,
}
