"""Read an objective's Markdown into labelled blocks and unlabelled prose.

CSMs write objectives in every shape: the handbook template (headings), Gainsight fields
(``**Metrics:** ...``), ``Label: value`` lines and bullets, tables (a header row, or a first
column of row labels), and plain prose. This module finds the labels and their content; it
does not judge them. Empty content (TBD, hints, HTML comments) is removed here, so a
heading with nothing real under it yields an empty block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from triage.smart.lexicon import lexicon

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<label>.+?)\s*#*\s*$")
# What may open a field's line: a bullet (Japanese too), a number, a quote, a task box.
LINE_MARK = r"^\s*(?:[-*+•]\s+|・\s*|\d+[.)]\s+|>\s*)?(?:\[[ xX]\]\s+)?"
BOLD_FIELD = re.compile(
    LINE_MARK + r"\*\*(?P<label>[^*\n]{1,60}?)"
    r"(?::\*\*|\*\*\s*[:\u2013\u2014-])\s*(?P<value>.*)$"
)
# Labels in any script ("Verantwortlich:", "Échéance :", "担当者："); a full-width colon too.
PLAIN_FIELD = re.compile(
    LINE_MARK + r"(?P<label>[^\W\d_][^\W_]*(?:[ /&()'.-]+[^\W_]+){0,5}?)"
    r"\s*(?:[:=]\s+|：\s*)(?P<value>\S.*)$"
)
# A short label alone on its line ("2) goal", "Current state"), with its text below.
# Every run of blanks follows a required mark: optional blanks next to optional blanks
# let a line of spaces be split in n^4 ways before the end fails (10 s for 400 spaces).
LABEL_LINE = re.compile(
    r"^[ \t]*(?:\d+[.)][ \t]*)?(?:\*\*|__)?"
    r"(?P<label>[^\W\d_][\w&/-]*(?:[ \t]+[\w&/-]+){0,3})"
    r"(?:[ \t]*[:：])?(?:[ \t]*(?:\*\*|__))?(?:[ \t]*[:：])?[ \t]*$"  # "**Key results**" too
)
TABLE_ROW = re.compile(r"^\s*\|(?P<cells>.*)\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# A comment alone on its line goes with its line (see ``parse``); one line only, so the
# search never runs past a line's end.
COMMENT_LINE = re.compile(r"^[ \t]*<!--[^\n]*?-->[ \t]*\n", re.MULTILINE)


def strip_comments(text: str) -> str:
    """``text`` without HTML comments, in one pass: a regular expression tried from every
    unclosed ``<!--`` would scan to the end each time (6 s for 12,500 of them). An
    unclosed comment runs to the end of the text, as a browser renders it."""
    out: list[str] = []
    at = 0
    while (start := text.find("<!--", at)) != -1:
        out.append(text[at:start])
        end = text.find("-->", start + 4)
        if end == -1:
            return "".join(out)
        at = end + 3
    out.append(text[at:])
    return "".join(out)


HINT = re.compile(r"^\s*(?:<[^>]{3,}>|\[[^\]]{3,}\]|_[^_]{3,}_|\*[^*]{3,}\*)\s*$")
HINT_WORDS = re.compile(
    r"(?<![A-Za-z])(describe|enter|add|insert|fill in|write|list|explain|e\.g\.|placeholder)"
    r"(?![A-Za-z])",
    re.IGNORECASE,
)


@dataclass
class Block:
    """Text under a label: a heading's section, a field's value, a table column or row.

    ``placeholder`` says a place-holding token (``<value>``, ``YYYY-MM-DD``, ``@username``)
    was taken out of the text: what is left must state the element by itself.
    """

    label: str
    text: str
    kind: str  # heading, field, column, row
    placeholder: bool = False


@dataclass
class Parsed:
    blocks: list[Block] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)  # lines under no label
    headings: list[str] = field(default_factory=list)


def normalise_label(label: str) -> str:
    """Lowercase words only: ``1. **Baseline metrics** (today):`` -> ``baseline metrics today``."""
    label = re.sub(r"[*_`#:]", " ", label)
    label = re.sub(r"^\s*\d+[.)]?\s*", "", label)
    label = re.sub(r"[^\w\s/&-]", " ", label.lower())
    return " ".join(label.split())


SEPARATORS = re.compile(r"\s[-–—]\s|[,;()（）]|\s/\s")
DECORATION = " _*`~.:!-–—\t"


def is_placeholder(text: str) -> bool:
    """Text that only holds the place of an element, in any language: ``TBD``,
    ``_TBD - CSM to collect_``, ``<value>``, ``Not agreed yet``, ``未定`` ..."""
    words = lexicon()
    rest = words.placeholder_token.sub(" ", text)
    for piece in SEPARATORS.split(rest):
        core = piece.strip(DECORATION)
        # "k.A." and "n.a." end in a dot that is part of the placeholder
        if core and not (
            words.placeholder.fullmatch(core) or words.placeholder.fullmatch(piece.strip())
        ):
            return False
    return True


def leads_with_placeholder(text: str) -> bool:
    """Text whose first clause only holds a place, the rest saying how it will be filled:
    "pendiente, la recogeremos en la primera sesión", "to be measured on 2027-02-01"."""
    first = re.split(r"[,;:.。、（(]|\s[-–—]\s", text.strip(), maxsplit=1)[0]
    return bool(lexicon().placeholder.match(first.strip(DECORATION)))


def is_empty_line(line: str) -> bool:
    """A line that says nothing: placeholders, template hints, separators.

    A hint is an italic, bracketed or ``<...>`` line that instructs ("_Describe ..._") or
    asks ("_When?_").
    """
    stripped = line.strip()
    if not stripped or is_placeholder(stripped.lstrip("-*+ ")):
        return True
    if re.fullmatch(r"<[^<>]*\s[^<>]*>", stripped):  # "<current value>", not "<details>"
        return True
    if not HINT.match(stripped):
        return False
    # Instructions ("_Describe ..._") or questions ("_When?_"): the template's hint. An
    # italic line may be the answer ("_Maria Lopez_"), so that alone is no hint.
    return bool(HINT_WORDS.search(stripped)) or stripped.rstrip("_*]>").endswith("?")


def clean(text: str) -> str:
    """``text`` without HTML comments and lines that only hold a placeholder or a hint."""
    text = strip_comments(text)
    kept = [line.rstrip() for line in text.splitlines() if not is_empty_line(line)]
    return "\n".join(kept).strip()


def clean_value(value: str) -> str:
    value = clean(value)
    return "" if re.fullmatch(r"[\W_]*", value) else value


def labelled(label: str, value: str, kind: str) -> Block:
    """A block whose place-holding tokens are taken out of its text (and remembered)."""
    text = clean_value(value)
    tokens = lexicon().placeholder_token
    if tokens.search(text):
        return Block(normalise_label(label), clean_value(tokens.sub("", text)), kind, True)
    return Block(normalise_label(label), text, kind)


# An address in a field's value: a pasted email's From:/De:/Von: header, whose label is
# no element ("De" heads a baseline column in a from/to table).
EMAIL_HEADER = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,63}")
# A label with nothing after its colon ("Due Date:"): the next field, left empty.
EMPTY_FIELD = re.compile(r"^\s*(?:\*\*)?[^\W\d_][\w &/()'.-]{0,40}[:：]\s*(?:\*\*)?\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]\s|・|\d+[.)]\s)")
# A pasted chat's time stamps ("[10:42] Joana Ferreira: ..."): the time is no number of
# the objective's, and the speaker's name is no label.
CHAT_STAMP = re.compile(
    r"^[ \t]*\[\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]m)?\][ \t]*", re.IGNORECASE | re.MULTILINE
)


def parse(description: str) -> Parsed:
    parsed = Parsed()
    # A line that only held a comment goes whole: left blank, it would end the label
    # above it ("**Business impact**" over the template's hint, then the text).
    text = strip_comments(COMMENT_LINE.sub("", description.replace("\r", "")))
    lines = CHAT_STAMP.sub("", text).split("\n")
    current: Block | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            parsed.blocks.append(labelled(current.label, "\n".join(body), current.kind))

    index = 0
    while index < len(lines):
        line = lines[index]
        heading = HEADING.match(line)
        if heading:
            close()
            label = heading.group("label").strip()
            parsed.headings.append(label)
            current, body = Block(label, "", "heading"), []
            index += 1
            continue
        if TABLE_ROW.match(line):
            end = index
            while end < len(lines) and TABLE_ROW.match(lines[end]):
                end += 1
            _table(lines[index:end], parsed)
            if current:  # a section keeps its table's data cells, not the header's labels
                body.extend(" ".join(_cells(row)) for row in lines[index + 2 : end])
            index = end
            continue
        field_match = BOLD_FIELD.match(line) or PLAIN_FIELD.match(line)
        follows = index + 1 < len(lines) and lines[index + 1].strip()
        if field_match is None and follows and not current:
            field_match = LABEL_LINE.match(line)
        if field_match and EMAIL_HEADER.search(field_match.groupdict().get("value") or ""):
            field_match = None  # "De: Gustavo Lima <g.lima@example.com>" is a pasted header
        if field_match:
            value = field_match.groupdict().get("value") or ""
            follow = index + 1
            if not value.strip():  # a label on its own line: the value is what follows
                follow = _value_below(lines, follow, parsed)
                value = "\n".join(lines[index + 1 : follow])
            parsed.blocks.append(labelled(field_match.group("label"), value, "field"))
            if current:  # outside a section, a field's text lives in its block only
                body.extend(lines[index:follow])
            # The lines taken as the value are not read again: reading each one again as
            # a label made an epic of many short lines quadratic.
            index = follow
            continue
        (body if current else parsed.prose).append(line)
        index += 1
    close()
    parsed.prose = [p for p in (clean(text) for text in _paragraphs(parsed.prose)) if p]
    return parsed


def _value_below(lines: list[str], follow: int, parsed: Parsed) -> int:
    """Where the value of a label alone on its line ends: at a blank line, a heading or
    the next field. A list under the label is its value whole, even where an item reads
    as a field ("- [x] Baseline captured: 312 plans"): that item is also its own block."""
    listed = follow < len(lines) and bool(LIST_ITEM.match(lines[follow]))
    while follow < len(lines) and lines[follow].strip():
        line = lines[follow]
        inner = BOLD_FIELD.match(line) or PLAIN_FIELD.match(line)
        if HEADING.match(line) or (inner and not listed) or EMPTY_FIELD.match(line):
            break
        if listed and not LIST_ITEM.match(line):
            break
        if inner and inner.group("value").strip():
            parsed.blocks.append(labelled(inner.group("label"), inner.group("value"), "field"))
        follow += 1
    return follow


def _paragraphs(lines: list[str]) -> list[str]:
    """Consecutive non-blank lines, kept together so a wrapped sentence stays whole."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return ["\n".join(p) for p in paragraphs if p]


def _cells(line: str) -> list[str]:
    match = TABLE_ROW.match(line)
    return [c.strip() for c in match.group("cells").split("|")] if match else []


def _table(rows: list[str], parsed: Parsed) -> None:
    """Column blocks from a header row, and row blocks from first-column labels."""
    if len(rows) >= 2 and TABLE_RULE.match(rows[1]):
        header, data = _cells(rows[0]), [_cells(r) for r in rows[2:]]
    else:
        header, data = [], [_cells(r) for r in rows]
    # A two-column table whose first column holds labels ("| Baseline | 4 hours |") is read
    # by rows only: its header ("| Item | Detail |") names no element.
    by_rows = len(header) == 2 and any(len(row) >= 2 and row[0] for row in data)
    for column, label in enumerate([] if by_rows else header):
        values = [row[column] for row in data if column < len(row)]
        if label.strip():
            parsed.blocks.append(labelled(label, "\n".join(values), "column"))
    for row in data if not header or not header[0].strip() or len(header) == 2 else []:
        if len(row) >= 2 and row[0]:
            parsed.blocks.append(labelled(row[0], " | ".join(row[1:]), "row"))
    if header and len(header) == 2 and header[0].strip():
        parsed.blocks.append(labelled(header[0], header[1], "row"))
