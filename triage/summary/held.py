"""A summary for a week in which some group could not be read: last figures kept, the
groups named.

Figures computed without a group's epics would tell managers its objectives went to zero.
So when a group fails, the summary keeps the figures it last showed (this week's issue
when a run already wrote it, else last week's) under a block that names the groups not
read and why; the next run that reads every group replaces both. The block sits between
markers, so a second failed run replaces it rather than stacking another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

START, END = "<!-- smart-triage:held -->", "<!-- /smart-triage:held -->"
_BLOCK = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n*", re.DOTALL)


def without_block(body: str) -> str:
    """``body`` with any earlier held block removed."""
    return _BLOCK.sub("", body)


def held(body: str, failed: Sequence[str], errors: Sequence[str], kept_from: str | None) -> str:
    """``body`` (the figures kept) under a block naming the ``failed`` groups."""
    names = ", ".join(f"`{group}`" for group in failed)
    reasons = [e for e in errors if any(e.startswith(f"{g}: ") for g in failed)]
    kept = (
        f"The figures below are those of {kept_from}, kept until every group is read again."
        if kept_from
        else "There are no earlier figures to keep: the figures below leave these groups out."
    )
    lines = [
        START,
        f"> **Not read this run:** {names}. {kept}",
        *(f"> - {reason}" for reason in reasons[:10]),
        END,
        "",
        "",
    ]
    return "\n".join(lines) + without_block(body)
