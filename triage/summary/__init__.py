"""The weekly summary issue for managers: figures from run reports, Markdown, publishing."""

# Parts of the summary that register themselves (a collector and a section): imported
# here so that any use of the summary counts and shows them.
from triage.summary import feedback as feedback
