"""Section templates, read once per run, after validation said they exist."""

from __future__ import annotations

from triage.policy.model import PolicySet


def load_templates(policies: PolicySet) -> dict[str, str]:
    """Each rule's section template (file or inline), by rule name."""
    templates = {}
    for rule in policies.rules:
        effects = rule.effects
        if effects.template is not None:
            templates[rule.name] = (policies.policy_dir / effects.template).read_text("utf-8")
        elif effects.body is not None:
            templates[rule.name] = effects.body
    return templates
