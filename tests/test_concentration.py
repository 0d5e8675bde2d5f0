"""Mega-cap concentration: drifted weights against a csv-module computation from the bundle.

The reference reads ``spy_top_holdings.csv``, ``holdings_prices_daily.csv.gz`` and
``prices_daily.csv.gz`` with the csv module and applies ``w_t = w_0 * (P_t / P_0) / (SPY_t /
SPY_0)`` with plain floats; it shares no code with :mod:`tui.analytics.concentration`.
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

from tui.analytics.concentration import (
    MAG7,
    concentration,
    concentration_snapshot,
    drifted_weights,
)
from tui.data.snapshot import (
    HOLDINGS_PRICES_FILE,
    PRICES_FILE,
    Holding,
    load_closes,
    load_spy_holdings,
)

SNAP = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"
BASE = "2025-11-18"
DATES = ("2026-02-17", "2026-07-31")


@functools.cache
def ref_weights() -> dict[str, float]:
    with open(SNAP / "spy_top_holdings.csv", encoding="utf-8", newline="") as fh:
        return {r["symbol"]: float(r["weight_pct"]) / 100 for r in csv.DictReader(fh)}


@functools.cache
def ref_prices() -> dict[str, dict[str, float]]:
    wanted = set(ref_weights()) | {"SPY", "RSP"}
    out: dict[str, dict[str, float]] = {}
    for path in (SNAP / "holdings_prices_daily.csv.gz", SNAP / "prices_daily.csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                if rec["symbol"] in wanted and rec["adj_close"]:
                    out.setdefault(rec["symbol"], {})[rec["date"]] = float(rec["adj_close"])
    return out


def ref_drifted(day: str) -> dict[str, float]:
    p, spy = ref_prices(), ref_prices()["SPY"]
    return {
        s: w * (p[s][day] / p[s][BASE]) / (spy[day] / spy[BASE]) for s, w in ref_weights().items()
    }


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    return pd.concat(
        [load_closes(HOLDINGS_PRICES_FILE), load_closes(PRICES_FILE)], axis=1, sort=True
    )


@pytest.fixture(scope="module")
def conc(closes: pd.DataFrame):
    return concentration(closes, load_spy_holdings())


def test_every_spy_holding_has_prices(closes: pd.DataFrame, conc) -> None:
    assert len(ref_weights()) == 20
    assert conc.missing == ()
    assert all(s in closes.columns for s in ref_weights())


def test_weights_on_their_own_day_are_the_files(conc) -> None:
    row = conc.frame.loc[BASE]
    # The data README: the seven = 34.7 %, top 10 = 39.2 %.
    assert row["mag7_weight"] == pytest.approx(sum(ref_weights()[s] for s in MAG7), rel=1e-12)
    assert round(row["mag7_weight"], 3) == 0.347 and round(row["top10_weight"], 3) == 0.392
    assert conc.weights.loc[BASE, "NVDA"] == pytest.approx(0.07830057, rel=1e-12)


@pytest.mark.parametrize("day", DATES)
def test_drifted_weights_match_the_csv_computation(conc, day: str) -> None:
    expected = ref_drifted(day)
    for symbol, w in expected.items():
        assert conc.weights.loc[day, symbol] == pytest.approx(w, rel=1e-12), symbol
    mag7 = sum(
        expected[s] for s in ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA")
    )
    top10 = sum(sorted(expected.values(), reverse=True)[:10])
    assert conc.frame.loc[day, "mag7_weight"] == pytest.approx(mag7, rel=1e-12)
    assert conc.frame.loc[day, "top10_weight"] == pytest.approx(top10, rel=1e-12)


def test_equal_weight_basket_against_rsp_and_spy(conc) -> None:
    p = ref_prices()
    days = sorted(d for d in p["SPY"] if BASE <= d <= DATES[1])
    names = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA")
    level = 100.0
    for before, today in zip(days, days[1:], strict=False):
        level *= 1 + sum(p[s][today] / p[s][before] - 1 for s in names) / len(names)
    row = conc.frame.loc[DATES[1]]
    assert row["basket"] == pytest.approx(level, rel=1e-10)
    for col, sym in (("basket_vs_rsp", "RSP"), ("basket_vs_spy", "SPY")):
        expected = 100 * (level / p[sym][DATES[1]]) / (100 / p[sym][BASE])
        assert row[col] == pytest.approx(expected, rel=1e-10)


def test_snapshot_for_report_json(conc) -> None:
    snap = concentration_snapshot(conc)
    assert list(snap) == ["mag7_weight", "top10_weight", "weights_as_of", "as_of"]
    assert snap["weights_as_of"] == BASE and snap["as_of"] == "2026-07-31"
    expected = ref_drifted("2026-07-31")
    assert snap["mag7_weight"] == pytest.approx(sum(expected[s] for s in MAG7), rel=1e-12)
    assert 0 < snap["mag7_weight"] < snap["top10_weight"] < 1
    early = concentration_snapshot(conc, as_of="2025-11-01")
    assert early["mag7_weight"] is None and early["as_of"] is None
    assert "ignore buybacks and index changes" in conc.caveat


def test_drift_reproduces_a_fixed_share_index() -> None:
    # Three stocks with fixed share counts; the "fund" is their total value. Weights drifted by
    # price from day 0 are then exactly the true value weights on every later day.
    rng = np.random.default_rng(5)
    index = pd.bdate_range("2025-01-01", periods=40, name="date")
    prices = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (40, 3)), axis=0))
    shares = np.array([3.0, 1.0, 2.0])
    value = prices @ shares
    closes = pd.DataFrame(prices, index=index, columns=["A", "B", "C"]).assign(FUND=value)
    day0 = index[10]
    w0 = {s: prices[10, j] * shares[j] / value[10] for j, s in enumerate("ABC")}
    got = drifted_weights(closes, w0, str(day0.date()), benchmark="FUND", start="2025-01-01")
    true = prices * shares / value[:, None]
    np.testing.assert_allclose(got.to_numpy(), true, rtol=1e-12)
    assert got.sum(axis=1).to_numpy() == pytest.approx(np.ones(40), rel=1e-12)


def test_a_missing_close_gives_no_partial_sum(closes: pd.DataFrame) -> None:
    gappy = closes.copy()
    gappy.loc["2026-03-02", "TSLA"] = math.nan
    conc = concentration(gappy, load_spy_holdings())
    assert math.isnan(conc.frame.loc["2026-03-02", "mag7_weight"])
    assert math.isnan(conc.frame.loc["2026-03-02", "top10_weight"])
    assert not math.isnan(conc.frame.loc["2026-03-03", "mag7_weight"])


def test_bad_input_is_refused(closes: pd.DataFrame) -> None:
    holding = Holding("SPY", "AAPL", "APPLE", 7.0, "2025-11-22")  # a Saturday: no SPY close
    with pytest.raises(ValueError, match="no SPY close on 2025-11-22"):
        concentration(closes, [holding])
    with pytest.raises(ValueError, match="no SPY holdings"):
        concentration(closes, [])
