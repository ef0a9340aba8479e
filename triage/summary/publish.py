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
from triage.gitlab.issues import create_issue, edit_issue, recent_issues
from triage.policy.model import SummarySettings
from triage.summary.figures import Figures
from triage.summary.markdown import Previous, read_previous, render

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


def publish(gl: GitLab, settings: SummarySettings, figures: Figures, today: date) -> Published:
    if not settings.project:
        raise GitLabError("summary.project is not set in the policies")
    project = settings.project
    issues = recent_issues(gl, project, list(settings.labels))
    dated = [
        (week, issue) for issue in issues if (week := _week_of(settings, issue.title)) is not None
    ]
    current = next((issue for week, issue in dated if week == figures.week), None)
    earlier = sorted(
        ((w, i) for w, i in dated if w < figures.week), key=lambda p: p[0], reverse=True
    )
    previous = earlier[0][1] if earlier else None
    # Deltas compare with last week's issue; ticked boxes come from this week's issue if
    # it exists (a re-run), else from last week's (the same half-year window carries on).
    ticks = read_previous(current.description) if current else None
    last = read_previous(previous.description) if previous else None
    memory = ticks or last
    body = render(
        figures,
        memory
        and Previous(
            last.headline if last else {},
            memory.window,
            memory.verified,
            ticks.week if ticks else "",
            ticks.llm if ticks else (0, 0),
            last.feedback if last else None,
        ),
    )
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
