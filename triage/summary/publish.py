"""Publishing the summary: one issue per ISO week, updated in place, last week's closed.

Issues are found by label and by a title made from the policy's pattern, so a re-run in the
same week edits the same issue, and a new week creates a new one. Ticked manager
verification boxes survive both, within the same half-year window.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from triage.errors import GitLabError
from triage.gitlab.client import GitLab
from triage.gitlab.issues import Issue, create_issue, edit_issue, recent_issues
from triage.policy.model import SummarySettings
from triage.summary.block import Previous, read_previous
from triage.summary.figures import Figures
from triage.summary.held import held
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


def publish(
    gl: GitLab,
    settings: SummarySettings,
    figures: Figures,
    today: date,
    failed_groups: Sequence[str] = (),
    before_write: Callable[[], None] | None = None,
) -> Published:
    """Create or update this week's issue; then close every other open summary issue
    (earlier weeks', and a second one of this week), so a run that died between creating
    and closing, or two runs at once, leave exactly one open. ``failed_groups``: groups
    not read, named at the top, with the last figures kept (``held.py``). ``before_write``
    runs once before the first write (the run lease)."""
    if not settings.project:
        raise GitLabError("summary.project is not set in the policies")
    project = settings.project
    issues = recent_issues(gl, project, list(settings.labels))
    dated = [
        (week, issue) for issue in issues if (week := _week_of(settings, issue.title)) is not None
    ]
    this_week = sorted((i for w, i in dated if w == figures.week), key=lambda i: i.iid)
    current = this_week[0] if this_week else None  # the first: a later one is a duplicate
    earlier = sorted(
        ((w, i) for w, i in dated if w < figures.week), key=lambda p: p[0], reverse=True
    )
    previous = earlier[0][1] if earlier else None
    # Deltas compare with last week's issue; ticked boxes come from this week's issue if
    # it exists (a re-run), else from last week's (the same half-year window carries on).
    ticks = read_previous(current.description) if current else None
    last = read_previous(previous.description) if previous else None
    # The week-over-week figures were compared while the epics were counted.
    body = render(figures, ticks or last)
    if failed_groups:
        kept = current or previous
        kept_from = None
        if current is not None:
            kept_from = "this week's last complete run"
        elif previous is not None:
            kept_from = f"week {_week_of(settings, previous.title)}"
        body = held(kept.description if kept else body, failed_groups, figures.errors, kept_from)
    others = _others(settings, dated, current, figures.week) if current else []
    changed = current is not None and not same_text(current.description, body)
    if before_write is not None and (current is None or changed or others):
        before_write()
    if current is not None:
        action = "unchanged"
        if changed:
            edit_issue(gl, project, current.iid, body)
            action = "updated"
        return Published(
            action, current.web_url, _close_others(gl, settings, dated, current, figures.week)
        )
    created = create_issue(
        gl, project, title_for(settings, figures.week), body, list(settings.labels)
    )
    dropped = [label for label in settings.labels if label not in created.labels]
    if dropped:
        # app/services/labels/find_or_create_service.rb drops a label the user may not
        # create, and the issue is made without it: next week's run finds the summaries
        # by their labels, so it would neither compare with this one nor close it
        raise GitLabError(
            f"the summary issue {created.web_url} was created without its label(s) "
            f"{', '.join(repr(label) for label in dropped)}: GitLab leaves out a label the "
            f"bot's user may not create. Give it the Planner role in '{project}', or create "
            "the labels there; until then each run makes a new summary issue it cannot find"
        )
    closed = _close_others(gl, settings, dated, created, figures.week)
    return Published("created", created.web_url, closed)


def same_text(stored: str, sent: str) -> bool:
    """Whether GitLab holds ``sent`` as ``stored``: it keeps a description as its quick
    actions' pass leaves it, without "\r" and trailing blanks (stripped at both ends by
    older versions; lib/gitlab/quick_actions/extractor.rb). Compared as sent, a summary
    that ends with a line break differed every week: each run rewrote it, and took every
    lease to do so."""
    return stored.replace("\r", "").strip() == sent.replace("\r", "").strip()


def _others(
    settings: SummarySettings, dated: list[tuple[str, Issue]], kept: Issue, week: str
) -> list[Issue]:
    """The open summary issues to close beside ``kept``."""
    return [
        issue
        for issue_week, issue in dated
        if issue.iid != kept.iid
        and issue.state == "opened"
        and (issue_week == week or (issue_week < week and settings.close_previous))
    ]


def _close_others(
    gl: GitLab,
    settings: SummarySettings,
    dated: list[tuple[str, Issue]],
    kept: Issue,
    week: str,
) -> str | None:
    """Close every open summary issue but ``kept``: a duplicate of this week's always,
    earlier weeks' unless ``close_previous`` is off; each points to ``kept``. The first
    closed one's address, if any."""
    closed = None
    for issue in _others(settings, dated, kept, week):
        superseded = f"{issue.description}\n\n**Superseded by** {kept.reference}: {kept.web_url}"
        edit_issue(gl, settings.project or "", issue.iid, superseded, close=True)
        closed = closed or issue.web_url
    return closed
