"""The checker's words in every language it reads, compiled once.

Each language is one data file in ``languages/`` with the same keys: labels (synonyms) per
SMART element, business terms, placeholder forms, cue words, month names and date formats.
Objectives mix languages (English headings over German prose is common), so the checker
does not guess a language: it reads with the union of all files, one compiled pattern per
kind of cue. Adding a language is adding a file; ``tests/smart/test_languages.py`` checks
that every file has every key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

ELEMENTS = ("baseline", "success_criteria", "business_impact", "timeline", "owner")
KEYS = (
    "name",
    "word_boundaries",
    "compound_words",
    "synonyms",
    "business_terms",
    "technical_terms",
    "placeholders",
    "cues",
    "months",
    "dates",
    "periods",
    "number_words",
)
CUES = (
    "now_strong",
    "now_weak",
    "target",
    "done",
    "deadline",
    "deadline_phrases",
    "history",
    "occasion",
    "owner",
    "owner_self",
    "move",
    "generic_owners",
    "team",
    "roles",
)
# An amount of money in any currency: "$60k", "EUR 48k", "48.000 €", "R$ 200 mil", "500万円".
MONEY = (
    r"[$€£¥]\s?\d|\d\s?(?:k\s?)?(?:€|円|万円)|(?<![\w-])(?:usd|eur|gbp|chf|brl|jpy|mxn|r\$)\s?\d"
    r"|(?<![\d.,])\d[\d.,]{0,20}\s?(?:k|m|mil|millones|milhões|millionen|mio\.?)?\s?"
    r"(?:usd|eur|gbp|chf|brl|jpy|euros?|dollars?|dólares|reais)(?![\w-])"
)
# People's time, in any language: "~1 day/week", "140h per quarter", "2 Tage pro Monat".
PEOPLE_TIME = (
    # one start per number, and a bounded one: on "1.1.1.1..." an unbounded run tried from
    # every digit made this quadratic
    r"(?<![\d.,])\d[\d.,]{0,15}\s?(?:h|hrs?|hours?|days?|d|min|minutes?|weeks?|"
    r"(?:person|engineer)[- ](?:days?|weeks?)|"
    r"stunden|std|tage|heures|jours|horas|días|dias|時間|日)\s?"
    r"(?:/|per\s|pro\s|par\s|por\s|a\s|an\s|al\s|ao\s|im\s|each\s|every\s|cada\s)\s?"
    # per period or per person: "3 h per release" is a machine's time, no one's
    r"(?:day|week|wk|month|quarter|year|sprint|developer|engineer|person|"
    r"tag|woche|monat|jahr|jour|semaine|mois|an|día|semana|mes|año|dia|mês|ano)"
)
STEM_LENGTH = 6  # business terms this long also match longer words they start
# Letters, not digits or underscore: a word boundary that also works for "état" or "Größe".
LETTER = r"[^\W\d_]"


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    word_boundaries: bool
    data: dict[str, Any]

    def words(self, key: str) -> list[str]:
        """A list of words under ``key``, or under ``cues.key``."""
        value = self.data.get(key, self.data["cues"].get(key))
        return [str(item).lower() for item in value or []]


class LanguageFileError(ValueError):
    pass


def parse_language(code: str, text: str) -> Language:
    """A language from its file's text; a missing key or wrong type is an error naming it."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise LanguageFileError(f"{code}: not a mapping")
    missing = [key for key in KEYS if key not in data]
    missing += [f"cues.{cue}" for cue in CUES if cue not in (data.get("cues") or {})]
    missing += [f"synonyms.{e}" for e in ELEMENTS if e not in (data.get("synonyms") or {})]
    if missing:
        raise LanguageFileError(f"{code}: missing {', '.join(missing)}")
    for pattern in [*data["dates"], *data["periods"]]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise LanguageFileError(f"{code}: bad pattern {pattern!r}: {exc}") from None
    return Language(code, str(data["name"]), bool(data["word_boundaries"]), data)


@cache
def builtin_languages() -> tuple[Language, ...]:
    folder = resources.files("triage.smart").joinpath("languages")
    found = sorted(
        (entry.name for entry in folder.iterdir() if entry.name.endswith(".yml")),
    )
    return tuple(parse_language(name[:-4], folder.joinpath(name).read_text()) for name in found)


CJK_START = "[\u3040-\u30ff\u4e00-\u9fff\uff01-\uff5e]"


def _either(words: Iterable[str]) -> str:
    """One pattern matching any of ``words``, as a trie: ``re`` tries the alternatives of a
    flat ``a|b|c`` one after another at every position, which made each cue search cost as
    many tries as there are words in six languages; a trie fails at the first letter no
    word starts with. Longer words are still preferred (greedy optional endings), so each
    match is the one the longest-first flat list found."""
    trie: dict[str, Any] = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _render(trie)


def _render(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _render(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body


def alternation(languages: Iterable[Language], key: str, stems: bool = False) -> str:
    """One regular expression for the words under ``key`` in every language: whole words
    where the language separates words with spaces, anywhere where it does not.

    ``stems``: a longer word also matches the start of a long one ("saving" in "savings",
    "productiv" in "productivas"); short ones stay whole, plural aside ("custo" must not
    find "Customer"). A language of compounds gets its words' ends found by ``Terms``.

    Words of scripts without spaces are tried only where such a script starts, so a long
    line of Latin text is not tried against every one of them at every character.
    """
    bounded: set[str] = set()
    free: set[str] = set()
    stemmed: set[str] = set()
    for language in languages:
        words = language.words(key)
        if not language.word_boundaries:
            cjk = {w for w in words if re.match(CJK_START, w)}
            free.update(cjk)
            bounded.update(set(words) - cjk)
        elif not stems or language.data.get("compound_words"):
            bounded.update(words)
        else:
            short = {w for w in words if len(w) < STEM_LENGTH}
            bounded.update(short)
            stemmed.update(set(words) - short)
    parts = []
    plural = r"(?:e?s)?" if stems else ""
    if bounded:
        parts.append(rf"(?<![\w-])(?:{_either(bounded)}){plural}(?![\w-])")
    if stemmed:
        parts.append(rf"(?<![\w-])(?:{_either(stemmed)})")
    if free:
        parts.append(rf"(?={CJK_START})(?:{_either(free)})")
    return "|".join(parts) or r"(?!x)x"


WORD = re.compile(r"[^\W\d_]{4,}")
COMPOUND_ENDINGS = ("", "en", "es", "n", "s")


@dataclass(frozen=True)
class Terms:
    """Business terms: one pattern, plus word endings for languages of compounds
    ("kosten" ends "Lizenzkosten"), checked word by word so the cost stays linear."""

    pattern: re.Pattern[str]
    endings: frozenset[str]

    def search(self, text: str) -> str | None:
        """The first term found (a truthy string), or None."""
        found = self.pattern.search(text)
        if found:
            return found.group(0)
        if not self.endings:
            return None
        lengths = sorted({len(e) for e in self.endings}, reverse=True)
        for match in WORD.finditer(text):
            word = match.group(0).lower()
            for plural in COMPOUND_ENDINGS:
                if plural and not word.endswith(plural):
                    continue
                stem = word[: len(word) - len(plural)]
                if any(stem[-n:] in self.endings for n in lengths if n <= len(stem)):
                    return match.group(0)
        return None


def business_terms(languages: tuple[Language, ...]) -> Terms:
    endings = frozenset(
        w
        for lang in languages
        if lang.data.get("compound_words")
        for w in lang.words("business_terms")
        if " " not in w and len(w) >= STEM_LENGTH
    )
    regex = alternation(languages, "business_terms", stems=True) + "|" + MONEY + "|" + PEOPLE_TIME
    return Terms(re.compile(regex, re.IGNORECASE), endings)


@dataclass(frozen=True)
class Lexicon:
    """Compiled patterns over every language."""

    languages: tuple[Language, ...]
    synonyms: tuple[tuple[str, str], ...]  # (phrase, element), longest first
    business: Terms
    technical: re.Pattern[str]  # tools and their use: a restated technical goal
    placeholder: re.Pattern[str]  # a whole value that only holds a place
    placeholder_token: re.Pattern[str]  # a place-holding token inside a value
    now_strong: re.Pattern[str]
    now_weak: re.Pattern[str]
    target: re.Pattern[str]
    done: re.Pattern[str]
    deadline_word: re.Pattern[str]
    deadline_phrase: re.Pattern[str]
    history_word: re.Pattern[str]
    occasion: re.Pattern[str]  # a call, notes, an email: a bare date near them is theirs
    owner_cue: re.Pattern[str]
    owner_self: re.Pattern[str]  # "I'll own it": an owner when the text names its writer
    move: re.Pattern[str]  # "move", "migrer": with a count, the set's end state is the outcome
    generic_owners: frozenset[str]
    team: re.Pattern[str]  # a team named with its team word: "Team Release Engineering"
    date: re.Pattern[str]  # a full date, in any language's format
    period: re.Pattern[str]  # a quarter, half, fiscal year, month and year
    number_words: re.Pattern[str]


def build(languages: tuple[Language, ...]) -> Lexicon:
    flags = re.IGNORECASE

    def words(key: str) -> re.Pattern[str]:
        return re.compile(alternation(languages, key), flags)

    synonyms = sorted(
        {
            (str(word).lower(), element)
            for language in languages
            for element in ELEMENTS
            for word in language.data["synonyms"][element]
        },
        key=lambda pair: -len(pair[0]),
    )
    months = alternation(languages, "months")
    dates = "|".join(f"(?:{p})" for lang in languages for p in lang.data["dates"])
    periods = "|".join(f"(?:{p})" for lang in languages for p in lang.data["periods"])
    month_year = rf"(?:{months})\.?\s+(?:de\s+)?(?:20)?\d\d(?!\d)"
    tokens = [
        r"<[^<>\n]{1,40}>",  # <value>, <target date>
        r"\[(?![ xX]\])(?:[^\[\]\n]{1,30})\](?!\()",  # [date], not a link nor a task box
        r"\?{2,}|？{2,}",
        r"(?<![\w-])(?:y{2,4}|j{2,4}|a{2,4})[-/.](?:mm)[-/.](?:dd|tt|jj)(?![\w-])",
        r"(?<![\w-])(?:dd|tt|jj)[-/.]mm[-/.](?:y{2,4}|j{2,4}|a{2,4})(?![\w-])",
        r"@(?:username|user|handle|name|benutzername|utilisateur|usuario|usuário|nome|nom|"
        r"nombre|ユーザー名)(?![\w-]|\.\w)",  # "@username." ends a sentence
        r"(?<![\w-])(?:tbd|tbc)(?![\w-])",
        r"(?<![\w-])x{2,3}(?=\s?%|(?![\w-]))",  # "by XX%": the handbook's example
        "未定|調整中",
    ]
    return Lexicon(
        languages=languages,
        synonyms=tuple(synonyms),
        business=business_terms(languages),
        technical=re.compile(alternation(languages, "technical_terms", stems=True), flags),
        placeholder=re.compile(rf"(?:{alternation(languages, 'placeholders')})", flags),
        placeholder_token=re.compile("|".join(tokens), flags),
        now_strong=words("now_strong"),
        now_weak=words("now_weak"),
        target=words("target"),
        done=words("done"),
        deadline_word=words("deadline"),
        deadline_phrase=words("deadline_phrases"),
        history_word=words("history"),
        occasion=words("occasion"),
        owner_cue=words("owner"),
        owner_self=words("owner_self"),
        move=words("move"),
        generic_owners=frozenset(w for lang in languages for w in lang.words("generic_owners")),
        team=_team_pattern(languages),
        date=re.compile(dates, flags),
        period=re.compile(f"{periods}|{month_year}", flags),
        number_words=words("number_words"),
    )


CAPITAL = r"(?-i:[A-Z\u00C0-\u00DE])"  # case-sensitive even under IGNORECASE
NAME_WORD = rf"{CAPITAL}[\w-]{{0,40}}"  # bounded: unbounded, one long word made it quadratic


def _team_pattern(languages: tuple[Language, ...]) -> re.Pattern[str]:
    """Teams and roles, with the capitalised words around them: what names no one.

    Capitals match case-sensitively: under IGNORECASE "[A-Z]" is any letter, and "Keisha
    Mensah on my team will be the point person" lost its name and its cue.
    """
    unspaced = "|".join(
        re.escape(w) for lang in languages if not lang.word_boundaries for w in lang.words("team")
    )
    parts = [
        # "Team Release Engineering", "the Platform team", "équipe de la Plateforme"
        rf"(?:(?<![\w-]){NAME_WORD}\s+){{0,3}}(?:{alternation(languages, 'team')})"
        rf"(?:(?:\s+(?:de|du|des|da|do|der|of|the|la|le))?\s+{NAME_WORD}){{0,4}}",
        # a team in one compound word: "E-Commerce-Plattformteam", "Plattformteams"
        r"(?<![\w-])[\w-]{2,30}(?:team|squad|abteilung|gruppe)s?(?![\w-])",
        # a role alone, with what it heads ("the Head of Platform", "Leiter
        # Softwareentwicklung", "Platform PM"), never the name after it ("CTO Maria Lopez")
        rf"(?:(?<![\w-]){NAME_WORD}\s+)?(?:{alternation(languages, 'roles')})"
        r"(?:\s+(?:of|for|de|du|des|del|der|für|da|do)(?:\s+(?:the|la|le|los|las|el|die|den))?"
        rf"(?:\s+{CAPITAL}[\w&-]{{0,40}}){{1,3}}"
        # a department in one long word after the role ("Leiter Softwareentwicklung"),
        # never a first name ("PM Priya")
        rf"|\s+{CAPITAL}[\w-]{{9,40}}(?![\w-])(?!\s+{CAPITAL}))?",
        # scripts without spaces: "開発基盤チーム"
        rf"[A-Za-z0-9\u3040-\u30ff\u4e00-\u9fff]{{0,20}}(?:{unspaced})",
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


@cache
def lexicon() -> Lexicon:
    return build(builtin_languages())
