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
from dataclasses import dataclass, field, replace
from enum import StrEnum

from triage.records import Epic
from triage.smart import patterns
from triage.smart.directives import SNOOZE_LINE, blank_directives
from triage.smart.findings import ELEMENTS, FINDING_KINDS
from triage.smart.lexicon import lexicon
from triage.smart.parse import (
    BOLD_FIELD,
    PLAIN_FIELD,
    Block,
    Parsed,
    is_placeholder,
    leads_with_placeholder,
    normalise_label,
    parse,
)

EVIDENCE_CHARS = 160
# An OKR's numbered key results, in the languages of the lexicon.
KEY_RESULT = re.compile(
    r"^(?:kr|key result|résultat clé|resultado clave|resultado chave|"
    r"schlüsselergebnis)\s?\d{1,2}$"
)
# A pasted email: a From line with an address or a name in angle brackets, or a Subject or
# Sent line. A from/to table ("From: 12 days / To: 3 days") is none.
PASTED_EMAIL = re.compile(
    r"^[ \t>]*(?:(?:from|von|de|expéditeur|remitente)[ \t]*:[^\n]*[@<]"
    r"|(?:subject|betreff|asunto|assunto|objet|sent|gesendet|envoyé|enviado|enviada em)[ \t]*:)",
    re.IGNORECASE | re.MULTILINE,
)
# A pasted email's header lines, in the languages of the lexicon.
EMAIL_HEADERS = frozenset(
    {"to", "cc", "bcc", "from", "sent", "subject", "date", "de", "para", "an", "à", "a"}
    | {"von", "betreff", "asunto", "assunto", "objet", "enviado", "enviada", "gesendet", "envoyé"}
)
# The checker reads this much of a description: objectives are a few thousand characters,
# and every pattern is meant to be linear (benchmarks/checker_speed.py tries hostile shapes;
# run it after changing a pattern), so a hostile megabyte costs a bounded fraction of a
# second.
MAX_CHARS = 50_000
CLAUSES = re.compile(r"[;；.。\n]")
WORDS = re.compile(r"[^\W\d_]{2,}")
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# GitLab features named with a business word: "Compliance-Pipeline", "audit log", "License
# scanning" name a tool, so they say nothing of what the customer's business gains. The
# names are GitLab's own, in English whatever the language around them.
GITLAB_FEATURES = re.compile(
    r"\b(?:compliance[- ](?:pipelines?|frameworks?|center|centre|dashboard|reports?)|"
    r"audit[- ](?:events?|logs?|streams?)|licen[cs]e[- ](?:scanning|compliance|approval)|"
    r"security[- ](?:dashboards?|policies|policy)|value[- ]streams?(?:[- ]analytics)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    id: str
    message: str
    element: str | None = None


class Decision(StrEnum):
    """An element is stated, not stated, or the rules cannot tell (asked, never flagged)."""

    PRESENT = "present"
    MISSING = "missing"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Evidence:
    """What decided an element: the quoted span, where it is, and the rule that read it."""

    element: str
    source: str  # 'heading "Baseline metrics"', "prose", "title", "due date", "assignee"
    text: str
    rule: str = ""  # how it was read, in a CSM's words
    line: int | None = None  # 1-based line of the description; None for epic fields
    decision: Decision = Decision.PRESENT


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    evidence: Mapping[str, Evidence] = field(default_factory=dict)
    # Every element's decision; an element with none here is missing (older results).
    decisions: Mapping[str, Decision] = field(default_factory=dict)

    @property
    def unsure(self) -> list[str]:
        return [e for e in ELEMENTS if self.decisions.get(e) is Decision.UNSURE]

    @property
    def missing(self) -> list[str]:
        """SMART elements not (measurably) stated, in the canonical order."""
        gaps = {f.element for f in self.findings if f.element}
        return [element for element in ELEMENTS if element in gaps]

    @property
    def finding_ids(self) -> frozenset[str]:
        return frozenset(f.id for f in self.findings)


class Checker:
    """A SMART checker with the words of every language file plus any a policy adds."""

    def __init__(self, extra_synonyms: Mapping[str, Iterable[str]] | None = None) -> None:
        words = lexicon()
        pairs = list(words.synonyms)
        for element, extra in (extra_synonyms or {}).items():
            pairs += [(w.lower(), element) for w in extra]
        # Synonyms read like labels: "=aujourd'hui" names the label "Aujourd'hui :", which
        # normalises to "aujourd hui".
        pairs = [
            (("=" if p.startswith("=") else "") + normalise_label(p.removeprefix("=")), e)
            for p, e in pairs
        ]
        pairs.sort(key=lambda pair: -len(pair[0]))
        # "=word" synonyms name the element only as the whole label (table headers such
        # as From/To); the others are found inside a label, one compiled pattern for all.
        self.whole: dict[str, str] = {}
        self.inside: dict[str, str] = {}
        for phrase, element in pairs:
            if phrase.startswith("="):
                self.whole.setdefault(phrase[1:], element)
            else:
                self.inside.setdefault(phrase, element)
        # Words of scripts without spaces (Japanese) are found anywhere, others as words.
        spaced = "|".join(re.escape(p) for p in self.inside if not CJK.search(p))
        unspaced = "|".join(re.escape(p) for p in self.inside if CJK.search(p))
        self.label_pattern = re.compile(
            "|".join(
                part
                for part in (rf"(?<![\w-])(?:{spaced})(?![\w-])" if spaced else "", unspaced)
                if part
            )
            or r"(?!x)x"
        )
        self.business = words.business
        self.named: dict[str, str | None] = {}
        self.technical = words.technical

    def element_of(self, label: str) -> str | None:
        """The element a label names: the longest synonym found in it wins.

        A synonym written ``=word`` names the element only as the whole label, for short
        table headers such as ``From``/``To`` or ``Before``/``After``.
        """
        if label in self.whole:
            return self.whole[label]
        if KEY_RESULT.match(label):  # "KR1", "RC2", "Key result 3"
            return "success_criteria"
        if label in self.named:
            return self.named[label]
        # every judge asks of every label: remember the answer (an epic has a few labels)
        if len(self.named) > 4096:
            self.named.clear()
        self.named[label] = self._element_of(label)
        return self.named[label]

    def _element_of(self, label: str) -> str | None:
        found = [m.group(0) for m in self.label_pattern.finditer(label)]
        if not found and "-" in label:  # "KR-Verantwortliche": a synonym after a hyphen
            found = [m.group(0) for m in self.label_pattern.finditer(label.replace("-", " "))]
        if not found:
            return None
        return self.inside[max(found, key=len)]

    def check(self, epic: Epic) -> CheckResult:
        if len(epic.description) > MAX_CHARS:  # any author could stall the weekly run
            epic = replace(epic, description=epic.description[:MAX_CHARS])
        if SNOOZE_LINE.search(epic.description):  # a snooze's date is no timeline
            epic = replace(epic, description=blank_directives(epic.description))
        parsed = parse(epic.description)
        labelled: dict[str, list[Block]] = {element: [] for element in ELEMENTS}
        emailed = PASTED_EMAIL.search(epic.description)
        for block in parsed.blocks:
            # a pasted email's "To: Nadia Brooks" is its header, not a from/to table's "To"
            element = (
                None if emailed and block.label in EMAIL_HEADERS else self.element_of(block.label)
            )
            if element:
                labelled[element].append(self._own(block, element))
        findings: list[Finding] = []
        evidence: dict[str, Evidence] = {}
        decisions: dict[str, Decision] = {}
        for element in ELEMENTS:
            verdict = JUDGES[element](self, epic, parsed, labelled)
            decisions[element] = verdict.decision
            found = verdict.evidence
            if found:
                if found.text and found.source not in ("title", "due date", "assignee"):
                    found = replace(found, line=line_of(epic.description, found.text))
                evidence[element] = found
            if verdict.gap:
                findings.append(_finding(verdict.gap))
        headings = [h.lower().strip(" :*") for h in parsed.headings]
        if not any(re.sub(r"^\d+[.)]?\s*", "", h).startswith("summary") for h in headings):
            findings.append(_finding("missing_summary_heading"))
        if not any("success criteria" in h for h in headings):
            findings.append(_finding("missing_success_criteria_heading"))
        if epic.due_date is None:
            findings.append(_finding("missing_due_date"))
        return CheckResult(tuple(findings), evidence, decisions)

    def _own(self, block: Block, element: str) -> Block:
        """A section without the field lines in it that name another element: under
        "## Timeline", a following "Owner: @a.b" line is the owner's, not the timeline's."""
        if block.kind != "heading" or not block.text:
            return block
        kept = []
        for line in block.text.split("\n"):
            field_match = BOLD_FIELD.match(line) or PLAIN_FIELD.match(line)
            other = (
                self.element_of(normalise_label(field_match.group("label")))
                if field_match
                else None
            )
            if other is None or other == element:
                kept.append(line)
        return replace(block, text="\n".join(kept).strip())

    def is_technical(self, text: str) -> bool:
        """About tools: a GitLab feature, or a tool word, also inside a hyphenated
        compound ("Compliance-Pipeline", "CI-Vorlagen")."""
        # Latin names inside Japanese ("GitLab上で") have no word boundary until the
        # Japanese around them is set apart.
        spaced = CJK.sub(" ", text.replace("-", " "))
        return bool(
            GITLAB_FEATURES.search(text)
            or self.technical.search(text.replace("-", " "))
            or self.technical.search(spaced)
        )

    def is_business(self, text: str) -> bool:
        return bool(self.business.search(GITLAB_FEATURES.sub(" ", text)))


def _finding(finding_id: str) -> Finding:
    kind = FINDING_KINDS[finding_id]
    return Finding(kind.id, kind.message, kind.element)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def _quote(block: Block, test: Callable[[str], object]) -> str:
    """The words of a block to quote: its first sentence that passes ``test``, else its
    first sentence, so a comment shows one short line, not a whole section."""
    found = patterns.sentences(block.text)
    return _clip(next((s for s in found if test(s)), found[0] if found else block.text))


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


@dataclass(frozen=True)
class Judgement:
    evidence: Evidence | None
    gap: str | None = None  # the id of the finding, when the element is missing
    decision: Decision = Decision.PRESENT


def _present(element: str, found: Evidence, rule: str) -> Judgement:
    return Judgement(replace(found, element=element, rule=rule))


def _missing(element: str, gap: str, rule: str, found: Evidence | None = None) -> Judgement:
    evidence = Evidence(element, found.source if found else "", found.text if found else "", rule)
    return Judgement(replace(evidence, decision=Decision.MISSING), gap, Decision.MISSING)


def _unsure(element: str, block: Block, rule: str) -> Judgement:
    found = Evidence(element, _label_source(block), _clip(block.text), rule, None, Decision.UNSURE)
    return Judgement(found, None, Decision.UNSURE)


def _blank_label(blocks: list[Block]) -> Block | None:
    """A label of the element with nothing real under it (a placeholder or the hint)."""
    return next((b for b in blocks if not b.text or b.placeholder), None)


def _nothing(element: str, gap: str, blocks: list[Block], what: str) -> Judgement:
    blank = _blank_label(blocks)
    if blank is not None:
        rule = f'only a placeholder under {blank.kind} "{blank.label}"'
        return _missing(element, gap, rule)
    return _missing(element, gap, f"nothing states {what}")


def _planned(block: Block) -> bool:
    """A baseline that starts as a placeholder and says how it will be filled, with no
    number of today's: "pendiente, la recogeremos en la sesión", "<value> (to collect)"."""
    return (block.placeholder or leads_with_placeholder(block.text)) and not patterns.quantities(
        patterns.without_history(block.text)
    )


def _tells_today(block: Block) -> bool:
    """Text under a baseline label that states where things are: a number, or words that
    are neither a placeholder clause ("Not measured yet; we will collect it") nor a date
    alone ("measured 2026-11-30")."""
    if patterns.quantities(block.text):
        return True
    holds_a_place = block.placeholder or any(map(is_placeholder, CLAUSES.split(block.text)))
    only_a_date = not WORDS.search(patterns.without_history(block.text))
    return not (holds_a_place or only_a_date)


def _strict_baseline(sentence: str) -> bool:
    """A baseline only with a strong cue ("currently", "measured", "from X to")."""
    return patterns.states_baseline(sentence, strict=True)


def _unlabelled(checker: Checker, epic: Epic, parsed: Parsed) -> list[tuple[str, str]]:
    """The title, the prose and the blocks whose label names no element."""
    return [
        ("title", epic.title),
        *(("prose", p) for p in parsed.prose),
        *((_label_source(b), b.text) for b in parsed.blocks if checker.element_of(b.label) is None),
    ]


def judge_baseline(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    planned = [b for b in labelled["baseline"] if b.text and _planned(b)]
    for block in labelled["baseline"]:
        if block.text and block not in planned and _tells_today(block):
            hit = Evidence("baseline", _label_source(block), _quote(block, patterns.quantities))
            return _present("baseline", hit, f"written under {_label_source(block)}")
    # The writer left the baseline's place empty ("Current Value: TBD"): a number said
    # elsewhere (an impact's "140 hours billed in 2026") does not fill it; only a
    # sentence that says it is today's, outside the other elements' labels.
    if planned or any(not b.text for b in labelled["baseline"]):
        found = _first_sentence(_unlabelled(checker, epic, parsed), _strict_baseline)
    else:
        # Unlabelled text may state a baseline loosely ("about 400 a month"); text under
        # another element's label needs a strong cue, or its targets would read as
        # baselines.
        found = _first_sentence(_unlabelled(checker, epic, parsed), patterns.states_baseline)
        found = found or _first_sentence(
            [(_label_source(b), b.text) for b in parsed.blocks], _strict_baseline
        )
    if found:
        return _present("baseline", found, "a number said to describe today")
    return _nothing("baseline", "missing_baseline", labelled["baseline"], "where things are today")


def judge_success_criteria(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    stated = [b for b in labelled["success_criteria"] if b.text]
    # Under a criteria label, a target wins over a bare number (which may be the baseline
    # written in the same "Metrics:" field).
    for test in (patterns.states_target, _measurable_not_baseline):
        for block in stated:
            for sentence in patterns.sentences(block.text):
                # "90% of projects (currently 12%)": the aside is today's value, the
                # target is what is left.
                if test(sentence) or test(patterns.ASIDE.sub(" ", sentence)):
                    hit = Evidence("success_criteria", _label_source(block), _clip(sentence))
                    rule = f"a measurable target under {_label_source(block)}"
                    return _present("success_criteria", hit, rule)
    # Text under another element's label states that element: a business impact's "cut
    # audit effort by 40 hours" is the gain, not the objective's target.
    # A title is a target only with its number ("Cut Time to First Commit by 20%"): a
    # title that names an outcome ("Company-wide rollout of scanning") names the work.
    texts = [
        *([("title", epic.title)] if patterns.quantities(epic.title) else []),
        *(
            (_label_source(b), b.text)
            for b in parsed.blocks
            if checker.element_of(b.label) in (None, "success_criteria")
        ),
        *(("prose", line) for line in parsed.prose),
    ]
    found = _first_sentence(texts, patterns.states_target)
    if found:
        return _present("success_criteria", found, "a target with a number or a done state")
    real = [b for b in stated if not b.placeholder]
    if real:
        block = real[0]
        found = Evidence("success_criteria", _label_source(block), _clip(block.text))
        rule = f"no number, threshold or done state under {_label_source(block)}"
        return _missing("success_criteria", "unmeasurable_success_criteria", rule, found)
    return _nothing(
        "success_criteria",
        "missing_success_criteria",
        labelled["success_criteria"],
        "how success is measured",
    )


def _measurable_not_baseline(sentence: str) -> bool:
    """A number or a done state that is not today's, nor the deadline's own ("within 12
    months of this EBR" under "Target:" says when, not what)."""
    own = patterns.DEADLINE.sub(" ", sentence)
    return patterns.is_measurable(own) and not patterns.states_baseline(sentence, strict=True)


def judge_business_impact(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    for block in labelled["business_impact"]:
        if block.text and checker.is_business(block.text):
            hit = Evidence(
                "business_impact", _label_source(block), _quote(block, checker.is_business)
            )
            return _present("business_impact", hit, f"written under {_label_source(block)}")
    # Under the element's own label, the customer's reason in their words counts without
    # our business words ("fixing it avoids a formal finding"), unless it is about tools
    # and their use: a restated technical goal ("so pipelines are faster") is no gain.
    stated = [b for b in labelled["business_impact"] if b.text and not b.placeholder]
    for block in stated:
        if _says_enough(block.text) and not checker.is_technical(block.text):
            hit = Evidence("business_impact", _label_source(block), _quote(block, bool))
            rule = f"the customer's reason, written under {_label_source(block)}"
            return _present("business_impact", hit, rule)
    if stated:  # the writer gave the reason, and it is a technical goal: no search elsewhere
        block = stated[0]
        shown = Evidence("business_impact", _label_source(block), _clip(block.text))
        rule = f"a technical goal, not a business gain, under {_label_source(block)}"
        return _missing("business_impact", "missing_business_impact", rule, shown)
    # A title states a gain only with a change in it ("Lower CI cloud costs"); a title
    # that names a metric ("Lead time") says what is measured, not what the business gains.
    titles = [("title", epic.title)] if patterns.states_change(epic.title) else []
    # Text under another element's label states that element: a target's "audit log" is
    # no business gain, though a "why" written below the targets in their section is.
    texts = [
        *titles,
        *(
            (_label_source(b), _without_measures(b.text) if named == "success_criteria" else b.text)
            for b in parsed.blocks
            if (named := checker.element_of(b.label)) in (None, "business_impact")
            or (named == "success_criteria" and b.kind == "heading")
        ),
        *(("prose", line) for line in parsed.prose),
    ]
    found = _first_sentence(texts, checker.is_business)
    if found:
        return _present("business_impact", found, "words of a business gain (cost, risk, time)")
    return _nothing(
        "business_impact",
        "missing_business_impact",
        labelled["business_impact"],
        "what the customer's business gains",
    )


def _says_enough(text: str) -> bool:
    """A reason is a clause, not a label's worth of words: "fewer vulns" or "更に速く"
    restates an aim; five words (or a dozen characters of Japanese) can say a gain."""
    return len(WORDS.findall(text)) >= 5 or len(CJK.findall(text)) >= 12


def _without_measures(text: str) -> str:
    """A success criteria section without its measures: a "why" written below them
    ("Shipping weekly lets the store react to competitors") is still the business's gain.
    A field's one value is the criterion itself, so only sections are read this way."""
    return "\n".join(
        s
        for s in patterns.sentences(text)
        if not (patterns.states_target(s) or patterns.DIGIT.search(s))
    )


# Numbers that may be a date the rules cannot read ("Ende KW 14/27", "14.27"); a list's
# numbers ("Pilot: 5 stacks", "1. Regression suite") are not.
DATE_LIKE = re.compile(r"\d{1,4}\s?[/.-]\s?\d{1,4}|\b(?:kw|cw|wk|week|semaine|semana)\s?\d", re.I)
# A document's own date, by its label ("Date: 2026-12-03", "Fecha:", "日時："): the day
# the notes were taken, never the objective's deadline.
DOCUMENT_DATE = frozenset(
    {"date", "datum", "fecha", "data", "日時", "日付", "実施日", "meeting date", "date of meeting"}
)
OTHERS_THAN_TIME = ("baseline", "business_impact", "owner")


def judge_timeline(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    for block in labelled["timeline"]:
        if block.text and patterns.names_a_date(block.text):
            hit = Evidence("timeline", _label_source(block), _quote(block, patterns.names_a_date))
            return _present("timeline", hit, f"a date under {_label_source(block)}")
    if epic.due_date is not None:
        hit = Evidence("timeline", "due date", epic.due_date.isoformat())
        return _present("timeline", hit, "the epic's due date")
    # A field's label reads with its date: "Kick-off: 2027-01-11" is history, not a deadline.
    texts = [
        ("title", epic.title),
        *(
            (_label_source(b), f"{b.label}: {b.text}")
            for b in parsed.blocks
            if checker.element_of(b.label) not in OTHERS_THAN_TIME and b.label not in DOCUMENT_DATE
        ),
        *(("prose", line) for line in parsed.prose),
    ]
    found = _first_sentence(texts, patterns.states_deadline)
    # Under another element's label a date is that element's ("Baseline: the scan of
    # 2026-11-20 found 1,140 secrets"): only a deadline word makes it the objective's.
    found = found or _first_sentence(
        [
            (_label_source(b), f"{b.label}: {b.text}")
            for b in parsed.blocks
            if checker.element_of(b.label) in OTHERS_THAN_TIME
        ],
        lambda sentence: patterns.states_deadline(sentence, bare_dates=False),
    )
    if found:
        return _present("timeline", found, "a date or period given as a deadline")
    # Numbers under a timeline label that read as no date ("Ende KW 14/27"): ask, don't
    # accuse. Words without a number ("asap", "soon") are no deadline.
    written = [
        b
        for b in labelled["timeline"]
        if b.text and not b.placeholder and DATE_LIKE.search(patterns.without_history(b.text))
    ]
    if written:
        return _unsure(
            "timeline", written[0], "a timeline is written, but no date the rules can read"
        )
    return _nothing("timeline", "missing_timeline", labelled["timeline"], "a deadline")


def judge_owner(
    checker: Checker, epic: Epic, parsed: Parsed, labelled: dict[str, list[Block]]
) -> Judgement:
    for block in labelled["owner"]:
        if block.text and patterns.names_someone(block.text):
            hit = Evidence("owner", _label_source(block), _quote(block, patterns.names_someone))
            return _present("owner", hit, f"a person named under {_label_source(block)}")
    if epic.assignees:
        hit = Evidence("owner", "assignee", ", ".join(f"@{a}" for a in epic.assignees))
        return _present("owner", hit, "the epic's assignee")
    # The title names the work, never its owner ("CR comité de pilotage", "Code-Owner-...").
    body = [(source, text) for source, text in _everywhere(epic, parsed) if source != "title"]
    found = _first_sentence(body, patterns.states_owner)
    if found is None:  # a handle on its own, outside lists of stakeholders
        found = _first_sentence(
            (
                (source, text)
                for source, text in _everywhere(epic, parsed)
                if not patterns.NOT_OWNER_LABEL.search(source)
            ),
            patterns.lone_handle,
        )
    if found is None and patterns.writer_takes_it(epic.description):
        found = _first_sentence(
            [("prose", epic.description)], lambda s: bool(lexicon().owner_self.search(s))
        )
    if found:
        return _present("owner", found, "an owner word and a name")
    return _nothing("owner", "missing_owner", labelled["owner"], "who owns the objective")


JUDGES: dict[str, Callable[[Checker, Epic, Parsed, dict[str, list[Block]]], Judgement]] = {
    "baseline": judge_baseline,
    "success_criteria": judge_success_criteria,
    "business_impact": judge_business_impact,
    "timeline": judge_timeline,
    "owner": judge_owner,
}


def line_of(description: str, text: str) -> int | None:
    """The 1-based line of ``description`` where the quoted ``text`` starts, if found."""
    words = text.rstrip("…").split()
    if not words:
        return None
    lines = [" ".join(line.split()) for line in description.splitlines()]
    for size in (6, 3, 1):
        probe = " ".join(words[:size])
        for number, line in enumerate(lines, start=1):
            if probe and probe in line:
                return number
    return None
