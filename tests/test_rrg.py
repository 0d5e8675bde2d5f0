"""The relative rotation graph: its normalisation against figures worked out independently.

Reference figures are computed here in plain Python (lists, ``datetime``, ``statistics``) from
the definitions in the docstring of :mod:`tui.analytics.rrg`, sharing no code with it; real data
comes from the bundled snapshot through ``analytics_reference`` (csv + gzip, no pandas).
"""

from __future__ import annotations

import json
import math
import statistics
import warnings
from datetime import date, timedelta

import analytics_reference as ref
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.analytics.rrg import (
    IMPROVING,
    LAGGING,
    LEADING,
    QUADRANTS,
    WEAKENING,
    QuadrantChange,
    RRGParams,
    RRGPoint,
    quadrant,
    quadrant_change,
    quadrant_changes,
    rrg,
    rrg_history,
    rrg_timeline,
    rrg_to_dict,
    transition_to_dict,
    transitions,
)

SECTORS = ["XLK", "XLF", "XLE", "XLI", "XLU", "XLV", "XLY", "XLP", "XLB", "XLRE", "XLC"]
AS_OF = "2026-07-31"
REL = 1e-9


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return ref.wide_frame(ref.snapshot())


# --- the plain-Python reference ----------------------------------------------------------------


def ref_zscores(xs: list[float | None], n: int, floor: float = 0.0) -> list[float | None]:
    """z of each value against the n values ending at it (population SD); None if n/a or flat.

    Flat: SD at most 1e-12 times the larger of ``floor`` and the window's largest magnitude.
    """
    out: list[float | None] = []
    for t in range(len(xs)):
        window = xs[t - n + 1 : t + 1] if t >= n - 1 else []
        if len(window) < n or any(v is None for v in window):
            out.append(None)
            continue
        sd = statistics.pstdev(window)
        flat = sd <= 1e-12 * max(floor, *(abs(x) for x in window))
        out.append(None if flat else (xs[t] - statistics.fmean(window)) / sd)
    return out


def ref_sma(xs: list[float], n: int) -> list[float | None]:
    """Mean of the n values ending at each one; None until n values exist."""
    return [statistics.fmean(xs[t - n + 1 : t + 1]) if t >= n - 1 else None for t in range(len(xs))]


def ref_rrg(
    rs: list[float], w: int = 14, v: int = 14, k: int = 1, scale: float = 1.0, s: int = 3
) -> list[tuple[float, float] | None]:
    """(RS-Ratio, RS-Momentum) of every period of an RS list, None where there is no point.

    ``s`` is the smoothing: RS is first replaced by its s-period mean (3 by default, as in the
    module; 1 = none).
    """
    line = ref_sma(rs, s)
    ratio = [None if z is None else 100 + scale * z for z in ref_zscores(line, w)]
    roc: list[float | None] = []
    for t in range(len(ratio)):
        now, then = ratio[t], ratio[t - k] if t >= k else None
        roc.append(None if now is None or then is None else 100 * (now / then - 1))
    momentum = [None if z is None else 100 + scale * z for z in ref_zscores(roc, v, 100.0)]
    return [
        None if x is None or y is None else (x, y) for x, y in zip(ratio, momentum, strict=True)
    ]


def ref_weekly_rs(sym: ref.Series, bench: ref.Series) -> ref.Series:
    """100 * sym / bench on shared dates, then the last value of each Saturday-Friday week."""
    s, b = ref.common(sym, bench)
    weeks: dict[date, tuple[str, float]] = {}
    for (d, cs), (_, cb) in zip(s, b, strict=True):
        day = date.fromisoformat(d)
        saturday = day - timedelta(days=(day.weekday() - 5) % 7)
        weeks[saturday] = (d, 100 * cs / cb)  # later days of the week overwrite earlier ones
    return [weeks[key] for key in sorted(weeks)]


def close(a: float, b: float) -> bool:
    return a == pytest.approx(b, rel=REL)


def weekly_frame(columns: dict[str, list[float]], start: str = "2020-01-03") -> pd.DataFrame:
    """One row per Friday."""
    n = len(next(iter(columns.values())))
    index = pd.date_range(start, periods=n, freq="W-FRI", name="date")
    return pd.DataFrame(columns, index=index, dtype=float)


def walk(n: int, seed: int, vol: float = 0.02) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.normal(0.0, vol, n)))


# --- the math, by hand -------------------------------------------------------------------------


def test_one_point_worked_by_hand() -> None:
    # Benchmark fixed at 100, so RS = 100 * sym / 100 = sym exactly: 100 102 101 104 103 106.
    # w = v = 3, k = 1: one point needs 3 + 1 + 3 - 1 = 6 weeks, so exactly one point exists.
    rs = [100.0, 102.0, 101.0, 104.0, 103.0, 106.0]
    closes = weekly_frame({"A": rs, "B": [100.0] * 6})
    # RS-Ratio, window [t-2, t], population SD:
    #  t=2 [100 102 101]: mean 101, deviation of the last 0                   -> 100
    #  t=3 [102 101 104]: mean 307/3, devs -1/3 -4/3 5/3, SD sqrt(14)/3, z = 5/sqrt(14)
    #  t=4 [101 104 103]: mean 308/3, devs -5/3 4/3 1/3, SD sqrt(14)/3, z = 1/sqrt(14)
    #  t=5 [104 103 106]: same shape as t=3,                                  z = 5/sqrt(14)
    r2, r3 = 100.0, 100 + 5 / math.sqrt(14)
    r4, r5 = 100 + 1 / math.sqrt(14), 100 + 5 / math.sqrt(14)
    # Rate of change over one week, then its z-score over the last three.
    roc = [100 * (r3 / r2 - 1), 100 * (r4 / r3 - 1), 100 * (r5 / r4 - 1)]
    mean = sum(roc) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in roc) / 3)
    momentum = 100 + (roc[2] - mean) / sd

    (point,) = rrg(
        closes, ["A"], "B", ratio_window=3, momentum_window=3, roc_periods=1, tail=8, smoothing=1
    )
    assert point.rs_ratio == pytest.approx(r5, rel=1e-13)
    assert point.rs_momentum == pytest.approx(momentum, rel=1e-13)
    assert point.rs_ratio > 100 and point.rs_momentum > 100
    assert point.quadrant == LEADING
    # Only the last week has a point, so the tail is that single point and nothing came before.
    assert point.tail == (("2020-02-07", point.rs_ratio, point.rs_momentum),)
    assert point.previous_quadrant is None


def test_scale_multiplies_the_distance_from_100() -> None:
    closes = weekly_frame({"A": walk(60, 1), "B": walk(60, 2)})
    (one,) = rrg(closes, ["A"], "B")
    (ten,) = rrg(closes, ["A"], "B", scale=10.0)
    assert one.rs_ratio is not None and ten.rs_ratio is not None
    assert ten.rs_ratio - 100 == pytest.approx(10 * (one.rs_ratio - 100), rel=1e-12)
    # y is a z-score of a rate of change of x, which the scale cancels out of only partly:
    # compare it with the reference instead.
    expected = ref_rrg([100 * a / b for a, b in closes.to_numpy()], scale=10.0)[-1]
    assert expected is not None
    assert close(ten.rs_momentum, expected[1])


@pytest.mark.parametrize(
    ("w", "v", "k", "sm"),
    [(14, 14, 1, 1), (14, 14, 1, 3), (10, 5, 1, 5), (5, 10, 3, 2), (3, 2, 2, 1)],
)
def test_history_matches_the_reference_for_any_windows(w: int, v: int, k: int, sm: int) -> None:
    n = 80
    closes = weekly_frame({"A": walk(n, 3), "B": walk(n, 4, vol=0.01)})
    got = rrg_history(
        closes, "A", "B", ratio_window=w, momentum_window=v, roc_periods=k, smoothing=sm
    )
    expected = ref_rrg([100 * a / b for a, b in closes.to_numpy()], w, v, k, s=sm)
    assert len(got) == n
    first = sm - 1 + w + k + v - 2  # the first row with a point
    assert all(e is None for e in expected[:first]) and expected[first] is not None
    assert got["rs_ratio"].iloc[:first].isna().all()
    for (x, y), e in zip(got[["rs_ratio", "rs_momentum"]].to_numpy(), expected, strict=True):
        if e is None:
            assert math.isnan(x) and math.isnan(y)
        else:
            assert close(x, e[0]) and close(y, e[1])


def test_rotation_is_clockwise() -> None:
    # RS swings on a 40-week sine: RS-Momentum leads RS-Ratio, so the path goes
    # Improving -> Leading -> Weakening -> Lagging -> Improving, never the other way round.
    t = np.arange(240)
    bench = 100 * 1.002**t
    closes = weekly_frame({"A": bench * (1 + 0.1 * np.sin(2 * np.pi * t / 40)), "B": bench})
    h = rrg_history(closes, "A", "B").dropna()
    visited = [quadrant(x, y) for x, y in zip(h["rs_ratio"], h["rs_momentum"], strict=True)]
    changes = [q for i, q in enumerate(visited) if i == 0 or q != visited[i - 1]]
    assert len(changes) >= 16  # four full turns
    order = [IMPROVING, LEADING, WEAKENING, LAGGING]
    for a, b in zip(changes, changes[1:], strict=False):
        assert order.index(b) == (order.index(a) + 1) % 4, (a, b)


# --- on the bundled snapshot -------------------------------------------------------------------


def test_last_weekly_points_of_every_sector_match_plain_python(frame: pd.DataFrame) -> None:
    data = ref.snapshot()
    bench = ref.upto(data["SPY"], AS_OF)
    points = rrg(frame, SECTORS, "SPY", mode="weekly", tail=8, as_of=AS_OF)
    assert [p.symbol for p in points] == SECTORS
    for p in points:
        weekly = ref_weekly_rs(ref.upto(data[p.symbol], AS_OF), bench)
        expected = ref_rrg([rs for _, rs in weekly])
        assert expected[-1] is not None
        x, y = expected[-1]
        assert close(p.rs_ratio, x), p.symbol
        assert close(p.rs_momentum, y), p.symbol
        assert p.quadrant == quadrant(x, y)
        assert len(p.tail) == 8
        for (d, tx, ty), (wd, _), e in zip(p.tail, weekly[-8:], expected[-8:], strict=True):
            assert e is not None
            assert d == wd and close(tx, e[0]) and close(ty, e[1]), (p.symbol, d)
        prev = expected[-2]
        assert prev is not None and p.previous_quadrant == quadrant(*prev)


def test_weekly_on_real_data_skips_the_benchmark_holiday(frame: pd.DataFrame) -> None:
    # Friday 2026-07-03 was a market holiday: only ^VIX has a row that day, so the week of
    # 2026-06-29 ends on Thursday 2026-07-02 for XLK against SPY.
    (p,) = rrg(frame, ["XLK"], "SPY", as_of="2026-07-10", tail=2)
    assert [d for d, _, _ in p.tail] == ["2026-07-02", "2026-07-10"]


def test_daily_point_matches_plain_python(frame: pd.DataFrame) -> None:
    data = ref.snapshot()
    s, b = ref.common(ref.upto(data["XLE"], AS_OF), ref.upto(data["SPY"], AS_OF))
    expected = ref_rrg([100 * cs / cb for (_, cs), (_, cb) in zip(s, b, strict=True)])
    (p,) = rrg(frame, ["XLE"], "SPY", mode="daily", as_of=AS_OF, tail=3)
    assert [d for d, _, _ in p.tail] == [d for d, _ in s[-3:]]
    for (_, x, y), e in zip(p.tail, expected[-3:], strict=True):
        assert e is not None and close(x, e[0]) and close(y, e[1])


def test_previous_quadrant_is_last_weeks_graph(frame: pd.DataFrame) -> None:
    # Finite windows: the point one week back is the graph as of that week's last close.
    now = rrg(frame, SECTORS, "SPY", as_of=AS_OF)
    before = rrg(frame, SECTORS, "SPY", as_of="2026-07-24")
    assert quadrant_changes(now) == quadrant_change(before, now)
    for p, q in zip(now, before, strict=True):
        assert p.tail[-2] == q.tail[-1]


def test_history_and_graph_agree_on_real_data(frame: pd.DataFrame) -> None:
    for mode in ("weekly", "daily"):
        h = rrg_history(frame, "XLF", "SPY", mode=mode, as_of=AS_OF).dropna().iloc[-8:]
        (p,) = rrg(frame, ["XLF"], "SPY", mode=mode, as_of=AS_OF)
        rows = zip(h.index, h["rs_ratio"], h["rs_momentum"], strict=True)
        assert list(p.tail) == [(str(d.date()), x, y) for d, x, y in rows]


def test_every_sector_stays_within_the_bound(frame: pd.DataFrame) -> None:
    bound = RRGParams().bound
    assert bound == pytest.approx(math.sqrt(13))
    for symbol in SECTORS:
        for mode in ("weekly", "daily"):
            h = rrg_history(frame, symbol, "SPY", mode=mode).dropna()
            assert len(h) > 100
            assert (abs(h["rs_ratio"] - 100) <= bound + 1e-9).all()
            assert (abs(h["rs_momentum"] - 100) <= bound + 1e-9).all()


# --- quadrants ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (101.0, 101.0, LEADING),
        (100.0, 100.0, LEADING),  # both lines belong to the upper/right side
        (100.0, 99.999, WEAKENING),
        (103.0, 97.0, WEAKENING),
        (99.999, 100.0, IMPROVING),
        (97.0, 103.0, IMPROVING),
        (99.999, 99.999, LAGGING),
        (np.nextafter(100.0, 0), np.nextafter(100.0, 0), LAGGING),
        (None, 100.0, None),
        (100.0, None, None),
        (math.nan, 100.0, None),
        (100.0, math.inf, None),
    ],
)
def test_quadrant_boundaries(x: float | None, y: float | None, expected: str | None) -> None:
    assert quadrant(x, y) == expected


def test_quadrant_names_run_clockwise() -> None:
    assert QUADRANTS == ("Leading", "Weakening", "Lagging", "Improving")


def test_quadrant_change_marks_only_known_changes() -> None:
    a = RRGPoint("A", 101.0, 99.0, WEAKENING, (), LEADING)
    b = RRGPoint("B", 99.0, 99.0, LAGGING, (), LAGGING)
    c = RRGPoint("C", None, None, None, (), None)
    changes = quadrant_changes([a, b, c])
    assert changes == {
        "A": QuadrantChange(LEADING, WEAKENING),
        "B": QuadrantChange(LAGGING, LAGGING),
        "C": QuadrantChange(None, None),
    }
    assert [v.changed for v in changes.values()] == [True, False, False]
    assert QuadrantChange(None, LEADING).changed is False
    # Two graphs: a symbol new in the second one has no previous quadrant.
    old = [RRGPoint("A", 101.0, 101.0, LEADING, ())]
    assert quadrant_change(old, [a, b]) == {
        "A": QuadrantChange(LEADING, WEAKENING),
        "B": QuadrantChange(None, LAGGING),
    }


def test_previous_quadrant_does_not_depend_on_the_tail() -> None:
    closes = weekly_frame({"A": walk(70, 5), "B": walk(70, 6)})
    (short,) = rrg(closes, ["A"], "B", tail=1)
    (long,) = rrg(closes, ["A"], "B", tail=8)
    assert len(short.tail) == 1 and short.tail[0] == long.tail[-1]
    assert short.previous_quadrant == long.previous_quadrant == quadrant(*long.tail[-2][1:])


# --- weekly resampling -------------------------------------------------------------------------


def test_weekly_takes_the_last_common_close_of_each_week() -> None:
    rows = {
        # A plain week.
        "2025-04-07": (10.0, 100.0),
        "2025-04-11": (11.0, 100.0),
        # Good Friday 2025-04-18: no row, Thursday closes the week.
        "2025-04-14": (12.0, 100.0),
        "2025-04-17": (13.0, 104.0),
        # Holiday-shortened week (Memorial Day 2025-05-26) with a missing Friday close for A:
        # the benchmark's Friday row has no partner, so Thursday's RS is the week's.
        "2025-05-27": (14.0, 100.0),
        "2025-05-29": (15.0, 100.0),
        "2025-05-30": (math.nan, 80.0),
        # A week where A trades but the benchmark does not: no common close, no point.
        "2025-06-02": (16.0, math.nan),
        # The current, partial week: its Wednesday close is its point.
        "2025-06-09": (17.0, 100.0),
        "2025-06-11": (18.0, 90.0),
    }
    index = pd.DatetimeIndex(list(rows), name="date")
    closes = pd.DataFrame([list(v) for v in rows.values()], index=index, columns=["A", "B"])
    h = rrg_history(closes, "A", "B", mode="weekly")
    assert [str(d.date()) for d in h.index] == [
        "2025-04-11",
        "2025-04-17",
        "2025-05-29",
        "2025-06-11",
    ]
    assert h["rs"].tolist() == [100 * 11 / 100, 100 * 13 / 104, 100 * 15 / 100, 100 * 18 / 90]
    daily = rrg_history(closes, "A", "B", mode="daily")
    assert len(daily) == 8  # every row with both closes


def test_weekend_rows_belong_to_the_next_week() -> None:
    index = pd.DatetimeIndex(["2025-03-07", "2025-03-08", "2025-03-09", "2025-03-10"])
    closes = pd.DataFrame({"A": [1.0, 2.0, 3.0, 4.0], "B": [1.0, 1.0, 1.0, 1.0]}, index=index)
    h = rrg_history(closes, "A", "B")
    # Friday alone, then Saturday to Monday as one (partial) week ending on Monday.
    assert [str(d.date()) for d in h.index] == ["2025-03-07", "2025-03-10"]
    assert h["rs"].tolist() == [100.0, 400.0]


# --- history, truncation, tails ----------------------------------------------------------------


def test_too_little_history_gives_none_and_one_more_week_a_point() -> None:
    assert RRGParams(smoothing=1).periods_needed == 28
    need = RRGParams().periods_needed
    assert need == 30  # 2 more for the default 3-period mean
    closes = weekly_frame({"A": walk(need, 7), "B": walk(need, 8), "C": walk(need, 9)})
    closes.iloc[:2, 2] = math.nan  # C starts two weeks late
    short_a = rrg(closes.iloc[:-1], ["A"], "B")[0]
    assert short_a == RRGPoint("A", None, None, None, (), None)
    a, c = rrg(closes, ["A", "C"], "B")
    assert a.rs_ratio is not None and a.quadrant is not None and len(a.tail) == 1
    assert c.rs_ratio is None and c.rs_momentum is None and c.quadrant is None and c.tail == ()


def test_missing_symbol_or_benchmark_gives_none(frame: pd.DataFrame) -> None:
    points = rrg(frame, ["NOPE", "XLK"], "SPY", as_of=AS_OF)
    assert points[0] == RRGPoint("NOPE", None, None, None, (), None)
    assert points[1].quadrant is not None
    assert all(p.rs_ratio is None for p in rrg(frame, ["XLK", "XLF"], "NOBENCH"))
    assert rrg(frame, [], "SPY") == []
    assert rrg(frame.iloc[:0], ["XLK"], "SPY")[0].quadrant is None
    assert rrg(frame, ["XLK"], "SPY", as_of="1999-01-01")[0].tail == ()


def test_as_of_cuts_the_data(frame: pd.DataFrame) -> None:
    cut = "2024-03-13"  # a Wednesday: the last point is that partial week
    got = rrg(frame, SECTORS, "SPY", as_of=cut)
    same = rrg(frame.loc[:cut], SECTORS, "SPY")
    full = rrg(frame, SECTORS, "SPY")
    assert got == same
    assert got != full
    for p in got:
        assert p.tail[-1][0] == cut
        assert all(d <= cut for d, _, _ in p.tail)
    # A later as_of with no new rows (a weekend) changes nothing.
    assert rrg(frame, SECTORS, "SPY", as_of="2026-08-02") == rrg(frame, SECTORS, "SPY")


@pytest.mark.parametrize("n", [1, 2, 5, 8, 20])
def test_tail_length_and_order(frame: pd.DataFrame, n: int) -> None:
    for p in rrg(frame, SECTORS, "SPY", as_of=AS_OF, tail=n):
        assert len(p.tail) == n
        dates = [d for d, _, _ in p.tail]
        assert dates == sorted(dates) and len(set(dates)) == n
        assert p.tail[-1] == (AS_OF, p.rs_ratio, p.rs_momentum)


def test_tail_stops_where_history_does() -> None:
    need = RRGParams().periods_needed
    closes = weekly_frame({"A": walk(need + 2, 10), "B": walk(need + 2, 11)})
    (p,) = rrg(closes, ["A"], "B", tail=8)
    assert len(p.tail) == 3  # only the last three weeks have a point
    assert p.tail[-1][0] == str(closes.index[-1].date())


# --- flat relative strength --------------------------------------------------------------------


def test_symbol_against_itself_has_no_point(frame: pd.DataFrame) -> None:
    # RS is 100 every week (up to the last bit: 100 * c / c is rounded twice), its SD is 0 or
    # rounding noise and the z-score 0/0: no point, no NaN, no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (p,) = rrg(frame, ["SPY"], "SPY", as_of=AS_OF)
        h = rrg_history(frame, "SPY", "SPY")
    assert p == RRGPoint("SPY", None, None, None, (), None)
    assert (abs(h["rs"] - 100.0) <= 1e-13).all()
    assert (h["rs"] != 100.0).any()  # the noise the flatness tolerance is there for
    assert h["rs_ratio"].isna().all() and h["rs_momentum"].isna().all()
    assert json.dumps(rrg_to_dict(p), allow_nan=False)


def test_constant_multiple_of_the_benchmark_is_flat_despite_rounding() -> None:
    # sym = bench / 3: RS is 33.33... every week, up to the last bit. Without the flatness
    # tolerance the rounding noise would be divided by a ~1e-15 SD into a z-score of order 1.
    bench = walk(60, 12)
    rs = 100 * (bench / 3) / bench
    assert np.ptp(rs) > 0  # the rounding noise is really there
    closes = weekly_frame({"A": bench / 3, "B": bench})
    (p,) = rrg(closes, ["A"], "B")
    assert p.rs_ratio is None and p.quadrant is None


def test_flat_stretch_then_movement() -> None:
    # RS is exactly 100 for weeks 0-29, then moves. RS-Ratio exists from week 30 (the first
    # window that is not flat), its rate of change from week 31, and RS-Momentum once 14 of
    # those fill its window: week 44 is the first point.
    bench = walk(60, 13)
    sym = bench.copy()
    sym[30:] *= walk(30, 14) / 100
    closes = weekly_frame({"A": sym, "B": bench})
    h = rrg_history(closes, "A", "B")
    assert (abs(h["rs"].iloc[:30] - 100.0) <= 1e-13).all()
    assert h["rs_ratio"].iloc[:44].isna().all() and h["rs_momentum"].iloc[:44].isna().all()
    assert h[["rs_ratio", "rs_momentum"]].iloc[44:].notna().all().all()
    (p,) = rrg(closes, ["A"], "B", tail=20)
    assert len(p.tail) == 16  # weeks 44 to 59
    assert p.tail[0][0] == str(closes.index[44].date())


# --- invariants --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    level=st.floats(1e-3, 1e3),
    w=st.integers(3, 20),
    v=st.integers(3, 20),
)
def test_bounded_and_independent_of_price_level(seed: int, level: float, w: int, v: int) -> None:
    n = w + v + 12
    a, b = walk(n, seed), walk(n, seed + 1)
    closes = weekly_frame({"A": a, "B": b, "A2": a * level})
    p, q = rrg(closes, ["A", "A2"], "B", ratio_window=w, momentum_window=v)
    bound = RRGParams(w, v).bound
    assert p.rs_ratio is not None and p.rs_momentum is not None
    assert abs(p.rs_ratio - 100) <= bound + 1e-9 and abs(p.rs_momentum - 100) <= bound + 1e-9
    assert q.rs_ratio == pytest.approx(p.rs_ratio, rel=1e-9)
    assert q.rs_momentum == pytest.approx(p.rs_momentum, rel=1e-9)


def test_windows_of_two_only_say_up_or_down() -> None:
    # With two values the latest is always one SD from their mean: RS-Ratio is 100 +/- 1, its
    # rate of change is ~0 after two moves the same way, and RS-Momentum is then flat (None)
    # rather than a z-score of rounding noise; otherwise it is 100 +/- 1 too.
    a, b = walk(200, 21), walk(200, 22)
    closes = weekly_frame({"A": a, "A2": a * 7.3, "B": b})
    h = rrg_history(closes, "A", "B", ratio_window=2, momentum_window=2)
    h2 = rrg_history(closes, "A2", "B", ratio_window=2, momentum_window=2)
    points = h.dropna()
    assert 20 < len(points) < len(h) - 40  # both cases occur
    assert np.allclose(abs(points[["rs_ratio", "rs_momentum"]] - 100), 1.0, atol=1e-9)
    assert h["rs_ratio"].isna().tolist() == h2["rs_ratio"].isna().tolist()
    assert np.allclose(points, h2.dropna()[["rs", "rs_ratio", "rs_momentum"]] / [7.3, 1, 1])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": "monthly"},
        {"tail": 0},
        {"ratio_window": 1},
        {"momentum_window": 0},
        {"roc_periods": 0},
        {"scale": 0.0},
        {"scale": math.nan},
        {"scale": 30.0},  # 30 * sqrt(13) > 100: RS-Ratio could reach 0
    ],
)
def test_bad_arguments_are_refused(kwargs: dict) -> None:
    closes = weekly_frame({"A": walk(40, 1), "B": walk(40, 2)})
    with pytest.raises(ValueError):
        rrg(closes, ["A"], "B", **kwargs)


# --- JSON and speed ----------------------------------------------------------------------------


def test_rrg_to_dict_is_json_ready(frame: pd.DataFrame) -> None:
    p = rrg(frame, ["XLK"], "SPY", as_of=AS_OF, tail=3)[0]
    d = rrg_to_dict(p)
    assert list(d) == [
        "symbol",
        "rs_ratio",
        "rs_momentum",
        "quadrant",
        "tail",
        "heading",
        "velocity",
        "tail_length",
    ]
    assert d["symbol"] == "XLK" and d["quadrant"] == p.quadrant
    assert d["tail"] == [list(t) for t in p.tail] and d["tail"][-1][0] == AS_OF
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    empty = rrg_to_dict(RRGPoint("X", None, None, None, ()))
    assert empty == dict.fromkeys(
        ["symbol", "rs_ratio", "rs_momentum", "quadrant", "heading", "velocity", "tail_length"]
    ) | {"symbol": "X", "tail": []}


def test_five_hundred_symbols_with_gaps_all_get_a_point() -> None:
    """Scale is measured in benchmarks/; here: 500 gappy series all come out, none invented."""
    rng = np.random.default_rng(0)
    index = pd.bdate_range("2016-01-04", "2026-07-31", name="date")
    values = 100 * np.exp(np.cumsum(rng.normal(0, 0.015, (len(index), 501)), axis=0))
    values[rng.random(values.shape) < 0.01] = np.nan
    names = [f"S{i}" for i in range(500)]
    closes = pd.DataFrame(values, index=index, columns=[*names, "BENCH"])
    for mode in ("weekly", "daily"):
        points = rrg(closes, names, "BENCH", mode=mode)
        assert [p.symbol for p in points] == names
        assert all(p.quadrant in QUADRANTS for p in points)
        assert all(math.isfinite(p.rs_ratio) and math.isfinite(p.rs_momentum) for p in points)


# --- smoothing ---------------------------------------------------------------------------------


def test_smoothing_worked_by_hand() -> None:
    # RS = sym (benchmark fixed at 100): 100 104 102 108 104 110 106. With s = 2 the line is
    # the mean of each two: 102 103 105 106 107 108. w = v = 3, k = 1:
    #  ratio windows [102 103 105] [103 105 106] [105 106 107] [106 107 108]
    #  z of the last value: (105 - 310/3) / SD, SD = sqrt(((-4/3)^2 + (-1/3)^2 + (5/3)^2) / 3)
    rs = [100.0, 104.0, 102.0, 108.0, 104.0, 110.0, 106.0]
    closes = weekly_frame({"A": rs, "B": [100.0] * 7})
    line = [102.0, 103.0, 105.0, 106.0, 107.0, 108.0]
    ratios = []
    for t in range(2, 6):
        w = line[t - 2 : t + 1]
        m = sum(w) / 3
        ratios.append(100 + (w[-1] - m) / math.sqrt(sum((v - m) ** 2 for v in w) / 3))
    roc = [100 * (b / a - 1) for a, b in zip(ratios, ratios[1:], strict=False)]
    m = sum(roc) / 3
    momentum = 100 + (roc[-1] - m) / math.sqrt(sum((v - m) ** 2 for v in roc) / 3)
    kw = {"ratio_window": 3, "momentum_window": 3, "smoothing": 2}
    (p,) = rrg(closes, ["A"], "B", **kw)
    assert p.rs_ratio == pytest.approx(ratios[-1], rel=1e-13)
    assert p.rs_momentum == pytest.approx(momentum, rel=1e-13)
    assert len(p.tail) == 1  # 2 - 1 + 3 + 1 + 3 - 1 = 7 weeks for the first point
    h = rrg_history(closes, "A", "B", **kw)
    assert h["rs"].tolist() == rs  # the history shows the raw RS line
    # Unsmoothed, the same data has points one week earlier and different figures.
    (raw,) = rrg(closes, ["A"], "B", ratio_window=3, momentum_window=3, smoothing=1)
    assert len(raw.tail) == 2 and raw.rs_ratio != pytest.approx(p.rs_ratio)


def test_default_smoothing_is_three_in_both_modes(frame: pd.DataFrame) -> None:
    for mode in ("weekly", "daily"):
        assert rrg(frame, SECTORS, "SPY", mode=mode, as_of=AS_OF) == rrg(
            frame, SECTORS, "SPY", mode=mode, as_of=AS_OF, smoothing=3
        )
        assert rrg(frame, ["XLK"], "SPY", mode=mode, smoothing=1) != rrg(
            frame, ["XLK"], "SPY", mode=mode
        )


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_bad_smoothing_is_refused(bad: object) -> None:
    closes = weekly_frame({"A": walk(40, 1), "B": walk(40, 2)})
    with pytest.raises(ValueError, match="smoothing"):
        rrg(closes, ["A"], "B", smoothing=bad)  # type: ignore[arg-type]


# --- heading, velocity, tail length ------------------------------------------------------------


def point_with_tail(symbol: str, *xy: tuple[float, float]) -> RRGPoint:
    tail = tuple((f"2026-01-{i + 1:02d}", x, y) for i, (x, y) in enumerate(xy))
    x, y = xy[-1]
    return RRGPoint(symbol, x, y, quadrant(x, y), tail)


def test_heading_velocity_tail_length_worked_by_hand() -> None:
    # A: one step of (+3, +4): a 3-4-5 triangle, heading atan(3/4) east of north (towards
    #    Leading), velocity 5, tail length 5; the point (103, 104) sits at the same angle.
    a = point_with_tail("A", (100.0, 100.0), (103.0, 104.0))
    assert a.heading == pytest.approx(36.86989764584402, abs=1e-12)
    assert a.velocity == 5.0 and a.tail_length == 5.0
    assert a.position_angle == pytest.approx(36.86989764584402, abs=1e-12)
    assert a.distance == 5.0 and a.quadrant == LEADING
    # B: down 3 (heading 180) then left 4: heading 270 (west), velocity 4, tail length 3 + 4.
    #    The point (98, 98) is south-west of the centre: 225 degrees, in Lagging.
    b = point_with_tail("B", (102.0, 101.0), (102.0, 98.0), (98.0, 98.0))
    assert b.heading == 270.0 and b.velocity == 4.0 and b.tail_length == 7.0
    assert b.position_angle == 225.0 and b.quadrant == LAGGING
    assert b.distance == pytest.approx(2 * math.sqrt(2), rel=1e-15)
    # C: three diagonal steps of length sqrt(2): north-east, north-west, south-west. Heading of
    #    the last one 225, velocity sqrt(2), tail length 3 sqrt(2); the point (98, 100) is due
    #    west of the centre (270, on the line: quadrant() puts y = 100 in Improving).
    c = point_with_tail("C", (99.0, 99.0), (100.0, 100.0), (99.0, 101.0), (98.0, 100.0))
    assert c.heading == 225.0
    assert c.velocity == pytest.approx(math.sqrt(2), rel=1e-15)
    assert c.tail_length == pytest.approx(3 * math.sqrt(2), rel=1e-15)
    assert c.position_angle == 270.0 and c.quadrant == IMPROVING
    # The JSON item carries the same figures.
    d = rrg_to_dict(c)
    assert (d["heading"], d["velocity"], d["tail_length"]) == (
        c.heading,
        c.velocity,
        c.tail_length,
    )


def test_compass_quarters_follow_the_quadrants() -> None:
    # 0-90 Leading, 90-180 Weakening, 180-270 Lagging, 270-360 Improving (Optuma's convention).
    for (x, y), name in [
        ((101.0, 103.0), LEADING),
        ((103.0, 99.0), WEAKENING),
        ((99.0, 97.0), LAGGING),
        ((97.0, 101.0), IMPROVING),
    ]:
        angle = point_with_tail("X", (x, y)).position_angle
        assert angle is not None
        assert QUADRANTS[int(angle // 90)] == name == quadrant(x, y)
    assert point_with_tail("N", (100.0, 100.0), (100.0, 101.0)).heading == 0.0
    assert point_with_tail("E", (100.0, 100.0), (101.0, 100.0)).heading == 90.0
    assert point_with_tail("S", (100.0, 100.0), (100.0, 99.0)).heading == 180.0


def test_no_step_means_no_heading() -> None:
    one = point_with_tail("A", (101.0, 101.0))
    assert (one.heading, one.velocity, one.tail_length) == (None, None, None)
    still = point_with_tail("B", (101.0, 101.0), (101.0, 101.0))
    assert still.heading is None and still.velocity == 0.0 and still.tail_length == 0.0
    empty = RRGPoint("C", None, None, None, ())
    assert (empty.heading, empty.position_angle, empty.distance) == (None, None, None)


def test_tail_figures_on_real_data_come_from_the_tail(frame: pd.DataFrame) -> None:
    for p in rrg(frame, SECTORS, "SPY", as_of=AS_OF, tail=5):
        d = rrg_to_dict(p)
        pts = d["tail"]
        steps = [(b[1] - a[1], b[2] - a[2]) for a, b in zip(pts, pts[1:], strict=False)]
        dx, dy = steps[-1]
        expected = math.degrees(math.atan2(dx, dy))
        assert d["heading"] == pytest.approx(expected + 360 if expected < 0 else expected)
        assert d["velocity"] == pytest.approx(math.sqrt(dx * dx + dy * dy))
        assert d["tail_length"] == pytest.approx(sum(math.sqrt(a * a + b * b) for a, b in steps))


# --- transitions -------------------------------------------------------------------------------


def test_transitions_list_only_changes() -> None:
    points = [
        RRGPoint("XLK", 99.0, 98.0, LAGGING, (("2026-07-31", 99.0, 98.0),), IMPROVING),
        RRGPoint("XLF", 101.0, 101.0, LEADING, (("2026-07-31", 101.0, 101.0),), WEAKENING),
        RRGPoint("XLE", 101.0, 101.0, LEADING, (("2026-07-31", 101.0, 101.0),), LEADING),
        RRGPoint("XLU", 101.0, 101.0, LEADING, (("2026-07-31", 101.0, 101.0),), None),
        RRGPoint("NOPE", None, None, None, (), None),
    ]
    got = transitions(points)
    assert [t.text for t in got] == ["XLK Improving \u2192 Lagging", "XLF Weakening \u2192 Leading"]
    assert transition_to_dict(got[0]) == {
        "symbol": "XLK",
        "from": IMPROVING,
        "to": LAGGING,
        "date": "2026-07-31",
        "text": "XLK Improving \u2192 Lagging",
    }


def test_transitions_on_real_data_match_last_weeks_graph(frame: pd.DataFrame) -> None:
    now = rrg(frame, SECTORS, "SPY", as_of=AS_OF)
    before = {p.symbol: p.quadrant for p in rrg(frame, SECTORS, "SPY", as_of="2026-07-24")}
    expected = [p.symbol for p in now if before[p.symbol] != p.quadrant]
    assert [t.symbol for t in transitions(now)] == expected
    for t in transitions(now):
        assert t.previous == before[t.symbol] and t.date == AS_OF


# --- the time machine --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["weekly", "daily"])
def test_time_machine_frame_equals_the_graph_as_of_its_date(frame: pd.DataFrame, mode: str) -> None:
    symbols = [*SECTORS, "KRE", "NOPE"]  # KRE and a missing symbol too
    tl = rrg_timeline(frame, symbols, "SPY", steps=60, mode=mode, tail=8, as_of=AS_OF)
    assert len(tl) == 60 and tl.date(0) == AS_OF
    assert list(tl.dates) == sorted(tl.dates)
    for k in (0, 1, 2, 17, 59):
        day = tl.date(k)
        cut = frame.loc[:day]  # the data really cut at that date
        assert tl.frame(k) == rrg(cut, symbols, "SPY", mode=mode, tail=8)
        assert tl.frame(k) == rrg(frame, symbols, "SPY", mode=mode, tail=8, as_of=day)


def test_time_machine_dates_are_the_benchmarks_last_close_of_each_week(
    frame: pd.DataFrame,
) -> None:
    tl = rrg_timeline(frame, SECTORS, "SPY", steps=6, as_of="2026-07-10")
    # 2026-07-03 was a holiday (only ^VIX has a row): that week ends on Thursday for SPY.
    assert tl.dates == (
        "2026-06-05",
        "2026-06-12",
        "2026-06-18",  # Juneteenth, Friday 2026-06-19
        "2026-06-26",
        "2026-07-02",
        "2026-07-10",
    )
    # Stepping back one frame is last week's graph: its newest point is this week's second-newest.
    for now, before in zip(tl.frame(0), tl.frame(1), strict=True):
        assert now.tail[-2] == before.tail[-1]
        assert now.previous_quadrant == before.quadrant


def test_time_machine_with_gaps_and_short_history() -> None:
    # A is missing four weeks in the middle and C starts late: each frame still equals rrg().
    n = 80
    closes = weekly_frame({"A": walk(n, 31), "B": walk(n, 32), "C": walk(n, 33)})
    closes.iloc[40:44, 0] = math.nan
    closes.iloc[:45, 2] = math.nan
    tl = rrg_timeline(closes, ["A", "C", "B"], "B", steps=None, tail=6)
    assert len(tl) == n
    for k in range(n):
        assert tl.frame(k) == rrg(closes, ["A", "C", "B"], "B", tail=6, as_of=tl.date(k)), k
    assert all(p.tail == () for p in tl.frame(n - 1))


def test_time_machine_refuses_bad_steps(frame: pd.DataFrame) -> None:
    tl = rrg_timeline(frame, ["XLK"], "SPY", steps=3)
    with pytest.raises(IndexError):
        tl.frame(3)
    with pytest.raises(IndexError):
        tl.date(-1)
    with pytest.raises(ValueError, match="steps"):
        rrg_timeline(frame, ["XLK"], "SPY", steps=0)
    empty = rrg_timeline(frame, ["XLK"], "NOBENCH")
    assert len(empty) == 0


# --- the trailing slice (speed) must not change a figure ---------------------------------------


def _gappy_frame() -> pd.DataFrame:
    """Random walks with every kind of column the slice must hand back to the whole history:
    one that stopped a year before the end, one with a 40-week hole near the end, one that
    starts 20 weeks before the end, one all NaN, plus the usual 1 % missing days."""
    rng = np.random.default_rng(7)
    index = pd.bdate_range("2016-01-04", "2026-07-31", name="date")
    values = 100 * np.exp(np.cumsum(rng.normal(0, 0.015, (len(index), 41)), axis=0))
    values[rng.random(values.shape) < 0.01] = np.nan
    n = len(index)
    values[n - 260 :, 0] = np.nan  # stale: nothing in the last year
    values[n - 230 : n - 30, 1] = np.nan  # a hole of 40 weeks, then 6 weeks of data
    values[: n - 100, 2] = np.nan  # a short history: 20 weeks
    values[:, 3] = np.nan  # no data at all
    values[n - 3 :, 4] = np.nan  # stopped three days ago
    return pd.DataFrame(values, index=index, columns=[*(f"S{i}" for i in range(40)), "BENCH"])


@pytest.mark.parametrize("mode", ["weekly", "daily"])
@pytest.mark.parametrize("tail", [1, 8, 26])
def test_graph_from_the_recent_rows_equals_the_graph_from_the_whole_history(
    frame: pd.DataFrame, mode: str, tail: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rrg() takes RS and the weekly grouping over the last periods only; with a margin larger
    than the history it takes them over every row, as it always did. Every figure, date and
    quadrant must be identical (==, not approx), on the bundled data and on gappy series,
    and also cut at a past date."""
    import tui.analytics.rrg as rrg_module

    gappy = _gappy_frame()
    cases = [
        (frame, [*SECTORS, "MISSING"], "SPY", None),
        (frame, SECTORS, "SPY", "2020-03-20"),
        (gappy, [f"S{i}" for i in range(40)], "BENCH", None),
        (gappy, [f"S{i}" for i in range(40)], "BENCH", "2026-07-29"),
    ]
    fast = [rrg(c, s, b, mode=mode, tail=tail, as_of=a) for c, s, b, a in cases]
    monkeypatch.setattr(rrg_module, "RECENT_MARGIN", 10**6)  # the slice is the whole history
    whole = [rrg(c, s, b, mode=mode, tail=tail, as_of=a) for c, s, b, a in cases]
    assert fast == whole
    # The gappy columns really are the hard cases: the stale one still has a point, the one
    # without data has none.
    gappy_points = {p.symbol: p for p in fast[2]}
    assert gappy_points["S0"].quadrant in QUADRANTS and gappy_points["S3"].quadrant is None
