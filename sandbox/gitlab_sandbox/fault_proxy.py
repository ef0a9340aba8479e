"""A loopback proxy in front of the sandbox that breaks the network on purpose.

The sandbox's own faults (``Options.fault_rate``, ``lost_answers``) are answers GitLab
gives; what a client meets between it and GitLab is different: a request that never
arrives, an answer lost after GitLab saved the write (the connection drops), an answer
that comes too late (the client times out), a proxy's 502, or an answer of an unexpected
shape (``widgets: null``). The proxy does these from a seeded RNG, or for requests a rule
picks out, so a fault study can be replayed.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from gitlab_sandbox.serving import Served

# What happens to one request: forwarded untouched, or one of these.
DROP_BEFORE = "drop before"  # the connection closes before the request reaches GitLab
DROP_AFTER = "drop after"  # GitLab handled it, the answer is lost: connection closed
HANG = "hang"  # GitLab handled it; the answer comes after the client gave up
BAD_GATEWAY = "502"  # a proxy's 502: the request never reached GitLab

Picker = Callable[[str, str, bytes], bool]  # (method, path, body): is this request a target?
Rewriter = Callable[[str, bytes, Any], Any]  # (path, request body, JSON answer) -> answer


@dataclass
class FaultPlan:
    """Which faults, how often (each a probability per request), and for which requests."""

    rates: dict[str, float] = field(default_factory=dict)  # fault -> probability
    seed: int = 0
    picks: Picker | None = None  # only these requests may fault (all, when None)
    always: dict[str, Picker] = field(default_factory=dict)  # fault -> requests it always hits
    rewrite: Rewriter | None = None  # changes GitLab's JSON answers on their way back
    hang_seconds: float = 3.0


def graphql_read_of(group: str) -> Picker:
    """A picker for GraphQL reads of ``group``'s epics: its page query, or a request that
    reads several groups at once (aliases) with it among them."""

    def picks(method: str, path: str, body: bytes) -> bool:
        if path != "/api/graphql" or not body:
            return False
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        query = str(payload.get("query", ""))
        variables = payload.get("variables") or {}
        # one group's page query, or a batch of groups (aliases) that includes it
        return "workItems(" in query and group in variables.values()

    return picks


def null_widgets_of(title_part: str) -> Rewriter:
    """A rewriter that answers ``widgets: null`` for the work items whose title holds
    ``title_part``, in every GraphQL answer that lists them."""

    def rewrite(path: str, body: bytes, answer: Any) -> Any:
        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if "widgets" in node and title_part in str(node.get("title", "")):
                    node["widgets"] = None
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(answer)
        return answer

    return rewrite


class FaultProxy(Served):
    """``url`` forwards to ``upstream``; ``counts`` says which faults were made."""

    def __init__(self, upstream: str, plan: FaultPlan, host: str = "127.0.0.1") -> None:
        self.upstream = urlsplit(upstream)
        self.plan = plan
        self.counts: Counter[str] = Counter()
        self._random = random.Random(plan.seed)
        self._lock = threading.Lock()
        super().__init__(host, 0, self._handler())

    def fault_for(self, method: str, path: str, body: bytes) -> str | None:
        if path.startswith("/-/sandbox/"):
            return None  # the control routes are how a study looks: never broken
        for fault, picker in self.plan.always.items():
            if picker(method, path, body):
                return fault
        if self.plan.picks is not None and not self.plan.picks(method, path, body):
            return None
        with self._lock:
            roll = self._random.random()
        for fault, rate in self.plan.rates.items():
            if roll < rate:
                return fault
            roll -= rate
        return None

    def forward(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        connection = http.client.HTTPConnection(
            self.upstream.hostname or "127.0.0.1", self.upstream.port or 80, timeout=60
        )
        try:
            connection.request(method, target, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                fault = proxy.fault_for(self.command, path, body)
                if fault is not None:
                    with proxy._lock:
                        proxy.counts[fault] += 1
                if fault == DROP_BEFORE:
                    self.close_connection = True
                    return
                if fault == BAD_GATEWAY:
                    self._answer(502, [("Content-Type", "text/html")], b"502 Bad Gateway\n")
                    return
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("connection",)
                }
                status, answer_headers, data = proxy.forward(self.command, self.path, headers, body)
                if fault == DROP_AFTER:
                    self.close_connection = True
                    return
                if fault == HANG:
                    time.sleep(proxy.plan.hang_seconds)
                    self.close_connection = True
                    return
                if proxy.plan.rewrite is not None and data[:1] in (b"{", b"["):
                    try:
                        original = json.loads(data)
                        before = json.dumps(original)
                        after = json.dumps(proxy.plan.rewrite(path, body, original))
                    except (ValueError, TypeError, KeyError, AttributeError):
                        after = before = ""  # a rewriter that does not fit: unchanged
                    if after != before:
                        data = after.encode()
                        with proxy._lock:
                            proxy.counts["rewritten"] += 1
                self._answer(status, answer_headers, data)

            def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
