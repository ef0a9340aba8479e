"""One exception tree for the whole product, mapped to exit codes in one place.

Commands raise these; ``triage.cli.main`` turns them into one line on stderr and the exit
code below, so every command fails the same way and CI can tell a bad configuration (2)
from a run that only partly succeeded (1).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_CONFIG = 2
EXIT_UNEXPECTED = 3
# GitLab could not be reached before anything was written: worth an automatic retry (the
# CI/CD component's job retries this code), unlike a configuration error.
EXIT_UNREACHABLE = 4


class TriageError(Exception):
    """Base of every error the product reports to its user."""

    exit_code = EXIT_PARTIAL


class PolicyError(TriageError):
    """A policy file, template or prompt is wrong: nothing may be written."""

    exit_code = EXIT_CONFIG


class UsageError(TriageError):
    """A command-line argument or environment setting is wrong."""

    exit_code = EXIT_CONFIG


class GitLabError(TriageError):
    """GitLab refused or failed a request after retries: that epic or group fails, the
    run goes on."""


class GitLabTimedOut(GitLabError):
    """GitLab gave up on a query past its time limit (HTTP 503, "Request timed out. Please
    try a less complex query or a smaller set of records."): the same query would time out
    again, a smaller page may not."""


NEXT_STEP = "run `triage doctor` to check the settings, the connection and the token"


class GitLabUnreachable(GitLabError):
    """No answer from GitLab at all: the name did not resolve, the connection was refused,
    TLS failed or the wait timed out. Still a ``GitLabError``, so one epic's failure mid-run
    stays that epic's; raised before the first write, it ends the run with its own code.

    ``url`` never holds credentials; ``cause`` and ``check`` are kept apart so that
    ``triage doctor`` can show them as its finding and its fix."""

    exit_code = EXIT_UNREACHABLE

    def __init__(self, url: str, cause: str, detail: str, check: str, outcome: str = "") -> None:
        self.url, self.cause, self.detail, self.check = url, cause, detail, check
        self.outcome = outcome
        said = f"; {outcome}" if outcome else ""
        super().__init__(
            f"cannot reach GitLab at {url}: {cause} ({detail}){said}; {check}; {NEXT_STEP}"
        )

    def nothing_written(self) -> GitLabUnreachable:
        """The same error, ending a command that wrote nothing: said in its one line."""
        return GitLabUnreachable(
            self.url, self.cause, self.detail, self.check, "nothing was written"
        )


class GitLabAuthError(TriageError):
    """GitLab refused the token: nothing else will work, so the run stops.

    Not a ``GitLabError`` on purpose: code that lets one epic fail and goes on catches
    ``GitLabError``, and a refused token must never be taken for one epic's failure."""

    exit_code = EXIT_CONFIG


class GitLabSetupError(TriageError):
    """GitLab lacks something the configuration needs (a label, a right): found before the
    first write, it stops the run, since every epic would fail the same way."""

    exit_code = EXIT_CONFIG


class LLMError(TriageError):
    """The language model failed to give a usable answer."""


class LLMKeyRefused(LLMError):
    """The model's API refused the key: every further call would fail the same way, so
    the run stops asking and ends with this one error."""
