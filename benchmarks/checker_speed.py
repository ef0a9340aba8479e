"""How fast the SMART checker reads objectives, and how long hostile text can hold it.

Any author can write an epic, so the checker must be linear and bounded: it reads at most
``MAX_CHARS`` of a description. Prints objectives per second over the labelled corpora and
the time of one check for each hostile shape. Usage:

    .venv/bin/python benchmarks/checker_speed.py
"""

from __future__ import annotations

import re
import time
from dataclasses import fields
from pathlib import Path

import yaml

from benchmarks.lint_accuracy import epic_of
from triage.records import Epic
from triage.smart import patterns
from triage.smart.checker import MAX_CHARS, Checker
from triage.smart.lexicon import lexicon
from triage.smart.parse import parse
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
    "10,000 chat lines": "\n".join(
        f"[10:{i % 60:02d}] Person{i} Name: we have {i} jobs <Lena Park> ok" for i in range(10_000)
    ),
    "1 MB of owner clauses": "Nadia has agreed to be the accountable lead " * 23_000,
    "1 MB of '1 day/'": "1 day/" * 170_000,
    # blanks and line breaks that optional runs could split many ways
    "lines of 400 spaces": ("a" + " " * 400 + "!\n") * 2_500,
    "1 MB of line breaks": "\n" * 1_000_000,
    "1 MB of empty quote lines": "\n>" * 500_000,
    "1 MB of a number and spaces": "1" + " " * 1_000_000 + "x",
    "12,500 unclosed comments": "<!--" * 12_500,
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
    start = time.process_time()
    for _ in range(rounds):
        clear_memos()
        for epic in epics:
            parse(epic.description)
    parsed = rounds * len(epics) / (time.process_time() - start)
    print(f"reading the Markdown alone (no rule applied): {parsed:,.0f} objectives per CPU second")
    floor(epics, rounds)
    print(f"hostile text (the checker reads at most {MAX_CHARS:,} characters), CPU s:")
    for name, text in HOSTILE.items():
        start = time.process_time()
        checker.check(Epic(title="hostile", description=text))
        print(f"  {name:<34} {time.process_time() - start:6.2f} s")


def cue_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern the checker's rules search sentences with."""
    words = lexicon()
    found = {
        f"lexicon.{f.name}": getattr(words, f.name)
        for f in fields(words)
        if isinstance(getattr(words, f.name), re.Pattern)
    }
    found["lexicon.business"] = words.business.pattern
    found |= {
        f"patterns.{name}": value
        for name, value in vars(patterns).items()
        if isinstance(value, re.Pattern) and name.isupper()
    }
    return found


def floor(epics: list[Epic], rounds: int) -> None:
    """What one pass per pattern over the whole text would cost: each cue pattern run once
    over each description, with no logic around it. Python's ``re`` tries the branches of
    an alternation one after another (no automaton), so joining these patterns into one per
    element costs about their sum: this rate bounds that design while the rules keep these
    patterns and this engine."""
    found = cue_patterns()
    texts = [epic.description for epic in epics]
    start = time.process_time()
    for _ in range(rounds):
        for pattern in found.values():
            for text in texts:
                for _match in pattern.finditer(text):
                    pass
    spent = (time.process_time() - start) / rounds / len(texts)
    print(
        f"one pass of each of the {len(found)} cue patterns over a whole description: "
        f"{spent * 1e6:,.0f} us, at most {1 / spent:,.0f} objectives per CPU second"
    )


if __name__ == "__main__":
    main()
