"""Per-element precision and recall of the SMART checker on the labelled corpus.

"Positive" means the element is missing (what the checker must catch). Usage:

    .venv/bin/python benchmarks/lint_accuracy.py [--corpus FILE ...] [--show-errors]

By default it measures tests/smart/corpus.yml and tests/smart/holdout.yml separately.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from triage.records import Epic
from triage.smart.checker import Checker
from triage.smart.findings import ELEMENTS

CORPORA = [
    Path(__file__).parents[1] / "tests" / "smart" / name for name in ("corpus.yml", "holdout.yml")
]


def epic_of(entry: dict[str, Any]) -> Epic:
    due = entry.get("due_date")
    return Epic(
        title=entry["title"],
        description=entry.get("description") or "",
        due_date=date.fromisoformat(str(due)) if due else None,
        assignees=tuple(entry.get("assignees") or ()),
    )


def measure(corpus: list[dict[str, Any]]) -> tuple[dict[str, dict[str, float]], list[str]]:
    checker = Checker()
    counts = {e: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for e in ELEMENTS}
    errors = []
    for entry in corpus:
        found = set(checker.check(epic_of(entry)).missing)
        expected = set(entry["missing"])
        for element in ELEMENTS:
            key = {
                (True, True): "tp",
                (True, False): "fp",
                (False, True): "fn",
                (False, False): "tn",
            }[(element in found, element in expected)]
            counts[element][key] += 1
            if key in ("fp", "fn"):
                errors.append(
                    f"{entry['id']}: {element} {'flagged but present' if key == 'fp' else 'missed'}"
                )
    table = {}
    for element, c in counts.items():
        total = sum(c.values())
        table[element] = {
            "precision": c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0,
            "recall": c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0,
            "accuracy": (c["tp"] + c["tn"]) / total if total else 1.0,
            "missing_in_corpus": c["tp"] + c["fn"],
        }
    return table, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, nargs="+", default=CORPORA)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    results = {}
    for path in args.corpus:
        corpus = yaml.safe_load(path.read_text())
        table, errors = measure(corpus)
        results[path.name] = table
        print(f"{len(corpus)} objectives in {path.name}")
        print(f"{'element':<18} {'precision':>9} {'recall':>7} {'accuracy':>8} {'missing':>7}")
        for element, row in table.items():
            print(
                f"{element:<18} {row['precision']:>9.3f} {row['recall']:>7.3f} "
                f"{row['accuracy']:>8.3f} {row['missing_in_corpus']:>7}"
            )
        if args.show_errors and errors:
            print("\n".join(errors))
        print()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
