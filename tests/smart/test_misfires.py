"""Sentences on which the rules once misfired, each a call a CSM would dispute.

Ordinary words must not make an element present or missing on their own: "No one owns"
names no owner, "disabled on most repositories" is today's state, "data" in "the data
warehouse" is no meeting's date, "3 h per release" is a machine's time, and a from/to table
is not a pasted email. Each case is the shortest text that showed the fault.
"""

from __future__ import annotations

import pytest

from triage.records import Epic
from triage.smart.checker import Checker

CHECKER = Checker()
CASES = [
    ("Lead time\n\nFrom: 12 days\nTo: 3 days", "baseline", True),
    ("Lead time\n\nFrom: 12 days\nTo: 3 days", "success_criteria", True),
    ("No one owns the release process today.", "owner", False),
    ("Developers are responsible for fixing their own findings.", "owner", False),
    ("Keiner ist verantwortlich.", "owner", False),
    ("Owner:\n_Maria Lopez_", "owner", True),
    ("Owner: PM Priya", "owner", True),
    ("Branch protection is disabled on most repositories.", "success_criteria", False),
    ("L'équipe déploie tous les vendredis à la main.", "success_criteria", False),
    ("Today we migrate 3 repositories a month by hand.", "success_criteria", False),
    ("RC1: feature freeze 2027-02-01", "success_criteria", False),
    ("Move the 140 repositories still on Bitbucket Server into GitLab.", "success_criteria", True),
    ("Launch the new shared runner fleet on Kubernetes.", "business_impact", False),
    ("The release pipeline takes 3 h per release.", "business_impact", False),
    (
        "## Business impact\nClinicians use lab results at the bedside, and every hour of "
        "delay hurts patients.",
        "business_impact",
        True,
    ),
    (
        "## Business problem\nFailed audits put the banking licence at risk.",
        "business_impact",
        True,
    ),
    ("Move the data warehouse jobs to GitLab CI 2027-06-30.", "timeline", True),
    ("Go-live date 2027-03-31.", "timeline", True),
    ("We missed the Q2 target.", "timeline", False),
]


@pytest.mark.parametrize(("text", "element", "present"), CASES)
def test_ordinary_words_do_not_decide_an_element(text, element, present):
    result = CHECKER.check(Epic(title="Objective", description=text))
    assert (element not in result.missing) is present, result.evidence.get(element)
