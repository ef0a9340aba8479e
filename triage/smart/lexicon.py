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
    "owner",
    "generic_owners",
    "team",
)
# An amount of money in any currency: "$60k", "EUR 48k", "48.000 €", "R$ 200 mil", "500万円".
MONEY = (
    r"[$€£¥]\s?\d|\d\s?(?:k\s?)?(?:€|円|万円)|(?<![\w-])(?:usd|eur|gbp|chf|brl|jpy|mxn|r\$)\s?\d"
    r"|\d[\d.,]*\s?(?:k|m|mil|millones|milhões|millionen|mio\.?)?\s?"
    r"(?:usd|eur|gbp|chf|brl|jpy|euros?|dollars?|dólares|reais)(?![\w-])"
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


def alternation(languages: Iterable[Language], key: str, stems: bool = False) -> str:
    """One regular expression for the words under ``key`` in every language: whole words
    where the language separates words with spaces, anywhere where it does not.

    ``stems``: a word also matches the start of a longer one ("saving" in "savings",
    "productiv" in "productivas"); in a language of compounds, the end of one instead
    ("kosten" in "Lizenzkosten", not "Compliance" in "Compliance-Pipeline")."""
    bounded: set[str] = set()
    compound: set[str] = set()
    free: set[str] = set()
    stemmed: set[str] = set()
    for language in languages:
        words = language.words(key)
        if not language.word_boundaries:
            free.update(words)
        elif not stems:
            bounded.update(words)
        else:
            # Short words stay whole (plural aside): "custo" must not find "Customer".
            short = {w for w in words if len(w) < STEM_LENGTH}
            bounded.update(short)
            long = set(words) - short
            (compound if language.data.get("compound_words") else stemmed).update(long)
    parts = []
    plural = r"(?:e?s)?" if stems else ""
    if bounded:
        words_ = "|".join(re.escape(w) for w in sorted(bounded, key=len, reverse=True))
        parts.append(rf"(?<![\w-])(?:{words_}){plural}(?![\w-])")
    if stemmed:
        words_ = "|".join(re.escape(w) for w in sorted(stemmed, key=len, reverse=True))
        parts.append(rf"(?<![\w-])(?:{words_})")
    if compound:  # the last part of a compound: "kosten" in "Lizenzkosten"
        words_ = "|".join(re.escape(w) for w in sorted(compound, key=len, reverse=True))
        parts.append(rf"(?:{words_})(?:e?n|e?s)?(?![\w-])")
    if free:
        parts.append("|".join(re.escape(w) for w in sorted(free, key=len, reverse=True)))
    return "|".join(parts) or r"(?!x)x"


@dataclass(frozen=True)
class Lexicon:
    """Compiled patterns over every language."""

    languages: tuple[Language, ...]
    synonyms: tuple[tuple[str, str], ...]  # (phrase, element), longest first
    business: re.Pattern[str]
    placeholder: re.Pattern[str]  # a whole value that only holds a place
    placeholder_token: re.Pattern[str]  # a place-holding token inside a value
    now_strong: re.Pattern[str]
    now_weak: re.Pattern[str]
    target: re.Pattern[str]
    done: re.Pattern[str]
    deadline_word: re.Pattern[str]
    deadline_phrase: re.Pattern[str]
    history_word: re.Pattern[str]
    owner_cue: re.Pattern[str]
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
        r"\[(?:[^\[\]\n]{1,30})\](?!\()",  # [date], not a link
        r"\?{2,}|？{2,}",
        r"(?<![\w-])(?:y{2,4}|j{2,4}|a{2,4})[-/.](?:mm)[-/.](?:dd|tt|jj)(?![\w-])",
        r"(?<![\w-])(?:dd|tt|jj)[-/.]mm[-/.](?:y{2,4}|j{2,4}|a{2,4})(?![\w-])",
        r"@(?:username|user|handle|name|benutzername|utilisateur|usuario|usuário|nome|nom|"
        r"nombre|ユーザー名)(?![\w.-])",
        r"(?<![\w-])(?:tbd|tbc)(?![\w-])",
        "未定|調整中",
    ]
    return Lexicon(
        languages=languages,
        synonyms=tuple(synonyms),
        business=re.compile(
            alternation(languages, "business_terms", stems=True) + "|" + MONEY, flags
        ),
        placeholder=re.compile(rf"(?:{alternation(languages, 'placeholders')})", flags),
        placeholder_token=re.compile("|".join(tokens), flags),
        now_strong=words("now_strong"),
        now_weak=words("now_weak"),
        target=words("target"),
        done=words("done"),
        deadline_word=words("deadline"),
        deadline_phrase=words("deadline_phrases"),
        history_word=words("history"),
        owner_cue=words("owner"),
        generic_owners=frozenset(w for lang in languages for w in lang.words("generic_owners")),
        team=re.compile(
            rf"(?:[A-Z\u00C0-\u00DE][\w-]*\s+){{0,3}}(?:{alternation(languages, 'team')})"
            r"(?:(?:\s+(?:de|du|des|da|do|der|of|the|la|le))?\s+[A-Z\u00C0-\u00DE][\w-]*){0,4}"
            r"|[\u3040-\u30ff\u4e00-\u9fff]*(?:"
            + "|".join(
                re.escape(w)
                for lang in languages
                if not lang.word_boundaries
                for w in lang.words("team")
            )
            + ")",
            re.IGNORECASE,
        ),
        date=re.compile(dates, flags),
        period=re.compile(f"{periods}|{month_year}", flags),
        number_words=words("number_words"),
    )


@cache
def lexicon() -> Lexicon:
    return build(builtin_languages())
