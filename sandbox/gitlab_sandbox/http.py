"""The request and response records shared by the sandbox's HTTP handlers, and routing.

Handlers are plain functions from a ``Request`` to a ``Response``, registered with
``Router.route("GET", "/groups/:id/labels")``; the server stays ignorant of what each one
does, and each API module is a table of small functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from gitlab_sandbox.options import Options
from gitlab_sandbox.store import Store


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    query_lists: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    store: Store
    base_url: str
    options: Options
    username: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body as JSON, or form fields, or ``{}``; python-gitlab sends JSON."""
        if not self.body:
            return {}
        content_type = self.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" in content_type:
            return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}
        return json.loads(self.body)

    def arg(self, name: str, default: str | None = None) -> Any:
        """A parameter from the JSON/form body or else the query string."""
        body = self.json()
        if isinstance(body, dict) and name in body:
            return body[name]
        return self.query.get(name, default)


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body).encode()


def error(status: int, message: Any) -> Response:
    return Response(status, {"message": message})


Handler = Callable[[Request], Response]


class Router:
    """Routes of the form ``/groups/:id/labels``; ``*path`` swallows the rest of the URL."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.routes: list[tuple[str, re.Pattern[str], str, Handler]] = []

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        pattern = re.sub(r":(\w+)", r"(?P<\1>[^/]+)", template)
        pattern = re.sub(r"\*(\w+)", r"(?P<\1>.+)", pattern)
        compiled = re.compile(f"^{re.escape(self.prefix)}{pattern}$")

        def register(handler: Handler) -> Handler:
            self.routes.append((method, compiled, template, handler))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[str, Handler, dict[str, str]] | None:
        """The route template, handler and decoded path parameters for a request."""
        for route_method, pattern, template, handler in self.routes:
            found = pattern.match(path)
            if found and route_method == method:
                params = {k: unquote(v) for k, v in found.groupdict().items()}
                return f"{method} {template}", handler, params
        return None
