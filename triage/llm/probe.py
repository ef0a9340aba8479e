"""One small call to the configured model: does the key, endpoint and model answer?

``triage doctor`` uses it so a rejected key or a wrong model name shows up before the
weekly run, not as one draft error per epic.
"""

from __future__ import annotations

from triage.llm.openai_drafter import LLMSettings, api_errors, make_client


def probe(settings: LLMSettings) -> str:
    """Ask for a one-word answer; returns the model's name as it answered. Raises
    ``LLMError`` with the reason when the call fails."""
    client = make_client(settings)
    with api_errors():
        completion = client.chat.completions.create(
            model=settings.model,
            messages=[{"role": "user", "content": "Answer with the single word: ok"}],
            max_tokens=5,
        )
    return str(completion.model or settings.model)
