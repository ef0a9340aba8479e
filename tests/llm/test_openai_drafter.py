"""The OpenAI drafter against replayed API answers (vcrpy cassettes) and the sandbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from gitlab_sandbox import Options, Sandbox

from triage.errors import LLMError, PolicyError
from triage.llm.openai_drafter import LLMBudget, LLMSettings, OpenAIDrafter, redact
from triage.llm.prompts import load_prompt
from triage.llm.suggestion import render_suggestion
from triage.records import Epic
from triage.settings import Secret
from triage.smart.checker import Checker

PROMPTS = Path(__file__).parents[2] / "prompts"
EPIC = Epic(
    title="Cut average deployment time",
    description="## Baseline\nAverage deployment time: 4 hours (measured in May 2026).\n"
    "Contact ops-lead@acme.example or +1 415 555 0100.",
    due_date=date(2027, 3, 31),
)


@pytest.fixture
def vcr_config():
    return {
        "record_mode": "none",
        "match_on": ["method", "path"],
        "filter_headers": ["authorization", "openai-organization", "set-cookie"],
    }


@pytest.fixture
def vcr_cassette_dir():
    return str(Path(__file__).parent / "cassettes")


def drafter(budget: LLMBudget | None = None, **settings) -> OpenAIDrafter:
    values = {
        "api_key": Secret("sk-test"),
        "model": "gpt-4o-mini",
        "base_url": "https://api.openai.com/v1",
        "max_retries": 2,
        "timeout": 5.0,
        **settings,
    }
    return OpenAIDrafter(
        LLMSettings(**values),
        load_prompt(PROMPTS, "smart_criteria"),
        budget or LLMBudget(None, None),
    )


def draft(d: OpenAIDrafter):
    return d.draft(EPIC, Checker().check(EPIC))


@pytest.mark.vcr
@pytest.mark.default_cassette("success.yaml")
def test_a_valid_answer_becomes_a_suggestion_with_usage():
    budget = LLMBudget(None, None)
    suggestion = draft(drafter(budget))
    assert suggestion is not None
    assert suggestion.criteria[0].baseline == "4 hours (measured in May 2026)"
    assert suggestion.criteria[0].target.startswith("below 20 minutes")
    assert budget.report()["calls"] == 1
    assert (budget.prompt_tokens, budget.completion_tokens) == (412, 96)
    assert "<details><summary>Suggested SMART" in render_suggestion(suggestion)


@pytest.mark.vcr
@pytest.mark.default_cassette("refusal.yaml")
def test_a_refusal_is_an_error():
    with pytest.raises(LLMError, match="refused"):
        draft(drafter())


@pytest.mark.vcr
@pytest.mark.default_cassette("truncated.yaml")
def test_a_truncated_answer_is_an_error():
    with pytest.raises(LLMError, match="cut off"):
        draft(drafter())


@pytest.mark.vcr
@pytest.mark.default_cassette("rate_limited_then_success.yaml")
def test_a_429_is_retried_by_the_sdk_once_and_then_succeeds(vcr):
    budget = LLMBudget(None, None)
    assert draft(drafter(budget)) is not None
    assert vcr.play_count == 2  # the 429, then the answer
    assert budget.calls == 1  # one logical call: the retry is the SDK's, not ours


@pytest.mark.vcr
@pytest.mark.default_cassette("invalid_then_repaired.yaml")
def test_an_invalid_answer_gets_one_repair_attempt(vcr):
    budget = LLMBudget(None, None)
    suggestion = draft(drafter(budget))
    assert suggestion is not None and budget.calls == 2 and vcr.play_count == 2


@pytest.mark.vcr
@pytest.mark.default_cassette("invalid_twice.yaml")
def test_two_invalid_answers_give_up_on_the_epic():
    with pytest.raises(LLMError, match="after one repair attempt"):
        draft(drafter())


@pytest.mark.vcr
@pytest.mark.default_cassette("invented_baseline.yaml")
def test_a_baseline_the_epic_never_gave_is_replaced():
    suggestion = draft(drafter())
    assert suggestion is not None
    assert suggestion.criteria[0].baseline == "unknown: measure first"


def test_a_slow_model_times_out():
    with Sandbox(seed="empty", options=Options(llm_latency_ms=1500)) as box:
        slow = drafter(base_url=f"{box.url}/v1", timeout=0.3, max_retries=0)
        with pytest.raises(LLMError, match="did not answer in time"):
            draft(slow)


def test_the_budget_stops_drafting_and_says_so():
    with Sandbox(seed="empty") as box:
        budget = LLMBudget(max_calls=1, max_tokens=None)
        d = drafter(budget, base_url=f"{box.url}/v1")
        assert draft(d) is not None
        assert draft(d) is None
        assert budget.report()["budget_exhausted"] is True


def test_personal_data_is_redacted_and_the_epic_is_delimited():
    messages = drafter().messages(EPIC, Checker().check(EPIC))
    user = messages[1]["content"]
    assert "ops-lead@acme.example" not in user and "555 0100" not in user
    assert "[email]" in user and "[phone]" in user
    assert "<epic>" in user and user.index("<epic>") < user.index("Average deployment time")
    assert redact("https://bot:s3cret@gitlab.example/x") == "https://[credentials]@gitlab.example/x"


def test_a_broken_prompt_file_is_a_configuration_error(tmp_path):
    (tmp_path / "p.yml").write_text("version: 1\nsystem: s\nuser: '{tittle}'\nschema: s.json\n")
    with pytest.raises(PolicyError, match="unknown placeholder"):
        load_prompt(tmp_path, "p")
