"""How a sandbox instance misbehaves on purpose: latency, faults, rate limits, LLM mode."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TOKEN = "sandbox-token"  # a fixed, documented token for a local server
DEFAULT_USER = "smart-triage-bot"


@dataclass
class Options:
    latency_ms: float = 0.0
    llm_latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_seed: int = 0
    rate_limit: int = 0  # requests per window per token; 0 means unlimited
    rate_limit_window: float = 60.0
    llm_mode: str = "normal"
    token: str = DEFAULT_TOKEN
    username: str = DEFAULT_USER
