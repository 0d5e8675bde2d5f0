"""Import daily prices from a user's long-format CSV (``rotmon import FILE``).

Format: a header naming ``date,symbol`` and ``close`` and/or ``adj_close``, optionally ``open``,
``high``, ``low``, ``volume``, in any order; one row per symbol and day. Blank fields are unknown;
``adj_close`` falls back to ``close``. Unknown columns are an error (so a misspelt ``adj close``
is not silently dropped). Every bad row is reported with its 1-based line number (the header is
line 1; 0 means the whole file) and the valid rows are still imported.

A row is bad if its date is before 1900 or after the next weekday after today (a file from a
time zone ahead of ours may hold tomorrow's session, never next year's); if a price is not a
finite number, not positive (yields and indices, ``^…``, may be zero or negative) or absurd
(beyond 1e9, or a positive price under 1e-8); if high is below low; or if it repeats an earlier
line's symbol and day.

The file is streamed: :func:`import_csv` reads a line at a time and the cache takes the rows in
batches inside one transaction, so memory stays bounded whatever the file's size (only the first
:data:`MAX_ERRORS` messages are kept; :attr:`ImportResult.error_count` counts them all). Either
every valid row reaches the cache file, or none does and :attr:`ImportResult.saved` is False with
:attr:`ImportResult.why`.
"""

from __future__ import annotations

import csv
import math
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

from tui.data.cache import Cache, NotSaved
from tui.fileio import UnsafeTarget, open_regular

COLUMNS = ("date", "symbol", "open", "high", "low", "close", "adj_close", "volume")
PRICE_FIELDS = ("open", "high", "low", "close", "adj_close")

_SYMBOL_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,14}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_NONFINITE = {"nan", "inf", "infinity"}
_BOM = b"\xef\xbb\xbf"

EARLIEST = date(1900, 1, 1)
"""The earliest date a row may carry."""
MAX_PRICE = 1e9
"""Larger prices (or index levels, in absolute value) are taken as a broken file."""
MIN_PRICE = 1e-8
"""A positive price below this is taken as a broken file (crypto tokens go to ~1e-5)."""
MAX_VOLUME = 1e15
MAX_ERRORS = 1000
"""Bad-row messages kept in :attr:`ImportResult.errors`; the rest are only counted."""
PROGRESS_EVERY = 0.5
"""Seconds between two progress callbacks."""
_ORD_EARLIEST = EARLIEST.toordinal()


def latest_allowed(today: date | None = None) -> date:
    """The latest date a row may carry: the next weekday after ``today`` (default: today)."""
    day = (today or date.today()) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Progress:
    """How far an import is: for a progress line on a terminal (never when piped)."""

    rows: int
    """Valid rows so far."""
    lines: int
    """Lines read so far."""
    bytes_read: int
    bytes_total: int
    seconds: float
    """Since the import began."""
    done: bool = False

    @property
    def rate(self) -> float:
        """Rows per second so far."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_read / self.bytes_total) if self.bytes_total else 1.0

    @property
    def eta(self) -> float | None:
        """Seconds left, from the bytes still to read; None until there is a rate."""
        if self.done:
            return 0.0
        if self.bytes_read <= 0 or self.seconds <= 0:
            return None
        return self.seconds * (self.bytes_total - self.bytes_read) / self.bytes_read

    def line(self) -> str:
        """'1,234,567 rows · 210,512 rows/s · 45% · ETA 0:12' (done: 'in 0:20')."""
        if self.done:
            tail = f"in {_clock(self.seconds)}"
        else:
            eta = self.eta
            tail = f"ETA {_clock(eta)}" if eta is not None else "ETA ?"
        return f"{self.rows:,} rows · {self.rate:,.0f} rows/s · {self.fraction:.0%} · {tail}"


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class ImportResult:
    """What an import found and did.

    ``rows`` holds the parsed rows only for :func:`parse_price_csv` (an import streams them);
    ``errors`` the first :data:`MAX_ERRORS` (line, message) pairs, ``error_count`` all of them;
    ``valid`` the valid rows; ``written`` the rows stored. ``saved`` is True when the valid
    rows reached the cache file (trivially, if there were none and the cache is on its file);
    False with ``why`` (one line) when they did not — nothing of the file is then in the cache
    file.
    """

    rows: list[tuple] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    symbols: set[str] = field(default_factory=set)
    written: int = 0
    valid: int = 0
    error_count: int = 0
    saved: bool = True
    why: str | None = None

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))


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
    fields: list[str], pos: dict[str, int], problems: list[str], latest: date
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
            when = date.fromisoformat(day)
        except ValueError:
            problems.append(f"bad date {day!r} (no such day)")
        else:
            if when < EARLIEST:
                problems.append(f"date {day} is before {EARLIEST.isoformat()}")
            elif when > latest:
                problems.append(f"date {day} is in the future (after {latest.isoformat()})")

    symbol = get("symbol").upper()
    if not symbol:
        problems.append("missing symbol")
    elif not _SYMBOL_RE.match(symbol):
        problems.append(f"bad symbol {get('symbol')!r}")

    prices = {name: _parse_number(name, get(name), problems) for name in PRICE_FIELDS}
    # Yields and some indices (^IRX, ^TNX) can be zero or negative; prices cannot.
    signed = symbol.startswith("^")
    for name, value in prices.items():
        if value is None:
            continue
        if not signed and value <= 0:
            problems.append(f"{name} must be positive, got {get(name)}")
        elif abs(value) > MAX_PRICE:
            problems.append(f"{name} {get(name)} is too large to be a price (over {MAX_PRICE:g})")
        elif not signed and value < MIN_PRICE:
            problems.append(f"{name} {get(name)} is too small to be a price (under {MIN_PRICE:g})")
    high, low = prices["high"], prices["low"]
    if high is not None and low is not None and high < low:
        problems.append(f"high {get('high')} is below low {get('low')}")
    volume = _parse_number("volume", get("volume"), problems)
    if volume is not None and volume < 0:
        problems.append(f"volume must not be negative, got {get('volume')}")
    elif volume is not None and volume > MAX_VOLUME:
        problems.append(f"volume {get('volume')} is too large (over {MAX_VOLUME:g})")
    if not get("close") and not get("adj_close"):
        problems.append("needs close or adj_close")

    if problems:
        return None
    adj = prices["adj_close"] if prices["adj_close"] is not None else prices["close"]
    numbers = (prices["open"], prices["high"], prices["low"], prices["close"], adj, volume)
    return symbol, day, numbers


class _Days:
    """Which (symbol, day) pairs were seen: one bit per day since 1900 for each symbol, so
    four million rows of 500 symbols take 3 MB, not the 1 GB of a set of tuples."""

    def __init__(self, latest: date) -> None:
        self.size = latest.toordinal() - _ORD_EARLIEST + 1
        self.bits: dict[str, bytearray] = {}

    def add(self, symbol: str, day: str) -> bool:
        """Mark it; False if it was already marked."""
        bits = self.bits.get(symbol)
        if bits is None:
            bits = self.bits[symbol] = bytearray((self.size + 7) // 8)
        n = date.fromisoformat(day).toordinal() - _ORD_EARLIEST
        byte, mask = n >> 3, 1 << (n & 7)
        if bits[byte] & mask:
            return False
        bits[byte] |= mask
        return True


class _Reader:
    """One pass over a price CSV: yields valid rows, records problems in ``result``."""

    def __init__(
        self,
        handle: BinaryIO,
        result: ImportResult,
        *,
        size: int,
        today: date | None,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        self.handle = handle
        self.result = result
        self.size = size
        self.latest = latest_allowed(today)
        self.progress = progress
        self.began = time.monotonic()
        self.bytes_read = 0
        self.lines = 0
        # Duplicates: (line, index in result.errors or -1, key) to name the earlier line after.
        self.duplicates: list[tuple[int, int, tuple[str, str]]] = []

    def rows(self) -> Iterator[tuple]:
        result = self.result
        pos: dict[str, int] | None = None
        seen = _Days(self.latest)
        next_report = self.began + PROGRESS_EVERY
        head = self.handle.read(8192)
        self.handle.seek(0)
        if not head.removeprefix(_BOM).strip() and len(head) < 8192:
            result.add_error(0, "file is empty (a header line is required)")
            return
        if b"\x00" in head:
            result.add_error(0, "not a CSV text file (binary, or UTF-16 rather than UTF-8)")
            return
        for lineno, raw in enumerate(self.handle, start=1):
            self.lines = lineno
            self.bytes_read += len(raw)
            if self.progress is not None and lineno % 4096 == 0:
                now = time.monotonic()
                if now >= next_report:
                    next_report = now + PROGRESS_EVERY
                    self.progress(self._progress(now))
            if lineno == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            raw = raw.rstrip(b"\n").rstrip(b"\r")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                result.add_error(lineno, f"not UTF-8 text (byte {raw[exc.start]:#04x})")
                if pos is None:  # no header to go on: nothing else can be read
                    return
                continue
            if pos is None:
                if not line.strip():
                    result.add_error(lineno, "header line is empty")
                    return
                pos, problem = _parse_header(line)
                if problem is not None:
                    result.add_error(lineno, problem)
                    return
                continue
            if not line.strip():
                continue
            try:
                fields = next(csv.reader([line]))
            except (csv.Error, StopIteration) as exc:
                result.add_error(lineno, f"not a CSV line ({exc})")
                continue
            if not any(f.strip() for f in fields):  # a row of empty cells, as spreadsheets write
                continue
            if len(fields) != len(pos):
                result.add_error(lineno, f"expected {len(pos)} fields, found {len(fields)}")
                continue
            problems: list[str] = []
            parsed = _parse_row(fields, pos, problems, self.latest)
            if parsed is None:
                result.add_error(lineno, "; ".join(problems))
                continue
            symbol, day, numbers = parsed
            if not seen.add(symbol, day):
                index = len(result.errors) if len(result.errors) < MAX_ERRORS else -1
                result.add_error(lineno, f"duplicate of an earlier line ({symbol} {day})")
                self.duplicates.append((lineno, index, (symbol, day)))
                continue
            result.valid += 1
            result.symbols.add(symbol)
            yield (symbol, day, *numbers)

    def _progress(self, now: float, done: bool = False) -> Progress:
        return Progress(
            rows=self.result.valid,
            lines=self.lines,
            bytes_read=self.bytes_read,
            bytes_total=self.size,
            seconds=now - self.began,
            done=done,
        )

    def finish(self) -> None:
        """A last progress report (done), then the earlier line of each duplicate."""
        if self.progress is not None:
            self.progress(self._progress(time.monotonic(), done=True))

    def name_duplicates(self, path: Path) -> None:
        """Second, partial pass, only if there were duplicates: the first valid line of each
        repeated (symbol, day), up to the last duplicate's line."""
        wanted = {key for _, index, key in self.duplicates if index >= 0}
        if not wanted:
            return
        stop = max(line for line, _, _ in self.duplicates)
        first: dict[tuple[str, str], int] = {}
        scratch = ImportResult()
        try:
            with open_regular(path) as handle:
                again = _Reader(handle, scratch, size=0, today=None, progress=None)
                again.latest = self.latest
                lines = iter(again.rows())
                for row in lines:
                    key = (row[0], row[1])
                    if key in wanted and key not in first:
                        first[key] = again.lines
                        if len(first) == len(wanted):
                            break
                    if again.lines >= stop:
                        break
        except OSError:
            return
        for line, index, key in self.duplicates:
            if index >= 0 and key in first:
                self.result.errors[index] = (
                    line,
                    f"duplicate of line {first[key]} ({key[0]} {key[1]})",
                )


def _open_csv(path: Path, result: ImportResult) -> tuple[BinaryIO | None, int]:
    try:
        handle = open_regular(path)
    except UnsafeTarget as exc:
        result.add_error(0, f"cannot read {path}: it {exc}")
        return None, 0
    except OSError as exc:
        result.add_error(0, f"cannot read {path}: {exc.strerror or exc}")
        return None, 0
    try:
        size = os.fstat(handle.fileno()).st_size
    except OSError:
        size = 0
    return handle, size


def parse_price_csv(path: Path, *, today: date | None = None) -> ImportResult:
    """Read and validate a price CSV, keeping its rows in ``rows``; never raises for bad
    content or an unreadable file. For small files: :func:`import_csv` streams instead."""
    result = ImportResult()
    handle, size = _open_csv(Path(path), result)
    if handle is None:
        return result
    with handle:
        reader = _Reader(handle, result, size=size, today=today, progress=None)
        result.rows.extend(reader.rows())
    reader.name_duplicates(Path(path))
    return result


def import_csv(
    cache: Cache,
    path: Path,
    *,
    today: date | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> ImportResult:
    """Stream ``path`` into the cache: its valid rows upserted (source ``csv:<file name>``,
    blank fields keeping the cached values) in one transaction. Never raises for the file's
    content or the cache's state; see :class:`ImportResult` for what it reports.

    ``progress`` is called about twice a second while the file is read, and once at the end
    with ``done=True`` — show it only on a terminal. ``today`` fixes the clock for the date
    check (default: the local date).
    """
    result = ImportResult()
    path = Path(path)
    handle, size = _open_csv(path, result)
    if handle is None:
        result.saved = False
        result.why = result.errors[0][1] if result.errors else f"cannot read {path}"
        return result
    with handle:
        reader = _Reader(handle, result, size=size, today=today, progress=progress)
        if not cache.persisted:  # still read the file, so every bad row is reported
            for _ in reader.rows():
                pass
            result.saved = False
            result.why = cache.unsaved_reason
        else:
            rows = reader.rows()
            try:
                result.written = cache.import_rows(rows, source=f"csv:{path.name}", merge=True)
            except NotSaved as exc:
                result.written = 0
                result.saved = False
                result.why = str(exc)
                for _ in rows:  # read on, so every bad row is still reported
                    pass
        reader.finish()
    reader.name_duplicates(path)
    return result


def prune(
    cache: Cache, after: date | None = None, symbols: Sequence[str] | None = None
) -> dict[str, int]:
    """Remove cached rows dated after ``after`` (None: every date) of ``symbols`` (None:
    every symbol), in one transaction — for a user who imported a bad file. Returns rows
    removed per symbol. Symbols are normalised as an import does (``spy`` is ``SPY``).

    Raises ``ValueError`` if both are None (that would empty the cache) and
    :class:`tui.data.cache.NotSaved` if the removal cannot reach the cache file (in-memory or
    read-only cache, full disk): then nothing was removed.
    """
    if after is None and symbols is None:
        raise ValueError("prune needs a date (after) or symbols, or both")
    names = None if symbols is None else [s.strip().upper() for s in symbols if s.strip()]
    if names == []:
        raise ValueError("prune needs at least one symbol")
    return cache.delete_prices(names, None if after is None else after.isoformat())
