"""Prompt files: ``prompts/<name>.yml`` (version, system and user templates) and the JSON
Schema every answer must satisfy. Loaded and checked before the first request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from triage.errors import PolicyError

USER_PLACEHOLDERS = {"title", "due_date", "missing", "description"}
# Keywords strict structured-output servers may reject; the full schema is still enforced
# on every answer with jsonschema.
UNSUPPORTED_IN_STRICT = {
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "format",
    "$schema",
    "title",
    "minimum",
    "maximum",
}


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    system: str
    user: str
    schema: dict[str, Any]

    @property
    def identity(self) -> str:
        return f"{self.name}/v{self.version}"

    def strict_schema(self) -> dict[str, Any]:
        stripped: dict[str, Any] = _strip(self.schema)
        return stripped


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in UNSUPPORTED_IN_STRICT}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _inside(path: Path, folder: Path) -> None:
    """Prompt and schema files live in the prompt folder: a ``..`` or a symbolic link out
    of it could send any file the runner can read to the model."""
    if not path.resolve().is_relative_to(folder.resolve()):
        raise PolicyError(f"{path}: outside the prompt folder {folder}; prompts must live in it")


def load_prompt(folder: Path, name: str) -> Prompt:
    """Read and check one prompt; a ``PolicyError`` names the file and what is wrong."""
    path = folder / f"{name}.yml"
    _inside(path, folder)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot read the prompt: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: a prompt file is a mapping with version, system, user")
    for key, kind in (("version", int), ("system", str), ("user", str), ("schema", str)):
        if not isinstance(data.get(key), kind):
            raise PolicyError(f"{path}: '{key}' is required ({kind.__name__})")
    unknown = {
        field for _, field, _, _ in __import__("string").Formatter().parse(data["user"]) if field
    } - USER_PLACEHOLDERS
    if unknown:
        raise PolicyError(
            f"{path}: unknown placeholder(s) {sorted(unknown)} in 'user' "
            f"(valid: {', '.join(sorted(USER_PLACEHOLDERS))})"
        )
    schema_path = folder / data["schema"]
    _inside(schema_path, folder)
    try:
        schema = json.loads(schema_path.read_text("utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as exc:
        raise PolicyError(f"{schema_path}: not a valid JSON Schema: {exc}") from exc
    return Prompt(name, data["version"], data["system"], data["user"], schema)
