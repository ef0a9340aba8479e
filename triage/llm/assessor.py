"""The model's second opinion on an objective's SMART elements, through the same strict
schema path, budget, redaction and concurrency limit as the drafts."""

from __future__ import annotations

import json

from triage.errors import LLMError
from triage.llm.openai_drafter import OpenAIDrafter
from triage.records import Epic
from triage.smart.checker import CheckResult
from triage.smart.findings import ELEMENTS
from triage.smart.second_opinion import Opinion

ASSESSMENT_PROMPT = "smart_assessment"


class OpenAIAssessor(OpenAIDrafter):
    """Asks the model to rate each element with a verbatim quote; ``None`` when the call
    budget is spent. Quotes are checked against the epic by ``second_opinion.merge``."""

    def assess(self, epic: Epic, check: CheckResult) -> dict[str, Opinion] | None:
        if not self.budget.try_spend_call():
            return None
        with self._slots:
            answer, problem = self._ask(self.messages(epic, check))
        if problem is not None:
            raise LLMError(f"invalid assessment: {problem}")
        data = json.loads(answer)["elements"]
        return {
            element: Opinion(bool(data[element]["present"]), data[element].get("quote"))
            for element in ELEMENTS
        }
