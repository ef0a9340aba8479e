"""The one sanitizer every posted text passes: nothing the bot posts can act in GitLab.

GitLab runs a quick action for any line that starts with ``/`` and a command, notifies
everyone ``@mentioned`` (``@all`` notifies a whole group), renders raw HTML and loads
external images (a tracking pixel). Epic text and LLM output are written by people outside
the bot's control, so before posting:

- lines starting with ``/`` get a backslash (``\\/close`` renders as ``/close``, runs nothing);
- ``@name`` becomes ``` `@name` ``` (a code span: shown, not a link, no notification), except
  the one owner the caller allows;
- HTML comments go (so no text can forge the bot's marker), raw HTML tags go except a few
  structural ones the bot's own templates use, and images from other hosts are replaced by
  their alt text.

Code spans and fenced code are left alone: GitLab neither runs nor links anything there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ALLOWED_TAGS = {"details", "summary", "sub", "br", "b", "i", "em", "strong"}
FENCE = re.compile(r"^\s*(```|~~~)")
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
TAG = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)\b[^>]*>")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
MENTION = re.compile(
    r"(?<![\w@`/.\\])@(?P<name>[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]|[A-Za-z0-9_])"
)
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
STRAY_ANGLE = re.compile(r"<(?!/?(?:" + "|".join(sorted(ALLOWED_TAGS)) + r")\b[^<>]*>)")
QUICK_ACTION = re.compile(r"^(\s*)/")
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)]*)\)")
BARE_URL = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)
LABEL_REF = re.compile(r"(?<![\w`])~(?=\"|[A-Za-z])")


def sanitize(text: str, allowed_mentions: Iterable[str] = (), links: bool = True) -> str:
    """``text`` made inert: see the module docstring. ``links=False`` also drops links
    and ``~label`` references (for LLM output, which may not introduce either)."""
    allowed = {name.lower() for name in allowed_mentions}
    text = HTML_COMMENT.sub("", text.replace("\r", ""))
    out: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            continue
        out.append(line if in_fence else _line(line, allowed, links))
    if in_fence:  # an unclosed fence would swallow whatever the bot appends after it
        out.append("```")
    return "\n".join(out)


def _line(line: str, allowed: set[str], links: bool) -> str:
    parts: list[str] = []
    last = 0
    for span in CODE_SPAN.finditer(line):
        parts.append(_prose(line[last : span.start()], allowed, links))
        parts.append(span.group(0))
        last = span.end()
    parts.append(_prose(line[last:], allowed, links))
    return QUICK_ACTION.sub(r"\1\\/", "".join(parts))


def _prose(text: str, allowed: set[str], links: bool) -> str:
    text = IMAGE.sub(_image, text)
    text = TAG.sub(lambda m: m.group(0) if m.group(1).lower() in ALLOWED_TAGS else "", text)
    # What is left of a tag cut in half ("<img src=...") must not start one: escape it.
    text = STRAY_ANGLE.sub("&lt;", text)
    if not links:
        text = LINK.sub(lambda m: m.group("text"), text)
        text = BARE_URL.sub("[link removed]", text)
        text = LABEL_REF.sub("", text)
    return MENTION.sub(
        lambda m: m.group(0) if m.group("name").lower() in allowed else f"`{m.group(0)}`", text
    )


def _image(match: re.Match[str]) -> str:
    url = match.group("url")
    external = url.startswith(("http://", "https://", "//")) or ":" in url.split("/")[0]
    return f"[image: {match.group('alt') or 'removed'}]" if external else match.group(0)


INVISIBLE = re.compile(r"[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
WWW = re.compile(r"\bwww\.\S+|\b(?:javascript|data|vbscript):\S*", re.IGNORECASE)


def quote(text: str, limit: int = 160) -> str:
    """Words of an epic quoted back in a note, as one inert code span.

    A code span is shown as written on every GitLab version and nothing in it links,
    mentions or runs; links and addresses are dropped first so the bot never reposts a
    URL an author put there, and invisible or direction-changing characters go too.
    """
    text = HTML_COMMENT.sub(" ", text)
    text = TAG.sub(" ", text)
    text = IMAGE.sub(lambda m: m.group("alt"), text)
    text = LINK.sub(lambda m: m.group("text"), text)
    text = WWW.sub("…", BARE_URL.sub("…", text))
    text = " ".join(INVISIBLE.sub(" ", text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if not text:
        return "``"
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"
