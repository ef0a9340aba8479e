"""The summary lease: one publisher of a project's weekly summary issue at a time.

Publishing reads the summary project's issues (is this week's there? which others are
open?) and then creates or edits one and closes the others. Two publishers that both read
before either wrote would each create this week's issue. Who publishes: an unsharded
``triage run --apply`` after its epics, ``triage summarize --apply`` merging the shards of
a parallel job, a person at a laptop while the schedule runs. Each writes only under this
lease, from what it read under it, and releases it at the end, so they publish one after
another: ``summarize`` takes it before its first look at the issues, a run once its read
of them says a write is due (``summary/leased.py``: an unchanged week costs it nothing).

Why the summary project, and not the groups the run leases (``lease.py``):

- The project is what they share. A run's summary covers its groups; a summarize covers
  the groups its reports name (two shards' reports, or one); a run with ``--group`` names
  one. The groups differ from publisher to publisher, the summary project
  (``summary.project``) does not, and the race is on its issues.
- A summarize that took the groups' leases would stop the weekly run it overlaps: a run
  that read a group while another run held and released its lease stops before its
  first write, since that other run may have written to the group's epics. A summary
  writes no epic, so it must not count as such a write.
- All weeks, not one: a publisher closes every other open summary issue of the project
  (last week's, a second one of this week), so publishers of different weeks touch the
  same issues too.

The lock is a project label, created atomically as a group label is (``POST
/projects/:id/labels`` answers 409 for a title already usable in the project,
lib/api/helpers/label_helpers.rb), so a summary project in a person's namespace can hold
it too. Its name is not the group lease's: a project label may not take the title of one
of its groups' labels, and a summary project inside a customer group would otherwise meet
that group's lease. It is taken before the reads that decide the writes (``acquire``):
nothing read earlier is used, so a released lease is free at once, and ``--lease-wait``
waits for a held one as a run waits for a group's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

from triage.gitlab.client import GitLab
from triage.gitlab.lease import Lease, ttl_from

SUMMARY_LEASE_LABEL = "smart-triage-summary-lease"


class SummaryLease(Lease):
    """The lease of one summary project (``groups`` holds its path)."""

    kind: ClassVar[str] = "projects"
    lease_name: ClassVar[str] = "the summary lease"
    activity: ClassVar[str] = "is publishing the weekly summary in this project"

    def title(self, group: str) -> str:
        """One title in every project: a project has no subprojects, and its groups'
        lease titles all name a group (``lease_title``), never this one."""
        return SUMMARY_LEASE_LABEL

    def _unguarded_warning(self, group: str, status: int) -> str:
        return (
            f"{group}: cannot hold {self.lease_name} (HTTP {status}: the bot's user needs "
            "the Planner role in the summary project to manage its labels); two summaries "
            "published at once are not prevented there"
        )


@contextmanager
def summary_lease(gl: GitLab, project: str, wait: float) -> Iterator[SummaryLease]:
    """The project's summary lease, held for the ``with`` block and released after it,
    whatever happens; ``LeaseHeld`` when another publisher still holds it after ``wait``
    seconds. Its warnings (a lease that could not be held or released) are the caller's
    to say."""
    lease = SummaryLease(gl, [project], wait, ttl_from(os.environ))
    try:
        lease.acquire()
        yield lease
    finally:
        lease.release()
