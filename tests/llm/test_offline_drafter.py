"""The offline drafter: real metrics from the KPI library, the epic's own numbers only, and
a library ops can extend in their policy folder."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.cli import run_cli
from triage.errors import PolicyError
from triage.llm.kpi_library import load_library
from triage.llm.offline import OfflineDrafter
from triage.llm.suggestion import render_suggestion
from triage.records import Epic
from triage.smart.checker import Checker

TODAY = date(2026, 12, 3)
POLICIES = Path(__file__).parents[2] / "policies"


def draft(epic: Epic, drafter: OfflineDrafter | None = None):
    drafter = drafter or OfflineDrafter(today=TODAY)
    suggestion = drafter.draft(epic, Checker().check(epic))
    assert suggestion is not None
    return suggestion.criteria


def test_the_metric_is_a_kpi_and_the_baseline_a_quote_of_the_epic():
    epic = Epic(
        title="Onboard the data science team to GitLab",
        description="## Summary\nThe data science team (25 people) still keeps notebooks on "
        "a shared drive.\n\n## Success Criteria\nNotebooks versioned in GitLab.",
        labels=("UseCase::SCM",),
    )
    (first, *_) = draft(epic)
    assert first.metric != epic.title
    assert first.metric.startswith("Share of repositories migrated to GitLab")
    assert first.baseline in epic.description
    assert first.target.startswith("To agree with the customer")
    assert first.deadline == "the date agreed with the customer"


def test_two_measures_each_get_their_own_baseline_and_target():
    epic = Epic(
        title="Cut average deployment time from 4 hours to 20 minutes",
        description="## Baseline metrics\n- Average deployment time: 4 hours\n"
        "- Manual steps per deployment: 15\n\n## Success Criteria\n"
        "- Average deployment time below 20 minutes\n- Manual steps reduced to 2\n",
        due_date=date(2027, 3, 31),
    )
    criteria = draft(epic)
    assert [c.metric.split(" (")[0] for c in criteria] == [
        "Average deployment time",
        "Manual steps in a release",
    ]
    assert [c.baseline for c in criteria] == [
        "Average deployment time: 4 hours",
        "Manual steps per deployment: 15",
    ]
    assert [c.target for c in criteria] == [
        "Average deployment time below 20 minutes",
        "Manual steps reduced to 2",
    ]
    assert {c.deadline for c in criteria} == {"2027-03-31"}


def test_without_a_stated_baseline_it_says_how_to_measure_in_gitlab():
    epic = Epic(title="Security scanning in every pipeline", description="Turn on SAST.")
    (first, *_) = draft(epic)
    assert first.baseline.startswith("measure first: ")
    assert "vulnerab" in first.baseline or "security" in first.baseline
    assert not re.search(r"\d", first.baseline)


def test_a_table_baseline_is_quoted_from_its_cells_and_a_past_due_date_is_not_proposed():
    epic = Epic(
        title="Migrate EMEA teams off Jenkins",
        description="| Metric | Baseline | Target |\n|---|---|---|\n"
        "| Jenkins jobs still running | 340 | 0 |\n",
        due_date=date(2026, 10, 31),
    )
    (first, *_) = draft(epic)
    assert first.baseline == "Jenkins jobs still running: 340"
    assert first.target == "Jenkins jobs still running: 0"
    assert "2026-10-31" not in first.deadline and "has passed" in first.deadline


def test_the_note_says_what_the_draft_is_and_asks_for_a_reaction():
    epic = Epic(title="Increase deployment frequency", description="2 deploys a week today.")
    text = render_suggestion(OfflineDrafter(today=TODAY).draft(epic, Checker().check(epic)))
    assert "KPI library, not AI" in text
    assert ":thumbsup:" in text and ":thumbsdown:" in text


def extend(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    shutil.copytree(POLICIES.parent / "prompts", tmp_path / "prompts")
    (folder / "kpis").mkdir()
    (folder / "kpis" / "ours.yml").write_text(text)
    return folder


OURS = """\
pillars:
  people: Keep the customer's engineers
kpis:
  - id: developer-satisfaction
    name: Developer satisfaction score
    pillar: people
    unit: points out of 10
    measure: run the quarterly developer survey
    words: [survey, satisfaction, happiness]
  - id: deployment-frequency
    name: Production deployments
    pillar: efficiency
    unit: deployments per day
    measure: read the DORA metrics
    words: [deploy]
"""


def test_ops_add_and_replace_kpis_in_their_policy_folder(tmp_path):
    folder = extend(tmp_path, OURS)
    library = load_library(folder)
    assert library.by_id("developer-satisfaction") is not None
    replaced = library.by_id("deployment-frequency")
    assert replaced is not None and replaced.name == "Production deployments"
    drafter = OfflineDrafter(library, today=TODAY)
    assert drafter.identity != OfflineDrafter(today=TODAY).identity  # re-drafts next run
    epic = Epic(title="Raise developer satisfaction", description="Survey says 6 of 10.")
    assert draft(epic, drafter)[0].metric.startswith("Developer satisfaction score")


def test_a_wrong_kpi_file_is_refused_with_file_and_line(tmp_path):
    folder = extend(
        tmp_path,
        "kpis:\n  - id: x\n    name: X\n    pillar: nowhere\n    unit: u\n    measure: m\n"
        "    words: [x1]\n  - id: y\n    nme: Y\n",
    )
    with pytest.raises(PolicyError) as caught:
        load_library(folder)
    message = str(caught.value)
    assert "ours.yml:9" in message and "nme" in message
    result = run_cli("validate", str(folder))
    assert result.returncode == 2 and "ours.yml:9" in result.stderr


def test_a_kpi_of_an_unknown_pillar_names_the_known_ones(tmp_path):
    folder = extend(
        tmp_path,
        "kpis:\n  - id: x\n    name: X\n    pillar: nowhere\n    unit: u\n    measure: m\n"
        "    words: [x1]\n",
    )
    with pytest.raises(PolicyError, match="unknown pillar 'nowhere' \\(known: cloud, "):
        load_library(folder)


def test_validate_counts_the_kpis():
    result = run_cli("validate", str(POLICIES))
    assert result.returncode == 0 and "KPI(s) for offline drafts" in result.stdout
