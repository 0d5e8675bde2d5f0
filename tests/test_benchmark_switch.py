"""The benchmark switch on the dashboard: `B`, the palette, the headers, the memory, the rules.

Real apps driven by the pilot on a seeded copy of the bundled data; the RS figures are checked
against pandas straight from the bundled csv.gz, never against the code under test.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import pandas as pd
from faults_helpers import settle
from test_app import cell_text, make_app
from textual.command import CommandPalette

from tui.app.screens.rrg import RRGScreen
from tui.app.widgets.rs_chart import RSChart
from tui.app.widgets.sector_table import SectorTable
from tui.config import Config

SNAPSHOT = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"


@cache
def closes() -> pd.DataFrame:
    """Adjusted closes of the bundled snapshot, wide (date x symbol), read with pandas alone."""
    with gzip.open(SNAPSHOT / "prices_daily.csv.gz", "rt") as fh:
        long = pd.read_csv(fh, usecols=["date", "symbol", "adj_close"])
    return long.pivot(index="date", columns="symbol", values="adj_close")


def rs(symbol: str, benchmark: str, rows: int) -> float:
    """The ratio line's change over `rows` rows of the days both have a close."""
    pair = closes()[[symbol, benchmark]].dropna()
    line = pair[symbol] / pair[benchmark]
    return float(line.iloc[-1] / line.iloc[-1 - rows] - 1)


def pct(value: float) -> str:
    """+1.23% / −1.23%, as the table prints a fraction."""
    return ("+" if value > 0 else "\u2212") + f"{abs(value) * 100:.2f}%"


def test_independent_figures_differ_between_benchmarks() -> None:
    """The test below can fail: XLK against RSP is not XLK against SPY on the bundled data."""
    assert pct(rs("XLK", "RSP", 63)) != pct(rs("XLK", "SPY", 63))


async def test_b_switches_the_table_charts_and_rules_to_rsp(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        table = app.screen.query_one(SectorTable)
        assert cell_text(table, "XLK", "rs3M") == pct(rs("XLK", "SPY", 63))
        labels = [c.label.plain for c in table.columns.values()]
        assert "RS 1M" in labels and "RS 3M" in labels
        await pilot.press("B")
        await settle(app)
        await pilot.pause()
        assert app.monitor.benchmark == "RSP" and app.report is not None
        assert app.report.benchmark == "RSP"
        table = app.screen.query_one(SectorTable)
        assert cell_text(table, "XLK", "rs3M") == pct(rs("XLK", "RSP", 63))
        assert cell_text(table, "XLK", "rs1M") == pct(rs("XLK", "RSP", 21))
        labels = [c.label.plain for c in table.columns.values()]
        assert "RSP 3M" in labels and "RSP 1M" in labels and "RS 3M" not in labels
        glance = str(app.screen.query_one("#glance").render())
        assert " · vs RSP · " in glance
        table.move_cursor(row=table.get_row_index("XLK"))
        await pilot.pause()
        assert app.screen.query_one("#rs-selected", RSChart).data.title.startswith("XLK/RSP ")
        thesis = app.screen.query_one("#rs-thesis", RSChart).data.title
        assert thesis.startswith("IWM/RSP & EEM/RSP")
        # The rules that compare with the market follow; breadth stays RSP against SPY.
        by_id = {r["id"]: r for r in app.report.regime}
        small = by_id["small_caps"]
        assert small["value_text"].startswith("IWM/RSP ")
        pair = closes()[["IWM", "RSP"]].dropna()
        assert abs(small["value"] - pair["IWM"].iloc[-1] / pair["RSP"].iloc[-1]) < 1e-9
        assert "RSP" in small["why"]  # the text names the symbol the rule reads
        for rule_id in ("emerging", "value", "regional_banks"):
            assert "/RSP " in by_id[rule_id]["value_text"], by_id[rule_id]
        assert by_id["breadth"]["value_text"].startswith("RSP/SPY ")
        assert pct(rs("RSP", "SPY", 63)) in by_id["breadth"]["value_text"]
        # The RRG opens against the benchmark in use.
        await pilot.press("g")
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, RRGScreen) and app.screen.benchmark == "RSP"
        assert "vs RSP" in str(app.screen.query_one("#rrg-title").render())


async def test_the_pick_is_remembered_over_a_restart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        await pilot.press("B", "B")  # SPY -> RSP -> QQQ
        await settle(app)
        assert app.report is not None and app.report.benchmark == "QQQ"
    state = json.loads((tmp_path / "cache" / "ui-state.json").read_text(encoding="utf-8"))
    assert state["benchmark"] == "QQQ"
    again = make_app(tmp_path)
    async with again.run_test(size=(200, 60)) as pilot:
        # The first frame already paints the figures saved against QQQ (no pandas yet).
        assert again.report is not None and again.report.benchmark == "QQQ"
        await settle(again)
        await pilot.pause()
        table = again.screen.query_one(SectorTable)
        assert cell_text(table, "XLK", "rs3M") == pct(rs("XLK", "QQQ", 63))
        assert "QQQ 3M" in [c.label.plain for c in table.columns.values()]
        await pilot.press("B", "B")  # QQQ -> DIA -> SPY: the configured one, plain headers
        await settle(again)
        await pilot.pause()
        assert again.report is not None and again.report.benchmark == "SPY"
        table = again.screen.query_one(SectorTable)
        assert "RS 3M" in [c.label.plain for c in table.columns.values()]
        assert " · vs SPY · " in str(again.screen.query_one("#glance").render())


async def test_a_pick_the_config_no_longer_offers_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir(parents=True)
    (tmp_path / "cache" / "ui-state.json").write_text('{"benchmark": "DIA"}', encoding="utf-8")
    app = make_app(tmp_path, config=Config(benchmarks=("SPY", "RSP")))
    async with app.run_test(size=(200, 60)):
        await settle(app)
        assert app.monitor.benchmark == "SPY"
        assert app.report is not None and app.report.benchmark == "SPY"


async def test_the_palette_lists_each_benchmark_and_switches(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for symbol in ("SPY", "RSP", "QQQ", "DIA"):
            assert f"Benchmark: {symbol}" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Benchmark: DIA")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        assert app.report is not None and app.report.benchmark == "DIA"
        table = app.screen.query_one(SectorTable)
        assert cell_text(table, "XLK", "rs3M") == pct(rs("XLK", "DIA", 63))
