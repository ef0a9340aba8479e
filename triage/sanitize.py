"""The one sanitizer every posted text passes: nothing the bot posts can act in GitLab.

GitLab runs a quick action for any line that starts with ``/`` and a command, notifies
everyone ``@mentioned`` (``@all`` notifies a whole group), renders raw HTML and loads
external images (a tracking pixel). Epic text and LLM output are written by people outside
the bot's control, so before posting:

- lines starting with ``/`` get a backslash (``\\/close`` renders as ``/close``, runs nothing);
- ``@name`` and ``\\@name`` become ``` `@name` ``` (a code span: shown, not a link, no
  notification), except the one owner the caller allows. A backslash alone is not enough:
  GitLab's current Markdown engine marks escaped reference characters and its reference
  filters skip them (``lib/banzai/filter/escaped_char_filter.rb``), the older engine has no
  such filter and notifies; no version looks for mentions inside code;
- references to other issues, epics and merge requests (``group/project#1``, ``&2``,
  ``!3``, ``[epic:2]``) become code spans too: GitLab puts a "mentioned in" note on whatever
  a posted text references, so a word in an epic must not reach into another customer's
  issue. Character references are decoded first, as GitLab's filters see them decoded.
  The text of a Markdown link is left to the link, as GitLab's reference filters skip it;
- HTML comments go (so no text can forge the bot's marker), raw HTML tags go except a few
  structural ones the bot's own templates use, and images from other hosts are replaced by
  their alt text.

Code spans and fenced code are left alone: GitLab neither runs nor links anything there;
but a line in a ``~~~`` fence that starts with ``/`` still gets its backslash, as GitLab
versions before the Markdown-aware extractor run it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

ALLOWED_TAGS = {"details", "summary", "sub", "br", "b", "i", "em", "strong"}
FENCE = re.compile(r"^\s*(```|~~~)")
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
TAG = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)\b[^>]*>")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
# A run of backslashes before the sigil is taken with it: one escapes the sigil only on
# the current engine, two are a literal backslash and a live sigil on both.
MENTION = re.compile(
    r"(?<![\w@`/.\\])\\*@(?P<name>[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]|[A-Za-z0-9_])"
)
# GitLab's references that put a "mentioned in" note on what they name
# (``doc/user/markdown.md``, "GitLab-specific references"): an optional ``group/project``
# path, then ``#`` issue (or epic, for work items), ``&`` epic, ``!`` merge request; and the
# ``[kind:ref]`` forms (``[epic:2]``, ``[work_item:1]``, ``[vulnerability:1]``). Milestone
# (``%``) and snippet (``$``) references leave no note and are ordinary prose here
# ("50%", "$50k").
PATH = r"(?:[A-Za-z][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*)?"
REFERENCE = re.compile(
    r"(?<![\w`/.&#!\\])(?:" + PATH + r"\\*[#&!]\d+" + r"|\[[a-z_]+:[^\]\n]{1,80}\])"
)
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
STRAY_ANGLE = re.compile(r"<(?!/?(?:" + "|".join(sorted(ALLOWED_TAGS)) + r")\b[^<>]*>)")
QUICK_ACTION = re.compile(r"^(\s*)/")
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)]*)\)")
BARE_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.[^\s<>]+", re.IGNORECASE)
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
LABEL_REF = re.compile(r"(?<![\w`])~(?=\"|[A-Za-z])")


def sanitize(text: str, allowed_mentions: Iterable[str] = (), links: bool = True) -> str:
    """``text`` made inert: see the module docstring. ``links=False`` also drops links
    and ``~label`` references (for LLM output, which may not introduce either)."""
    allowed = {name.lower() for name in allowed_mentions}
    text = HTML_COMMENT.sub("", text.replace("\r", ""))
    out: list[str] = []
    fence: str | None = None  # the open fence's mark
    for line in text.split("\n"):
        opening = FENCE.match(line)
        if opening and fence in (None, opening.group(1)):
            fence = None if fence else opening.group(1)
            out.append(line)
        elif fence == "~~~":
            # GitLab's quick action extractor skips only what sits between backticks
            # (lib/gitlab/quick_actions/extractor.rb, INLINE_CODE_REGEX); versions before
            # its Markdown pass run a command inside a ~~~ fence
            out.append(QUICK_ACTION.sub(r"\1\\/", line))
        else:
            out.append(line if fence else _line(line, allowed, links))
    if fence:  # an unclosed fence would swallow whatever the bot appends after it
        out.append(fence)
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
    text = _decoded(text)
    text = IMAGE.sub(_image, text)
    text = TAG.sub(lambda m: m.group(0) if m.group(1).lower() in ALLOWED_TAGS else "", text)
    # What is left of a tag cut in half ("<img src=...") must not start one: escape it.
    text = STRAY_ANGLE.sub("&lt;", text)
    if not links:
        text = LINK.sub(lambda m: m.group("text"), text)
        text = BARE_URL.sub("[link removed]", text)
        text = LABEL_REF.sub("", text)
    return _outside_links(_mentions(text, allowed), _references)


def _mentions(text: str, allowed: set[str]) -> str:
    def inert(match: re.Match[str]) -> str:
        name = match.group("name")
        return f"@{name}" if name.lower() in allowed else f"`@{name}`"

    return MENTION.sub(inert, text)


def _references(text: str) -> str:
    return REFERENCE.sub(lambda m: f"`{m.group(0).replace(BACKSLASH, '')}`", text)


BACKSLASH = "\\"


def _outside_links(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied outside Markdown links: the text of a link is a link to GitLab's
    reference filters, which skip it, and its address must stay whole. (The address itself
    may still name an epic or issue: the bot's own links, such as the summary's, do.)"""
    parts: list[str] = []
    last = 0
    for link in LINK.finditer(text):
        parts.append(change(text[last : link.start()]))
        parts.append(link.group(0))
        last = link.end()
    parts.append(change(text[last:]))
    return "".join(parts)


def _decoded(text: str) -> str:
    """Character references decoded until none is left: GitLab's filters read decoded
    text, so ``&#64;all`` (or ``&amp;#64;all`` decoded once) is ``@all`` to them."""
    for _ in range(8):
        if not ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


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
