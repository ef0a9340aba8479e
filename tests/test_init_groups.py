"""`triage init` starts from the user's GitLab: the groups the token can see that hold
objective epics; without GitLab settings it writes `groups: []`, which `triage validate`
reports as the one thing left to fill in."""

from __future__ import annotations

from pathlib import Path

from tests.cli import run_cli
from tests.conftest import point_bot_at


def test_init_writes_the_groups_that_hold_objective_epics(make_sandbox, monkeypatch, tmp_path):
    point_bot_at(make_sandbox(), monkeypatch)
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    settings = (tmp_path / "policies" / "settings.yml").read_text()
    # cs-ops holds only the summary project: no objective epics, so not a success plan;
    # acme-corp/emea is covered by acme-corp (subgroups are scanned)
    assert "  groups: [acme-corp, globex, initech]" in settings
    assert "group acme-corp: 7 open epic(s) labelled 'SP Objective'" in result.stdout
    assert run_cli("validate", str(tmp_path / "policies")).returncode == 0


def test_without_gitlab_settings_groups_are_left_empty_and_validate_says_so(monkeypatch, tmp_path):
    for name in ("GITLAB_URL", "CI_SERVER_URL", "GITLAB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0
    assert "set GITLAB_URL and GITLAB_TOKEN" in result.stderr
    settings = tmp_path / "policies" / "settings.yml"
    assert "  groups: []" in settings.read_text()
    line = next(
        number
        for number, text in enumerate(settings.read_text().splitlines(), 1)
        if text.startswith("  groups:")
    )
    checked = run_cli("validate", str(tmp_path / "policies"))
    assert checked.returncode == 2
    assert checked.stderr.splitlines() == [
        f"{settings}:{line}: sources: 'groups' is empty: name your success-plan groups, "
        "e.g. groups: [customers] (run `triage init --force` with GITLAB_URL and "
        "GITLAB_TOKEN set to list those your token can see)",
        "1 problem found",
    ]
    # naming the groups for this check is enough: the rest of the set is valid
    assert run_cli("validate", str(tmp_path / "policies"), "--group", "customers").returncode == 0


def test_a_refused_token_leaves_groups_empty_and_says_why(make_sandbox, monkeypatch, tmp_path):
    box = make_sandbox()
    point_bot_at(box, monkeypatch)
    defaults = Path(__file__).parents[1] / "policies" / "settings.yml"
    assert "objective_label: SP Objective" in defaults.read_text()
    monkeypatch.setenv("GITLAB_TOKEN", "not-the-token")
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0
    assert "groups: none written: GitLab refused the token" in result.stderr
    assert "  groups: []" in (tmp_path / "policies" / "settings.yml").read_text()
