"""Command-line options several commands share, declared once."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_policies(
    parser: argparse.ArgumentParser, help: str = "policy folder or file (default: policies/)"
) -> None:
    parser.add_argument("--policies", type=Path, default=Path("policies"), metavar="DIR", help=help)


def add_directory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=Path(),
        help="project folder (default: the current one)",
    )


def add_groups(parser: argparse.ArgumentParser, help: str) -> None:
    """``--group PATH``, repeatable: the groups a command works on instead of the policies'."""
    parser.add_argument("--group", action="append", default=[], metavar="PATH", help=help)
