"""Evaluate regime rules over a frame of closes: status, evidence, and the history of flips.

Every rule is evaluated over the whole history at once (numpy over each series), so the status
on every day — and thus the day it last flipped — costs no more than today's. The same
computation backs :func:`evaluate` (the last day), :func:`rule_series` (every day, to chart) and
:func:`flips`, so they always agree.

How a day is judged:

- The *timeline* is the rows of ``closes`` dated on or before ``as_of`` on which any symbol has
  a close: the market's trading days as far as the data knows. Each series is computed on its
  own rows (a ratio on the dates both symbols have a close), and windows count those rows.
- On a timeline day a condition reads its series' latest row on or before that day. It is
  *unknown* when the series has no row yet, when that row is more than ``stale_days`` trading
  days old (a symbol that stopped updating; counted in NYSE sessions — weekdays less XNYS
  holidays, the calendar the market clock and the refresh cadence use — so it does not matter
  which other symbols the frame holds), or when the series is still shorter
  than the test needs. Staleness is measured against the newest row of ``closes``; whether the
  frame as a whole is old is for the caller's status line to say.
- A rule passes when every condition passes, fails when none is unknown and one fails, and is
  unknown when any condition is unknown (a rule whose data is missing or stale says "?" and why).
- The Fed decisions count from their decision day (announced 14:00 ET, before the close).
  ``decisions`` may hold holds (``change_bp == 0``, :func:`tui.regime.fed.policy_record`): the
  newest decision on record is how far the record reaches; from the first scheduled meeting
  after it the rule is unknown.
- Each rule has three states per day: *raw* (the plain test above), *banded* (the conditions'
  hysteresis ``band``) and *confirmed* (the banded state after ``confirm_days``, see
  :func:`confirm`). ``status``, ``since`` and :func:`flips` are of the confirmed state, what
  the dashboard shows; ``raw_status`` and ``flips(..., raw=True)`` keep the plain test.

Negative numbers in texts use the Unicode minus sign (U+2212), as the checklist does.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tui.data.market_clock import holidays_between
from tui.regime.rules import Condition, Rule, SeriesSpec

if TYPE_CHECKING:
    from tui.regime.fed import Decision
    from tui.regime.fomc import Meeting

__all__ = [
    "FAIL",
    "PASS",
    "SUMMARY_GROUPS",
    "UNKNOWN",
    "GroupCount",
    "RuleResult",
    "Summary",
    "evaluate",
    "flips",
    "result_to_dict",
    "RuleHistory",
    "confirm",
    "histories",
    "rule_series",
    "rule_threshold",
    "summarize",
    "summary_to_dict",
]

PASS = "pass"
FAIL = "fail"
UNKNOWN = "unknown"
MINUS = "\u2212"
_STATUS = {1: PASS, 0: FAIL, -1: UNKNOWN}

PERIOD_LABELS = {5: "1W", 21: "1M", 63: "3M", 126: "6M", 252: "1Y"}
"""How a window of rows is named in texts (others read ``40d``)."""

SUMMARY_GROUPS: tuple[str, ...] = ("Policy", "Rotation", "Breadth", "Risk")
"""Groups counted in the summary: all of them (see :func:`summarize`)."""

ON_AT = 0.6
"""Share of known rules passing from which the rotation reads ON."""
MIXED_AT = 0.4
"""Share from which it reads MIXED (below: OFF)."""


@dataclass(frozen=True)
class RuleResult:
    """A rule's status on the evaluation day, with the evidence."""

    id: str
    """The rule's id."""
    name: str
    """Short title."""
    group: str
    """Policy, Rotation, Breadth or Risk."""
    status: str
    """``pass``, ``fail`` or ``unknown``: the confirmed state (after the rule's band and
    ``confirm_days``), what the dashboard shows."""
    value: float | None
    """The main number: the first condition's measure — the series itself for average and
    level tests, the return (fraction) for return tests, the change for change tests, the last
    move in bp for the Fed. None when that condition is unknown."""
    value_text: str
    """The figures behind the status, e.g.
    ``IWM/SPY 0.3898 vs 50d 0.3927 (−0.7%), 50d slope +0.7%/10d; 3M RS +2.10%``."""
    threshold: str
    """What passes, e.g. ``above a rising 50-day average and 3M RS above 0%``."""
    why: str
    """One line: why it matters."""
    since: str | None
    """ISO date the (confirmed) status last changed to its current value; None if it never
    changed in the data (or there is no data)."""
    reason: str
    """Why the status is unknown (``no KRE data``, ``^VIX last close 2026-07-20 is 9 trading days
    stale``, ``fewer than 60 common days of IWM and SPY (have 20)``); empty otherwise."""
    series_name: str
    """The main series, e.g. ``IWM/SPY``."""
    raw_status: str = ""
    """The plain test on the day (no band, no confirmation): ``pass``, ``fail`` or
    ``unknown``; empty (when built by hand) means the same as :attr:`status`."""
    pending: dict[str, Any] | None = None
    """When the rule is moving off its confirmed :attr:`status`: ``{"to": "fail", "days": 1,
    "of": 3, "inside_band": False}`` — the banded test has been on the ``to`` side for ``days``
    consecutive known days of the ``of`` needed. ``inside_band`` True (``days`` 0): the plain
    test differs but the value is still inside the hysteresis band, so nothing is counted yet.
    None otherwise (also when either state is unknown)."""
    confirm_days: int = 1
    """The rule's ``confirm_days``."""

    def __post_init__(self) -> None:
        if not self.raw_status:
            object.__setattr__(self, "raw_status", self.status)


def result_to_dict(r: RuleResult) -> dict[str, Any]:
    """JSON-ready ``{"id", "name", "group", "status", "raw_status", "pending", "value",
    "value_text", "threshold", "why", "since", "reason"}``; ``status`` is the confirmed state
    (what the dashboard shows), ``raw_status`` the plain test, ``pending`` as
    :attr:`RuleResult.pending`."""
    return {
        "id": r.id,
        "name": r.name,
        "group": r.group,
        "status": r.status,
        "raw_status": r.raw_status,
        "pending": r.pending,
        "value": r.value,
        "value_text": r.value_text,
        "threshold": r.threshold,
        "why": r.why,
        "since": r.since,
        "reason": r.reason,
    }


# --- formatting ---------------------------------------------------------------------------------


def _signed(number: float, spec: str) -> str:
    """``number`` with an explicit sign, negatives with U+2212."""
    text = format(number, "+" + spec)
    return MINUS + text[1:] if text.startswith("-") else text


def _period(window: int) -> str:
    """``63`` -> ``3M``; other windows ``40d``."""
    return PERIOD_LABELS.get(window, f"{window}d")


def _level(unit: str, value: float) -> str:
    """A series value as it reads in its unit."""
    if unit == "ratio":
        return f"{value:.4f}"
    if unit == "yield":
        return f"{value:.3f}%"
    if unit == "pp":
        return _signed(value, ".2f") + " pp"
    if unit == "policy":
        return f"{value:.3f}%"
    if unit == "weight":
        return f"{value * 100.0:.1f}%"
    return f"{value:.2f}"


def _diff(unit: str, new: float, old: float) -> str:
    """The gap from ``old`` to ``new``: relative for prices and ratios, absolute otherwise."""
    if unit in ("ratio", "price"):
        return _signed(new / old - 1.0, ".1%") if old else "n/a"
    return _delta(unit, new - old)


def _delta(unit: str, change: float) -> str:
    """An absolute change: bp for yields and spreads, points otherwise."""
    if unit in ("yield", "pp", "policy"):
        return _signed(change * 100.0, ".1f") + " bp"
    if unit == "weight":  # a fraction of the fund: in percentage points of weight
        return _signed(change * 100.0, ".2f") + " pts"
    if unit == "points":
        return _signed(change, ".2f") + " pts"
    return _signed(change, ".4f")


def _threshold_number(unit: str, value: float) -> str:
    """A threshold level as the file means it."""
    text = f"{value:g}"
    if unit == "pp":
        return f"{text.replace('-', MINUS)} pp"
    if unit == "yield":
        return f"{text.replace('-', MINUS)}%"
    return text.replace("-", MINUS)


def _threshold_pct(value: float) -> str:
    """A return threshold: ``0%``, ``+2%``, ``−1.5%``."""
    if value == 0:
        return "0%"
    return _signed(value * 100.0, "g") + "%"


def _condition_threshold(c: Condition, rule_series: SeriesSpec) -> str:
    """What the condition needs, e.g. ``above a rising 50-day average``."""
    unit = c.series.unit
    prefix = "" if c.series == rule_series else f"{c.series.name} "
    test = c.test
    if test == "above_rising_sma":
        text = f"above a rising {c.window}-day average"
    elif test == "below_falling_sma":
        text = f"below a falling {c.window}-day average"
    elif test in ("above_sma", "below_sma"):
        text = f"{test.split('_')[0]} its {c.window}-day average"
    elif test.startswith("window_return_"):
        what = "RS" if unit == "ratio" else "return"
        side = test.rsplit("_", 1)[1]
        text = f"{_period(c.window or 0)} {what} {side} {_threshold_pct(c.threshold or 0.0)}"
    elif test.startswith("level_"):
        text = f"{test.split('_')[1]} {_threshold_number(unit, c.threshold or 0.0)}"
    elif test.startswith("change_"):
        if unit in ("yield", "pp", "policy"):
            change = _signed((c.threshold or 0.0) * 100.0, "g") + " bp"
        elif unit == "points":
            change = _signed(c.threshold or 0.0, "g") + " pts"
        elif unit == "weight":
            change = _signed((c.threshold or 0.0) * 100.0, "g") + " pts"
            change = "0 pts" if not c.threshold else change
        else:
            change = _signed(c.threshold or 0.0, "g")
        text = f"{_period(c.window or 0)} change {test.split('_')[1]} {change}"
    else:  # last_move_cut
        text = "last move a cut"
    return prefix + text


def rule_threshold(rule: Rule) -> str:
    """The rule's threshold text: its conditions joined with "and"."""
    return " and ".join(_condition_threshold(c, rule.series) for c in rule.conditions)


# --- the data -----------------------------------------------------------------------------------


def _as_date(as_of: str | date | None) -> date | None:
    """``as_of`` as a date (ISO string, date, datetime or Timestamp)."""
    if as_of is None:
        return None
    if isinstance(as_of, pd.Timestamp):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of if type(as_of) is date else as_of.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(as_of).strip()[:10])


class _Data:
    """``closes`` up to ``as_of`` as numpy: the timeline and each symbol's column on it."""

    def __init__(self, closes: pd.DataFrame, as_of: date | None) -> None:
        index = closes.index
        if not isinstance(index, pd.DatetimeIndex):
            index = pd.DatetimeIndex(pd.to_datetime(index))
        if index.tz is not None:
            index = index.tz_localize(None)
        days = index.to_numpy().astype("datetime64[D]")
        try:
            block = closes.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):  # a column of text: read each column leniently
            block = (
                np.column_stack(
                    [
                        pd.to_numeric(closes.iloc[:, i], errors="coerce").to_numpy(
                            dtype=np.float64, na_value=np.nan
                        )
                        for i in range(closes.shape[1])
                    ]
                )
                if closes.shape[1]
                else np.empty((len(days), 0))
            )
        block = np.where(np.isfinite(block), block, np.nan)
        keep = np.ones(len(days), dtype=bool)
        if as_of is not None:
            keep &= days <= np.datetime64(as_of, "D")
        if len(days) > 1 and not (days[1:] > days[:-1]).all():
            order = np.argsort(days, kind="stable")
            block, days, keep = block[order], days[order], keep[order]
            keep &= np.r_[days[1:] != days[:-1], True]  # a repeated date: its last row counts
        rows = np.flatnonzero(keep & ~np.isnan(block).all(axis=1)) if block.shape[1] else []
        self.dates: np.ndarray = days[rows]
        """Timeline: ``datetime64[D]``, ascending."""
        self._block = block[rows]
        self._where = {str(name): i for i, name in enumerate(closes.columns)}
        self.as_of = as_of
        self._holidays: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.dates)

    def column(self, symbol: str) -> np.ndarray | None:
        """The symbol's closes on the timeline (NaN where none), or None if it has none."""
        i = self._where.get(symbol)
        if i is None:
            return None
        column = self._block[:, i]
        return None if np.isnan(column).all() else column

    def last_row(self, symbol: str) -> int | None:
        """Timeline row of the symbol's newest close."""
        column = self.column(symbol)
        if column is None:
            return None
        return int(np.flatnonzero(~np.isnan(column))[-1])

    def iso(self, row: int) -> str:
        """The ISO date of a timeline row."""
        return str(self.dates[row])

    def sessions_between(self, older: np.ndarray, newer: np.ndarray) -> np.ndarray:
        """XNYS sessions after each ``older`` date up to each ``newer`` one: weekdays less the
        exchange's holidays (:func:`tui.data.market_clock.holidays_between`), so a series that
        stopped before a holiday is not a day staler for it."""
        if self._holidays is None:
            first, last = self.dates[0].item(), self.dates[-1].item()
            try:
                days: tuple[date, ...] = holidays_between(first, last)
            except Exception:  # exchange_calendars missing or broken: plain weekdays
                days = ()
            self._holidays = np.array(days, dtype="datetime64[D]")
        return np.busday_count(older, newer, holidays=self._holidays)


@dataclass
class _Line:
    """A series on its own rows: timeline row of each point, and the values."""

    rows: np.ndarray
    values: np.ndarray


def _make_line(data: _Data, spec: SeriesSpec) -> _Line | str:
    """The series, or the reason there is none."""
    columns = []
    for symbol in spec.symbols:
        column = data.column(symbol)
        if column is None:
            return f"no {symbol} data"
        columns.append(column)
    if spec.kind == "level":
        rows = np.flatnonzero(~np.isnan(columns[0]))
        return _Line(rows, columns[0][rows])
    if spec.kind == "drifted_weight":
        return _drifted_weight_line(data, spec, columns)
    block = np.vstack(columns)
    rows = np.flatnonzero(~np.isnan(block).any(axis=0))
    if len(rows) == 0:
        return f"no common dates of {_names(spec.symbols)}"
    block = block[:, rows]
    if spec.kind == "spread":
        return _Line(rows, block[0] - block[1])
    if spec.kind == "basket_ratio":
        n_a = len(spec.a)
        growth = block[:, 1:] / block[:, :-1]
        a = np.r_[1.0, np.cumprod(growth[:n_a].mean(axis=0))]
        b = np.r_[1.0, np.cumprod(growth[n_a:].mean(axis=0))]
        ratio = a / b
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = block[0] / block[1]
    keep = np.isfinite(ratio)
    return _Line(rows[keep], ratio[keep])


@functools.cache
def fund_weights(fund: str) -> tuple[dict[str, float], str] | None:
    """A fund's bundled holdings as ``({symbol: weight as a fraction}, as_of)``: SPY from State
    Street's top-20 file, a sector ETF from its top-15 file; None when none is bundled. Read
    once per process (a small CSV; the weights a ``drifted_weight`` series drifts)."""
    from tui.data.snapshot import load_holdings, load_spy_holdings

    holdings = load_spy_holdings() if fund == "SPY" else load_holdings().get(fund, [])
    if not holdings:
        return None
    return {h.symbol: h.weight_pct / 100.0 for h in holdings}, holdings[0].as_of


def _drifted_weight_line(data: _Data, spec: SeriesSpec, columns: list[np.ndarray]) -> _Line | str:
    """``sum_i w_i,0 · (P_i,t / P_i,0) / (F_t / F_0)`` from the weights' date on (see
    :mod:`tui.regime.rules`), on the rows where every holding and the fund have a close; the
    reason instead when the weights are not bundled or their date is not in the data (before
    it, the series is not defined: a backcast would assume today's membership)."""
    fund = spec.b[0]
    known = fund_weights(fund)
    if known is None:
        return f"no bundled holdings weights of {fund}"
    weights, as_of = known
    absent = [s for s in spec.a if s not in weights]
    if absent:
        return f"{_names(absent)} not in {fund}'s bundled holdings of {as_of}"
    base = np.datetime64(as_of, "D")
    i0 = int(np.searchsorted(data.dates, base))
    if i0 >= len(data) or data.dates[i0] != base:
        return f"drifted weights start on {as_of}, the date of {fund}'s holdings file"
    block = np.vstack(columns)  # the holdings, then the fund
    p0 = block[:, i0]
    if np.isnan(p0).any():
        lacking = [s for s, p in zip(spec.symbols, p0, strict=True) if np.isnan(p)]
        return f"no close of {_names(lacking)} on {as_of} to drift the weights from"
    rows = np.flatnonzero(~np.isnan(block).any(axis=0) & (data.dates >= base))
    w0 = np.array([weights[s] for s in spec.a])
    held = (w0[:, None] * block[:-1, rows] / p0[:-1, None]).sum(axis=0)
    return _Line(rows, held / (block[-1, rows] / p0[-1]))


def _names(symbols: Sequence[str]) -> str:
    """``IWM and SPY``; ``XLI, XLF, XLE, XLU, XLP and XLV``."""
    symbols = list(symbols)
    if len(symbols) == 1:
        return symbols[0]
    return ", ".join(symbols[:-1]) + " and " + symbols[-1]


# --- conditions ---------------------------------------------------------------------------------


@dataclass
class _Eval:
    """One condition over the timeline, and what its texts need."""

    condition: Condition
    status: np.ndarray  # int8 per timeline row: 1 pass, 0 fail, -1 unknown
    value: np.ndarray  # the series value per timeline row (NaN where none)
    line: np.ndarray  # the threshold line in series units per timeline row
    measure: np.ndarray  # the tested number per timeline row
    text: str  # figures on the last row ("" when unknown)
    reason: str  # why the last row is unknown ("" when known)
    level: str = ""  # the series value on the last row, as it reads
    short: int = 0  # rows the series lacks for this test on the last row (0: not short)
    signal: np.ndarray | None = None  # int8 per timeline row: the banded test (None: = status)

    @property
    def banded(self) -> np.ndarray:
        """The banded test per timeline row (the plain one when the condition has no band)."""
        return self.status if self.signal is None else self.signal


def _sma(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean of ``window`` rows; NaN for the first ``window - 1``."""
    out = np.full(len(values), np.nan)
    if len(values) >= window:
        sums = np.cumsum(np.r_[0.0, values])
        out[window - 1 :] = (sums[window:] - sums[:-window]) / window
    return out


def _lag(values: np.ndarray, n: int) -> np.ndarray:
    """``values`` shifted down ``n`` rows (NaN on top)."""
    out = np.full(len(values), np.nan)
    if n < len(values):
        out[n:] = values[: len(values) - n]
    return out


def _test(c: Condition, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, dict]:
    """Per series row: passed, threshold line, measure; the rows needed; extra arrays."""
    test = c.test
    extra: dict[str, np.ndarray] = {}
    if test in ("above_rising_sma", "below_falling_sma", "above_sma", "below_sma"):
        window = c.window or 1
        sma = _sma(v, window)
        extra["sma"] = sma
        if test in ("above_sma", "below_sma"):
            passed = v > sma if test == "above_sma" else v < sma
            return passed, sma, v, window, extra
        slope_days = c.slope_days or 1
        then = _lag(sma, slope_days)
        extra["then"] = then
        if test == "above_rising_sma":
            passed = (v > sma) & (sma > then)
        else:
            passed = (v < sma) & (sma < then)
        return passed, sma, v, window + slope_days, extra
    window = c.window or 0
    threshold = c.threshold or 0.0
    if test.startswith("window_return_"):
        base = _lag(v, window)
        with np.errstate(divide="ignore", invalid="ignore"):
            measure = v / base - 1.0
        passed = measure > threshold if test.endswith("above") else measure < threshold
        return passed, base * (1.0 + threshold), measure, window + 1, extra
    if test.startswith("change_"):
        base = _lag(v, window)
        measure = v - base
        passed = measure > threshold if test.endswith("above") else measure < threshold
        return passed, base + threshold, measure, window + 1, extra
    # level_above / level_below
    passed = v > threshold if test == "level_above" else v < threshold
    return passed, np.full(len(v), threshold), v, 1, extra


def _band_sides(
    c: Condition, v: np.ndarray, measure: np.ndarray, extra: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Per series row, for the banded test: where it turns to pass, where to fail, the plain
    comparison (read on the first known row when it falls inside the band), and a plain part
    that must pass too (the slope of a rising/falling average), or None."""
    b = c.band
    test = c.test
    with np.errstate(invalid="ignore"):
        if "sma" in test:
            sma = extra["sma"]
            width = b * np.abs(sma)
            slope = None
            if test == "above_rising_sma":
                slope = sma > extra["then"]
            elif test == "below_falling_sma":
                slope = sma < extra["then"]
            if test.startswith("above"):
                return v > sma + width, v <= sma - width, v > sma, slope
            return v < sma - width, v >= sma + width, v < sma, slope
        threshold = c.threshold or 0.0
        m = v if test.startswith("level_") else measure
        if test.endswith("above"):
            return m > threshold + b, m <= threshold - b, m > threshold, None
        return m < threshold - b, m >= threshold + b, m < threshold, None


def _hysteresis(
    c: Condition,
    v: np.ndarray,
    measure: np.ndarray,
    extra: dict[str, np.ndarray],
    known: np.ndarray,
) -> np.ndarray:
    """The banded test per series row (int8, -1 where unknown): outside the band the plain
    test, inside it the side of the last known row outside it; a first known row inside the
    band reads plainly."""
    enter, leave, plain, slope = _band_sides(c, v, measure, extra)
    side = np.where(enter, 1, np.where(leave, 0, -1)).astype(np.int8)
    side[~known] = -1
    first = np.flatnonzero(known)
    if len(first) and side[first[0]] == -1:
        side[first[0]] = 1 if plain[first[0]] else 0
    rows = np.maximum.accumulate(np.where(side >= 0, np.arange(len(side)), -1))
    held = np.where(rows >= 0, side[np.maximum(rows, 0)], -1).astype(np.int8)
    if slope is not None:
        held = np.where(held == 1, slope.astype(np.int8), held)
    return np.where(known, held, -1).astype(np.int8)


def _condition_text(c: Condition, v: float, measure: float, extra: dict[str, float]) -> str:
    """The figures of one condition on one row (series name added by the caller)."""
    unit = c.series.unit
    test = c.test
    if test in ("above_rising_sma", "below_falling_sma", "above_sma", "below_sma"):
        sma = extra["sma"]
        text = f"{_level(unit, v)} vs {c.window}d {_level(unit, sma)} ({_diff(unit, v, sma)})"
        if "then" in extra:
            slope = _diff(unit, sma, extra["then"])
            text += f", {c.window}d slope {slope}/{c.slope_days}d"
        return text
    if test.startswith("window_return_"):
        what = "RS" if unit == "ratio" else "return"
        return f"{_period(c.window or 0)} {what} {_signed(measure, '.2%')}"
    if test.startswith("change_"):
        return f"{_period(c.window or 0)} change {_delta(unit, measure)}"
    return _level(unit, v)


def _evaluate_condition(data: _Data, c: Condition, line: _Line | str, stale_days: int) -> _Eval:
    """A price-series condition over the timeline."""
    n = len(data)
    nan = np.full(n, np.nan)
    if isinstance(line, str):
        return _Eval(c, np.full(n, -1, dtype=np.int8), nan, nan, nan, "", line)
    passed, threshold_line, measure, need, extra = _test(c, line.values)
    known = np.arange(len(line.values)) >= need - 1
    known &= np.isfinite(measure) & np.isfinite(threshold_line)
    codes = np.where(known, passed.astype(np.int8), np.int8(-1)).astype(np.int8)
    banded = _hysteresis(c, line.values, measure, extra, known) if c.band > 0 else None

    # latest series row on or before each timeline row, and how many sessions old it is
    marks = np.zeros(n, dtype=np.int64)
    marks[line.rows] = 1
    at = np.cumsum(marks) - 1
    has = at >= 0
    safe = np.where(has, at, 0)
    age = data.sessions_between(data.dates[line.rows[safe]], data.dates) if n else np.zeros(0, int)
    fresh = has & (age <= stale_days)
    status = np.where(fresh, codes[safe], np.int8(-1)).astype(np.int8)
    signal = None
    if banded is not None:
        signal = np.where(fresh, banded[safe], np.int8(-1)).astype(np.int8)
    value = np.where(has, line.values[safe], np.nan)
    line_tl = np.where(has, threshold_line[safe], np.nan)
    measure_tl = np.where(has, measure[safe], np.nan)

    text, reason, level = "", "", ""
    if n:
        last = n - 1
        if not has[last]:
            reason = f"no {c.series.name} data"
        elif not fresh[last]:
            newest = data.iso(int(line.rows[safe[last]]))
            reason = _stale_reason(data, c.series, int(age[last]), newest)
        elif codes[safe[last]] == -1:
            have = int(safe[last]) + 1
            what = "days of" if len(c.series.symbols) == 1 else "common days of"
            reason = f"fewer than {need} {what} {_names(c.series.symbols)} (have {have})"
            return _Eval(c, status, value, line_tl, measure_tl, "", reason, "", need, signal)
        else:
            i = int(safe[last])
            figures = {k: float(a[i]) for k, a in extra.items()}
            text = _condition_text(c, float(line.values[i]), float(measure[i]), figures)
            level = _level(c.series.unit, float(line.values[i]))
    return _Eval(c, status, value, line_tl, measure_tl, text, reason, level, 0, signal)


def _stale_reason(data: _Data, spec: SeriesSpec, age: int, newest: str) -> str:
    """Which symbol stopped updating: ``^VIX last close 2026-07-20 is 9 trading days stale``.

    ``age`` is how many XNYS sessions the series' newest row (dated ``newest``) is behind the
    timeline's last day.
    """
    end = data.dates[-1]
    parts = []
    for symbol in spec.symbols:
        row = data.last_row(symbol)
        if row is None:
            continue
        behind = int(data.sessions_between(data.dates[row], end))
        if behind >= age:
            parts.append(f"{symbol} last close {data.iso(row)} is {behind} trading days stale")
    if parts:
        return "; ".join(parts)
    return f"no common close of {_names(spec.symbols)} since {newest} ({age} trading days)"


def _evaluate_fed(
    data: _Data,
    c: Condition,
    decisions: Sequence[Decision],
    ref: date | None,
    meetings: Sequence[Meeting],
) -> _Eval:
    """``last_move_cut`` over the timeline, from the decisions."""
    n = len(data)
    status = np.full(n, -1, dtype=np.int8)
    value = np.full(n, np.nan)
    measure = np.full(n, np.nan)
    ordered = sorted(decisions, key=lambda d: d.date)
    moves = [d for d in ordered if d.change_bp != 0]
    if ordered and n:
        all_days = np.array([d.date for d in ordered], dtype="datetime64[D]")
        at = np.searchsorted(all_days, data.dates, side="right") - 1
        mids = np.array([(d.lower + d.upper) / 2.0 for d in ordered])
        value = np.where(at >= 0, mids[np.maximum(at, 0)], np.nan)
    if moves and n:
        move_days = np.array([d.date for d in moves], dtype="datetime64[D]")
        at = np.searchsorted(move_days, data.dates, side="right") - 1
        change = np.array([d.change_bp for d in moves], dtype=np.float64)
        status = np.where(at >= 0, (change[np.maximum(at, 0)] < 0).astype(np.int8), -1)
        status = status.astype(np.int8)
        measure = np.where(at >= 0, change[np.maximum(at, 0)], np.nan)
    unseen_from = None
    if ordered and meetings:
        later = [m.end for m in meetings if m.end > ordered[-1].date]
        unseen_from = min(later) if later else None
    if unseen_from is not None and n:
        # From the first scheduled decision past the policy data on, the last known move may
        # not be the last move: unknown, not a pass on stale data.
        blind = data.dates >= np.datetime64(unseen_from, "D")
        status = np.where(blind, np.int8(-1), status).astype(np.int8)
    nan = np.full(n, np.nan)
    text, reason = "", ""
    if not ordered:
        reason = "no policy data"
    elif n == 0:
        reason = "no dates to evaluate on"
    else:
        day = date.fromisoformat(data.iso(n - 1))
        move = next((d for d in reversed(moves) if d.date <= day), None)
        end = ordered[-1].date
        record = f"{ordered[-1].source} to {end.isoformat()}"
        if move is None:
            reason = (
                f"no target-range change on record by {day.isoformat()}; policy data "
                f"covers {ordered[0].date.isoformat()}–{end.isoformat()} ({record})"
            )
        else:
            text = (
                f"last move {_signed(move.change_bp, 'd')} bp on {move.date.isoformat()}"
                f" → {move.lower:.2f}–{move.upper:.2f}%"
            )
            latest = next(d for d in reversed(ordered) if d.date <= day)
            if latest.date > move.date:
                text += f", held {latest.date.isoformat()}"
            ref = ref or day
            age = record
            if ref > end:
                age += f", {(ref - end).days} days before {ref.isoformat()}"
                unseen = [m.end for m in meetings if end < m.end <= ref]
                if unseen:
                    plural = "s" if len(unseen) > 1 else ""
                    verb = "are" if plural else "is"
                    age += (
                        f"; {len(unseen)} scheduled FOMC decision{plural} since {verb} "
                        "not on record"
                    )
                    reason = (
                        f"{len(unseen)} scheduled FOMC decision{plural} after {end.isoformat()} "
                        f"not on record (from {unseen[0].isoformat()})"
                    )
            text += f" ({age})"
    return _Eval(c, status, value, nan, measure, text, reason)


# --- rules --------------------------------------------------------------------------------------


def confirm(signal: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """The confirmed state of a daily signal, and each day's pending count.

    ``signal`` is int8 per day (1 pass, 0 fail, -1 unknown). The confirmed state takes the
    first known day as it is and then changes only on the ``days``-th consecutive known day on
    the other side. Unknown days are unknown in the result too, and skipped by the count (they
    neither add to nor break a pending change). ``pending[t]`` is how many consecutive known
    days, up to ``t``, the signal has been on the other side of the confirmed state (0 when on
    the same side or unknown). Vectorised over runs: on the known days the confirmed state is
    the value of the latest run that reached ``days`` rows (its ``days``-th row on), or of the
    first run.
    """
    signal = np.asarray(signal, dtype=np.int8)
    n = len(signal)
    state = np.full(n, -1, dtype=np.int8)
    pending = np.zeros(n, dtype=np.int64)
    known = np.flatnonzero(signal >= 0)
    if len(known) == 0:
        return state, pending
    s = signal[known]
    if days <= 1:
        state[known] = s
        return state, pending
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    lengths = np.diff(np.r_[starts, len(s)])
    run_start = np.repeat(starts, lengths)
    points = np.r_[0, starts[1:][lengths[1:] >= days] + days - 1]
    mark = np.full(len(s), -1, dtype=np.int64)
    mark[points] = points
    latest = np.maximum.accumulate(mark)
    held = s[latest]
    state[known] = held
    position = np.arange(len(s))
    pending[known] = np.where(s != held, position - run_start + 1, 0)
    return state, pending


@dataclass
class _History:
    """A rule over the timeline."""

    rule: Rule
    dates: np.ndarray
    status: np.ndarray  # the plain (raw) test
    conditions: list[_Eval]
    signal: np.ndarray  # the banded test (= status without bands)
    state: np.ndarray  # the confirmed state
    pending: np.ndarray  # days the signal has been on the other side of ``state``


def _history(
    data: _Data,
    rule: Rule,
    decisions: Sequence[Decision],
    stale_days: int,
    meetings: Sequence[Meeting],
    lines: dict[SeriesSpec, _Line | str],
) -> _History:
    """Evaluate every condition of the rule on every timeline row."""
    evals = []
    for c in rule.conditions:
        if c.series.kind == "fed":
            evals.append(_evaluate_fed(data, c, decisions, data.as_of, meetings))
            continue
        if c.series not in lines:
            lines[c.series] = _make_line(data, c.series)
        evals.append(_evaluate_condition(data, c, lines[c.series], stale_days))
    empty = np.array([], dtype=np.int8)
    status = np.vstack([e.status for e in evals]).min(axis=0) if len(data) else empty
    signal = np.vstack([e.banded for e in evals]).min(axis=0) if len(data) else empty
    status, signal = status.astype(np.int8), signal.astype(np.int8)
    state, pending = confirm(signal, rule.confirm_days)
    return _History(rule, data.dates, status, evals, signal, state, pending)


def _since(h: _History) -> str | None:
    """Date of the last change of the confirmed state."""
    changes = np.flatnonzero(h.state[1:] != h.state[:-1])
    return str(h.dates[changes[-1] + 1]) if len(changes) else None


def _pending(h: _History) -> dict[str, Any] | None:
    """``{"to", "days", "of", "inside_band"}`` when the rule is moving off its confirmed state
    on the last day, else None (see :attr:`RuleResult.pending`)."""
    if not len(h.state):
        return None
    state, signal, raw = int(h.state[-1]), int(h.signal[-1]), int(h.status[-1])
    if state < 0 or signal < 0:
        return None
    of = h.rule.confirm_days
    if signal != state:
        return {"to": _STATUS[signal], "days": int(h.pending[-1]), "of": of, "inside_band": False}
    if raw >= 0 and raw != state:
        return {"to": _STATUS[raw], "days": 0, "of": of, "inside_band": True}
    return None


def _result(h: _History) -> RuleResult:
    """The last timeline row as a RuleResult."""
    rule = h.rule
    code = int(h.state[-1]) if len(h.state) else -1
    raw = int(h.status[-1]) if len(h.status) else -1
    texts, reasons = [], []
    shown: SeriesSpec | None = None
    for e in h.conditions:
        if e.text:
            series = e.condition.series
            text = e.text
            if series != shown and series.kind != "fed":
                if e.condition.test.startswith("change_"):
                    text = f"{e.level}, {text}"
                text = f"{series.name} {text}"
            texts.append(text)
            shown = series
        longer = any(
            o.short > e.short and o.condition.series == e.condition.series for o in h.conditions
        )
        if e.reason and e.reason not in reasons and not (e.short and longer):
            reasons.append(e.reason)  # of two "fewer than" on one series, the longer says it
    first = h.conditions[0]
    value = None
    if not first.reason and len(first.measure) and np.isfinite(first.measure[-1]):
        value = float(f"{first.measure[-1]:.12g}")  # no float dust in JSON
    return RuleResult(
        id=rule.id,
        name=rule.name,
        group=rule.group,
        status=_STATUS[code],
        value=value,
        value_text="; ".join(texts),
        threshold=rule_threshold(rule),
        why=rule.why,
        since=_since(h),
        reason="; ".join(reasons) if code == -1 else "",
        series_name=rule.series.name,
        raw_status=_STATUS[raw],
        pending=_pending(h),
        confirm_days=rule.confirm_days,
    )


def evaluate(
    closes: pd.DataFrame,
    rules: Sequence[Rule],
    *,
    decisions: Sequence[Decision],
    as_of: str | date | None = None,
    stale_days: int = 5,
    meetings: Sequence[Meeting] = (),
) -> list[RuleResult]:
    """Every rule on the last trading day on or before ``as_of`` (None: the newest), in order.

    ``closes`` is a wide frame of adjusted closes (a DatetimeIndex, one column per symbol, yields
    in percent). Only rows dated on or before ``as_of`` are read, so a past date gives the answer
    known then. ``meetings`` (the FOMC calendar), when given, lets the Fed rule say how many
    scheduled decisions fall after the end of the policy data.
    """
    data = _Data(closes, _as_date(as_of))
    lines: dict[SeriesSpec, _Line | str] = {}
    return [_result(_history(data, rule, decisions, stale_days, meetings, lines)) for rule in rules]


@dataclass(frozen=True)
class RuleHistory:
    """One rule on every timeline day, as arrays (int8 codes: 1 pass, 0 fail, -1 unknown)."""

    rule: Rule
    dates: np.ndarray
    """The timeline, ``datetime64[D]``."""
    raw: np.ndarray
    """The plain test, per day."""
    signal: np.ndarray
    """The banded test (= ``raw`` when no condition has a band)."""
    state: np.ndarray
    """The confirmed state: what the dashboard shows on that day."""
    pending: np.ndarray
    """Consecutive known days ``signal`` has been on the other side of ``state``."""
    value: np.ndarray
    """The first condition's measure (the rule's value), NaN where none."""


def histories(
    closes: pd.DataFrame,
    rules: Sequence[Rule],
    *,
    decisions: Sequence[Decision],
    as_of: str | date | None = None,
    stale_days: int = 5,
    meetings: Sequence[Meeting] = (),
) -> list[RuleHistory]:
    """Every rule on every timeline day (rows on or before ``as_of``), in one vectorised pass:
    the same computation as :func:`evaluate`, whose answer for ``as_of = D`` is each array's
    row for D."""
    data = _Data(closes, _as_date(as_of))
    lines: dict[SeriesSpec, _Line | str] = {}
    out = []
    for rule in rules:
        h = _history(data, rule, decisions, stale_days, meetings, lines)
        value = h.conditions[0].measure
        if not len(value):
            value = np.full(len(data), np.nan)
        out.append(RuleHistory(rule, data.dates, h.status, h.signal, h.state, h.pending, value))
    return out


def rule_series(
    closes: pd.DataFrame,
    rule: Rule,
    decisions: Sequence[Decision],
    *,
    as_of: str | date | None = None,
    stale_days: int = 5,
    meetings: Sequence[Meeting] = (),
) -> pd.DataFrame:
    """The rule's evidence on every timeline day, to chart and to list its flips.

    Indexed by date; columns ``value`` (the main series), ``threshold`` (the line the first
    condition compares it with, in the same units: the moving average, the level, or for a
    return/change test the value it must beat, ``s[t − window] · (1 + threshold)`` /
    ``s[t − window] + threshold``; NaN where there is none, e.g. the Fed rule), ``status``
    (``pass``/``fail``/``unknown``, the rule's confirmed state), ``raw_status`` (its plain
    test), ``pending`` (consecutive days the banded test has been on the other side of
    ``status``) and, per condition ``i`` from 1, ``c{i}_value``, ``c{i}_threshold`` and
    ``c{i}_status`` (plain). The last row is what :func:`evaluate` reports.
    """
    data = _Data(closes, _as_date(as_of))
    h = _history(data, rule, decisions, stale_days, meetings, {})
    index = pd.DatetimeIndex(data.dates.astype("datetime64[ns]"), name="date")
    labels = np.array([UNKNOWN, FAIL, PASS], dtype=object)
    columns: dict[str, Any] = {
        "value": h.conditions[0].value,
        "threshold": h.conditions[0].line,
        "status": labels[h.state.astype(np.int64) + 1],
        "raw_status": labels[h.status.astype(np.int64) + 1],
        "pending": h.pending,
    }
    for i, e in enumerate(h.conditions, start=1):
        columns[f"c{i}_value"] = e.value
        columns[f"c{i}_threshold"] = e.line
        columns[f"c{i}_status"] = labels[e.status.astype(np.int64) + 1]
    return pd.DataFrame(columns, index=index)


def flips(history: pd.DataFrame | pd.Series, *, raw: bool = False) -> list[tuple[str, str]]:
    """Each change of status in a :func:`rule_series` frame (or a status Series), oldest first:
    ``[("2026-07-31", "fail"), ...]``. The first day is not a flip. Of a frame: the confirmed
    ``status``, or with ``raw`` the plain ``raw_status``."""
    if isinstance(history, pd.DataFrame):
        status = history["raw_status" if raw else "status"]
    else:
        status = history
    values = status.to_numpy()
    changes = np.flatnonzero(values[1:] != values[:-1]) + 1
    dates = pd.DatetimeIndex(status.index)
    return [(dates[i].date().isoformat(), str(values[i])) for i in changes]


# --- summary ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCount:
    """How one group's rules stand."""

    group: str
    passed: int
    known: int
    unknown: int


@dataclass(frozen=True)
class Summary:
    """The regime in one line."""

    state: str
    """``ON``, ``MIXED``, ``OFF``, or ``?`` when no counted rule has a known status."""
    passed: int
    """Counted rules that pass."""
    known: int
    """Counted rules with a known status (the denominator)."""
    unknown: int
    """Counted rules whose status is unknown."""
    label: str
    """``Rotation ON 7/10 · 1 unknown``."""
    groups: tuple[GroupCount, ...]
    """Per group, in :data:`SUMMARY_GROUPS` order (groups without rules left out)."""


def summarize(results: Sequence[RuleResult], groups: Sequence[str] = SUMMARY_GROUPS) -> Summary:
    """Count the rules into a regime label.

    ON when at least 60 % of the rules with a known status pass, MIXED from 40 % to under 60 %,
    OFF below; unknown rules are left out of the denominator and counted in the text.

    All four groups count by default: Rotation and Breadth say whether the rotation is
    happening, Policy and Risk whether the conditions that have carried it (easing, a positive
    curve, calm volatility and credit, a soft dollar) are in place. Counting both keeps a single
    good month of small-cap leadership from calling the regime on its own; ``groups`` narrows
    the count, and :attr:`Summary.groups` gives each group's figures for a finer display.
    """
    counted = [r for r in results if r.group in groups]
    passed = sum(r.status == PASS for r in counted)
    known = sum(r.status in (PASS, FAIL) for r in counted)
    unknown = len(counted) - known
    if known == 0:
        state = "?"
    elif passed / known >= ON_AT:
        state = "ON"
    elif passed / known >= MIXED_AT:
        state = "MIXED"
    else:
        state = "OFF"
    label = f"Rotation {state} {passed}/{known}" if known else "Rotation ?"
    if unknown:
        label += f" \u00b7 {unknown} unknown"
    per_group = []
    for group in SUMMARY_GROUPS:
        members = [r for r in results if r.group == group]
        if members:
            per_group.append(
                GroupCount(
                    group,
                    sum(r.status == PASS for r in members),
                    sum(r.status in (PASS, FAIL) for r in members),
                    sum(r.status == UNKNOWN for r in members),
                )
            )
    return Summary(state, passed, known, unknown, label, tuple(per_group))


def summary_to_dict(s: Summary) -> dict[str, Any]:
    """JSON-ready ``{"state", "label", "passed", "known", "unknown", "groups"}``."""
    return {
        "state": s.state,
        "label": s.label,
        "passed": s.passed,
        "known": s.known,
        "unknown": s.unknown,
        "groups": {
            g.group: {"passed": g.passed, "known": g.known, "unknown": g.unknown} for g in s.groups
        },
    }
