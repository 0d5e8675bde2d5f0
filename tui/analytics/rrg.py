"""Relative rotation graph (RRG): RS-Ratio (x) and RS-Momentum (y) around 100, tails, quadrants.

Julius de Kempenaer's JdK RS-Ratio and JdK RS-Momentum are proprietary. This module uses the
published z-score approximation of RRGPy (github.com/An0n1mity/RRGPy, ``RRGIndicator.py``), the
formula RRG-Lite took over and explains step by step in its wiki page "RS ratio and Momentum
calculations" (github.com/BennyThadikaran/RRG-Lite/wiki/RS-ratio-and-Momentum-calculations).
For every period ``t`` of the chosen mode (weekly or daily closes)::

    RS_t          = 100 * sym_t / bench_t                                    (unsmoothed, s = 1)
    RS_t          = SMA_s(100 * sym / bench)_t                               (smoothed,   s > 1)
    RS-Ratio_t    = 100 + scale * (RS_t  - SMA_w(RS)_t)  / SD_w(RS)_t        w = ratio_window
    ROC_t         = 100 * (RS-Ratio_t / RS-Ratio_(t-k) - 1)                  k = roc_periods
    RS-Momentum_t = 100 + scale * (ROC_t - SMA_v(ROC)_t) / SD_v(ROC)_t       v = momentum_window

``SMA_n`` and ``SD_n`` are the mean and the population standard deviation (ddof=0, as in RRGPy)
of the last ``n`` values, the current one included. Defaults: w = v = 14 periods (RRGPy's and
RRG-Lite's window), k = 1, scale = 1, s = 3 (see "Smoothing"). Three deliberate departures from
the sources, all stated:

- RRGPy adds 101 to the momentum; both axes here add 100, as RRG-Lite does, so the origin of
  the graph is (100, 100).
- Both sources take the rate of change against a fixed base (RRGPy the series' second value,
  RRG-Lite the value 52 periods back). A change against a fixed base is an affine function of
  RS-Ratio, so its z-score is only RS-Ratio normalised a second time, and it depends on where
  the data starts. Here ROC is period over period (``k`` periods back), so RS-Momentum is a
  normalised rate of change of RS-Ratio, as published descriptions of JdK RS-Momentum put it.
- The RS line is smoothed first (below); ``smoothing=1`` gives the sources' unsmoothed line.

**Smoothing.** ``SMA_s`` is the simple mean of the last ``s`` RS values of the mode's periods
(``s = smoothing``), taken before anything else, so RS-Ratio is the z-score of a smoothed RS
line and RS-Momentum that of its rate of change. A finite window keeps the finite memory below
(no exponential smoothing), and a z-score is still bounded by Samuelson's inequality. It lags
the raw line by ``(s - 1) / 2`` periods on average. Why 3: on the bundled data (11 sector ETFs
against SPY, every week 2016-2026, ``benchmarks/rrg_tails.py``), the newest step of a weekly
tail is, as a share of the axis span the RRG screen draws, a median 19.0 % unsmoothed (90th
percentile 45 %; 36 % of steps cross more than a quarter of the chart, and symbols change
quadrant 29 times a year); with s = 3 the median is 11.9 % (p90 30 %, 16 % over a quarter, 17
changes a year) at one week of lag. s = 3 is the smallest window whose median step is under an
eighth of the span, so the seven steps of an 8-point tail stay within the chart; each further
period of lag buys less than a point. Daily tails measure the same (17.8 % -> 11.8 %), so both
modes default to 3 (:data:`SMOOTHING_BY_MODE`).

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
only on the last ``s - 1 + w + k + v - 1`` RS values (30 with the defaults) and not on where the
history starts; :func:`rrg` computes only the rows the tail needs, which is what makes it fast.
It is also what makes the time machine exact: :func:`rrg_timeline` computes every period once,
and its frame ``k`` periods back equals :func:`rrg` with the data cut at that period's date.

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
:func:`transitions` lists the symbols whose quadrant changed in the latest period.

**Angles, heading, velocity (Optuma's convention).** Angles are compass bearings on the graph:
degrees clockwise from straight up (+RS-Momentum), so 90 is right (+RS-Ratio), 180 down, 270
left, in [0, 360). Optuma uses this convention for the RRG: its forum's scripting notes split
the heading into eight 45-degree sectors with North 337.5-22.5, North-east 22.5-67.5 ("both
increasing relative strength and momentum"), East 67.5-112.5, ..., South-west 202.5-247.5 (the
opposite) (forum.optuma.com, "Scripts for Relative Rotation Graphs (RRGs)"). Applied to a
point's position around (100, 100) (:attr:`RRGPoint.position_angle`), 0-90 is Leading, 90-180
Weakening, 180-270 Lagging and 270-360 Improving; on the boundaries :func:`quadrant` decides.
Applied to a step, it is the **heading**: the direction of the last step of the tail,
``atan2(dx, dy)`` in degrees mod 360 with ``dx``/``dy`` the change of RS-Ratio/RS-Momentum, so
a heading in 0-90 points towards Leading (up and right) and 180-270 towards Lagging. Angles are
in axis units (both axes are in standard deviations), not screen cells, whose aspect the
terminal sets. **Velocity** is the length of the last step, ``hypot(dx, dy)``, in axis units
per period; **tail length** the sum of the lengths of all steps of the tail; **distance** the
point's distance from (100, 100). All are taken from the same tail points an
:class:`RRGPoint` carries (:func:`tail_metrics`), and are None without a step (a tail of fewer
than two points, or for the heading a step of length 0).
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

SMOOTHING = 3
"""s: periods in the simple moving average of the RS line taken before normalising (1 = none)."""

SMOOTHING_BY_MODE: dict[str, int] = {"weekly": SMOOTHING, "daily": SMOOTHING}
"""The smoothing used when none is asked for, by mode (see "Smoothing" in the module docstring)."""

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
    smoothing: int = SMOOTHING
    """s: RS is replaced by its ``s``-period simple moving average first (1 = no smoothing)."""

    def __post_init__(self) -> None:
        if not isinstance(self.smoothing, int) or self.smoothing < 1:
            raise ValueError(f"smoothing must be an integer >= 1, got {self.smoothing!r}")
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
        """RS values behind one point: ``s - 1 + w + k + v - 1``."""
        return self.smoothing - 1 + self.ratio_window + self.roc_periods + self.momentum_window - 1

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

    @property
    def heading(self) -> float | None:
        """Direction of the last tail step in degrees, clockwise from up (see "Heading")."""
        return tail_metrics(self.tail).heading

    @property
    def velocity(self) -> float | None:
        """Length of the last tail step, in axis units per period; None without a step."""
        return tail_metrics(self.tail).velocity

    @property
    def tail_length(self) -> float | None:
        """Sum of the lengths of the tail's steps, in axis units; None without a step."""
        return tail_metrics(self.tail).tail_length

    @property
    def position_angle(self) -> float | None:
        """Angle of the point around (100, 100), clockwise from up: 0-90 is Leading, and so on."""
        if self.rs_ratio is None or self.rs_momentum is None:
            return None
        return compass(self.rs_ratio - 100.0, self.rs_momentum - 100.0)

    @property
    def distance(self) -> float | None:
        """Distance of the point from (100, 100), in axis units."""
        if self.rs_ratio is None or self.rs_momentum is None:
            return None
        return math.hypot(self.rs_ratio - 100.0, self.rs_momentum - 100.0)


class TailMetrics(NamedTuple):
    """Heading (degrees), velocity and tail length of one tail; None where there is no step."""

    heading: float | None
    velocity: float | None
    tail_length: float | None


def compass(dx: float, dy: float) -> float | None:
    """The direction of (dx, dy) in degrees [0, 360), clockwise from up; None for (0, 0).

    Up (+RS-Momentum) is 0, right (+RS-Ratio) 90, down 180, left 270.
    """
    if dx == 0 and dy == 0:
        return None
    return math.degrees(math.atan2(dx, dy)) % 360.0


def tail_metrics(tail: Sequence[tuple[str, float, float]]) -> TailMetrics:
    """:class:`TailMetrics` of ``(date, x, y)`` points oldest first (as in :attr:`RRGPoint.tail`).

    Heading is the compass direction of the last step (None when it has no length), velocity
    its length, tail length the sum of the lengths of all steps; all None with fewer than two
    points.
    """
    if len(tail) < 2:
        return TailMetrics(None, None, None)
    steps = [(x1 - x0, y1 - y0) for (_, x0, y0), (_, x1, y1) in zip(tail, tail[1:], strict=False)]
    dx, dy = steps[-1]
    return TailMetrics(
        compass(dx, dy), math.hypot(dx, dy), math.fsum(math.hypot(a, b) for a, b in steps)
    )


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


def _sma(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of the ``window`` rows ending at each row (axis 0); NaN until the window is full."""
    out = np.full(x.shape, np.nan)
    if x.shape[0] >= window:
        out[window - 1 :] = sliding_window_view(x, window, axis=0).mean(axis=-1)
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
    if p.smoothing > 1:
        rs = _sma(rs, p.smoothing)
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


RECENT_MARGIN = 4
"""Periods more than the graph needs that :func:`_recent_periods` takes from the end of the
data first (a gap of a few periods in a column still finds its rows there)."""


def _recent_periods(
    values: np.ndarray,
    dates: np.ndarray,
    columns: Sequence[Any],
    symbols: Sequence[str],
    benchmark: str,
    mode: str,
    count: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``_last_valid(*_periods(_rs_columns(values, ...), dates, mode), count)``, from the end.

    The graph needs only each column's last ``count`` periods, but RS over the whole history
    (ten years of 500 symbols) was most of :func:`rrg`'s time. RS and the weekly grouping are
    taken over a trailing slice of the rows that starts on a period boundary (a whole W-FRI
    week, or any day) ``count + RECENT_MARGIN`` periods back, so each period in it is the
    same selection of the same values as over the whole history. A column that has fewer
    than ``count`` valid periods in the slice (a gap, a stale or absent series) is taken over
    the whole history instead. Only selections and the same elementwise RS: the result is
    identical, value for value (tests/test_rrg.py holds the two equal).
    """
    n = len(dates)
    if mode == "daily":
        lo = max(0, n - count - RECENT_MARGIN)
    elif n:
        week = (dates.astype("datetime64[D]").astype(np.int64) - _EPOCH_SATURDAY) // 7
        lo = int(np.searchsorted(week, week[-1] - (count + RECENT_MARGIN) + 1, side="left"))
    else:
        lo = 0
    if lo == 0:
        rs = _rs_columns(values, columns, symbols, benchmark)
        return _last_valid(*_periods(rs, dates, mode), count)
    rs = _rs_columns(values[lo:], columns, symbols, benchmark)
    per, source = _last_valid(*_periods(rs, dates[lo:], mode), count)
    source = np.where(source >= 0, source + lo, -1)
    short = np.flatnonzero(np.isnan(per[0])) if count else np.empty(0, dtype=np.int64)
    if short.size:
        rs = _rs_columns(values, columns, [symbols[j] for j in short], benchmark)
        per[:, short], source[:, short] = _last_valid(*_periods(rs, dates, mode), count)
    return per, source


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")


def default_smoothing(mode: str, smoothing: int | None = None) -> int:
    """``smoothing`` if given, else the default of ``mode`` (:data:`SMOOTHING_BY_MODE`)."""
    return SMOOTHING_BY_MODE[mode] if smoothing is None else smoothing


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
    smoothing: int | None = None,
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
    params = RRGParams(
        ratio_window, momentum_window, roc_periods, scale, default_smoothing(mode, smoothing)
    )
    symbols = list(symbols)
    if not symbols:
        return []
    values, dates = _frame_arrays(closes, as_of)
    if len(dates) == 0:
        return [_empty_point(symbol) for symbol in symbols]
    keep = max(tail, 2)  # one period before the current one, for previous_quadrant
    rows = params.periods_needed + keep - 1
    per, source = _recent_periods(
        values, dates, list(closes.columns), symbols, benchmark, mode, rows
    )
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
    smoothing: int | None = None,
) -> pd.DataFrame:
    """The whole history of one symbol: columns ``rs``, ``rs_ratio``, ``rs_momentum`` by date.

    One row per period of ``mode`` (indexed by the date of the close used); ``rs_ratio`` and
    ``rs_momentum`` are NaN on rows without a point (the first ``w + k + v - 2`` rows, flat
    windows). For charts of the two lines; :func:`rrg` gives the same figures on its rows.
    """
    _check_mode(mode)
    params = RRGParams(
        ratio_window, momentum_window, roc_periods, scale, default_smoothing(mode, smoothing)
    )
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


# --- the time machine --------------------------------------------------------------------------


@dataclass(frozen=True)
class RRGTimeline:
    """The graph at each of the last periods, for stepping back and forward through time.

    ``dates`` are the periods' dates oldest to newest: the benchmark's last close in each period
    (each W-FRI week, or each day). :meth:`frame` ``(k)`` is the graph ``k`` periods back from
    the newest (``k = 0``), and equals ``rrg(closes, symbols, benchmark, as_of=date(k), ...)``
    with the same settings; it is only sliced from arrays computed once, so a step costs no
    normalisation. Built by :func:`rrg_timeline`.
    """

    symbols: tuple[str, ...]
    dates: tuple[str, ...]
    tail: int
    _x: np.ndarray  # rows x symbols: RS-Ratio of each symbol's own periods, bottom-aligned
    _y: np.ndarray
    _days: tuple[tuple[str, ...], ...]  # per symbol, the date of each row ("" = padding)
    _pos: np.ndarray  # frames x symbols: the row of each frame's point (-1 = none)

    def __len__(self) -> int:
        return len(self.dates)

    def date(self, k: int = 0) -> str:
        """The date of the frame ``k`` periods back (``0`` = the newest)."""
        return self.dates[self._index(k)]

    def _index(self, k: int) -> int:
        if not isinstance(k, int) or not 0 <= k < len(self.dates):
            raise IndexError(f"step {k!r} is outside 0..{len(self.dates) - 1}")
        return len(self.dates) - 1 - k

    def frame(self, k: int = 0) -> list[RRGPoint]:
        """The graph ``k`` periods back: one :class:`RRGPoint` per symbol, as :func:`rrg` gives."""
        row = self._pos[self._index(k)]
        points: list[RRGPoint] = []
        for j, symbol in enumerate(self.symbols):
            i = int(row[j])
            if i < 0 or math.isnan(self._x[i, j]) or math.isnan(self._y[i, j]):
                points.append(_empty_point(symbol))
                continue
            x, y, days = self._x[:, j], self._y[:, j], self._days[j]
            start = i
            while (
                start > i - self.tail + 1
                and start > 0
                and not (math.isnan(x[start - 1]) or math.isnan(y[start - 1]))
            ):
                start -= 1
            tail = tuple((days[t], float(x[t]), float(y[t])) for t in range(start, i + 1))
            before = quadrant(float(x[i - 1]), float(y[i - 1])) if i > 0 else None
            points.append(
                RRGPoint(
                    symbol,
                    tail[-1][1],
                    tail[-1][2],
                    quadrant(tail[-1][1], tail[-1][2]),
                    tail,
                    before,
                )
            )
        return points


def rrg_timeline(
    closes: pd.DataFrame,
    symbols: Sequence[str],
    benchmark: str,
    *,
    steps: int | None = 52,
    mode: str = "weekly",
    tail: int = TAIL,
    as_of: str | None = None,
    ratio_window: int = RATIO_WINDOW,
    momentum_window: int = MOMENTUM_WINDOW,
    roc_periods: int = ROC_PERIODS,
    scale: float = SCALE,
    smoothing: int | None = None,
) -> RRGTimeline:
    """The last ``steps`` frames of the graph (all periods with ``None``), newest as of ``as_of``.

    Same arguments as :func:`rrg`. Periods are those of the benchmark: a frame's date is the
    benchmark's last close in its week (weekly) or each of its closes (daily). A benchmark
    without closes gives a timeline of no frames.
    """
    _check_mode(mode)
    if not isinstance(tail, int) or tail < 1:
        raise ValueError(f"tail must be an integer >= 1, got {tail!r}")
    if steps is not None and (not isinstance(steps, int) or steps < 1):
        raise ValueError(f"steps must be an integer >= 1 or None, got {steps!r}")
    params = RRGParams(
        ratio_window, momentum_window, roc_periods, scale, default_smoothing(mode, smoothing)
    )
    symbols = list(symbols)
    values, dates = _frame_arrays(closes, as_of)
    columns = list(closes.columns)
    # The benchmark's own periods give the frames' dates (RS exists only where it has a close).
    bench_rs = _rs_columns(values, columns, [benchmark], benchmark)
    _, bench_src = _periods(bench_rs, dates, mode)
    frame_rows = bench_src[bench_src[:, 0] >= 0, 0]
    if steps is not None:
        frame_rows = frame_rows[-steps:]
    frame_dates = tuple(np.datetime_as_string(dates[frame_rows], unit="D").tolist())
    m = len(symbols)
    if len(frame_rows) == 0 or m == 0:
        empty = np.full((0, m), np.nan)
        return RRGTimeline(
            tuple(symbols),
            frame_dates,
            tail,
            empty,
            empty,
            ((),) * m,
            np.full((len(frame_rows), m), -1, dtype=np.int64),
        )
    rs = _rs_columns(values, columns, symbols, benchmark)
    per, source = _periods(rs, dates, mode)
    # Rows kept per symbol: its periods after the oldest frame, plus enough before it for the
    # oldest frame's point, its tail and the period before that (finite windows: exact).
    after = (source > frame_rows[0]).sum(axis=0)
    rows = int(after.max()) + 1 + params.periods_needed + max(tail, 2)
    per, source = _last_valid(per, source, min(rows, per.shape[0]))
    x, y = rs_ratio_momentum(per, params)
    day_text = np.datetime_as_string(dates[np.maximum(source, 0)], unit="D")
    day_text[source < 0] = ""
    days = tuple(tuple(col) for col in day_text.T.tolist())
    # The point of each frame: the symbol's last row whose close is on or before the frame's.
    key = np.where(source < 0, -1, source)
    pos = np.empty((len(frame_rows), m), dtype=np.int64)
    for j in range(m):
        idx = np.searchsorted(key[:, j], frame_rows, side="right") - 1
        ok = (idx >= 0) & (key[np.maximum(idx, 0), j] >= 0)
        pos[:, j] = np.where(ok, idx, -1)
    return RRGTimeline(tuple(symbols), frame_dates, tail, x, y, days, pos)


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


class Transition(NamedTuple):
    """A symbol that changed quadrant in the latest period."""

    symbol: str
    previous: str
    current: str
    date: str
    """The date of the latest point (the period in which the change happened)."""

    @property
    def text(self) -> str:
        """Plain text for a list: ``"XLK Improving → Lagging"``."""
        return f"{self.symbol} {self.previous} \u2192 {self.current}"


def transitions(points: Sequence[RRGPoint]) -> list[Transition]:
    """The symbols whose quadrant changed since the previous period, in the order of ``points``.

    A symbol without a point now or one period earlier is not a transition (nothing is known).
    """
    out: list[Transition] = []
    for p in points:
        known = p.previous_quadrant is not None and p.quadrant is not None and p.tail
        if known and p.previous_quadrant != p.quadrant:
            out.append(Transition(p.symbol, p.previous_quadrant, p.quadrant, p.tail[-1][0]))
    return out


def transition_to_dict(t: Transition) -> dict[str, Any]:
    """JSON-ready: symbol, from, to, date and the plain text."""
    return {"symbol": t.symbol, "from": t.previous, "to": t.current, "date": t.date, "text": t.text}


def rrg_to_dict(p: RRGPoint) -> dict[str, Any]:
    """A JSON-ready dict: symbol, rs_ratio, rs_momentum, quadrant, tail as [date, x, y] lists,
    and heading, velocity and tail_length from that same tail (None without a step)."""
    metrics = tail_metrics(p.tail)
    return {
        "symbol": p.symbol,
        "rs_ratio": p.rs_ratio,
        "rs_momentum": p.rs_momentum,
        "quadrant": p.quadrant,
        "tail": [[d, x, y] for d, x, y in p.tail],
        "heading": metrics.heading,
        "velocity": metrics.velocity,
        "tail_length": metrics.tail_length,
    }
