"""The monitor table against independent figures from the bundled snapshot, and its edge cases.

Reference figures come from ``analytics_reference`` (csv + gzip + lists, no pandas). Returns are
differences of numbers near 1, so float rounding in them is absolute (~1e-16), not relative; the
comparisons use rel=1e-12 with an absolute floor of 1e-14 so a 0.01 % return is not failed on
its last bits.
"""

from __future__ import annotations

import json
import math

import analytics_reference as ref
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.analytics.relative import NA_TREND, Trend
from tui.analytics.returns import PERIODS, WINDOWS, from_high, period_returns
from tui.analytics.table import Row, build_table, row_to_dict

REL, ABS = 1e-12, 1e-14
UNIVERSE = sorted(ref.snapshot())


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return ref.wide_frame(ref.snapshot())


def close(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is y
    return x == pytest.approx(y, rel=REL, abs=ABS)


def reference_row(symbol: str, as_of: str | None, benchmark: str = "SPY") -> dict:
    """The figures of one symbol worked out with the reference functions."""
    s = ref.upto(ref.snapshot()[symbol], as_of)
    b = ref.upto(ref.snapshot()[benchmark], as_of)
    ret = {p: ref.ret_n(s, n) for p, n in WINDOWS.items()}
    ret["YTD"] = ref.ytd(s)
    rs = {p: ref.rs_window(s, b, n) for p, n in WINDOWS.items()}
    rs["YTD"] = ref.rs_ytd(s, b)
    return {
        "symbol": symbol,
        "last_date": s[-1][0] if s else None,
        "close": s[-1][1] if s else None,
        "ret": ret,
        "rs": rs,
        "rs_trend": ref.rs_trend(s, b),
        "from_high": ref.from_high(s),
    }


def assert_matches(got: dict, want: dict) -> None:
    assert got["symbol"] == want["symbol"]
    assert got["last_date"] == want["last_date"]
    assert got["close"] == want["close"]
    for key in ("ret", "rs"):
        assert set(got[key]) == set(PERIODS)
        for p in PERIODS:
            assert close(got[key][p], want[key][p]), (got["symbol"], key, p)
    assert got["rs_trend"]["state"] == want["rs_trend"]["state"], got["symbol"]
    for k in ("ratio", "sma", "vs_sma", "slope"):
        assert close(got["rs_trend"][k], want["rs_trend"][k]), (got["symbol"], k)
    assert close(got["from_high"], want["from_high"])


# --- against the bundled snapshot ------------------------------------------------------------


@pytest.mark.parametrize("as_of", [None, "2026-07-31", "2025-12-10", "2021-07-01", "2018-06-29"])
def test_every_symbol_matches_reference(frame: pd.DataFrame, as_of: str | None) -> None:
    rows = build_table(frame, UNIVERSE, "SPY", as_of=as_of)
    assert [r.symbol for r in rows] == UNIVERSE
    for row in rows:
        assert_matches(row_to_dict(row), reference_row(row.symbol, as_of))


@pytest.mark.parametrize("as_of", ["2026-07-31", "2025-12-10"])
def test_spy_iwm_xlk_key_figures(frame: pd.DataFrame, as_of: str) -> None:
    """The figures the issue names, spelled out one by one."""
    rows = {r.symbol: r for r in build_table(frame, ["SPY", "IWM", "XLK"], "SPY", as_of=as_of)}
    data = {s: ref.upto(ref.snapshot()[s], as_of) for s in rows}
    for sym, row in rows.items():
        assert row.last_date == as_of
        for period in ("1M", "3M", "1Y"):
            want = ref.ret_n(data[sym], WINDOWS[period])
            assert row.ret[period] == pytest.approx(want, rel=REL)
        assert row.ret["YTD"] == pytest.approx(ref.ytd(data[sym]), rel=REL)
        assert row.from_high == pytest.approx(ref.from_high(data[sym]), rel=REL, abs=ABS)
    for period, n in WINDOWS.items():
        want = ref.rs_window(data["IWM"], data["SPY"], n)
        assert rows["IWM"].rs[period] == pytest.approx(want, rel=REL, abs=ABS)
        assert rows["SPY"].rs[period] == 0.0
    assert rows["IWM"].rs["YTD"] == pytest.approx(ref.rs_ytd(data["IWM"], data["SPY"]), rel=REL)


def test_literal_figures_read_once_from_the_file(frame: pd.DataFrame) -> None:
    """Worked out by hand from prices_daily.csv.gz: SPY 741.69 -> 747.03, IWM 292.59 -> 291.20
    (2026-07-30 -> 2026-07-31); 2025 ends with SPY 678.3152 on 2025-12-31."""
    rows = {r.symbol: r for r in build_table(frame, ["SPY", "IWM"], "SPY")}
    spy, iwm = rows["SPY"], rows["IWM"]
    assert spy.last_date == "2026-07-31"
    assert spy.close == 747.03
    assert spy.ret["1D"] == pytest.approx(0.0071997735, abs=1e-10)  # 5.34 / 741.69
    assert spy.ret["YTD"] == pytest.approx(747.03 / 678.3152 - 1, rel=REL)
    assert spy.ret["YTD"] == pytest.approx(0.1013021675, abs=1e-10)
    assert iwm.close == 291.20
    assert iwm.ret["1D"] == pytest.approx(-0.0047506750, abs=1e-10)  # -1.39 / 292.59
    assert iwm.rs["1D"] == pytest.approx(-0.0118650230, abs=1e-10)
    assert spy.spark[-3:] == (729.46, 741.69, 747.03)
    assert len(spy.spark) == 40


def test_split_in_adjusted_data_does_not_distort_returns(frame: pd.DataFrame) -> None:
    """XLK split in late 2025; on the adjusted basis nothing happens that week or that year."""
    xlk = ref.snapshot()["XLK"]
    moves = [
        b / a - 1
        for (_, a), (d1, b) in zip(xlk, xlk[1:], strict=False)
        if "2025-10" < d1 < "2026-01"
    ]
    assert len(moves) > 50 and max(abs(m) for m in moves) < 0.05
    for as_of in ("2025-12-31", "2026-07-31"):
        (row,) = build_table(frame, ["XLK"], "SPY", as_of=as_of)
        assert -0.3 < row.ret["1Y"] < 0.6  # a market number, not a halving (~ -50 %)
        assert -0.3 < row.rs["1Y"] < 0.3
        assert row.ret["6M"] > -0.3


def test_vix_row_counts_its_own_holiday_rows_rs_uses_common_dates(frame: pd.DataFrame) -> None:
    vix_c, spy_c = dict(ref.snapshot()["^VIX"]), dict(ref.snapshot()["SPY"])
    (vix,) = build_table(frame, ["^VIX"], "SPY", as_of="2026-07-08")
    assert vix.ret["1W"] == vix_c["2026-07-08"] / vix_c["2026-07-01"] - 1  # 07-03 is a row
    want = (vix_c["2026-07-08"] / vix_c["2026-06-30"]) / (
        spy_c["2026-07-08"] / spy_c["2026-06-30"]
    ) - 1
    assert vix.rs["1W"] == pytest.approx(want, rel=REL)
    # As of a day only VIX traded, VIX's last close is that day; SPY's is the day before.
    rows = {r.symbol: r for r in build_table(frame, ["^VIX", "SPY"], "SPY", as_of="2026-07-03")}
    assert rows["^VIX"].last_date == "2026-07-03"
    assert rows["SPY"].last_date == "2026-07-02"


def test_late_starters(frame: pd.DataFrame) -> None:
    """DFAT starts 2021-06-14, XLC 2018-06-19, ROAD 2018-05-04."""
    rows = {
        r.symbol: r for r in build_table(frame, ["DFAT", "XLC", "ROAD"], "SPY", as_of="2021-07-01")
    }
    dfat = rows["DFAT"]
    assert dfat.ret["1D"] is not None and dfat.ret["1W"] is not None
    assert dfat.ret["1M"] is None and dfat.ret["YTD"] is None and dfat.from_high is None
    assert dfat.rs_trend == NA_TREND
    assert rows["XLC"].ret["YTD"] is not None and rows["XLC"].ret["1Y"] is not None
    (before,) = build_table(frame, ["DFAT"], "SPY", as_of="2021-06-11")
    assert before == Row(
        "DFAT", None, None, dict.fromkeys(PERIODS), dict.fromkeys(PERIODS), NA_TREND, None, ()
    )


# --- as_of -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    ["2026-07-31", "2026-07-03", "2025-12-13", "2025-01-09", "2021-06-14", "2016-01-04"],
)
def test_as_of_equals_frame_cut_at_that_date(frame: pd.DataFrame, as_of: str) -> None:
    """2026-07-03 and 2025-01-09: only ^VIX traded; 2025-12-13: a Saturday."""
    got = build_table(frame, UNIVERSE, "SPY", as_of=as_of)
    cut = build_table(frame.loc[:as_of], UNIVERSE, "SPY")
    assert got == cut
    assert all(r.last_date is None or r.last_date <= as_of for r in got)


def test_as_of_before_all_data_gives_empty_rows(frame: pd.DataFrame) -> None:
    rows = build_table(frame, ["SPY", "IWM"], "SPY", as_of="2015-12-31")
    assert all(r.last_date is None and r.ret == dict.fromkeys(PERIODS) for r in rows)


def test_as_of_matches_series_functions(frame: pd.DataFrame) -> None:
    (row,) = build_table(frame, ["XLE"], "SPY", as_of="2024-03-15")
    s = frame["XLE"].loc[:"2024-03-15"]
    assert row.ret == period_returns(s)
    assert row.from_high == from_high(s)


# --- shape of the output ---------------------------------------------------------------------


def test_missing_symbols_and_order(frame: pd.DataFrame) -> None:
    empty = pd.Series([math.nan] * len(frame), index=frame.index)
    f = frame.assign(EMPTY=empty)
    rows = build_table(f, ["XLK", "NOPE", "SPY", "EMPTY", "XLK"], "SPY")
    assert [r.symbol for r in rows] == ["XLK", "NOPE", "SPY", "EMPTY", "XLK"]
    for r in (rows[1], rows[3]):
        assert r.last_date is None and r.close is None and r.from_high is None
        assert r.ret == dict.fromkeys(PERIODS) and r.rs == dict.fromkeys(PERIODS)
        assert r.rs_trend == Trend("n/a", None, None, None, None)
        assert r.spark == ()
    assert rows[0] == rows[4]


def test_missing_benchmark_leaves_returns_and_blanks_rs(frame: pd.DataFrame) -> None:
    (row,) = build_table(frame, ["IWM"], "NOPE")
    assert row.ret["1Y"] is not None
    assert row.rs == dict.fromkeys(PERIODS) and row.rs_trend == NA_TREND


def test_spark(frame: pd.DataFrame) -> None:
    spy = ref.snapshot()["SPY"]
    (row,) = build_table(frame, ["SPY"], "SPY", spark_points=10)
    assert row.spark == tuple(c for _, c in spy[-10:])
    assert all(type(x) is float for x in row.spark)
    (row0,) = build_table(frame, ["SPY"], "SPY", spark_points=0)
    assert row0.spark == ()
    # NaN days are not spark points: DFAT as of its tenth row has ten, not 40 with NaNs.
    dfat = ref.snapshot()["DFAT"]
    (d,) = build_table(frame, ["DFAT"], "SPY", as_of=dfat[9][0])
    assert d.spark == tuple(c for _, c in dfat[:10])


def test_row_to_dict_is_json_ready(frame: pd.DataFrame) -> None:
    rows = build_table(frame, [*UNIVERSE, "NOPE"], "SPY")
    for row in rows:
        d = row_to_dict(row)
        assert list(d) == ["symbol", "last_date", "close", "ret", "rs", "rs_trend", "from_high"]
        assert list(d["ret"]) == list(PERIODS) and list(d["rs"]) == list(PERIODS)
        assert list(d["rs_trend"]) == ["state", "ratio", "sma", "vs_sma", "slope"]
        assert json.loads(json.dumps(d, allow_nan=False)) == d
        numbers = [d["close"], d["from_high"], *d["ret"].values(), *d["rs"].values()]
        numbers += [d["rs_trend"][k] for k in ("ratio", "sma", "vs_sma", "slope")]
        assert all(x is None or type(x) is float for x in numbers)
    spy = row_to_dict(rows[UNIVERSE.index("SPY")])
    assert spy["ret"]["1D"] == rows[UNIVERSE.index("SPY")].ret["1D"]
    assert spy["rs_trend"]["state"] == "mixed"  # SPY / SPY is a flat line at 1.0


def test_index_need_not_be_sorted_or_datetime() -> None:
    dates = ["2025-03-05", "2025-03-03", "2025-03-04"]
    f = pd.DataFrame({"A": [103.0, 100.0, 101.0], "B": [1.0, 1.0, 2.0]}, index=dates)
    (a,) = build_table(f, ["A"], "B")
    assert a.last_date == "2025-03-05"
    assert a.ret["1D"] == 103 / 101 - 1
    assert a.rs["1D"] == (103 / 1) / (101 / 2) - 1


# --- the fast path agrees with the Series functions ------------------------------------------

closes = st.one_of(
    st.floats(min_value=1e-2, max_value=1e4, allow_nan=False, allow_infinity=False),
    st.just(math.nan),
)


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(st.tuples(closes, closes), min_size=1, max_size=320),
    cut=st.integers(min_value=0, max_value=10_000),
)
def test_table_equals_series_functions(pairs: list[tuple[float, float]], cut: int) -> None:
    from tui.analytics.relative import rs_line, rs_returns, rs_trend

    cut %= len(pairs)
    idx = pd.bdate_range("2024-09-02", periods=len(pairs), name="date")
    f = pd.DataFrame(pairs, index=idx, columns=["A", "B"])
    as_of = idx[cut].date().isoformat()
    (row,) = build_table(f, ["A"], "B", as_of=as_of)
    sa, sb = f["A"].iloc[: cut + 1], f["B"].iloc[: cut + 1]
    assert row.ret == period_returns(sa)
    assert row.rs == rs_returns(sa, sb)
    assert row.rs_trend == rs_trend(rs_line(sa, sb))
    assert row.from_high == from_high(sa)
    assert row.spark == tuple(np.asarray(sa.dropna())[-40:].tolist())
