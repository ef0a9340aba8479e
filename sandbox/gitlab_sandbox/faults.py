"""Faults on demand: GitLab's rate limiting and random server errors, both deterministic.

The rate limiter is a fixed window per token, like GitLab's Rack::Attack throttles, and
answers the way they do: 429, plain-text ``Retry later``, ``Retry-After`` and the
``RateLimit-*`` headers (which also ride on every allowed response). Injected 5xx come
from a seeded RNG so a failing test can be replayed.
"""

from __future__ import annotations

import math
import random
import threading
import time
from email.utils import formatdate

from gitlab_sandbox.http import Response
from gitlab_sandbox.options import Options


class RateLimiter:
    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def check(self, key: str) -> tuple[bool, dict[str, str]]:
        """Count one request for ``key``; returns (allowed, headers to send)."""
        now = time.time()
        slot = int(now // self.window)
        reset = (slot + 1) * self.window
        with self._lock:
            observed = self._counts.get((key, slot), 0) + 1
            self._counts = {k: v for k, v in self._counts.items() if k[1] == slot}
            self._counts[(key, slot)] = observed
        headers = {
            "RateLimit-Name": "throttle_authenticated_api",
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Observed": str(observed),
            "RateLimit-Remaining": str(max(0, self.limit - observed)),
            "RateLimit-Reset": str(math.ceil(reset)),
            "RateLimit-ResetTime": formatdate(reset, usegmt=True),
        }
        allowed = observed <= self.limit
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(reset - now)))
        return allowed, headers


class Faults:
    """Everything an ``Options`` asks the server to do wrong, in one place."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._random = random.Random(options.fault_seed)
        self._lock = threading.Lock()
        self.limiter = (
            RateLimiter(options.rate_limit, options.rate_limit_window)
            if options.rate_limit > 0
            else None
        )
        # GitLab's ApplicationRateLimiter counts every attempt in fixed windows per user.
        self.note_limiter = (
            RateLimiter(options.note_limit, options.note_limit_window)
            if options.note_limit > 0
            else None
        )

    def delay(self, llm: bool) -> None:
        millis = self.options.llm_latency_ms if llm else self.options.latency_ms
        if millis > 0:
            time.sleep(millis / 1000)

    def throttle(self, key: str) -> tuple[Response | None, dict[str, str]]:
        """A 429 response when ``key`` is over its limit, and the headers for any response."""
        if self.limiter is None:
            return None, {}
        allowed, headers = self.limiter.check(key)
        if allowed:
            return None, headers
        return Response(
            429, raw=b"Retry later\n", headers=headers, content_type="text/plain"
        ), headers

    def server_error(self) -> Response | None:
        with self._lock:
            roll = self._random.random()
        if roll < self.options.fault_rate:
            status = 502 if roll < self.options.fault_rate / 2 else 500
            return Response(status, {"message": f"{status} Internal Server Error"})
        return None
