"""The run lease: one writing run per group at a time, held in GitLab itself.

CI runners share no files, and a person may run ``--apply`` from a laptop while the
schedule runs, so the lease must live where every run looks: in each group, as a group
label named ``smart-triage-lease``. Creating a label is atomic in GitLab (a second
``POST /groups/:id/labels`` with the same name answers 409 "Label already exists",
lib/api/helpers/labels_helpers.rb), which makes the label a lock; its description says
which run holds it and until when. A run renews it while it works and deletes it at the
end; a killed run's lease expires, and the next run deletes the expired label *by its id*
(``DELETE /groups/:id/labels/:label_id``) before taking its own, so two runs that both find
it expired cannot both take it: the second delete finds no label (404) and its create
meets the first run's new label (409).

A label makes no notification and touches no epic; a user without the right to manage
labels (below Planner) cannot hold the lease: the run says so once and goes on unguarded.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import gitlab
import requests
from gitlab.utils import EncodedId

from triage.errors import GitLabError, TriageError
from triage.gitlab.client import GitLab

LEASE_LABEL = "smart-triage-lease"
LEASE_COLOR = "#8c8c8c"
TTL = timedelta(minutes=15)  # renewed every third of it while the run lasts
POLL = 5.0  # seconds between looks while waiting for another run's lease
_HOLDER = re.compile(r"held by run (?P<run>\S+) .*?until (?P<until>\S+?)\.?(?:\s|$)")


class LeaseHeld(TriageError):
    """Another run holds the lease of a group this run would write to: nothing written."""


@dataclass(frozen=True)
class Holder:
    run: str
    until: datetime


def describe(run: str, until: datetime) -> str:
    return (
        f"Do not use: held by run {run} until {until.isoformat(timespec='seconds')}. "
        "smart-triage keeps this label while a run writes to this group, so that two runs "
        "never write at once; the run deletes it when it ends."
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
    return Holder(match.group("run"), until if until.tzinfo else until.replace(tzinfo=UTC))


@dataclass
class Lease:
    """The lease of ``groups`` for one run; ``acquire`` before the first write,
    ``release`` after the last."""

    gl: GitLab
    groups: Sequence[str]
    wait: float = 0.0  # seconds to wait for another run's lease before giving up
    ttl: timedelta = TTL
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    sleep: Callable[[float], None] = time.sleep
    run: str = field(default_factory=lambda: f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}")
    held: dict[str, int] = field(default_factory=dict)  # group -> label id
    warnings: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _renewer: threading.Thread | None = None

    def _path(self, group: str, label: int | str | None = None) -> str:
        path = f"/groups/{EncodedId(group)}/labels"
        return path if label is None else f"{path}/{EncodedId(str(label))}"

    def _call(self, method: str, path: str, **data: Any) -> Any:
        rest = self.gl.rest
        try:
            if method == "POST":
                return rest.http_post(path, post_data=data, retry_transient_errors=False)
            if method == "PUT":
                return rest.http_put(path, post_data=data)
            if method == "DELETE":
                return rest.http_delete(path)
            return rest.http_get(path)
        except requests.RequestException as exc:
            raise GitLabError(f"the run lease: {type(exc).__name__}") from None

    def acquire(self) -> None:
        """Take every group's lease, or none: waits up to ``wait`` seconds for another
        run's, then raises ``LeaseHeld``; a group where the user may not manage labels
        is left unguarded, with a warning."""
        deadline = time.monotonic() + self.wait
        try:
            for group in sorted(set(self.groups)):  # one order: two runs cannot deadlock
                while not self._take(group):
                    if time.monotonic() >= deadline:
                        raise LeaseHeld(self._held_message(group))
                    self.sleep(min(POLL, max(0.1, deadline - time.monotonic())))
        except BaseException:
            self.release()
            raise
        if self.held:
            self._renewer = threading.Thread(target=self._renew_loop, daemon=True)
            self._renewer.start()

    def _take(self, group: str) -> bool:
        until = self.clock() + self.ttl
        try:
            label = self._call(
                "POST",
                self._path(group),
                name=LEASE_LABEL,
                color=LEASE_COLOR,
                description=describe(self.run, until),
            )
        except gitlab.GitlabHttpError as exc:
            if exc.response_code in (401, 403, 404):
                self.warnings.append(
                    f"{group}: cannot hold the run lease (HTTP {exc.response_code}: the "
                    "bot's user needs the Planner role to manage labels); a second run "
                    "at the same time is not prevented there"
                )
                return True
            if exc.response_code != 409:
                raise GitLabError(f"{group}: the run lease: HTTP {exc.response_code}") from None
            return self._contend(group)
        self.held[group] = int(label["id"])
        return True

    def _contend(self, group: str) -> bool:
        """The label exists: ours (an answer lost after GitLab saved it), expired (a killed
        run: delete that very label and try again), or another run's (wait)."""
        try:
            label = self._call("GET", self._path(group, LEASE_LABEL))
        except gitlab.GitlabHttpError as exc:
            if exc.response_code == 404:  # released meanwhile
                return False
            raise GitLabError(f"{group}: the run lease: HTTP {exc.response_code}") from None
        holder = holder_of(label)
        if holder is not None and holder.run == self.run:
            self.held[group] = int(label["id"])
            return True
        if holder is not None and holder.until > self.clock():
            return False
        try:  # expired, or a label of that name that is no lease: by id, never by name
            self._call("DELETE", self._path(group, int(label["id"])))
        except gitlab.GitlabHttpError as exc:
            if exc.response_code != 404:  # 404: another run deleted it first
                raise GitLabError(f"{group}: the run lease: HTTP {exc.response_code}") from None
        return self._take(group)

    def _held_message(self, group: str) -> str:
        try:
            holder = holder_of(self._call("GET", self._path(group, LEASE_LABEL)))
        except (gitlab.GitlabError, GitLabError):
            holder = None
        who = (
            f"run {holder.run} holds it until {holder.until.isoformat(timespec='seconds')}"
            if holder
            else "another run holds it"
        )
        return (
            f"{group}: another run is writing to this group ({who}); nothing was written. "
            f"Run again later, or pass --lease-wait SECONDS to wait for it (a killed run's "
            f"lease expires after {int(self.ttl.total_seconds() // 60)} minutes)"
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
                self._call("PUT", self._path(group, label), description=describe(self.run, until))
            except (gitlab.GitlabError, GitLabError) as exc:
                self.warnings.append(f"{group}: could not renew the run lease ({exc})")

    def release(self) -> None:
        """Delete every lease this run holds (by id: never another run's)."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        for group, label in list(self.held.items()):
            try:
                self._call("DELETE", self._path(group, label))
            except (gitlab.GitlabError, GitLabError) as exc:
                self.warnings.append(
                    f"{group}: could not release the run lease ({exc}); it expires by itself"
                )
            del self.held[group]
