"""Period returns, YTD and distance from the 52-week high, on series worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.analytics.returns import (
    PERIODS,
    WINDOWS,
    from_high,
    period_returns,
    window_return,
    ytd_return,
)


def series(values: list[float], dates: list[str] | pd.DatetimeIndex) -> pd.Series:
    """A close series on the given dates."""
    return pd.Series(values, index=pd.DatetimeIndex(dates, name="date"), dtype=float)


def bdays(n: int, start: str = "2024-01-02") -> pd.DatetimeIndex:
    """n weekdays from ``start`` (holidays not removed: these are synthetic calendars)."""
    return pd.bdate_range(start, periods=n, name="date")


def test_contract_constants() -> None:
    assert PERIODS == ("1D", "1W", "1M", "3M", "6M", "YTD", "1Y")
    assert WINDOWS == {"1D": 1, "1W": 5, "1M": 21, "3M": 63, "6M": 126, "1Y": 252}


def test_300_row_series_worked_by_hand() -> None:
    """c[i] = 100 + i on 300 weekdays from 2024-01-02; the last close is 399 on 2025-02-24."""
    idx = bdays(300)
    s = series([100.0 + i for i in range(300)], idx)
    # The calendar facts the expected YTD relies on: 2024-12-31 is row 260 (close 360), and
    # it is the last 2024 row; the series ends on 2025-02-24.
    assert idx[260] == pd.Timestamp("2024-12-31")
    assert idx[261] == pd.Timestamp("2025-01-01")
    assert idx[-1] == pd.Timestamp("2025-02-24")
    got = period_returns(s)
    assert list(got) == list(PERIODS)
    assert got == {
        "1D": 399 / 398 - 1,  # row 298 -> 398
        "1W": 399 / 394 - 1,  # 5 rows back: row 294
        "1M": 399 / 378 - 1,  # 21 rows back: row 278
        "3M": 399 / 336 - 1,  # 63 rows back: row 236
        "6M": 399 / 273 - 1,  # 126 rows back: row 173
        "YTD": 399 / 360 - 1,  # last 2024 close, 2024-12-31
        "1Y": 399 / 147 - 1,  # 252 rows back: row 47
    }
    assert got["1W"] == pytest.approx(0.01269035533, rel=1e-9)
    assert got["1Y"] == pytest.approx(1.7142857143, rel=1e-9)


@pytest.mark.parametrize("period", [p for p in PERIODS if p != "YTD"])
def test_window_equal_to_history_is_none_one_more_row_is_a_number(period: str) -> None:
    n = WINDOWS[period]
    short = series([50.0 + i for i in range(n)], bdays(n))
    assert period_returns(short)[period] is None  # n rows: no close n rows back
    enough = series([50.0 + i for i in range(n + 1)], bdays(n + 1))
    assert period_returns(enough)[period] == (50.0 + n) / 50.0 - 1


def test_single_close_and_empty_series() -> None:
    assert period_returns(series([10.0], ["2025-03-03"])) == dict.fromkeys(PERIODS)
    assert period_returns(series([], [])) == dict.fromkeys(PERIODS)
    assert from_high(series([], [])) is None
    assert ytd_return(series([], [])) is None


def test_nan_gaps_are_skipped_not_counted() -> None:
    """Rows are the symbol's own trading days: a NaN is a day it did not trade."""
    values = [100.0, math.nan, 102.0, math.nan, math.nan, 105.0, 106.0, 108.0, math.nan, 110.0]
    s = series(values, bdays(10, "2025-03-03"))
    got = period_returns(s)
    # Six real rows: 100 102 105 106 108 110.
    assert got["1D"] == 110 / 108 - 1
    assert got["1W"] == 110 / 100 - 1  # five rows back is the first close, not 106
    assert got["1M"] is None
    assert got["YTD"] is None  # starts in March: nothing in 2024
    # Counting calendar rows instead would have made 1D NaN-based or 110/106 - 1 for 1W.
    assert got["1W"] != 110 / 106 - 1


def test_ytd_when_dec_31_is_a_holiday_uses_dec_30() -> None:
    dates = ["2025-12-26", "2025-12-29", "2025-12-30", "2026-01-02", "2026-01-05"]
    s = series([99.0, 101.0, 102.0, 103.0, 104.0], dates)
    assert ytd_return(s) == 104 / 102 - 1
    assert period_returns(s)["YTD"] == 104 / 102 - 1
    # The same when Dec 31 is in the index but NaN (another symbol traded that day).
    dates_nan = [*dates[:3], "2025-12-31", *dates[3:]]
    s_nan = series([99.0, 101.0, 102.0, math.nan, 103.0, 104.0], dates_nan)
    assert ytd_return(s_nan) == 104 / 102 - 1


def test_ytd_on_first_day_of_year_and_inside_the_year() -> None:
    s = series([100.0, 98.0, 105.0], ["2025-12-31", "2026-01-02", "2026-03-02"])
    assert ytd_return(s) == 105 / 100 - 1
    assert ytd_return(s.iloc[:2]) == 98 / 100 - 1
    # On Dec 31 itself the base is the previous year's last close: none here.
    assert ytd_return(s.iloc[:1]) is None


def test_ytd_none_when_symbol_starts_mid_year() -> None:
    idx = pd.bdate_range("2025-06-02", "2025-09-30", name="date")
    s = series([20.0 + i for i in range(len(idx))], idx)
    assert ytd_return(s) is None
    assert period_returns(s)["YTD"] is None
    # The next year it has a base: its last 2025 close.
    s2 = pd.concat([s, series([30.0], ["2026-01-05"])])
    assert ytd_return(s2) == 30.0 / s.iloc[-1] - 1


def test_ytd_none_when_previous_year_has_no_close() -> None:
    """A close two years back is not "the last close of the previous calendar year"."""
    s = series([10.0, 12.0], ["2024-11-29", "2026-02-02"])
    assert ytd_return(s) is None


def test_from_high_window_edges() -> None:
    # 260 rows: the last 252 are rows 8..259. Row 7 (150) is outside, row 8 (120) inside.
    values = [500.0] * 7 + [150.0, 120.0] + [100.0] * 250 + [90.0]
    assert len(values) == 260
    s = series(values, bdays(260))
    assert from_high(s) == 90 / 120 - 1
    assert from_high(s, window=251) == 90 / 100 - 1
    assert from_high(s, window=253) == 90 / 150 - 1


def test_from_high_needs_a_full_window() -> None:
    up = [float(i + 1) for i in range(252)]
    assert from_high(series(up[:251], bdays(251))) is None
    assert from_high(series(up, bdays(252))) == 0.0  # the last close is the high
    down = series([300.0 - i for i in range(252)], bdays(252))
    assert from_high(down) == 49 / 300 - 1


def test_adjusted_series_is_used_as_given_split_distorts_raw() -> None:
    """A 2:1 split on row 20: raw halves, the adjusted series (earlier rows / 2) is smooth."""
    n = 30
    adjusted = [100.0 * 1.001**i for i in range(n)]
    raw = [a * 2 if i < 20 else a for i, a in enumerate(adjusted)]
    idx = bdays(n, "2025-11-03")
    adj_ret = period_returns(series(adjusted, idx))
    raw_ret = period_returns(series(raw, idx))
    assert adj_ret["1M"] == pytest.approx(1.001**21 - 1, rel=1e-12)
    assert raw_ret["1M"] == raw[-1] / raw[-22] - 1  # the functions take the series as given
    assert raw_ret["1M"] == pytest.approx(1.001**21 / 2 - 1, rel=1e-12)  # about -49 %
    assert raw_ret["1D"] == adj_ret["1D"]  # both rows after the split


def test_window_return_rejects_zero_window_and_zero_base() -> None:
    with pytest.raises(ValueError):
        window_return(np.array([1.0, 2.0]), 0)
    assert window_return(np.array([0.0, 2.0]), 1) is None  # no finite return from a zero base


def test_unsorted_index_is_put_in_date_order() -> None:
    s = series([103.0, 100.0, 101.0], ["2025-03-05", "2025-03-03", "2025-03-04"])
    assert period_returns(s)["1D"] == 103 / 101 - 1


# --- properties ------------------------------------------------------------------------------

closes = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    level=closes,
    n=st.integers(min_value=1, max_value=400),
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
)
def test_constant_series_returns_zero_where_defined(level: float, n: int, start: date) -> None:
    s = series([level] * n, bdays(n, start.isoformat()))
    got = period_returns(s)
    for period, value in got.items():
        if period == "YTD":
            assert value in (0.0, None)
        elif n > WINDOWS[period]:
            assert value == 0.0
        else:
            assert value is None
    assert (from_high(s) == 0.0) if n >= 252 else (from_high(s) is None)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(closes, min_size=1, max_size=300))
def test_windows_past_history_are_none(values: list[float]) -> None:
    got = period_returns(series(values, bdays(len(values))))
    for period, n in WINDOWS.items():
        if len(values) <= n:
            assert got[period] is None
        else:
            assert got[period] == pytest.approx(values[-1] / values[-1 - n] - 1, rel=1e-12)
