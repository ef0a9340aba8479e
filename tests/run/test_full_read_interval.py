"""When a run reads every epic again: the first run of each month by default."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triage.pipeline.epic_source import FULL_READ_EVERY


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("every", "last", "now", "full"),
    [
        ("month", "2026-11-02", "2026-11-30", False),
        ("month", "2026-11-30", "2026-12-01", True),  # the first run of December
        ("month", "2026-12-31", "2027-01-04", True),
        ("week", "2026-11-23", "2026-11-29", False),  # Monday to Sunday: one ISO week
        ("week", "2026-11-29", "2026-11-30", True),
        ("run", "2026-11-30", "2026-11-30", True),
    ],
)
def test_a_full_read_when_the_clock_left_the_period_of_the_last_one(every, last, now, full):
    assert (not FULL_READ_EVERY[every](at(last), at(now))) is full
