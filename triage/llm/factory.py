"""Which drafter each prompt gets: the model when a key is set, else the offline drafter
from the KPI library.

Prompt files and the KPI library (with the policy folder's ``kpis/*.yml``) are loaded and
checked here, before the first request, whichever is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from triage.llm.assessor import ASSESSMENT_PROMPT, OpenAIAssessor
from triage.llm.kpi_library import load_library
from triage.llm.offline import OfflineDrafter
from triage.llm.openai_drafter import LLMBudget, LLMSettings, OpenAIDrafter, make_client
from triage.llm.prompts import load_prompt
from triage.llm.suggestion import Drafter
from triage.policy.model import PolicySet


def make_drafters(
    policies: PolicySet,
    env: Mapping[str, str],
    max_calls: int | None = None,
    max_tokens: int | None = None,
    today: date | None = None,
) -> tuple[dict[str, Drafter], LLMBudget | None]:
    """A drafter per prompt the rules use; ``today`` is the run's clock (``--now``), which
    the offline drafter needs to never propose a date that has passed."""
    names = sorted({rule.effects.prompt for rule in policies.rules if rule.effects.prompt})
    prompts = {name: load_prompt(policies.prompts_dir, name) for name in names}
    library = load_library(policies.policy_dir)
    settings = LLMSettings.from_env(env)
    if settings is None:
        offline = OfflineDrafter(library, today)
        return dict.fromkeys(names, offline), None
    budget = LLMBudget(max_calls, max_tokens)
    client = make_client(settings)
    return {name: OpenAIDrafter(settings, prompts[name], budget, client) for name in names}, budget


def make_assessor(
    policies: PolicySet, env: Mapping[str, str], budget: LLMBudget | None
) -> OpenAIAssessor | None:
    """The model's second opinion when the policies ask for it and a model is configured;
    it shares the drafts' budget. Without a model the rules decide alone."""
    if policies.assess != "llm":
        return None
    settings = LLMSettings.from_env(env)
    if settings is None or budget is None:
        return None
    prompt = load_prompt(policies.prompts_dir, ASSESSMENT_PROMPT)
    return OpenAIAssessor(settings, prompt, budget, make_client(settings))
