"""Registries of policy elements: one class per YAML name, found by that name.

A condition or action is a class with a ``name``, a JSON Schema fragment for its value, a
docstring whose ``Example:`` block is valid YAML, and a ``validate`` for what a schema cannot
say (a template that does not exist). The policy JSON Schema, the validator's list of valid
keys and the documentation all come from here, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import yaml


@dataclass(frozen=True)
class ValidationContext:
    """What an element's ``validate`` may consult: the policy file's folder and known names."""

    policy_dir: Path
    prompts_dir: Path


class Element:
    """Base of conditions and actions. ``value`` is the YAML value, already schema-valid."""

    name: ClassVar[str]
    schema: ClassVar[dict[str, Any]]

    def __init__(self, value: Any) -> None:
        self.value = value

    def validate(self, context: ValidationContext) -> list[str]:
        """Problems the schema cannot catch; empty when the element makes sense.

        Named ``validate`` (configuration) to keep it apart from the SMART checker's
        ``check`` (objectives)."""
        return []

    @classmethod
    def example(cls) -> str:
        """The YAML example from the docstring (the text after ``Example:``)."""
        doc = cls.__doc__ or ""
        _, _, example = doc.partition("Example:")
        lines = [line for line in example.splitlines() if line.strip()]
        indent = min((len(line) - len(line.lstrip()) for line in lines), default=0)
        return "\n".join(line[indent:] for line in lines)

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0]

    @classmethod
    def description(cls) -> str:
        """The docstring before its ``Example:``, as one paragraph per blank line."""
        doc, _, _ = (cls.__doc__ or "").partition("Example:")
        paragraphs = [" ".join(p.split()) for p in doc.strip().split("\n\n")]
        return "\n\n".join(p for p in paragraphs if p).replace("``", "`")


E = TypeVar("E", bound=type[Element])


class Registry(Generic[E]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, E] = {}

    def register(self, cls: E) -> E:
        if cls.name in self._items:
            raise ValueError(f"{self.kind} '{cls.name}' is registered twice")
        self._items[cls.name] = cls
        return cls

    def __call__(self, cls: E) -> E:
        return self.register(cls)

    def __getitem__(self, name: str) -> E:
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def items(self) -> list[tuple[str, E]]:
        return sorted(self._items.items())

    def schema(self) -> dict[str, Any]:
        """A JSON Schema object whose properties are the registered elements.

        Each carries its docstring as ``description`` (the first paragraph, which editors
        show on hover) and its docstring example as ``examples``, so the help an editor
        gives is the same text ``policies/README.md`` and the meta-tests hold.
        """
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {
                    **cls.schema,
                    "description": cls.description(),
                    "examples": [yaml.safe_load(cls.example())[name]],
                }
                for name, cls in self.items()
            },
        }
