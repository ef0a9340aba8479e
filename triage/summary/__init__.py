"""The weekly summary issue for managers: figures from run reports, Markdown, publishing."""
