"""Run one ``triage`` command and record its peak RSS (for benchmarks/weekly_run.py)."""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

from triage.cli import main

if __name__ == "__main__":
    code = main(sys.argv[1:])
    with Path(os.environ["BENCH_RSS_FILE"]).open("w") as out:
        json.dump(
            {"exit": code, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024},
            out,
        )
    raise SystemExit(code)
