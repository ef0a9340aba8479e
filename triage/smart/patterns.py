"""Sentence patterns for SMART elements written as prose rather than under a label.

Each function takes one sentence and says whether it states that element. They are
deliberately conservative: a sentence counts as a baseline only with a number *and* a sign
that the number describes today; as a deadline only with a date, a period or an event.

The English patterns below carry English grammar ("from X to Y", "by the end of"); the cue
words of every language, English included, come from the language files through
``lexicon()`` and are tried next to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, TypeVar

from triage.smart.lexicon import lexicon

F = TypeVar("F", bound=Callable[..., Any])
_MEMOS: list[Any] = []
WORD = re.compile(r"\w")
DIGIT = re.compile(r"\d")
JAPANESE_MARKS = ("時点", "に測定", "に計測", "に開始")  # "as of", "measured", "started" on a date


def _memo(function: F) -> F:
    """Remember a pure test's answers per sentence: the checker asks several elements'
    tests of the same sentences, and each test asks the same helpers (numbers, cue words)
    again. Bounded, so memory stays flat; ``clear_memos`` forgets everything."""
    remembered = lru_cache(maxsize=2048)(function)
    _MEMOS.append(remembered)
    return remembered  # type: ignore[return-value]


def clear_memos() -> None:
    """Forget every remembered answer (benchmarks measure each round from cold)."""
    for memo in _MEMOS:
        memo.cache_clear()


MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
PERIOD = re.compile(
    rf"\b(?:q[1-4]|h[12]|fy\s?'?\d{{2,4}}|cy\s?\d{{2,4}}|(?:{MONTHS})\.?\s+(?:20)?\d\d)\b"
    r"|\b20\d\d\b",
    re.IGNORECASE,
)
# A quantity: digits (not dates, years or quarters), a percentage, a ratio, number words.
QUANTITY = re.compile(
    r"(?<![A-Za-z\u00C0-\u024F0-9_.-])(?!20\d\d(?!\d))\d[\d,.]*\s*(?:%|x\b|k\b)?"
    r"|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|half|"
    r"double|twice|triple|dozen)\b",
    re.IGNORECASE,
)
# Words that tie a number to today. Strong ones do it alone; weak ones ("has", "takes")
# only when the sentence does not also state a target.
STRONG_NOW = re.compile(
    r"\b(?:currently|today|at the moment|right now|at present|presently|as of|baseline|"
    r"measured|last (?:quarter|month|year|week|sprint|audit|release)|so far|stands? at|"
    r"averages?|on average|in (?:q[1-4]|20\d\d))\b",
    re.IGNORECASE,
)
# "30% lower than today" measures against today without saying what today is.
RELATIVE_TO_NOW = re.compile(
    r"\b(?:compared (?:with|to)|than|versus|vs\.?|relative to)\s+(?:today|now|the current\w*)\b",
    re.IGNORECASE,
)
WEAK_NOW = re.compile(
    r"\b(?:now|still|typically|takes?|is at|are at|we have|they have|has|have|spends?|runs?|"
    r"about|around|roughly|approximately|per (?:week|month|day|year|quarter|release|sprint))\b"
    r"|~\s?\d|\b(?:is|are)\s+(?:about\s+|around\s+|roughly\s+|~\s?)?\d",
    re.IGNORECASE,
)
# Where it is and where it goes in one breath: "from 15 to 5 days", "de 15 a 5 días",
# "800 -> 1,500 seats", "50 → 400": the first number is today's (years are not).
NOT_YEAR = r"(?!(?:19|20)\d\d(?!\d))"
FROM_TO = re.compile(
    r"\bfrom\s+(?:about\s+|around\s+|~)?(\d[\d,.]*\s*\S*)\s+(?:down |up )?to\b"
    # blanks bounded: two runs of optional blanks side by side made this quadratic
    rf"|\b(?:de|von|desde)\s+{NOT_YEAR}\d[\d,.]*[ \t]{{0,3}}%?[ \t]{{0,3}}(?:\w+\s+)?"
    rf"(?:a|à|para|auf|bis)\s+{NOT_YEAR}\d"
    rf"|(?<![\w.,]){NOT_YEAR}\d[\d,.]*[ \t]{{0,3}}(?:%|[^\W\d_]{{1,5}}\.?)?[ \t]{{0,3}}"
    rf"(?:->|→|=>|⟶|➝)[ \t]{{0,3}}[*_]{{0,2}}[ \t]{{0,3}}{NOT_YEAR}\d"
    r"|\d[^\s\d]{0,6}から[^\s\d]{0,6}\d",  # Japanese: "月1回から週1回へ"
    re.IGNORECASE,
)
TARGET_CUE = re.compile(
    r"\b(?:target|goal|aim|want(?:s|ed)?|down to|up to|reduce[ds]?|reducing|cut|increase[ds]?|"
    r"increasing|improve[ds]?|grow|raise|lower|reach|achieve|get (?:it |that )?(?:down |up )?to|"
    r"below|under|at least|at most|less than|more than|fewer than|no more than|above|"
    r"sustained|drop|halve|double)\b|[<>≤≥]\s?=?\s?\d",
    re.IGNORECASE,
)
BINARY = re.compile(
    r"\b(?:all|every|100\s?%)\b[^.;,\n]{0,50}\b(?:use|uses|using|on|in|migrated|moved|"
    r"running|run|build|built|protected|covered|have|has|enabled|scanned|onboarded|require|"
    r"requires|versioned|adopt|adopted|go through|goes through|going through|live|linked|"
    r"signed|approved|tracked|traced|covered|deployed|built|released|tested)\b"
    r"|\b(?:live|enabled|rolled out|available)\b[^.;\n]{0,30}\b(?:all|every|each)\b"
    r"|\b(?:enforce|enable|require|roll(?:ing)? out|migrate|move|turn on|protect|running|"
    r"run|in place)\w*\b"
    r"[^.;\n]{0,40}\b(?:all|every|each)\b"
    r"|\b(?:switch(?:ed)?|turn(?:ed)?|shut|sunset|phased?)\s+(?:off|down|out)\b"
    r"|\b(?:decommission|retire|replace|eliminate|remove|sunset)(?:s|d|ed|ing)?\b"
    r"|\bno (?:longer|more)\b|\bgo(?:es)?[- ]live\b",
    re.IGNORECASE,
)
DEADLINE = re.compile(
    rf"\bby\s+(?:the\s+)?(?:end|close|start|middle|mid|beginning)\b"
    rf"|\bby\s+(?:(?:{MONTHS})\b|q[1-4]\b|h[12]\b|fy|cy|20\d\d|next\b|this\b|year[- ]end|eo[yqm]\b)"
    r"|\bbefore\s+(?:the\s+)?(?:[\w'-]+\s+){0,4}(?:audit|freeze|renewal|launch|go-live|deadline|"
    r"end|ends|season|holidays?|review|release|migration|contract|kick-?off|summit|"
    r"(?:" + MONTHS + r")\b|q[1-4]|fy|20\d\d)"
    r"|\bwithin\s+(?:the\s+next\s+)?(?:\d+|one|two|three|four|six|nine|twelve|eighteen|a|an)\s+"
    r"(?:days?|weeks?|months?|quarters?|years?|sprints?)\b"
    r"|\b(?:end|close|start) of (?:the )?(?:year|quarter|month|fy\s?'?\d{0,4}|q[1-4]|h[12])\b"
    r"|\b(?:end|close|start|middle|mid|beginning) of (?:" + MONTHS + r")\b"
    r"|\b(?:by|before|until|in|during|for)\s+(?:the\s+)?(?:this|next)\s+"
    r"(?:quarter|year|half|month)\b",
    re.IGNORECASE,
)
# An event ahead, with its date: the date after "audit on" is the event's, and a deadline.
BEFORE_EVENT = re.compile(
    r"\b(?:before|ahead of|prior to)\s+(?:the\s+|their\s+|our\s+)?(?:[\w'-]+\s+){0,4}"
    r"(?:audit|renewal|launch|go-live|review|release|assessment)\s+(?:on|in)\s+\d",
    re.IGNORECASE,
)
# A date that follows a past-tense word is history ("kicked off 2025-09-02"), not a deadline.
HISTORY = re.compile(
    rf"\b(?:ended|kicked off|kick-?off was|finished|started|began|was|were|held|counted|"
    rf"measured|since|back in|as of|upgraded|joined|signed|renewed|completed|tried|dropped|"
    rf"launched|went live|happened|recorded)\s+(?:on\s+|in\s+|at\s+)?"
    rf"(?:\d{{4}}-\d\d-\d\d|(?:{MONTHS})\.?\s+(?:20)?\d\d|q[1-4](?:\s+20\d\d)?|20\d\d)",
    re.IGNORECASE,
)
# Words that name a deadline only when the sentence also has a date or a period.
DEADLINE_WORD = re.compile(
    r"\b(?:deadline|due|no later than|ahead of|until|throughout|"
    r"target date|timeline)\b",
    re.IGNORECASE,
)
MONTH_YEAR = re.compile(rf"\b(?:{MONTHS})\.?\s+(?:20)?\d\d\b", re.IGNORECASE)
HANDLE = r"@[\w.-]+|\b[a-z]+[.-][a-z][\w.-]*"
OWNER = re.compile(
    r"\b(?i:owner|owned by|dri|accountable|responsible|led by|lead(?:ing)? (?:is|:))\b"
    rf"[^.\n]{{0,60}}(?:{HANDLE}|\b[A-Z][a-z]+)"
    rf"|(?:{HANDLE})\s+(?i:is|as|will be)\s+(?:the\s+)?(?i:dri|owner|accountable)\b",
)
# A full stop ends a sentence before a capital, a number or a mark; before a small letter
# too after a word of four letters or more (chat in lower case: "optimieren. aktuell ~4k"),
# which keeps "e.g. the" and "ca. 40" whole.
SENTENCE_SPLIT = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z\u00C0-\u00DE0-9@*_(\"'¿¡])"
    r"|(?<=[^\W\d_]{4}[.!?])\s+(?=[a-z\u00DF-\u00FF])"
    r"|(?<=[。！？])|[;；\n]|\s\|\s"
)
LINE_START = re.compile(
    r"^\s*(?:[-*+•]\s|・|\[[ xX]\]\s|\d+[.)]\s|#|\||>|\*\*[^*]+\*\*"
    r"|[^\W\d_][\w /&-]{0,30}(?::\s|：))"
)


def unwrap(text: str) -> str:
    """Join lines Markdown would render as one paragraph; keep list items and fields apart."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and out[-1].strip() and line.strip() and not LINE_START.match(line):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


@_memo
def sentences(text: str) -> tuple[str, ...]:
    parts = (part.strip(" -*>\t|") for part in SENTENCE_SPLIT.split(unwrap(text)))
    return tuple(part for part in parts if part and WORD.search(part))


# Words and marks with a number that count nothing: "No one has looked", "2. Status".
NOT_COUNTS = re.compile(r"\b(?:no|any|some|every)\s?one\b|^\s*\d{1,2}[.)]\s", re.I)
NAMES_WITH_NUMBERS = re.compile(
    r"\b(?:soc\s?[12]|iso\s?\d+|pci(?:[- ]dss)?(?:\s?v?\d+(?:\.\d+)?)?|type\s+i+|"
    r"v\d+(?:\.\d+)*|gitlab\s+\d+(?:\.\d+)*|\d+(?:st|nd|rd|th)|top\s?\d+)\b"
    r"|(?<![\dかヶカ])\d{1,2}月",  # a Japanese month name ("1月" is January; "1か月" a month)
    re.IGNORECASE,
)


@_memo
def quantities(sentence: str) -> tuple[str, ...]:
    """Numbers that measure something: not dates, years, quarters or names like SOC 2."""
    words = lexicon()
    stripped = NAMES_WITH_NUMBERS.sub(" ", NOT_COUNTS.sub(" ", sentence))
    if "ly" in stripped:  # every rhythm word ends so: "weekly", "daily", "monthly"
        stripped = CADENCE.sub(" ", stripped)
    if DIGIT.search(stripped):  # every date pattern needs a digit: none, no date to drop
        stripped = words.date.sub(" ", ISO_DATE.sub(" ", stripped))
    stripped = words.period.sub(" ", stripped)
    stripped = PERIOD.sub(" ", stripped)
    found = [m.group(0).strip() for m in QUANTITY.finditer(stripped)]
    return (*found, *(m.group(0) for m in words.number_words.finditer(stripped)))


@_memo
def states_baseline(sentence: str, strict: bool = False) -> bool:
    """A number said to describe today. ``strict``: only with a strong cue ("currently",
    "measured", "from X to"), for text written under another element's label."""
    if FROM_TO.search(sentence):
        return True
    if not quantities(sentence):
        # A state told as today's, without a number: "Aktuell baut ein Entwickler die
        # Firmware lokal", "Today releases are manual". The cue opens the sentence, and
        # a target word would make it an aim.
        return (
            not strict
            and bool(STATE_OPENING.match(sentence))
            and _strong_now(sentence)
            and len(sentence.split()) >= 5
            and not _target_cue(sentence)
        )
    words = lexicon()
    if _strong_now(sentence):
        return True
    weak = WEAK_NOW.search(sentence) or words.now_weak.search(sentence)
    return not strict and bool(weak) and not _target_cue(sentence)


# A date held open: "Q3 (TBC)", "調整中", "未定".
HEDGE = re.compile(r"(?<![\w-])(?:tbd|tbc|tba)(?![\w-])|未定|調整中", re.IGNORECASE)
# A sentence that opens with today: "Today", "Currently", "Heute", "Aktuell", "Hoy",
# "Aujourd'hui", "Hoje", "現在", "現状".
STATE_OPENING = re.compile(
    r"\s*(?:today|currently|right now|at the moment|at present|heute|aktuell|derzeit|"
    r"momentan|zurzeit|hoy|actualmente|ahora mismo|aujourd'hui|actuellement|hoje|"
    r"atualmente|現在|現状)\b",
    re.IGNORECASE,
)
# How a target is measured ("below 5 days, measured in VSA over 30 days") says nothing
# of today: next to a target word, these are no sign of a baseline.
MEASURED = re.compile(r"\b(?:measured|gemessen|mesur[ée]e?s?|medid[oa]s?)\b|測定|計測", re.I)


@_memo
def _strong_now(sentence: str) -> bool:
    today = RELATIVE_TO_NOW.sub(" ", sentence)
    if _target_cue(sentence):
        today = MEASURED.sub(" ", today)
    return bool(STRONG_NOW.search(today) or lexicon().now_strong.search(today))


@_memo
def _target_cue(sentence: str) -> bool:
    return bool(TARGET_CUE.search(sentence) or lexicon().target.search(sentence))


# "Ratings dropped from 4.6 to 4.1": a change that happened, today's state, not a target.
PAST_CHANGE = re.compile(
    r"\b(?:dropped|fell|rose|grew|went|declined|climbed|jumped|slipped|sank|"
    r"has (?:dropped|fallen|risen|grown|gone))\s+(?:\w+\s+)?from\b",
    re.IGNORECASE,
)
# A meeting's rhythm ("the working group will meet fortnightly") is no number to reach.
CADENCE = re.compile(
    r"\b(?:meet|meets|meeting|sync|syncs|check[- ]in|call|calls|stand-?ups?|review)\b"
    r"[^.;\n]{0,30}\b(?:daily|weekly|fortnightly|biweekly|monthly)\b",
    re.IGNORECASE,
)


def states_change(sentence: str) -> bool:
    """A sentence with a word of change or target ("lower", "shorten", "reduce"): a title
    that states a change, not one that only names a metric ("Lead time")."""
    return _target_cue(sentence)


@_memo
def _done(sentence: str) -> bool:
    """A done/not-done outcome: "all teams on GitLab", "decommissioned", or a counted set
    moved to its end state ("Move the 140 repositories still on Bitbucket into GitLab")."""
    return bool(BINARY.search(sentence) or lexicon().done.search(sentence)) or _moves_counted(
        sentence
    )


@_memo
def _moves_counted(sentence: str) -> bool:
    """A counted set moved to its end state: "Migrer les 75 projets restants vers GitLab".
    "Remaining" tells today's count here, and the move is still the outcome."""
    # The verb opens the sentence, as an aim does ("Move the 140 repositories ..."); told
    # later it is today's work ("Today we migrate 3 repositories a month by hand").
    opening = lexicon().move.search(sentence[:40])
    if opening is None or sentence[: opening.start()].strip():
        return False
    return bool(quantities(sentence))


@_memo
def is_measurable(sentence: str) -> bool:
    """A number, threshold or ratio, or a done/not-done outcome."""
    return bool(quantities(sentence)) or _done(sentence)


@_memo
def states_target(sentence: str) -> bool:
    """A measurable target: a done/not-done outcome, or a number with a target word.

    A sentence about today ("currently ...") is a target only with a target word in it.
    """
    if PAST_CHANGE.search(sentence):  # what happened: today's state, not a target
        return False
    if FROM_TO.search(sentence):
        return True
    if _moves_counted(sentence):
        return True
    has_cue = _target_cue(sentence)
    if _strong_now(sentence) and not has_cue:
        return False
    if _done(sentence):
        return True
    # A number with a deadline is where the number should be by then: "3x by 2027-09-30";
    # not the deadline's own number ("within 90 days of kick-off").
    if has_cue:
        return bool(quantities(sentence))
    return bool(DEADLINE.search(sentence)) and bool(quantities(DEADLINE.sub(" ", sentence)))


DURATION = re.compile(
    r"\b(?:\d+|one|two|three|four|six|nine|twelve|eighteen)\s+"
    r"(?:weeks?|months?|quarters?|years?|sprints?)\b",
    re.IGNORECASE,
)
# A handle, a capitalised name (any Latin script), or a name in Japanese script.
# A Japanese name: a family name with さん/氏/様, or family and given name apart (山田 太郎).
JAPANESE_NAME = (
    r"[\u4e00-\u9fff\u30a0-\u30ff]{1,6}(?:さん|氏|様)"
    r"|[\u4e00-\u9fff]{1,4}[ \u3000][\u4e00-\u9fff]{1,4}"
)
OWNER_NAME = re.compile(rf"{HANDLE}|\b[A-Z\u00C0-\u00DE][\w.-]*|{JAPANESE_NAME}")
NOT_OWNER_FIELD = re.compile(
    r"^[ \t]*(?:[-*][ \t]*)?(?:\*\*)?(?:stakeholders?|(?:executive\s+)?sponsors?|champions?|"
    r"contacts?|attendees|reporter|requester|requestor|caller|consulted|informed)(?:\*\*)?\s*:.*$",
    re.IGNORECASE | re.MULTILINE,
)
GENERIC_OWNERS = {"the", "customer", "team", "us", "we", "tbd", "tbc", "unknown", "someone"}


@_memo
def names_a_date(text: str) -> bool:
    """Whether text under a timeline label gives a date, a period or a duration
    ("asap" and "soon" do not, nor dates of past events)."""
    if states_deadline(text):
        return True
    text = without_history(text)
    words = lexicon()
    return bool(
        states_deadline(text)
        or PERIOD.search(text)
        or MONTH_YEAR.search(text)
        or DURATION.search(text)
        or words.period.search(text)
        or words.date.search(text)
        or words.deadline_phrase.search(text)
    )


@_memo
def names_someone(text: str) -> bool:
    """Whether text under an owner label names a person: not "the customer", nor a team or
    a role alone ("the platform team", "the CISO"), which are set aside first."""
    text = NOT_OWNER_FIELD.sub("", text)  # a stakeholder list is not an owner
    text = lexicon().placeholder_token.sub(" ", text)  # "@username" is nobody
    text = lexicon().team.sub(" ", COMPOUND.sub(" ", text))  # a team alone is no owner
    generic = GENERIC_OWNERS | lexicon().generic_owners
    if text.strip().lower().strip("@.: ") in generic:
        return False
    return any(m.group(0).lower().strip("@.") not in generic for m in OWNER_NAME.finditer(text))


@_memo
def states_deadline(sentence: str, bare_dates: bool = True) -> bool:
    """A deadline: "by <date>", "before <event>", "within two quarters", an ISO date...
    Questions ("maybe later this year?") and dates of past events do not count, nor a bare
    date in a sentence about a call, notes or an email (the occasion's date).
    ``bare_dates=False``: only a date with a deadline word, for text written under another
    element's label ("Baseline: scan of 2026-11-20 found ...")."""
    if sentence.rstrip().endswith(("?", "？")):
        return False
    if HEDGE.search(sentence):  # "Q3 (TBC)", "来期の計画次第なので調整中"
        return False
    if BEFORE_EVENT.search(sentence):  # "before their audit on 2027-06-08"
        return True
    sentence = without_history(sentence)
    words = lexicon()
    if DEADLINE.search(sentence):
        return True
    if (
        bare_dates
        and DIGIT.search(sentence)
        and (ISO_DATE.search(sentence) or words.date.search(sentence))
        and not words.occasion.search(sentence)
    ):
        return True
    if words.deadline_phrase.search(sentence):
        return True
    has_word = DEADLINE_WORD.search(sentence) or words.deadline_word.search(sentence)
    return bool(has_word) and bool(
        PERIOD.search(sentence) or MONTH_YEAR.search(sentence) or words.period.search(sentence)
    )


def without_history(text: str) -> str:
    """``text`` with the dates of past events and measurements taken out: a kick-off date,
    "measured 2026-05-01", "Audit vom 12.03.2026", "2026年4月1日時点"."""
    before, after = _history_patterns()
    text = HISTORY.sub(" ", text)
    # Both patterns need a history word, or one of the Japanese marks ``after`` ends with:
    # without any, neither can match, and the costly date-first search is skipped.
    if not lexicon().history_word.search(text) and not any(m in text for m in JAPANESE_MARKS):
        return text
    return after.sub(" ", before.sub(" ", text))


@cache
def _history_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A history word up to three words before a date; a date followed by a Japanese one.
    Japanese joins them with particles, not spaces: "キックオフは2027年1月20日に実施した"."""
    words = lexicon()
    when = rf"(?:{words.date.pattern})|(?:{words.period.pattern})|(?:{ISO_DATE.pattern})"
    before = re.compile(
        rf"(?:{words.history_word.pattern})[\s:：,、はがを]{{0,5}}(?:\S{{1,40}}\s+){{0,3}}?(?:{when})",
        re.IGNORECASE,
    )
    after = re.compile(
        rf"(?:{when})\s?(?:[のにで][^。\n]{{0,15}}?)?(?:{'|'.join(JAPANESE_MARKS)}|"
        rf"{words.history_word.pattern})",
        re.IGNORECASE,
    )
    return before, after


# A handle on its own ("@j.castellanos" closing a one-liner) names the person the objective
# is with; one after "cc" or in a stakeholder list does not, nor a placeholder's handle.
LONE_HANDLE = re.compile(
    r"(?<![\w@/.`])@(?!(?:username|handle|user|name|owner)\b)[a-z][\w.-]*[\w]", re.I
)
CC = re.compile(r"\b(?:cc|fyi|to|an|à|para)\s*:?\s*$", re.I)


@_memo
def states_owner(sentence: str) -> bool:
    sentence = lexicon().placeholder_token.sub(" ", sentence)  # "@username" is nobody
    sentence = SELF_NAMED.sub(r"\1", sentence)  # "I (Rafael) will coordinate"
    # Teams and roles alone name no one: "Owner is the CISO, with the AppSec team".
    sentence = lexicon().team.sub(" ", COMPOUND.sub(" ", sentence))
    if OWNER.search(sentence):
        return True
    for cue in lexicon().owner_cue.finditer(sentence):
        if _names(sentence[cue.end() : cue.end() + 80]):
            return True
        # "Francesca (@f.bianchi) drives it", "(@e.marchand) pilote le sujet": the name
        # comes first in prose, as a handle or a first and last name.
        before = sentence[max(0, cue.start() - 50) : cue.start()]
        if PERSON_BEFORE.search(before):
            return True
        # "Femi owns it", "Lucy is the DRI", "Kwame (build lead) and I own this": a first
        # name alone, right before a cue of several words (before "owner" alone, a
        # capital is a label's: "Objective owner: pending").
        first = " " in cue.group(0).strip() and FIRST_NAME_BEFORE.search(ASIDE.sub(" ", before))
        # "Nadia has agreed to be the accountable lead": the name opens a short clause
        # that ends with the cue.
        first = first or SUBJECT_BEFORE.search(ASIDE.sub(" ", before))
        if first and first.group(1).lower() not in NOT_NAMES | lexicon().generic_owners:
            return True
    return False


SELF_NAMED = re.compile(r"\bI\s*\(([A-Z][\w.-]+)\)")
# "Security-Team", "Plattform-Team": a team in one hyphenated word, read as two words.
COMPOUND = re.compile(r"(?<=\w)-(?=[A-Z\u00C0-\u00DE])")
PERSON_BEFORE = re.compile(
    rf"{HANDLE}|\b[A-Z\u00C0-\u00DE][a-z\u00DF-\u017F]+\s+[A-Z\u00C0-\u00DE][a-z\u00DF-\u017F]+"
    rf"|{JAPANESE_NAME}"
)
FIRST_NAME_BEFORE = re.compile(
    r"(?<![\w@.-])([A-Z\u00C0-\u00DE][a-z\u00DF-\u017F]+)(?:\s+(?:and|&|und|et|y|e)\s+I)?\s*$"
)
SUBJECT_BEFORE = re.compile(
    r"(?:^|[.;:]\s*)([A-Z\u00C0-\u00DE][a-z\u00DF-\u017F]+)(?:\s+[a-z\u00DF-\u017F']+){1,5}\s*$"
)
ASIDE = re.compile(r"\([^()]*\)|（[^（）]*）")
NOT_NAMES = frozenset(
    {"it", "this", "that", "who", "which", "he", "she", "they", "we", "you", "what"}
    | {"everyone", "nobody", "someone", "whoever"}
    # words that open sentences: never a first name
    | {"today", "the", "our", "their", "these", "there", "here", "currently", "now"}
    | {"each", "every", "all", "after", "before", "once", "when", "if", "then", "also", "and"}
    | {"next", "agreed", "customer", "gitlab", "security", "platform", "engineering"}
    | {"no", "none", "nobody", "developers", "engineers", "managers", "teams", "users"}
    | {"keiner", "niemand", "nadie", "personne", "ninguém", "ninguno"}
)
NOT_OWNER_LABEL = re.compile(
    r"stakeholder|sponsor|champion|contact|attendee|reporter|request|caller|consulted|"
    r"informed|\bcc\b",
    re.I,
)


def _names(text: str) -> bool:
    generic = GENERIC_OWNERS | lexicon().generic_owners
    return any(m.group(0).lower().strip("@.") not in generic for m in OWNER_NAME.finditer(text))


def lone_handle(sentence: str) -> bool:
    """A handle on its own, not after "cc" and not in a stakeholder list."""
    sentence = NOT_OWNER_FIELD.sub("", sentence)
    return any(not CC.search(sentence[: m.start()]) for m in LONE_HANDLE.finditer(sentence))


# The writer of a pasted email: "From: Name <address>", in the languages of the lexicon.
WRITER = re.compile(
    r"^[ \t>]*(?:(?:from|von|de|expéditeur|remitente|差出人)[ \t]*[:：][ \t]*\S"
    # a chat's speaker: "[10:42] Joana Ferreira:", "<Lena Park>"
    r"|\[\d{1,2}:\d{2}\]\s*[^\W\d_][^:\n]{0,40}:|<[^\W\d_][^<>@\n]{1,40}>\s)",
    re.IGNORECASE | re.MULTILINE,
)


def writer_takes_it(text: str) -> bool:
    """ "I'll own it" in an email that names its writer: the writer is the owner."""
    return bool(WRITER.search(text)) and bool(lexicon().owner_self.search(text))
