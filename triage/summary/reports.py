"""Merging run reports: the shards of a ``parallel:`` CI job become one run."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from triage.errors import UsageError


def load_report(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a readable report: {exc}") from exc
    if "epics" not in data or "run" not in data:
        raise UsageError(f"{path}: not a smart-triage run report")
    if data.get("version") != 2:
        raise UsageError(
            f"{path}: a run report of format {data.get('version')}; this version reads "
            "format 2: run the shards with the same smart-triage version"
        )
    return data


def merge(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from several: epics united (by id), counts and costs added up."""
    epics: dict[str, dict[str, Any]] = {}
    counts: Counter[str] = Counter()
    requests: Counter[str] = Counter()
    llm: Counter[str] = Counter()
    errors: list[str] = []
    groups: list[str] = []
    draft_errors: list[str] = []
    failed: list[str] = []
    for report in reports:
        for epic in report["epics"]:
            epics.setdefault(epic["id"] or epic["reference"], epic)
        counts.update(report.get("counts", {}))
        requests.update(report.get("requests", {}))
        for key, value in report.get("llm", {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                llm[key] += value
        draft_errors += report.get("llm", {}).get("draft_errors", [])
        errors += report.get("errors", [])
        failed += report.get("failed_groups", [])
        groups += report["run"]["groups"]
    first = reports[0]["run"]
    exhausted = any(r.get("llm", {}).get("budget_exhausted") for r in reports)
    return {
        "version": 2,
        "run": {**first, "groups": sorted(set(groups)), "shard": f"{len(reports)} merged"},
        "counts": dict(counts),
        "requests": dict(requests),
        "llm": {**dict(llm), "budget_exhausted": exhausted, "draft_errors": draft_errors},
        "errors": errors,
        "failed_groups": failed,
        "epics": sorted(epics.values(), key=lambda e: e["reference"]),
    }
