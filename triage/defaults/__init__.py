"""The default policy set and prompts, shipped with the package for `triage init`."""
