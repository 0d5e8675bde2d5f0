"""Participation breadth inside sectors: how many of a sector's holdings take part in its move.

For a group of holdings (a sector ETF's bundled top 15, or every bundled holding together) and
each day ``t``, from adjusted closes:

- ``n``: holdings with a close on ``t`` ("with data"). A holding with no closes at all (UNH and
  ED in the bundled snapshot) is never counted and is listed in :attr:`GroupBreadth.no_data`.
- ``above_50`` / ``above_200``: the share of holdings whose close on ``t`` is strictly above
  the simple mean of their own last 50 / 200 closes (``t`` included), out of ``n_50`` /
  ``n_200``, the holdings with a close on ``t`` and at least 50 / 200 closes so far (a holding
  listed recently has data but no 200-day average yet: it is in ``n`` but not in ``n_200``).
- ``high_20``: the share at a 20-day high: close on ``t`` equal to the highest of their own
  last 20 closes (``t`` included), out of ``n_20``.
- ``basket``: an equal-weight basket of the holdings, rebalanced daily: its return on ``t`` is
  the mean of the returns of the holdings with a close on ``t`` and an earlier one (each from
  its own previous close), chained from 100 at the first day. ``etf`` is the close of the
  group's reference symbol (the sector ETF; SPY for all holdings) and ``basket_vs_etf`` is
  ``100 * (basket / etf)`` rebased to 100 at the first day both exist: above 100 and rising
  means the average holding beats the cap-weighted fund (broad participation).

"Own last N closes" counts a holding's trading rows, not calendar rows, so a day on which only
other symbols have a row (a holiday row of ^VIX) changes nothing. Shares are fractions (0.6 =
60 %) and NaN when their denominator is 0. Caveat to show wherever breadth is: top-15 holdings
only, membership as of 2025-11-18 (or earlier), the same list applied to the whole history.

Everything is vectorised over all holdings at once (one pass for the averages, one matrix
product per figure for all groups): ten years of all sectors take well under a second
(``benchmarks/breadth.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from tui.analytics.table import _frame_arrays

SMA_SHORT = 50
SMA_LONG = 200
HIGH_WINDOW = 20
ALL = "ALL"
"""The name of the group of every bundled holding."""

COLUMNS: tuple[str, ...] = (
    "n",
    "n_50",
    "n_200",
    "n_20",
    "above_50",
    "above_200",
    "high_20",
    "basket",
    "etf",
    "basket_vs_etf",
)
"""Columns of :attr:`GroupBreadth.frame`."""

CAVEAT = "top-15 holdings only, membership as of 2025-11-18"


@dataclass(frozen=True)
class GroupBreadth:
    """Daily breadth of one group: ``frame`` has :data:`COLUMNS`, one row per day with ``n > 0``."""

    name: str
    reference: str
    """The symbol the basket is compared with (the sector ETF, or SPY for all holdings)."""
    members: tuple[str, ...]
    no_data: tuple[str, ...]
    """Members without a single close: never counted in ``n``; show them as "no data"."""
    frame: pd.DataFrame


def sector_groups(
    holdings: Mapping[str, Sequence[Any]], *, all_name: str | None = ALL, benchmark: str = "SPY"
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Groups and their reference symbols from ``load_holdings()`` (ETF -> holdings).

    Each sector's group is its holdings' symbols, compared with the ETF itself; ``all_name``
    (None to leave it out) groups every distinct holding, compared with ``benchmark``.
    """
    groups: dict[str, list[str]] = {}
    for etf, items in holdings.items():
        groups[etf] = list(dict.fromkeys(getattr(h, "symbol", h) for h in items))
    reference = {etf: etf for etf in groups}
    if all_name is not None:
        groups[all_name] = list(dict.fromkeys(s for members in groups.values() for s in members))
        reference[all_name] = benchmark
    return groups, reference


def _long(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Valid cells column by column: (values, rows, cols, position within their column)."""
    valid = ~np.isnan(values)
    cols, rows = np.nonzero(valid.T)  # column-major: each column's cells in date order
    vals = values[rows, cols]
    counts = valid.sum(axis=0)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    position = np.arange(len(vals)) - np.repeat(starts, counts)
    return vals, rows, cols, position


def _rolling_mean(
    vals: np.ndarray, position: np.ndarray, centre: np.ndarray, window: int
) -> np.ndarray:
    """Mean of each cell and its column's previous ``window - 1`` cells; NaN if fewer exist.

    A running sum of the values less their column's mean (``centre``, per cell), which keeps
    the sums small so that the differences of the running sum lose no precision that matters.
    """
    out = np.full(len(vals), np.nan)
    if len(vals) >= window:
        run = np.cumsum(vals - centre)
        total = run[window - 1 :].copy()
        total[1:] -= run[:-window]
        out[window - 1 :] = total / window + centre[window - 1 :]
    out[position < window - 1] = np.nan
    return out


def _rolling_max(vals: np.ndarray, position: np.ndarray, window: int) -> np.ndarray:
    out = np.full(len(vals), np.nan)
    if len(vals) >= window:
        out[window - 1 :] = sliding_window_view(vals, window).max(axis=-1)
    out[position < window - 1] = np.nan
    return out


def breadth(
    closes: pd.DataFrame,
    groups: Mapping[str, Sequence[str]],
    reference: Mapping[str, str] | None = None,
    *,
    as_of: str | None = None,
) -> dict[str, GroupBreadth]:
    """Daily breadth of every group (see the module docstring), in the order of ``groups``.

    ``closes`` is a wide frame of adjusted closes (DatetimeIndex, one column per symbol) holding
    the members and the reference symbols; ``reference`` maps a group to the symbol its basket
    is compared with (default: the group's own name, e.g. the sector ETF). Rows after ``as_of``
    are ignored.
    """
    values, dates = _frame_arrays(closes, as_of)
    position: dict[str, int] = {}
    for j, name in enumerate(closes.columns):
        position.setdefault(str(name), j)
    members = sorted({s for group in groups.values() for s in group if s in position})
    index = {s: i for i, s in enumerate(members)}
    m = values[:, [position[s] for s in members]] if members else np.empty((len(dates), 0))
    n_rows, n_syms = m.shape

    has = ~np.isnan(m)
    vals, rows, cols, pos = _long(m)
    col_mean = np.zeros(n_syms)
    np.add.at(col_mean, cols, vals)
    col_mean /= np.maximum(has.sum(axis=0), 1)
    centre = col_mean[cols]
    sma_s = _rolling_mean(vals, pos, centre, SMA_SHORT)
    sma_l = _rolling_mean(vals, pos, centre, SMA_LONG)
    high = _rolling_max(vals, pos, HIGH_WINDOW)
    prev = np.full(len(vals), np.nan)
    prev[1:] = vals[:-1]
    prev[pos == 0] = np.nan

    flat = rows * n_syms + cols

    def wide(flags: np.ndarray) -> np.ndarray:
        out = np.zeros(n_rows * n_syms)
        out[flat] = flags
        return out.reshape(n_rows, n_syms)

    with np.errstate(invalid="ignore"):
        ret = np.zeros(n_rows * n_syms)
        ret[flat] = np.nan_to_num(vals / prev - 1.0)
        ret = ret.reshape(n_rows, n_syms)
        has_ret = wide(~np.isnan(prev))
        figures = {
            "n": has.astype(np.float64),
            "n_50": wide(~np.isnan(sma_s)),
            "n_200": wide(~np.isnan(sma_l)),
            "n_20": wide(~np.isnan(high)),
            "up_50": wide(vals > sma_s),
            "up_200": wide(vals > sma_l),
            "at_20": wide(vals >= high),
        }
    names = list(groups)
    picks = [sorted({index[s] for s in groups[name] if s in index}) for name in names]

    def by_group(arr: np.ndarray) -> np.ndarray:
        # Column sums per group (no BLAS: its threads stall on a busy machine).
        out = np.zeros((n_rows, len(names)))
        for g, cols_g in enumerate(picks):
            if len(cols_g) == n_syms:
                out[:, g] = arr.sum(axis=1)
            elif cols_g:
                out[:, g] = arr[:, cols_g].sum(axis=1)
        return out

    counts = {key: by_group(arr) for key, arr in figures.items()}
    ret_sum = by_group(ret)
    ret_n = by_group(has_ret)
    with np.errstate(invalid="ignore", divide="ignore"):
        basket_ret = np.where(ret_n > 0, ret_sum / ret_n, 0.0)
        shares = {
            "above_50": counts["up_50"] / counts["n_50"],
            "above_200": counts["up_200"] / counts["n_200"],
            "high_20": counts["at_20"] / counts["n_20"],
        }

    date_index = pd.DatetimeIndex(dates.astype("datetime64[ns]"), name="date")
    out: dict[str, GroupBreadth] = {}
    for g, name in enumerate(names):
        ref = (reference or {}).get(name, name)
        keep = counts["n"][:, g] > 0
        basket = 100.0 * np.cumprod(1.0 + basket_ret[keep, g])
        if len(basket):
            basket = basket / basket[0] * 100.0
        etf = values[keep, position[ref]] if ref in position else np.full(int(keep.sum()), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = basket / etf
        first = np.flatnonzero(~np.isnan(rel))
        if len(first):
            rel = 100.0 * rel / rel[first[0]]
        frame = pd.DataFrame(
            {
                "n": counts["n"][keep, g].astype(int),
                "n_50": counts["n_50"][keep, g].astype(int),
                "n_200": counts["n_200"][keep, g].astype(int),
                "n_20": counts["n_20"][keep, g].astype(int),
                "above_50": shares["above_50"][keep, g],
                "above_200": shares["above_200"][keep, g],
                "high_20": shares["high_20"][keep, g],
                "basket": basket,
                "etf": etf,
                "basket_vs_etf": rel,
            },
            index=date_index[keep],
        )
        wanted = tuple(dict.fromkeys(groups[name]))
        no_data = tuple(s for s in wanted if s not in index or not has[:, index[s]].any())
        out[name] = GroupBreadth(name, ref, wanted, no_data, frame)
    return out


def _figure(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def breadth_snapshot(group: GroupBreadth, as_of: str | None = None) -> dict[str, Any]:
    """The latest day (on or before ``as_of``) as a JSON-ready dict.

    Keys: ``above_50``, ``above_200``, ``high_20`` (fractions, None without a denominator),
    ``n``, ``n_50``, ``n_200``, ``n_20``, ``as_of`` (the day's date), ``no_data`` (members
    without prices). All None/0 when the group has no day with data.
    """
    frame = group.frame if as_of is None else group.frame.loc[:as_of]
    if frame.empty:
        return {
            "above_50": None,
            "above_200": None,
            "high_20": None,
            "n": 0,
            "n_50": 0,
            "n_200": 0,
            "n_20": 0,
            "as_of": None,
            "no_data": list(group.no_data),
        }
    row = frame.iloc[-1]
    return {
        "above_50": _figure(row["above_50"]),
        "above_200": _figure(row["above_200"]),
        "high_20": _figure(row["high_20"]),
        "n": int(row["n"]),
        "n_50": int(row["n_50"]),
        "n_200": int(row["n_200"]),
        "n_20": int(row["n_20"]),
        "as_of": str(frame.index[-1].date()),
        "no_data": list(group.no_data),
    }
