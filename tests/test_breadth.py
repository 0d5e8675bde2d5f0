"""Sector breadth against an independent computation from the bundled CSVs.

The reference here reads ``sector_holdings.csv``, ``holdings_prices_daily.csv.gz`` and
``prices_daily.csv.gz`` with the csv module and computes every figure with plain lists, from the
definitions in :mod:`tui.analytics.breadth`'s docstring; it shares no code with it.
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

from tui.analytics.breadth import (
    ALL,
    COLUMNS,
    breadth,
    breadth_snapshot,
    sector_groups,
)
from tui.data.snapshot import HOLDINGS_PRICES_FILE, PRICES_FILE, load_closes, load_holdings

SNAP = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"
SECTORS = ("XLV", "XLI")  # XLV holds UNH (no prices); XLI holds GEV (listed 2024-03-27)
DATES = ("2024-09-03", "2026-07-31")

Series = list[tuple[str, float]]


@functools.cache
def ref_members() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with open(SNAP / "sector_holdings.csv", encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            out.setdefault(rec["etf"], []).append(rec["symbol"])
    return out


@functools.cache
def ref_prices() -> dict[str, Series]:
    wanted = {s for etf in SECTORS for s in ref_members()[etf]} | set(SECTORS)
    out: dict[str, Series] = {}
    for path in (SNAP / "holdings_prices_daily.csv.gz", SNAP / "prices_daily.csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                if rec["symbol"] in wanted and rec["adj_close"]:
                    out.setdefault(rec["symbol"], []).append((rec["date"], float(rec["adj_close"])))
    for rows in out.values():
        rows.sort()
    return out


def ref_breadth(etf: str, day: str) -> dict:
    """Every figure of one sector on one day, from plain lists."""
    prices = ref_prices()
    n = n50 = n200 = n20 = up50 = up200 = at20 = 0
    for sym in ref_members()[etf]:
        rows = [c for d, c in prices.get(sym, []) if d <= day]
        if not rows or prices[sym][len(rows) - 1][0] != day:
            continue  # no close that day
        n += 1
        close = rows[-1]
        if len(rows) >= 50:
            n50 += 1
            up50 += close > sum(rows[-50:]) / 50
        if len(rows) >= 200:
            n200 += 1
            up200 += close > sum(rows[-200:]) / 200
        if len(rows) >= 20:
            n20 += 1
            at20 += close >= max(rows[-20:])
    # Equal-weight basket, rebalanced daily, over the days any member has a close.
    closes = {s: dict(prices.get(s, [])) for s in ref_members()[etf]}
    days = sorted({d for c in closes.values() for d in c if d <= day})
    last: dict[str, float] = {}
    level = 100.0
    for d in days:
        rets = []
        for s, c in closes.items():
            if d in c:
                if s in last:
                    rets.append(c[d] / last[s] - 1)
                last[s] = c[d]
        if rets:
            level *= 1 + sum(rets) / len(rets)
    etf_closes = dict(prices[etf])
    first = next(d for d in days if d in etf_closes)
    # The basket is 100 on days[0]; rebase its ratio to the ETF at the first common day.
    level_first = 100.0
    last = {}
    for d in days:
        if d > first:
            break
        rets = []
        for s, c in closes.items():
            if d in c:
                if s in last:
                    rets.append(c[d] / last[s] - 1)
                last[s] = c[d]
        if rets:
            level_first *= 1 + sum(rets) / len(rets)
    rel = 100 * (level / etf_closes[day]) / (level_first / etf_closes[first])
    return {
        "n": n,
        "n_50": n50,
        "n_200": n200,
        "n_20": n20,
        "above_50": up50 / n50,
        "above_200": up200 / n200,
        "high_20": at20 / n20,
        "basket": level,
        "basket_vs_etf": rel,
    }


@pytest.fixture(scope="module")
def result() -> dict:
    closes = pd.concat(
        [load_closes(HOLDINGS_PRICES_FILE), load_closes(PRICES_FILE)], axis=1, sort=True
    )
    groups, reference = sector_groups(load_holdings())
    return breadth(closes, groups, reference)


@pytest.mark.parametrize("etf", SECTORS)
@pytest.mark.parametrize("day", DATES)
def test_breadth_matches_the_csv_computation(result: dict, etf: str, day: str) -> None:
    expected = ref_breadth(etf, day)
    row = result[etf].frame.loc[day]
    for key in ("n", "n_50", "n_200", "n_20"):
        assert int(row[key]) == expected[key], (etf, day, key)
    for key in ("above_50", "above_200", "high_20"):
        assert row[key] == pytest.approx(expected[key], abs=1e-15), (etf, day, key)
    assert row["basket"] == pytest.approx(expected["basket"], rel=1e-9)
    assert row["basket_vs_etf"] == pytest.approx(expected["basket_vs_etf"], rel=1e-9)
    assert row["etf"] == dict(ref_prices()[etf])[day]


def test_missing_prices_and_late_listings(result: dict) -> None:
    xlv, xli = result["XLV"], result["XLI"]
    assert xlv.no_data == ("UNH",) and result["XLU"].no_data == ("ED",)
    assert set(result[ALL].no_data) == {"UNH", "ED"}
    assert xlv.frame["n"].max() == 14  # UNH never counts
    # GEV (listed 2024-03-27) has data but no 200-day average on 2024-09-03.
    row = xli.frame.loc["2024-09-03"]
    assert row["n"] == 15 and row["n_200"] == 14 and row["n_50"] == 15
    snap = breadth_snapshot(xlv)
    assert snap["n"] == 14 and snap["no_data"] == ["UNH"] and snap["as_of"] == "2026-07-31"
    assert set(snap) == {
        "above_50",
        "above_200",
        "high_20",
        "n",
        "n_50",
        "n_200",
        "n_20",
        "as_of",
        "no_data",
    }
    assert 0.0 <= snap["above_50"] <= 1.0


def test_all_holdings_group(result: dict) -> None:
    every = result[ALL]
    assert every.reference == "SPY"
    assert len(every.members) == 165
    last = every.frame.iloc[-1]
    assert last["n"] == 163
    # The all-holdings counts are the sums of the sectors' (no holding is in two sectors).
    sectors = [g for name, g in result.items() if name != ALL]
    for key in ("n", "n_50", "n_200", "n_20"):
        assert last[key] == sum(int(g.frame.iloc[-1][key]) for g in sectors)
    above = sum(g.frame.iloc[-1]["above_50"] * g.frame.iloc[-1]["n_50"] for g in sectors)
    assert last["above_50"] == pytest.approx(above / last["n_50"], rel=1e-12)
    assert list(every.frame.columns) == list(COLUMNS)


def test_own_closes_not_calendar_rows_worked_by_hand() -> None:
    # A trades 60 days with a gap of 5 days (rows 30-34 missing), B every day; a holiday row
    # where only X (not a member) has a close must change nothing.
    index = pd.bdate_range("2024-01-01", periods=66, name="date")
    a = np.arange(1.0, 67.0)
    a[30:35] = np.nan
    b = np.full(66, 10.0)
    b[-1] = 11.0  # B jumps on the last day: above its average and at a 20-day high
    x = np.full(66, np.nan)
    x[-2] = 5.0
    closes = pd.DataFrame({"A": a, "B": b, "X": x, "E": np.full(66, 100.0)}, index=index)
    closes.loc[closes.index[-2], ["A", "B"]] = np.nan  # the holiday row: only X
    (g,) = breadth(closes, {"E": ["A", "B"]}).values()
    last = g.frame.iloc[-1]
    # A has 66 - 5 - 1 = 60 closes: rising, so above its 50-close average; and at its high.
    # B has 65 closes, ten then eleven: above its average, at its high.
    assert (last["n"], last["n_50"], last["n_200"], last["n_20"]) == (2, 2, 0, 2)
    assert last["above_50"] == 1.0 and last["high_20"] == 1.0
    assert math.isnan(last["above_200"])
    assert str(g.frame.index[-2].date()) == str(index[-3].date())  # the holiday row is not a day
    # Basket: on the last day A returns 66/64 - 1 (from its own previous close), B 11/10 - 1.
    before = g.frame["basket"].iloc[-2]
    assert last["basket"] == pytest.approx(before * (1 + ((66 / 64 - 1) + 0.1) / 2), rel=1e-12)


def test_as_of_cuts_the_history(result: dict) -> None:
    closes = load_closes(HOLDINGS_PRICES_FILE, ref_members()["XLK"])
    closes = closes.join(load_closes(PRICES_FILE, ["XLK"]))
    cut = breadth(closes, {"XLK": ref_members()["XLK"]}, as_of="2024-09-03")["XLK"]
    assert str(cut.frame.index[-1].date()) == "2024-09-03"
    full = result["XLK"].frame.loc[:"2024-09-03"]
    pd.testing.assert_frame_equal(cut.frame, full, check_exact=False, rtol=1e-12)


def test_load_closes_matches_the_csv() -> None:
    closes = load_closes(HOLDINGS_PRICES_FILE, ["GEV", "UNH"])
    assert list(closes.columns) == ["GEV"]  # UNH has no rows
    gev = ref_prices()["GEV"]
    assert str(closes["GEV"].first_valid_index().date()) == gev[0][0] == "2024-03-27"
    assert closes["GEV"].dropna().tolist() == [c for _, c in gev]
