"""The bot's GraphQL HTTP transport: pacing, counting and retries, one request at a time.

python-gitlab's GraphQL client reads ``Retry-After`` from the gql transport's
``response_headers``, which the last response of *any* thread set: with four workers, a
429's wait may be another request's headers. Retrying here, inside the HTTP transport,
keeps each wait with the response it belongs to, and lets reads also survive timeouts and
dropped connections, which python-gitlab's GraphQL retry never sees.

What is retried depends on whether a repeat is safe:
- a 429 always: GitLab's throttle refuses before the request does anything;
- a connection that could not be opened always: nothing was sent;
- a 5xx, a timeout or a dropped connection only for reads: a mutation may have been saved
  before the answer was lost, so the caller re-reads instead of writing twice.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

# gql imports ``httpx2`` when it is installed (openai 3 installs it) and ``httpx``
# otherwise; the transport must be of the flavour gql's client is built from.
httpx_flavour: Any = importlib.import_module("gql.transport.httpx").httpx

MAX_WAIT = 120.0  # never sleep longer on one answer, whatever a header says

# GitLab's answer to a query past its time limit (app/controllers/graphql_controller.rb,
# rescue_from ActiveRecord::QueryAborted), HTTP 503.
TIMED_OUT = "Request timed out. Please try a less complex query or a smaller set of records."


def wait_of(
    headers: Any, attempt: int, now: Callable[[], float] = time.time, throttled: bool = True
) -> float:
    """Seconds to wait before the next try, from this response's own headers.

    ``Retry-After`` (seconds or an HTTP date) first, then, for a 429 only,
    ``RateLimit-Reset`` (a Unix time: GitLab sends it on every answer, and a 502 must not
    wait for the rate-limit window), else an exponential back-off: 0.5, 1, 2, 4 ... s.
    """
    retry_after = headers.get("Retry-After")
    if retry_after:
        try:
            return min(MAX_WAIT, max(0.0, float(retry_after)))
        except ValueError:
            try:
                moment = parsedate_to_datetime(retry_after).timestamp()
                return min(MAX_WAIT, max(0.0, moment - now()))
            except (TypeError, ValueError):
                pass
    reset = headers.get("RateLimit-Reset") if throttled else None
    if reset:
        try:
            return min(MAX_WAIT, max(0.0, math.ceil(float(reset) - now())))
        except ValueError:
            pass
    return float(min(MAX_WAIT, 0.5 * 2**attempt))


class RetryingTransport(httpx_flavour.BaseTransport):  # type: ignore[misc]
    """Wraps the real HTTP transport; every attempt is paced and counted.

    ``on_attempt`` runs before each attempt (the request pacer and the request counter),
    so retries are paced and counted like any other request.
    """

    def __init__(
        self,
        retries: int,
        retry_unsafe: bool,
        on_attempt: Callable[[], None],
        sleep: Callable[[float], None] = time.sleep,
        on_response: Callable[[Any], None] | None = None,
    ) -> None:
        self.inner = httpx_flavour.HTTPTransport()
        self.on_response = on_response  # sees every answer's headers (GitLab's clock)
        self.retries = retries
        self.retry_unsafe = retry_unsafe
        self.on_attempt = on_attempt
        self.sleep = sleep

    def handle_request(self, request: Any) -> Any:
        attempt = 0
        while True:
            last = attempt >= self.retries
            self.on_attempt()
            try:
                response = self.inner.handle_request(request)
            except httpx_flavour.ConnectError:
                if last:
                    raise
                self.sleep(wait_of({}, attempt))
                attempt += 1
                continue
            except (
                httpx_flavour.TimeoutException,
                httpx_flavour.NetworkError,
                httpx_flavour.RemoteProtocolError,  # "server disconnected": a dropped answer
            ):
                if last or not self.retry_unsafe:
                    raise
                self.sleep(wait_of({}, attempt))
                attempt += 1
                continue
            if self.on_response is not None:
                self.on_response(response.headers)
            status = response.status_code
            again = status == 429 or (self.retry_unsafe and status in (500, 502, 503, 504))
            if status == 503 and TIMED_OUT.encode() in response.read():
                again = False  # the same query would time out again: the caller may page smaller
            if not again or last:
                return response
            wait = wait_of(response.headers, attempt, throttled=status == 429)
            response.close()
            self.sleep(wait)
            attempt += 1

    def close(self) -> None:
        self.inner.close()
