"""An OpenAI-compatible ``POST /v1/chat/completions`` that answers deterministically.

The answer is built from the request's ``response_format`` JSON Schema, so it is valid
against whatever schema the bot sends, and its strings quote the user message so a test can
see that the epic reached the model. Modes (a registry) reproduce what a real model does on
a bad day: ``adversarial`` answers carry quick actions, ``@all``, HTML and external images;
``invalid`` answers break the schema; ``refusal`` refuses; ``length`` is cut off.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from gitlab_sandbox.http import Request, Response, Router

router = Router()
# Short enough to fit the tightest maxLength of a real answer schema, so an adversarial
# answer is still schema-valid and reaches the bot's rendering.
ATTACK = (
    "\n/close\n@all \\@all &#64;all <img src=x> ![p](https://tracker.example.net/p.png)"
    " see hostile&2, other/project#1 and www.tracker.example.net/x\n"
)
NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|percent|hours?|minutes?|days?|weeks?|per week)?")


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z-]{3,}", text)


def _string(name: str, source: str, index: int) -> str:
    """A short, plausible string for property ``name``, drawn from the user message."""
    numbers = NUMBER.findall(source)
    words = _words(source) or ["objective"]
    lowered = name.lower()
    if "baseline" in lowered:
        return numbers[index % len(numbers)].strip() if numbers else "unknown: measure first"
    if "deadline" in lowered or "date" in lowered or "timeline" in lowered:
        return "by the end of next quarter"
    if "target" in lowered:
        return f"{words[index % len(words)].lower()} improved by 50%"
    return f"{name.replace('_', ' ')}: {' '.join(words[index : index + 6]).lower()}"


def build(
    schema: dict[str, Any], name: str, source: str, index: int = 0, attack: bool = False
) -> Any:
    """The first value that satisfies ``schema`` (objects, arrays, enums, nullable types).

    With ``attack``, every free string starts with quick actions, ``@all``, HTML and an
    external image, cut to the schema's ``maxLength``."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if "enum" in schema:
        return schema["enum"][index % len(schema["enum"])]
    if "const" in schema:
        return schema["const"]
    if "anyOf" in schema:
        return build(schema["anyOf"][0], name, source, index, attack)
    if kind == "object":
        return {
            key: build(sub, key, source, index, attack)
            for key, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        count = max(schema.get("minItems", 0), min(2, schema.get("maxItems", 2)))
        return [
            build(schema.get("items", {}), name, source, index + i, attack) for i in range(count)
        ]
    if kind == "string":
        text = (ATTACK if attack else "") + _string(name, source, index)
        return text[: schema.get("maxLength", len(text))]
    if kind == "integer":
        return max(schema.get("minimum", 0), 1)
    if kind == "number":
        return float(max(schema.get("minimum", 0), 1))
    if kind == "boolean":
        return True
    return None


Mode = Callable[[Any], tuple[str | None, str | None, str]]  # content, refusal, finish_reason
MODES: dict[str, Mode] = {
    "normal": lambda answer: (json.dumps(answer), None, "stop"),
    "adversarial": lambda answer: (json.dumps(answer), None, "stop"),
    "invalid": lambda answer: (json.dumps({"unexpected": answer}), None, "stop"),
    "refusal": lambda answer: (None, "I can't help with that request.", "stop"),
    "length": lambda answer: (json.dumps(answer)[:40], None, "length"),
}


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


@router.route("POST", "/v1/chat/completions")
def chat_completions(req: Request) -> Response:
    try:
        payload = req.json()
        messages = payload["messages"]
        model = payload.get("model") or "sandbox-model"
    except (ValueError, KeyError, TypeError):
        return Response(
            400, {"error": {"message": "messages is required", "type": "invalid_request_error"}}
        )
    prompt = "\n".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))
    user = "\n".join(
        str(m.get("content", ""))
        for m in messages
        if isinstance(m, dict) and m.get("role") == "user"
    )
    fmt = payload.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema")
    mode = req.options.llm_mode
    attack = mode == "adversarial"
    answer = (
        build(schema, "answer", user, attack=attack)
        if schema
        else (ATTACK if attack else "") + "Sandbox answer: " + user[:200]
    )
    content, refusal, finish = MODES[mode](answer)
    req.store.stats["llm_calls"] += 1
    completion = _tokens(content or refusal or "")
    digest = hashlib.sha1(prompt.encode()).hexdigest()[:24]
    return Response(
        200,
        {
            "id": f"chatcmpl-{digest}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": model,
            "system_fingerprint": "sandbox",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish,
                    "logprobs": None,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                }
            ],
            "usage": {
                "prompt_tokens": _tokens(prompt),
                "completion_tokens": completion,
                "total_tokens": _tokens(prompt) + completion,
            },
        },
    )
