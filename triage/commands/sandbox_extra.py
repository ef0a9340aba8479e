"""The sandbox is its own package, installed by an extra: imported here, on use only.

A plain ``pip install smart-triage`` (what a weekly CI job installs) carries no test
server; ``triage demo`` and ``triage sandbox`` say which extra brings it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from triage.errors import UsageError

INSTALL_HINT = "pip install 'smart-triage[sandbox]'"


def load(module: str = "gitlab_sandbox") -> ModuleType:
    """Import ``module`` of the sandbox package, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise UsageError(
            f"the sandbox is not installed ({exc.name or module} is missing): {INSTALL_HINT}"
        ) from exc
