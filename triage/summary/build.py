"""From a run report (one run, or merged shards) to the summary, printed or published."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from triage.gitlab.client import GitLab
from triage.policy.effects import UNRANKED
from triage.policy.model import PolicySet, SummarySettings
from triage.records import EpicRecord
from triage.summary.block import Previous
from triage.summary.figures import Figures, compute
from triage.summary.markdown import render
from triage.summary.publish import Published, publish


def summary_headings(policies: PolicySet) -> list[str]:
    """The policies' summary headings, the most urgent first (by rank, then rule order)."""
    ranked = sorted(
        (rule.effects.summary_rank or UNRANKED, index, heading)
        for index, rule in enumerate(policies.rules)
        if (heading := rule.effects.summary_heading)
    )
    return list(dict.fromkeys(heading for _, _, heading in ranked))


def figures_of(report: dict[str, Any], baseline: Previous | None = None) -> Figures:
    today = datetime.fromisoformat(report["run"]["now"]).date()
    epics = (EpicRecord.from_json(epic) for epic in report["epics"])
    return compute(
        epics,
        report["run"]["groups"],
        report["errors"],
        report.get("llm", {}),
        today,
        report["run"].get("headings", ()),
        baseline,
    )


def preview(figures: Figures) -> str:
    """The summary as it would be published, compared with last week's when it was read."""
    return render(figures, figures.baseline)


def publish_summary(
    gl: GitLab,
    settings: SummarySettings,
    figures: Figures,
    failed_groups: Sequence[str] = (),
    before_write: Callable[[], None] | None = None,
) -> Published:
    return publish(gl, settings, figures, figures.today, failed_groups, before_write)
