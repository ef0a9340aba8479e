"""Draft quality: the offline drafter holds its thresholds on every labelled corpus, and the
scoring catches each kind of bad draft (benchmarks/draft_quality.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from benchmarks.draft_quality import CHECKS, measure, score
from benchmarks.lint_accuracy import CORPORA
from triage.llm.kpi_library import load_library
from triage.llm.offline import OfflineDrafter
from triage.llm.prompts import load_prompt
from triage.llm.suggestion import Criterion, Suggestion
from triage.records import Epic

TODAY = date(2026, 12, 3)
LIBRARY = load_library()
SCHEMA = load_prompt(Path(__file__).parents[2] / "prompts", "smart_criteria").schema
# What the offline drafter must hold on every corpus, the fresh set included: every draft
# valid, complete, grounded, with a target other than the baseline, no past deadline and a
# KPI as metric; and a stated baseline quoted in most drafts (the fresh set, never tuned
# against, was at 0.88 when this was written).
THRESHOLDS = dict.fromkeys(CHECKS, 1.0)
USES_BASELINE = 0.85


@pytest.mark.parametrize("path", CORPORA, ids=[p.name for p in CORPORA])
def test_the_offline_drafter_holds_its_thresholds(path):
    corpus = yaml.safe_load(path.read_text("utf-8"))
    result = measure(OfflineDrafter(today=TODAY), corpus, TODAY, LIBRARY)
    rates = result.rates()
    assert result.drafted == result.objectives
    for check, threshold in THRESHOLDS.items():
        assert rates[check] >= threshold, (check, result.failures[:10])
    assert rates["uses_baseline"] >= USES_BASELINE


EPIC = Epic(
    title="Onboard the data science team to GitLab",
    description="The data science team (25 people) keeps notebooks on a shared drive.",
    due_date=date(2027, 3, 31),
)
GOOD = Criterion(
    "Share of repositories migrated to GitLab (percent)",
    "The data science team (25 people) keeps notebooks on a shared drive.",
    "To agree with the customer: how many percent?",
    "2027-03-31",
    "Accelerate cloud migration.",
)


def checks_failed(criterion: Criterion) -> set[str]:
    scored = score(Suggestion((criterion,), None, "template"), EPIC, TODAY, LIBRARY, SCHEMA)
    return {check for check, ok in scored.items() if not ok}


def test_a_good_draft_passes_every_check():
    assert checks_failed(GOOD) == set()


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"metric": EPIC.title}, {"not_title"}),
        ({"metric": "Customer happiness"}, {"kpi"}),
        ({"baseline": "40 notebooks today"}, {"grounded"}),
        ({"target": GOOD.baseline}, {"target_differs"}),
        ({"deadline": "2026-06-30"}, {"date_ok"}),
        ({"deadline": "Before July 2025"}, {"date_ok"}),
        ({"target": ""}, {"complete", "schema"}),
        ({"metric": "x" * 300}, {"schema", "kpi"}),
    ],
)
def test_each_kind_of_bad_draft_is_caught(change, failed):
    values = {**GOOD.__dict__, **change}
    assert checks_failed(Criterion(**values)) == failed


def test_no_draft_fails_every_check():
    assert not any(score(None, EPIC, TODAY, LIBRARY, SCHEMA).values())
