"""The one place that sends requests to GitLab: python-gitlab's GraphQL and REST clients.

GraphQL retries live in the HTTP transport (``transport.py``), so each wait comes from the
response it belongs to: 429s always, and 5xx, timeouts and dropped connections on reads.
Mutations are not retried on 5xx, because a 502 may arrive after GitLab saved the note; the
caller re-reads instead. GraphQL errors in a 200, and each mutation's ``errors``, become
``GitLabError``; GitLab's note-creation limit, which answers 200 with an error rather than
a 429, becomes ``NoteLimitReached`` so the caller can wait and try again. Note creation is
paced below that per-minute limit, which GitLab's rate-limit headers do not announce.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import gitlab
import httpx
import requests
from gql.transport.exceptions import TransportError, TransportQueryError

from triage import __version__
from triage.errors import (
    NEXT_STEP,
    GitLabAuthError,
    GitLabError,
    GitLabTimedOut,
    GitLabUnreachable,
)
from triage.gitlab.transport import TIMED_OUT, RetryingTransport, httpx_flavour
from triage.gitlab.unreachable import never_sent, unreachable
from triage.settings import GitLabSettings

USER_AGENT = f"smart-triage/{__version__}"

# GitLab's answer to a note over its note-creation limit (HTTP 200, a top-level error):
# app/graphql/mutations/notes/create/base.rb, verify_rate_limit!
NOTE_LIMIT_MESSAGE = "This endpoint has been requested too many times. Try again later."


NOTE_PACE = 0.9  # the share of the note-creation limit the bot uses


class NoteLimitReached(GitLabError):
    """GitLab refused a note over its note-creation limit; nothing was saved."""


class Pacer:
    """At most ``per_minute`` events a minute, spread evenly across threads: one instance
    paces note creations, another all requests."""

    def __init__(self, per_minute: float) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Hold every thread's next event back by ``seconds`` from now: after GitLab says
        the limit is reached, no thread should try again before the wait is over."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


def _graphql_http_client(
    settings: GitLabSettings,
    on_attempt: Callable[[], None],
    retry_unsafe: bool,
    on_response: Callable[[Any], None] | None = None,
) -> Any:
    """An HTTP client whose transport paces, counts and retries each request.

    It is built from the httpx flavour gql catches errors of (``httpx2`` when openai 3
    installed it), not python-gitlab's ``httpx``: with mismatched flavours an HTTP error
    escapes gql untranslated.
    """
    return httpx_flavour.Client(
        headers={"Authorization": f"Bearer {settings.token.value}", "User-Agent": USER_AGENT},
        timeout=settings.timeout,
        transport=RetryingTransport(
            settings.max_retries, retry_unsafe, on_attempt, on_response=on_response
        ),
    )


class _Rest(gitlab.Gitlab):
    """python-gitlab's REST client with the run's retry count: its own default is 10
    retries with back-off, which kept an unreachable GitLab waiting for minutes."""

    def __init__(self, *args: Any, max_retries: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_retries = max_retries

    def http_request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("max_retries", self._max_retries)
        return super().http_request(*args, **kwargs)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _Session(requests.Session):
    """A requests session that tells, per attempt, when a write may have reached GitLab:
    python-gitlab retries inside one call, and only the attempts say what went out."""

    def __init__(self, on_write: Callable[[], None]) -> None:
        super().__init__()
        self.on_write = on_write

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        write = (request.method or "").upper() in WRITE_METHODS
        try:
            response = super().send(request, **kwargs)
        except requests.RequestException as exc:
            if write and not never_sent(exc):
                self.on_write()
            raise
        if write:
            self.on_write()
        return response


class GitLab:
    """GraphQL and REST access with request counts, shared by all threads of a run.

    ``wrote`` tells whether any write of the run's may have reached GitLab yet (a
    mutation, or a REST POST, PUT or DELETE: sent, whatever came back). Until then, a
    GitLab that stops answering leaves nothing half-done, so a run may end as "unreachable"
    (exit 4, which CI retries); from the first write on, it ends as partial (exit 1). The
    run lease's own labels are bookkeeping, not the run's writes (``bookkeeping``): a lease
    left behind by a run that lost GitLab expires by itself.
    """

    def __init__(self, settings: GitLabSettings) -> None:
        self.settings = settings
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server_now: tuple[datetime, float] | None = None
        self._wrote = False
        self._local = threading.local()  # per thread: inside ``bookkeeping``
        # GitLab counts notes in fixed one-minute windows: pacing at the limit itself can put
        # one note too many into a window, so the pace keeps a margin under it.
        self.note_pacer = Pacer(settings.notes_per_minute * NOTE_PACE)
        self.request_pacer = Pacer(settings.requests_per_minute)
        self._reads = self._graphql(retry_unsafe=True)
        self._writes = self._graphql(retry_unsafe=False)
        session = _Session(on_write=self._sent_write)
        session.hooks["response"].append(lambda response, *a, **k: self._count_rest())
        self.rest = _Rest(
            settings.url,
            max_retries=settings.max_retries,
            private_token=settings.token.value,
            timeout=settings.timeout,
            retry_transient_errors=True,
            session=session,
            user_agent=USER_AGENT,
        )

    def _graphql(self, retry_unsafe: bool) -> gitlab.GraphQL:
        """python-gitlab's GraphQL client with its own retry off: the transport retries."""
        client = _graphql_http_client(
            self.settings, self._attempt, retry_unsafe, on_response=self._clock_from
        )
        return gitlab.GraphQL(
            self.settings.url,
            client=client,
            max_retries=0,
            obey_rate_limit=False,
            retry_transient_errors=False,
        )

    def _attempt(self) -> None:
        """Before each GraphQL attempt, retries included: pace, then count."""
        self.request_pacer.wait()  # stay under the per-minute request limit, not at 429s
        with self._lock:
            self.requests["graphql"] += 1

    def _clock_from(self, headers: Any) -> None:
        """Remember GitLab's clock from an answer's ``Date`` header."""
        value = headers.get("Date")
        if value:
            try:
                moment = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return
            with self._lock:
                self._server_now = (moment, time.monotonic())

    def server_now(self) -> datetime:
        """GitLab's time now, from the last answer's ``Date`` header (to the second), or
        this machine's clock before any answer: times sent back to GitLab, such as
        ``updatedAfter``, must be on GitLab's clock, not on a runner's that may be off."""
        with self._lock:
            seen = self._server_now
        if seen is None:
            return datetime.now(UTC)
        moment, at = seen
        return moment + timedelta(seconds=time.monotonic() - at)

    @property
    def wrote(self) -> bool:
        """Whether a write may have reached GitLab: see the class."""
        return self._wrote

    def _sent_write(self) -> None:
        if not getattr(self._local, "bookkeeping", False):
            self._wrote = True  # only ever set: no lock needed to read it

    @contextlib.contextmanager
    def bookkeeping(self) -> Iterator[None]:
        """Requests of this thread, inside the block, are no writes of the run's."""
        self._local.bookkeeping = True
        try:
            yield
        finally:
            self._local.bookkeeping = False

    def unreachable_before_writing(self, exc: BaseException) -> bool:
        """Whether ``exc`` is GitLab giving no answer at all while none of the run's writes
        may have reached it: nothing is half-done, so the run ends as unreachable (exit 4)
        rather than going on to fail epic after epic."""
        return isinstance(exc, GitLabUnreachable) and not self._wrote

    def note_limited(self) -> None:
        """Count one note GitLab refused over its note-creation limit."""
        with self._lock:
            self.requests["note_limited"] += 1

    def _count_rest(self) -> None:
        with self._lock:
            self.requests["rest"] += 1

    def close(self) -> None:
        self._reads.__exit__()
        self._writes.__exit__()
        self.rest.session.close()

    def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a read; retried by python-gitlab on 429 and 5xx."""
        return self._execute(self._reads, document, variables)

    def mutate(self, document: str, variables: dict[str, Any], field: str) -> dict[str, Any]:
        """Run one mutation and return its payload; its ``errors`` list raises."""
        try:
            data = self._execute(self._writes, document, variables)
        except GitLabError as exc:
            if not never_sent(exc):  # a timeout may come after GitLab saved it
                self._sent_write()
            raise
        self._sent_write()
        payload = data.get(field)
        if payload is None:
            raise GitLabError(f"{field} returned nothing")
        if payload.get("errors"):
            raise GitLabError(f"{field}: {'; '.join(payload['errors'])}")
        result: dict[str, Any] = payload
        return result

    def _execute(
        self, client: gitlab.GraphQL, document: str, variables: dict[str, Any] | None
    ) -> dict[str, Any]:
        try:
            result: dict[str, Any] = client.execute(document, variable_values=variables or {})
            return result
        except TransportQueryError as exc:
            messages = [str(e.get("message", e)) for e in (exc.errors or [])] or [str(exc)]
            if NOTE_LIMIT_MESSAGE in messages:
                raise NoteLimitReached(NOTE_LIMIT_MESSAGE) from None
            if any(m.startswith(TIMED_OUT) for m in messages):
                raise GitLabTimedOut("; ".join(messages)) from None
            if any(m == "Invalid token" for m in messages):
                raise GitLabAuthError(
                    "GitLab refused the token (GITLAB_TOKEN): is it valid, unexpired, with "
                    "the api scope?"
                ) from None
            raise GitLabError("; ".join(messages)) from None
        except gitlab.GitlabAuthenticationError:
            raise GitLabAuthError("GitLab refused the token (GITLAB_TOKEN)") from None
        except gitlab.GitlabHttpError as exc:
            raise GitLabError(f"HTTP {exc.response_code} from GitLab") from None
        except (TransportError, httpx.HTTPError) as exc:
            raise self._failed(exc) from None
        except Exception as exc:  # httpx2's transport errors, timeouts
            if type(exc).__module__.startswith(("httpx", "httpcore", "gql")):
                raise self._failed(exc) from None
            raise

    def _failed(self, exc: BaseException) -> GitLabError:
        """What went wrong in words a user can act on: where, why, and what to check."""
        found = unreachable(self.settings.url, exc)
        if found is not None:
            return found
        kind = type(exc).__name__
        cause = str(exc).strip() or kind
        return GitLabError(
            f"GitLab request to {self.settings.url} failed ({kind}: {cause}); {NEXT_STEP}"
        )
