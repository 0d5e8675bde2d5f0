"""The heat map screen: its figures against returns recomputed from the bundled CSVs with plain
Python, "no data" for holdings without prices, the window and measure keys, and Enter.
"""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from faults_helpers import FailingProvider, seeded_copy, settle
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.app.app import RotmonApp
from tui.app.messages import OpenSymbol
from tui.app.screens.detail import DetailScreen
from tui.app.screens.heatmap import HeatColors, HeatmapScreen, cell_text
from tui.config import Config
from tui.format import Palette

CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)
SNAPSHOT = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"


def make_app(tmp_path: Path) -> RotmonApp:
    return RotmonApp(
        Config(),
        (),
        cache_path=seeded_copy(tmp_path / "cache" / "rotmon.sqlite"),
        provider=FailingProvider(),
        clock=lambda: CLOCK,
    )


@cache
def csv_closes(file: str, symbol: str) -> tuple[tuple[str, float], ...]:
    """(date, adj_close) of one symbol in a bundled csv.gz, read with the csv module."""
    with gzip.open(SNAPSHOT / file, "rt", newline="") as handle:
        rows = [
            (r["date"], float(r["adj_close"]))
            for r in csv.DictReader(handle)
            if r["symbol"] == symbol and r["adj_close"]
        ]
    return tuple(sorted(rows))


def back(closes: tuple[tuple[str, float], ...], rows: int) -> float:
    """The return over the last ``rows`` trading rows."""
    return closes[-1][1] / closes[-1 - rows][1] - 1


async def open_heatmap(app: RotmonApp, pilot) -> HeatmapScreen:  # type: ignore[no-untyped-def]
    await settle(app)
    await pilot.press("H")
    await settle(app)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, HeatmapScreen) and screen.rows
    return screen


def cell_of(screen: HeatmapScreen, symbol: str) -> tuple[int, int]:
    for r, row in enumerate(screen.grid):
        for c, cell in enumerate(row):
            if cell is not None and cell.symbol == symbol:
                return r, c
    raise AssertionError(f"{symbol} not in the grid")


def shown(screen: HeatmapScreen, symbol: str) -> str:
    r, c = cell_of(screen, symbol)
    return str(screen.query_one(DataTable).get_cell_at((r, c)))  # type: ignore[arg-type]


async def test_heat_map_returns_and_rs_equal_the_bundled_csv(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_heatmap(app, pilot)
        assert [r.etf.symbol for r in screen.rows][:3] == ["XLK", "XLF", "XLE"]
        nvda = csv_closes("holdings_prices_daily.csv.gz", "NVDA")
        jpm = csv_closes("holdings_prices_daily.csv.gz", "JPM")
        # 1M = 21 rows, 1W = 5 rows, 3M = 63 rows (the table's windows).
        want_nvda_1m = back(nvda, 21)
        r, c = cell_of(screen, "NVDA")
        cell = screen.grid[r][c]
        assert cell is not None and cell.against == "XLK"
        assert cell.value("1M", "return") == pytest.approx(want_nvda_1m, rel=1e-9)
        sign = "+" if want_nvda_1m > 0 else "−"
        assert shown(screen, "NVDA") == f"NVDA\n{sign}{abs(want_nvda_1m) * 100:.1f}%"

        await pilot.press("4")  # 3M
        await pilot.pause()
        assert screen.window == "3M" and "3M return" in str(
            screen.query_one("#heat-title", Static).render()
        )
        r, c = cell_of(screen, "JPM")
        jpm_cell = screen.grid[r][c]
        assert jpm_cell is not None
        assert jpm_cell.value("3M", "return") == pytest.approx(back(jpm, 63), rel=1e-9)

        # RS of a holding: its ratio to the sector ETF over the window, on common dates.
        await pilot.press("t")
        await pilot.pause()
        assert screen.measure == "RS"
        xlf = dict(csv_closes("prices_daily.csv.gz", "XLF"))
        ratio = [(d, v / xlf[d]) for d, v in jpm if d in xlf]
        want_rs = ratio[-1][1] / ratio[-64][1] - 1
        assert jpm_cell.value("3M", "RS") == pytest.approx(want_rs, rel=1e-9)
        sign = "+" if want_rs > 0 else "−"
        assert shown(screen, "JPM") == f"JPM\n{sign}{abs(want_rs) * 100:.1f}%"
        # The sector ETF's own RS is against SPY.
        spy = dict(csv_closes("prices_daily.csv.gz", "SPY"))
        xlf_rows = csv_closes("prices_daily.csv.gz", "XLF")
        etf_ratio = [v / spy[d] for d, v in xlf_rows if d in spy]
        r, _ = cell_of(screen, "XLF")
        assert screen.rows[r].etf.value("3M", "RS") == pytest.approx(
            etf_ratio[-1] / etf_ratio[-64] - 1, rel=1e-9
        )


async def test_unh_and_ed_read_no_data_never_a_number(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_heatmap(app, pilot)
        for window in ("1", "2", "3", "4", "5"):
            await pilot.press(window)
            await pilot.pause()
            for symbol in ("UNH", "ED"):
                text = shown(screen, symbol)
                assert text == f"{symbol}\nno data"
                assert not any(ch.isdigit() for ch in text.split("\n")[1])
        table = screen.query_one(DataTable)
        r, c = cell_of(screen, "UNH")
        table.move_cursor(row=r, column=c, animate=False)
        await pilot.pause()
        info = str(screen.query_one("#heat-info", Static).render())
        assert "UNH" in info and "no data" in info and "%" not in info.split("no data")[1]


async def test_enter_opens_the_drilldown_of_the_cell(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        screen = await open_heatmap(app, pilot)
        r, c = cell_of(screen, "MSFT")
        screen.query_one(DataTable).move_cursor(row=r, column=c, animate=False)
        await pilot.pause()
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        assert any(isinstance(m, OpenSymbol) and m.symbol == "MSFT" for m in seen)
        assert isinstance(app.screen, DetailScreen) and app.screen.symbol == "MSFT"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


def test_cell_colour_grows_with_size_and_keeps_the_sign_in_text() -> None:
    colors = HeatColors.from_variables(
        {"background": "#101010", "success": "#00ff00", "error": "#ff0000"}
    )
    weak = colors.style(0.01, "1M", Palette())
    strong = colors.style(0.09, "1M", Palette())
    full = colors.style(0.5, "1M", Palette())
    down = colors.style(-0.09, "1M", Palette())
    assert weak.bgcolor is not None and strong.bgcolor is not None and down.bgcolor is not None
    g = [s.bgcolor.get_truecolor().green for s in (weak, strong, full)]  # type: ignore[union-attr]
    assert g[0] < g[1] < g[2] and full == colors.style(0.10, "1M", Palette())  # capped
    assert down.bgcolor.get_truecolor().red > down.bgcolor.get_truecolor().green  # type: ignore[union-attr]
    assert colors.style(None, "1M", Palette()) == colors.style(0.0, "1M", Palette())
    # The text carries sign and size whatever the colours (NO_COLOR).
    from tui.app.screens.heatmap import HeatCell

    cell = HeatCell("ABC", "A B C", 1.0, "XLK", {"1M": -0.1234}, {"1M": 0.05}, True, "2026-07-31")
    assert cell_text(cell, "1M", "return") == "ABC\n−12.3%"
    assert cell_text(cell, "1M", "RS") == "ABC\n+5.0%"
    assert cell_text(cell, "1D", "return") == "ABC\nn/a"
