"""Read a watchlist file of ticker symbols (``rotmon import-watchlist FILE``).

Two formats, told apart by the first line that is not blank or a ``#`` comment:

- **CSV**: that line is a header with a ``symbol`` or ``ticker`` column (any case, e.g. ``Symbol``,
  ``Ticker``), separated by commas, semicolons or tabs. The symbols come from that column; other
  columns are ignored; rows whose cells are all empty or whose first cell starts with ``#`` are
  skipped. A record must fit on one line (quoted line breaks are not supported).
- **Plain list**: anything else. Symbols separated by line breaks, commas, semicolons or
  whitespace; ``#`` starts a comment; blank lines are ignored; quotes around a symbol are dropped.

Symbols are normalized with ``tui.config.normalize_symbol`` (stripped, upper-cased Yahoo symbols).
Every bad line is reported once with its 1-based line number (0 means the whole file): invalid
symbols, a row without a symbol, a symbol that is not UTF-8 text (other columns and comments may
be in any encoding), and repeated symbols (kept once; reported at the first repeat). A file over
1 MB, a binary file (a NUL byte, e.g. an .xlsx) or one that is mostly undecodable bytes or control
characters gives one whole-file error and no symbols. Messages show text with ``repr``, so nothing
from the file reaches the terminal as a control sequence. Never raises for bad content.

Only the standard library and ``tui.config`` are imported at module level (no pandas).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tui.config import normalize_symbol

__all__ = ["MAX_WATCHLIST_BYTES", "read_watchlist"]

MAX_WATCHLIST_BYTES = 1_000_000
MAX_REPORTED_LINES = 100
"""At most this many bad lines are reported; a last (0, "... more") entry counts the rest."""

HEADER_NAMES = ("symbol", "ticker")
_DELIMITERS = (",", ";", "\t")
_SEPARATORS_RE = re.compile(r"[\s,;]+")
_BAD_CHAR_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\udc80-\udcff]")  # udcXX: undecodable byte XX
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

Errors = list[tuple[int, str]]


def read_watchlist(path: Path) -> tuple[list[str], Errors]:
    """The valid symbols in ``path`` (unique, in file order) and the bad lines ``(line, reason)``.

    Errors are sorted by line, one entry per line; line 0 is about the whole file.
    """
    data, problem = _read_bytes(Path(path))
    if problem is not None:
        return [], [(0, problem)]
    lines = data.decode("utf-8", errors="surrogateescape").split("\n")
    lines = [line.removesuffix("\r") for line in lines]
    if _looks_binary(lines):
        return [], [(0, "not a text file (mostly not UTF-8 text, or control characters)")]

    bad: dict[int, list[str]] = {}
    numbered = list(enumerate(lines, start=1))
    header = next(((n, t) for n, t in numbered if t.strip() and not _is_comment(t)), None)
    layout = _csv_layout(header[1]) if header is not None else None
    if header is not None and layout is not None:
        found = _csv_symbols([(n, t) for n, t in numbered if n > header[0]], *layout)
    else:
        found = _plain_symbols(numbered)

    symbols: dict[str, int] = {}  # symbol -> first line
    repeats: dict[str, list[int]] = {}
    for number, token in found:
        if isinstance(token, _Bad):
            bad.setdefault(number, []).append(token.reason)
            continue
        if token in symbols:
            repeats.setdefault(token, []).append(number)
        else:
            symbols[token] = number
    for symbol, where in repeats.items():
        again = f"; again on line{'s' if len(where) > 2 else ''} {_join(where[1:])}"
        first = f"first on line {symbols[symbol]}{again if len(where) > 1 else ''}"
        bad.setdefault(where[0], []).append(f"duplicate {symbol} ({first})")
    if not symbols and not bad:
        bad[0] = ["no symbols in the file"]
    return list(symbols), _errors(bad)


# --- reading --------------------------------------------------------------------------------


def _read_bytes(path: Path) -> tuple[bytes, str | None]:
    """The file's bytes without a UTF-8 BOM, or a whole-file problem."""
    try:
        if not path.is_file():  # a FIFO or a device would block or never end
            return b"", "no such file" if not path.exists() else "not a regular file"
        with path.open("rb") as handle:
            data = handle.read(MAX_WATCHLIST_BYTES + 1)
    except OSError as exc:
        return b"", f"cannot read: {exc.strerror or type(exc).__name__}"
    if len(data) > MAX_WATCHLIST_BYTES:
        return b"", f"larger than {MAX_WATCHLIST_BYTES // 1_000_000} MB; not read"
    if data.startswith(_UTF16_BOMS):
        return b"", "UTF-16 text; save it as UTF-8 (or CSV UTF-8)"
    if b"\x00" in data:
        hint = " (a spreadsheet? save it as CSV)" if data.startswith(b"PK\x03\x04") else ""
        return b"", f"a binary file, not a list of symbols{hint}"
    return data.removeprefix(_UTF8_BOM), None


def _looks_binary(lines: list[str]) -> bool:
    """True if undecodable bytes and control characters are over 10% of the visible text.

    A stray Latin-1 accent in a name column or a comment stays well below that and is only
    reported if it is in a symbol.
    """
    bad = sum(len(_BAD_CHAR_RE.findall(line)) for line in lines)
    visible = sum(len(line) - line.count(" ") - line.count("\t") for line in lines)
    return bad >= 8 and bad * 10 > visible


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


class _Bad:
    """A problem found in place of a symbol."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _check(token: str) -> str | _Bad:
    """The normalized symbol, or why ``token`` is not one."""
    token = token.strip().strip("\"'").strip()
    undecodable = re.search(r"[\udc80-\udcff]", token)
    if undecodable:  # surrogateescape keeps the bad byte XX as U+DCXX
        return _Bad(f"not UTF-8 text (byte 0x{ord(undecodable.group()) - 0xDC00:02x})")
    symbol = normalize_symbol(token)
    if symbol is not None:
        return symbol
    hint = ""
    if ":" in token:
        hint = " (drop the exchange prefix; Yahoo symbols look like AAPL, RY.TO, ^VIX)"
    return _Bad(f"{_show(token)} is not a ticker symbol{hint}")


def _plain_symbols(lines: list[tuple[int, str]]) -> list[tuple[int, str | _Bad]]:
    found: list[tuple[int, str | _Bad]] = []
    for number, line in lines:
        content = line.split("#", 1)[0]
        for token in _SEPARATORS_RE.split(content):
            if token.strip().strip("\"'").strip():
                found.append((number, _check(token)))
    return found


def _csv_layout(line: str) -> tuple[str, int, str] | None:
    """(delimiter, column index, column name) if ``line`` is a header naming a symbol column."""
    for delimiter in _DELIMITERS:
        try:
            names = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        for index, name in enumerate(names):
            if name.strip().lower() in HEADER_NAMES:
                return delimiter, index, name.strip()
    return None


def _csv_symbols(
    lines: list[tuple[int, str]], delimiter: str, index: int, column: str
) -> list[tuple[int, str | _Bad]]:
    found: list[tuple[int, str | _Bad]] = []
    for number, line in lines:
        if not line.strip():
            continue
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration) as exc:
            found.append((number, _Bad(f"not a CSV line ({exc})")))
            continue
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        value = cells[index].strip() if index < len(cells) else ""
        if not value:
            found.append((number, _Bad(f"no symbol in column {column!r}")))
        else:
            found.append((number, _check(value)))
    return found


def _show(token: str) -> str:
    """``token`` quoted for a message: control characters escaped, long ones cut."""
    return repr(token if len(token) <= 30 else token[:27] + "...")


def _join(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5])
    return shown + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")


def _errors(bad: dict[int, list[str]]) -> Errors:
    errors = [(number, "; ".join(reasons)) for number, reasons in sorted(bad.items())]
    if len(errors) > MAX_REPORTED_LINES:
        rest = len(errors) - MAX_REPORTED_LINES
        errors = [*errors[:MAX_REPORTED_LINES], (0, f"... and {rest} more bad lines")]
    return errors
