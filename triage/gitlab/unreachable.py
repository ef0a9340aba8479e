"""Why GitLab did not answer, in words a user can act on: where, which cause, what next.

httpx, httpcore, requests and urllib3 each wrap the socket's error in their own classes,
several layers deep; the cause is read from the whole chain (class names and messages), so
one table serves the GraphQL and the REST client alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from triage.errors import GitLabUnreachable
from triage.settings import safe_url

# (cause, words in the exception chain that show it, what to check), first match wins:
# TLS before "refused" (a TLS failure also ends the connection), DNS before both.
CAUSES: list[tuple[str, tuple[str, ...], str]] = [
    (
        "DNS: the host name does not resolve",
        (
            "name or service not known",
            "nodename nor servname",
            "temporary failure in name resolution",
            "getaddrinfo failed",
            "no address associated",
            "name resolution",
            "gaierror",
        ),
        "check the host in GITLAB_URL and this machine's DNS",
    ),
    (
        "TLS: the secure connection failed",
        ("ssl", "certificate", "tls", "wrong version number"),
        "check that GITLAB_URL's scheme (http or https) is right and, for a private "
        "certificate authority, set REQUESTS_CA_BUNDLE and SSL_CERT_FILE",
    ),
    (
        "timeout: no answer in time",
        ("timeout", "timed out"),
        "GitLab may be slow or a firewall may drop the packets; raise TRIAGE_GITLAB_TIMEOUT "
        "or try again later",
    ),
    (
        "connection refused: nothing listens there",
        ("refused", "errno 111", "errno 61"),
        "check the port in GITLAB_URL and that GitLab is up",
    ),
    (
        "the connection failed",
        ("connect", "connection", "network", "unreachable", "reset by peer", "disconnected"),
        "check GITLAB_URL, the network and any proxy (HTTPS_PROXY)",
    ),
]


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
        todo += [a for a in current.args if isinstance(a, BaseException)]


ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")\]]+")


def _detail(exc: BaseException) -> str:
    """The socket's own words (``[Errno 111] Connection refused``) when the chain has
    them, else the innermost message: the libraries' wrappers add only noise."""
    chain = list(_chain(exc))
    for error in chain:
        found = ERRNO.search(str(error))
        if found:
            return found.group(0).strip()
    innermost = next((str(e).strip() for e in reversed(chain) if str(e).strip()), "")
    return _short(innermost or type(exc).__name__)


def unreachable(url: str, exc: BaseException) -> GitLabUnreachable | None:
    """The error to raise when ``exc`` means GitLab never answered, else ``None``.

    The message names the URL without credentials, the cause and the next step; the
    socket's own words are kept in brackets for the network's people."""
    words = " ".join(f"{type(e).__name__} {e}" for e in _chain(exc)).lower()
    for cause, signs, check in CAUSES:
        if any(sign in words for sign in signs):
            return GitLabUnreachable(safe_url(url), cause, _detail(exc), check)
    return None


# Failures of the connection itself, before a byte of the request went out: the name did
# not resolve, nothing listened, no connection in time (urllib3's, requests', httpx's and
# httpcore's classes, and the socket's). Anything else (a timeout waiting for the answer,
# a connection dropped or reset, a TLS error) may come after GitLab received a request.
NEVER_SENT = frozenset(
    {
        "NewConnectionError",
        "NameResolutionError",
        "ConnectTimeoutError",
        "ConnectTimeout",
        "ConnectError",
        "ConnectionRefusedError",
        "gaierror",
    }
)


def never_sent(exc: BaseException) -> bool:
    """Whether ``exc`` shows that the request never reached GitLab: a write that failed
    so wrote nothing, which a write that timed out cannot say."""
    return any(type(e).__name__ in NEVER_SENT for e in _chain(exc))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
