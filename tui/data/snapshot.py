"""The bundled offline snapshot: daily prices, sector holdings and Fed calendars in the package.

Files (copied from the project's shared data; its README states sources and caveats):
``prices_daily.csv.gz`` (the universe), ``holdings_prices_daily.csv.gz`` (adjusted closes of the
sector ETFs' top holdings; UNH and ED have none), ``factors_daily.csv.gz`` (ten style/factor
ETFs: MTUM QUAL USMV VLUE SIZE IWD IWF SPHB SPLV MGK, adjusted closes only),
``sector_holdings.csv`` (top 15 of each Select Sector SPDR, as of 2025-11-18 or earlier),
``spy_top_holdings.csv`` (SPY's 20 largest holdings, State Street's file of 2025-11-18) and the
Fed calendars.

Seeding copies snapshot rows into the cache with INSERT-missing, so it never overwrites data
fetched later, and remembers (in cache meta) which symbols it has seeded so a later start does
not decompress the files again.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gzip
import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.data.cache import Cache
from tui.universe import FACTOR_ETFS

if TYPE_CHECKING:
    import pandas as pd

SNAPSHOT_DIR = Path(__file__).parent / "snapshot"
PRICES_FILE = SNAPSHOT_DIR / "prices_daily.csv.gz"
HOLDINGS_PRICES_FILE = SNAPSHOT_DIR / "holdings_prices_daily.csv.gz"
HOLDINGS_FILE = SNAPSHOT_DIR / "sector_holdings.csv"
FACTORS_FILE = SNAPSHOT_DIR / "factors_daily.csv.gz"
SPY_HOLDINGS_FILE = SNAPSHOT_DIR / "spy_top_holdings.csv"
FACTOR_SYMBOLS: tuple[str, ...] = FACTOR_ETFS
"""The factor ETFs in :data:`FACTORS_FILE`, in the data README's order."""
FOMC_FILE = SNAPSHOT_DIR / "fomc_meetings.csv"
FED_RANGE_FILE = SNAPSHOT_DIR / "fed_target_range.csv"

SNAPSHOT_SOURCE = "snapshot"
SNAPSHOT_FETCHED_AT = "2026-08-03"  # the day the snapshot was downloaded (data README)

_PRICE_FIELDS = ("open", "high", "low", "close", "adj_close", "volume")
_SEED_META_PREFIX = "snapshot.seeded."


@dataclass(frozen=True)
class Holding:
    """One top holding of a sector ETF, with its weight in percent."""

    etf: str
    symbol: str
    name: str
    weight_pct: float
    as_of: str


def _num(text: str) -> float | None:
    return float(text) if text else None


def iter_price_rows(path: Path, symbols: Collection[str] | None = None) -> Iterator[tuple]:
    """Stream price-row tuples from a ``date,symbol,open,...,volume`` csv.gz (blank -> None).

    With ``symbols``, rows of other symbols are skipped before their numbers are parsed.
    """
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        pos = {name.strip(): i for i, name in enumerate(header)}
        i_date, i_sym = pos["date"], pos["symbol"]
        i_num = [pos[name] for name in _PRICE_FIELDS]
        for rec in reader:
            if not rec:
                continue
            symbol = rec[i_sym]
            if symbols is not None and symbol not in symbols:
                continue
            yield (symbol, rec[i_date], *(_num(rec[i]) for i in i_num))


def _seed(cache: Cache, path: Path, symbols: Iterable[str] | None) -> int:
    """Insert-missing the rows of ``path`` for symbols not seeded from it yet."""
    key = _SEED_META_PREFIX + path.name
    fingerprint = path.stat().st_size  # a different bundled file re-seeds (still insert-only)
    done: set[str] = set()
    complete = False
    raw = cache.get_meta(key)
    if raw:
        # An unreadable record just means "not seeded yet": seeding is insert-only anyway.
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            state = json.loads(raw)
            if state.get("size") == fingerprint:
                done = set(state.get("symbols", []))
                complete = bool(state.get("complete", False))

    if symbols is None:
        if complete:
            return 0
        wanted: set[str] | None = None
    else:
        wanted = set(symbols) - done
        if complete or not wanted:
            return 0

    seen: set[str] = set()

    def rows() -> Iterator[tuple]:
        for row in iter_price_rows(path, wanted):
            seen.add(row[0])
            yield row

    inserted = cache.insert_missing(rows(), SNAPSHOT_SOURCE, SNAPSHOT_FETCHED_AT)
    # Requested symbols the file lacks count as seeded too: reading again would not find them.
    done |= seen | (wanted or set())
    state = {"size": fingerprint, "symbols": sorted(done), "complete": wanted is None}
    cache.set_meta(key, json.dumps(state))
    return inserted


def seed_cache(cache: Cache, symbols: Iterable[str] | None = None) -> int:
    """Insert-missing bundled universe rows (all symbols, or ``symbols``), the factor ETFs'
    from their own file; returns rows inserted."""
    wanted = None if symbols is None else list(symbols)
    inserted = _seed(cache, PRICES_FILE, wanted)
    factors = list(FACTOR_SYMBOLS) if wanted is None else [s for s in wanted if s in FACTOR_SYMBOLS]
    if factors:
        inserted += _seed(cache, FACTORS_FILE, factors)
    return inserted


def seed_holdings(cache: Cache, symbols: Iterable[str]) -> int:
    """Insert-missing bundled holdings closes for ``symbols``; returns rows inserted."""
    return _seed(cache, HOLDINGS_PRICES_FILE, symbols)


def seed_factors(cache: Cache, symbols: Iterable[str] = FACTOR_SYMBOLS) -> int:
    """Insert-missing bundled factor-ETF closes for ``symbols``; returns rows inserted."""
    return _seed(cache, FACTORS_FILE, symbols)


def load_closes(path: Path = PRICES_FILE, symbols: Collection[str] | None = None) -> pd.DataFrame:
    """Adjusted closes of a bundled price file as a wide frame: DatetimeIndex ``date``, one
    float column per symbol (file order), NaN where a symbol has no row. For analytics that
    work on the bundled data directly (breadth, concentration, benchmarks); the app itself reads
    the cache. Symbols the file lacks are simply absent (UNH and ED in the holdings file).
    """
    import pandas as pd

    frame = pd.read_csv(
        path,
        usecols=["date", "symbol", "adj_close"],
        dtype={"date": str, "symbol": str, "adj_close": float},
    )
    if symbols is not None:
        frame = frame[frame["symbol"].isin(set(symbols))]
    order = list(dict.fromkeys(frame["symbol"]))
    wide = frame.pivot(index="date", columns="symbol", values="adj_close")
    wide = wide.reindex(columns=order)
    wide.index = pd.DatetimeIndex(wide.index, name="date")
    wide.columns.name = None
    return wide.sort_index()


def load_spy_holdings(path: Path | None = None) -> list[Holding]:
    """SPY's 20 largest holdings from State Street's file of 2025-11-18, heaviest first."""
    return load_holdings(path or SPY_HOLDINGS_FILE).get("SPY", [])


def load_holdings(path: Path | None = None) -> dict[str, list[Holding]]:
    """ETF -> its bundled top holdings, heaviest first (ETFs in file order)."""
    out: dict[str, list[Holding]] = {}
    with open(path or HOLDINGS_FILE, encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle):
            holding = Holding(
                etf=rec["etf"].strip(),
                symbol=rec["symbol"].strip(),
                name=rec["name"].strip(),
                weight_pct=float(rec["weight_pct"]),
                as_of=rec["as_of"].strip(),
            )
            out.setdefault(holding.etf, []).append(holding)
    for holdings in out.values():
        holdings.sort(key=lambda h: h.weight_pct, reverse=True)
    return out


def holdings_symbols() -> list[str]:
    """Every bundled holding: the sector ETFs' members (file order, heaviest first within a
    sector), then SPY's top 20 not among them; each once. What the holdings refresh asks."""
    members = [h.symbol for rows in load_holdings().values() for h in rows]
    return list(dict.fromkeys([*members, *(h.symbol for h in load_spy_holdings())]))


def _last_date(path: Path) -> str:
    last = ""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        if not next(handle, "").startswith("date,"):  # not the documented layout: parse fully
            return max((row[1] for row in iter_price_rows(path)), default="")
        for line in handle:
            day = line[:10]
            if day > last:
                last = day
    return last


@functools.cache
def snapshot_last_date() -> str:
    """The last date in the bundled universe prices (computed once per process)."""
    return _last_date(PRICES_FILE)
