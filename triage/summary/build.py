"""From a run report (one run, or merged shards) to the summary, printed or published."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from triage.gitlab.client import GitLab
from triage.policy.model import SummarySettings
from triage.records import EpicRecord
from triage.summary.figures import Figures, compute
from triage.summary.markdown import render
from triage.summary.publish import Published, publish


def figures_of(report: dict[str, Any]) -> Figures:
    today = datetime.fromisoformat(report["run"]["now"]).date()
    epics = (EpicRecord.from_json(epic) for epic in report["epics"])
    return compute(epics, report["run"]["groups"], report["errors"], report.get("llm", {}), today)


def preview(figures: Figures) -> str:
    """The summary as it would read with no previous week to compare to."""
    return render(figures, None)


def publish_summary(
    gl: GitLab,
    settings: SummarySettings,
    figures: Figures,
    failed_groups: Sequence[str] = (),
    before_write: Callable[[], None] | None = None,
) -> Published:
    return publish(gl, settings, figures, figures.today, failed_groups, before_write)
