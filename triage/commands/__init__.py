"""Command implementations: one module per command, each returning an exit code."""
