"""The monitor table: one row of returns, relative strength and trend per symbol.

:func:`build_table` works on the numpy arrays of each column's non-NaN values, so a frame of
hundreds of symbols times ten years of rows takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tui.analytics.relative import NA_TREND, Trend, rs_line_arrays, rs_trend_array
from tui.analytics.returns import PERIODS, from_high_array, period_returns_array


@dataclass(frozen=True)
class Row:
    """Figures of one symbol. Returns are fractions (0.0123 = 1.23 %); None means n/a."""

    symbol: str
    last_date: str | None
    close: float | None
    ret: dict[str, float | None]
    rs: dict[str, float | None]
    rs_trend: Trend
    from_high: float | None
    spark: tuple[float, ...] = field(default=())


def _empty_periods() -> dict[str, float | None]:
    return dict.fromkeys(PERIODS)


def _empty_row(symbol: str) -> Row:
    return Row(symbol, None, None, _empty_periods(), _empty_periods(), NA_TREND, None, ())


def _frame_arrays(closes: pd.DataFrame, as_of: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Closes as a 2-D float array (rows x columns) and the row dates, cut at ``as_of``."""
    index = closes.index
    if not isinstance(index, pd.DatetimeIndex):
        index = pd.DatetimeIndex(pd.to_datetime(index))
        closes = closes.set_axis(index, axis=0)
    if index.tz is not None:
        index = index.tz_localize(None)
        closes = closes.set_axis(index, axis=0)
    if not index.is_monotonic_increasing:
        closes = closes.sort_index(kind="stable")
        index = closes.index
    if not index.is_unique:
        keep = ~index.duplicated(keep="last")
        closes = closes[keep]
        index = closes.index
    dates = index.to_numpy().astype("datetime64[D]")
    values = closes.to_numpy(dtype=np.float64, na_value=np.nan)
    if as_of is not None:
        cut = int(np.searchsorted(dates, np.datetime64(str(as_of), "D"), side="right"))
        dates, values = dates[:cut], values[:cut]
    return values, dates


def build_table(
    closes: pd.DataFrame,
    symbols: Sequence[str],
    benchmark: str,
    as_of: str | None = None,
    spark_points: int = 40,
) -> list[Row]:
    """One :class:`Row` per requested symbol, in order, from a wide frame of adjusted closes.

    ``closes`` has a DatetimeIndex and one column per symbol, NaN where a symbol has no row that
    day. With ``as_of`` (ISO date) only rows dated on or before it are used. A symbol that is
    missing or has no data gets a row of None. ``spark`` holds the last ``spark_points`` closes.
    """
    values, dates = _frame_arrays(closes, as_of)
    position: dict[str, int] = {}
    for j, name in enumerate(closes.columns):
        position.setdefault(name, j)

    bench_col: np.ndarray | None = None
    if benchmark in position:
        bench_col = values[:, position[benchmark]]
        if not np.isfinite(bench_col).any():
            bench_col = None

    rows: list[Row] = []
    for symbol in symbols:
        j = position.get(symbol)
        if j is None:
            rows.append(_empty_row(symbol))
            continue
        col = values[:, j]
        mask = ~np.isnan(col)
        v = col[mask]
        if len(v) == 0:
            rows.append(_empty_row(symbol))
            continue
        d = dates[mask]
        if bench_col is None:
            rs, trend = _empty_periods(), NA_TREND
        else:
            line, line_dates = rs_line_arrays(col, bench_col, dates)
            rs = period_returns_array(line, line_dates)
            trend = rs_trend_array(line)
        spark = tuple(v[-spark_points:].tolist()) if spark_points > 0 else ()
        rows.append(
            Row(
                symbol=symbol,
                last_date=str(d[-1]),
                close=float(v[-1]),
                ret=period_returns_array(v, d),
                rs=rs,
                rs_trend=trend,
                from_high=from_high_array(v),
                spark=spark,
            )
        )
    return rows


def row_to_dict(row: Row) -> dict:
    """A JSON-ready dict of a row (no spark): returns as fractions, None for n/a."""
    trend = row.rs_trend
    return {
        "symbol": row.symbol,
        "last_date": row.last_date,
        "close": row.close,
        "ret": {p: row.ret.get(p) for p in PERIODS},
        "rs": {p: row.rs.get(p) for p in PERIODS},
        "rs_trend": {
            "state": trend.state,
            "ratio": trend.ratio,
            "sma": trend.sma,
            "vs_sma": trend.vs_sma,
            "slope": trend.slope,
        },
        "from_high": row.from_high,
    }
