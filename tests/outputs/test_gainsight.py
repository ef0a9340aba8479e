"""`triage export gainsight`: Gainsight's success-plan fields, one row per objective, the
initiatives as tasks, and the mapping taken from (and validated with) the policies."""

from __future__ import annotations

import csv
import json
import shutil

from tests.cli import run_cli
from tests.conftest import DEMO_DAY, ROOT
from triage.cli import main
from triage.outputs.gainsight import OBJECTIVE_COLUMNS, section_text

GAINSIGHT_FIELDS = [
    "Name",
    "Owner",
    "Due Date",
    "Objective Category",
    "Status",
    "Priority",
    "Playbook",
    "Success Criteria",
    "Comments",
    "Summary of Outcome",
    "GitLab URL",
]


def export(tmp_path, *args: str) -> int:
    return main(
        ["export", "gainsight", "--today", DEMO_DAY.isoformat(), "--output", str(tmp_path), *args]
    )


def rows(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_objective_with_gainsights_fields_and_tasks(sandbox, bot_env, tmp_path):
    assert export(tmp_path) == 0
    objectives = rows(tmp_path / "gainsight-objectives.csv")
    assert list(objectives[0])[: len(GAINSIGHT_FIELDS)] == GAINSIGHT_FIELDS
    # 12 open, non-opted-out public objectives of acme-corp (with EMEA), globex, initech
    assert len(objectives) == 12
    assert len({o["GitLab URL"] for o in objectives}) == 12
    deploy = next(o for o in objectives if o["Name"].startswith("Cut average deployment"))
    assert deploy["Owner"] == "csm.north"
    assert deploy["Due Date"] == "2027-03-31"
    assert deploy["Status"] == "Work in Progress"  # SP Objective::Status::On Track
    assert deploy["Priority"] == "High"
    assert deploy["Playbook"] == "CD Adoption"
    assert deploy["Objective Category"] == "ROI Success"
    assert deploy["Success Criteria"].startswith(
        "• Average deployment time below 20 minutes for 30 consecutive deployments\n• "
    )
    assert "frees roughly 600 engineer-hours a year" in deploy["Summary of Outcome"]
    assert deploy["GitLab URL"].endswith("/groups/acme-corp/-/epics/1")
    assert not any("Reduce audit findings" in o["Name"] for o in objectives)
    tasks = rows(tmp_path / "gainsight-tasks.csv")
    mine = [t for t in tasks if t["Objective GitLab URL"] == deploy["GitLab URL"]]
    assert [t["Name"] for t in mine] == [
        "Build a shared deployment pipeline template",
        "Migrate the payments service to the template",
        "Move the remaining 38 services to the shared pipeline",
    ]
    assert mine[1]["Owner"] == "" and mine[0]["Due Date"] == "2026-12-18"
    done = next(t for t in tasks if t["Name"] == "CI component catalogue workshop")
    assert done["Status"] == "Complete"
    document = json.loads((tmp_path / "gainsight.json").read_text())
    assert len(document["objectives"]) == 12
    assert sum(len(o["Tasks"]) for o in document["objectives"]) == len(tasks) == 10


def test_the_mapping_comes_from_the_policies(sandbox, bot_env, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    mapping = policies / "gainsight.yml"
    mapping.write_text(
        mapping.read_text()
        .replace("objective_category: {text: ROI Success}", "objective_category: {text: Expansion}")
        .replace("priority: {label_scope: Priority, default: Medium}", "priority: {text: P1}")
    )
    out = tmp_path / "out"
    assert export(out, "--policies", str(policies), "--group", "globex") == 0
    objectives = rows(out / "gainsight-objectives.csv")
    assert {o["Objective Category"] for o in objectives} == {"Expansion"}
    assert {o["Priority"] for o in objectives} == {"P1"}
    assert {o["Customer"] for o in objectives} == {"Globex"}


def test_a_wrong_mapping_is_refused_with_its_line_before_any_request(tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    (policies / "gainsight.yml").write_text(
        "gainsight:\n  priority: {label_scope: Priority, text: High}\n"
        '  status: {labels: {"~Status::Done": Completed}}\n  owner: {text: me}\n'
    )
    result = run_cli("validate", str(policies))
    assert result.returncode == 2
    assert "gainsight.yml:2: gainsight: 'priority' takes text or label_scope" in result.stderr
    assert "gainsight.yml:4: gainsight: unknown key 'owner'" in result.stderr
    (policies / "gainsight.yml").write_text(
        'gainsight:\n  status: {labels: {"~Status::Done": Completed}}\n'
    )
    result = run_cli("validate", str(policies))
    assert "gainsight.yml:2: gainsight: status: label '~Status::Done' starts with '~'" in (
        result.stderr
    )


def test_sections_are_read_by_heading_or_field_and_cells_cannot_run_as_formulas():
    text = "## Summary\nOne\nline.\n\n- a\n- b\n\n## Risks\n=HYPERLINK(1)\n"
    assert section_text(text, ["Summary"]) == "One line.\n• a\n• b"
    assert section_text(text, ["Outcome", "Risks"]) == "=HYPERLINK(1)"
    assert section_text("**Owner:** @csm.north", ["Owner"]) == "@csm.north"
    from triage.outputs.gainsight import Row, objectives_csv

    cell = objectives_csv([Row(dict.fromkeys(OBJECTIVE_COLUMNS, "") | {"Comments": "=1+1"}, ())])
    assert "'=1+1" in cell
