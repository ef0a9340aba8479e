"""How GitLab reads a note body: which lines are quick actions and who is mentioned.

This mirrors ``Gitlab::QuickActions::Extractor``: a command is a line that starts with
``/`` (no indent) and a known command name; fenced code blocks, HTML blocks and comments,
``>>>`` quote blocks and ``>`` quotes are skipped, and inline code never starts with ``/``.
Known command lines are removed from the saved body even when they change nothing; unknown
``/word`` lines stay. Mentions are ``@name`` outside code spans and code
blocks, as GitLab's reference filter ignores text inside ``code`` and ``pre``.

Two Markdown engines differ on a backslash: the current one marks escaped reference
characters and its reference filters skip them (``lib/banzai/filter/escaped_char_filter.rb``),
so ``\\@all`` notifies nobody; the older engine has no such filter and ``\\@all`` notifies
everyone. ``ENGINES`` names both; the sandbox runs either (``Options.markdown_engine``).
References (``group/project#1``, ``&2``, ``!3``) outside code and links put a "mentioned
in" system note on what they name, as GitLab's cross-references do.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

FENCE = re.compile(r"^(```|~~~)")
HTML_OPEN = re.compile(r"^<([a-zA-Z][a-zA-Z0-9-]*)[^>]*>\s*$")
QUOTE_BLOCK = ">>>"
COMMAND = re.compile(r"^/(?P<cmd>[a-z_]+)(?:[ ]+(?P<arg>.*?))?\s*$", re.IGNORECASE)
MENTION = re.compile(
    r"(?<![\w@`/.])@(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-/]*[A-Za-z0-9_]|[A-Za-z0-9_])"
)
ENGINES = ("current", "legacy")
ESCAPES = re.compile(r"(\\+)([@#&!$%])")  # a backslash run before a sigil
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
REFERENCE = re.compile(
    r"(?<![\w`/.&#!])(?P<path>[A-Za-z][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*)?"
    r"(?P<sigil>[#&!])(?P<iid>\d+)\b"
    r"|\[epic:(?:(?P<epath>[A-Za-z][\w.-]*(?:/[\w.-]+)*)/)?(?P<eiid>\d+)\]"
)
LINK = re.compile(r"\[[^\]]*\]\([^)]*\)|\b(?:https?|ftp)://\S+|\bwww\.\S+")
INLINE_CODE = re.compile(r"(`+)(?:.+?)\1")
LABEL_ARG = re.compile(r'~"(?P<quoted>[^"]+)"|~(?P<plain>[^\s~]+)|(?P<bare>[^\s~]+)')


@dataclass(frozen=True)
class Command:
    name: str
    arg: str


def _prose_lines(text: str) -> list[tuple[str, bool]]:
    """Split ``text`` into lines, each flagged True when GitLab treats it as prose.

    Lines inside fenced code (```` ``` ```` or ``~~~``), HTML blocks, HTML comments and
    ``>>>`` quote blocks are not prose, nor are their opening and closing lines. A ``>``
    quote swallows the non-blank lines that follow it (Markdown's lazy continuation), so
    ``> text`` followed by ``/close`` quotes the command instead of running it.
    """
    result: list[tuple[str, bool]] = []
    closer: str | None = None
    in_quote = False
    for line in text.replace("\r", "").split("\n"):
        if closer is not None:
            result.append((line, False))
            if _closes(line, closer):
                closer = None
            continue
        fence = FENCE.match(line)
        html = HTML_OPEN.match(line)
        if fence:
            closer = fence.group(1)
        elif line.strip() == QUOTE_BLOCK:
            closer = QUOTE_BLOCK
        elif line.startswith("<!--") and "-->" not in line:
            closer = "-->"
        elif html:
            closer = f"</{html.group(1)}>"
        in_quote = line.startswith(">") or (in_quote and bool(line.strip()))
        result.append((line, closer is None and not in_quote))
    return result


def _closes(line: str, closer: str) -> bool:
    if closer in ("```", "~~~"):
        return line.startswith(closer)
    if closer == "-->":
        return "-->" in line
    return line.strip() == closer


def extract_commands(text: str, known: frozenset[str]) -> tuple[str, list[Command]]:
    """Return the body GitLab would save and the quick actions it would run, in order."""
    kept: list[str] = []
    commands: list[Command] = []
    for line, prose in _prose_lines(text):
        match = COMMAND.match(line) if prose else None
        if match and match.group("cmd").lower() in known:
            commands.append(Command(match.group("cmd").lower(), (match.group("arg") or "").strip()))
            continue
        kept.append(line)
    return "\n".join(kept).rstrip(), commands


def _live_text(line: str, engine: str) -> str:
    """What GitLab's reference filters read of a line: no code spans, character references
    decoded; under the current engine a sigil after an odd run of backslashes is escaped
    (an even run is literal backslashes), the legacy engine has no such filter."""
    line = INLINE_CODE.sub("", line)
    for _ in range(8):
        if not ENTITY.search(line):
            break
        line = html.unescape(line)
    if engine == "current":
        return ESCAPES.sub(lambda m: "" if len(m.group(1)) % 2 else m.group(2), line)
    return line.replace("\\", "")


def mentions(text: str, engine: str = "current") -> list[str]:
    """Names mentioned with ``@`` outside code, in order of first appearance."""
    found: list[str] = []
    for line, _prose in _code_free_lines(text):
        for match in MENTION.finditer(_live_text(line, engine)):
            name = match.group("name")
            if name not in found:
                found.append(name)
    return found


@dataclass(frozen=True)
class Reference:
    """``path`` (empty: the text's own group or project), ``&`` epic, ``#`` issue,
    ``!`` merge request, and the iid."""

    path: str
    sigil: str
    iid: int


def references(text: str, engine: str = "current") -> list[Reference]:
    """References to other records outside code and links, in order, each once."""
    found: list[Reference] = []
    for line, _prose in _code_free_lines(text):
        for match in REFERENCE.finditer(LINK.sub(" ", _live_text(line, engine))):
            if match.group("eiid"):
                ref = Reference(match.group("epath") or "", "&", int(match.group("eiid")))
            else:
                ref = Reference(
                    match.group("path") or "", match.group("sigil"), int(match.group("iid"))
                )
            if ref not in found:
                found.append(ref)
    return found


def _code_free_lines(text: str) -> list[tuple[str, bool]]:
    """Lines outside fenced code blocks (quotes and HTML still notify in GitLab)."""
    lines: list[tuple[str, bool]] = []
    in_fence: str | None = None
    for line in text.replace("\r", "").split("\n"):
        fence = FENCE.match(line)
        if in_fence is not None:
            if fence and fence.group(1) == in_fence:
                in_fence = None
            continue
        if fence:
            in_fence = fence.group(1)
            continue
        if line.startswith("    ") or line.startswith("\t"):
            continue
        lines.append((line, True))
    return lines


def label_names(arg: str) -> list[str]:
    """Label names from a ``/label`` argument: ``~name``, ``~"two words"`` or bare words."""
    names: list[str] = []
    for match in LABEL_ARG.finditer(arg):
        name = match.group("quoted") or match.group("plain") or match.group("bare")
        if name:
            names.append(name)
    return names
