"""smart-triage: a weekly triage bot for customer success plans kept in GitLab."""

from __future__ import annotations

__version__ = "0.1.0"
