"""Run one ``triage`` command and record this process's own peak memory.

The peak is ``VmHWM`` from ``/proc/self/status``: the high-water mark of this process's
own memory. ``ru_maxrss`` is not used: Linux keeps, across ``exec``, the peak of the
process a child was forked from, so a child of a large benchmark process reported the
benchmark's memory, not the bot's.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def peak_mb() -> float:
    """``VmHWM`` of this process in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: these benchmarks need Linux")


def main() -> None:
    from triage.cli import main as triage

    code = 3
    try:
        code = triage(sys.argv[1:])
    except SystemExit as exc:  # --help, argument errors
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        with Path(os.environ["BENCH_RSS_FILE"]).open("w") as out:
            json.dump({"exit": code, "maxrss_mb": peak_mb()}, out)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
