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


# The later development sets: each was written from the handbook alone by its own writer,
# measured once untouched (benchmarks/README.md), then learnt from. What each taught must
# hold: (per-element accuracy floor, share of objectives exactly right).
TAUGHT = {
    "handbook-2026-12a.yml": (0.97, 0.9),
    "handbook-2026-12c.yml": (0.93, 0.9),
    "handbook-2026-12d.yml": (0.93, 0.8),
    "handbook-2026-12e.yml": (0.9, 0.7),
    "handbook-2026-12f.yml": (0.93, 0.75),
    "handbook-2026-12f2.yml": (0.85, 0.6),
    "handbook-2026-12g.yml": (0.85, 0.65),
    "handbook-2026-12h.yml": (0.95, 0.85),
    "handbook-2026-12f3.yml": (0.85, 0.65),
    "handbook-2026-12f4.yml": (0.85, 0.6),
}


@pytest.mark.parametrize("name", sorted(TAUGHT))
def test_the_later_development_sets_keep_what_they_taught(name):
    from benchmarks.lint_accuracy import measure

    floor, exact = TAUGHT[name]
    table, errors = measure(yaml.safe_load((HERE / name).read_text()))
    for element in ELEMENTS:
        assert table[element]["accuracy"] >= floor, (element, errors)
    assert table["all"]["exact"] >= exact, errors
