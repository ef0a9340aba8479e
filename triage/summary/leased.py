"""A run's summary: published under the summary lease, taken only when a write is due.

An unchanged week costs a weekly run no write and no request beyond its reads, and the
lease is a label created, taken over and released: writes and requests. So a run first
reads the summary project's issues without it; when that read finds nothing to change
(a re-run in the same week), it is done. When a write is due, it takes the lease and
publishes again from a fresh read under it. No write is ever made from a read made
outside the lease, so publishers still write one after another, each from what the
previous one left: one issue per week. ``triage summarize``, whose only work is to
publish, takes the lease before its first look (``commands/summarize.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from triage.gitlab.client import GitLab
from triage.gitlab.summary_lease import summary_lease
from triage.policy.model import SummarySettings
from triage.summary.build import publish_summary
from triage.summary.figures import Figures
from triage.summary.publish import Published


class _WriteDue(Exception):
    """The summary must change: stop before writing, and go again under the lease."""


def _due() -> None:
    raise _WriteDue


def publish_leased(
    gl: GitLab,
    settings: SummarySettings,
    figures: Figures,
    failed_groups: Sequence[str],
    wait: float,
    warnings: list[str],
    before_write: Callable[[], None] | None = None,
) -> Published:
    """Publish this week's summary; the lease, waited for up to ``wait`` seconds, only
    when it must change (``LeaseHeld`` when another publisher still holds it then).
    ``before_write`` runs before the first write, under the lease; what the lease had to
    say (it could not be held or released) is added to ``warnings``."""
    try:
        return publish_summary(gl, settings, figures, failed_groups, before_write=_due)
    except _WriteDue:
        pass
    said: list[str] = []
    try:
        with summary_lease(gl, settings.project or "", wait) as lease:
            said = lease.warnings
            return publish_summary(gl, settings, figures, failed_groups, before_write)
    finally:
        warnings.extend(said)
