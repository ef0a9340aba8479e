"""Triage policies: YAML files loaded, validated against registries, merged into one set."""
