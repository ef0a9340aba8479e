"""Print the JSON Schema of policy files, generated from the registered conditions and actions.

Point an editor at it (a `# yaml-language-server: $schema=...` line) for completion and
inline errors while editing policies.
"""

from __future__ import annotations

import argparse
import json

from triage.errors import EXIT_OK
from triage.policy.schema import policy_schema


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--indent", type=int, default=2, help="JSON indentation (default: 2)")


def run(args: argparse.Namespace) -> int:
    print(json.dumps(policy_schema(), indent=args.indent, sort_keys=False))
    return EXIT_OK
