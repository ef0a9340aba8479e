"""How fast the SMART checker reads objectives, and how long hostile text can hold it.

Any author can write an epic, so the checker must be linear and bounded: it reads at most
``MAX_CHARS`` of a description. Prints objectives per second over the labelled corpora and
the time of one check for each hostile shape. Usage:

    .venv/bin/python benchmarks/checker_speed.py
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from benchmarks.lint_accuracy import epic_of
from triage.records import Epic
from triage.smart.checker import MAX_CHARS, Checker
from triage.smart.patterns import clear_memos

HERE = Path(__file__).parents[1] / "tests" / "smart"
HOSTILE = {
    "10,000 short lines": "\n".join(f"line {i} text" for i in range(10_000)),
    "10,000 'Label: value' lines": "\n".join(f"Label{i}: value {i}" for i in range(10_000)),
    "10,000 sentences, one paragraph": " ".join(
        f"Sentence {i} has 5 words." for i in range(10_000)
    ),
    "1 MB, one word": "x" * 1_000_000,
    "1 MB of '1.'": "1." * 500_000,
    "1 MB of Japanese": "日本語のテキスト" * 125_000,
    "1 MB of cues": "Owner: @a.b 2027-03-31 Kick-off am 12.03.2026 Q3 Team Alpha costs 40% "
    * 14_000,
}


def main() -> None:
    checker = Checker()
    epics = [
        epic_of(entry)
        for name in ("corpus.yml", "holdout.yml", "languages.yml")
        for entry in yaml.safe_load((HERE / name).read_text())
    ]
    checker.check(epics[0])  # compile the patterns outside the timing
    # CPU time of this process: on a shared machine, wall time measures the neighbours too
    start = time.process_time()
    rounds = 5
    for _ in range(rounds):
        clear_memos()  # each round from cold: no answer remembered from the round before
        for epic in epics:
            checker.check(epic)
    rate = rounds * len(epics) / (time.process_time() - start)
    print(f"{rate:,.0f} objectives per CPU second over {len(epics)} labelled objectives")
    print(f"hostile text (the checker reads at most {MAX_CHARS:,} characters), CPU s:")
    for name, text in HOSTILE.items():
        start = time.process_time()
        checker.check(Epic(title="hostile", description=text))
        print(f"  {name:<34} {time.process_time() - start:6.2f} s")


if __name__ == "__main__":
    main()
