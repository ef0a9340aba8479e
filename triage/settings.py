"""Settings read from the environment, with the token kept out of every printed form.

GitLab CI provides the variables (``GITLAB_URL`` defaults to ``CI_SERVER_URL``); the token
must be a group access token or bot user token with ``api`` scope, since ``CI_JOB_TOKEN``
cannot read epics or write notes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit, urlunsplit

from triage.errors import UsageError


class Secret(str):
    """A string that prints as ``[redacted]``: repr, str() in f-strings of records, logs."""

    def __repr__(self) -> str:
        return "Secret('[redacted]')"

    def __str__(self) -> str:
        return "[redacted]"

    @property
    def value(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class GitLabSettings:
    url: str
    token: Secret = field(repr=False)
    timeout: float = 30.0
    max_retries: int = 6
    notes_per_minute: int = 60
    requests_per_minute: int = 1800  # under GitLab.com's 2,000 per user and minute
    note_backoff: float = 15.0  # first wait after GitLab's note limit answer; doubles

    def share(self, shards: int) -> GitLabSettings:
        """The settings of one of ``shards`` jobs running at once with the same token.

        GitLab's limits are per user, so shards of one ``parallel:`` job split them: each
        paces at its share, and together they stay under the limit.
        """
        if shards <= 1:
            return self
        return replace(
            self,
            notes_per_minute=max(1, self.notes_per_minute // shards),
            requests_per_minute=max(1, self.requests_per_minute // shards),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GitLabSettings:
        env = os.environ if env is None else env
        url = env.get("GITLAB_URL") or env.get("CI_SERVER_URL") or ""
        token = env.get("GITLAB_TOKEN") or ""
        if not url:
            raise UsageError("GITLAB_URL is not set (for example https://gitlab.com)")
        if not token:
            raise UsageError(
                "GITLAB_TOKEN is not set: use a group access token or bot user token with the "
                "api scope (CI_JOB_TOKEN cannot read epics or write notes)"
            )
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"GITLAB_URL must be an http(s) URL, got '{safe_url(url)}'")
        return cls(
            url=safe_url(url).rstrip("/"),
            token=Secret(token),
            timeout=_number(env, "TRIAGE_GITLAB_TIMEOUT", 30.0),
            max_retries=int(_number(env, "TRIAGE_GITLAB_MAX_RETRIES", 6)),
            notes_per_minute=int(_number(env, "TRIAGE_NOTES_PER_MINUTE", 60)),
            requests_per_minute=int(_number(env, "TRIAGE_REQUESTS_PER_MINUTE", 1800)),
            note_backoff=_number(env, "TRIAGE_NOTE_BACKOFF", 15.0),
        )


def safe_url(url: str) -> str:
    """``url`` without any ``user:password@`` part, so it can be printed."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise UsageError(f"{name} must be a number, got '{raw}'") from exc
    if value <= 0:
        raise UsageError(f"{name} must be positive, got '{raw}'")
    return value
