"""A GitLab-compatible HTTP server (plus an OpenAI-compatible endpoint) for demos and tests.

It serves the REST and GraphQL subset the bot uses, with GitLab's semantics, seeded with
realistic success plans. The bot has no sandbox-specific code path: it only gets a URL.
"""

from __future__ import annotations

from gitlab_sandbox.options import Options
from gitlab_sandbox.server import Sandbox, running

__all__ = ["Options", "Sandbox", "running"]
