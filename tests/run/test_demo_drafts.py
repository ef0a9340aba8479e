"""On the demo's success plans, the offline drafts a CSM reads: real metrics, the epic's own
baselines or "measure first", never the title."""

from __future__ import annotations

import re

from tests.conftest import DEMO_DAY, control
from triage.cli import main

BOT = "smart-triage-bot"
ROW = re.compile(r"^\| (?!Metric |---)(?P<cells>.+) \|$", re.MULTILINE)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_demo_drafts_never_restate_the_title_and_quote_only_the_epic(bot_env, sandbox):
    assert main(["run", "--now", DEMO_DAY.isoformat(), "--apply"]) == 0
    rows = 0
    for epic in control(sandbox, "state")["epics"]:
        for note in epic["notes"]:
            if note["author"] != BOT or "Suggested SMART" not in note["body"]:
                continue
            draft = note["body"].split("<details>", 1)[1].split("</details>", 1)[0]
            for match in ROW.finditer(draft):
                metric, baseline, _target, deadline = (
                    cell.strip().replace("\\|", "|")
                    for cell in re.split(r"(?<!\\)\|", match["cells"])
                )
                rows += 1
                assert squash(metric).lower() != squash(epic["title"]).lower(), epic["title"]
                assert baseline.startswith("measure first: ") or squash(baseline) in squash(
                    epic["description"]
                ), (epic["title"], baseline)
                assert deadline
    assert rows >= 6  # every demo objective with a SMART gap got a draft


def test_a_use_case_is_suggested_from_the_groups_labels_and_never_applied(bot_env, sandbox):
    assert main(["run", "--now", DEMO_DAY.isoformat(), "--apply"]) == 0
    epic = next(
        e
        for e in control(sandbox, "state")["epics"]
        if e["group"] == "initech" and e["iid"] == 3  # "Shift security left", no UseCase
    )
    (note,) = [n for n in epic["notes"] if n["author"] == BOT and not n["system"]]
    assert "Suggested use case: `UseCase::Security`, for the words `security`" in note["body"]
    assert not any(label.startswith("UseCase::") for label in epic["labels"])
