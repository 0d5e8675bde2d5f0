"""Relative strength: the RS line on common dates, its returns, and its trend state."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from analytics_reference import common, snapshot, upto
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.analytics.relative import NA_TREND, Trend, rs_line, rs_returns, rs_trend
from tui.analytics.returns import PERIODS, WINDOWS, period_returns


def series(values: list[float], dates: list[str] | pd.DatetimeIndex) -> pd.Series:
    """A close series on the given dates."""
    return pd.Series(values, index=pd.DatetimeIndex(dates, name="date"), dtype=float)


def bdays(n: int, start: str = "2024-01-02") -> pd.DatetimeIndex:
    """n weekdays from ``start``."""
    return pd.bdate_range(start, periods=n, name="date")


def real(symbol: str, as_of: str | None = None) -> pd.Series:
    """A snapshot symbol as a Series (input for the code under test)."""
    rows = upto(snapshot()[symbol], as_of)
    return series([c for _, c in rows], [d for d, _ in rows])


# --- the line --------------------------------------------------------------------------------


def test_rs_line_is_an_inner_join_without_nans() -> None:
    sym = series(
        [10.0, 11.0, math.nan, 12.0, 13.0],
        ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07"],
    )
    bench = series(
        [100.0, 110.0, 105.0, math.nan, 130.0],
        ["2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07", "2025-03-10"],
    )
    line = rs_line(sym, bench)
    # Common dates with a close on both sides: 03-04 (11/100) and 03-06 (12/105) only.
    assert list(line.index) == [pd.Timestamp("2025-03-04"), pd.Timestamp("2025-03-06")]
    assert line.tolist() == [11 / 100, 12 / 105]


def test_rs_returns_worked_by_hand_on_common_dates() -> None:
    dates = list(bdays(8, "2025-03-03"))
    sym = series([10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0], dates)
    # The benchmark misses row 6 (a day only the symbol traded).
    bench = series([20.0, 20.0, 21.0, 22.0, 22.0, 23.0, 24.0], dates[:6] + dates[7:])
    got = rs_returns(sym, bench)
    # Common rows: sym 10 11 12 13 14 15 17, bench 20 20 21 22 22 23 24.
    assert got["1D"] == pytest.approx((17 / 15) / (24 / 23) - 1, rel=1e-14)
    assert got["1W"] == pytest.approx((17 / 11) / (24 / 20) - 1, rel=1e-14)
    assert got["1M"] is None
    assert got["YTD"] is None  # no 2024 rows


def test_rs_ytd_is_the_lines_ytd() -> None:
    sym = series([50.0, 55.0, 60.0], ["2025-12-30", "2025-12-31", "2026-01-05"])
    bench = series([100.0, 100.0, 120.0], ["2025-12-30", "2026-01-02", "2026-01-05"])
    # 12-31 has no benchmark close, so the line's last 2025 value is 12-30: 0.5 -> 0.5.
    assert rs_returns(sym, bench)["YTD"] == pytest.approx((60 / 120) / (50 / 100) - 1)
    assert rs_returns(sym, bench)["YTD"] == 0.0


def test_vix_vs_spy_uses_only_common_dates() -> None:
    """^VIX has rows on US market holidays (2022 on); SPY does not. The line skips them."""
    vix, spy = real("^VIX"), real("SPY")
    holidays = ["2025-01-09", "2024-07-04", "2026-07-03", "2025-11-27"]
    for day in holidays:
        assert pd.Timestamp(day) in vix.index
        assert pd.Timestamp(day) not in spy.index
    line = rs_line(vix, spy)
    assert line.index.equals(spy.index)  # every SPY day has a VIX close in the snapshot
    assert not any(pd.Timestamp(day) in line.index for day in holidays)
    assert len(line) == len(spy) == len(vix) - 32

    # 1W as of 2026-07-08: VIX's own five rows back is 07-01 (its 07-03 row counts), SPY's
    # and the line's is 06-30.
    vix_c = dict(snapshot()["^VIX"])
    spy_c = dict(snapshot()["SPY"])
    v8, s8 = real("^VIX", "2026-07-08"), real("SPY", "2026-07-08")
    assert period_returns(v8)["1W"] == vix_c["2026-07-08"] / vix_c["2026-07-01"] - 1
    assert period_returns(s8)["1W"] == spy_c["2026-07-08"] / spy_c["2026-06-30"] - 1
    expected = (vix_c["2026-07-08"] / vix_c["2026-06-30"]) / (
        spy_c["2026-07-08"] / spy_c["2026-06-30"]
    ) - 1
    got = rs_returns(v8, s8)["1W"]
    assert got == pytest.approx(expected, rel=1e-12)
    own_calendars = (1 + period_returns(v8)["1W"]) / (1 + period_returns(s8)["1W"]) - 1
    assert got != pytest.approx(own_calendars, rel=1e-6)


def test_bond_yields_miss_veterans_day_the_line_drops_it() -> None:
    """^TNX has no 2016-11-11 row (bond market closed), SPY has: the line skips the day."""
    tnx, spy = real("^TNX"), real("SPY")
    day = pd.Timestamp("2016-11-11")
    assert day in spy.index and day not in tnx.index
    line = rs_line(tnx, spy)
    assert day not in line.index
    shared, _ = common(snapshot()["^TNX"], snapshot()["SPY"])
    assert len(line) == len(shared)


# --- the trend -------------------------------------------------------------------------------


def line_of(values: list[float]) -> pd.Series:
    return series(values, bdays(len(values)))


def test_trend_up_worked_by_hand() -> None:
    values = [1.0] * 10 + [2.0] * 49 + [3.0]  # 60 rows
    t = rs_trend(line_of(values))
    sma, sma_then = 101 / 50, 90 / 50  # rows 10..59 ; rows 0..49
    assert t == Trend(
        "up",
        3.0,
        pytest.approx(sma, rel=1e-15),
        pytest.approx(3 / sma - 1, rel=1e-14),
        pytest.approx(sma / sma_then - 1, rel=1e-14),
    )


def test_trend_down_worked_by_hand() -> None:
    values = [3.0] * 10 + [2.0] * 49 + [1.0]
    t = rs_trend(line_of(values))
    sma, sma_then = 99 / 50, 110 / 50
    assert t.state == "down"
    assert t.ratio == 1.0
    assert t.sma == pytest.approx(sma, rel=1e-15)
    assert t.vs_sma == pytest.approx(1 / sma - 1, rel=1e-14)
    assert t.slope == pytest.approx(sma / sma_then - 1, rel=1e-14)


def test_trend_mixed_when_line_and_slope_disagree() -> None:
    above_falling = [3.0] * 10 + [2.0] * 49 + [2.5]  # sma 2.01, falling from 2.2
    t = rs_trend(line_of(above_falling))
    assert t.state == "mixed"
    assert t.vs_sma is not None and t.vs_sma > 0
    assert t.slope is not None and t.slope < 0
    below_rising = [1.0] * 10 + [2.0] * 49 + [1.5]
    assert rs_trend(line_of(below_rising)).state == "mixed"
    flat = [2.0] * 60
    assert rs_trend(line_of(flat)) == Trend("mixed", 2.0, 2.0, 0.0, 0.0)


def test_trend_needs_sixty_rows() -> None:
    values = [1.0] * 10 + [2.0] * 49 + [3.0]
    assert rs_trend(line_of(values[1:])) == NA_TREND  # 59 rows
    assert Trend("n/a", None, None, None, None) == NA_TREND
    assert rs_trend(line_of(values)).state == "up"  # 60 rows


def test_trend_window_parameters() -> None:
    values = [4.0, 1.0, 2.0, 3.0, 5.0]  # window 3, slope 2: sma = (2+3+5)/3, then (4+1+2)/3
    t = rs_trend(line_of(values), window=3, slope_days=2)
    assert t.sma == pytest.approx(10 / 3)
    assert t.slope == pytest.approx(10 / 7 - 1)
    assert t.state == "up"
    assert rs_trend(line_of(values[1:]), window=3, slope_days=2) == NA_TREND


def test_trend_of_iwm_vs_spy_matches_reference() -> None:
    from analytics_reference import rs_trend as ref_trend

    for as_of in ("2026-07-31", "2025-12-10", "2020-03-23"):
        iwm, spy = real("IWM", as_of), real("SPY", as_of)
        ref = ref_trend(upto(snapshot()["IWM"], as_of), upto(snapshot()["SPY"], as_of))
        t = rs_trend(rs_line(iwm, spy))
        assert t.state == ref["state"]
        for key in ("ratio", "sma", "vs_sma", "slope"):
            assert getattr(t, key) == pytest.approx(ref[key], rel=1e-12, abs=1e-14), key


# --- properties ------------------------------------------------------------------------------

closes = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(closes, st.just(math.nan)), min_size=1, max_size=320))
def test_rs_against_itself_is_zero_for_every_defined_window(values: list[float]) -> None:
    s = series(values, bdays(len(values), "2024-06-03"))
    rows = sum(not math.isnan(v) for v in values)
    got = rs_returns(s, s)
    assert (rs_line(s, s) == 1.0).all()
    for period, n in WINDOWS.items():
        assert got[period] == (0.0 if rows > n else None)
    assert got["YTD"] in (0.0, None)


# Prices within three orders of magnitude: a return of -99.9999 % keeps only ~10 digits in
# ``1 + r``, which would make the mirror identity below a test of float cancellation.
prices = st.one_of(st.floats(min_value=1.0, max_value=1000.0), st.just(math.nan))


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(prices, prices),
        min_size=1,
        max_size=300,
    )
)
def test_rs_equals_ratio_of_growth_on_common_dates(data: list[tuple[float, float]]) -> None:
    idx = bdays(len(data), "2024-06-03")
    sym = series([a for a, _ in data], idx)
    bench = series([b for _, b in data], idx)
    both = [(a, b) for a, b in data if not (math.isnan(a) or math.isnan(b))]
    got = rs_returns(sym, bench)
    for period, n in WINDOWS.items():
        if len(both) <= n:
            assert got[period] is None
        else:
            (a0, b0), (a1, b1) = both[-1 - n], both[-1]
            assert got[period] == pytest.approx((a1 / a0) / (b1 / b0) - 1, rel=1e-9, abs=1e-12)
    # And the mirror: (1 + rs(a, b)) * (1 + rs(b, a)) == 1.
    back = rs_returns(bench, sym)
    for period in PERIODS:
        if got[period] is not None:
            assert (1 + got[period]) * (1 + back[period]) == pytest.approx(1.0, rel=1e-9)
