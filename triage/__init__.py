"""smart-triage: a weekly triage bot for customer success plans kept in GitLab."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    # Set at build time from the git tag (hatch-vcs): one source, so `triage --version`,
    # the User-Agent and the release always agree.
    __version__ = version("smart-triage")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0.0.0"
