"""`triage validate --online`: every name the policies give, looked up where the run will
use it, with the closest existing names for a typo."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from tests.cli import run_cli
from tests.conftest import point_bot_at

ROOT = Path(__file__).parents[1]


def policies_with(tmp_path: Path, settings: dict[str, str], rules: dict[str, str]) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", folder)
    for name, edits in (("settings.yml", settings), ("objectives.yml", rules)):
        path = folder / name
        text = path.read_text()
        for old, new in edits.items():
            assert old in text, old
            text = text.replace(old, new, 1)
        path.write_text(text)
    return folder


def validate(folder: Path, *args: str):
    return run_cli("validate", "--online", str(folder), "--prompts", str(ROOT / "prompts"), *args)


def test_the_default_policies_pass_against_the_demo(make_sandbox, monkeypatch):
    point_bot_at(make_sandbox(), monkeypatch)
    result = run_cli("validate", "--online")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[ok  ] Group 'acme-corp': 7 open epic(s) with the label 'SP Objective'" in (
        result.stdout
    )
    assert "[ok  ] Summary project 'cs-ops/triage-reports': exists, with issues on" in (
        result.stdout
    )
    assert "FAIL" not in result.stdout


def test_typos_fail_with_the_closest_existing_names(make_sandbox, monkeypatch, tmp_path):
    point_bot_at(make_sandbox(), monkeypatch)
    folder = policies_with(
        tmp_path,
        {
            "objective_label: SP Objective": "objective_label: SP Objectve",
            "groups: [acme-corp, globex, initech]": "groups: [acme-crop, globex]",
            "project: cs-ops/triage-reports": "project: cs-ops/triage-report",
        },
        {'"UseCase"': '"UseCas"'},
    )
    result = validate(folder)
    assert result.returncode == 2
    failed = [line for line in result.stdout.splitlines() if line.startswith("[FAIL]")]
    assert failed == [
        "[FAIL] Group 'acme-crop': does not exist or the token cannot see it "
        "(closest: 'acme-corp', 'acme-corp/emea')",
        "[FAIL] Labels the policies read in 'globex': label 'SP Objectve' does not exist "
        "(sources.objective_label) (closest: 'SP Objective')",
        "[FAIL] Labels the policies read in 'globex': no label of the scope 'UseCas::' "
        "(rule 'required-labels', condition missing_scoped_labels) (closest: 'UseCase')",
        "[FAIL] Summary project 'cs-ops/triage-report': does not exist or the token cannot see it",
    ]
    assert result.stderr.strip() == "4 problem(s) found in GitLab"


def test_a_label_a_condition_names_is_looked_up_too(make_sandbox, monkeypatch, tmp_path):
    point_bot_at(make_sandbox(), monkeypatch)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "rules.yml").write_text(
        "sources:\n  groups: [initech]\nrules:\n  - name: high\n    conditions:\n"
        '      any_labels: ["Priority::Hihg"]\n    actions:\n      summary: {heading: High}\n'
    )
    result = validate(rules)
    assert result.returncode == 2
    assert (
        "label 'Priority::Hihg' does not exist (rule 'high', condition any_labels) "
        "(closest: 'Priority::High', 'Priority::Low', 'Priority::Medium')" in result.stdout
    )


def test_gitlab_unreachable_is_exit_4_and_offline_checks_still_ran(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("GITLAB_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("GITLAB_TOKEN", "x")
    monkeypatch.setenv("TRIAGE_GITLAB_MAX_RETRIES", "1")
    monkeypatch.chdir(ROOT)
    result = run_cli("validate", "--online")
    assert result.returncode == 4
    assert result.stdout.startswith("ok: 3 file(s), 13 rule(s)")
    assert "cannot reach GitLab at" in result.stderr and "triage doctor" in result.stderr
