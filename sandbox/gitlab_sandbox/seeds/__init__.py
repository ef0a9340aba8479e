"""Seeds: the data a sandbox starts with, by name (``demo``) or recipe (``scale:N``).

``SEEDS`` maps a seed name to a function that returns data in the sandbox's JSON shape;
``apply_seed`` validates and loads it like any ``POST /-/sandbox/load`` body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

import yaml

from gitlab_sandbox import shape
from gitlab_sandbox.seeds.scale import EPICS_PER_GROUP, scale_seed
from gitlab_sandbox.store import Store

DATE_KEYS = ("start_date", "due_date")
TIME_KEYS = ("created_at", "updated_at", "closed_at")
TEXT_KEYS = ("description", "body")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _move(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _shift(data: Any, days: int) -> Any:
    """Move every date and time in ``data`` by ``days``, keeping the shape.

    ISO dates inside descriptions move too, so "by 2027-03-31" in the text keeps matching
    the epic's due date.
    """
    if isinstance(data, list):
        return [_shift(item, days) for item in data]
    if not isinstance(data, dict):
        return data
    shifted: dict[str, Any] = {}
    for key, value in data.items():
        if not value:
            shifted[key] = value
        elif key in DATE_KEYS:
            shifted[key] = _move(value, days)
        elif key in TEXT_KEYS:
            shifted[key] = ISO_DATE.sub(lambda m: _move(m.group(0), days), value)
        elif key in TIME_KEYS:
            moved = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(days=days)
            shifted[key] = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            shifted[key] = _shift(value, days)
    return shifted


def demo_seed(today: date | None = None) -> dict[str, Any]:
    """The hand-written demo plans, dated so that ``today`` is their anchor date."""
    text = resources.files("gitlab_sandbox.seeds").joinpath("demo.yml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    anchor = date.fromisoformat(data.pop("anchor_date"))
    shifted: dict[str, Any] = _shift(data, ((today or date.today()) - anchor).days)
    return shifted


Seed = Callable[[str, date | None], dict[str, Any]]
SEEDS: dict[str, Seed] = {
    "demo": lambda _arg, today: demo_seed(today),
    "scale": lambda arg, today: scale_seed(*_scale(arg), today=today),
    "empty": lambda _arg, _today: {},
}


def _scale(arg: str) -> tuple[int, int]:
    """``N`` or ``N,K``: N epics, K per customer group (default 25)."""
    count, _, per_group = arg.partition(",")
    if per_group and (not per_group.isdigit() or int(per_group) < 1):
        raise ValueError(
            f"scale seed takes epics per group as a positive number, as in scale:5000,10; "
            f"got '{per_group}'"
        )
    return _count(count), int(per_group) if per_group else EPICS_PER_GROUP


def _count(arg: str) -> int:
    if not arg.isdigit() or int(arg) < 1:
        raise ValueError(
            f"scale seed needs a positive number of epics, as in scale:1000; got '{arg}'"
        )
    return int(arg)


def seed_data(spec: str, today: date | None = None) -> dict[str, Any]:
    """Data for a seed spec such as ``demo`` or ``scale:5000``."""
    name, _, arg = spec.partition(":")
    if name not in SEEDS:
        raise ValueError(f"unknown seed '{spec}'; choose from demo, empty, scale:N")
    return SEEDS[name](arg, today)


def apply_seed(store: Store, spec: str, today: date | None = None) -> dict[str, int]:
    return shape.load(store, seed_data(spec, today))
