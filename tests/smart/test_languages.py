"""Languages as data: every file has every key, placeholders are absence in every language,
and the evidence of an objective is shown in the language it was written in."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import yaml

from tests.cli import run_cli
from triage.records import Epic
from triage.smart.checker import Checker, Decision
from triage.smart.lexicon import (
    CUES,
    ELEMENTS,
    KEYS,
    LanguageFileError,
    build,
    builtin_languages,
    parse_language,
)

FOLDER = resources.files("triage.smart").joinpath("languages")
FILES = sorted(entry.name for entry in FOLDER.iterdir() if entry.name.endswith(".yml"))


def test_the_six_languages_are_there():
    assert {name[:-4] for name in FILES} >= {"en", "de", "fr", "es", "pt", "ja"}


@pytest.mark.parametrize("name", FILES)
def test_every_file_has_every_key_with_words_in_it(name):
    data = yaml.safe_load(FOLDER.joinpath(name).read_text())
    assert set(KEYS) <= set(data)
    assert set(CUES) <= set(data["cues"])
    for element in ELEMENTS:
        assert data["synonyms"][element], f"{name}: no label for {element}"
    for key in ("business_terms", "placeholders", "months", "dates"):
        assert data[key], f"{name}: {key} is empty"
    for cue in CUES:
        assert data["cues"][cue], f"{name}: cues.{cue} is empty"
    assert all(isinstance(w, str) for w in data["placeholders"] + data["number_words"])


def test_a_file_without_a_key_is_refused_naming_it():
    text = FOLDER.joinpath("de.yml").read_text().replace("placeholders:", "platzhalter:")
    with pytest.raises(LanguageFileError, match="de: missing placeholders"):
        parse_language("de", text)


def test_adding_a_language_is_adding_a_file():
    """A new file's labels are read with the others: Dutch here, made up for the test."""
    text = FOLDER.joinpath("en.yml").read_text()
    dutch = yaml.safe_load(text)
    dutch["name"] = "Nederlands"
    dutch["synonyms"]["baseline"] = ["uitgangssituatie"]
    lexicon = build((*builtin_languages(), parse_language("nl", yaml.safe_dump(dutch))))
    assert ("uitgangssituatie", "baseline") in lexicon.synonyms


CHECKER = Checker()
COMPLETE = {
    "baseline": "## Baseline\nDeployment frequency: 2 per week (measured 2026-05-01).",
    "success_criteria": "## Success Criteria\nAt least 10 deployments per week.",
    "business_impact": "## Business impact\nShipping faster cuts the cost of rework.",
    "timeline": "## Timeline\nBy 2027-03-31.",
    "owner": "## Owner\n@csm.north",
}
# (element, what is written under its heading instead): each only holds a place.
PLACEHOLDERS = [
    ("baseline", "_TBD - CSM to collect_"),
    ("baseline", "???"),
    ("baseline", "Deployment frequency: <value> per week"),
    ("success_criteria", "<target>"),
    ("success_criteria", "Not agreed yet"),
    ("timeline", "YYYY-MM-DD"),
    ("timeline", "n/a"),
    ("owner", "@username"),
    ("owner", "TBD"),
    ("baseline", "<!-- Where is the customer today? -->"),
    ("baseline", "noch festzulegen"),
    ("success_criteria", "à définir"),
    ("timeline", "por definir"),
    ("owner", "a definir"),
    ("timeline", "未定"),
    ("baseline", "offen"),
]


@pytest.mark.parametrize(("element", "text"), PLACEHOLDERS)
def test_a_placeholder_is_absence(element, text):
    parts = dict(COMPLETE)
    heading = COMPLETE[element].split("\n")[0]
    parts[element] = f"{heading}\n{text}"
    result = CHECKER.check(Epic(title="Objective", description="\n\n".join(parts.values())))
    assert result.missing == [element]
    evidence = result.evidence[element]
    assert evidence.decision is Decision.MISSING
    assert evidence.rule.startswith("only a placeholder under") or "no number" in evidence.rule


def test_the_complete_objective_is_complete():
    result = CHECKER.check(Epic(title="Objective", description="\n\n".join(COMPLETE.values())))
    assert result.missing == [] and result.unsure == []


GERMAN = """# Bereitstellungen bei Müller Logistik beschleunigen

## Ausgangslage
Aktuell 2 Deployments pro Woche (gemessen am 12.03.2026).

## Erfolgskriterien
Mindestens 10 Deployments pro Woche über 4 Wochen.

## Geschäftlicher Nutzen
Schnellere Auslieferung senkt die Kosten für Nacharbeit.

## Zeitplan
Bis 30.06.2027

Verantwortlich: @k.schmidt
"""

JAPANESE = """# 山田製作所：デプロイ頻度の向上

## 現状
現在、週2回のデプロイ（2026年4月1日時点）。

## 成功基準
週10回以上のデプロイを4週間継続する。

## ビジネスインパクト
リリースの迅速化により、保守コストを削減できる。

## 期限
未定

担当者：@t.suzuki
"""


def test_explain_shows_german_evidence_in_german(tmp_path):
    path = tmp_path / "de.md"
    path.write_text(GERMAN)
    result = run_cli("lint", "--explain", str(path))
    assert result.returncode == 0, result.stdout
    assert 'quote: "Aktuell 2 Deployments pro Woche (gemessen am 12.03.2026)." (line 4)' in (
        result.stdout
    )
    assert 'quote: "Bis 30.06.2027" (line 13)' in result.stdout
    assert "0 missing, 0 unsure, 5 present" in result.stdout


def test_explain_shows_japanese_evidence_and_the_placeholder_rule(tmp_path):
    path = tmp_path / "ja.md"
    path.write_text(JAPANESE)
    result = run_cli("lint", "--explain", str(path))
    assert result.returncode == 1
    assert 'quote: "週10回以上のデプロイを4週間継続する。" (line 7)' in result.stdout
    assert "[ ] timeline          missing" in result.stdout
    assert 'rule:  only a placeholder under heading "期限"' in result.stdout
    data = json.loads(run_cli("lint", "--format", "json", str(path)).stdout)
    assert data["elements"]["owner"] == {
        "decision": "present",
        "quote": "@t.suzuki",
        "line": 15,
        "source": 'field "担当者"',
        "rule": 'a person named under field "担当者"',
    }
    assert data["missing"] == ["timeline"]


def test_a_timeline_the_rules_cannot_read_is_unsure_never_missing():
    text = "\n\n".join([*list(COMPLETE.values())[:3], "## Timeline\nEnde KW 14/27", "Owner: @a.b"])
    result = CHECKER.check(Epic(title="Objective", description=text))
    assert result.unsure == ["timeline"] and result.missing == []
    assert "timeline" not in {f.element for f in result.findings}
