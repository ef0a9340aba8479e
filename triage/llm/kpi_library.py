"""The KPI library: the handbook's value pillars and KPIs, as data, extended by ops.

The offline drafter proposes real metrics from it instead of restating the objective's
title. The built-in library is ``kpis.yml`` beside this module; a policy folder may add
``kpis/*.yml`` files of the same shape, validated like policies (every problem, with its
file and line, before any request): a KPI with a new id is added, one with a built-in id
replaces it, so ops can add their own metrics or tune the words that point to one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from triage.errors import PolicyError
from triage.policy.messages import humanise
from triage.policy.yaml_lines import MAX_CHARS, YamlSyntaxError, load

BUILT_IN = Path(__file__).with_name("kpis.yml")
EXTENSION_FOLDER = "kpis"  # under the policy folder

_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer"},
        "pillars": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9-]*$"},
            "additionalProperties": _TEXT,
        },
        "kpis": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name", "pillar", "unit", "measure", "words"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                    "name": _TEXT,
                    "pillar": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                    "unit": _TEXT,
                    "measure": _TEXT,
                    "use_cases": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "words": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "minLength": 2, "maxLength": 60},
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Kpi:
    id: str
    name: str
    pillar: str  # the pillar's title
    unit: str
    measure: str
    use_cases: tuple[str, ...]
    words: tuple[str, ...]
    pattern: re.Pattern[str]  # any of the words, at a word start

    def matches(self, text: str) -> list[str]:
        """The words of ``text`` that point to this KPI, as written, in order, each once."""
        return list(dict.fromkeys(m.group(1) for m in self.pattern.finditer(text)))


@dataclass(frozen=True)
class KpiLibrary:
    kpis: tuple[Kpi, ...]
    files: tuple[Path, ...] = ()

    def by_id(self, kpi_id: str) -> Kpi | None:
        return next((k for k in self.kpis if k.id == kpi_id), None)

    def use_cases(self) -> set[str]:
        return {case for kpi in self.kpis for case in kpi.use_cases}


def word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Longest words first, so "deployment frequency" wins over "deploy". A single word of
    five letters or more also matches as the start of a longer one ("deploy" in
    "deployments"); shorter ones ("ai", "sast") only as whole words, or "ai" would be
    found in "aim"."""
    parts = []
    for word in sorted(words, key=len, reverse=True):
        tail = r"\w*" if len(word) >= 5 and " " not in word else r"(?![\w])"
        parts.append(re.escape(word.lower()) + tail)
    return re.compile(r"(?<![\w-])(" + "|".join(parts) + r")", re.IGNORECASE)


def _read(path: Path) -> tuple[dict[str, Any], list[str]]:
    """One library file, validated: its data and its problems as ``file:line: message``."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: cannot read the KPI file: {exc}"]
    if len(text) > MAX_CHARS:
        return {}, [f"{path}:1: over {MAX_CHARS:,} characters; a KPI file is far smaller"]
    try:
        located = load(text)
    except YamlSyntaxError as exc:
        return {}, [f"{path}:{exc.line}: {exc}"]
    data = located.data
    if data is None:
        return {}, [f"{path}:1: the file is empty; give it a 'kpis:' list"]
    problems = [
        f"{path}:{located.line(tuple(where))}: {message}"
        for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.path))
        for where, message in humanise(error)
    ]
    problems += [
        f"{path}:{first}: key repeated (first at line {first}, again at line {again})"
        for _, first, again in located.duplicates
    ]
    return (data if isinstance(data, dict) and not problems else {}), problems


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(SCHEMA)


def load_library(policy_dir: Path | None = None) -> KpiLibrary:
    """The built-in library, extended by ``<policy_dir>/kpis/*.yml``; a ``PolicyError``
    lists every problem of every file."""
    files = [BUILT_IN]
    folder = policy_dir / EXTENSION_FOLDER if policy_dir else None
    if folder is not None and folder.is_dir():
        for path in sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml")):
            if not path.resolve().is_relative_to(folder.resolve()):
                raise PolicyError(f"{path}: outside {folder}; KPI files must live in it")
            files.append(path)
    pillars: dict[str, str] = {}
    entries: dict[str, tuple[Path, dict[str, Any]]] = {}
    problems: list[str] = []
    for path in files:
        data, found = _read(path)
        problems += found
        pillars.update(data.get("pillars") or {})
        for item in data.get("kpis") or []:
            entries[item["id"]] = (path, item)  # a later file replaces an earlier id
    kpis = []
    for path, item in entries.values():
        if item["pillar"] not in pillars:
            problems.append(
                f"{path}: KPI '{item['id']}': unknown pillar '{item['pillar']}' "
                f"(known: {', '.join(sorted(pillars))}; add it under 'pillars:')"
            )
            continue
        words = tuple(w.lower().strip() for w in item["words"])
        kpis.append(
            Kpi(
                item["id"],
                item["name"],
                pillars[item["pillar"]],
                item["unit"],
                item["measure"],
                tuple(item.get("use_cases") or ()),
                words,
                word_pattern(words),
            )
        )
    if problems:
        raise PolicyError("\n".join(problems))
    return KpiLibrary(tuple(kpis), tuple(files))
