"""Attribution: which holdings made a fund's move over a window, and what they leave unexplained.

Over a window from the close of ``start`` to the close of ``end`` (each the last close on or
before that date), with ``R_F`` the fund's return, ``r_i`` holding ``i``'s and ``R_B`` the
benchmark's (all from adjusted closes):

- the **move** is ``R_F - R_B``, the fund's return less the benchmark's (``R_F`` alone when no
  benchmark is given); a difference of returns, not a ratio, so that it splits into a sum;
- holding ``i`` **contributes** ``w_i * (r_i - R_B)`` (``w_i * r_i`` without a benchmark),
  with ``w_i`` its weight in the fund at ``start``;
- **other** is the move less the sum of the contributions: what the listed holdings do not
  explain (the rest of the fund, holdings without prices, cash, fees, rebalancing, and the
  weights' own error). So the contributions plus other equal the move by construction.

Against the fund itself (``benchmark`` = the fund), the move is 0 and each contribution is the
``weight * (holding return - fund return)`` of the issue: how much a holding pulled the fund
away from its own average; the listed ones plus other then sum to 0.

Weights: the bundled files give them on one day (``as_of`` of the holdings, 2025-11-18); with
``drift`` (the default) they are moved to ``start`` by price, ``w_i * (P_i,start / P_i,0) /
(F_start / F_0)`` as in :mod:`tui.analytics.concentration`, which ignores buybacks and index
changes. A holding without a close at ``start`` or ``end`` (UNH, ED) has no contribution and
falls into other; it is listed in :attr:`Attribution.no_data`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tui.analytics.concentration import MAG7


@dataclass(frozen=True)
class Contribution:
    """One holding over the window; ``ret`` and ``contribution`` None without prices."""

    symbol: str
    weight: float
    """Its weight in the fund at the window's start (a fraction)."""
    ret: float | None
    contribution: float | None


@dataclass(frozen=True)
class Attribution:
    """A fund's move over ``start``..``end`` split into ``contributions`` plus ``other``."""

    fund: str
    benchmark: str | None
    start: str
    end: str
    fund_return: float
    benchmark_return: float | None
    move: float
    contributions: tuple[Contribution, ...]
    explained: float
    """The sum of the contributions."""
    other: float
    """``move - explained``."""
    weights_as_of: str
    no_data: tuple[str, ...]


def _close_on_or_before(series: pd.Series, day: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    s = series.loc[:day].dropna()
    if s.empty:
        return None
    return s.index[-1], float(s.iloc[-1])


def attribute(
    closes: pd.DataFrame,
    fund: str,
    holdings: Sequence[Any],
    start: str,
    end: str | None = None,
    *,
    benchmark: str | None = "SPY",
    drift: bool = True,
) -> Attribution:
    """Split ``fund``'s move from ``start`` to ``end`` (default: its last close) by holding.

    ``holdings`` carry ``symbol``, ``weight_pct`` and ``as_of`` (``load_holdings()[etf]`` or
    ``load_spy_holdings()``). Raises ValueError when the fund or the benchmark has no close in
    the window.
    """
    frame = closes.sort_index()
    if fund not in frame.columns:
        raise ValueError(f"no closes for {fund}")
    end_day = pd.Timestamp(end) if end is not None else frame[fund].last_valid_index()
    if end_day is None:
        raise ValueError(f"no closes for {fund}")
    start_day = pd.Timestamp(start)

    def window(symbol: str) -> tuple[float, float, pd.Timestamp] | None:
        if symbol not in frame.columns:
            return None
        a = _close_on_or_before(frame[symbol], start_day)
        b = _close_on_or_before(frame[symbol], end_day)
        if a is None or b is None or b[0] <= a[0]:
            return None
        return a[1], b[1], a[0]

    f = window(fund)
    if f is None:
        raise ValueError(f"{fund} has no closes from {start} to {end_day.date()}")
    fund_return = f[1] / f[0] - 1
    bench_return: float | None = None
    if benchmark is not None:
        b = window(benchmark)
        if b is None:
            raise ValueError(f"{benchmark} has no closes from {start} to {end_day.date()}")
        bench_return = b[1] / b[0] - 1
    move = fund_return - (bench_return or 0.0)

    weights_as_of = holdings[0].as_of if holdings else str(start_day.date())
    base = pd.Timestamp(weights_as_of)
    fund_base = _close_on_or_before(frame[fund], base) if drift else None
    contributions: list[Contribution] = []
    no_data: list[str] = []
    for h in holdings:
        w = h.weight_pct / 100.0
        win = window(h.symbol)
        if win is None:
            contributions.append(Contribution(h.symbol, w, None, None))
            no_data.append(h.symbol)
            continue
        p_start, p_end, _ = win
        if drift and fund_base is not None:
            p_base = _close_on_or_before(frame[h.symbol], base)
            if p_base is None:
                contributions.append(Contribution(h.symbol, w, None, None))
                no_data.append(h.symbol)
                continue
            w = w * (p_start / p_base[1]) / (f[0] / fund_base[1])
        r = p_end / p_start - 1
        contributions.append(Contribution(h.symbol, w, r, w * (r - (bench_return or 0.0))))
    explained = math.fsum(c.contribution for c in contributions if c.contribution is not None)
    return Attribution(
        fund=fund,
        benchmark=benchmark,
        start=str(f[2].date()),
        end=str(_close_on_or_before(frame[fund], end_day)[0].date()),  # type: ignore[index]
        fund_return=fund_return,
        benchmark_return=bench_return,
        move=move,
        contributions=tuple(contributions),
        explained=explained,
        other=move - explained,
        weights_as_of=weights_as_of,
        no_data=tuple(no_data),
    )


def window_start(closes: pd.DataFrame, fund: str, days: int, end: str | None = None) -> str:
    """The date of the fund's close ``days`` trading rows before ``end`` (its last close)."""
    series = closes[fund].dropna()
    if end is not None:
        series = series.loc[:end]
    if len(series) <= days:
        raise ValueError(f"{fund} has fewer than {days + 1} closes")
    return str(series.index[-1 - days].date())


def group_contribution(attribution: Attribution, symbols: Iterable[str] = MAG7) -> float | None:
    """The summed contribution of ``symbols`` (the mag-7 by default); None if one has no data."""
    wanted = set(symbols)
    picked = [c for c in attribution.contributions if c.symbol in wanted]
    if not picked or any(c.contribution is None for c in picked):
        return None
    return math.fsum(c.contribution for c in picked if c.contribution is not None)


def mag7_contribution(
    closes: pd.DataFrame, spy_holdings: Sequence[Any], start: str, end: str | None = None
) -> dict[str, Any]:
    """The seven mega caps' contribution to SPY's return from ``start`` to ``end``.

    ``{"spy_return", "mag7", "rest", "by_symbol", "start", "end", "weights_as_of"}``: ``mag7``
    is the sum of ``w_i * r_i`` over AAPL MSFT NVDA AMZN GOOGL GOOG META TSLA (weights drifted
    to ``start``), ``rest`` the remainder of SPY's return; fractions (0.01 = 1 point of return).
    """
    a = attribute(closes, "SPY", spy_holdings, start, end, benchmark=None)
    mag7 = group_contribution(a)
    return {
        "spy_return": a.fund_return,
        "mag7": mag7,
        "rest": None if mag7 is None else a.fund_return - mag7,
        "by_symbol": {c.symbol: c.contribution for c in a.contributions if c.symbol in MAG7},
        "start": a.start,
        "end": a.end,
        "weights_as_of": a.weights_as_of,
    }


def attribution_to_dict(a: Attribution) -> dict[str, Any]:
    """JSON-ready: the figures and one item per holding, heaviest first, then ``other``."""
    return {
        "fund": a.fund,
        "benchmark": a.benchmark,
        "start": a.start,
        "end": a.end,
        "fund_return": a.fund_return,
        "benchmark_return": a.benchmark_return,
        "move": a.move,
        "contributions": [
            {"symbol": c.symbol, "weight": c.weight, "ret": c.ret, "contribution": c.contribution}
            for c in sorted(a.contributions, key=lambda c: -c.weight)
        ],
        "explained": a.explained,
        "other": a.other,
        "weights_as_of": a.weights_as_of,
        "no_data": list(a.no_data),
    }
