"""Recorded price rows for the refresh benchmarks: the bundled snapshot, scaled copies of it for a
large universe, caches built from them, and a provider that serves them the way Yahoo would.

Shared by `run.py` (refresh cost in-process) and `refresh_app.py` (the app refreshing in a
terminal). Nothing here reaches the network.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.data.yahoo import FetchResult

N_SYMBOLS = 500
NEW_DAYS = 5  # trading days the refresh brings: the cache under refresh lacks the last ones
YEARS = 10  # history of the 500-symbol universe
NOW = datetime(2026, 8, 3, 14, 0, tzinfo=UTC)  # the Monday after the snapshot's last day
OVERLAP_DAYS = 10  # run_refresh's default overlap: the provider must hold this much before


class RecordedProvider:
    """Serves recorded daily rows as `FetchResult`s, the way `YahooProvider.fetch` answers.

    The rows are real: the bundled snapshot's (or scaled copies of them). The cache under test
    holds history up to `NEW_DAYS` trading days before the snapshot's end; a fetch returns every
    recorded row of the asked symbols from `start` on, i.e. the overlap the refresh checks for
    re-adjustment plus the days the cache lacks, exactly as Yahoo would for a cache that is a
    week behind.
    """

    name = "recorded"

    def __init__(self, rows: dict[str, list[tuple]]) -> None:
        self.rows = rows
        self.dates = {s: [r[1] for r in series] for s, series in rows.items()}

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        from tui.data.yahoo import FetchResult

        lo, hi = start.isoformat(), (end.isoformat() if end else "9999-12-31")
        out: list[tuple] = []
        failed: dict[str, str] = {}
        for symbol in symbols:
            dates = self.dates.get(symbol)
            if not dates:
                failed[symbol] = "no data returned"
                continue
            i, j = bisect.bisect_left(dates, lo), bisect.bisect_right(dates, hi)
            out.extend(self.rows[symbol][i:j])
        return FetchResult(out, failed, None)


def snapshot_series() -> dict[str, list[tuple]]:
    """The bundled universe prices, then the factor ETFs' (MTUM … MGK, a file of their own),
    per symbol, date-ordered: every symbol of the default config, as `seed_cache` seeds it."""
    from tui.data.snapshot import FACTORS_FILE, PRICES_FILE, iter_price_rows

    series: dict[str, list[tuple]] = {}
    for path in (PRICES_FILE, FACTORS_FILE):
        for row in iter_price_rows(path):
            series.setdefault(row[0], []).append(row)
    for rows in series.values():
        rows.sort(key=lambda r: r[1])
    return series


def derived_series(real: dict[str, list[tuple]], n: int) -> dict[str, list[tuple]]:
    """`n` series: the real ones, then copies scaled by 0.6, 0.7, … and suffixed `_01`, `_02`, …"""
    out = dict(real)
    k = 0
    while len(out) < n:
        k += 1
        factor = 0.5 + 0.1 * k
        for base, rows in real.items():
            if len(out) >= n:
                break
            name = f"{base}_{k:02d}"
            out[name] = [
                (name, r[1], *(None if v is None else v * factor for v in r[2:7]), r[7])
                for r in rows
            ]
    return out


def last_years(series: dict[str, list[tuple]], first_day: str) -> dict[str, list[tuple]]:
    return {s: [r for r in rows if r[1] >= first_day] for s, rows in series.items()}


def cutoff_day(real: dict[str, list[tuple]]) -> str:
    """The last day the cache under refresh holds: `NEW_DAYS` trading days before the end."""
    spy_dates = [r[1] for r in real["SPY"]]
    return spy_dates[-NEW_DAYS - 1]


def first_day(real: dict[str, list[tuple]]) -> str:
    """The first trading day of the last `YEARS` years (the 500-symbol universe's history)."""
    spy_dates = [r[1] for r in real["SPY"]]
    end = spy_dates[-1]
    start = f"{int(end[:4]) - YEARS}{end[4:]}"
    return min(d for d in spy_dates if d > start)


def build_cache(path: Path, series: dict[str, list[tuple]], upto: str) -> tuple[float, int]:
    """A cache file holding every row dated <= `upto`; returns (seconds, rows written)."""
    from tui.data.cache import Cache
    from tui.data.snapshot import SNAPSHOT_FETCHED_AT, SNAPSHOT_SOURCE

    def rows() -> Iterator[tuple]:
        for symbol_rows in series.values():
            for row in symbol_rows:
                if row[1] <= upto:
                    yield row

    t = time.perf_counter()
    with Cache(path) as cache:
        written = cache.upsert_prices(rows(), SNAPSHOT_SOURCE, SNAPSHOT_FETCHED_AT)
    return time.perf_counter() - t, written
