"""The model's reading merged with the rules': quotes checked against the epic, and every
disagreement asked as a question, never counted missing."""

from __future__ import annotations

from triage.records import Epic
from triage.smart.checker import Checker, Decision
from triage.smart.second_opinion import Opinion, merge, verified

DESCRIPTION = """## Baseline
Deployment frequency: 2 per week (measured 2026-05-01).

## Success Criteria
At least 10 deployments per week.

Shipping weekly lets the store react to competitors within days.

## Timeline
By 2027-03-31.
"""
EPIC = Epic(title="Faster releases", description=DESCRIPTION)
CHECK = Checker().check(EPIC)


def test_the_rules_alone_find_all_but_the_owner():
    assert CHECK.missing == ["owner"]


def test_agreement_changes_nothing():
    opinions = {e: Opinion(e not in CHECK.missing, None) for e in CHECK.decisions}
    opinions["baseline"] = Opinion(True, "Deployment frequency: 2 per week")
    merged = merge(CHECK, opinions, EPIC.title, EPIC.description)
    assert merged.missing == CHECK.missing and merged.unsure == []


def test_a_verified_quote_against_the_rules_makes_the_element_unsure_not_missing():
    merged = merge(
        CHECK, {"owner": Opinion(True, "Deployment  frequency: 2 PER week")}, "", DESCRIPTION
    )
    assert "owner" not in merged.missing and merged.unsure == ["owner"]
    assert "missing_owner" not in merged.finding_ids
    evidence = merged.evidence["owner"]
    assert evidence.decision is Decision.UNSURE and evidence.source == "model"
    assert evidence.line == 2


def test_a_quote_that_is_not_in_the_epic_is_discarded():
    merged = merge(CHECK, {"owner": Opinion(True, "Owner: @someone.else")}, "", DESCRIPTION)
    assert merged.missing == CHECK.missing and merged.unsure == []


def test_the_model_missing_what_the_rules_found_is_asked_too():
    merged = merge(CHECK, {"timeline": Opinion(False, None)}, EPIC.title, EPIC.description)
    assert merged.unsure == ["timeline"] and "timeline" not in merged.missing
    assert "the model does not read it as stated" in merged.evidence["timeline"].rule


def test_quotes_are_checked_whatever_the_spacing_and_case():
    assert verified("at least 10 DEPLOYMENTS\nper week", DESCRIPTION)
    assert not verified("at least 12 deployments per week", DESCRIPTION)
    assert not verified("", DESCRIPTION) and not verified(None, DESCRIPTION)
