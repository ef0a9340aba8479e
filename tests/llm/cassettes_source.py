"""How the cassettes in ``cassettes/`` were written (run this file to rewrite them).

No cassette was recorded from a live API: each response body follows OpenAI's documented
Chat Completions shapes (a completion, a refusal, ``finish_reason: length``, a 429 error
object), and no request carries an Authorization header.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).parent / "cassettes"
URI = "https://api.openai.com/v1/chat/completions"
GOOD: dict = {
    "criteria": [
        {
            "metric": "Average deployment time",
            "baseline": "4 hours (measured in May 2026)",
            "target": "below 20 minutes for 30 consecutive deployments",
            "deadline": "2027-03-31",
            "why_it_matters": "Weekly releases instead of monthly ones.",
        }
    ],
    "business_impact": "Faster time to market for payment features.",
}
INVENTED = {
    "criteria": [{**GOOD["criteria"][0], "baseline": "7 hours"}],
    "business_impact": GOOD["business_impact"],
}


def completion(content: str | None, finish: str = "stop", refusal: str | None = None) -> dict:
    return {
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion",
        "created": 1741570283,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": refusal,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": 412,
            "completion_tokens": 96,
            "total_tokens": 508,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_06737a9306",
    }


RATE_LIMITED = {
    "error": {
        "message": "Rate limit reached for gpt-4o-mini in organization org-abc on requests per "
        "min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
}


def interaction(status: int, body: dict, headers: dict | None = None) -> dict:
    return {
        "request": {
            "body": "{}",
            "headers": {"content-type": ["application/json"]},
            "method": "POST",
            "uri": URI,
        },
        "response": {
            "status": {"code": status, "message": "OK" if status == 200 else "Error"},
            "headers": {"content-type": ["application/json"], **(headers or {})},
            "body": {"string": json.dumps(body)},
        },
    }


CASSETTES = {
    "success": [interaction(200, completion(json.dumps(GOOD)))],
    "refusal": [interaction(200, completion(None, refusal="I'm sorry, I can't help with that."))],
    "truncated": [interaction(200, completion('{"criteria": [{"metric": "Avera', "length"))],
    "rate_limited_then_success": [
        interaction(429, RATE_LIMITED, {"retry-after-ms": ["10"], "retry-after": ["0"]}),
        interaction(200, completion(json.dumps(GOOD))),
    ],
    "invalid_then_repaired": [
        interaction(200, completion(json.dumps({"criteria": "one"}))),
        interaction(200, completion(json.dumps(GOOD))),
    ],
    "invalid_twice": [
        interaction(200, completion("not json at all")),
        interaction(200, completion(json.dumps({"criteria": []}))),
    ],
    "invented_baseline": [interaction(200, completion(json.dumps(INVENTED)))],
}

if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for name, interactions in CASSETTES.items():
        path = HERE / f"{name}.yaml"
        path.write_text(
            yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=False)
        )
        print(path)
