"""The OpenAI-compatible endpoint, driven through the official openai SDK."""

from __future__ import annotations

import json

import jsonschema
import openai
import pytest
import requests

from tests.conftest import control

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["criteria", "business_impact"],
    "properties": {
        "criteria": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["metric", "baseline", "target", "deadline"],
                "properties": {
                    "metric": {"type": "string"},
                    "baseline": {"type": "string"},
                    "target": {"type": "string"},
                    "deadline": {"type": "string"},
                },
            },
        },
        "business_impact": {"type": ["string", "null"]},
    },
}
EPIC_TEXT = "Deployments take 4 hours today; the customer wants them under 20 minutes."


def ask(box) -> openai.types.chat.ChatCompletion:
    client = openai.OpenAI(base_url=f"{box.url}/v1", api_key="sandbox", max_retries=0)
    with client:
        return client.chat.completions.create(
            model="sandbox-model",
            messages=[
                {"role": "system", "content": "Draft SMART criteria."},
                {"role": "user", "content": EPIC_TEXT},
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "smart_criteria", "schema": SCHEMA, "strict": True},
            },
        )


def test_answers_are_valid_against_the_requested_schema(make_sandbox):
    box = make_sandbox()
    completion = ask(box)
    message = completion.choices[0].message
    assert message.content is not None and completion.usage is not None
    answer = json.loads(message.content)
    jsonschema.validate(answer, SCHEMA)
    assert answer["criteria"][0]["baseline"] == "4 hours"  # quoted from the epic text
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    assert ask(box).choices[0].message.content == message.content  # deterministic
    assert control(box, "stats")["llm_calls"] == 2


def test_adversarial_answers_carry_quick_actions_mentions_and_html(make_sandbox):
    content = ask(make_sandbox(llm_mode="adversarial")).choices[0].message.content
    assert content is not None
    answer = json.loads(content)
    jsonschema.validate(answer, SCHEMA)
    metric = answer["criteria"][0]["metric"]
    assert "\n/close\n" in metric and "@all" in metric
    assert "<img src=" in metric and "![p](https://tracker.example.net" in metric


@pytest.mark.parametrize(
    ("mode", "check"),
    [
        ("refusal", lambda c: c.message.refusal and c.message.content is None),
        ("length", lambda c: c.finish_reason == "length"),
        ("invalid", lambda c: "unexpected" in json.loads(c.message.content)),
    ],
)
def test_bad_day_modes(make_sandbox, mode, check):
    assert check(ask(make_sandbox(llm_mode=mode)).choices[0])


def test_a_request_without_an_api_key_is_refused(make_sandbox):
    box = make_sandbox()
    response = requests.post(f"{box.url}/v1/chat/completions", json={"messages": []}, timeout=10)
    assert response.status_code == 401
