"""The run lease: one writing run per group at a time, held in GitLab itself.

CI runners share no files, and a person may run ``--apply`` from a laptop while the
schedule runs, so the lease lives where every run looks: in each group, as a group label
named ``smart-triage-lease <group path>`` (``lease_title``: one title for all groups
cannot live in a hierarchy). Creating a label is atomic in GitLab (a second
``POST /groups/:id/labels`` of the same name answers 409 "Label already exists",
lib/api/helpers/label_helpers.rb), which makes the label a lock; its description says
which run holds it and until when, or when it was released. A run renews it while it
works and marks it released at the end; a killed run's lease expires.

A run takes the leases of all its groups at its first write, so an unchanged week costs
no request for them, and a second run stops before its first write, not half-way. Taking
an old label over is atomic too: the old label is deleted *by its id*
(``DELETE /groups/:id/labels/:label_id``) and a new one created, so of two runs that both
find it free, the second delete finds nothing (404) and its create meets the first run's
label (409). Because the label stays after release, a run also sees that another
run wrote to the group *after it started reading*: its reads may be stale, so it stops
before its first write rather than write twice. With ``--lease-wait`` the leases are
taken before anything is read, waiting for the other run to end.

A run is known by its pipeline and job name in CI (``run_id``), so a retried job takes
over the lease its earlier attempt could not release instead of stopping for it.

A lease is a record as well as a lock: "released at T" tells a run that began reading
before T that its reads may be stale. A run that wrote nothing leaves no such record: it
deletes the labels it made and puts back the ones it took over as they were.

A label makes no notification and touches no epic. A user without the right to manage
labels (below Planner) cannot hold the lease: the run says so once and goes on unguarded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, ClassVar, TypeVar

import gitlab
import requests
from gitlab.utils import EncodedId

from triage.errors import GitLabError, GitLabUnreachable, TriageError
from triage.gitlab.client import GitLab
from triage.gitlab.label_create import title_taken
from triage.gitlab.unreachable import unreachable

LEASE_LABEL = "smart-triage-lease"  # each group's lease title starts so (lease_title)
MAX_TITLE = 255  # GitLab's limit on a label's title
LEASE_COLOR = "#8c8c8c"
TTL = timedelta(minutes=5)  # renewed every third of it while the run lasts
POLL = 5.0  # seconds between looks while waiting for another run's lease
_HOLDER = re.compile(
    r"(?P<state>held|released) by run (?P<run>\S+) (?:until|at) (?P<until>\S+?)\.?(?:\s|$)"
)


class LeaseHeld(TriageError):
    """Another run holds the lease of a group this run would write to: nothing written."""


@dataclass(frozen=True)
class Holder:
    run: str
    until: datetime  # the lease's expiry, or the moment it was released
    released: bool = False
    subgroups: bool = False  # the run writes to the group's subgroups too

    def holds(self, now: datetime) -> bool:
        """Whether the lease is held at ``now``: neither released nor expired."""
        return not self.released and self.until > now


def lease_title(group: str) -> str:
    """The lease label's title in ``group``: the group's own, path in it.

    One title for every group cannot work in a hierarchy: GitLab refuses a group label
    whose title one of the group's ancestors has (409: ``create_label`` looks the title
    up among the labels available in the group, ancestors' included), and lets a group
    update or delete only its own labels (``find_label`` with ``include_ancestor_groups:
    false``), both in lib/api/helpers/label_helpers.rb. A subgroup's run then met the
    lease its parent's last run left and could neither make its own nor take that one
    over. Paths are case-insensitive in GitLab, titles are not: the path is lowercased so
    two runs that spell a group differently still meet on one label.
    """
    title = f"{LEASE_LABEL} {group.lower()}"
    if len(title) <= MAX_TITLE:
        return title
    return f"{LEASE_LABEL} {hashlib.sha256(group.lower().encode()).hexdigest()[:32]}"


SUBGROUPS_TOO = "Its subgroups too."


def describe(run: str, until: datetime, released: bool = False, subgroups: bool = False) -> str:
    state = "released by run {run} at" if released else "held by run {run} until"
    return (
        f"Do not use: {state.format(run=run)} {until.isoformat(timespec='microseconds')}. "
        + (f"{SUBGROUPS_TOO} " if subgroups else "")
        + "smart-triage holds this label while a run writes to this group, so that two runs "
        "never write at once."
    )


def holder_of(label: dict[str, Any]) -> Holder | None:
    """Who holds a lease label and until when; ``None`` for a description not ours."""
    match = _HOLDER.search(label.get("description") or "")
    if match is None:
        return None
    try:
        until = datetime.fromisoformat(match.group("until"))
    except ValueError:
        return None
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    subgroups = SUBGROUPS_TOO in (label.get("description") or "")
    return Holder(match.group("run"), until, match.group("state") == "released", subgroups)


def group_of(title: str) -> str | None:
    """The group a lease label's title names (``lease_title``), None for another label.
    A path too long for a title comes back as its hash, which names no group: such a
    group's lease is not seen from above or below."""
    prefix = f"{LEASE_LABEL} "
    if not title.startswith(prefix):
        return None
    path = title[len(prefix) :]
    return path if lease_title(path) == title else None


def overlap(mine: str, other: str, mine_below: bool, other_below: bool) -> str | None:
    """How a lease on group ``other`` covers epics of ``mine``: "contains" when ``other``
    is above ``mine`` and its run writes below it, "is inside" when ``other`` is below
    ``mine`` and this run writes below; None when their runs write to no epic in common."""
    if mine.startswith(f"{other}/") and other_below:
        return "contains"
    if other.startswith(f"{mine}/") and mine_below:
        return "is inside"
    return None


def run_id(env: Mapping[str, str]) -> str:
    """The name a run holds its leases under.

    In a CI job: its pipeline and its job's name. GitLab retries a job once it has ended
    or while it is being cancelled (``Ci::Processable#retryable?``; a cancelled run stops
    writing and releases its lease on SIGTERM), as a new job of the same pipeline under
    the same name (``app/services/ci/retry_job_service.rb``), so the retry is the same
    run: it takes over the lease its earlier attempt held when GitLab went away (exit 4,
    which the component's job retries), rather than stop for it until it expires. Shards
    of a parallel job are named apart ("smart-triage-run 1/3"), and two pipelines never
    share a name. Elsewhere (a person's laptop): the host and a random part, a new run
    each time.
    """
    pipeline, job = env.get("CI_PIPELINE_ID", ""), env.get("CI_JOB_NAME", "")
    if pipeline.isdigit() and job.strip():
        # a lease's description names its run in one word; the slug is for people, the
        # hash keeps apart names it would merge ("run 1/3" and "run-1-3", long matrix names)
        slug = re.sub(r"[^a-z0-9]+", "-", job.lower()).strip("-")[:48] or "job"
        return f"pipeline-{pipeline}/{slug}-{hashlib.sha256(job.encode()).hexdigest()[:8]}"
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"


def ttl_from(env: Mapping[str, str]) -> timedelta:
    """``TRIAGE_LEASE_SECONDS``: how long a killed run's lease blocks others (default 300)."""
    raw = env.get("TRIAGE_LEASE_SECONDS", "")
    try:
        return timedelta(seconds=max(1.0, float(raw))) if raw else TTL
    except ValueError:
        return TTL


T = TypeVar("T")


def _told(step: Callable[[], T]) -> T:
    """``step``'s answer about a lease. GitLab giving no answer at all stays as it is (the
    caller knows whether anything was written yet); any other error means this run cannot
    tell who holds the lease, and writing could double: the run is refused."""
    try:
        return step()
    except GitLabUnreachable:
        raise
    except GitLabError as exc:
        raise LeaseHeld(f"{exc}; nothing was written") from None


@dataclass
class Lease:
    """The leases of one --apply run over its ``groups``, all held or none: ``ensure``
    before the first write, or ``acquire`` before reading (``wait`` > 0); ``release`` at
    the end.

    A subclass holds another kind of lease the same way: what it locks (``kind``, the
    REST collection whose labels are the locks), the label's title and its own words."""

    kind: ClassVar[str] = "groups"
    lease_name: ClassVar[str] = "the run lease"
    activity: ClassVar[str] = "is writing to this group"

    gl: GitLab
    groups: Sequence[str]
    wait: float = 0.0  # seconds to wait for another run's lease before giving up
    ttl: timedelta = TTL
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    sleep: Callable[[float], None] = time.sleep
    run: str = field(default_factory=lambda: run_id(os.environ))
    subgroups: bool = False  # the run writes to its groups' subgroups (include_subgroups)
    held: dict[str, int] = field(default_factory=dict)  # group -> label id
    # group -> the description of the label this run took over, put back if it writes
    # nothing; a group this run holds and that is not here had no label before
    replaced: dict[str, str] = field(default_factory=dict)
    unguarded: set[str] = field(default_factory=set)  # groups where no lease can be held
    warnings: list[str] = field(default_factory=list)
    started: datetime | None = None  # when this run began reading
    # once refused (or GitLab gave no answer), every later write is refused at once
    refused: LeaseHeld | GitLabUnreachable | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _renewer: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.started = self.started or self.clock()

    def ensure(self) -> None:
        """Hold every group's lease before this run's first write: taken now if not yet
        held. Raises ``LeaseHeld`` when another run holds one, or wrote to one since this
        run began reading; then the leases just taken are deleted, unused. A GitLab that
        gives no answer raises ``GitLabUnreachable`` as it is: the caller knows whether
        anything was written yet, and so how the run ends."""
        with self._lock:  # one thread takes the leases; the others wait for it
            if self.refused is not None:
                raise self.refused
            taken: list[str] = []
            try:
                for group in sorted(set(self.groups)):  # one order: no two runs deadlock
                    if group in self.held or group in self.unguarded:
                        continue
                    if not _told(partial(self._take, group, fresh=False)):
                        raise LeaseHeld(self._held_message(group))
                    taken.append(group)
                crossed = _told(partial(self._crossed, taken, fresh=False))
                if crossed:
                    raise LeaseHeld(crossed)
            except (LeaseHeld, GitLabUnreachable) as exc:
                self.refused = exc
                self._discard(taken)
                raise
            self._start_renewing()

    def _discard(self, groups: list[str]) -> None:
        """Give back leases taken but never written under, as they were before this run:
        no other run need stop for them, and the record of a run before this one (it
        wrote until then) stays."""
        for group in groups:
            label = self.held.pop(group, None)
            if label is None:
                continue
            before = self.replaced.pop(group, None)
            with contextlib.suppress(gitlab.GitlabError, GitLabError):  # it expires anyway
                if before is None:
                    self._call("DELETE", self._path(group, label))
                else:
                    self._call("PUT", self._path(group, label), description=before)

    def acquire(self) -> None:
        """Take every group's lease before anything is read, waiting up to ``wait``
        seconds for another run's; raises ``LeaseHeld`` after that."""
        deadline = time.monotonic() + self.wait
        with self._lock:
            while True:
                for group in sorted(set(self.groups) - self.unguarded):  # one order: no deadlock
                    while not self._take(group, fresh=True):
                        if time.monotonic() >= deadline:
                            raise LeaseHeld(self._held_message(group))
                        self.sleep(min(POLL, max(0.1, deadline - time.monotonic())))
                crossed = self._crossed(list(self.held), fresh=True)
                if not crossed:
                    break
                # a run over a group above or below holds its own: give ours back, so
                # that it need not wait for us, and try again (apart in time: two runs
                # that both stepped back must not meet again at once)
                self._discard(list(self.held))
                if time.monotonic() >= deadline:
                    raise LeaseHeld(crossed)
                pause = POLL * random.uniform(0.5, 1.5)
                self.sleep(min(pause, max(0.1, deadline - time.monotonic())))
            self.started = self.clock()  # nothing was read before this
            self._start_renewing()

    def _crossed(self, groups: list[str], fresh: bool) -> str | None:
        """Why another run's lease on a group above or below one of ``groups`` stops this
        run, or None. Each group holds its own lease label, but a run over a group writes
        to its subgroups' epics too (``include_subgroups``): a run over ``acme`` and one over
        ``acme/emea`` write to the same epics. A list of the lease labels above and below
        each group tells (``_leases_around``); a title names its group, a description
        whether that run writes below it."""
        if self.kind != "groups":
            return None
        for group, labels in self._leases_around(groups):
            reason = self._crossing(group, labels, fresh)
            if reason:
                return reason
        return None

    def _leases_around(self, groups: list[str]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Each of ``groups`` with lease labels of at least the groups above and below it.
        Groups under one top-level group share one list of its whole tree (a CS
        organisation keeps its customers under one parent: a few pages for hundreds of
        groups, not a request each); a group alone under its top, or under a top the
        token cannot see (a subgroup's token), lists its own (its ancestors' labels come
        by default, its descendants' on request)."""
        by_top: dict[str, list[str]] = {}
        for group in groups:
            by_top.setdefault(group.split("/", 1)[0], []).append(group)
        for top, members in by_top.items():
            shared: list[dict[str, Any]] | None = None
            if len(members) > 1:
                try:
                    shared = self._lease_labels(top)
                except GitLabUnreachable:
                    raise
                except GitLabError:
                    shared = None  # not visible from here: each group lists its own
            for group in members:
                yield group, shared if shared is not None else self._lease_labels(group)

    def _lease_labels(self, group: str) -> list[dict[str, Any]]:
        try:
            found = self._call(
                "LIST",
                self._path(group),
                search=LEASE_LABEL,
                include_descendant_groups="true",
                per_page=100,
            )
        except gitlab.GitlabHttpError as exc:
            raise self._failed(group, exc) from None
        return list(found)

    def _crossing(self, group: str, labels: list[dict[str, Any]], fresh: bool) -> str | None:
        """Why one of ``labels`` stops this run's writes to ``group``, or None."""
        mine = group.lower()
        for label in labels:
            name = str(label.get("name") or "")
            holder = holder_of(label)
            if name == LEASE_LABEL and holder is not None and self._older_holds(holder):
                return (
                    f"{group}: a run of an earlier version of smart-triage holds "
                    f"'{LEASE_LABEL}' in this group or one above or below it (run "
                    f"{holder.run}, until {holder.until.isoformat(timespec='seconds')}); "
                    "nothing was written. Run again later, and upgrade every schedule "
                    "that runs smart-triage"
                )
            other = group_of(name)
            if other is None or other == mine or holder is None or holder.run == self.run:
                continue
            how = overlap(mine, other, self.subgroups, holder.subgroups)
            if how is None:
                continue
            if holder.holds(self.clock()):
                return (
                    f"{group}: another run is writing to {other}, which {how} this group "
                    f"(run {holder.run} holds it until "
                    f"{holder.until.isoformat(timespec='seconds')}); nothing was written. "
                    "Run again later, or pass --lease-wait SECONDS to wait for it"
                )
            if not fresh and self.started and holder.until >= self.started:
                return (
                    f"{group}: another run ({holder.run}) wrote to {other}, which {how} "
                    "this group, while this run was reading it; nothing was written, so "
                    "that nothing is written twice. Run again"
                )
        return None

    def _start_renewing(self) -> None:
        if self.held and self._renewer is None:
            self._renewer = threading.Thread(target=self._renew_loop, daemon=True)
            self._renewer.start()

    def title(self, group: str) -> str:
        """The title of ``group``'s lease label."""
        return lease_title(group)

    def _describe(self, until: datetime, released: bool = False) -> str:
        """This run's lease description: held until ``until``, or released then."""
        return describe(self.run, until, released, self.subgroups)

    def _path(self, group: str, label: int | str | None = None) -> str:
        path = f"/{self.kind}/{EncodedId(group)}/labels"
        return path if label is None else f"{path}/{EncodedId(str(label))}"

    def _call(self, method: str, path: str, **data: Any) -> Any:
        rest = self.gl.rest
        try:
            with self.gl.bookkeeping():  # the lease's labels are no write of the run's
                if method == "POST":
                    # retried on 5xx: a create that was saved answers 409 next, and is ours
                    return rest.http_post(path, post_data=data)
                if method == "PUT":
                    return rest.http_put(path, post_data=data)
                if method == "DELETE":
                    return rest.http_delete(path)
                if method == "LIST":  # every page
                    return rest.http_list(path, query_data=data, get_all=True)
                return rest.http_get(path)
        except requests.RequestException as exc:  # no answer at all, after the retries
            raise unreachable(self.gl.settings.url, exc) or GitLabError(
                f"{self.lease_name}: {type(exc).__name__}"
            ) from None

    def _failed(self, group: str, exc: gitlab.GitlabHttpError) -> GitLabError:
        return GitLabError(f"{group}: {self.lease_name}: HTTP {exc.response_code}")

    def _older_holds(self, holder: Holder) -> bool:
        """An earlier version's lease (one title for every group, ``LEASE_LABEL``) that is
        held now: it cannot say which group it locks, so any such lease above, here or
        below stops this run until it is released or expires."""
        return holder.holds(self.clock()) and holder.run != self.run

    def _take(self, group: str, fresh: bool) -> bool:
        """Create the group's lease label; on 409, contend for the one there. ``fresh``:
        nothing was read yet, so a run that wrote earlier does not matter."""
        try:
            label = self._create(group)
        except gitlab.GitlabHttpError as exc:
            if exc.response_code in (401, 403, 404):
                self.unguarded.add(group)
                self.warnings.append(self._unguarded_warning(group, exc.response_code))
                return True
            if not title_taken(exc):
                raise self._failed(group, exc) from None
            return self._contend(group, fresh)
        self.held[group] = int(label["id"])
        return True

    def _contend(self, group: str, fresh: bool) -> bool:
        """The label exists: ours (an answer lost after GitLab saved it), another run's
        (held: wait or stop), or free (released or expired): taken over, unless that run
        wrote after this one began reading."""
        try:
            label = self._call("GET", self._path(group, self.title(group)))
        except gitlab.GitlabHttpError as exc:
            if exc.response_code == 404:  # deleted meanwhile: try again
                return self._take(group, fresh)
            raise self._failed(group, exc) from None
        holder = holder_of(label)
        if holder is not None and holder.run == self.run and not holder.released:
            return self._own(group, label, holder)
        now = self.clock()
        if holder is not None and holder.holds(now):
            return False
        if not fresh and holder is not None and self.started and holder.until >= self.started:
            return False  # it wrote while this run was reading: its reads may be stale
        try:  # free: by its id, never by name, so only that very label goes
            self._call("DELETE", self._path(group, int(label["id"])))
        except gitlab.GitlabHttpError as exc:
            if exc.response_code != 404:  # 404: another run took it over first
                raise self._failed(group, exc) from None
        taken = self._take_new(group)
        if taken:
            self.replaced[group] = str(label.get("description") or "")
        return taken

    def _own(self, group: str, label: dict[str, Any], holder: Holder) -> bool:
        """A lease this run's name holds: a create whose answer was lost after GitLab saved
        it, or the lease of this CI job's failed attempt, which may have expired a while
        ago. Its expiry is pushed ahead at once: left as it was, another run could take
        it over as expired before the first renewal and write beside this one. Gone
        meanwhile (404): another run took it over, and this run contends again."""
        try:
            self._call(
                "PUT",
                self._path(group, int(label["id"])),
                description=self._describe(self.clock() + self.ttl),
            )
        except gitlab.GitlabHttpError as exc:
            if exc.response_code == 404:
                return self._take(group, fresh=False)
            raise self._failed(group, exc) from None
        self.held[group] = int(label["id"])
        # the attempt before may have written until it stopped: if this one writes
        # nothing, the label says it was released then
        ended = min(holder.until, self.clock())
        self.replaced[group] = self._describe(ended, released=True)
        return True

    def _create(self, group: str) -> Any:
        """The lease label, held by this run until now plus the time to live."""
        return self._call(
            "POST",
            self._path(group),
            name=self.title(group),
            color=LEASE_COLOR,
            description=self._describe(self.clock() + self.ttl),
        )

    def _take_new(self, group: str) -> bool:
        try:
            label = self._create(group)
        except gitlab.GitlabHttpError as exc:
            if title_taken(exc):  # another run took it over first
                return False
            raise self._failed(group, exc) from None
        self.held[group] = int(label["id"])
        return True

    def _held_message(self, group: str) -> str:
        try:
            holder = holder_of(self._call("GET", self._path(group, self.title(group))))
        except (gitlab.GitlabError, GitLabError):
            holder = None
        if holder is not None and not holder.holds(self.clock()):
            return (
                f"{group}: another run ({holder.run}) wrote to this group while this run was "
                "reading it; nothing was written, so that nothing is written twice. Run again"
            )
        who = (
            f"run {holder.run} holds it until {holder.until.isoformat(timespec='seconds')}"
            if holder
            else "another run holds it"
        )
        return (
            f"{group}: another run {self.activity} ({who}); nothing was written. "
            f"Run again later, or pass --lease-wait SECONDS to wait for it (a killed run's "
            f"lease expires after {int(self.ttl.total_seconds())} s)"
        )

    def _unguarded_warning(self, group: str, status: int) -> str:
        return (
            f"{group}: cannot hold {self.lease_name} (HTTP {status}: the bot's user needs "
            "the Planner role to manage labels); a second run at the same time is not "
            "prevented there"
        )

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.ttl.total_seconds() / 3):
            self.renew()

    def renew(self) -> None:
        """Push every held lease's expiry one ``ttl`` ahead; a failure is a warning (the
        lease may then expire under a run that lasts longer than ``ttl``)."""
        for group, label in list(self.held.items()):
            until = self.clock() + self.ttl
            try:
                self._call(
                    "PUT",
                    self._path(group, label),
                    description=self._describe(until),
                )
            except gitlab.GitlabHttpError as exc:
                if exc.response_code != 404:
                    self.warnings.append(f"{group}: could not renew {self.lease_name} ({exc})")
                    continue
                # expired under this run and taken over by another: no more writes here
                self.held.pop(group, None)
                self.refused = LeaseHeld(
                    f"{group}: {self.lease_name} expired while this run was working and "
                    "another run took it over; this run writes nothing more. Raise "
                    "TRIAGE_LEASE_SECONDS if runs often take longer than renewals allow"
                )
            except (gitlab.GitlabError, GitLabError) as exc:
                self.warnings.append(f"{group}: could not renew {self.lease_name} ({exc})")

    def release(self) -> None:
        """Mark every lease this run holds released, now (by id: never another run's).
        The label stays, so a run that began reading before now knows to stop. A run that
        wrote nothing (``--lease-wait`` takes the leases before reading, and a week may
        need no write) gives them back as they were instead: marked released, they would
        stop every run that began reading before now, above and below its groups too."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        if not self.gl.wrote:
            self._discard(list(self.held))
            return
        for group, label in list(self.held.items()):
            try:
                self._call(
                    "PUT",
                    self._path(group, label),
                    description=self._describe(self.clock(), released=True),
                )
            except (gitlab.GitlabError, GitLabError) as exc:
                self.warnings.append(
                    f"{group}: could not release {self.lease_name} ({exc}); it expires by itself"
                )
            del self.held[group]
