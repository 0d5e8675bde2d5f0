"""Reading the user's small text files (config, rules, events, themes) safely: a size cap,
UTF-8 with an optional BOM, TOML errors turned into (line, message), only regular files (a FIFO
or device is reported, never read). Nothing is executed.

Each caller wraps the (line, message) into its own problem type and adds what it does next
("; using the defaults", "; theme skipped", ...).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
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


# --- what every file's problems share: where, which key, what ----------------------------------


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong in one of the user's files, with where it is. ``str()`` gives
    ``config.toml:7: groups.Sectors: 'X?Y' is not a ticker symbol`` (the file's name, the line
    when known, the dotted key or column when there is one, then the message)."""

    path: Path
    """The file."""
    line: int | None
    """1-based line in the file, when known."""
    key: str | None
    """Dotted key such as ``refresh.market_hours`` (TOML) or a column (CSV), when known."""
    message: str
    """What is wrong and what was done instead."""

    def __str__(self) -> str:
        where = self.path.name if self.line is None else f"{self.path.name}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


def describe(value: object) -> str:
    """A TOML type name with the value, for messages: ``an integer (5)``, ``a table``."""
    names = [
        (bool, "boolean"),
        (int, "integer"),
        (float, "float"),
        (str, "string"),
        (list, "array"),
        (dict, "table"),
        (datetime, "date-time"),
        (date, "date"),
        (time, "time"),
    ]
    name = next((n for kind, n in names if isinstance(value, kind)), type(value).__name__)
    article = "an" if name[0] in "aeiou" else "a"
    if isinstance(value, list | dict):
        return f"{article} {name}"
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{article} {name} ({text})"


_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_KEY = rf"{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*"
HEADER_RE = re.compile(rf"^[ \t]*\[\[?[ \t]*({_KEY})[ \t]*\]")
ASSIGN_RE = re.compile(rf"^[ \t]*({_KEY})[ \t]*=")


def decode_key(raw: str) -> tuple[str, ...] | None:
    """The parts of a raw TOML key such as ``groups."Size/Style"``, decoded by tomllib itself."""
    try:
        node: object = tomllib.loads(f"{raw} = 0")
    except tomllib.TOMLDecodeError:
        return None
    parts: list[str] = []
    while isinstance(node, dict) and len(node) == 1:
        name, node = next(iter(node.items()))
        parts.append(name)
    return tuple(parts) or None


class ValueScanner:
    """Tracks open brackets and multi-line strings so keys are only looked for at line starts."""

    def __init__(self) -> None:
        self.depth = 0
        self.multiline: str | None = None  # '"""' or "'''" while inside one

    def busy(self) -> bool:
        """True while inside a multi-line array, inline table or string."""
        return self.depth > 0 or self.multiline is not None

    def feed(self, text: str) -> None:
        """Consume one line (or the value part of one)."""
        i, n = 0, len(text)
        while i < n:
            if self.multiline is not None:
                if self.multiline == '"""' and text[i] == "\\":
                    i += 2
                    continue
                if text.startswith(self.multiline, i):
                    i += 3
                    while i < n and text[i] == self.multiline[0]:  # up to 2 quotes before close
                        i += 1
                    self.multiline = None
                    continue
                i += 1
                continue
            c = text[i]
            if c == "#":
                return
            if text.startswith('"""', i) or text.startswith("'''", i):
                self.multiline = text[i : i + 3]
                i += 3
            elif c == '"':
                i += 1
                while i < n and text[i] != '"':
                    i += 2 if text[i] == "\\" else 1
                i += 1
            elif c == "'":
                end = text.find("'", i + 1)
                i = n if end < 0 else end + 1
            else:
                if c in "[{":
                    self.depth += 1
                elif c in "]}":
                    self.depth = max(0, self.depth - 1)
                i += 1


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map every key path defined in valid TOML ``text`` to the 1-based line that defines it."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    scanner = ValueScanner()
    for number, line in enumerate(text.split("\n"), start=1):
        if scanner.busy():
            scanner.feed(line)
            continue
        header = HEADER_RE.match(line)
        if header:
            parts = decode_key(header.group(1))
            if parts is not None:
                table = parts
                for i in range(1, len(parts) + 1):
                    found.setdefault(parts[:i], number)
            continue
        assign = ASSIGN_RE.match(line)
        if assign:
            parts = decode_key(assign.group(1))
            if parts is not None:
                for i in range(1, len(parts) + 1):
                    found.setdefault(table + parts[:i], number)
            scanner.feed(line[assign.end() :])
    return found


def dotted(parts: tuple[str, ...]) -> str:
    """``("groups", "Size/Style")`` -> ``groups."Size/Style"``, as the key would be written."""
    return ".".join(
        p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else '"' + p.replace('"', '\\"') + '"'
        for p in parts
    )
