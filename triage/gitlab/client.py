"""The one place that sends requests to GitLab: python-gitlab's GraphQL and REST clients.

Retries are python-gitlab's own (one layer): it waits out 429s using ``Retry-After`` or
``RateLimit-Reset`` and retries 5xx on reads. Mutations are not retried on 5xx, because a
502 may arrive after GitLab saved the note; the caller re-reads instead. GraphQL errors in
a 200, and each mutation's ``errors``, become ``GitLabError``. Note creation is paced below
GitLab's per-minute application limit, which its rate-limit headers do not announce.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import Counter
from typing import Any

import gitlab
import httpx
import requests
from gql.transport.exceptions import TransportError, TransportQueryError

from triage import __version__
from triage.errors import GitLabAuthError, GitLabError
from triage.settings import GitLabSettings

USER_AGENT = f"smart-triage/{__version__}"


class Pacer:
    """At most ``per_minute`` events a minute, spread evenly across threads: one instance
    paces note creations, another all requests."""

    def __init__(self, per_minute: int) -> None:
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


def _graphql_http_client(settings: GitLabSettings, counter: Counter[str], pacer: Pacer) -> Any:
    """An HTTP client of the httpx flavour gql catches errors of.

    gql imports ``httpx2`` when it is installed (openai 3 installs it) while python-gitlab
    builds its client from ``httpx``; with mismatched flavours a 429 escapes gql as a raw
    ``HTTPStatusError`` and python-gitlab's retry never runs. Building the client ourselves
    from gql's flavour keeps the retry working.
    """
    flavour = importlib.import_module("gql.transport.httpx").httpx

    def count(_request: Any) -> None:
        pacer.wait()  # stay under the per-minute request limit instead of hitting 429s
        counter["graphql"] += 1

    return flavour.Client(
        headers={"Authorization": f"Bearer {settings.token.value}", "User-Agent": USER_AGENT},
        timeout=settings.timeout,
        event_hooks={"request": [count]},
    )


class GitLab:
    """GraphQL and REST access with request counts, shared by all threads of a run."""

    def __init__(self, settings: GitLabSettings) -> None:
        self.settings = settings
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.note_pacer = Pacer(settings.notes_per_minute)
        self.request_pacer = Pacer(settings.requests_per_minute)
        self._reads = self._graphql(retry_transient_errors=True)
        self._writes = self._graphql(retry_transient_errors=False)
        session = requests.Session()
        session.hooks["response"].append(lambda response, *a, **k: self._count_rest())
        self.rest = gitlab.Gitlab(
            settings.url,
            private_token=settings.token.value,
            timeout=settings.timeout,
            retry_transient_errors=True,
            session=session,
            user_agent=USER_AGENT,
        )

    def _graphql(self, retry_transient_errors: bool) -> gitlab.GraphQL:
        return gitlab.GraphQL(
            self.settings.url,
            client=_graphql_http_client(self.settings, self.requests, self.request_pacer),
            max_retries=self.settings.max_retries,
            obey_rate_limit=True,
            retry_transient_errors=retry_transient_errors,
        )

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
        data = self._execute(self._writes, document, variables)
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
            raise GitLabError(f"GitLab request failed: {type(exc).__name__}") from None
        except Exception as exc:  # httpx2's transport errors, timeouts
            if type(exc).__module__.startswith(("httpx", "httpcore", "gql")):
                raise GitLabError(f"GitLab request failed: {type(exc).__name__}") from None
            raise
