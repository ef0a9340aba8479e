"""How long ``triage --help`` and other light commands take to start, and their memory.

Each command runs ``--repeat`` times in a fresh interpreter; the median wall time and the
process's own peak memory (``VmHWM``, see ``_measured.py``) are printed. The target:
``triage --help`` under 0.3 s. Usage:

    .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
COMMANDS = (["--help"], ["run", "--help"], ["lint", "--help"], ["schema"])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(words: list[str], repeat: int) -> tuple[float, float, float]:
    """Median wall seconds and CPU seconds of ``triage WORDS``, and its peak memory in MB.
    CPU time is what the command itself costs; on a busy machine wall time adds the wait
    for a core."""
    script = Path(sys.executable).with_name("triage")
    times, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), _children_cpu()
        subprocess.run([str(script), *words], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - used)
    with tempfile.TemporaryDirectory() as scratch:
        rss = Path(scratch) / "rss.json"
        subprocess.run(
            [sys.executable, "-m", "benchmarks._measured", *words],
            cwd=ROOT,
            env={**os.environ, "BENCH_RSS_FILE": str(rss)},
            capture_output=True,
            check=True,
        )
        peak = float(json.loads(rss.read_text())["maxrss_mb"])
    return statistics.median(times), statistics.median(cpu), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{'command':<22} {'wall s':>7} {'CPU s':>6} {'peak MB':>8}  (medians)")
    for words in COMMANDS:
        seconds, cpu, peak = measure(words, args.repeat)
        print(f"{'triage ' + ' '.join(words):<22} {seconds:>7.3f} {cpu:>6.3f} {peak:>8.1f}")


if __name__ == "__main__":
    main()
