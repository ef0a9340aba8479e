"""Drafting SMART criteria with an LLM through the official openai SDK.

Chat Completions with a strict ``json_schema`` response format works on OpenAI, Azure
OpenAI and OpenAI-compatible servers (vLLM, Ollama, LiteLLM). Safety by construction:

- input: the epic text goes in as delimited, untrusted data, with e-mail addresses, phone
  numbers and URL credentials redacted and its length capped; confidential epics are not
  sent unless the policy allows it (decided by the caller);
- output: refusals, truncation and answers that fail the schema are errors (one repair
  attempt for the last); only schema fields are used; a baseline value must be quoted
  from the epic or read "unknown: measure first"; every string is sanitized when shown.

Retries are the SDK's own (``max_retries``: 429, 5xx, timeouts, connection errors), with
an explicit timeout; there is no second retry loop. A run-wide budget caps calls and
tokens, after which the run goes on without suggestions.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jsonschema

if TYPE_CHECKING:  # imported where a model is called: a run without one never loads it
    import openai

from triage.errors import LLMError, LLMKeyRefused, UsageError
from triage.llm.offline import MEASURE_FIRST
from triage.llm.prompts import Prompt
from triage.llm.suggestion import Criterion, Suggestion
from triage.records import Epic
from triage.settings import Secret
from triage.smart.checker import CheckResult

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<![\w-])\+?\d[\d\s().-]{7,}\d(?![\w-])")
URL_CREDENTIALS = re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+@")
MAX_INPUT_CHARS = 8000


def redact(text: str) -> str:
    """Personal data out of text sent to a model: e-mails, phone numbers, URL passwords."""
    text = URL_CREDENTIALS.sub("[credentials]@", text)
    text = EMAIL.sub("[email]", text)
    return PHONE.sub("[phone]", text)


@dataclass(frozen=True)
class LLMSettings:
    api_key: Secret = field(repr=False)
    model: str
    base_url: str | None = None
    azure_endpoint: str | None = None
    api_version: str | None = None
    timeout: float = 60.0
    max_tokens: int = 800
    max_retries: int = 2
    concurrency: int = 4

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LLMSettings | None:
        """Settings when a key is set (``OPENAI_API_KEY`` or ``AZURE_OPENAI_API_KEY``)."""
        key = env.get("OPENAI_API_KEY") or env.get("AZURE_OPENAI_API_KEY")
        if not key:
            return None
        try:
            return cls(
                api_key=Secret(key),
                model=env.get("TRIAGE_LLM_MODEL") or "gpt-4o-mini",
                base_url=env.get("OPENAI_BASE_URL") or None,
                azure_endpoint=env.get("AZURE_OPENAI_ENDPOINT") or None,
                api_version=env.get("OPENAI_API_VERSION") or None,
                timeout=float(env.get("TRIAGE_LLM_TIMEOUT") or 60),
                max_tokens=int(env.get("TRIAGE_LLM_MAX_TOKENS") or 800),
                max_retries=int(env.get("TRIAGE_LLM_MAX_RETRIES") or 2),
                concurrency=int(env.get("TRIAGE_LLM_CONCURRENCY") or 4),
            )
        except ValueError as exc:
            raise UsageError(f"LLM settings: {exc}") from None


class LLMBudget:
    """Calls and tokens left for this run; shared by all threads."""

    def __init__(self, max_calls: int | None, max_tokens: int | None) -> None:
        self.max_calls, self.max_tokens = max_calls, max_tokens
        self.calls = self.prompt_tokens = self.completion_tokens = 0
        self.exhausted = False
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def try_spend_call(self) -> bool:
        """Reserve one call if calls and tokens are left; False once the budget is spent."""
        with self._lock:
            over = (self.max_calls is not None and self.calls >= self.max_calls) or (
                self.max_tokens is not None
                and self.prompt_tokens + self.completion_tokens >= self.max_tokens
            )
            if over:
                self.exhausted = True
                return False
            self.calls += 1
            return True

    def spend(self, usage: Any) -> None:
        if usage is None:
            return
        with self._lock:
            self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)

    def report(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "budget_exhausted": self.exhausted,
            "errors": self.errors[:50],
        }


@contextmanager
def api_errors() -> Iterator[None]:
    """The SDK's errors as one ``LLMError`` line each, for the drafter and the doctor."""
    import openai

    try:
        yield
    except openai.APITimeoutError:
        raise LLMError("the model did not answer in time") from None
    except openai.RateLimitError:
        raise LLMError("rate limited by the model's API, after retries") from None
    except openai.AuthenticationError:
        raise LLMKeyRefused("the model's API refused the key (OPENAI_API_KEY)") from None
    except openai.APIStatusError as exc:
        raise LLMError(f"the model's API answered HTTP {exc.status_code}") from None
    except openai.APIConnectionError:
        raise LLMError("cannot reach the model's API") from None


def make_client(settings: LLMSettings) -> openai.OpenAI:
    import openai

    if settings.azure_endpoint:
        return openai.AzureOpenAI(
            api_key=settings.api_key.value,
            azure_endpoint=settings.azure_endpoint,
            api_version=settings.api_version or "2024-10-21",
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )
    return openai.OpenAI(
        api_key=settings.api_key.value,
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
    )


class OpenAIDrafter:
    def __init__(
        self,
        settings: LLMSettings,
        prompt: Prompt,
        budget: LLMBudget,
        client: openai.OpenAI | None = None,
    ) -> None:
        self.settings = settings
        self.prompt = prompt
        self.budget = budget
        self.client = client or make_client(settings)
        self.identity = f"openai/{settings.model}/{prompt.identity}"
        self._slots = threading.Semaphore(settings.concurrency)

    def messages(self, epic: Epic, check: CheckResult) -> list[dict[str, str]]:
        description = redact(epic.description)[:MAX_INPUT_CHARS]
        user = self.prompt.user.format(
            title=redact(epic.title)[:300],
            due_date=epic.due_date.isoformat() if epic.due_date else "not set",
            missing=", ".join(m.replace("_", " ") for m in check.missing) or "none",
            description=description.replace("</epic>", "< /epic>"),
        )
        return [
            {"role": "system", "content": self.prompt.system},
            {"role": "user", "content": user},
        ]

    def draft(self, epic: Epic, check: CheckResult) -> Suggestion | None:
        """A validated suggestion, or None when the budget is spent (``LLMError`` on failure)."""
        if not self.budget.try_spend_call():
            return None
        with self._slots:
            messages = self.messages(epic, check)
            answer, problem = self._ask(messages)
            if problem is not None:  # one repair attempt, then give up on this epic
                if not self.budget.try_spend_call():
                    return None
                messages += [
                    {"role": "assistant", "content": answer},
                    {
                        "role": "user",
                        "content": f"That answer is invalid: {problem}. "
                        "Answer again with JSON that satisfies the schema.",
                    },
                ]
                answer, problem = self._ask(messages)
                if problem is not None:
                    raise LLMError(f"invalid answer after one repair attempt: {problem}")
        data = json.loads(answer)
        return self._suggestion(data, epic)

    def _ask(self, messages: list[dict[str, str]]) -> tuple[str, str | None]:
        with api_errors():
            request: dict[str, Any] = {
                "model": self.settings.model,
                "messages": messages,
                "max_tokens": self.settings.max_tokens,
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": self.prompt.name,
                        "schema": self.prompt.strict_schema(),
                        "strict": True,
                    },
                },
            }
            completion = self.client.chat.completions.create(**request)
        self.budget.spend(completion.usage)
        choice = completion.choices[0]
        if getattr(choice.message, "refusal", None):
            raise LLMError("the model refused to answer")
        if choice.finish_reason == "length":
            raise LLMError("the answer was cut off (raise TRIAGE_LLM_MAX_TOKENS)")
        content = choice.message.content or ""
        try:
            jsonschema.validate(json.loads(content), self.prompt.schema)
        except json.JSONDecodeError as exc:
            return content, f"not JSON ({exc.msg})"
        except jsonschema.ValidationError as exc:
            return content, exc.message
        return content, None

    def _suggestion(self, data: dict[str, Any], epic: Epic) -> Suggestion:
        source_text = f"{epic.title}\n{epic.description}"
        criteria = []
        for item in data["criteria"]:
            baseline = item["baseline"]
            if not _quoted(baseline, source_text):
                baseline = MEASURE_FIRST  # a number the customer never gave us
            criteria.append(
                Criterion(
                    item["metric"],
                    baseline,
                    item["target"],
                    item["deadline"],
                    item.get("why_it_matters", ""),
                )
            )
        return Suggestion(
            tuple(criteria), data.get("business_impact"), f"model {self.settings.model}"
        )


def _quoted(baseline: str, text: str) -> bool:
    """Whether every number in ``baseline`` appears in the epic's own text."""
    if baseline.strip().lower().startswith("unknown"):
        return True
    numbers = re.findall(r"\d+(?:[.,]\d+)?", baseline)
    return bool(numbers) and all(number in text for number in numbers)
