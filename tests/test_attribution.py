"""Attribution of a fund's move to its holdings, against independent computations.

A synthetic buy-and-hold fund checks the decomposition exactly (nothing left in "other"); the
bundled XLK and SPY check the figures against plain floats read with the csv module.
"""

from __future__ import annotations

import csv
import functools
import gzip
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tui.analytics.attribution import (
    attribute,
    attribution_to_dict,
    group_contribution,
    mag7_contribution,
    window_start,
)
from tui.data.snapshot import (
    HOLDINGS_PRICES_FILE,
    PRICES_FILE,
    Holding,
    load_closes,
    load_holdings,
    load_spy_holdings,
)

SNAP = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"
START, END = "2026-04-30", "2026-07-31"


@functools.cache
def ref_holdings(etf: str) -> dict[str, tuple[float, str]]:
    name = "spy_top_holdings.csv" if etf == "SPY" else "sector_holdings.csv"
    with open(SNAP / name, encoding="utf-8", newline="") as fh:
        return {
            r["symbol"]: (float(r["weight_pct"]) / 100, r["as_of"])
            for r in csv.DictReader(fh)
            if r["etf"] == etf
        }


@functools.cache
def ref_prices() -> dict[str, dict[str, float]]:
    wanted = set(ref_holdings("XLK")) | set(ref_holdings("SPY")) | {"XLK", "SPY"}
    out: dict[str, dict[str, float]] = {}
    for path in (SNAP / "holdings_prices_daily.csv.gz", SNAP / "prices_daily.csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                if rec["symbol"] in wanted and rec["adj_close"]:
                    out.setdefault(rec["symbol"], {})[rec["date"]] = float(rec["adj_close"])
    return out


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    return pd.concat(
        [load_closes(HOLDINGS_PRICES_FILE), load_closes(PRICES_FILE)], axis=1, sort=True
    )


def synthetic() -> tuple[pd.DataFrame, list[Holding]]:
    # A fund that buys 2, 1 and 3 shares of A, B, C and holds them; weights stated on day 5.
    rng = np.random.default_rng(9)
    index = pd.bdate_range("2025-03-03", periods=60, name="date")
    prices = 40 * np.exp(np.cumsum(rng.normal(0, 0.02, (60, 3)), axis=0))
    value = prices @ np.array([2.0, 1.0, 3.0])
    bench = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 60)))
    closes = pd.DataFrame(prices, index=index, columns=["A", "B", "C"])
    closes["FUND"], closes["BENCH"] = value, bench
    day = str(index[5].date())
    w = prices[5] * np.array([2.0, 1.0, 3.0]) / value[5]
    holdings = [Holding("FUND", s, s, 100 * w[j], day) for j, s in enumerate("ABC")]
    return closes, holdings


def test_a_fully_listed_buy_and_hold_fund_leaves_nothing_in_other() -> None:
    closes, holdings = synthetic()
    start, end = str(closes.index[20].date()), str(closes.index[50].date())
    a = attribute(closes, "FUND", holdings, start, end, benchmark="BENCH")
    rf = closes["FUND"].iloc[50] / closes["FUND"].iloc[20] - 1
    rb = closes["BENCH"].iloc[50] / closes["BENCH"].iloc[20] - 1
    assert a.move == pytest.approx(rf - rb, rel=1e-12)
    assert math.fsum(c.contribution for c in a.contributions) == pytest.approx(a.move, rel=1e-12)
    assert abs(a.other) < 1e-14
    assert math.fsum(c.weight for c in a.contributions) == pytest.approx(1.0, rel=1e-12)
    # Without drifting the weights to the window's start, the day-5 weights are wrong there.
    stale = attribute(closes, "FUND", holdings, start, end, benchmark="BENCH", drift=False)
    assert abs(stale.other) > 1e-4


def test_top_holdings_plus_other_give_the_sectors_relative_move(closes: pd.DataFrame) -> None:
    a = attribute(closes, "XLK", load_holdings()["XLK"], START, END, benchmark="SPY")
    p = ref_prices()
    rf = p["XLK"][END] / p["XLK"][START] - 1
    rb = p["SPY"][END] / p["SPY"][START] - 1
    assert a.move == pytest.approx(rf - rb, rel=1e-12)
    contributions = {}
    for sym, (w0, as_of) in ref_holdings("XLK").items():
        w = w0 * (p[sym][START] / p[sym][as_of]) / (p["XLK"][START] / p["XLK"][as_of])
        contributions[sym] = w * (p[sym][END] / p[sym][START] - 1 - rb)
    got = {c.symbol: c.contribution for c in a.contributions}
    assert got.keys() == contributions.keys()
    for sym, value in contributions.items():
        assert got[sym] == pytest.approx(value, rel=1e-10, abs=1e-15), sym
    residual = (rf - rb) - math.fsum(contributions.values())
    # The holdings' contributions sum to the relative move minus the residual ("other").
    assert a.explained == pytest.approx((rf - rb) - residual, rel=1e-10)
    assert a.other == pytest.approx(residual, rel=1e-9, abs=1e-15)
    d = attribution_to_dict(a)
    assert d["contributions"][0]["symbol"] == "NVDA"  # heaviest first
    assert math.fsum(c["contribution"] for c in d["contributions"]) + d["other"] == pytest.approx(
        d["move"], rel=1e-12
    )


def test_against_the_fund_itself_the_pulls_and_other_cancel(closes: pd.DataFrame) -> None:
    a = attribute(closes, "XLK", load_holdings()["XLK"], START, END, benchmark="XLK")
    assert a.move == 0.0
    assert a.explained + a.other == pytest.approx(0.0, abs=1e-15)
    for c in a.contributions:
        assert c.ret is not None and c.contribution is not None
        assert c.contribution == pytest.approx(c.weight * (c.ret - a.fund_return), rel=1e-12)


def test_holdings_without_prices_fall_into_other(closes: pd.DataFrame) -> None:
    a = attribute(closes, "XLV", load_holdings()["XLV"], START, END)
    assert a.no_data == ("UNH",)
    unh = next(c for c in a.contributions if c.symbol == "UNH")
    assert unh.ret is None and unh.contribution is None
    known = math.fsum(c.contribution for c in a.contributions if c.contribution is not None)
    assert a.explained == pytest.approx(known, rel=1e-15)
    assert a.other == pytest.approx(a.move - known, rel=1e-12)


def test_mag7_contribution_to_spy(closes: pd.DataFrame) -> None:
    got = mag7_contribution(closes, load_spy_holdings(), "2025-11-18", END)
    p = ref_prices()
    spy = p["SPY"][END] / p["SPY"]["2025-11-18"] - 1
    mag7 = math.fsum(
        ref_holdings("SPY")[s][0] * (p[s][END] / p[s]["2025-11-18"] - 1)
        for s in ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA")
    )
    assert got["spy_return"] == pytest.approx(spy, rel=1e-12)
    assert got["mag7"] == pytest.approx(mag7, rel=1e-10)
    assert got["rest"] == pytest.approx(spy - mag7, rel=1e-10)
    assert len(got["by_symbol"]) == 8 and got["start"] == "2025-11-18"


def test_windows_and_bad_input(closes: pd.DataFrame) -> None:
    assert window_start(closes, "XLK", 63, END) == START
    with pytest.raises(ValueError, match="NOPE"):
        attribute(closes, "NOPE", load_holdings()["XLK"], START)
    with pytest.raises(ValueError, match="no closes from"):
        attribute(closes, "XLK", load_holdings()["XLK"], "2030-01-01")
    a = attribute(closes, "XLK", load_holdings()["XLK"], START)
    assert a.end == "2026-07-31" and group_contribution(a, ["NOPE"]) is None
