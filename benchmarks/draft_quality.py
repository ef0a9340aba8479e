"""How good the drafted SMART criteria are, over the labelled objectives of tests/smart/.

Every objective is drafted, and every draft scored on what a CSM needs before pasting it:

- schema: the draft is valid against prompts/smart_criteria.schema.json (the model's
  answer schema; the offline drafter is held to the same);
- complete: every criterion has a metric, a baseline (or "measure first"), a target and a
  deadline;
- grounded: no number in a baseline that the epic (title, description, due date) lacks;
- target != baseline: no criterion proposes where the customer already is;
- date ok: no deadline that has passed (an ISO date, "Month YYYY" or a bare year);
- not the title: no metric restates the objective's title;
- KPI metric: every metric names a KPI of the library (its name or a word pointing to it);
- uses stated baseline: of the objectives whose labels say a baseline is stated, the share
  whose draft quotes one rather than saying "measure first" (grounding alone would reward
  a drafter that never quotes anything).

A rate is the share of objectives whose draft passes the check; a failed or missing draft
fails every check. Usage:

    .venv/bin/python benchmarks/draft_quality.py                   # the offline drafter
    .venv/bin/python benchmarks/draft_quality.py --llm             # OPENAI_* settings
    .venv/bin/python benchmarks/draft_quality.py --llm --sandbox   # the sandbox's model

``--llm`` uses the bot's own settings (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``,
``TRIAGE_LLM_MODEL``, ...) and its prompt, so a team can compare models before switching.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from benchmarks.lint_accuracy import CORPORA, epic_of
from triage.errors import LLMError
from triage.llm.kpi_library import KpiLibrary, load_library
from triage.llm.offline import OfflineDrafter
from triage.llm.openai_drafter import LLMBudget, LLMSettings, OpenAIDrafter
from triage.llm.prompts import load_prompt
from triage.llm.suggestion import Drafter, Suggestion
from triage.records import Epic
from triage.smart.checker import Checker

ROOT = Path(__file__).parents[1]
PROMPTS = ROOT / "prompts"
CHECKS = ("schema", "complete", "grounded", "target_differs", "date_ok", "not_title", "kpi")
LABELS = {
    "schema": "schema-valid",
    "complete": "complete criteria",
    "grounded": "grounded baselines",
    "target_differs": "target != baseline",
    "date_ok": "deadline not past",
    "not_title": "metric not the title",
    "kpi": "metric is a KPI",
}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")\.?\s+(\d{4})\b", re.IGNORECASE)
YEAR = re.compile(r"\b(20\d\d)\b")
PARENS = re.compile(r"\([^)]*\)")
MEASURE_FIRST = re.compile(r"^\s*(unknown|measure first)", re.IGNORECASE)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in NUMBER.findall(text)}


def _squash(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .")


def _past(deadline: str, today: date) -> bool:
    """Whether ``deadline`` names a moment that has passed."""
    for y, m, d in ISO.findall(deadline):
        try:
            if date(int(y), int(m), int(d)) < today:
                return True
        except ValueError:
            continue
    for month, year in MONTH_YEAR.findall(deadline):
        last = calendar.monthrange(int(year), MONTHS[month.lower()])[1]
        if date(int(year), MONTHS[month.lower()], last) < today:
            return True
    if not ISO.search(deadline) and not MONTH_YEAR.search(deadline):
        return any(int(y) < today.year for y in YEAR.findall(deadline))
    return False


def _is_kpi_name(title: str, library: KpiLibrary) -> bool:
    """A title that names one KPI and nothing else."""
    return any(_squash(kpi.name) == _squash(title) for kpi in library.kpis)


def _is_kpi(metric: str, library: KpiLibrary) -> bool:
    return any(kpi.name.lower() in metric.lower() or kpi.matches(metric) for kpi in library.kpis)


def score(
    suggestion: Suggestion | None, epic: Epic, today: date, library: KpiLibrary, schema: Any
) -> dict[str, bool]:
    """Each check for one draft; a missing draft fails them all."""
    if suggestion is None or not suggestion.criteria:
        return dict.fromkeys(CHECKS, False)
    answer = {
        "criteria": [
            {
                "metric": c.metric,
                "baseline": c.baseline,
                "target": c.target,
                "deadline": c.deadline,
                "why_it_matters": c.why_it_matters,
            }
            for c in suggestion.criteria
        ],
        "business_impact": suggestion.business_impact,
    }
    source = _numbers(
        f"{epic.title}\n{epic.description}\n{epic.due_date.isoformat() if epic.due_date else ''}"
    )
    criteria = suggestion.criteria
    return {
        "schema": jsonschema.Draft202012Validator(schema).is_valid(answer),
        "complete": all(
            c.metric.strip() and c.baseline.strip() and c.target.strip() and c.deadline.strip()
            for c in criteria
        ),
        "grounded": all(not _numbers(c.baseline) - source for c in criteria),
        "target_differs": all(_squash(c.target) != _squash(c.baseline) for c in criteria),
        "date_ok": all(not _past(c.deadline, today) for c in criteria),
        # The title copied as the metric is the old template's fault; a title that is
        # itself a KPI's name ("Deployment frequency") is the right metric to keep.
        "not_title": all(
            _squash(PARENS.sub("", c.metric)) != _squash(epic.title)
            or _is_kpi_name(epic.title, library)
            for c in criteria
        ),
        "kpi": all(_is_kpi(c.metric, library) for c in criteria),
    }


@dataclass
class Result:
    objectives: int = 0
    stated: int = 0  # objectives whose labels say the baseline is stated
    quoted: int = 0  # of those, drafts that quote a baseline instead of "measure first"
    drafted: int = 0
    errors: list[str] = field(default_factory=list)
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    failures: list[str] = field(default_factory=list)

    def rate(self, check: str) -> float:
        return self.passed[check] / self.objectives if self.objectives else 1.0

    def rates(self) -> dict[str, float]:
        return {**{check: self.rate(check) for check in CHECKS}, "uses_baseline": self.uses()}

    def uses(self) -> float:
        return self.quoted / self.stated if self.stated else 1.0


def measure(
    drafter: Drafter, corpus: list[dict[str, Any]], today: date, library: KpiLibrary
) -> Result:
    schema = load_prompt(PROMPTS, "smart_criteria").schema
    checker = Checker()
    result = Result()
    for entry in corpus:
        epic = epic_of(entry)
        result.objectives += 1
        try:
            suggestion = drafter.draft(epic, checker.check(epic))
        except LLMError as exc:
            result.errors.append(f"{entry['id']}: {exc}")
            suggestion = None
        result.drafted += suggestion is not None
        if "baseline" not in entry["missing"]:
            result.stated += 1
            result.quoted += bool(
                suggestion and any(not MEASURE_FIRST.match(c.baseline) for c in suggestion.criteria)
            )
        for check, ok in score(suggestion, epic, today, library, schema).items():
            result.passed[check] += ok
            if not ok:
                result.failures.append(f"{entry['id']}: {check}")
    return result


@contextmanager
def _sandbox_env() -> Iterator[dict[str, str]]:
    """The bundled sandbox's OpenAI-compatible endpoint, for a figure without a key."""
    from gitlab_sandbox import Sandbox

    with Sandbox(seed="empty") as box:
        yield {
            "OPENAI_API_KEY": "sandbox",
            "OPENAI_BASE_URL": f"{box.url}/v1",
            "TRIAGE_LLM_MODEL": "sandbox-model",
        }


def llm_drafter(env: dict[str, str]) -> OpenAIDrafter:
    settings = LLMSettings.from_env(env)
    if settings is None:
        raise SystemExit("--llm needs OPENAI_API_KEY (and OPENAI_BASE_URL for another server)")
    return OpenAIDrafter(settings, load_prompt(PROMPTS, "smart_criteria"), LLMBudget(None, None))


def print_table(name: str, results: dict[str, Result]) -> None:
    print(f"drafter: {name}")
    header = (
        f"{'corpus':<22} {'objectives':>10} "
        + " ".join(f"{LABELS[c]:>{max(8, len(LABELS[c]))}}" for c in CHECKS)
        + " uses stated baseline"
    )
    print(header)
    for corpus, result in results.items():
        cells = " ".join(f"{result.rate(c):>{max(8, len(LABELS[c]))}.3f}" for c in CHECKS)
        uses = f"{result.uses():.3f} ({result.quoted} of {result.stated})"
        print(f"{corpus:<22} {result.objectives:>10} {cells} {uses:>20}")
        if result.errors:
            print(f"  {len(result.errors)} draft(s) failed, e.g. {result.errors[0]}")


def run(
    make: Callable[[], Drafter], corpora: list[Path], today: date, show: bool
) -> dict[str, Result]:
    library = load_library()
    drafter = make()
    results = {}
    for path in corpora:
        corpus = yaml.safe_load(path.read_text("utf-8"))
        results[path.name] = measure(drafter, corpus, today, library)
        if show:
            print("\n".join(results[path.name].failures))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, nargs="+", default=CORPORA)
    parser.add_argument("--llm", action="store_true", help="measure the model (OPENAI_* settings)")
    parser.add_argument(
        "--sandbox", action="store_true", help="with --llm: the bundled sandbox's model"
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, default=date.today(), help="the run's date"
    )
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)
    if args.llm:
        with _sandbox_env() if args.sandbox else _environment() as env:
            drafter = llm_drafter(env)
            results = run(lambda: drafter, args.corpus, args.today, args.show_failures)
            name = drafter.identity
    else:
        offline = OfflineDrafter(today=args.today)
        results = run(lambda: offline, args.corpus, args.today, args.show_failures)
        name = offline.identity
    print_table(name, results)
    print(json.dumps({"drafter": name, **{k: v.rates() for k, v in results.items()}}))
    return 0


@contextmanager
def _environment() -> Iterator[dict[str, str]]:
    yield dict(os.environ)


if __name__ == "__main__":
    sys.exit(main())
