"""Load policy files, validate all of them, and merge them into one ``PolicySet``.

Validation runs in layers, each only on what passed the one before: YAML syntax (with the
parser's line), the generated JSON Schema (every error, humanised, with its line), then each
condition's and action's own ``validate`` and the checks across rules and files (duplicate
names, conflicting actions, sections defined twice). Every problem is collected; nothing is
returned unless there are none. No network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from triage.errors import PolicyError
from triage.policy import actions, conditions, gainsight
from triage.policy.messages import humanise
from triage.policy.model import PolicySet, Rule, Sources, SummarySettings
from triage.policy.registry import ValidationContext
from triage.policy.schema import policy_schema
from triage.policy.values import label_problem
from triage.policy.yaml_lines import MAX_CHARS, LocatedYaml, YamlSyntaxError, load

SECTIONS = ("sources", "summary", "checker", "gainsight")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    context: str
    message: str
    # The offending line with a caret under the column (YAML syntax errors), printed
    # under the one-line message.
    excerpt: str = ""

    def __str__(self) -> str:
        where = f"{self.context}: " if self.context else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class PolicyProblems(PolicyError):
    """All the problems found in a policy set; ``str`` lists them one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(policy_schema())


def policy_files(paths: Sequence[Path]) -> list[Path]:
    """The ``*.yml``/``*.yaml`` files named by ``paths`` (folders are expanded, sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml")))
        elif path.exists():
            files.append(path)
        else:
            raise PolicyError(f"{path}: no such file or folder")
    if not files:
        raise PolicyError(f"no policy files (*.yml) in {', '.join(map(str, paths))}")
    return files


class _FileCheck:
    """Validation of one file; problems accumulate in ``problems``."""

    def __init__(self, path: Path, prompts_dir: Path | None) -> None:
        self.path = path
        self.name = str(path)
        self.problems: list[Problem] = []
        self.context = ValidationContext(
            policy_dir=path.parent,
            prompts_dir=prompts_dir or path.parent.parent / "prompts",
        )
        self.doc: LocatedYaml | None = None
        self.broken: set[str | int] = set()  # sections and rule indexes with schema errors

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        line = self.doc.line(tuple(path)) if self.doc else 1
        return Problem(self.name, line, self.where(path), message)

    def add(self, path: Sequence[str | int], message: str) -> None:
        self.problems.append(self.problem(path, message))

    def where(self, path: Sequence[str | int]) -> str:
        if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int) and self.doc:
            rules = self.doc.data.get("rules") if isinstance(self.doc.data, dict) else None
            rule = rules[path[1]] if isinstance(rules, list) and path[1] < len(rules) else None
            name = rule.get("name") if isinstance(rule, dict) else None
            return f"rule '{name}'" if isinstance(name, str) else f"rule #{path[1] + 1}"
        inside_section = len(path) >= 2 and isinstance(path[0], str) and path[0] != "rules"
        return str(path[0]) if inside_section else ""

    def run(self) -> dict[str, Any] | None:
        try:
            if self.path.stat().st_size > 4 * MAX_CHARS:  # not even read: it cannot pass
                raise YamlSyntaxError(
                    1,
                    f"the file has {self.path.stat().st_size:,} bytes; a policy file may "
                    f"have {MAX_CHARS:,} characters",
                )
            self.doc = load(self.path.read_text(encoding="utf-8"))
        except YamlSyntaxError as exc:
            self.problems.append(Problem(self.name, exc.line, "", str(exc), exc.excerpt))
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(self.name, 1, "", f"cannot read the file: {exc}"))
            return None
        data = self.doc.data
        if data is None:
            self.add((), "the file is empty: expected 'rules', 'sources' or 'summary'")
            return None
        if not isinstance(data, dict):
            self.add((), "a policy file must be a mapping with 'rules', 'sources' or 'summary'")
            return None
        for path, line, first in self.doc.duplicates:
            self.problems.append(
                Problem(
                    self.name,
                    line,
                    self.where(path),
                    f"'{path[-1]}' is written twice (first on line {first})",
                )
            )
        errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path)))
        for error in errors:
            for where, message in humanise(error):
                self.add(where, message)
                is_rule = len(where) > 1 and where[0] == "rules"
                self.broken.add(where[1] if is_rule else where[0] if where else "")
        self.check_meaning(data, self.broken)
        return data

    def check_meaning(self, data: dict[str, Any], broken: set[str | int]) -> None:
        """Each element's own checks, on the parts the schema found nothing wrong with."""
        if "" in broken or not isinstance(data.get("rules", []), list):
            return
        sources = data.get("sources") or {} if "sources" not in broken else {}
        for key in ("objective_label",):
            if key in sources and (problem := label_problem(sources[key])):
                self.add(("sources", key), problem)
        for index, label in enumerate(sources.get("exclude_labels") or []):
            if problem := label_problem(label):
                self.add(("sources", "exclude_labels", index), problem)
        if "gainsight" not in broken and isinstance(data.get("gainsight"), dict):
            for where, problem in gainsight.problems(data["gainsight"]):
                self.add(("gainsight", *where), f"{where[0]}: {problem}")
        for index, rule in enumerate(data.get("rules") or []):
            if index in broken:
                continue
            base: tuple[str | int, ...] = ("rules", index)
            for kind, registry in (
                ("conditions", conditions.CONDITIONS),
                ("actions", actions.ACTIONS),
            ):
                for name, value in (rule.get(kind) or {}).items():
                    for problem in registry[name](value).validate(self.context):
                        self.add((*base, kind, name), problem)
            for problem in actions.conflicts(rule.get("actions") or {}):
                self.add((*base, "actions"), problem)


def load_policies(paths: Sequence[Path], prompts_dir: Path | None = None) -> PolicySet:
    """Validate and merge the policy files under ``paths``; raises ``PolicyProblems``."""
    files = policy_files(paths)
    problems: list[Problem] = []
    loaded: list[tuple[_FileCheck, dict[str, Any]]] = []
    for path in files:
        check = _FileCheck(path, prompts_dir)
        data = check.run()
        problems.extend(check.problems)
        if data is not None:
            loaded.append((check, data))
    merged = _merge(loaded, problems)
    if problems:
        raise PolicyProblems(sorted(problems, key=lambda p: (p.file, p.line)))
    if not merged.rules:
        raise PolicyProblems(
            [Problem(str(files[0]), 1, "", f"no rules are defined in {', '.join(map(str, files))}")]
        )
    return merged


def _merge(loaded: list[tuple[_FileCheck, dict[str, Any]]], problems: list[Problem]) -> PolicySet:
    sections: dict[str, tuple[_FileCheck, dict[str, Any]]] = {}
    rules: list[Rule] = []
    first_rule: dict[str, str] = {}
    for check, data in loaded:
        for section in SECTIONS:
            if section not in data:
                continue
            if section in sections:
                earlier, _ = sections[section]
                where = f"{earlier.name}:{earlier.doc.line((section,)) if earlier.doc else 1}"
                problems.append(
                    check.problem((section,), f"'{section}' is already defined at {where}")
                )
            elif section not in check.broken and isinstance(data[section], dict | None):
                sections[section] = (check, data[section] or {})
        specs = data.get("rules") if isinstance(data.get("rules"), list) else []
        for index, spec in enumerate(specs or []):
            location = f"{check.name}:{check.doc.line(('rules', index)) if check.doc else 1}"
            name = spec.get("name") if isinstance(spec, dict) else None
            if isinstance(name, str) and name in first_rule:
                problems.append(
                    check.problem(
                        ("rules", index, "name"), f"rule name is already used at {first_rule[name]}"
                    )
                )
                continue
            if isinstance(name, str):
                first_rule[name] = location
            if index in check.broken or "" in check.broken:
                continue
            rules.append(
                Rule(
                    name=spec["name"],
                    description=spec.get("description", ""),
                    conditions=tuple(conditions.build(spec.get("conditions") or {})),
                    actions=tuple(actions.build(spec["actions"])),
                    max_epics=(spec.get("limits") or {}).get("max_epics"),
                    location=location,
                )
            )
    sources = sections.get("sources", (None, {}))[1]
    summary = sections.get("summary", (None, {}))[1]
    checker = sections.get("checker", (None, {}))[1]
    mapping = sections.get("gainsight", (None, {}))[1]
    first = loaded[0][0] if loaded else None
    return PolicySet(
        sources=Sources(
            groups=tuple(sources.get("groups", ())),
            include_subgroups=sources.get("include_subgroups", True),
            objective_label=sources.get("objective_label", Sources.objective_label),
            exclude_labels=tuple(sources.get("exclude_labels", Sources.exclude_labels)),
            create_missing_labels=sources.get("create_missing_labels", False),
        ),
        rules=tuple(rules),
        summary=SummarySettings(
            project=summary.get("project"),
            title=summary.get("title", SummarySettings.title),
            labels=tuple(summary.get("labels", SummarySettings.labels)),
            close_previous=summary.get("close_previous", True),
        ),
        synonyms={k: tuple(v) for k, v in (checker.get("synonyms") or {}).items()},
        assess=checker.get("assess", "rules"),
        files=tuple(check.path for check, _ in loaded),
        policy_dir=first.context.policy_dir if first else Path("policies"),
        prompts_dir=first.context.prompts_dir if first else Path("prompts"),
        gainsight=gainsight.GainsightMapping.of(mapping),
    )
