"""What a run prints: progress on stderr, each epic's planned or made writes on stdout.

One thread at a time, so lines of different epics never interleave. ``--diff`` adds, for
each note the plan writes, a unified diff of the note's text on the epic against the new.
Lines that would repeat for thousands of epics (a rule's limit reached) are folded into
one line per rule at the end: "limit reached for rule X: 1,504 epics left for next week".
"""

from __future__ import annotations

import difflib
import sys
import threading
from collections import Counter
from typing import TextIO

from triage.apply import EpicResult, Status
from triage.plan.planner import WriteKind


class Console:
    def __init__(
        self, out: TextIO | None = None, err: TextIO | None = None, diff: bool = False
    ) -> None:
        self.out = out or sys.stdout  # looked up now, not at import, so redirection works
        self.err = err or sys.stderr
        self.diff = diff
        self._lock = threading.Lock()
        self._limited: Counter[str] = Counter()  # rule -> epics it left for next week

    def progress(self, line: str) -> None:
        with self._lock:
            print(line, file=self.err, flush=True)

    def result(self, result: EpicResult) -> None:
        plan = result.plan
        reference = plan.assessment.epic.reference
        lines = []
        if plan.assessment.skipped:
            lines.append(f"{reference}: skipped, {plan.assessment.skipped}")
        for written in result.writes:
            verb = "would" if written.status is Status.PLANNED else written.status.value
            lines.append(f"{reference}: {verb} {written.write.describe()}")
            if self.diff and written.write.kind in (WriteKind.CREATE_NOTE, WriteKind.UPDATE_NOTE):
                lines += _diff(written.write.previous or "", written.write.body, reference)
        if result.error:
            lines.append(f"{reference}: FAILED: {result.error}")
        with self._lock:
            self._limited.update(plan.limited)
            if lines:
                print("\n".join(lines), file=self.out, flush=True)

    def finish(self) -> None:
        """The folded lines: one per rule whose limit left epics for the next run."""
        with self._lock:
            for rule, count in sorted(self._limited.items()):
                epics = "epic" if count == 1 else "epics"
                print(
                    f"limit reached for rule {rule}: {count:,} {epics} left for next week",
                    file=self.out,
                    flush=True,
                )
            self._limited.clear()


def _diff(before: str, after: str, reference: str) -> list[str]:
    return list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            f"{reference} (on the epic)",
            f"{reference} (planned)",
            lineterm="",
        )
    )
