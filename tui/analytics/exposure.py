"""Your book against the rotation: value and P&L per position, exposure by sector vs SPY. Pure.

Inputs are plain: positions (anything with ``symbol``, ``quantity`` and ``cost_basis`` — see
:class:`tui.data.positions.Position`), a wide frame of adjusted closes (DatetimeIndex, one
column per symbol, as ``Cache.read_closes`` returns), a stock -> sector-ETF map and the
benchmark's sector weights (:mod:`tui.data.sectors`).

Figures, per position, on the symbol's own last two rows on or before ``as_of``:

- value = quantity × last close; day P&L = quantity × (last − previous close), day % = day P&L
  / |quantity × previous close|; total P&L = quantity × (last − cost basis), total % = total
  P&L / |quantity × cost basis| (n/a without a cost basis). Closes are adjusted, so the last
  close is the quoted price but a day that went ex-dividend shows the move without the
  dividend.
- weight = value / the book's value (the sum over priced positions, shorts negative).

Sector exposure looks through what it can: a sector ETF is all in its sector; SPY is split by
the S&P 500's sector weights; a stock goes to the sector of the sector ETF whose bundled top
holdings list it (or :data:`tui.data.sectors.KNOWN_SECTORS`); everything else — QQQ, IWM,
bonds, a stock no bundled list holds — is listed under ``not_looked_through`` with its weight,
never guessed. Each sector row gives the book's weight, SPY's, and the difference in
percentage points; :func:`tag_sectors` adds the RRG quadrant and RS trend the caller has.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import pandas as pd

from tui.format import MINUS, TREND_ARROWS

__all__ = [
    "STANCE_BAND_PTS",
    "Book",
    "PositionFigures",
    "SectorExposure",
    "book_exposure",
    "book_to_dict",
    "default_look_through",
    "spy_book",
    "drift_weights",
    "sector_label",
    "tag_sectors",
]

STANCE_BAND_PTS = 1.0
"""Within this many percentage points of SPY a sector reads "in line"."""


class PositionLike(Protocol):
    symbol: str
    quantity: float
    cost_basis: float | None


@dataclass(frozen=True)
class PositionFigures:
    """One position's figures (None where a price or the cost is missing)."""

    symbol: str
    quantity: float
    cost_basis: float | None
    last_date: str | None
    close: float | None
    prev_close: float | None
    value: float | None
    weight: float | None
    """Fraction of the book's value."""
    day_pnl: float | None
    day_pct: float | None
    total_pnl: float | None
    total_pct: float | None
    sectors: dict[str, float]
    """Sector ETF -> fraction of this position in that sector (empty: not looked through)."""
    stale: bool
    """Its last close is older than the book's newest."""


@dataclass(frozen=True)
class SectorExposure:
    """The book against the benchmark in one sector."""

    sector: str
    """Sector ETF, e.g. ``XLK``."""
    name: str
    book_weight: float
    """Fraction of the book's value in this sector."""
    bench_weight: float
    """Fraction of the benchmark in this sector."""
    diff_pts: float
    """(book − benchmark) in percentage points: +12.0 = 12 points overweight."""
    quadrant: str | None = None
    """RRG quadrant, set by :func:`tag_sectors`."""
    rs_trend: str | None = None
    """RS trend state (up/down/mixed/n/a), set by :func:`tag_sectors`."""

    @property
    def stance(self) -> str:
        """``overweight``, ``underweight`` or ``in line``."""
        if abs(self.diff_pts) < STANCE_BAND_PTS:
            return "in line"
        return "overweight" if self.diff_pts > 0 else "underweight"


@dataclass(frozen=True)
class Book:
    """All positions, the totals and the sector exposure."""

    as_of: str | None
    positions: list[PositionFigures]
    total_value: float | None
    day_pnl: float | None
    day_pct: float | None
    total_pnl: float | None
    """Over the positions with a cost basis."""
    total_pct: float | None
    cost: float | None
    """Σ quantity × cost basis over the positions with one."""
    sectors: list[SectorExposure]
    not_looked_through: list[dict[str, Any]]
    """``{"symbol", "weight", "reason"}`` for the value no sector could be given."""
    missing: list[str]
    """Symbols without a close on or before ``as_of``."""
    benchmark: str = "SPY"
    notes: list[str] = field(default_factory=list)
    """What the figures rest on (dates of the holdings and the weights)."""


def default_look_through(
    spy_weights: Mapping[str, float], sectors: Sequence[str], benchmark: str = "SPY"
) -> dict[str, dict[str, float]]:
    """Fund -> its sector split: each sector ETF all in itself, ``benchmark`` by its weights."""
    out = {etf: {etf: 1.0} for etf in sectors}
    out[benchmark] = dict(spy_weights)
    return out


def drift_weights(
    weights: Mapping[str, float], closes: pd.DataFrame, base: str, as_of: str | None = None
) -> tuple[dict[str, float], str | None]:
    """Weights of date ``base`` carried to ``as_of`` by each sector ETF's price move, rescaled
    to add up to 1 (w_t ∝ w_0 · P_t / P_0), and the date they now stand at.

    An approximation: it ignores index changes and buybacks, the sector ETFs cap their largest
    names, and adjusted closes include dividends. If any sector lacks a close on both dates the
    weights come back unchanged with None.
    """
    frame = closes.loc[:as_of] if as_of else closes
    moved: dict[str, float] = {}
    last_dates = []
    for etf, w in weights.items():
        if etf not in frame.columns:
            return dict(weights), None
        series = frame[etf].dropna()
        before = series.loc[:base]
        if before.empty or series.empty:
            return dict(weights), None
        moved[etf] = w * float(series.iloc[-1]) / float(before.iloc[-1])
        last_dates.append(series.index[-1])
    total = math.fsum(moved.values())
    return {etf: v / total for etf, v in moved.items()}, min(last_dates).date().isoformat()


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / abs(den)


def book_exposure(
    positions: Sequence[PositionLike],
    closes: pd.DataFrame,
    *,
    stock_sectors: Mapping[str, str],
    bench_weights: Mapping[str, float],
    sector_names: Mapping[str, str],
    look_through: Mapping[str, Mapping[str, float]] | None = None,
    as_of: str | None = None,
    benchmark: str = "SPY",
    notes: Sequence[str] = (),
) -> Book:
    """Figures for every position and the book's sector exposure against ``bench_weights``.

    ``stock_sectors`` maps a stock to its sector ETF; ``look_through`` maps a fund to its split
    across sector ETFs (default :func:`default_look_through`); ``sector_names`` lists the sector
    ETFs, in the order the sector rows come out.
    """
    sectors = list(sector_names)
    if look_through is None:
        look_through = default_look_through(bench_weights, sectors, benchmark)
    frame = closes.loc[:as_of] if as_of else closes

    raw: list[dict[str, Any]] = []
    for p in positions:
        series = frame[p.symbol].dropna() if p.symbol in frame.columns else pd.Series(dtype=float)
        close = float(series.iloc[-1]) if len(series) else None
        prev = float(series.iloc[-2]) if len(series) > 1 else None
        last_date = series.index[-1].date().isoformat() if len(series) else None
        value = p.quantity * close if close is not None else None
        day = p.quantity * (close - prev) if close is not None and prev is not None else None
        total = (
            p.quantity * (close - p.cost_basis)
            if close is not None and p.cost_basis is not None
            else None
        )
        if p.symbol in look_through:
            split = {k: float(v) for k, v in look_through[p.symbol].items()}
        elif p.symbol in stock_sectors:
            split = {stock_sectors[p.symbol]: 1.0}
        else:
            split = {}
        raw.append(
            {
                "p": p,
                "close": close,
                "prev": prev,
                "last_date": last_date,
                "value": value,
                "day": day,
                "total": total,
                "split": split,
            }
        )

    priced = [r for r in raw if r["value"] is not None]
    book_value = math.fsum(r["value"] for r in priced) if priced else None
    newest = max((r["last_date"] for r in priced), default=None)
    figures = []
    for r in raw:
        p = r["p"]
        figures.append(
            PositionFigures(
                symbol=p.symbol,
                quantity=p.quantity,
                cost_basis=p.cost_basis,
                last_date=r["last_date"],
                close=r["close"],
                prev_close=r["prev"],
                value=r["value"],
                weight=(r["value"] / book_value) if r["value"] is not None and book_value else None,
                day_pnl=r["day"],
                day_pct=_ratio(r["day"], p.quantity * r["prev"] if r["prev"] else None),
                total_pnl=r["total"],
                total_pct=_ratio(
                    r["total"], p.quantity * p.cost_basis if p.cost_basis is not None else None
                ),
                sectors=r["split"],
                stale=r["last_date"] is not None and newest is not None and r["last_date"] < newest,
            )
        )

    day_rows = [r for r in priced if r["day"] is not None]
    day_pnl = math.fsum(r["day"] for r in day_rows) if day_rows else None
    prior = math.fsum(r["p"].quantity * r["prev"] for r in day_rows) if day_rows else None
    costed = [r for r in priced if r["total"] is not None]
    total_pnl = math.fsum(r["total"] for r in costed) if costed else None
    cost = math.fsum(r["p"].quantity * r["p"].cost_basis for r in costed) if costed else None

    exposure = dict.fromkeys(sectors, 0.0)
    unlooked: list[dict[str, Any]] = []
    for r in priced:
        weight = r["value"] / book_value if book_value else 0.0
        for etf, share in r["split"].items():
            exposure[etf] = exposure.get(etf, 0.0) + weight * share
        rest = 1.0 - math.fsum(r["split"].values())
        if rest > 1e-9:
            reason = (
                "part not in a listed sector"
                if r["split"]
                else "no bundled holdings or sector for it"
            )
            unlooked.append({"symbol": r["p"].symbol, "weight": weight * rest, "reason": reason})
    rows = [
        SectorExposure(
            sector=etf,
            name=sector_names.get(etf, etf),
            book_weight=exposure.get(etf, 0.0),
            bench_weight=float(bench_weights.get(etf, 0.0)),
            diff_pts=(exposure.get(etf, 0.0) - float(bench_weights.get(etf, 0.0))) * 100,
        )
        for etf in sectors
    ]
    return Book(
        as_of=newest,
        positions=figures,
        total_value=book_value,
        day_pnl=day_pnl,
        day_pct=_ratio(day_pnl, prior),
        total_pnl=total_pnl,
        total_pct=_ratio(total_pnl, cost),
        cost=cost,
        sectors=rows,
        not_looked_through=unlooked,
        missing=[r["p"].symbol for r in raw if r["value"] is None],
        benchmark=benchmark,
        notes=list(notes),
    )


def tag_sectors(
    rows: Sequence[SectorExposure],
    quadrants: Mapping[str, str | None],
    trends: Mapping[str, str | None],
) -> list[SectorExposure]:
    """The rows with each sector's RRG quadrant and RS trend state (``up``/``down``/...)."""
    return [
        replace(r, quadrant=quadrants.get(r.sector), rs_trend=trends.get(r.sector)) for r in rows
    ]


def _pts(value: float) -> str:
    shown = round(value, 1)
    if shown == 0:
        return "0.0 pts"
    return ("+" if shown > 0 else MINUS) + f"{abs(shown):.1f} pts"


def sector_label(row: SectorExposure, benchmark: str = "SPY") -> str:
    """``overweight XLK +12.0 pts · XLK Lagging ▼`` (the tag part only when known)."""
    if row.stance == "in line":
        text = f"{row.sector} in line with {benchmark} ({_pts(row.diff_pts)})"
    else:
        text = f"{row.stance} {row.sector} {_pts(row.diff_pts)}"
    tags = []
    if row.quadrant:
        tags.append(row.quadrant)
    if row.rs_trend and row.rs_trend != "n/a":
        tags.append(TREND_ARROWS.get(row.rs_trend, ""))
    if tags:
        text += f" · {row.sector} " + " ".join(t for t in tags if t)
    return text


def _num(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else float(f"{value:.{digits}g}") if value else 0.0


def book_to_dict(book: Book) -> dict[str, Any]:
    """The ``positions`` block of ``report --json``; fractions as fractions (0.12 = 12 %),
    money in the symbols' own currency, ``diff_pts`` in percentage points."""
    return {
        "as_of": book.as_of,
        "benchmark": book.benchmark,
        "total_value": _num(book.total_value, 12),
        "day_pnl": _num(book.day_pnl, 12),
        "day_pct": _num(book.day_pct),
        "total_pnl": _num(book.total_pnl, 12),
        "total_pct": _num(book.total_pct),
        "cost": _num(book.cost, 12),
        "rows": [
            {
                "symbol": p.symbol,
                "quantity": p.quantity,
                "cost_basis": p.cost_basis,
                "last_date": p.last_date,
                "close": p.close,
                "prev_close": p.prev_close,
                "value": _num(p.value, 12),
                "weight": _num(p.weight),
                "day_pnl": _num(p.day_pnl, 12),
                "day_pct": _num(p.day_pct),
                "total_pnl": _num(p.total_pnl, 12),
                "total_pct": _num(p.total_pct),
                "sectors": {k: _num(v) for k, v in sorted(p.sectors.items())},
                "stale": p.stale,
            }
            for p in book.positions
        ],
        "sectors": [
            {
                "sector": s.sector,
                "name": s.name,
                "book_weight": _num(s.book_weight),
                "bench_weight": _num(s.bench_weight),
                "diff_pts": round(s.diff_pts, 2),
                "stance": s.stance,
                "quadrant": s.quadrant,
                "rs_trend": s.rs_trend,
                "label": sector_label(s, book.benchmark),
            }
            for s in book.sectors
        ],
        "not_looked_through": [
            {**item, "weight": _num(item["weight"])} for item in book.not_looked_through
        ],
        "missing": book.missing,
        "notes": book.notes,
    }


def spy_book(
    positions: Sequence[PositionLike],
    closes: pd.DataFrame,
    *,
    as_of: str | None = None,
    quadrants: Mapping[str, str | None] | None = None,
    trends: Mapping[str, str | None] | None = None,
    drift: bool = True,
) -> Book:
    """:func:`book_exposure` against SPY with the bundled data (:mod:`tui.data.sectors`):
    the S&P 500 sector weights — drifted to ``as_of`` by the sector ETFs' closes when
    ``closes`` has all eleven and ``drift`` — and the sector ETFs' top holdings; tagged with
    ``quadrants`` and ``trends`` (sector ETF -> RRG quadrant / RS trend state) when given.
    ``notes`` says what the figures rest on and their dates."""
    from tui.data.sectors import SECTOR_NAMES, load_spy_sector_weights, stock_sectors

    spy = load_spy_sector_weights()
    mapping, holdings_as_of = stock_sectors()
    weights = spy.weights
    where = f"S&P 500 sector weights of {spy.as_of} ({spy.source})"
    if drift:
        drifted, at = drift_weights(spy.weights, closes, spy.as_of, as_of)
        if at is not None and at > spy.as_of:
            weights = drifted
            where += (
                f", drifted to {at} by the sector ETFs' prices (approximation: ignores index "
                "changes and buybacks)"
            )
    notes = [
        f"SPY's sector weights: {where}",
        f"Stocks by sector: the sector ETFs' top 15 holdings (State Street, as of "
        f"{holdings_as_of} or earlier); other stocks are not looked through",
    ]
    book = book_exposure(
        positions,
        closes,
        stock_sectors=mapping,
        bench_weights=weights,
        sector_names=SECTOR_NAMES,
        as_of=as_of,
        notes=notes,
    )
    if quadrants is not None or trends is not None:
        book = replace(book, sectors=tag_sectors(book.sectors, quadrants or {}, trends or {}))
    return book
