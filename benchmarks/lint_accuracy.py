"""Per-element accuracy of the SMART checker on the labelled corpora, and exact matches.

"Positive" means the element is missing (what the checker must catch): precision, recall
and F1 are of "missing". An element the checker calls ``unsure`` counts as a wrong call
whichever way it is labelled. "Exact" is the share of objectives with every element right.
Usage:

    .venv/bin/python benchmarks/lint_accuracy.py [--corpus FILE ...] [--show-errors]

By default it measures every corpus in tests/smart/ separately; ``--corpus`` takes paths
or the names of files there. The honest sets (``HONEST``) print their figures only:
--show-errors withholds their errors, since reading them is tuning to them.
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

HERE = Path(__file__).parents[1] / "tests" / "smart"
# Measured, never tuned against: nobody reads their per-objective errors.
HONEST = frozenset(
    {"fresh-2026-12.yml", "fresh-2026-12b.yml", "fresh-2026-12c.yml", "fresh-2026-12d.yml"}
)
CORPORA = [
    HERE / name
    for name in (
        "corpus.yml",
        "holdout.yml",
        "languages.yml",
        "handbook-2026-12a.yml",
        "handbook-2026-12c.yml",
        "handbook-2026-12d.yml",
        "handbook-2026-12e.yml",
        "handbook-2026-12g.yml",
        "handbook-2026-12h.yml",
        "handbook-2026-12f.yml",
        "handbook-2026-12f2.yml",
        "handbook-2026-12f3.yml",
        "handbook-2026-12f4.yml",
        "fresh-2026-12.yml",
        "fresh-2026-12b.yml",
        "fresh-2026-12c.yml",
        "fresh-2026-12d.yml",
    )
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
    counts = {e: {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "unsure": 0} for e in ELEMENTS}
    errors = []
    exact = 0
    for entry in corpus:
        result = checker.check(epic_of(entry))
        found = set(result.missing)
        unsure = set(getattr(result, "unsure", ()))
        expected = set(entry["missing"])
        right = 0
        for element in ELEMENTS:
            if element in unsure:
                counts[element]["unsure"] += 1
                # scored as a wrong call: a miss when it is missing, a false alarm if not
                key = "fn" if element in expected else "fp"
            else:
                key = {
                    (True, True): "tp",
                    (True, False): "fp",
                    (False, True): "fn",
                    (False, False): "tn",
                }[(element in found, element in expected)]
            counts[element][key] += 1
            right += key in ("tp", "tn")
            if key in ("fp", "fn"):
                what = (
                    "unsure"
                    if element in unsure
                    else ("flagged but present" if key == "fp" else "missed")
                )
                errors.append(f"{entry['id']}: {element} {what}")
        exact += right == len(ELEMENTS)
    table: dict[str, dict[str, float]] = {}
    for element, c in counts.items():
        total = c["tp"] + c["fp"] + c["fn"] + c["tn"]
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        table[element] = {
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "accuracy": (c["tp"] + c["tn"]) / total if total else 1.0,
            "unsure": c["unsure"],
            "missing_in_corpus": c["tp"] + c["fn"],
        }
    decisions = sum(c["tp"] + c["fp"] + c["fn"] + c["tn"] for c in counts.values())
    table["all"] = {
        "accuracy": sum(c["tp"] + c["tn"] for c in counts.values()) / decisions,
        "exact": exact / len(corpus) if corpus else 1.0,
        "exact_count": exact,
        "objectives": len(corpus),
    }
    return table, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, nargs="+", default=CORPORA)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    results = {}
    for given in args.corpus:
        path = given if given.exists() else HERE / given
        if not path.exists():
            parser.error(f"no corpus {given} (nor {HERE / given})")
        corpus = yaml.safe_load(path.read_text())
        table, errors = measure(corpus)
        results[path.name] = table
        print(f"{len(corpus)} objectives in {path.name}")
        print(
            f"{'element':<18} {'accuracy':>8} {'F1':>6} {'precision':>9} {'recall':>7} "
            f"{'unsure':>6} {'missing':>7}"
        )
        for element in ELEMENTS:
            row = table[element]
            print(
                f"{element:<18} {row['accuracy']:>8.3f} {row['f1']:>6.3f} "
                f"{row['precision']:>9.3f} {row['recall']:>7.3f} {row['unsure']:>6} "
                f"{row['missing_in_corpus']:>7}"
            )
        total = table["all"]
        print(
            f"all elements: {total['accuracy']:.3f} of decisions right; exact: "
            f"{total['exact_count']} of {total['objectives']} objectives ({total['exact']:.0%})"
        )
        if args.show_errors and path.name in HONEST:
            print(f"(errors withheld: {path.name} is an honest estimate, never tuned against)")
        elif args.show_errors and errors:
            print("\n".join(errors))
        print()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
