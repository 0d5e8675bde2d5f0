"""The concentration screen's figures (tui.report.build_concentration_view) against pandas on
the bundled CSVs: no weight before the weights' day, the drifted weights after it, each
window's split of SPY's return summing to that return, and windows cut at the weights' day."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from tui.report import build_concentration_view

SNAP = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"
CLASSES = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA"]
PERIODS: dict[str, int | None] = {"1M": 21, "3M": 63, "1Y": 252, "max": None}


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    top = pd.read_csv(SNAP / "spy_top_holdings.csv")
    prices = pd.read_csv(SNAP / "prices_daily.csv.gz", usecols=["date", "symbol", "adj_close"])
    held = pd.read_csv(SNAP / "holdings_prices_daily.csv.gz")
    frame = pd.concat(
        [prices[prices["symbol"].isin(["SPY", "RSP"])], held[held["symbol"].isin(top["symbol"])]]
    )
    wide = frame.pivot(index="date", columns="symbol", values="adj_close").astype(float)
    wide.index = pd.DatetimeIndex(wide.index)
    return wide


@pytest.fixture(scope="module")
def weights() -> pd.Series:
    top = pd.read_csv(SNAP / "spy_top_holdings.csv").set_index("symbol")["weight_pct"]
    return top / 100.0


def test_weights_start_on_the_weights_day(closes: pd.DataFrame, weights: pd.Series) -> None:
    view = build_concentration_view(closes, PERIODS)
    series = pd.Series(view.mag7, index=pd.DatetimeIndex(view.dates))
    assert series.loc[:"2025-11-17"].isna().all()  # no backcast with today's membership
    assert series.first_valid_index() == pd.Timestamp("2025-11-18")
    for day in ("2025-11-18", "2026-03-31", "2026-07-31"):
        p = closes.loc[day] / closes.loc["2025-11-18"]
        expected = float((weights[CLASSES] * p[CLASSES]).sum() / p["SPY"])
        assert series.loc[day] == pytest.approx(expected, rel=1e-12)
    assert series.loc["2025-11-18"] == pytest.approx(0.347, abs=0.0005)  # as the README says
    assert view.caveat == (
        "Drifted weights (by price from 2025-11-18) ignore buybacks and index changes."
    )


@pytest.mark.parametrize(
    ("period", "start", "cut"),
    [
        ("1M", "2026-07-01", False),
        ("3M", "2026-04-30", False),
        ("1Y", "2025-11-18", True),
        ("max", "2025-11-18", True),
    ],
)
def test_each_window_splits_spy_s_return(
    closes: pd.DataFrame, weights: pd.Series, period: str, start: str, cut: bool
) -> None:
    """w_i(start) · r_i per mega cap (weights drifted to the window's start), Alphabet's two
    classes on one row, plus the rest, add up to SPY's return over the window."""
    item = build_concentration_view(closes, PERIODS).attribution[period]
    assert (item["start"], item["end"], item["cut"]) == (start, "2026-07-31", cut)
    a, b = closes.loc[start], closes.loc["2026-07-31"]
    base = closes.loc["2025-11-18"]
    drift = weights[CLASSES] * (a[CLASSES] / base[CLASSES]) / (a["SPY"] / base["SPY"])
    contrib = drift * (b[CLASSES] / a[CLASSES] - 1)
    spy = b["SPY"] / a["SPY"] - 1
    assert item["spy_return"] == pytest.approx(spy, rel=1e-12)
    assert item["mag7"] == pytest.approx(float(contrib.sum()), rel=1e-12)
    rows = {symbol: c for symbol, _, _, c in item["rows"]}
    assert set(rows) == {"AAPL", "MSFT", "NVDA", "AMZN", "GOOGL+GOOG", "META", "TSLA"}
    assert rows["GOOGL+GOOG"] == pytest.approx(contrib["GOOGL"] + contrib["GOOG"], rel=1e-12)
    assert rows["NVDA"] == pytest.approx(contrib["NVDA"], rel=1e-12)
    assert math.fsum(rows.values()) + item["other"] == pytest.approx(spy, abs=1e-12)
    ordered = [c for _, _, _, c in item["rows"]]
    assert ordered == sorted(ordered, reverse=True)  # largest first


@pytest.mark.parametrize("period", ["1M", "3M", "1Y"])
def test_charts_and_figures_count_the_period_alike(closes: pd.DataFrame, period: str) -> None:
    """The basket chart, rebased to 100 at its first close, ends at 100 × (1 + the move the
    figures beside it print), and both span the close ``rows`` before the last (3M = 63
    changes, like the rule's 63-day change)."""
    from tui.app.charts import ChartSettings
    from tui.app.screens.concentration import basket_chart, facts_lines

    view = build_concentration_view(closes, PERIODS)
    rows = PERIODS[period]
    assert rows is not None
    chart = basket_chart(view, ChartSettings(period=period))
    rsp = next(s for s in chart.series if s.label == "/RSP")
    assert rsp.dates[0] == view.dates[-(rows + 1)] and rsp.dates[-1] == view.dates[-1]
    ratio = [v for v in view.vs_rsp if math.isfinite(v)]
    expected = ratio[-1] / ratio[-(rows + 1)] - 1
    assert rsp.values[-1] == pytest.approx(100 * (1 + expected))
    line = next(x for x in facts_lines(view, period) if x.startswith("Mag-7 basket"))
    text = format(expected, "+.1%").replace("-", "\u2212")
    assert f"vs RSP {text}" in line


def test_a_spy_bar_the_mega_caps_lack_yet_is_left_out(closes: pd.DataFrame) -> None:
    """SPY and RSP have a bar for Monday 2026-08-03 (the table's refresh, a session in
    progress) and the mega caps do not yet (their refresh keeps final bars only): the view
    ends on 2026-07-31, the last day all have, with the same figures as without that bar."""
    extra = closes.copy()
    extra.loc[pd.Timestamp("2026-08-03"), ["SPY", "RSP"]] = [800.0, 230.0]
    view = build_concentration_view(extra, PERIODS)
    plain = build_concentration_view(closes, PERIODS)
    assert view.as_of == "2026-07-31" and view.dates[-1] == "2026-07-31"
    for period in PERIODS:
        assert view.attribution[period]["end"] == "2026-07-31"
        assert view.attribution[period]["spy_return"] == plain.attribution[period]["spy_return"]
