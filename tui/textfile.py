"""Reading the user's small text files (config, rules, events, themes) safely: a size cap,
UTF-8 with an optional BOM, TOML errors turned into (line, message), only regular files (a FIFO
or device is reported, never read). Nothing is executed.

Each caller wraps the (line, message) into its own problem type and adds what it does next
("; using the defaults", "; theme skipped", ...).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tui.fileio import UnsafeTarget, open_regular

Problem = tuple[int | None, str]
"""(1-based line or None, message without the caller's consequence)."""

_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END_RE = re.compile(r"\s*\(at end of document\)\s*$")


def read_text(path: Path, max_bytes: int) -> tuple[str | None, Problem | None]:
    """The file's text; (None, None) if it does not exist; (None, problem) if unusable.

    A path that is not a regular file (a FIFO, a device, a directory, a socket) is a problem
    ("is a FIFO (named pipe), not a regular file") and is never opened for a read that could
    block: see :func:`tui.fileio.open_regular`.
    """
    try:
        with open_regular(path) as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return None, None
    except UnsafeTarget as exc:
        return None, (None, str(exc))
    except OSError as exc:
        return None, (None, f"cannot read: {exc.strerror or type(exc).__name__}")
    if len(data) > max_bytes:
        size = (
            f"{max_bytes // 1_000_000} MB" if max_bytes >= 1_000_000 else f"{max_bytes // 1000} kB"
        )
        return None, (None, f"larger than {size}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return None, (line, f"not UTF-8 text (byte 0x{bad})")


def toml_problem(text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    """tomllib's error as (line, 'invalid TOML: … (column N)')."""
    message = str(exc)
    line: int | None = None
    position = _TOML_POSITION_RE.search(message)
    if position:
        line = int(position.group(1))
        message = f"{message[: position.start()]} (column {position.group(2)})"
    elif _TOML_END_RE.search(message):
        line = text.count("\n") + (0 if text.endswith("\n") else 1) or 1
        message = f"{_TOML_END_RE.sub('', message)} (at end of file)"
    return line, f"invalid TOML: {message}"


def parse_toml(text: str) -> tuple[dict | None, Problem | None]:
    """tomllib's result, or (None, (line, message))."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        return None, toml_problem(text, exc)
