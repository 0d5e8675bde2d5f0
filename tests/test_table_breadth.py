"""Breadth as sector-table columns (issue 13): each sector row's share of its bundled holdings
above their 50- and 200-day averages and at a 20-day high, shown only where the table has
room, blank on other rows, with the caveat under the table while shown.

The figures are checked against an independent pandas computation from the bundled CSVs
(``sector_holdings.csv``, ``holdings_prices_daily.csv.gz``) for XLE and XLV (XLV holds UNH,
which has no prices: its shares are out of 14), from the definitions in
tui/analytics/breadth.py's docstring, sharing no code with it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
from faults_helpers import seeded_copy, settle
from rich.text import Text
from textual.widgets import Static

from screenshots.generate import make_app
from tui.app.widgets.sector_table import BREADTH_KEYS, SectorTable, breadth_text

SNAP = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"
SECTORS = ("XLE", "XLV")
CAVEAT = "top-15 holdings only, membership as of 2025-11-18"


@functools.cache
def reference() -> dict[str, dict[str, str]]:
    """ETF -> {column key: the cell text} on the last day of the bundled data."""
    members = pd.read_csv(SNAP / "sector_holdings.csv")
    prices = pd.read_csv(
        SNAP / "holdings_prices_daily.csv.gz", usecols=["date", "symbol", "adj_close"]
    )
    funds = pd.read_csv(SNAP / "prices_daily.csv.gz", usecols=["date", "symbol", "adj_close"])
    last_day = max(prices["date"].max(), funds["date"].max())
    out = {}
    for etf in SECTORS:
        counts = {"b50": [0, 0], "b200": [0, 0], "b20": [0, 0]}  # [hits, out of]
        for symbol in members.loc[members["etf"] == etf, "symbol"]:
            own = prices[(prices["symbol"] == symbol) & prices["adj_close"].notna()]
            own = own.sort_values("date")
            if own.empty or own["date"].iloc[-1] != last_day:
                continue  # no close on the last day (UNH: none at all)
            closes = own["adj_close"].to_numpy()
            last = closes[-1]
            for key, n, test in (
                ("b50", 50, lambda c, last: last > c.mean()),
                ("b200", 200, lambda c, last: last > c.mean()),
                ("b20", 20, lambda c, last: last == c.max()),
            ):
                if len(closes) >= n:
                    counts[key][1] += 1
                    counts[key][0] += bool(test(closes[-n:], last))
        out[etf] = {k: f"{100 * hits / total:.0f}%" for k, (hits, total) in counts.items()}
        out[etf]["n_200"] = str(counts["b200"][1])
    return out


def test_the_reference_counts_xlv_without_unh() -> None:
    assert reference()["XLV"]["n_200"] == "14"  # 15 holdings, UNH has no prices
    assert reference()["XLE"]["n_200"] == "15"


def test_breadth_cells_read_as_whole_percentages() -> None:
    assert breadth_text({"above_50": 0.8666}, "above_50").plain == "87%"
    assert breadth_text({"above_50": 1.0}, "above_50").plain == "100%"
    assert breadth_text({"above_50": None}, "above_50").plain == "n/a"
    assert breadth_text(None, "above_50").plain == ""  # not a sector ETF


def cell(table: SectorTable, symbol: str, key: str) -> str:
    value = table.get_cell(symbol, key)
    return value.plain if isinstance(value, Text) else str(value)


async def test_breadth_columns_where_the_table_has_room(tmp_path: Path) -> None:
    app = make_app(seeded_copy(tmp_path / "cache" / "rotmon.sqlite"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.pause()
        table = app.dashboard.query_one(SectorTable)
        caveat = app.dashboard.query_one("#breadth-caveat", Static)
        # 100 columns: no room for a breadth column, so it is not even computed.
        assert not table.breadth_fits and table.breadth == {}
        assert not any(c.key in BREADTH_KEYS for c in table.columns_shown)
        assert not caveat.display

        await pilot.resize_terminal(200, 60)
        await settle(app)
        await pilot.pause()
        await settle(app)
        await pilot.pause()
        shown = [c.key for c in table.columns_shown]
        assert {"b50", "b200", "b20"} <= set(shown)
        for etf in SECTORS:
            for key in ("b50", "b200", "b20"):
                assert cell(table, etf, key) == reference()[etf][key], (etf, key)
        for other in ("SPY", "IWM", "^VIX"):  # not sector ETFs: blank
            assert all(cell(table, other, key) == "" for key in BREADTH_KEYS)
        assert caveat.display and CAVEAT in str(caveat.render())
        assert caveat.region.height >= 1  # on screen, not only displayed

        await pilot.resize_terminal(160, 50)  # too narrow again: columns and caveat go
        await pilot.pause()
        await pilot.pause()
        assert not any(c.key in BREADTH_KEYS for c in table.columns_shown)
        assert not caveat.display


async def test_new_holdings_prices_are_computed_again_and_named(tmp_path: Path) -> None:
    """The holdings refresh runs after the table's and leaves its data date alone: when it
    brings new prices, the breadth columns are computed again from them, and the caveat says
    where they come from. Here XLE's 15 holdings are re-priced on 2026-07-31 at twice their
    close (so each is above its averages and at a 20-day high) and the app is told, as its
    holdings worker tells it."""
    from tui.data.cache import Cache

    path = seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    app = make_app(path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        await pilot.pause()
        table = app.dashboard.query_one(SectorTable)
        caveat = app.dashboard.query_one("#breadth-caveat", Static)
        assert cell(table, "XLE", "b50") == reference()["XLE"]["b50"] != "100%"
        assert "holdings prices as of 2026-07-31 (bundled)" in str(caveat.render())

        members = pd.read_csv(SNAP / "sector_holdings.csv")
        xle = list(members.loc[members["etf"] == "XLE", "symbol"])
        with Cache(path) as cache:
            closes = cache.read_closes(xle, start="2026-07-31")
            rows = [(s, "2026-07-31", *[2 * float(closes[s].iloc[-1])] * 5, 1.0) for s in xle]
            cache.upsert_prices(rows, "yahoo")
        app.holdings_as_of = "holdings prices as of 2026-07-31 (Yahoo 2026-07-31 17:30 ET)"
        await settle(app)
        await pilot.pause()
        assert [cell(table, "XLE", k) for k in ("b50", "b200", "b20")] == ["100%"] * 3
        assert cell(table, "XLV", "b50") == reference()["XLV"]["b50"]  # untouched
        assert "(Yahoo 2026-07-31 17:30 ET)" in str(caveat.render())
