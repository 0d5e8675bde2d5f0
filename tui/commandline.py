"""What every rotmon command shares: the program name, usage errors, the common options.

Its own module (standard library only) so that `tui.cli` and `tui.serve` both build on it
without importing each other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

PROG = "rotmon"


class UsageError(Exception):
    """A mistake in how rotmon was called or what it was given: exit 2 with one line."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--config", metavar="PATH", type=Path, default=default, help="config file to use"
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        default=default,
        help="cache directory (default: $ROTMON_CACHE_DIR or the user cache dir)",
    )


def warn(message: str) -> None:
    """One line on stderr, prefixed with the program name."""
    print(f"{PROG}: {message}", file=sys.stderr)
