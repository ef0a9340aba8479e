"""Quick actions and mentions: GitLab runs the first and notifies on the second."""

from __future__ import annotations

import pytest
from gitlab_sandbox import markdown
from gitlab_sandbox.quick_actions import QUICK_ACTIONS

from tests.conftest import control
from tests.sandbox.queries import CREATE_NOTE, EPICS, UPDATE_NOTE, epic_by_reference

KNOWN = frozenset(QUICK_ACTIONS)


@pytest.mark.parametrize(
    ("body", "commands"),
    [
        ("/close", ["close"]),
        ('Done here.\n/close\n/label ~"Priority::Low"', ["close", "label"]),
        ("/CLOSE", ["close"]),
        ("text\n\n/reopen", ["reopen"]),
        ("`/close`", []),
        ("```\n/close\n```", []),
        ("~~~\n/close\n~~~", []),
        ("> /close", []),
        ("> quoted text\n/close", []),  # lazy continuation keeps it inside the quote
        (">>>\n/close\n>>>", []),
        ("<!--\n/close\n-->", []),
        ("<details>\n/close\n</details>", []),
        ("  /close", []),
        ("/closed", []),
        ("/unknown command", []),
    ],
)
def test_command_lines_are_found_where_gitlab_finds_them(body, commands):
    _text, found = markdown.extract_commands(body, KNOWN)
    assert [c.name for c in found] == commands


def test_command_lines_are_removed_from_the_saved_body_and_unknown_ones_kept():
    text, found = markdown.extract_commands("hello\n/reopen\n/shrugs\nworld", KNOWN)
    assert text == "hello\n/shrugs\nworld"
    assert [(c.name, c.arg) for c in found] == [("reopen", "")]


def test_label_arguments_parse_quoted_and_plain_names():
    assert markdown.label_names('~"Verifiable Outcome::Accepted" ~CI plain') == [
        "Verifiable Outcome::Accepted",
        "CI",
        "plain",
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@csm.north please update", ["csm.north"]),
        ("ping @all and @acme-corp.", ["all", "acme-corp"]),
        ("`@all` in code", []),
        ("```\n@all\n```", []),
        ("mail me at someone@example.com", []),
        ("> @csm.emea in a quote still notifies", ["csm.emea"]),
    ],
)
def test_mentions_outside_code_are_found(text, names):
    assert markdown.mentions(text) == names


def epic_id(gq, reference: str) -> str:
    group = reference.split("&", maxsplit=1)[0]
    nodes = gq.execute(EPICS, variable_values={"path": group})["group"]["workItems"]["nodes"]
    return epic_by_reference(nodes, reference)["id"]


def saved_epic(box, group: str, iid: int) -> dict:
    state = control(box, "state")
    return next(e for e in state["epics"] if e["group"] == group and e["iid"] == iid)


def test_a_note_with_quick_actions_acts_on_the_epic(sandbox, gq):
    body = 'Thanks, closing.\n/close\n/label ~"Priority::Low"'
    result = gq.execute(
        CREATE_NOTE, variable_values={"id": epic_id(gq, "acme-corp&3"), "body": body}
    )
    payload = result["createNote"]
    assert payload["note"]["body"] == "Thanks, closing."
    assert payload["quickActionsStatus"]["commandNames"] == ["close", "label"]
    epic = saved_epic(sandbox, "acme-corp", 3)
    assert epic["state"] == "closed"
    assert "Priority::Low" in epic["labels"]
    assert control(sandbox, "stats")["quick_actions_executed"] == 2


def test_a_note_of_only_quick_actions_is_not_saved(sandbox, gq):
    before = len(saved_epic(sandbox, "acme-corp", 2)["notes"])
    result = gq.execute(
        CREATE_NOTE, variable_values={"id": epic_id(gq, "acme-corp&2"), "body": "/confidential"}
    )
    payload = result["createNote"]
    assert payload["note"] is None
    assert payload["quickActionsStatus"]["commandsOnly"] is True
    epic = saved_epic(sandbox, "acme-corp", 2)
    assert epic["confidential"] is True
    comments = [n for n in epic["notes"] if not n["system"]]
    assert len(comments) == before  # only a system note was added


@pytest.mark.parametrize(
    "body",
    [
        "Try `/close` when done",
        '```\n/close\n/label ~"Priority::Low"\n```',
        "> /close\n> /due 2026-01-01",
        "Suggested fix:\n> paste this\n/close",
    ],
)
def test_quick_actions_in_code_or_quotes_do_nothing(sandbox, gq, body):
    result = gq.execute(
        CREATE_NOTE, variable_values={"id": epic_id(gq, "acme-corp&3"), "body": body}
    )
    assert result["createNote"]["note"]["body"] == body
    epic = saved_epic(sandbox, "acme-corp", 3)
    assert epic["state"] == "opened"
    assert control(sandbox, "stats")["quick_actions_executed"] == 0


def test_mentions_are_counted_as_notifications(sandbox, gq):
    note = gq.execute(
        CREATE_NOTE,
        variable_values={
            "id": epic_id(gq, "acme-corp&3"),
            "body": "@csm.north and @all, see `@sa.acme`",
        },
    )["createNote"]["note"]
    stats = control(sandbox, "stats")
    assert stats["mentioned"] == {"all": 1, "csm.north": 1}
    assert stats["notifications"] == 1 + 4  # one user, plus the four members of acme-corp
    gq.execute(
        UPDATE_NOTE, variable_values={"id": note["id"], "body": "@csm.north and @all, edited"}
    )
    assert control(sandbox, "stats")["notifications"] == 5  # an edit notifies only new mentions
