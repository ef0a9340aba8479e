"""What the bot hands to people outside GitLab: the per-customer success-plan report and
the Gainsight export. Pure renderings of objective records; the commands do the reading."""
