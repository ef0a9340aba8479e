"""The use-case hint: the group's own UseCase:: label the objective's words point to."""

from __future__ import annotations

from triage.llm.kpi_library import load_library
from triage.llm.use_case import render_use_case, suggest_use_case
from triage.records import Epic

LIBRARY = load_library()
GROUP = ["SP Objective", "UseCase::CI", "UseCase::CD", "UseCase::Security", "UseCase::Plan"]
EPIC = Epic(
    title="Retire the Jenkins build farm",
    description="All 40 pipelines still run on Jenkins; move them to GitLab CI.",
)


def test_the_words_of_the_objective_point_to_one_of_the_groups_labels():
    suggestion = suggest_use_case(EPIC, LIBRARY, GROUP)
    assert suggestion is not None and suggestion.label == "UseCase::CI"
    assert "Jenkins" in suggestion.words and "pipelines" in suggestion.words
    line = render_use_case(suggestion)
    assert "`UseCase::CI`" in line and "`Jenkins`" in line and "never adds it" in line


def test_never_a_label_the_group_does_not_have():
    assert suggest_use_case(EPIC, LIBRARY, ["UseCase::Security", "UseCase::AI"]) is None
    assert suggest_use_case(EPIC, LIBRARY, ["SP Objective"]) is None


def test_nothing_when_the_objective_has_a_use_case_or_no_word_points_to_one():
    labelled = Epic(title=EPIC.title, description=EPIC.description, labels=("UseCase::CD",))
    assert suggest_use_case(labelled, LIBRARY, GROUP) is None
    vague = Epic(title="Quarterly business review", description="Agree next steps.")
    assert suggest_use_case(vague, LIBRARY, GROUP) is None
    assert render_use_case(None) == ""
