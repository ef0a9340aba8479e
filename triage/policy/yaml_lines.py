"""YAML loading that remembers where every key and list item was written.

Errors must point at a line (``policies/x.yml:14: ...``), so the loader keeps a map from
each value's path (``("rules", 0, "conditions", "labels")``) to its 1-based line. It also
refuses duplicate keys, which YAML parsers otherwise resolve silently by keeping the last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int, int]] = field(default_factory=list)

    def line(self, path: Path_) -> int:
        """The line of ``path``, or of its nearest written ancestor."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str, excerpt: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.excerpt = excerpt


def excerpt(text: str, line: int, column: int) -> str:
    """The offending line and a caret under ``column`` (both 0-based), as editors show it.

    A tab is shown as a space so the caret stays under the character it points at."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return ""
    number = str(line + 1)
    gutter = " " * len(number)
    shown = lines[line].replace("\t", " ")
    return f"  {number} | {shown}\n  {gutter} | {' ' * column}^"


MAX_ALIASES = 50  # a policy needs few if any; a few hundred bytes of nested aliases expand
# to gigabytes ("billion laughs"), so they are counted before anything is built
MAX_CHARS = 1_000_000


def _count_aliases(text: str) -> None:
    """Refuse a document with more aliases than a policy needs, before it is built."""
    seen = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken):
                seen += 1
                if seen > MAX_ALIASES:
                    raise YamlSyntaxError(
                        token.start_mark.line + 1,
                        f"more than {MAX_ALIASES} YAML aliases (*name): write the values out "
                        "instead (nested aliases can expand without end)",
                    )
    except yaml.YAMLError:
        return  # the parse below reports the syntax error with its line


def _hint(text: str, exc: yaml.MarkedYAMLError) -> str:
    """The usual fix for the two mistakes people make most when editing YAML by hand."""
    mark = exc.problem_mark or exc.context_mark
    lines = text.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "\t" in line or "found character '\\t'" in str(exc.problem):
        return " (hint: YAML indents with spaces, not tabs)"
    if "mapping values are not allowed" in str(exc.problem):
        return " (hint: a value with ': ' in it must be quoted, e.g. title: \"Goal: faster\")"
    return ""


def load(text: str) -> LocatedYaml:
    """Parse one YAML document, with lines; raises ``YamlSyntaxError`` on bad YAML, a
    file over ``MAX_CHARS`` or one with more than ``MAX_ALIASES`` aliases."""
    if len(text) > MAX_CHARS:
        raise YamlSyntaxError(
            1, f"the file has {len(text):,} characters; a policy file may have {MAX_CHARS:,}"
        )
    _count_aliases(text)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the unfinished construct began (an unclosed bracket),
        # which is where the fix goes; the problem mark alone may be the end of the file.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark else 1
        column = f", column {mark.column + 1}" if mark else ""
        context = f"{exc.context}: " if exc.context else ""
        problem = str(exc.problem or exc)
        raise YamlSyntaxError(
            line,
            f"YAML syntax error{column}: {context}{problem}{_hint(text, exc)}",
            excerpt(text, mark.line, mark.column) if mark else "",
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"YAML syntax error: {exc}") from exc
    located = LocatedYaml(data)
    if node is not None:
        _walk(node, (), located)
    return located


def _walk(node: yaml.Node, path: Path_, located: LocatedYaml) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                located.duplicates.append(((*path, key), line, seen[key]))
            seen[key] = line
            located.lines[(*path, key)] = line
            _walk(value_node, (*path, key), located)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            located.lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), located)
