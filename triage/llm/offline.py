"""The offline drafter: SMART criteria from the handbook's KPI library, without a model.

Used when no LLM is configured (the demo, and every team without an approved model). For an
objective it proposes one or two real metrics from the KPI library (``kpi_library.py``),
chosen by the words of the title and description and the ``UseCase::`` label. Each
criterion quotes the baseline from the epic when the epic states one, else says how to
measure it in GitLab first; the target is the epic's own when it states one, else a
question for the CSM and the customer; the deadline is the epic's date. It never invents a
number: everything numeric in a draft was written in the epic.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from datetime import date

from triage.llm.kpi_library import Kpi, KpiLibrary, load_library
from triage.llm.suggestion import Criterion, Suggestion
from triage.records import Epic
from triage.smart.checker import CheckResult, Decision

MEASURE_FIRST = "unknown: measure first"
MEASURE_FIRST_PREFIX = "measure first: "
USE_CASE_PREFIX = "UseCase::"
NUMBER = re.compile(r"\d")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
# A statement of where the customer is today, in prose (the checker's baseline evidence
# comes first; these find the statements for a second metric).
NOW_CUES = re.compile(
    r"\b(today|currently|current|now|still|baseline|as of|at the moment|last (?:quarter|"
    r"year|month|week)|in q[1-4]|measured|we have|they have|there are)\b",
    re.IGNORECASE,
)
TARGET_CUES = re.compile(
    r"\b(target|goal|aim|reduce[sd]? to|increase[sd]? to|down to|up to|below|under|at most|"
    r"at least|fewer than|more than|all|every|\d+ of \d+|\d+\s?%)",
    re.IGNORECASE,
)
SENTENCE = re.compile(r"(?<=[.;!?])\s+")
BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#|\||\*\*[^*]{1,40}:\*\*|<!--)")
MARKUP = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*[^*]{1,40}:\*\*\s*|\*\*|__)?")
HEADING = re.compile(r"^\s*#+\s*(.+?)\s*#*$")
BASELINE_HEADINGS = re.compile(r"baseline|current|today|where we are", re.IGNORECASE)
TARGET_HEADINGS = re.compile(r"success criteria|target|goal|metric", re.IGNORECASE)
TABLE_BASELINE = re.compile(r"^(baseline|current|today|now)", re.IGNORECASE)
TABLE_TARGET = re.compile(r"^(target|goal|success)", re.IGNORECASE)
MAX_QUOTE = 200
MAX_DEADLINE = 80


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Statement:
    text: str  # as written in the epic, whitespace aside
    heading: str  # the Markdown heading it is under ("" before any)


def _blocks(text: str) -> list[tuple[str, str]]:
    """(heading, block) pairs: paragraphs with their wrapped lines joined, list items and
    table rows on their own."""
    blocks: list[tuple[str, str]] = []
    heading, current = "", list[str]()
    for line in [*text.splitlines(), ""]:
        starts = not line.strip() or BLOCK_START.match(line)
        if starts and current:
            blocks.append((heading, _squash(" ".join(current))))
            current = []
        match = HEADING.match(line)
        if match:
            heading = match.group(1)
            continue
        if line.strip():
            current.append(line.strip())
    return blocks


def _statements_in(text: str) -> list[Statement]:
    """Sentences and list items of ``text`` without list markers and bold labels, each as
    written (whitespace aside), so that any of them is a quote."""
    out = []
    for heading, block in _blocks(text):
        if block.startswith(("|", "<!--")):
            continue
        for raw in SENTENCE.split(block):
            piece = MARKUP.sub("", raw).strip().rstrip("*_").strip()
            if piece and len(piece) <= 400:
                out.append(Statement(piece, heading))
    return out


def _table_cells(text: str, column: re.Pattern[str]) -> list[str]:
    """``metric: value`` for each row of a Markdown table whose header has a matching
    column (Baseline, Current; Target, Goal): the words and numbers of the epic's cells."""
    found: list[str] = []
    header: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        for index, name in enumerate(header):
            if index and index < len(cells) and column.match(name) and cells[index]:
                found.append(f"{cells[0]}: {cells[index]}")
    return found


def _quote(text: str) -> str:
    """A quote cut to the schema's length at a word, never inside a number."""
    if len(text) <= MAX_QUOTE:
        return text
    cut = text[: MAX_QUOTE - 1].rsplit(" ", 1)[0]
    return cut + "…"


@dataclass(frozen=True)
class Choice:
    kpi: Kpi
    score: float
    words: tuple[str, ...]  # the epic's words that pointed to it


def choose(
    epic: Epic, library: KpiLibrary, limit: int = 2, stated: list[str] | None = None
) -> list[Choice]:
    """The KPIs that best fit the objective: words of the title count double, the
    ``UseCase::`` label adds to every KPI of that use case, and a KPI a stated baseline
    names gains most (the epic measures it already); a second KPI is proposed only when it
    fits at least half as well as the first."""
    cases = {label[len(USE_CASE_PREFIX) :] for label in epic.labels if label.startswith("UseCase")}
    scored = []
    for kpi in library.kpis:
        in_title = kpi.matches(epic.title)
        in_text = kpi.matches(epic.description)
        score = 2.0 * sum(len(w.split()) for w in in_title)
        score += sum(len(w.split()) for w in in_text)
        if cases & set(kpi.use_cases):
            score += 1.5
        score += 3.0 * sum(1 for line in stated or () if _owner(line, library.kpis) is kpi)
        if score > 0:
            scored.append(Choice(kpi, score, tuple(dict.fromkeys([*in_title, *in_text]))))
    scored.sort(key=lambda c: -c.score)  # stable: library order breaks ties
    if not scored:
        fallback = library.by_id("cycle-time") or library.kpis[0]
        return [Choice(fallback, 0.0, ())]
    first = scored[0]
    rest = [c for c in scored[1:] if c.score >= first.score / 2][: limit - 1]
    return [first, *rest]


class OfflineDrafter:
    """Drafts from the KPI library; ``identity`` changes with the library's content, so an
    ops change to the library re-drafts on the next run."""

    def __init__(self, library: KpiLibrary | None = None, today: date | None = None) -> None:
        self.library = library or load_library()
        self.today = today
        digest = hashlib.sha256()
        for path in self.library.files:
            digest.update(path.read_bytes())
        self.identity = f"offline-kpi/1/{digest.hexdigest()[:8]}"

    def draft(self, epic: Epic, check: CheckResult) -> Suggestion | None:
        today = self.today or date.today()
        baselines = _statements(
            epic, check, "baseline", NOW_CUES, BASELINE_HEADINGS, TABLE_BASELINE
        )
        targets = _statements(
            epic, check, "success_criteria", TARGET_CUES, TARGET_HEADINGS, TABLE_TARGET
        )
        targets = [t for t in targets if t not in baselines]
        choices = choose(epic, self.library, stated=baselines)
        deadline = _deadline(epic, check, today)
        criteria = []
        used: set[str] = set()
        for index, choice in enumerate(choices):
            kpi = choice.kpi
            kpis = [c.kpi for c in choices]
            baseline = _assign(kpi, kpis, baselines, used, first=index == 0)
            target = _assign(kpi, kpis, targets, used, first=index == 0)
            if target and baseline and _squash(target) == _squash(baseline):
                target = None
            criteria.append(
                Criterion(
                    metric=f"{kpi.name} ({kpi.unit})",
                    baseline=_quote(baseline) if baseline else MEASURE_FIRST_PREFIX + kpi.measure,
                    target=_quote(target)
                    if target
                    else f"To agree with the customer: how many {kpi.unit}?",
                    deadline=deadline,
                    why_it_matters=_why(kpi, choice),
                )
            )
        return Suggestion(criteria=tuple(criteria), business_impact=None, source="template")


def _statements(
    epic: Epic,
    check: CheckResult,
    element: str,
    cues: re.Pattern[str],
    headings: re.Pattern[str],
    column: re.Pattern[str],
) -> list[str]:
    """Quotes from the epic that state ``element``: the checker's evidence first when it is
    present and written as such in the description, then table cells of a matching column,
    then sentences with a number under a matching heading or with a cue. Each is the epic's
    own words, so a quoted number is always the epic's."""
    text = _squash(epic.description)
    found: list[str] = []
    evidence = check.evidence.get(element)
    if (
        evidence is not None
        and evidence.decision is Decision.PRESENT
        and evidence.source not in ("title", "due date", "assignee")
        and _squash(evidence.text)
        and _squash(evidence.text) in text
    ):
        found.append(_squash(evidence.text))
    found += _table_cells(epic.description, column)
    for statement in _statements_in(epic.description):
        if not NUMBER.search(statement.text) or statement.text in found:
            continue
        if headings.search(statement.heading) or cues.search(statement.text):
            found.append(statement.text)
    return list(dict.fromkeys(found))


def _strength(kpi: Kpi, text: str) -> int:
    """How specifically ``text`` names ``kpi``: the words of its longest matching phrase."""
    return max((len(w.split()) for w in kpi.matches(text)), default=0)


def _owner(text: str, kpis: tuple[Kpi, ...] | list[Kpi]) -> Kpi | None:
    """The KPI ``text`` names most specifically ("deployment time" over "deployments")."""
    best = max(kpis, key=lambda k: _strength(k, text), default=None)
    return best if best is not None and _strength(best, text) else None


def _assign(
    kpi: Kpi, kpis: list[Kpi], statements: list[str], used: set[str], first: bool
) -> str | None:
    """The statement about ``kpi`` not given to another KPI: one that names it more
    specifically than the other proposed KPIs, else (for the first KPI only) the first
    one that names none of them, the checker's own evidence when it found one."""
    free = [s for s in statements if s not in used]
    chosen = next((s for s in free if _owner(s, kpis) is kpi), None)
    if chosen is None and first:
        chosen = next((s for s in free if _owner(s, kpis) is None), None)
    if chosen is not None:
        used.add(chosen)
    return chosen


def _deadline(epic: Epic, check: CheckResult, today: date) -> str:
    """The epic's due date; a quoted timeline when there is none; never a date that has
    passed (a draft cannot ask for a target in the past)."""
    if epic.due_date is not None:
        if epic.due_date >= today:
            return epic.due_date.isoformat()
        return "a new date, to agree with the customer: the epic's due date has passed"
    timeline = check.evidence.get("timeline")
    if timeline is not None and timeline.decision is Decision.PRESENT and timeline.text:
        quoted = _squash(timeline.text)
        stated = quoted in _squash(epic.description)
        if stated and len(quoted) <= MAX_DEADLINE and all(d >= today for d in _dates(quoted)):
            return quoted
    return "the date agreed with the customer"


def _dates(text: str) -> list[date]:
    """The dates ``text`` names: ISO dates, and "Month YYYY" as the month's last day."""
    found = []
    for year, month, day in ISO_DATE.findall(text):
        try:
            found.append(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    for name, year in MONTH_YEAR.findall(text):
        month = MONTHS[name.lower()]
        found.append(date(int(year), month, calendar.monthrange(int(year), month)[1]))
    return found


def _why(kpi: Kpi, choice: Choice) -> str:
    words = ", ".join(f'"{w}"' for w in choice.words[:4])
    pointed = f"; proposed for the words {words}" if words else ""
    return f"{kpi.pillar} (a value pillar of the handbook): {kpi.name}{pointed}."
