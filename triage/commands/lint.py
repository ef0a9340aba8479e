"""Check one objective for the SMART parts a business review will ask for.

Reads Markdown (the first '# ' line is the title) or one epic in the sandbox's JSON shape,
from a file or from standard input ('-'). Exit 0 when nothing is missing, 1 when something
is, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from triage.errors import EXIT_CONFIG, EXIT_OK, EXIT_PARTIAL, UsageError
from triage.smart.checker import Checker, CheckResult, Decision, Evidence, line_of
from triage.smart.findings import ELEMENTS
from triage.smart.inputs import read_objective

NAMES = {element: element.replace("_", " ") for element in ELEMENTS}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH|-", help="a Markdown or JSON file, or - for stdin")
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="a readable checklist (default) or JSON",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="for every element: the decision, the quoted words, their line and the rule",
    )
    parser.add_argument(
        "--policies",
        type=Path,
        default=None,
        metavar="DIR",
        help="also use the checker synonyms these policies add",
    )


def run(args: argparse.Namespace) -> int:
    source = "stdin" if args.path == "-" else args.path
    try:
        text = sys.stdin.read() if args.path == "-" else Path(args.path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"triage: error: cannot read {source}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        epic = read_objective(text, source)
    except UsageError as exc:
        print(f"triage: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    synonyms = {}
    if args.policies is not None:
        from triage.policy.loader import load_policies

        synonyms = load_policies([args.policies]).synonyms
    result = in_file(Checker(synonyms).check(epic), text)
    if args.format == "json":
        print(as_json(epic.title, result))
    else:
        print(as_text(epic.title, result, args.explain))
    return EXIT_PARTIAL if result.missing else EXIT_OK


def as_json(title: str, result: CheckResult) -> str:
    return json.dumps(
        {
            "title": title,
            "missing": result.missing,
            "findings": [
                {"id": f.id, "element": f.element, "message": f.message} for f in result.findings
            ],
            "unsure": result.unsure,
            "elements": {
                element: {
                    "decision": str(result.decisions.get(element, "missing")),
                    **evidence_json(result.evidence.get(element)),
                }
                for element in ELEMENTS
            },
            "evidence": {
                element: {"source": e.source, "text": e.text}
                for element, e in result.evidence.items()
                if e.text
            },
        },
        indent=2,
    )


def in_file(result: CheckResult, text: str) -> CheckResult:
    """Line numbers of the file the user gave, not of the epic's description (the file's
    title line is not part of the description)."""
    moved = {
        element: replace(e, line=line_of(text, e.text)) if e.line is not None else e
        for element, e in result.evidence.items()
    }
    return replace(result, evidence=moved)


def evidence_json(evidence: Evidence | None) -> dict[str, object]:
    if evidence is None:
        return {"quote": None, "line": None, "source": None, "rule": None}
    return {
        "quote": evidence.text or None,
        "line": evidence.line,
        "source": evidence.source or None,
        "rule": evidence.rule or None,
    }


MARKS = {Decision.PRESENT: "[x]", Decision.MISSING: "[ ]", Decision.UNSURE: "[?]"}


def explain(title: str, result: CheckResult) -> str:
    """Each element's decision with the words that decided it: a wrong call is easy to see."""
    lines = [f"Objective: {title or '(no title)'}"]
    for element in ELEMENTS:
        decision = result.decisions.get(element, Decision.MISSING)
        evidence = result.evidence.get(element)
        lines.append(f"  {MARKS[decision]} {NAMES[element]:<17} {decision}")
        if evidence and evidence.text:
            where = f"line {evidence.line}" if evidence.line else evidence.source
            lines.append(f'        quote: "{evidence.text}" ({where})')
        if evidence and evidence.rule:
            lines.append(f"        rule:  {evidence.rule}")
    count = len(result.missing)
    unsure = len(result.unsure)
    lines.append(f"{count} missing, {unsure} unsure, {len(ELEMENTS) - count - unsure} present")
    return "\n".join(lines)


def as_text(title: str, result: CheckResult, explained: bool = False) -> str:
    if explained:
        return explain(title, result)
    lines = [f"Objective: {title or '(no title)'}"]
    by_element = {f.element: f for f in result.findings if f.element}
    for element in ELEMENTS:
        finding = by_element.get(element)
        evidence = result.evidence.get(element)
        unsure = result.decisions.get(element) is Decision.UNSURE
        mark = "[ ]" if finding else "[?]" if unsure else "[x]"
        if finding and evidence:
            detail = f'{finding.message} (found in {evidence.source}: "{evidence.text}")'
        elif finding:
            detail = finding.message
        else:
            detail = f'{evidence.source}: "{evidence.text}"' if evidence else ""
        lines.append(f"  {mark} {NAMES[element]:<17} {detail}")
    others = [f for f in result.findings if not f.element]
    if others:
        lines.append("Also:")
        lines += [f"  - {f.message}" for f in others]
    count = len(result.missing)
    lines.append(
        f"{count} of {len(ELEMENTS)} SMART elements missing"
        if count
        else "All SMART elements are there."
    )
    return "\n".join(lines)
