"""The GraphQL transport's retries: each wait from its own response, only safe repeats."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from triage.gitlab.transport import RetryingTransport, httpx_flavour, wait_of


class Scripted(httpx_flavour.BaseTransport):  # type: ignore[misc]
    """Answers each request from a script keyed by its ``X-Name`` header: an exception to
    raise or a (status, headers) to answer, in order; then 200."""

    def __init__(self, script: dict[str, list[Any]]) -> None:
        self.script = {name: list(steps) for name, steps in script.items()}
        self.lock = threading.Lock()
        self.sent: list[str] = []

    def handle_request(self, request: Any) -> Any:
        name = request.headers["X-Name"]
        with self.lock:
            self.sent.append(name)
            steps = self.script.get(name) or []
            step = steps.pop(0) if steps else (200, {})
        if isinstance(step, Exception):
            raise step
        status, headers = step
        return httpx_flavour.Response(status, headers=headers, json={"data": {}})


def transport(script: dict[str, list[Any]], retry_unsafe: bool, sleeps: dict[str, list]):
    local = threading.local()

    def sleep(seconds: float) -> None:
        sleeps.setdefault(local.name, []).append(seconds)

    wrapped = RetryingTransport(retries=3, retry_unsafe=retry_unsafe, on_attempt=lambda: None)
    wrapped.inner = Scripted(script)
    wrapped.sleep = sleep
    return wrapped, local


def send(wrapped: RetryingTransport, local: threading.local, name: str) -> int:
    local.name = name
    request = httpx_flavour.Request(
        "POST", "http://gitlab.test/api/graphql", headers={"X-Name": name}
    )
    return int(wrapped.handle_request(request).status_code)


def test_each_thread_waits_what_its_own_429_said():
    """Four threads, each throttled with a different Retry-After: every one waits its own,
    never another thread's (python-gitlab read it from a transport all threads share)."""
    waits = {f"t{n}": str(n + 1) for n in range(4)}
    sleeps: dict[str, list] = {}
    wrapped, local = transport(
        {name: [(429, {"Retry-After": wait})] for name, wait in waits.items()}, False, sleeps
    )
    results: dict[str, int] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        results[name] = send(wrapped, local, name)

    threads = [threading.Thread(target=worker, args=(name,)) for name in waits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == dict.fromkeys(waits, 200)
    assert sleeps == {name: [float(wait)] for name, wait in waits.items()}


def test_reads_survive_timeouts_dropped_connections_and_5xx():
    sleeps: dict[str, list] = {}
    script = {
        "read": [
            httpx_flavour.ReadTimeout("slow"),
            httpx_flavour.RemoteProtocolError("dropped"),
            (502, {}),
        ]
    }
    wrapped, local = transport(script, True, sleeps)
    assert send(wrapped, local, "read") == 200
    assert wrapped.inner.sent == ["read"] * 4
    assert sleeps["read"] == [0.5, 1.0, 2.0]  # back-off when no header says how long


def test_a_write_is_not_repeated_after_it_may_have_been_saved():
    """A 502 or a lost answer may come after GitLab saved the note: no second try."""
    failures: list[Any] = [(502, {}), httpx_flavour.ReadTimeout("slow")]
    for failure in failures:
        sleeps: dict[str, list] = {}
        wrapped, local = transport({"write": [failure]}, False, sleeps)
        if isinstance(failure, Exception):
            with pytest.raises(httpx_flavour.ReadTimeout):
                send(wrapped, local, "write")
        else:
            assert send(wrapped, local, "write") == 502
        assert wrapped.inner.sent == ["write"] and sleeps == {}


def test_a_write_is_repeated_when_nothing_reached_gitlab():
    """A 429 is refused before anything happens, a refused connection sent nothing."""
    sleeps: dict[str, list] = {}
    script = {"write": [httpx_flavour.ConnectError("refused"), (429, {"Retry-After": "2"})]}
    wrapped, local = transport(script, False, sleeps)
    assert send(wrapped, local, "write") == 200
    assert wrapped.inner.sent == ["write"] * 3


def test_waits_read_retry_after_dates_and_ratelimit_reset():
    now = 1_000_000.0
    assert wait_of({"Retry-After": "7"}, 0, lambda: now) == 7.0
    assert wait_of({"Retry-After": "Mon, 12 Jan 1970 13:46:50 GMT"}, 0, lambda: now) == 10.0
    assert wait_of({"RateLimit-Reset": str(int(now) + 12)}, 0, lambda: now) == 12.0
    assert wait_of({"Retry-After": "100000"}, 0, lambda: now) == 120.0  # never an hour


def test_a_5xx_does_not_wait_for_the_rate_limit_window():
    """GitLab sends RateLimit-Reset on every answer: a 502 waits its back-off, not the
    minute until the window resets; a 429 waits for the window."""
    now = 1_000_000.0
    headers = {"RateLimit-Reset": str(int(now) + 55)}
    assert wait_of(headers, 0, lambda: now, throttled=False) == 0.5
    assert wait_of(headers, 0, lambda: now, throttled=True) == 55.0
    sleeps: dict[str, list] = {}
    wrapped, local = transport({"read": [(502, headers)]}, True, sleeps)
    assert send(wrapped, local, "read") == 200
    assert sleeps["read"] == [0.5]
