"""The fault study: whatever happens to a run, nothing is lost and nothing is doubled.

Each scenario runs three weekly runs of ``triage run --apply`` (days 0, 7 and 14 after the
seed's anchor date) against its own sandbox, with one fault somewhere: a run killed
half-way, two runs at once (also over a group and its subgroup), a lost, truncated, garbage,
foreign or unusable state file, server errors, timeouts and dropped connections (through a
loopback fault proxy), answers lost after GitLab saved a write, an epic answered with
``widgets: null``, a group that cannot be read, rate limits. The last week has no fault, as
a weekly schedule would just run again. GitLab's state after each week is compared with
an undisturbed control run's:

- duplicates: a second bot note on an epic, or a second summary issue of one week, or
  more than one summary issue open, after any week;
- false resolutions: a rule the control still has open but the scenario's note marks
  fixed (or no longer lists), after any week;
- wrong writes: epics whose note or labels changed in a week into something the control's
  did not become that week (a write made from a wrong reading);
- lost writes: after the last week, epics whose note (open rules) or labels differ from
  the control's;
- never processed: epics the last week's run neither processed nor reported as failed;
- tracebacks: in any run's output; exit codes: of every run, in order.

Usage:

    .venv/bin/python benchmarks/fault_study.py --quick      # the demo seed, < 5 minutes
    .venv/bin/python benchmarks/fault_study.py              # the same, three seeds each
    .venv/bin/python benchmarks/fault_study.py --only lost-state kill
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from gitlab_sandbox import Options, Sandbox
from gitlab_sandbox.fault_proxy import (
    BAD_GATEWAY,
    DROP_AFTER,
    DROP_BEFORE,
    HANG,
    FaultPlan,
    FaultProxy,
    graphql_read_of,
    null_widgets_of,
)
from gitlab_sandbox.shape import dump

from triage.cli import main
from triage.plan.marker import NOTE_MARKER

ROOT = Path(__file__).parents[1]
DAY = date(2026, 11, 20)  # the demo seed's anchor date
WEEKS = (0, 7, 14)
BOT = "smart-triage-bot"
SUMMARY_TITLE = "Success plan triage: "


# -- what GitLab holds -----------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    notes: dict[str, list[frozenset[str]]]  # epic -> open rules of each bot note
    labels: dict[str, frozenset[str]]
    summaries: list[tuple[str, str]]  # (title, state) of every summary issue


def snapshot(box: Sandbox) -> Snapshot:
    state = dump(box.store)
    notes: dict[str, list[frozenset[str]]] = {}
    labels: dict[str, frozenset[str]] = {}
    for epic in state["epics"]:
        ref = f"{epic['group']}&{epic['iid']}"
        labels[ref] = frozenset(epic["labels"])
        for note in epic["notes"]:
            match = NOTE_MARKER.search(note["body"])
            if match and note["author"] == BOT and not note["system"]:
                opened = frozenset(r for r in match.group("open").split(",") if r)
                notes.setdefault(ref, []).append(opened)
    summaries = [
        (i["title"], i["state"]) for i in state["issues"] if i["title"].startswith(SUMMARY_TITLE)
    ]
    return Snapshot(notes, labels, summaries)


def duplicates(shot: Snapshot) -> int:
    notes = sum(len(n) - 1 for n in shot.notes.values() if len(n) > 1)
    titles = [t for t, _ in shot.summaries]
    per_week = len(titles) - len(set(titles))
    opened = max(0, sum(s == "opened" for _, s in shot.summaries) - 1)
    return notes + per_week + opened


def false_resolutions(shot: Snapshot, control: Snapshot) -> int:
    count = 0
    for ref, notes in control.notes.items():
        mine = shot.notes.get(ref)
        if mine:  # an epic without a note is a lost write, counted at the end
            count += len(notes[0] - mine[0])
    return count


def wrong_writes(shot: Snapshot, before: Snapshot, control: Snapshot) -> int:
    """Notes and label sets that changed this week into something the control's did not
    become: a write made from a wrong reading (``widgets: null`` read as an empty epic).
    Each is one write, so a run stopped between an epic's note and its labels leaves a
    note like the control's and labels as they were: late, not wrong."""
    wrong = 0
    for ref, labels in shot.labels.items():
        note = shot.notes.get(ref, [])[:1]
        if note != before.notes.get(ref, [])[:1] and note != control.notes.get(ref, [])[:1]:
            wrong += 1
        if labels != before.labels.get(ref) and labels != control.labels.get(ref):
            wrong += 1
    return wrong


def lost_writes(shot: Snapshot, control: Snapshot) -> int:
    lost = 0
    for ref in control.labels:
        want, got = control.notes.get(ref, []), shot.notes.get(ref, [])
        if (want[:1] != got[:1]) or control.labels[ref] != shot.labels.get(ref):
            lost += 1
    return lost


# -- running the bot -------------------------------------------------------------------
@dataclass
class Run:
    code: int
    output: str
    report: dict[str, Any] | None


@dataclass
class World:
    """One scenario's sandbox, proxy, folder and environment."""

    box: Sandbox
    folder: Path
    env: dict[str, str]
    proxy: FaultProxy | None = None
    runs: list[Run] = field(default_factory=list)
    shots: list[Snapshot] = field(default_factory=list)
    counter: int = 0
    injected: int = 0  # faults a scenario made itself: kills, overlaps, damaged states
    initial: Snapshot = field(init=False)

    def __post_init__(self) -> None:
        self.initial = snapshot(self.box)  # the seed, before any run

    @property
    def state(self) -> Path:
        return self.folder / "state.db"

    def args(self, day: int, state: Path | None = None, *extra: str) -> list[str]:
        self.counter += 1
        report = self.folder / f"report-{self.counter}.json"
        return [
            "run",
            "--apply",
            "--now",
            (DAY + timedelta(days=day)).isoformat(),
            "--cache",
            str(state or self.state),
            "--report",
            str(report),
            *extra,
        ]

    def run(self, day: int, state: Path | None = None, *extra: str) -> Run:
        """A run in this process (a subprocess costs a second of imports)."""
        args = self.args(day, state, *extra)
        out = io.StringIO()
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                try:
                    code = main(args)
                except SystemExit as exit_:
                    code = int(exit_.code or 0)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return self._done(code, out.getvalue(), Path(args[-1]))

    def spawn(self, day: int, state: Path | None = None, *extra: str, **env: str) -> Any:
        """A run in its own process, to kill or to overlap with another."""
        args = self.args(day, state, *extra)
        process = subprocess.Popen(
            [sys.executable, "-m", "triage", *args],
            env={**os.environ, **self.env, **env},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        process.report = Path(args[-1])  # type: ignore[attr-defined]
        return process

    def finish(self, process: Any) -> Run:
        output, _ = process.communicate(timeout=300)
        return self._done(process.returncode, output.decode(), process.report)

    def _done(self, code: int, output: str, report: Path) -> Run:
        data = json.loads(report.read_text()) if report.exists() else None
        run = Run(code, output, data)
        self.runs.append(run)
        return run

    def week(self) -> None:
        """The end of a week: what GitLab holds now."""
        self.shots.append(snapshot(self.box))


def wait_for_writes(world: World, count: int, timeout: float = 60) -> None:
    """Until the run wrote ``count`` times to epics (a note or labels): it holds its lease
    by then (label creations and the lease itself come before)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if world.box.store.routes.get("graphql mutation", 0) >= count:
            return
        time.sleep(0.02)


# -- the scenarios ---------------------------------------------------------------------
Scenario = Callable[[World], None]
SCENARIOS: dict[str, tuple[str, Scenario, dict[str, Any]]] = {}


def scenario(name: str, what: str, **setup: Any) -> Callable[[Scenario], Scenario]:
    """Register a scenario; ``setup`` holds sandbox options and a proxy plan."""

    def register(func: Scenario) -> Scenario:
        SCENARIOS[name] = (what, func, setup)
        return func

    return register


def normal_weeks(world: World, weeks: tuple[int, ...] = WEEKS) -> None:
    for day in weeks:
        world.run(day)
        world.week()


@scenario("control", "undisturbed, again: the study measures the faults, not noise")
def control_again(world: World) -> None:
    normal_weeks(world)


def _kill(world: World, sig: signal.Signals) -> None:
    process = world.spawn(0, None, TRIAGE_NOTES_PER_MINUTE="300", TRIAGE_LEASE_SECONDS="1")
    wait_for_writes(world, 3)
    process.send_signal(sig)
    world.injected += 1
    world.finish(process)
    time.sleep(1.2)  # a SIGKILLed run's lease expires
    world.run(0)  # the operator runs it again
    world.week()
    normal_weeks(world, WEEKS[1:])


@scenario("kill", "SIGKILL half-way through the first run, then run again")
def killed(world: World) -> None:
    _kill(world, signal.SIGKILL)


@scenario("terminate", "SIGTERM (a cancelled CI job) half-way, then run again")
def terminated(world: World) -> None:
    _kill(world, signal.SIGTERM)


def _while_one_writes(world: World, *second: str) -> None:
    """A second run, with ``second``'s options, starts while the first one writes."""
    first = world.spawn(0, None, TRIAGE_NOTES_PER_MINUTE="300")
    wait_for_writes(world, 2)
    world.injected += 1
    world.run(0, world.folder / "other.db", *second)  # its own state: runners share no files
    world.finish(first)
    world.week()
    normal_weeks(world, WEEKS[1:])


@scenario("two-runs", "a second run starts while the first writes (a laptop, a schedule)")
def two_runs(world: World) -> None:
    _while_one_writes(world)


@scenario("two-runs-wait", "the same, the second with --lease-wait 120")
def two_runs_waiting(world: World) -> None:
    _while_one_writes(world, "--lease-wait", "120")


@scenario(
    "nested-runs",
    "a run over one subgroup (acme-corp/emea) starts while a run over every group writes",
)
def nested_runs(world: World) -> None:
    """The runs lease different groups, but the first one writes to the subgroup's epics
    too (``include_subgroups``): a person's ``--group`` run beside the schedule."""
    _while_one_writes(world, "--group", "acme-corp/emea")


def _state_then(world: World, damage: Callable[[Path], None]) -> None:
    """Damaged once, before the second week; the third week runs on what the second
    rebuilt (where trusting a rebuilt state went wrong before)."""
    world.run(WEEKS[0])
    world.week()
    damage(world.state)
    world.injected += 1
    normal_weeks(world, WEEKS[1:])


@scenario("lost-state", "the state file is lost before week 2 (a lost CI cache)")
def lost_state(world: World) -> None:
    _state_then(world, lambda path: path.unlink(missing_ok=True))


@scenario("truncated-state", "the state file cut in half before week 2")
def truncated_state(world: World) -> None:
    def cut(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])

    _state_then(world, cut)


@scenario("garbage-state", "the state file overwritten with garbage before week 2")
def garbage_state(world: World) -> None:
    def overwrite(path: Path) -> None:
        path.write_bytes(b"\x00garbage" * 512)

    _state_then(world, overwrite)


@scenario("foreign-state", "another shard's state (other groups) copied in before week 2")
def foreign_state(world: World) -> None:
    world.run(WEEKS[0])
    world.week()
    other = world.folder / "shard.db"
    world.run(WEEKS[0], other, "--group", "globex", "--no-summary")
    shutil.copy(other, world.state)
    world.injected += 1
    normal_weeks(world, WEEKS[1:])


@scenario("unusable-state", "week 2 first with a state path that cannot be written")
def unusable_state(world: World) -> None:
    world.run(WEEKS[0])
    world.week()
    blocked = world.folder / "blocked"
    blocked.write_text("a file where a folder should be")
    world.run(WEEKS[1], blocked / "state.db")  # exit 2 before any request
    world.injected += 1
    world.run(WEEKS[1])
    world.week()
    normal_weeks(world, WEEKS[2:])


@scenario("server-errors", "10% of requests answered 500/502 by GitLab", fault_rate=0.1)
def server_errors(world: World) -> None:
    for day in WEEKS:
        world.run(day)
        if day == WEEKS[-1]:
            world.box.faults.options.fault_rate = 0.0
            world.run(day)  # the schedule's next run, without faults
        world.week()


def _through_proxy(world: World) -> None:
    assert world.proxy is not None
    for day in WEEKS:
        if day == WEEKS[-1]:
            world.proxy.plan.rates.clear()
            world.proxy.plan.always.clear()
            world.proxy.plan.rewrite = None
        world.run(day)
        world.week()


def _reads(method: str, path: str, body: bytes) -> bool:
    return path == "/api/graphql" and b"mutation" not in body


def _mutations(method: str, path: str, body: bytes) -> bool:
    return path == "/api/graphql" and b"mutation" in body


@scenario(
    "timeouts",
    "5% of reads answered after the bot's 1 s timeout",
    proxy=lambda: FaultPlan({HANG: 0.05}, seed=11, picks=_reads, hang_seconds=1.5),
)
def timeouts(world: World) -> None:
    _through_proxy(world)


@scenario(
    "dropped",
    "15% of reads' connections dropped (before or after GitLab answered)",
    proxy=lambda: FaultPlan({DROP_BEFORE: 0.075, DROP_AFTER: 0.075}, seed=5, picks=_reads),
)
def dropped(world: World) -> None:
    _through_proxy(world)


@scenario(
    "lost-answers",
    "10% of writes saved by GitLab, their answers lost (connection dropped)",
    proxy=lambda: FaultPlan({DROP_AFTER: 0.1}, seed=3, picks=_mutations),
)
def lost_answers(world: World) -> None:
    _through_proxy(world)


@scenario(
    "dropped-all",
    "10% of all connections dropped before GitLab (reads, writes, REST, the lease)",
    proxy=lambda: FaultPlan({DROP_BEFORE: 0.1}, seed=13),
)
def dropped_all(world: World) -> None:
    _through_proxy(world)


@scenario(
    "proxy-502",
    "10% of all requests answered 502 by a proxy",
    proxy=lambda: FaultPlan({BAD_GATEWAY: 0.1}, seed=9),
)
def proxy_502(world: World) -> None:
    _through_proxy(world)


@scenario(
    "null-widgets",
    "one epic answered with widgets: null",
    proxy=lambda: FaultPlan(rewrite=null_widgets_of("Improve GitLab adoption")),
)
def null_widgets(world: World) -> None:
    _through_proxy(world)


@scenario(
    "group-unreadable",
    "every read of one group's epics answered 502 (2 retries)",
    proxy=lambda: FaultPlan(always={BAD_GATEWAY: graphql_read_of("globex")}),
    env={"TRIAGE_GITLAB_MAX_RETRIES": "2"},
)
def group_unreadable(world: World) -> None:
    _through_proxy(world)


@scenario(
    "rate-limited",
    "GitLab's rate limit at 8 requests a second",
    rate_limit=8,
    rate_limit_window=1,
)
def rate_limited(world: World) -> None:
    normal_weeks(world)


QUICK = tuple(SCENARIOS)  # every scenario fits in the quick run on the demo seed


# -- the study -------------------------------------------------------------------------
@contextlib.contextmanager
def world(setup: dict[str, Any], seed: int) -> Iterator[World]:
    options = {k: v for k, v in setup.items() if k not in ("proxy", "env")}
    if "fault_rate" in options:
        options["fault_seed"] = seed
    box = Sandbox(seed="demo", today=DAY, options=Options(**options)).start()
    proxy = None
    if "proxy" in setup:
        plan: FaultPlan = setup["proxy"]()
        plan.seed += seed
        proxy = FaultProxy(box.url, plan).start()
    folder = Path(tempfile.mkdtemp(prefix="fault-study-"))
    env = {
        "GITLAB_URL": proxy.url if proxy else box.url,
        "GITLAB_TOKEN": box.token,
        "TRIAGE_NOTES_PER_MINUTE": "100000",
        "TRIAGE_REQUESTS_PER_MINUTE": "1000000",
        "TRIAGE_GITLAB_TIMEOUT": "1" if proxy else "10",
        "OPENAI_API_KEY": "",
        # each run of the study is a run of its own, also when the study runs in a CI job
        # (whose runs would share one name: lease.run_id)
        "CI_PIPELINE_ID": "",
        **setup.get("env", {}),
    }
    try:
        yield World(box, folder, env, proxy)
    finally:
        if proxy:
            proxy.stop()
        box.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Row:
    name: str
    what: str
    duplicates: int = 0
    lost: int = 0
    false_resolved: int = 0
    wrong: int = 0
    unprocessed: int = 0
    tracebacks: int = 0
    codes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    faults: int = 0


def measure(name: str, control: list[Snapshot], control_last: set[str], seed: int) -> Row:
    what, func, setup = SCENARIOS[name]
    row = Row(name, what)
    started = time.perf_counter()
    with world(setup, seed) as w:
        func(w)
        row.faults = w.injected + (sum(w.proxy.counts.values()) if w.proxy else 0)
        row.faults += int(w.box.store.stats["faults_injected"] + w.box.store.stats["throttled"])
        before = w.initial  # an epic left as it was is not a wrong write
        for shot, want in zip(w.shots, control, strict=True):
            row.duplicates += duplicates(shot)
            row.false_resolved += false_resolutions(shot, want)
            row.wrong += wrong_writes(shot, before, want)
            before = shot
        row.lost = lost_writes(w.shots[-1], control[-1])
        last = w.runs[-1].report or {"epics": []}
        seen = {e["reference"] for e in last["epics"]}
        row.unprocessed = len(control_last - seen) + sum(bool(e["error"]) for e in last["epics"])
        row.tracebacks = sum(r.output.count("Traceback") for r in w.runs)
        row.codes = [str(r.code) for r in w.runs]
    row.seconds = time.perf_counter() - started
    return row


def control_run() -> tuple[list[Snapshot], set[str]]:
    with world({}, 0) as w:
        normal_weeks(w)
        last = w.runs[-1].report or {"epics": []}
        assert all(r.code == 0 for r in w.runs), [r.output for r in w.runs]
        return w.shots, {e["reference"] for e in last["epics"]}


def table(rows: list[Row]) -> str:
    lines = [
        "| scenario | faults injected | duplicates | lost writes | false resolutions "
        "| wrong writes | never processed | tracebacks | exit codes | s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name}: {r.what} | {r.faults} | {r.duplicates} | {r.lost} | "
            f"{r.false_resolved} | {r.wrong} | {r.unprocessed} | {r.tracebacks} | "
            f"{' '.join(r.codes)} | {r.seconds:.0f} |"
        )
    return "\n".join(lines)


def study(names: list[str], seeds: int) -> list[Row]:
    os.chdir(ROOT)  # the default policies, as a user's checkout has them
    control, control_last = control_run()
    rows = []
    for name in names:
        for seed in range(seeds):
            row = measure(name, control, control_last, seed)
            print(
                f"{name} (seed {seed}): {row.duplicates} dup, {row.lost} lost, "
                f"{row.false_resolved} false, {row.wrong} wrong, {row.unprocessed} unprocessed, "
                f"{row.tracebacks} tb, exits {' '.join(row.codes)}, {row.seconds:.0f} s",
                file=sys.stderr,
            )
            rows.append(row)
    return rows


def totals(rows: list[Row]) -> int:
    return sum(
        r.duplicates + r.lost + r.false_resolved + r.wrong + r.unprocessed + r.tracebacks
        for r in rows
    )


def main_(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one seed per scenario")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per scenario (default 3)")
    parser.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), help="these scenarios")
    args = parser.parse_args(argv)
    names = args.only or list(QUICK if args.quick else SCENARIOS)
    started = time.perf_counter()
    rows = study(names, 1 if args.quick else args.seeds)
    print(table(rows))
    bad = totals(rows)
    print(
        f"\n{len(rows)} scenario runs in {time.perf_counter() - started:.0f} s; "
        f"{bad} problem(s) counted"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main_())
