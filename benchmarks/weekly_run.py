"""What a weekly run costs as success plans grow: requests, writes, LLM calls, time, memory.

For each size, a sandbox with ``scale:N`` epics (one parent group of customer subgroups)
and injected latency serves four runs of ``triage run --apply`` in a separate process, a
week apart on the sandbox's clock: cold (no cache), warm (the week after: it reads again
the epics the cold run wrote to), unchanged (a week in which nobody changed anything), and
after 5% of the epics were edited. ``--many-groups 500x10`` runs the same weeks on 500
customer groups of about 10 epics each, listed one by one in the policies. A smaller cold
run at ``--concurrency 1`` and ``--concurrency 8`` gives the speed-up. Figures come from
the sandbox's own counters and the bot process's own peak memory (``VmHWM``). Usage:

    .venv/bin/python benchmarks/weekly_run.py                 # 1,000 and 5,000 epics
    .venv/bin/python benchmarks/weekly_run.py --large         # adds 20,000
    .venv/bin/python benchmarks/weekly_run.py --sizes 1000 --speedup-epics 100
    .venv/bin/python benchmarks/weekly_run.py --sizes --many-groups 500x10 --speedup-epics 0
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from gitlab_sandbox import Options, Sandbox
from gitlab_sandbox.server import stats

ROOT = Path(__file__).parents[1]
DAY = date(2026, 11, 20)
EDIT = "\n\nReviewed in the cadence call; numbers unchanged."
WEEK = 7 * 86400
RUNS = ("cold", "warm", "unchanged", "after_5pct_edit")


def policies(folder: Path, groups: list[str]) -> Path:
    """The default policies, pointed at ``groups`` of the scale seed, without caps."""
    subprocess.run(
        [sys.executable, "-m", "triage", "init", str(folder)], check=True, capture_output=True
    )
    settings = folder / "policies" / "settings.yml"
    listed = "  groups: [" + ", ".join(groups) + "]"
    text = re.sub(r"(?m)^  groups: \[.*\].*$", lambda _: listed, settings.read_text())
    settings.write_text(text)
    # The rules' per-run caps protect a first roll-out; here they would only spread the
    # cold run's writes over several runs.
    rules = folder / "policies" / "objectives.yml"
    rules.write_text(re.sub(r"max_epics: \d+", "max_epics: 1000000", rules.read_text()))
    return folder / "policies"


def run_bot(box: Sandbox, folder: Path, args: list[str], rate: int) -> dict[str, Any]:
    """One bot run in its own process: wall time, peak RSS, and the sandbox's counts."""
    box.handle(
        "POST", "/-/sandbox/reset", {"content-type": "application/json"}, b'{"stats_only": true}'
    )
    rss_file = folder / "rss.json"
    env = {
        **os.environ,
        "GITLAB_URL": box.url,
        "GITLAB_TOKEN": box.token,
        "OPENAI_API_KEY": "benchmark",
        "OPENAI_BASE_URL": f"{box.url}/v1",
        "TRIAGE_LLM_CONCURRENCY": "8",
        # The sandbox models the general rate limit; the bot paces itself under it.
        "TRIAGE_REQUESTS_PER_MINUTE": str(int(rate * 0.9)),
        # GitLab.com's 60 notes a minute would make every cold run note-bound; see README.
        "TRIAGE_NOTES_PER_MINUTE": "100000",
        "BENCH_RSS_FILE": str(rss_file),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks._measured",
            "run",
            "--apply",
            "--now",
            DAY.isoformat(),
            "--policies",
            str(folder / "policies"),
            "--state",
            str(folder / "state.db"),
            "--report",
            str(folder / "report.json"),
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"triage run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    counts = stats(box)
    report = json.loads((folder / "report.json").read_text())
    touched = {
        e["reference"] for e in report["epics"] if any(w["status"] == "done" for w in e["writes"])
    }
    return {
        "seconds": round(elapsed, 1),
        "peak_rss_mb": round(json.loads(rss_file.read_text())["maxrss_mb"], 1),
        "requests": counts["requests"],
        "graphql_reads": counts["routes"].get("graphql query", 0),
        "rest_requests": sum(
            n for route, n in counts["routes"].items() if not route.startswith("graphql")
        ),
        "writes": counts["writes"],
        "llm_calls": counts["llm_calls"],
        "throttled": counts["throttled"],
        "failed": report["counts"]["failed"],
        "touched": sorted(touched),
    }


def week_passes(box: Sandbox) -> None:
    """Move the sandbox's clock a week on: runs are a week apart, as scheduled."""
    body = json.dumps({"advance_seconds": WEEK}).encode()
    box.handle("POST", "/-/sandbox/clock", {"content-type": "application/json"}, body)


def edit_some(box: Sandbox, share: float) -> set[str]:
    """Edit ``share`` of the epics' descriptions, as CSMs would; returns their references."""
    store = box.store
    edited = set()
    with store.lock:
        epics = sorted(store.iter_items("epic"), key=lambda item: item.id)
        for item in epics[:: round(1 / share)]:
            item.description += EDIT
            item.last_edited_at = store.clock()
            store.touch(item)
            edited.add(f"{store.groups[item.group_id or 0].full_path}&{item.iid}")
    return edited


@contextmanager
def fresh(
    size: int, latency: float, llm_latency: float, rate: int, per_group: int | None = None
) -> Iterator[tuple[Sandbox, Path, int]]:
    """A sandbox with ``scale:size`` epics, and a folder with the benchmark's policies: the
    parent group, or with ``per_group`` every customer group listed one by one."""
    options = Options(
        latency_ms=latency, llm_latency_ms=llm_latency, rate_limit=rate, rate_limit_window=60
    )
    seed = f"scale:{size}" + (f",{per_group}" if per_group else "")
    with (
        tempfile.TemporaryDirectory() as scratch,
        Sandbox(seed=seed, today=DAY, options=options) as box,
    ):
        folder = Path(scratch)
        groups = ["success-plans"]
        if per_group:
            groups = sorted(p for p in box.store._group_paths if p.count("/") == 1)
            groups = [g for g in groups if g.startswith("success-plans/")]
        policies(folder, groups)
        yield box, folder, len(groups)


def measure(
    size: int,
    latency: float,
    llm_latency: float,
    rate: int,
    per_group: int | None = None,
    unchanged_limit: int = 10,
) -> dict[str, Any]:
    runs: dict[str, dict[str, Any]] = {}
    edited: set[str] = set()
    with fresh(size, latency, llm_latency, rate, per_group) as (box, folder, groups):
        for name in RUNS:
            if name == "after_5pct_edit":
                edited = edit_some(box, 0.05)
            runs[name] = run_bot(box, folder, ["--concurrency", "8"], rate)
            week_passes(box)
    warm, unchanged, after_edit = runs["warm"], runs["unchanged"], runs["after_5pct_edit"]
    checks = {
        "unchanged_requests_within_limit": unchanged["requests"] <= unchanged_limit,
        "warm_zero_writes_and_llm": warm["writes"] == 0 and warm["llm_calls"] == 0,
        "unchanged_zero_writes_and_llm": unchanged["writes"] == 0 and unchanged["llm_calls"] == 0,
        "edit_touches_only_edited": set(after_edit["touched"]) <= edited,
        "edit_llm_calls_at_most_edited": after_edit["llm_calls"] <= len(edited),
        "never_throttled": not any(run["throttled"] for run in runs.values()),
    }
    for run in runs.values():
        run["touched"] = len(run["touched"])
    return {
        "epics": size,
        "groups": groups,
        "edited": len(edited),
        "unchanged_request_limit": unchanged_limit,
        **runs,
        "checks": checks,
    }


def speedup(size: int, latency: float, llm_latency: float, rate: int) -> dict[str, Any]:
    times = {}
    for concurrency in (1, 8):
        with fresh(size, latency, llm_latency, rate) as (box, folder, _):
            times[concurrency] = run_bot(box, folder, ["--concurrency", str(concurrency)], rate)
    return {
        "epics": size,
        "seconds_c1": times[1]["seconds"],
        "seconds_c8": times[8]["seconds"],
        "speedup": round(times[1]["seconds"] / times[8]["seconds"], 2),
        "throttled": times[1]["throttled"] + times[8]["throttled"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument(
        "--many-groups",
        metavar="GxE",
        help="also run the weeks on G customer groups of about E epics, listed one by one "
        "(the target: an unchanged week of 500x10 in at most 20 requests)",
    )
    parser.add_argument("--large", action="store_true", help="also measure 20,000 epics")
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--llm-latency-ms", type=float, default=500)
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=6000,
        help="GitLab requests a minute the sandbox allows (default 6000)",
    )
    parser.add_argument(
        "--speedup-epics",
        type=int,
        default=200,
        help="size of the --concurrency 1 vs 8 comparison (default 200)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    sizes = args.sizes + ([20000] if args.large else [])
    results = [measure(n, args.latency_ms, args.llm_latency_ms, args.rate_limit) for n in sizes]
    if args.many_groups:
        count, _, per_group = args.many_groups.partition("x")
        results.append(
            measure(
                int(count) * int(per_group),
                args.latency_ms,
                args.llm_latency_ms,
                args.rate_limit,
                per_group=int(per_group),
                unchanged_limit=20,
            )
        )
    ratio = (
        speedup(args.speedup_epics, args.latency_ms, args.llm_latency_ms, args.rate_limit)
        if args.speedup_epics
        else None
    )
    print(
        f"latency {args.latency_ms:g} ms GitLab, {args.llm_latency_ms:g} ms LLM; "
        f"sandbox rate limit {args.rate_limit}/min"
    )
    header = (
        "epics groups run      requests gql-reads rest writes llm  seconds  rss-MB touched "
        "throttled"
    )
    print(header)
    for result in results:
        for name in RUNS:
            r = result[name]
            print(
                f"{result['epics']:>5} {result['groups']:>6} {name:<15} {r['requests']:>5} "
                f"{r['graphql_reads']:>9} "
                f"{r['rest_requests']:>4} {r['writes']:>6} {r['llm_calls']:>4} "
                f"{r['seconds']:>8} {r['peak_rss_mb']:>7} {r['touched']:>7} "
                f"{r['throttled']:>9}"
            )
        print(
            f"      unchanged week limit {result['unchanged_request_limit']} requests; "
            f"{result['edited']} epics edited; checks: "
            + ", ".join(f"{k}={'ok' if v else 'FAILED'}" for k, v in result["checks"].items())
        )
    if ratio:
        print(
            f"speed-up on {ratio['epics']} epics, cold: --concurrency 1 {ratio['seconds_c1']} "
            f"s, --concurrency 8 {ratio['seconds_c8']} s, x{ratio['speedup']}, "
            f"throttled {ratio['throttled']}"
        )
    by_size = [r for r in results if r["groups"] == 1]
    if len(by_size) > 1:
        small, large = by_size[0], by_size[-1]
        for name in RUNS:
            print(
                f"bot peak memory, {name}, {large['epics']} vs {small['epics']} epics: "
                f"x{large[name]['peak_rss_mb'] / small[name]['peak_rss_mb']:.2f}"
            )
    data = {"results": results, "speedup": ratio}
    print(json.dumps(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=1))


if __name__ == "__main__":
    main()
