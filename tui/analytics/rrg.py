"""Relative rotation graph (RRG): RS-Ratio (x) and RS-Momentum (y) around 100, tails, quadrants.

Julius de Kempenaer's JdK RS-Ratio and JdK RS-Momentum are proprietary. This module uses the
published z-score approximation of RRGPy (github.com/An0n1mity/RRGPy, ``RRGIndicator.py``), the
formula RRG-Lite took over and explains step by step in its wiki page "RS ratio and Momentum
calculations" (github.com/BennyThadikaran/RRG-Lite/wiki/RS-ratio-and-Momentum-calculations).
For every period ``t`` of the chosen mode (weekly or daily closes)::

    RS_t          = 100 * sym_t / bench_t
    RS-Ratio_t    = 100 + scale * (RS_t  - SMA_w(RS)_t)  / SD_w(RS)_t        w = ratio_window
    ROC_t         = 100 * (RS-Ratio_t / RS-Ratio_(t-k) - 1)                  k = roc_periods
    RS-Momentum_t = 100 + scale * (ROC_t - SMA_v(ROC)_t) / SD_v(ROC)_t       v = momentum_window

``SMA_n`` and ``SD_n`` are the mean and the population standard deviation (ddof=0, as in RRGPy)
of the last ``n`` values, the current one included. Defaults: w = v = 14 periods (RRGPy's and
RRG-Lite's window), k = 1, scale = 1. Two deliberate departures from the sources, both stated:

- RRGPy adds 101 to the momentum; both axes here add 100, as RRG-Lite does, so the origin of
  the graph is (100, 100).
- Both sources take the rate of change against a fixed base (RRGPy the series' second value,
  RRG-Lite the value 52 periods back). A change against a fixed base is an affine function of
  RS-Ratio, so its z-score is only RS-Ratio normalised a second time, and it depends on where
  the data starts. Here ROC is period over period (``k`` periods back), so RS-Momentum is a
  normalised rate of change of RS-Ratio, as published descriptions of JdK RS-Momentum put it.

**Why 100, and what a unit is.** Each axis is 100 plus a z-score: how far the latest value sits
from its own trailing average, in trailing standard deviations (times ``scale``). 100 is "at its
average": on x, relative strength neither above nor below its recent mean (no relative trend);
on y, RS-Ratio changing at its usual recent pace. Note that y = 100 is not "RS-Ratio flat": y is
above 100 when RS-Ratio rises faster than it did on average over the window. One unit is one
standard deviation, so the figures are dimensionless and comparable across symbols, whatever
their price or volatility. The z-score of a value within its own window of ``n`` values is at
most ``sqrt(n - 1)`` in size (Samuelson's inequality), so with the defaults both axes stay within
100 +/- 3.606 (:attr:`RRGParams.bound`): the plot's range is known in advance.

**Finite memory.** Every step is a finite window (no exponential smoothing), so a point depends
only on the last ``w + k + v - 1`` RS values (28 with the defaults) and not on where the history
starts; :func:`rrg` computes only the rows the tail needs, which is what makes it fast.

**Weekly and daily.** The RS line is ``sym / bench`` on the dates both have a close (as in
:func:`tui.analytics.relative.rs_line`). Daily mode uses every such date. Weekly mode keeps the
last RS value of each W-FRI week (Saturday to Friday): a holiday Friday gives Thursday's close,
a week without a single common close is skipped, and the current partial week counts as its own
point, dated its last trading day so far (it moves until the week closes). Windows count periods
of the mode: 14 weeks weekly, 14 trading days daily. Tail dates are the dates of the closes used.

**Missing figures.** A symbol needs ``w + k + v - 1`` periods for one point; with fewer, or when
a window is flat (RS constant, as for a symbol against itself, or any ``sym = c * bench``: 0/0),
the point is None with quadrant None, never a made-up number. Flat means a standard deviation
of at most :data:`FLAT_RTOL` times the largest magnitude in the window (at least 100 for the
rate of change, which is in percent), so rounding noise in a "constant" series (``100 * c / c``
is not always exactly 100) is not blown up into a z-score. With a window of 2 the z-score of
the latest value is always +1 or -1 (or flat): the axes then only say up or down.

**Quadrants.** The 100 lines belong to the upper/right side: Leading is x >= 100 and y >= 100,
Weakening x >= 100 and y < 100, Lagging x < 100 and y < 100, Improving x < 100 and y >= 100.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from tui.analytics.table import _frame_arrays

RATIO_WINDOW = 14
"""Periods in the mean and standard deviation of the RS line (RS-Ratio's z-score)."""

MOMENTUM_WINDOW = 14
"""Periods in the mean and standard deviation of RS-Ratio's rate of change (RS-Momentum)."""

ROC_PERIODS = 1
"""Periods back over which RS-Ratio's rate of change is taken."""

SCALE = 1.0
"""Axis units per standard deviation: each axis is ``100 + SCALE * z``."""

TAIL = 8
"""Points in a tail by default, the current one included."""

FLAT_RTOL = 1e-12
"""A window whose SD is at most this times its largest magnitude counts as flat (no z-score)."""

MODES: tuple[str, ...] = ("weekly", "daily")
"""Accepted values of ``mode``."""

LEADING, WEAKENING, LAGGING, IMPROVING = "Leading", "Weakening", "Lagging", "Improving"
QUADRANTS: tuple[str, ...] = (LEADING, WEAKENING, LAGGING, IMPROVING)
"""Quadrant names, clockwise from the top right."""

_EPOCH_SATURDAY = 2
"""Days from 1970-01-01 (a Thursday) to the first Saturday: W-FRI weeks run Saturday-Friday."""


@dataclass(frozen=True)
class RRGParams:
    """Windows and scaling of the normalisation (see the module docstring for the formulas)."""

    ratio_window: int = RATIO_WINDOW
    """w: periods in RS-Ratio's moving average and standard deviation."""
    momentum_window: int = MOMENTUM_WINDOW
    """v: periods in RS-Momentum's moving average and standard deviation."""
    roc_periods: int = ROC_PERIODS
    """k: RS-Momentum works on ``RS-Ratio_t / RS-Ratio_(t-k) - 1``."""
    scale: float = SCALE
    """Axis units per standard deviation."""

    def __post_init__(self) -> None:
        for name in ("ratio_window", "momentum_window"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 2:
                raise ValueError(f"{name} must be an integer >= 2, got {value!r}")
        if not isinstance(self.roc_periods, int) or self.roc_periods < 1:
            raise ValueError(f"roc_periods must be an integer >= 1, got {self.roc_periods!r}")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive number, got {self.scale!r}")
        if self.bound >= 100:
            # RS-Ratio could reach 0 and its rate of change would divide by it.
            raise ValueError(f"scale {self.scale} lets RS-Ratio reach 0 (bound {self.bound:.1f})")

    @property
    def periods_needed(self) -> int:
        """RS values behind one point: ``w + k + v - 1``."""
        return self.ratio_window + self.roc_periods + self.momentum_window - 1

    @property
    def bound(self) -> float:
        """Largest possible distance of either axis from 100: ``scale * sqrt(max(w, v) - 1)``."""
        return self.scale * math.sqrt(max(self.ratio_window, self.momentum_window) - 1)


@dataclass(frozen=True)
class RRGPoint:
    """One symbol on the graph. All figures are None (and the tail empty) without a point.

    ``tail`` holds ``(ISO date, rs_ratio, rs_momentum)`` oldest to newest and ends at the current
    point; it is shorter than asked when earlier periods have no point. ``previous_quadrant`` is
    the quadrant one period earlier, whatever the tail length (for a quadrant-change marker).
    """

    symbol: str
    rs_ratio: float | None
    rs_momentum: float | None
    quadrant: str | None
    tail: tuple[tuple[str, float, float], ...]
    previous_quadrant: str | None = None


class QuadrantChange(NamedTuple):
    """A symbol's quadrant one period earlier and now (either None when there is no point)."""

    previous: str | None
    current: str | None

    @property
    def changed(self) -> bool:
        """True when both quadrants are known and differ."""
        return (
            self.previous is not None
            and self.current is not None
            and (self.previous != self.current)
        )


def quadrant(x: float | None, y: float | None) -> str | None:
    """The quadrant of (RS-Ratio, RS-Momentum); a value on a 100 line goes up/right; None if n/a."""
    if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
        return None
    if x >= 100:
        return LEADING if y >= 100 else WEAKENING
    return IMPROVING if y >= 100 else LAGGING


# --- the normalisation -------------------------------------------------------------------------


def _zscore(x: np.ndarray, window: int, floor: float = 0.0) -> np.ndarray:
    """z-score of each row of ``x`` against the ``window`` rows ending at it (axis 0, ddof=0).

    NaN where the window is incomplete, holds a NaN, or is flat: its SD is at most
    :data:`FLAT_RTOL` times the larger of ``floor`` and the window's largest magnitude.
    """
    out = np.full(x.shape, np.nan)
    if x.shape[0] < window:
        return out
    win = sliding_window_view(x, window, axis=0)
    mean = win.mean(axis=-1)
    dev = win - mean[..., None]
    sd = np.sqrt((dev * dev).mean(axis=-1))
    size = np.maximum(np.abs(win).max(axis=-1), floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = dev[..., -1] / sd
    z[~(sd > FLAT_RTOL * size)] = np.nan
    out[window - 1 :] = z
    return out


def rs_ratio_momentum(
    rs: np.ndarray, params: RRGParams | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """RS-Ratio and RS-Momentum of RS lines (rows = periods oldest first, columns = symbols).

    ``rs`` must be NaN-free after its first valid row in each column (leading NaN padding is
    fine). Both outputs have the shape of ``rs`` and are NaN wherever there is no point; a row
    has a point only when both figures exist.
    """
    p = params or RRGParams()
    rs = np.asarray(rs, dtype=np.float64)
    ratio = 100.0 + p.scale * _zscore(rs, p.ratio_window)
    before = np.full(ratio.shape, np.nan)
    before[p.roc_periods :] = ratio[: -p.roc_periods]
    with np.errstate(divide="ignore", invalid="ignore"):
        roc = 100.0 * (ratio / before - 1.0)
    # ROC is in percent of a value near 100; when RS-Ratio does not change it is rounding
    # noise around 0, so its flatness is judged against 100, not against its own size.
    momentum = 100.0 + p.scale * _zscore(roc, p.momentum_window, floor=100.0)
    ratio = np.where(np.isnan(momentum), np.nan, ratio)
    return ratio, momentum


# --- from closes to RS periods -----------------------------------------------------------------


def _rs_columns(
    values: np.ndarray, columns: Sequence[Any], symbols: Sequence[str], benchmark: str
) -> np.ndarray:
    """``100 * sym / bench`` for every requested symbol (NaN where either close is missing)."""
    position: dict[Any, int] = {}
    for j, name in enumerate(columns):
        position.setdefault(name, j)
    n = values.shape[0]
    if benchmark not in position:
        return np.full((n, len(symbols)), np.nan)
    bench = values[:, position[benchmark]]
    wanted = [position.get(s, -1) for s in symbols]
    picked = values[:, [max(j, 0) for j in wanted]]
    with np.errstate(divide="ignore", invalid="ignore"):
        rs = 100.0 * picked / bench[:, None]
    rs[:, [i for i, j in enumerate(wanted) if j < 0]] = np.nan
    rs[~np.isfinite(rs)] = np.nan
    return rs


def _periods(rs: np.ndarray, dates: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """RS per period and the row each value comes from (-1 where a column has none).

    Daily: every row. Weekly: the last valid row of each W-FRI week, per column.
    """
    n = rs.shape[0]
    rows = np.arange(n)[:, None]
    valid = ~np.isnan(rs)
    source = np.where(valid, rows, -1)
    if mode == "daily" or n == 0:
        return rs, source
    week = (dates.astype("datetime64[D]").astype(np.int64) - _EPOCH_SATURDAY) // 7
    ends = np.flatnonzero(np.r_[week[1:] != week[:-1], True])
    starts = np.r_[0, ends[:-1] + 1]
    last = np.maximum.accumulate(source, axis=0)[ends]
    ok = last >= starts[:, None]
    cols = np.arange(rs.shape[1])[None, :]
    weekly = np.where(ok, rs[np.maximum(last, 0), cols], np.nan)
    return weekly, np.where(ok, last, -1)


def _last_valid(values: np.ndarray, source: np.ndarray, count: int) -> tuple[np.ndarray, ...]:
    """The last ``count`` valid rows of each column, bottom-aligned, NaN / -1 padded on top."""
    m = values.shape[1]
    out_values = np.full((count, m), np.nan)
    out_source = np.full((count, m), -1, dtype=np.int64)
    valid = ~np.isnan(values)
    from_end = np.cumsum(valid[::-1], axis=0)[::-1]
    r, c = np.nonzero(valid & (from_end <= count))
    slot = count - from_end[r, c]
    out_values[slot, c] = values[r, c]
    out_source[slot, c] = source[r, c]
    return out_values, out_source


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")


# --- the graph ---------------------------------------------------------------------------------


def _empty_point(symbol: str) -> RRGPoint:
    return RRGPoint(symbol, None, None, None, (), None)


def rrg(
    closes: pd.DataFrame,
    symbols: Sequence[str],
    benchmark: str,
    *,
    mode: str = "weekly",
    tail: int = TAIL,
    as_of: str | None = None,
    ratio_window: int = RATIO_WINDOW,
    momentum_window: int = MOMENTUM_WINDOW,
    roc_periods: int = ROC_PERIODS,
    scale: float = SCALE,
) -> list[RRGPoint]:
    """One :class:`RRGPoint` per requested symbol, in order, against ``benchmark``.

    ``closes`` is a wide frame of adjusted closes (DatetimeIndex, one column per symbol, NaN
    where a symbol has no row). With ``as_of`` (ISO date) only rows on or before it are used, so
    the last weekly point is the week containing ``as_of`` up to that day. ``tail`` is the number
    of points in each tail, the current one included. A symbol or benchmark that is missing, too
    short or flat gets a point of None.
    """
    _check_mode(mode)
    if not isinstance(tail, int) or tail < 1:
        raise ValueError(f"tail must be an integer >= 1, got {tail!r}")
    params = RRGParams(ratio_window, momentum_window, roc_periods, scale)
    symbols = list(symbols)
    if not symbols:
        return []
    values, dates = _frame_arrays(closes, as_of)
    if len(dates) == 0:
        return [_empty_point(symbol) for symbol in symbols]
    rs = _rs_columns(values, list(closes.columns), symbols, benchmark)
    per, source = _periods(rs, dates, mode)
    keep = max(tail, 2)  # one period before the current one, for previous_quadrant
    rows = params.periods_needed + keep - 1
    per, source = _last_valid(per, source, rows)
    ratio, momentum = rs_ratio_momentum(per, params)
    ratio, momentum, source = ratio[-keep:], momentum[-keep:], source[-keep:]
    days = np.datetime_as_string(dates[np.maximum(source, 0)], unit="D").T.tolist()
    xs, ys = ratio.T.tolist(), momentum.T.tolist()

    points: list[RRGPoint] = []
    for symbol, day, x, y in zip(symbols, days, xs, ys, strict=True):
        if math.isnan(x[-1]) or math.isnan(y[-1]):
            points.append(_empty_point(symbol))
            continue
        start = keep - 1
        while start > keep - tail and not (math.isnan(x[start - 1]) or math.isnan(y[start - 1])):
            start -= 1
        points.append(
            RRGPoint(
                symbol=symbol,
                rs_ratio=x[-1],
                rs_momentum=y[-1],
                quadrant=quadrant(x[-1], y[-1]),
                tail=tuple(zip(day[start:], x[start:], y[start:], strict=True)),
                previous_quadrant=quadrant(x[-2], y[-2]),
            )
        )
    return points


def rrg_history(
    closes: pd.DataFrame,
    symbol: str,
    benchmark: str,
    *,
    mode: str = "weekly",
    as_of: str | None = None,
    ratio_window: int = RATIO_WINDOW,
    momentum_window: int = MOMENTUM_WINDOW,
    roc_periods: int = ROC_PERIODS,
    scale: float = SCALE,
) -> pd.DataFrame:
    """The whole history of one symbol: columns ``rs``, ``rs_ratio``, ``rs_momentum`` by date.

    One row per period of ``mode`` (indexed by the date of the close used); ``rs_ratio`` and
    ``rs_momentum`` are NaN on rows without a point (the first ``w + k + v - 2`` rows, flat
    windows). For charts of the two lines; :func:`rrg` gives the same figures on its rows.
    """
    _check_mode(mode)
    params = RRGParams(ratio_window, momentum_window, roc_periods, scale)
    values, dates = _frame_arrays(closes, as_of)
    rs = _rs_columns(values, list(closes.columns), [symbol], benchmark)
    per, source = _periods(rs, dates, mode)
    keep = ~np.isnan(per[:, 0])
    line = per[keep]
    ratio, momentum = rs_ratio_momentum(line, params)
    index = pd.DatetimeIndex(dates[source[keep, 0]].astype("datetime64[ns]"), name="date")
    return pd.DataFrame(
        {"rs": line[:, 0], "rs_ratio": ratio[:, 0], "rs_momentum": momentum[:, 0]}, index=index
    )


# --- quadrant changes and JSON -----------------------------------------------------------------


def quadrant_changes(points: Sequence[RRGPoint]) -> dict[str, QuadrantChange]:
    """Each symbol's quadrant one period earlier and now, from one :func:`rrg` call."""
    return {p.symbol: QuadrantChange(p.previous_quadrant, p.quadrant) for p in points}


def quadrant_change(
    points_prev: Sequence[RRGPoint], points_now: Sequence[RRGPoint]
) -> dict[str, QuadrantChange]:
    """Quadrants of two graphs side by side (e.g. two ``as_of`` dates), keyed by ``points_now``.

    A symbol absent from ``points_prev`` has previous quadrant None.
    """
    before = {p.symbol: p.quadrant for p in points_prev}
    return {p.symbol: QuadrantChange(before.get(p.symbol), p.quadrant) for p in points_now}


def rrg_to_dict(p: RRGPoint) -> dict[str, Any]:
    """A JSON-ready dict: symbol, rs_ratio, rs_momentum, quadrant, tail as [date, x, y] lists."""
    return {
        "symbol": p.symbol,
        "rs_ratio": p.rs_ratio,
        "rs_momentum": p.rs_momentum,
        "quadrant": p.quadrant,
        "tail": [[d, x, y] for d, x, y in p.tail],
    }
