"""Mega-cap concentration: the seven mega caps' weight in SPY, drifted daily by price.

State Street's SPY file gives the weights of SPY's 20 largest holdings on one day
(``weights_as_of``, 2025-11-18 in the bundled ``spy_top_holdings.csv``). Between index events a
cap-weighted fund's weights move with relative prices, so for every later day ``t``::

    w_i,t = w_i,0 * (P_i,t / P_i,0) / (B_t / B_0)

with ``P`` the holding's and ``B`` SPY's adjusted close and ``0`` the weights' day. Dividing by
SPY's own move stands for dividing by the sum over all ~500 holdings, which the file does not
give. **Drifted weights ignore buybacks and share issuance, index additions, deletions and
float changes, and the difference between the dividends of the holding and of SPY** (adjusted
closes include dividends): say so wherever one is shown. The error grows with the distance from
``weights_as_of``; days before it (``start`` earlier) are a backcast under the same assumptions
(today's membership: TSLA, for one, joined the S&P 500 only in December 2020), so what a trader
reads — the regime rule "Mega-cap concentration falling" (the ``drifted_weight`` series of
:mod:`tui.regime.engine`, computed there on the same formula), the concentration screen and
``report --json`` — starts on ``weights_as_of`` and is unknown before it.

- ``mag7_weight``: the sum for AAPL, MSFT, NVDA, AMZN, GOOGL + GOOG (Alphabet's two share
  classes), META and TSLA; fractions of SPY (0.347 = 34.7 %). NaN on a day one of them has no
  close (never a partial sum).
- ``top10_weight``: the sum of the ten largest drifted weights among the 20 known holdings (a
  holding outside the file's top 20 would have to more than double against the 10th to enter);
  NaN on a day any of the 20 has no close.
- ``basket``: an equal-weight basket of the seven companies (Alphabet as GOOGL), rebalanced
  daily (as in :mod:`tui.analytics.breadth`), 100 on the first day; ``basket_vs_spy`` and
  ``basket_vs_rsp`` its ratio to SPY and to RSP (the equal-weight S&P 500), 100 on the first
  day both exist. A falling ``basket_vs_rsp`` is money leaving the mega caps for the average
  stock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tui.analytics.breadth import breadth

MAG7: tuple[str, ...] = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA")
"""The seven mega caps' share classes in SPY (Alphabet has two)."""

MAG7_BASKET: tuple[str, ...] = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA")
"""One line per company for the equal-weight basket (Alphabet's class A)."""

TOP_N = 10

CAVEAT = "weights drifted by price from {as_of}: ignore buybacks and index changes"

COLUMNS: tuple[str, ...] = (
    "mag7_weight",
    "top10_weight",
    "basket",
    "basket_vs_spy",
    "basket_vs_rsp",
)


@dataclass(frozen=True)
class Concentration:
    """Daily concentration figures (``frame``, :data:`COLUMNS`) and the drifted ``weights``.

    ``frame`` and ``weights`` (one column per holding, fractions) share the benchmark's dates
    from ``start`` on; ``missing`` lists holdings without a close on ``weights_as_of``.
    """

    weights_as_of: str
    frame: pd.DataFrame
    weights: pd.DataFrame
    missing: tuple[str, ...]

    @property
    def caveat(self) -> str:
        return CAVEAT.format(as_of=self.weights_as_of)


def drifted_weights(
    closes: pd.DataFrame,
    weights: Mapping[str, float],
    weights_as_of: str,
    *,
    benchmark: str = "SPY",
    start: str | None = None,
    as_of: str | None = None,
) -> pd.DataFrame:
    """``w_i,t`` (see the module docstring) for each holding, on the benchmark's days.

    ``weights`` are fractions on ``weights_as_of``, which must be a day with a benchmark close;
    rows run from ``start`` (default ``weights_as_of``) to ``as_of``. A holding without a close
    on ``weights_as_of`` or on a day is NaN there.
    """
    frame = closes.sort_index()
    if as_of is not None:
        frame = frame.loc[:as_of]
    base = pd.Timestamp(weights_as_of)
    if benchmark not in frame.columns or base not in frame.index:
        raise ValueError(f"no {benchmark} close on {weights_as_of} to drift the weights from")
    bench = frame[benchmark]
    if math.isnan(bench.loc[base]):
        raise ValueError(f"no {benchmark} close on {weights_as_of} to drift the weights from")
    days = bench.loc[pd.Timestamp(start or weights_as_of) :].dropna().index
    out = {}
    for symbol, w0 in weights.items():
        if symbol not in frame.columns:
            out[symbol] = pd.Series(np.nan, index=days)
            continue
        price = frame[symbol]
        p0 = price.loc[base]
        out[symbol] = w0 * (price.loc[days] / p0) / (bench.loc[days] / bench.loc[base])
    result = pd.DataFrame(out, index=days)
    result.index.name = "date"
    return result


def concentration(
    closes: pd.DataFrame,
    holdings: Sequence[Any],
    *,
    benchmark: str = "SPY",
    equal_weight: str = "RSP",
    start: str | None = None,
    as_of: str | None = None,
) -> Concentration:
    """Mag-7 and top-10 weight in SPY and the mag-7 basket against SPY and RSP, daily.

    ``holdings`` are SPY's top holdings (``load_spy_holdings()``: ``symbol``, ``weight_pct``,
    ``as_of``); ``closes`` a wide frame of adjusted closes holding them, SPY and RSP.
    """
    if not holdings:
        raise ValueError("no SPY holdings to weigh")
    weights_as_of = holdings[0].as_of
    w0 = {h.symbol: h.weight_pct / 100.0 for h in holdings}
    weights = drifted_weights(
        closes, w0, weights_as_of, benchmark=benchmark, start=start, as_of=as_of
    )
    base = pd.Timestamp(weights_as_of)
    missing = tuple(
        s for s in w0 if s not in closes.columns or math.isnan(closes[s].get(base, math.nan))
    )
    mag = weights.reindex(columns=list(MAG7))
    mag7 = mag.sum(axis=1, min_count=len(MAG7)).where(mag.notna().all(axis=1))
    values = weights.to_numpy(dtype=float)
    ranked = -np.sort(-values, axis=1)[:, :TOP_N]
    # A day with any holding missing has no ranking to trust: NaN, not a top 10 of the rest.
    top10 = np.where(np.isnan(values).any(axis=1), np.nan, ranked.sum(axis=1))

    group = breadth(closes, {"MAG7": list(MAG7_BASKET)}, {"MAG7": benchmark}, as_of=as_of)["MAG7"]
    basket = group.frame["basket"].reindex(weights.index)
    basket = basket / basket.iloc[0] * 100.0 if len(basket) else basket
    frame = pd.DataFrame(
        {
            "mag7_weight": mag7,
            "top10_weight": top10,
            "basket": basket,
            "basket_vs_spy": _relative(basket, closes, benchmark),
            "basket_vs_rsp": _relative(basket, closes, equal_weight),
        },
        index=weights.index,
    )
    return Concentration(weights_as_of, frame, weights, missing)


def _relative(basket: pd.Series, closes: pd.DataFrame, symbol: str) -> pd.Series:
    if symbol not in closes.columns:
        return pd.Series(np.nan, index=basket.index)
    ratio = basket / closes[symbol].reindex(basket.index)
    first = ratio.first_valid_index()
    return ratio if first is None else 100.0 * ratio / ratio.loc[first]


def _figure(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def concentration_snapshot(conc: Concentration, as_of: str | None = None) -> dict[str, Any]:
    """``{"mag7_weight", "top10_weight", "weights_as_of", "as_of"}`` for report JSON.

    Fractions of SPY on the last day on or before ``as_of`` with a mag-7 weight (None, and
    ``as_of`` None, when there is none, e.g. before ``weights_as_of``).
    """
    frame = conc.frame if as_of is None else conc.frame.loc[:as_of]
    frame = frame.dropna(subset=["mag7_weight"])
    frame = frame.loc[pd.Timestamp(conc.weights_as_of) :]
    if frame.empty:
        return {
            "mag7_weight": None,
            "top10_weight": None,
            "weights_as_of": conc.weights_as_of,
            "as_of": None,
        }
    row = frame.iloc[-1]
    return {
        "mag7_weight": _figure(row["mag7_weight"]),
        "top10_weight": _figure(row["top10_weight"]),
        "weights_as_of": conc.weights_as_of,
        "as_of": str(frame.index[-1].date()),
    }
