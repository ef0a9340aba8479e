"""The CI files against GitLab's published CI schema, and the scheduled job against the sandbox."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import DEMO_DAY, control
from triage.cli import main

ROOT = Path(__file__).parents[1]
VENV_BIN = Path(sys.executable).parent
CI_FILES = [
    ROOT / ".gitlab-ci.yml",
    ROOT / "templates" / "weekly-triage.yml",
    ROOT / "docs" / "ci" / "parallel-triage.yml",
]


def gitlab_ci_schema() -> dict:
    text = (
        resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "gitlab-ci.json"
    ).read_text()
    schema: dict = json.loads(text)
    return schema


@pytest.mark.parametrize("path", CI_FILES, ids=lambda p: p.name)
def test_ci_files_validate_against_gitlabs_ci_schema(path):
    documents = list(yaml.safe_load_all(path.read_text()))
    assert documents
    for document in documents:
        jsonschema.validate(document, gitlab_ci_schema())


def test_the_component_declares_its_inputs_and_uses_only_those():
    header, jobs = yaml.safe_load_all((ROOT / "templates" / "weekly-triage.yml").read_text())
    declared = set(header["spec"]["inputs"])
    used = set(re.findall(r"\$\[\[ inputs\.(\w+) \]\]", json.dumps(jobs)))
    assert used == declared
    weekly = '$CI_PIPELINE_SOURCE == "schedule" && $SMART_TRIAGE_SCHEDULE != "monthly"'
    monthly = weekly.replace("!=", "==")
    rules = {job: spec["rules"][0]["if"] for job, spec in jobs.items() if "rules" in spec}
    assert rules["smart-triage-weekly"].replace("$[[ inputs.report_schedule ]]", "monthly") == (
        weekly
    )
    assert rules["smart-triage-plan-report"].replace(
        "$[[ inputs.report_schedule ]]", "monthly"
    ) == (monthly)
    assert header["spec"]["inputs"]["report_schedule"]["default"] == "monthly"
    assert jobs["smart-triage-weekly"]["resource_group"] == "smart-triage"


def component_script(job: str, inputs: dict[str, str], part: str = "script") -> list[str]:
    header, jobs = yaml.safe_load_all((ROOT / "templates" / "weekly-triage.yml").read_text())
    values = {name: spec.get("default", "") for name, spec in header["spec"]["inputs"].items()}
    values.update(inputs)
    script = jobs[job][part]
    return [
        re.sub(r"\$\[\[ inputs\.(\w+) \]\]", lambda m: values[m.group(1)], line) for line in script
    ]


def run_line(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One line of a job's script, as the runner's shell runs it."""
    return subprocess.run(
        ["bash", "-ec", line],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_the_scheduled_job_runs_against_the_sandbox(sandbox, tmp_path):
    """The weekly job's script, with the variables a pipeline schedule sets. Its
    before_script (pip install) is already done by the test environment."""
    groups = ["--group", "acme-corp", "--group", "globex", "--group", "initech"]
    assert main(["init", str(tmp_path), *groups, "--summary-project", "cs-ops/triage-reports"]) == 0
    env = {
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "CI": "true",
        "CI_PIPELINE_SOURCE": "schedule",
        "CI_SERVER_URL": sandbox.url,
        "CI_PROJECT_DIR": str(tmp_path),
        "GITLAB_TOKEN": sandbox.token,
        "TRIAGE_NOTES_PER_MINUTE": "100000",
        "TRIAGE_REQUESTS_PER_MINUTE": "1000000",
    }
    for line in component_script("smart-triage-weekly", {"extra_args": f"--now {DEMO_DAY}"}):
        result = run_line(line, tmp_path, env)
        assert result.returncode == 0, result.stderr
        assert sandbox.token not in result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["counts"]["fetched"] == 14 and report["counts"]["failed"] == 0
    assert "Weekly triage of customer success plans" in (tmp_path / "summary.md").read_text()
    assert (tmp_path / ".triage" / "state.db").exists()
    assert control(sandbox, "stats")["writes"] > 0


def test_the_monthly_report_job_and_the_weekly_export_run_against_the_sandbox(sandbox, tmp_path):
    groups = ["--group", "acme-corp", "--group", "globex", "--group", "initech"]
    assert main(["init", str(tmp_path), *groups, "--summary-project", "cs-ops/triage-reports"]) == 0
    env = {
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "CI": "true",
        "CI_PIPELINE_SOURCE": "schedule",
        "SMART_TRIAGE_SCHEDULE": "monthly",
        "CI_SERVER_URL": sandbox.url,
        "GITLAB_TOKEN": sandbox.token,
    }
    printed = []
    for _month in range(2):  # the second month compares with the cached first report
        for line in component_script("smart-triage-plan-report", {}):
            result = run_line(line, tmp_path, env)
            assert result.returncode == 0, result.stderr
            printed.append(result.stdout)
    assert "acme-corp: 6 objective(s), 7 initiative(s), first report" in printed[0]
    assert "acme-corp: 6 objective(s), 7 initiative(s), 0 change(s)" in printed[2]
    assert (tmp_path / "plan-report" / "index.html").exists()
    assert (tmp_path / ".triage" / "plan-report" / "acme-corp" / "plan.json").exists()
    (line,) = component_script("smart-triage-weekly", {}, part="after_script")
    result = run_line(line, tmp_path, env)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "gainsight" / "gainsight-objectives.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 12


def test_the_plan_job_skips_cleanly_without_a_token(tmp_path):
    env = {"PATH": f"{VENV_BIN}:{os.environ['PATH']}", "HOME": str(tmp_path)}
    line = component_script("smart-triage-plan", {})[0]
    result = run_line(line, tmp_path, env)
    assert result.returncode == 0
    assert "GITLAB_TOKEN is not available" in result.stdout


def test_init_writes_a_policy_set_that_validates_and_keeps_existing_files(tmp_path, capsys):
    assert (
        main(["init", str(tmp_path), "--group", "customers", "--summary-project", "ops/reports"])
        == 0
    )
    settings = (tmp_path / "policies" / "settings.yml").read_text()
    assert "  groups: [customers]" in settings and "  project: ops/reports" in settings
    assert main(["validate", str(tmp_path / "policies")]) == 0
    (tmp_path / "policies" / "settings.yml").write_text("# mine\n")
    capsys.readouterr()
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "policies" / "settings.yml").read_text() == "# mine\n"
    assert "kept" in capsys.readouterr().err


def test_init_without_groups_names_none_of_the_demo_s(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITLAB_URL", raising=False)
    monkeypatch.delenv("CI_SERVER_URL", raising=False)
    monkeypatch.delenv("GITLAB_TOKEN", raising=False)
    assert main(["init", str(tmp_path)]) == 0
    settings = (tmp_path / "policies" / "settings.yml").read_text()
    assert "acme-corp" not in settings and "cs-ops/triage-reports" not in settings
    assert "  groups: []" in settings and "  # project: group/project" in settings
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "policies")]) == 2  # the one thing left
    assert capsys.readouterr().err.splitlines()[-1] == "1 problem found"


def test_init_ci_writes_a_pipeline_that_validates(tmp_path, capsys):
    assert main(["init-ci", str(tmp_path)]) == 0
    pipeline = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text())
    jsonschema.validate(pipeline, gitlab_ci_schema())
    assert pipeline["include"] == [{"local": ".gitlab/ci/smart-triage.yml"}]
    for document in yaml.safe_load_all(
        (tmp_path / ".gitlab" / "ci" / "smart-triage.yml").read_text()
    ):
        jsonschema.validate(document, gitlab_ci_schema())
    capsys.readouterr()
    assert (
        main(
            [
                "init-ci",
                str(tmp_path),
                "--component",
                "gitlab.example/ops/triage/weekly-triage@1.0.0",
            ]
        )
        == 0
    )
    assert "component: gitlab.example/ops/triage/weekly-triage@1.0.0" in capsys.readouterr().out
