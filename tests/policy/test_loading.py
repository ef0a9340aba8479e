"""Loading, merging and the default policy set."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.cli import run_cli
from triage.policy.actions import Comment, Suggest
from triage.policy.loader import PolicyProblems, load_policies
from triage.policy.schema import policy_schema

ROOT = Path(__file__).parents[2]
POLICIES = ROOT / "policies"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_the_default_policies_load_and_encode_the_handbook():
    policies = load_policies([POLICIES])
    names = [rule.name for rule in policies.rules]
    assert names == [
        "smart-objective",
        "objective-format",
        "required-labels",
        "overdue-objective",
        "stale-objective",
        "vo-stage-ahead-of-content",
        "verified-without-impact",
        "objective-without-initiatives",
        "initiative-without-owner",
        "initiative-without-due-date",
        "initiative-overdue",
        "initiative-stale",
        "initiatives-all-closed",
    ]
    assert policies.sources.objective_label == "SP Objective"
    assert policies.sources.exclude_labels == ("triage::ignore",)
    assert policies.summary.project == "cs-ops/triage-reports"
    smart = policies.rules[0]
    assert [type(a) for a in smart.actions][:2] == [Comment, Suggest]
    assert smart.effects.template == "templates/smart.md"
    assert smart.effects.prompt == "smart_criteria"
    assert smart.effects.mention == "owner"
    assert smart.effects.add_labels == ("Needs SMART criteria",)
    assert policies.rules[1].effects.add_labels == ("Needs objective format",)
    assert smart.max_epics == 200
    assert smart.location == f"{POLICIES / 'objectives.yml'}:8"
    assert "Needs SMART criteria" in policies.labels_used()
    assert policies.synonyms["baseline"] == ("current metrics", "where we are today")


def test_the_committed_schema_is_the_generated_one():
    committed = json.loads((POLICIES / "policy.schema.json").read_text())
    assert committed == policy_schema(), "run: triage schema > policies/policy.schema.json"


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.yml")), ids=lambda p: p.name)
def test_default_files_point_editors_at_the_schema_and_pass_it(path):
    first = path.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=policy.schema.json"
    jsonschema.validate(yaml.safe_load(path.read_text()), policy_schema())


def test_files_merge_rules_in_file_order(tmp_path):
    write(
        tmp_path,
        "a.yml",
        "sources:\n  groups: [acme]\nrules:\n"
        "  - name: one\n    actions:\n      summary: {heading: One}\n",
    )
    write(tmp_path, "b.yml", "rules:\n  - name: two\n    actions:\n      summary: {heading: Two}\n")
    policies = load_policies([tmp_path])
    assert [r.name for r in policies.rules] == ["one", "two"]
    assert policies.sources.groups == ("acme",)
    assert policies.summary.title == "Success plan triage: {week}"  # the default


def test_problems_across_files_name_both_places(tmp_path):
    first = write(
        tmp_path,
        "a.yml",
        "sources:\n  groups: [acme]\nrules:\n"
        "  - name: one\n    actions:\n      summary: {heading: One}\n",
    )
    second = write(
        tmp_path,
        "b.yml",
        "sources:\n  groups: [globex]\nrules:\n"
        "  - name: one\n    actions:\n      summary: {heading: Again}\n",
    )
    with pytest.raises(PolicyProblems) as raised:
        load_policies([tmp_path])
    assert [str(p) for p in raised.value.problems] == [
        f"{second}:1: 'sources' is already defined at {first}:1",
        f"{second}:4: rule 'one': rule name is already used at {first}:4",
    ]


def test_every_file_is_checked_even_when_one_is_broken(tmp_path):
    write(tmp_path, "a.yml", "rules: [\n")
    write(tmp_path, "b.yml", "rules:\n  - name: x\n    actions: {mention: all}\n")
    with pytest.raises(PolicyProblems) as raised:
        load_policies([tmp_path])
    assert [p.file.rsplit("/", 1)[-1] for p in raised.value.problems] == ["a.yml", "b.yml"]


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="no such file or folder"):
        load_policies([tmp_path / "nope"])
    with pytest.raises(Exception, match=r"no policy files \(\*\.yml\)"):
        load_policies([tmp_path])


def test_validate_command_exit_codes_and_output(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # `validate` reads policies/ from the working directory
    ok = run_cli("validate")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: 3 file(s), 13 rule(s)")
    bad = write(
        tmp_path,
        "bad.yml",
        "rules:\n  - name: r\n    conditions:\n"
        "      forbiden_labels: [a]\n    actions:\n      summary: {heading: x}\n",
    )
    failed = run_cli("validate", str(bad))
    assert failed.returncode == 2
    assert failed.stderr.splitlines() == [
        f"{bad}:4: rule 'r': unknown condition 'forbiden_labels' "
        "(did you mean 'forbidden_labels'?)",
        "1 problem found",
    ]


def test_schema_command_prints_the_schema_that_validates_the_defaults(monkeypatch):
    monkeypatch.chdir(ROOT)
    printed = run_cli("schema")
    assert printed.returncode == 0
    schema = json.loads(printed.stdout)
    for path in POLICIES.glob("*.yml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)


def test_a_template_linked_from_outside_the_policy_folder_is_refused(tmp_path):
    """A symbolic link in templates/ to a file elsewhere would post that file on every
    epic: the template must resolve inside the policy folder."""
    import pytest

    from triage.policy.loader import PolicyProblems, load_policies

    secret = tmp_path / "secret.txt"
    secret.write_text("the runner's secret\n")
    folder = tmp_path / "policies"
    (folder / "templates").mkdir(parents=True)
    (folder / "templates" / "note.md").symlink_to(secret)
    (folder / "rules.yml").write_text(
        "rules:\n  - name: r\n    actions:\n      comment: {template: templates/note.md}\n"
    )
    with pytest.raises(PolicyProblems) as raised:
        load_policies([folder], tmp_path / "prompts")
    assert [p.message for p in raised.value.problems] == [
        "comment: template 'templates/note.md' is outside the policy folder; templates must "
        "live in it"
    ]


def test_a_prompt_schema_outside_the_prompt_folder_is_refused(tmp_path):
    import pytest

    from triage.errors import PolicyError
    from triage.llm.prompts import load_prompt

    folder = tmp_path / "prompts"
    folder.mkdir()
    (tmp_path / "elsewhere.json").write_text("{}")
    (folder / "p.yml").write_text(
        "version: 1\nschema: ../elsewhere.json\nsystem: s\nuser: '{title}'\n"
    )
    with pytest.raises(PolicyError, match="outside the prompt folder"):
        load_prompt(folder, "p")
    with pytest.raises(PolicyError, match="outside the prompt folder"):
        load_prompt(folder, "../p")
