"""A command's work with SIGTERM raised as an exit, for commands that hold a lease."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def until_terminated(work: Callable[[], T]) -> T:
    """Run ``work`` with SIGTERM (a cancelled CI job, ``kill``) raised as an exit, so its
    cleanup (a lease released, a cache closed) happens as on Ctrl-C. Signals reach only
    the main thread: elsewhere ``work`` simply runs."""

    def terminated(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is not threading.main_thread():
        return work()
    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        return work()
    finally:
        signal.signal(signal.SIGTERM, previous)
