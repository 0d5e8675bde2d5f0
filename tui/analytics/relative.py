"""Relative strength against a benchmark: the RS line, its returns and its trend.

The RS line is ``sym / bench`` on the dates both have a close (inner join, NaNs dropped). Its
return over ``n`` rows equals ``(1 + r_sym) / (1 + r_bench) - 1`` measured on those common dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tui.analytics.returns import period_returns_array, ratio_minus_one, series_arrays

TREND_WINDOW = 50
"""Rows in the simple moving average of the RS line."""

TREND_SLOPE_DAYS = 10
"""Rows over which the slope of that average is measured."""


@dataclass(frozen=True)
class Trend:
    """The RS line against its moving average.

    ``state`` is "up" (line above a rising average), "down" (below a falling one), "mixed"
    otherwise, or "n/a" when the line is too short (then every number is None). ``ratio`` is the
    last value of the line, ``vs_sma`` = ratio / sma - 1, ``slope`` = sma / sma ``slope_days``
    rows earlier - 1.
    """

    state: str
    ratio: float | None
    sma: float | None
    vs_sma: float | None
    slope: float | None


NA_TREND = Trend("n/a", None, None, None, None)
"""The trend of a line too short to have one."""


def rs_line_arrays(
    sym: np.ndarray, bench: np.ndarray, dates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """RS line values and dates from two aligned columns that may hold NaNs.

    Rows where either side is NaN, or where the ratio is not finite (benchmark 0), are dropped.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        line = sym / bench
    keep = np.isfinite(line)
    return line[keep], dates[keep]


def rs_trend_array(
    line: np.ndarray, window: int = TREND_WINDOW, slope_days: int = TREND_SLOPE_DAYS
) -> Trend:
    """Trend of a NaN-free RS line array; needs ``window + slope_days`` rows."""
    if window < 1 or slope_days < 1:
        raise ValueError(f"window and slope_days must be >= 1, got {window}, {slope_days}")
    if len(line) < window + slope_days:
        return NA_TREND
    ratio = float(line[-1])
    sma = float(line[-window:].mean())
    sma_then = float(line[-window - slope_days : -slope_days].mean())
    vs_sma = ratio_minus_one(ratio, sma)
    slope = ratio_minus_one(sma, sma_then)
    if ratio > sma and slope is not None and slope > 0:
        state = "up"
    elif ratio < sma and slope is not None and slope < 0:
        state = "down"
    else:
        state = "mixed"
    return Trend(state, ratio, sma, vs_sma, slope)


def rs_line(sym: pd.Series, bench: pd.Series) -> pd.Series:
    """``sym / bench`` on the dates both have a close (inner join, NaNs dropped)."""
    sym_values, sym_dates = series_arrays(sym)
    bench_values, bench_dates = series_arrays(bench)
    common, i, j = np.intersect1d(sym_dates, bench_dates, assume_unique=False, return_indices=True)
    line, dates = rs_line_arrays(sym_values[i], bench_values[j], common)
    index = pd.DatetimeIndex(dates.astype("datetime64[ns]"), name="date")
    return pd.Series(line, index=index, name=sym.name)


def rs_returns(sym: pd.Series, bench: pd.Series) -> dict[str, float | None]:
    """Relative return of ``sym`` vs ``bench`` for every period (the RS line's returns)."""
    line = rs_line(sym, bench)
    values = line.to_numpy(dtype=np.float64)
    dates = line.index.to_numpy().astype("datetime64[D]")
    return period_returns_array(values, dates)


def rs_trend(
    line: pd.Series, window: int = TREND_WINDOW, slope_days: int = TREND_SLOPE_DAYS
) -> Trend:
    """The RS line vs its ``window``-row SMA and that SMA's slope over ``slope_days`` rows."""
    values, _ = series_arrays(line)
    return rs_trend_array(values, window, slope_days)
