"""The only code that talks to GitLab. It returns plain records (``triage.records``)."""
