"""The sandbox HTTP server: GitLab's API, an OpenAI-compatible endpoint, control routes.

A ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive, so concurrent clients see real
concurrency (latency is injected outside the store lock). Every GitLab request passes the
same gate, in GitLab's order: count, delay, throttle, fail on demand, authenticate, route.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gitlab_sandbox import (
    control_api,
    graphql_api,
    llm_api,
    project_labels,  # noqa: F401  (its routes join rest_api's router)
    rest_api,
)
from gitlab_sandbox.faults import Faults
from gitlab_sandbox.graphql_nodes import Context
from gitlab_sandbox.http import Handler, Request, Response, Router, error
from gitlab_sandbox.options import Options
from gitlab_sandbox.seeds import apply_seed
from gitlab_sandbox.serving import Served
from gitlab_sandbox.store import NotFound, Store

Match = tuple[str, Handler, dict[str, str]]
JOB_TOKEN_ROUTES = {"GET /projects/:id/jobs/artifacts/:ref/raw/*path"}


class Sandbox(Served):
    """A running sandbox: ``url``, ``token`` and its ``store``; also a context manager."""

    def __init__(
        self,
        seed: str = "demo",
        port: int = 0,
        host: str = "127.0.0.1",
        options: Options | None = None,
        today: date | None = None,
        verbose: bool = False,
    ) -> None:
        self.options = options or Options()
        self.store = Store()
        self.store.markdown_engine = self.options.markdown_engine
        self.seeded = apply_seed(self.store, seed, today)
        self.faults = Faults(self.options)
        self._lost: set[str] = set()  # routes whose one lost answer was already lost
        self.verbose = verbose
        super().__init__(host, port, self._handler_class())

    @property
    def token(self) -> str:
        return self.options.token

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def serve_forever_in_foreground(self) -> None:
        """Block until interrupted while ``start()``'s thread serves."""
        if self._thread is not None:
            self._thread.join()

    # -- request handling ----------------------------------------------------------------
    @staticmethod
    def _token(headers: dict[str, str]) -> str | None:
        """The token of ``PRIVATE-TOKEN`` or ``Authorization: Bearer``, as GitLab reads them."""
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        return headers.get("private-token") or bearer

    def _authenticate(self, headers: dict[str, str], route: str) -> tuple[str | None, bool]:
        """(username, token given) for a request; a wrong token is (None, True)."""
        token = self._token(headers)
        if token is None and headers.get("job-token") and route in JOB_TOKEN_ROUTES:
            token = self.options.token  # a CI job token may fetch artifacts, nothing else
        if token is None:
            return None, False
        return (self.options.username if token == self.options.token else None), True

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        split = urlsplit(target)
        lists = parse_qs(split.query, keep_blank_values=True)
        request = Request(
            method,
            split.path,
            {k: v[-1] for k, v in lists.items()},
            lists,
            headers,
            body,
            self.store,
            f"http://{headers.get('host', 'localhost')}",
            self.options,
        )
        if split.path.startswith("/-/sandbox/"):
            return self._dispatch(control_api.router, request)
        if split.path.startswith("/v1/"):
            self.faults.delay(llm=True)
            if not headers.get("authorization", "").lower().startswith("bearer "):
                return Response(
                    401, {"error": {"message": "Missing API key", "type": "invalid_request_error"}}
                )
            key = headers.get("authorization", "")[7:].strip()
            if self.options.llm_key is not None and key != self.options.llm_key:
                with self.store.lock:
                    self.store.stats["llm_refused"] += 1
                return Response(
                    401,
                    {
                        "error": {
                            "message": "Incorrect API key provided.",
                            "type": "invalid_request_error",
                            "param": None,
                            "code": "invalid_api_key",
                        }
                    },
                )
            return self._dispatch(llm_api.router, request)
        return self._gitlab(request)

    def _gitlab(self, request: Request) -> Response:
        store = self.store
        is_graphql = request.path == "/api/graphql"
        match = None if is_graphql else rest_api.router.match(request.method, request.path)
        route = "POST /api/graphql" if is_graphql else (match[0] if match else "unknown")
        with store.lock:
            store.stats["requests"] += 1
        self.faults.delay(llm=False)
        limited, limit_headers = self.faults.throttle(self._token(request.headers) or "anonymous")
        if limited is not None:
            with store.lock:
                store.stats["throttled"] += 1
            return limited
        failure = self.faults.server_error()
        if failure is not None:
            with store.lock:
                store.stats["faults_injected"] += 1
            return failure
        request.username, token_given = self._authenticate(request.headers, route)
        if request.username is None and (token_given or not is_graphql):
            with store.lock:
                store.stats["unauthorized"] += 1
            response = (
                Response(401, {"errors": [{"message": "Invalid token"}]})
                if is_graphql
                else error(401, "401 Unauthorized")
            )
        elif is_graphql:
            response = self._graphql(request)
        elif match is None:
            response = Response(404, {"error": "404 Not Found"})
        else:
            response = self._rest(request, match)
        if route in self.options.lost_answers and response.status < 400:
            with store.lock:
                lost = route not in self._lost
                self._lost.add(route)
            if lost:
                store.stats["answers_lost"] += 1
                return Response(502, {"message": "502 Bad Gateway"})
        response.headers.update(limit_headers)
        return response

    def _graphql(self, request: Request) -> Response:
        """GraphQL; anonymous callers are allowed, as on GitLab, but see no private group."""
        try:
            payload = request.json()
        except ValueError:
            payload = None
        with self.store.lock:
            context = Context(
                self.store,
                request.base_url,
                request.username,
                self.options,
                self.faults.note_limiter,
            )
            result = graphql_api.run(payload, context)
            self.store.routes[f"graphql {result.operation}"] += 1
            if result.operation != "mutation":
                self.store.stats["reads"] += 1
        return Response(result.status, result.body)

    def _rest(self, request: Request, match: Match) -> Response:
        route, handler, request.params = match
        with self.store.lock:
            self.store.routes[route] += 1
            if request.method == "GET":
                self.store.stats["reads"] += 1
            try:
                return handler(request)
            except NotFound as exc:
                return error(404, f"404 {exc.kind} Not Found")
            except (ValueError, KeyError, TypeError) as exc:
                return error(400, f"400 Bad request - {exc}")

    def _dispatch(self, router: Router, request: Request) -> Response:
        match = router.match(request.method, request.path)
        if match is None:
            return Response(404, {"error": "404 Not Found"})
        _template, handler, request.params = match
        return handler(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        sandbox = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "smart-triage-sandbox"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                response = sandbox.handle(self.command, self.path, headers, body)
                data = response.encode()
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def date_time_string(self, timestamp: float | None = None) -> str:
                """The ``Date`` header on the store's clock, which ``updatedAt`` uses too:
                moved forward by ``/-/sandbox/clock``, both stay one clock, as on GitLab."""
                if timestamp is not None:
                    return super().date_time_string(timestamp)
                return formatdate(sandbox.store.clock().timestamp(), usegmt=True)

            def log_message(self, format: str, *args: Any) -> None:
                if sandbox.verbose:
                    sys.stderr.write(f"sandbox: {format % args}\n")

        return Handler


@contextmanager
def running(seed: str = "demo", **kwargs: Any) -> Iterator[Sandbox]:
    """Start a sandbox on a free loopback port for the duration of a ``with`` block."""
    with Sandbox(seed=seed, **kwargs) as sandbox:
        yield sandbox


def stats(sandbox: Sandbox) -> dict[str, Any]:
    """The same figures as ``GET /-/sandbox/stats``, read in-process."""
    response = sandbox.handle("GET", "/-/sandbox/stats", {}, b"")
    result: dict[str, Any] = json.loads(response.encode())
    return result
