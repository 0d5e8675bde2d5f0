"""Period returns on adjusted closes, counted in trading-day rows of each symbol.

A window of ``n`` rows needs ``n + 1`` closes; shorter histories give ``None`` ("n/a"), never a
number. NaNs are dropped first, so a missing day is skipped rather than counted. The ``*_array``
functions are the numpy core that :mod:`tui.analytics.table` runs on every column; the Series
functions are thin wrappers over them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

PERIODS: tuple[str, ...] = ("1D", "1W", "1M", "3M", "6M", "YTD", "1Y")
"""Column order of the return table."""

WINDOWS: dict[str, int] = {"1D": 1, "1W": 5, "1M": 21, "3M": 63, "6M": 126, "1Y": 252}
"""Trading-day rows back for each fixed-length period (YTD is calendar based)."""

HIGH_WINDOW = 252
"""Rows in the 52-week high look-back (the current row included)."""


def ratio_minus_one(num: float, den: float) -> float | None:
    """``num / den - 1`` as a plain float, or None when the result is not finite."""
    if den == 0:
        return None
    value = float(num) / float(den) - 1.0
    return value if math.isfinite(value) else None


def series_arrays(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values (float64) and dates (``datetime64[D]``) of ``s`` with NaNs dropped, in date order."""
    s = s.dropna()
    index = s.index
    if not isinstance(index, pd.DatetimeIndex):
        index = pd.DatetimeIndex(pd.to_datetime(index))
    if index.tz is not None:
        index = index.tz_localize(None)
    values = s.to_numpy(dtype=np.float64)
    dates = index.to_numpy().astype("datetime64[D]")
    if len(dates) > 1 and not (dates[1:] >= dates[:-1]).all():
        order = np.argsort(dates, kind="stable")
        values, dates = values[order], dates[order]
    return values, dates


def window_return(values: np.ndarray, n: int) -> float | None:
    """Return over the last ``n`` rows of a NaN-free array, None if it has fewer than n+1 rows."""
    if n < 1:
        raise ValueError(f"window must be at least 1 row, got {n}")
    if len(values) < n + 1:
        return None
    return ratio_minus_one(values[-1], values[-1 - n])


def ytd_return_array(values: np.ndarray, dates: np.ndarray) -> float | None:
    """Last close over the last close dated in the previous calendar year, minus one.

    ``dates`` are sorted ``datetime64[D]``; None when no close falls in the previous year.
    """
    if len(values) == 0:
        return None
    year = dates[-1].astype("datetime64[Y]")
    jan1 = year.astype("datetime64[D]")
    prev_jan1 = (year - 1).astype("datetime64[D]")
    i = int(np.searchsorted(dates, jan1, side="left")) - 1
    if i < 0 or dates[i] < prev_jan1:
        return None
    return ratio_minus_one(values[-1], values[i])


def period_returns_array(values: np.ndarray, dates: np.ndarray) -> dict[str, float | None]:
    """All of :data:`PERIODS` for NaN-free, date-sorted ``values``/``dates`` arrays."""
    out: dict[str, float | None] = {}
    for period in PERIODS:
        if period == "YTD":
            out[period] = ytd_return_array(values, dates)
        else:
            out[period] = window_return(values, WINDOWS[period])
    return out


def from_high_array(values: np.ndarray, window: int = HIGH_WINDOW) -> float | None:
    """Last value over the max of the last ``window`` values, minus one; None if too short."""
    if window < 1:
        raise ValueError(f"window must be at least 1 row, got {window}")
    if len(values) < window:
        return None
    return ratio_minus_one(values[-1], values[-window:].max())


def period_returns(s: pd.Series) -> dict[str, float | None]:
    """1D 1W 1M 3M 6M YTD 1Y returns of a close series (fractions; None = n/a)."""
    values, dates = series_arrays(s)
    return period_returns_array(values, dates)


def ytd_return(s: pd.Series) -> float | None:
    """Year-to-date return against the last close of the previous calendar year."""
    values, dates = series_arrays(s)
    return ytd_return_array(values, dates)


def from_high(s: pd.Series, window: int = HIGH_WINDOW) -> float | None:
    """Distance of the last close from the highest close of the last ``window`` rows."""
    values, _ = series_arrays(s)
    return from_high_array(values, window)


def period_changes_array(values: np.ndarray, dates: np.ndarray) -> dict[str, float | None]:
    """Absolute changes ``c[t] - c[t-n]`` over :data:`PERIODS`, plus ``52wH`` = c[t] - max.

    For yields (^TNX, ^IRX) a percentage return is meaningless — ^IRX sat near zero and went
    negative in 2020 — so they are read as changes in yield points (0.12 = 12 bp).
    """
    out: dict[str, float | None] = {}
    n_rows = len(values)
    for period in PERIODS:
        if period == "YTD":
            if n_rows == 0:
                out[period] = None
                continue
            year = dates[-1].astype("datetime64[Y]")
            i = int(np.searchsorted(dates, year.astype("datetime64[D]"), side="left")) - 1
            prev_jan1 = (year - 1).astype("datetime64[D]")
            ok = i >= 0 and dates[i] >= prev_jan1
            out[period] = float(values[-1] - values[i]) if ok else None
        else:
            n = WINDOWS[period]
            out[period] = float(values[-1] - values[-1 - n]) if n_rows >= n + 1 else None
    has_year = n_rows >= HIGH_WINDOW
    out["52wH"] = float(values[-1] - values[-HIGH_WINDOW:].max()) if has_year else None
    return out


def period_changes(s: pd.Series) -> dict[str, float | None]:
    """Absolute changes of a series (for yields) over every period; None = n/a."""
    values, dates = series_arrays(s)
    return period_changes_array(values, dates)
