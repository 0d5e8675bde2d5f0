"""Which sector a holding is in, and the S&P 500's own sector weights, from bundled files.

- ``snapshot/sector_holdings.csv``: the top 15 holdings of each Select Sector SPDR ETF (State
  Street, as of 2025-11-18 or earlier). A stock listed there belongs to that ETF's sector.
- ``snapshot/spy_sector_weights.csv``: the S&P 500's GICS sector weights as of 2025-11-28 from
  the Schwab Center for Financial Research with data from S&P Dow Jones Indices, rounded to
  0.1 % (they add up to 100.2 %; :func:`load_spy_sector_weights` rescales them to 100 %). SPY
  tracks the S&P 500, so these stand for SPY's weights. They are *not* derived from
  ``spy_top_holdings.csv``: its 20 names are under half of SPY and hold no industrial, utility,
  materials or real-estate stock. As a check, SPY's weight of a stock over its weight in its
  sector ETF gives the sector's share for uncapped names: JPM 1.4565 / 11.1815 = 13.0 %
  (file: 13.1 %), LLY 1.4487 / 14.7783 = 9.8 % (file: 9.8 %) — tests/test_positions.py.
- :data:`KNOWN_SECTORS`: the GICS sector of the universe's own stocks and of KRE, which no
  bundled file lists (regional banks are Financials; AAON and Construction Partners are
  Industrials).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from tui.data.snapshot import SNAPSHOT_DIR, load_holdings

__all__ = [
    "KNOWN_SECTORS",
    "SECTOR_NAMES",
    "SPY_WEIGHTS_FILE",
    "SectorWeights",
    "load_spy_sector_weights",
    "stock_sectors",
]

SPY_WEIGHTS_FILE = SNAPSHOT_DIR / "spy_sector_weights.csv"

SECTOR_NAMES: dict[str, str] = {
    "XLK": "Information Technology",
    "XLF": "Financials",
    "XLC": "Communication Services",
    "XLY": "Consumer Discretionary",
    "XLV": "Health Care",
    "XLI": "Industrials",
    "XLP": "Consumer Staples",
    "XLE": "Energy",
    "XLU": "Utilities",
    "XLRE": "Real Estate",
    "XLB": "Materials",
}
"""Each Select Sector SPDR ETF and the GICS sector it holds (the 11 sectors, largest first in
the S&P 500 of 2025-11-28)."""

KNOWN_SECTORS: dict[str, str] = {
    "KRE": "XLF",
    "CFG": "XLF",
    "RF": "XLF",
    "ZION": "XLF",
    "AAON": "XLI",
    "ROAD": "XLI",
}
"""Universe symbols without a bundled holdings row: their GICS sector, as a sector ETF."""


@dataclass(frozen=True)
class SectorWeights:
    """A benchmark's weight in each sector (fractions adding up to 1), with where from."""

    weights: dict[str, float]
    """Sector ETF -> fraction of the benchmark."""
    as_of: str
    """ISO date of the weights."""
    source: str
    """Who published them."""
    raw_total_pct: float
    """What the published, rounded figures added up to before rescaling (e.g. 100.2)."""


@functools.cache
def load_spy_sector_weights(path: Path | None = None) -> SectorWeights:
    """The bundled S&P 500 sector weights, rescaled to add up to 1."""
    with open(path or SPY_WEIGHTS_FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    raw = {r["etf"].strip(): float(r["weight_pct"]) for r in rows}
    total = sum(raw.values())
    source = rows[0]["source"].split(" (")[0] if rows else ""
    return SectorWeights(
        weights={etf: pct / total for etf, pct in raw.items()},
        as_of=rows[0]["as_of"].strip() if rows else "",
        source=source,
        raw_total_pct=round(total, 4),
    )


@functools.cache
def stock_sectors() -> tuple[dict[str, str], str]:
    """Stock -> the sector ETF whose bundled top holdings list it (plus :data:`KNOWN_SECTORS`),
    and the holdings' date. A stock listed by two ETFs goes to the one it weighs most in."""
    best: dict[str, tuple[float, str]] = {}
    as_of = ""
    for etf, holdings in load_holdings().items():
        if etf not in SECTOR_NAMES:
            continue
        for h in holdings:
            as_of = max(as_of, h.as_of)
            if h.symbol not in best or h.weight_pct > best[h.symbol][0]:
                best[h.symbol] = (h.weight_pct, etf)
    mapping = {symbol: etf for symbol, (_, etf) in sorted(best.items())}
    for symbol, etf in KNOWN_SECTORS.items():
        mapping.setdefault(symbol, etf)
    return mapping, as_of
