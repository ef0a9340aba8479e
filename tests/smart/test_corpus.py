"""The checker against the labelled corpus: every objective, every element."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.lint_accuracy import epic_of
from triage.smart.checker import Checker
from triage.smart.findings import ELEMENTS

HERE = Path(__file__).parent
# corpus.yml was written first and tuned against; holdout.yml was written separately and
# first measured untouched (see benchmarks/README.md). Both must now pass.
CORPUS = [
    entry
    for name in ("corpus.yml", "holdout.yml")
    for entry in yaml.safe_load((HERE / name).read_text())
]
CHECKER = Checker()


def test_the_corpus_is_large_and_well_formed():
    assert len(CORPUS) >= 100
    assert len({entry["id"] for entry in CORPUS}) == len(CORPUS)
    for entry in CORPUS:
        assert set(entry["missing"]) <= set(ELEMENTS), entry["id"]
    assert len({entry["shape"] for entry in CORPUS}) >= 6


@pytest.mark.parametrize("entry", CORPUS, ids=[entry["id"] for entry in CORPUS])
def test_missing_elements_match_the_labels(entry):
    result = CHECKER.check(epic_of(entry))
    assert result.missing == [e for e in ELEMENTS if e in entry["missing"]], {
        e: (v.source, v.text) for e, v in result.evidence.items()
    }


def test_the_languages_corpus_meets_the_accuracy_targets():
    """languages.yml (six languages, development corpus): at least 0.97 of the decisions
    right on every element and nine objectives in ten exactly right. Per-entry exactness
    is not required here: the remaining misses are documented hard cases."""
    from benchmarks.lint_accuracy import measure

    table, errors = measure(yaml.safe_load((HERE / "languages.yml").read_text()))
    for element in ELEMENTS:
        assert table[element]["accuracy"] >= 0.97, (element, errors)
    assert table["all"]["exact"] >= 0.9, errors


def test_the_second_development_set_keeps_what_it_taught():
    """handbook-2026-12a.yml (written from the handbook alone, measured once untouched,
    then learnt from): the rules it prompted hold, at 0.88 or more on every element and
    seven objectives in ten exactly right."""
    from benchmarks.lint_accuracy import measure

    table, errors = measure(yaml.safe_load((HERE / "handbook-2026-12a.yml").read_text()))
    for element in ELEMENTS:
        assert table[element]["accuracy"] >= 0.88, (element, errors)
    assert table["all"]["exact"] >= 0.7, errors
