"""CSM feedback on drafts: reactions on the bot's note and adoption, counted in the summary,
without reads in a week where nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.conftest import DEMO_DAY, control
from tests.run.test_weekly_run import bot_notes, edit_description, epic_state
from triage.cli import main

NOW = DEMO_DAY.isoformat()
NEXT_WEEK = (DEMO_DAY + timedelta(days=7)).isoformat()


def run(cache: str, report, summary, now: str = NOW) -> dict:
    assert (
        main(
            [
                "run",
                "--now",
                now,
                "--apply",
                "--cache",
                cache,
                "--report",
                str(report),
                "--summary-file",
                str(summary),
            ]
        )
        == 0
    )
    return json.loads(report.read_text())


def feedback(report: dict, reference: str) -> list[dict]:
    return next(e for e in report["epics"] if e["reference"] == reference)["feedback"]


def react(box, reference: str, user: str, name: str) -> None:
    note = bot_notes(box)[reference][0]
    control(box, "award", {"note": note["id"], "user": user, "name": name})


def reads(box) -> int:
    return int(control(box, "stats")["reads"])


def test_ratings_and_adoption_reach_the_summary_and_a_quiet_week_reads_nothing_more(
    bot_env, sandbox, tmp_path
):
    cache, report, summary = str(tmp_path / "cache.db"), tmp_path / "r.json", tmp_path / "s.md"
    first = run(cache, report, summary)
    assert feedback(first, "globex&3") == [
        {
            "rule": "smart-objective",
            "drafter": feedback(first, "globex&3")[0]["drafter"],
            "useful": False,
            "wrong": False,
            "adopted": False,
        }
    ]
    assert feedback(first, "globex&3")[0]["drafter"] == "offline KPI library"
    assert "## Drafts: what CSMs made of them" in summary.read_text()

    # A quiet week: no change, so no note is read for reactions.
    control(sandbox, "reset", {"stats_only": True})
    run(cache, report, summary)
    quiet = reads(sandbox)

    # A day later, the CSM of globex&3 likes the draft and edits the objective;
    # acme-corp&4 gets a thumbs down and an edit; the bot's own reaction never counts.
    sandbox.store.clock = lambda: datetime.now(UTC) + timedelta(days=1)
    react(sandbox, "globex&3", "csm.south", "thumbsup")
    react(sandbox, "globex&3", "smart-triage-bot", "thumbsdown")
    react(sandbox, "acme-corp&4", "csm.north", "thumbsdown")
    for reference in ("globex&3", "acme-corp&4"):
        epic = epic_state(sandbox, reference)
        edit_description(sandbox, reference, epic["description"] + "\nUpdated after review.\n")
    # globex&4 adopts its drafted metric without anyone reacting.
    globex4 = epic_state(sandbox, "globex&4")
    edit_description(
        sandbox, "globex&4", globex4["description"] + "\nDeployment success rate: 78% today.\n"
    )
    control(sandbox, "reset", {"stats_only": True})
    later = run(cache, report, summary, NEXT_WEEK)
    assert feedback(later, "globex&3")[0]["useful"] is True
    assert feedback(later, "globex&3")[0]["wrong"] is False  # the bot's own vote
    assert feedback(later, "acme-corp&4")[0]["wrong"] is True
    assert feedback(later, "globex&4")[0]["adopted"] is True
    (issue,) = [
        i
        for i in control(sandbox, "state")["issues"]
        if "triage report" in i["labels"] and i["state"] == "opened"
    ]
    text = issue["description"]  # the published summary compares with last week's
    row = next(
        line
        for line in text.splitlines()
        if line.startswith("| `smart-objective / offline KPI library`")
    )
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2:] == ["1 (+1)", "1 (+1)", "1 (+1)"], row
    # Three edited epics: their notes are read (a rating may come with the edit).
    assert reads(sandbox) >= quiet + 3

    # The rest of that week is quiet: the ratings are remembered, nothing more is read.
    control(sandbox, "reset", {"stats_only": True})
    again = run(cache, report, summary, NEXT_WEEK)
    assert reads(sandbox) == quiet
    assert feedback(again, "globex&3")[0]["useful"] is True
    assert feedback(again, "globex&4")[0]["adopted"] is True
