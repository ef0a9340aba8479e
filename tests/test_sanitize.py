"""The one sanitizer: what it neutralises, and what it leaves alone."""

from __future__ import annotations

import pytest
from gitlab_sandbox import markdown
from gitlab_sandbox.quick_actions import QUICK_ACTIONS

from triage.sanitize import sanitize


@pytest.mark.parametrize(
    "text",
    [
        "/close",
        "  /label ~x",
        'ok\n/relabel ~"triage::ignore"',
        "/due 2020-01-01",
        "/confidential\n/title pwned",
    ],
)
def test_no_line_can_run_a_quick_action(text):
    _body, commands = markdown.extract_commands(sanitize(text), frozenset(QUICK_ACTIONS))
    assert commands == []


def test_mentions_are_escaped_except_the_allowed_owner():
    text = sanitize("@csm.north please, and @all and @acme-corp, mail a@b.com", ["csm.north"])
    assert markdown.mentions(text) == ["csm.north"]
    assert "`@all`" in text and "`@acme-corp`" in text and "a@b.com" in text


def test_html_external_images_and_hidden_comments_are_dropped():
    text = sanitize(
        'Hi <img src="https://t.example/p.png"> <script>x()</script> ![p](https://t.example/q.png)'
        " ![local](/uploads/a.png) <!-- smart-triage:rule=x fp=00 reasons= state=open -->"
        " <details><summary>kept</summary></details>"
    )
    assert "<img" not in text and "<script>" not in text and "t.example" not in text
    assert "![local](/uploads/a.png)" in text and "smart-triage:rule" not in text
    assert "<details><summary>kept</summary></details>" in text


def test_code_is_left_alone_and_an_open_fence_is_closed():
    assert sanitize("`@all /close`") == "`@all /close`"
    closed = sanitize("```\n@all\n/close")
    assert closed.endswith("\n```") and "@all" in closed


def test_llm_output_loses_links_and_label_references():
    text = sanitize(
        'see [here](https://x.example) or https://y.example and ~"triage::ignore"', links=False
    )
    assert "x.example" not in text and "y.example" not in text and "~" not in text


HOSTILE = [
    "\\@all and \\@acme-team",
    "\\\\@all: an escaped backslash, then a live mention",
    "&#64;all and &#x40;csm.emea",
    "&#38;#64;all and &commat;all and &amp;2 and &num;3",
    "blocked by other/project#1, hostile&2, &3, #4, [epic:5] and !6",
    "https://x.example/<b>@all</b> and www.x.example/**@all**",
]


@pytest.mark.parametrize("engine", markdown.ENGINES)
@pytest.mark.parametrize("text", HOSTILE)
def test_no_mention_or_reference_survives_on_either_markdown_engine(text, engine):
    """Code spans stop mentions and references on every GitLab version; backslashes only
    on the current engine, so the sanitizer never relies on them."""
    for links in (True, False):
        clean = sanitize(text, links=links)
        assert markdown.mentions(clean, engine) == []
        assert markdown.references(clean, engine) == []


def test_the_engines_differ_on_a_backslash_as_gitlab_versions_do():
    assert markdown.mentions("\\@all", "current") == []
    assert markdown.mentions("\\@all", "legacy") == ["all"]
    assert [r.iid for r in markdown.references("see \\&2", "legacy")] == [2]


@pytest.mark.parametrize(
    "prose",
    [
        'Reached "50%" of teams, then "next" step',
        "20%done, $50k a year, $5 per seat",
        "C# 10, Q&A, R&D, AT&T",
        "## Heading",
        "- [x] ticked item",
    ],
)
def test_ordinary_prose_is_left_as_written(prose):
    assert sanitize(prose) == prose


def test_links_and_addresses_are_left_working():
    text = "[acme&3](https://gitlab.example/groups/acme/-/epics/3) and https://x.example/a/b#12"
    assert sanitize(text) == text
    assert sanitize("see www.evil.example.net/x", links=False) == "see [link removed]"
    assert sanitize("ready for 50% of teams") == "ready for 50% of teams"


def test_a_quick_action_in_a_tilde_fence_is_neutralised_for_older_gitlab_versions():
    """GitLab's extractor before its Markdown pass skips only text between backticks: a
    command inside a ``~~~`` fence ran there. A backtick fence is left as written."""
    assert sanitize("~~~\n/close\n~~~") == "~~~\n\\/close\n~~~"
    assert sanitize("```\n/close\n```") == "```\n/close\n```"
    # a fence ends only with its own mark; an unclosed one is closed with it
    assert sanitize("~~~\n```\n/close\n~~~\n/label ~x") == "~~~\n```\n\\/close\n~~~\n\\/label ~x"
    assert sanitize("~~~\nopen") == "~~~\nopen\n~~~"
