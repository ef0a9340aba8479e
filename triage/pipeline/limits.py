"""``limits.max_epics``: how many epics each rule may still add its section to this run."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping


class RuleLimits:
    """Shared by the run's threads; a rule without a limit is never limited."""

    def __init__(self, limits: Mapping[str, int | None]) -> None:
        self._left = {rule: limit for rule, limit in limits.items() if limit is not None}
        self._lock = threading.Lock()

    def spent(self, rules: Iterable[str]) -> frozenset[str]:
        """Take one epic from each rule's allowance; the rules that had none left."""
        out = set()
        with self._lock:
            for rule in rules:
                if rule not in self._left:
                    continue
                if self._left[rule] <= 0:
                    out.add(rule)
                else:
                    self._left[rule] -= 1
        return frozenset(out)
