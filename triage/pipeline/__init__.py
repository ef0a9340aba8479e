"""A triage run, orchestrated: options, the epic stream, per-epic work, console, summary."""
