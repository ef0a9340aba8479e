"""Publishing the summary: one issue per ISO week, updated in place, last week's closed.

Issues are found by label and by a title made from the policy's pattern, so a re-run in the
same week edits the same issue, and a new week creates a new one. Ticked manager
verification boxes survive both, within the same half-year window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from triage.errors import GitLabError
from triage.gitlab.client import GitLab
from triage.gitlab.issues import Issue, create_issue, edit_issue, recent_issues
from triage.policy.model import SummarySettings
from triage.summary.block import Previous, read_previous
from triage.summary.figures import Figures
from triage.summary.markdown import render

WEEK = r"(?P<week>\d{4}-W\d{2})"


@dataclass(frozen=True)
class Published:
    action: str  # created, updated, unchanged
    url: str
    closed: str | None = None  # the previous week's issue, when it was closed


def title_for(settings: SummarySettings, week: str) -> str:
    return settings.title.replace("{week}", week)


def _week_of(settings: SummarySettings, title: str) -> str | None:
    pattern = re.escape(settings.title).replace(re.escape("{week}"), WEEK)
    match = re.fullmatch(pattern, title)
    return match.group("week") if match else None


def _issues(gl: GitLab, settings: SummarySettings, week: str) -> tuple[Issue | None, Issue | None]:
    """This week's summary issue and the latest of an earlier week, if any."""
    if not settings.project:
        raise GitLabError("summary.project is not set in the policies")
    issues = recent_issues(gl, settings.project, list(settings.labels))
    dated = [(w, issue) for issue in issues if (w := _week_of(settings, issue.title)) is not None]
    current = next((issue for w, issue in dated if w == week), None)
    earlier = sorted(((w, i) for w, i in dated if w < week), key=lambda p: p[0], reverse=True)
    return current, (earlier[0][1] if earlier else None)


def read_baseline(gl: GitLab, settings: SummarySettings, week: str) -> Previous | None:
    """Last week's published summary (the latest of an earlier week), to compare with:
    read before the epics, because "new" and "fixed" are decided epic by epic."""
    _, previous = _issues(gl, settings, week)
    return read_previous(previous.description) if previous else None


def publish(gl: GitLab, settings: SummarySettings, figures: Figures, today: date) -> Published:
    project = settings.project or ""
    current, previous = _issues(gl, settings, figures.week)
    # Ticked boxes and the week's model use come from this week's issue if it exists (a
    # re-run), else from last week's (the same half-year window carries on); the
    # week-over-week figures were compared while the epics were counted.
    ticks = read_previous(current.description) if current else None
    last = read_previous(previous.description) if previous else None
    body = render(figures, ticks or last)
    if current is not None:
        if current.description == body:
            return Published("unchanged", current.web_url)
        edit_issue(gl, project, current.iid, body)
        return Published("updated", current.web_url)
    created = create_issue(
        gl, project, title_for(settings, figures.week), body, list(settings.labels)
    )
    closed = None
    if settings.close_previous and previous is not None and previous.state == "opened":
        superseded = (
            f"{previous.description}\n\n**Superseded by** {created.reference}: {created.web_url}"
        )
        edit_issue(gl, project, previous.iid, superseded, close=True)
        closed = previous.web_url
    return Published("created", created.web_url, closed)
