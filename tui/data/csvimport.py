"""Import daily prices from a user's long-format CSV (``rotmon import FILE``).

Format: a header naming ``date,symbol`` and ``close`` and/or ``adj_close``, optionally ``open``,
``high``, ``low``, ``volume``, in any order; one row per symbol and day. Blank fields are unknown;
``adj_close`` falls back to ``close``. Unknown columns are an error (so a misspelt ``adj close``
is not silently dropped). Every bad row is reported with its 1-based line number (the header is
line 1; 0 means the whole file) and the valid rows are still imported.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tui.data.cache import Cache

COLUMNS = ("date", "symbol", "open", "high", "low", "close", "adj_close", "volume")
PRICE_FIELDS = ("open", "high", "low", "close", "adj_close")

_SYMBOL_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,14}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_NONFINITE = {"nan", "inf", "infinity"}
_BOM = b"\xef\xbb\xbf"


@dataclass
class ImportResult:
    """Parsed rows (price-row tuples), per-line errors, the symbols seen, rows written."""

    rows: list[tuple] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    symbols: set[str] = field(default_factory=set)
    written: int = 0


def _header_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _parse_number(name: str, text: str, problems: list[str]) -> float | None:
    text = text.strip()
    if not text:
        return None
    if not _NUMBER_RE.match(text):
        kind = "not a finite number" if text.lower().lstrip("+-") in _NONFINITE else "not a number"
        problems.append(f"{name} {text!r} is {kind}")
        return None
    value = float(text)
    if not math.isfinite(value):
        problems.append(f"{name} {text!r} is not a finite number")
        return None
    return value


def _parse_header(line: str) -> tuple[dict[str, int] | None, str | None]:
    """Column positions from the header line, or an error message."""
    try:
        names = [_header_name(n) for n in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return None, "header is not a CSV line"
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        shown = ", ".join(repr(n) for n in unknown)
        return None, f"unknown column(s) {shown}; expected some of {','.join(COLUMNS)}"
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        return None, f"column(s) named twice: {', '.join(dupes)}"
    missing = [n for n in ("date", "symbol") if n not in names]
    if "close" not in names and "adj_close" not in names:
        missing.append("close or adj_close")
    if missing:
        return None, f"header lacks {', '.join(missing)} (found {','.join(names) or 'nothing'})"
    return {n: i for i, n in enumerate(names)}, None


def _parse_row(
    fields: list[str], pos: dict[str, int], problems: list[str]
) -> tuple[str, str, tuple[float | None, ...]] | None:
    """Validate one record's fields; problems are appended, None if the row is unusable."""

    def get(name: str) -> str:
        i = pos.get(name)
        return fields[i].strip() if i is not None else ""

    day = get("date")
    if not day:
        problems.append("missing date")
    elif not _DATE_RE.match(day):
        problems.append(f"bad date {day!r} (expected YYYY-MM-DD)")
    else:
        try:
            date.fromisoformat(day)
        except ValueError:
            problems.append(f"bad date {day!r} (no such day)")

    symbol = get("symbol").upper()
    if not symbol:
        problems.append("missing symbol")
    elif not _SYMBOL_RE.match(symbol):
        problems.append(f"bad symbol {get('symbol')!r}")

    prices = {name: _parse_number(name, get(name), problems) for name in PRICE_FIELDS}
    # Yields and some indices (^IRX, ^TNX) can be zero or negative; prices cannot.
    if not symbol.startswith("^"):
        for name, value in prices.items():
            if value is not None and value <= 0:
                problems.append(f"{name} must be positive, got {get(name)}")
    volume = _parse_number("volume", get("volume"), problems)
    if volume is not None and volume < 0:
        problems.append(f"volume must not be negative, got {get('volume')}")
    if not get("close") and not get("adj_close"):
        problems.append("needs close or adj_close")

    if problems:
        return None
    adj = prices["adj_close"] if prices["adj_close"] is not None else prices["close"]
    numbers = (prices["open"], prices["high"], prices["low"], prices["close"], adj, volume)
    return symbol, day, numbers


def parse_price_csv(path: Path) -> ImportResult:
    """Read and validate a price CSV; never raises for bad content or an unreadable file."""
    result = ImportResult()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        result.errors.append((0, f"cannot read {path}: {exc.strerror or exc}"))
        return result
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip():
        result.errors.append((0, "file is empty (a header line is required)"))
        return result
    if b"\x00" in data[:8192]:
        result.errors.append((0, "not a CSV text file (binary, or UTF-16 rather than UTF-8)"))
        return result

    pos: dict[str, int] | None = None
    seen: dict[tuple[str, str], int] = {}
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            result.errors.append((lineno, f"not UTF-8 text (byte {raw[exc.start]:#04x})"))
            if pos is None:  # no header to go on: nothing else can be read
                return result
            continue
        if pos is None:
            if not line.strip():
                result.errors.append((lineno, "header line is empty"))
                return result
            pos, problem = _parse_header(line)
            if problem is not None:
                result.errors.append((lineno, problem))
                return result
            continue
        if not line.strip():
            continue
        try:
            fields = next(csv.reader([line]))
        except (csv.Error, StopIteration) as exc:
            result.errors.append((lineno, f"not a CSV line ({exc})"))
            continue
        if not any(f.strip() for f in fields):  # a row of empty cells, as spreadsheets write
            continue
        if len(fields) != len(pos):
            result.errors.append((lineno, f"expected {len(pos)} fields, found {len(fields)}"))
            continue
        problems: list[str] = []
        parsed = _parse_row(fields, pos, problems)
        if parsed is None:
            result.errors.append((lineno, "; ".join(problems)))
            continue
        symbol, day, numbers = parsed
        earlier = seen.get((symbol, day))
        if earlier is not None:
            result.errors.append((lineno, f"duplicate of line {earlier} ({symbol} {day})"))
            continue
        seen[(symbol, day)] = lineno
        result.rows.append((symbol, day, *numbers))
        result.symbols.add(symbol)
    return result


def import_csv(cache: Cache, path: Path) -> ImportResult:
    """Parse ``path`` and upsert its valid rows (source ``csv:<file name>``) in one transaction."""
    result = parse_price_csv(path)
    if result.rows:
        # Merge: a blank field in the file keeps the cached value, never erases it.
        result.written = cache.upsert_prices(
            result.rows, source=f"csv:{Path(path).name}", merge=True
        )
    return result
