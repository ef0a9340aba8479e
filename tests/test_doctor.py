"""``triage doctor`` against the sandbox: all clear on the demo, and for each way a real
GitLab (or its configuration) falls short, the failing line with its fix, and exit 1."""

from __future__ import annotations

import shutil
import socket
from typing import Any

import pytest

from tests.cli import run_cli
from tests.conftest import ROOT, point_bot_at


def doctor(*args: str):
    return run_cli("doctor", *args)


def fail_lines(output: str) -> list[str]:
    lines = output.splitlines()
    return [
        f"{line}\n{lines[n + 1] if n + 1 < len(lines) else ''}"
        for n, line in enumerate(lines)
        if line.startswith("[FAIL]")
    ]


def test_the_demo_sandbox_passes_every_check(make_sandbox, monkeypatch):
    point_bot_at(make_sandbox(), monkeypatch)
    result = doctor()
    assert result.returncode == 0, result.stdout
    assert "FAIL" not in result.stdout and "[warn]" not in result.stdout
    for check in (
        "GitLab answers",
        "GraphQL cost of a page of epics: score 102 of limit 250",
        "Token of @smart-triage-bot",
        "Epics of 'globex'",
        "Labels in 'initech'",
        "Summary project",
        "Language model",
        "CI/CD",
    ):
        assert check in result.stdout
    assert result.stdout.rstrip().endswith("0 failed, 0 warning(s): ready for a weekly run")


# name -> (sandbox options, the FAIL line's text, its fix)
FAILURES: dict[str, tuple[dict[str, Any], str, str]] = {
    "work item epics off": (
        {"no_work_item_epics": ("globex",)},
        "Epics of 'globex': group 'globex' has no epics as work items",
        "fix: use GitLab Premium or Ultimate 17.7 or later",
    ),
    "labels may not be created": (
        {"label_admin_denied": ("acme-corp",)},
        "Labels in 'acme-corp': missing: Needs SMART criteria",
        "fix: create them in 'acme-corp' yourself, or give the token's user that role there",
    ),
    "token of a subgroup": (
        {"not_member_of": ("initech",)},
        "Labels in 'initech': missing: Needs SMART criteria",
        "fix: create them in 'initech' yourself, or use a token of 'initech'",
    ),
    "token without the api scope": (
        {"token_scopes": ("read_api",)},
        "scopes read_api: writing comments and labels needs api",
        "fix: create a token with the api scope",
    ),
    "expired token": (
        {"token_expires_at": "2020-01-01"},
        "Token expiry: expired 2020-01-01",
        "fix: create a group access token",
    ),
    "too old a GitLab": (
        {"version": "16.11.3-ee"},
        "version 16.11.3-ee: epics as work items arrived in 17.2",
        "fix: upgrade to GitLab 17.7 or later",
    ),
    "Community Edition": (
        {"version": "18.6.0"},
        "Community Edition has no epics",
        "fix: epics need GitLab Premium or Ultimate",
    ),
    "rejected model key": (
        {"llm_key": "the-right-key"},
        "Language model 'gpt-4o-mini': the model's API refused the key",
        "fix: check OPENAI_API_KEY",
    ),
}


@pytest.mark.parametrize("name", FAILURES)
def test_each_failure_prints_its_line_and_fix_and_exits_1(name, make_sandbox, monkeypatch):
    options, line, fix = FAILURES[name]
    box = make_sandbox(**options)
    point_bot_at(box, monkeypatch)
    if "llm_key" in options:
        monkeypatch.setenv("OPENAI_API_KEY", "a-wrong-key")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{box.url}/v1")
        monkeypatch.setenv("TRIAGE_LLM_MAX_RETRIES", "0")
    result = doctor()
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 1, output
    failed = fail_lines(result.stdout)
    assert len(failed) == 1, output
    assert line in failed[0] and fix in failed[0], output
    assert "Traceback" not in result.stdout + result.stderr


def test_an_unreachable_gitlab_fails_once_and_skips_what_needs_it(monkeypatch, make_sandbox):
    point_bot_at(make_sandbox(), monkeypatch)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("GITLAB_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TRIAGE_GITLAB_MAX_RETRIES", "1")
    result = doctor()
    assert result.returncode == 1
    failed = fail_lines(result.stdout)
    assert len(failed) == 1 and "GitLab answers at" in failed[0]
    assert (
        "connection refused: nothing listens there ([Errno 111] Connection refused)" in (failed[0])
    )
    assert "fix: check the port in GITLAB_URL and that GitLab is up" in failed[0]
    assert "triage doctor" not in failed[0]  # it is the command running
    assert "[skip] Groups check: needs a token GitLab accepts" in result.stdout


def test_a_refused_token_says_which_variable_and_how_to_fix_it(make_sandbox, monkeypatch):
    point_bot_at(make_sandbox(), monkeypatch)
    monkeypatch.setenv("GITLAB_TOKEN", "not-the-token")
    result = doctor()
    assert result.returncode == 1
    failed = fail_lines(result.stdout)
    assert len(failed) == 1 and "GITLAB_TOKEN" in failed[0]
    assert "fix: create a group access token" in failed[0]


def test_a_missing_summary_project_and_a_typo_in_the_objective_label(
    make_sandbox, monkeypatch, tmp_path
):
    point_bot_at(make_sandbox(), monkeypatch)
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    settings = policies / "settings.yml"
    text = settings.read_text()
    text = text.replace("project: cs-ops/triage-reports", "project: cs-ops/no-such-project")
    text = text.replace("objective_label: SP Objective", "objective_label: SP Objectve")
    settings.write_text(text)
    result = doctor("--policies", str(policies), "--prompts", str(ROOT / "prompts"))
    assert result.returncode == 1
    failed = fail_lines(result.stdout)
    assert len(failed) == 4  # the label in each of the 3 groups, and the project
    assert "Summary project 'cs-ops/no-such-project'" in failed[-1]
    assert "fix: check summary.project" in failed[-1]
    assert "[warn] Epics of 'globex': no open epic has the label 'SP Objectve'" in result.stdout
    assert (
        "[FAIL] Labels the policies read in 'globex': label 'SP Objectve' does not exist "
        "(sources.objective_label) (closest: 'SP Objective')" in result.stdout
    )


def test_in_a_ci_job_the_job_token_is_refused_as_gitlab_token(make_sandbox, monkeypatch):
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_JOB_TOKEN", box.token)
    monkeypatch.setenv("CI_PIPELINE_SOURCE", "schedule")
    result = doctor()
    failed = fail_lines(result.stdout)
    assert result.returncode == 1 and len(failed) == 1
    assert "GITLAB_TOKEN is the job token" in failed[0]


def test_doctor_is_listed_in_the_readme_s_weekly_triage_section():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running the weekly triage", 1)[1].split("\n## ", 1)[0]
    assert "triage doctor" in section
