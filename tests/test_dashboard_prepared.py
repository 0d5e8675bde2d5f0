"""A refreshed report is formatted in a worker and shown as it would have been on the UI thread.

The table's cells and the charts' series of a computed report are made off the UI thread
(`prepare_cells`, the dashboard's `ChartMemo`); the UI thread only compares them with what is
on screen. These tests hold the worker's cells equal to the table's own, and check that a new
report reaches the screen through the worker, the newest one winning.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from faults_helpers import settle
from rich.text import Text
from test_app import cell_text, make_app

from tui.app.charts import ChartSettings, line_chart, thesis_chart
from tui.app.screens.dashboard import ChartMemo, DashboardScreen
from tui.app.widgets.rs_chart import RSChart
from tui.app.widgets.sector_table import COLUMNS, SectorTable, prepare_cells
from tui.data.snapshot import SNAPSHOT_DIR
from tui.format import Palette


def _bundled_rows() -> list[dict]:
    """The rows of the bundled summary: every kind of symbol (ETFs, yields, index levels)."""
    return json.loads((SNAPSHOT_DIR / "summary.json").read_text())["rows"]


def _look(cell: Text | str) -> tuple[str, str, str | None]:
    """What a cell shows: its text, its style and its alignment (Text == compares text only)."""
    if isinstance(cell, Text):
        return cell.plain, str(cell.style), cell.justify
    return cell, "", None


def test_prepared_cells_equal_the_cells_the_table_makes_itself() -> None:
    rows = _bundled_rows()
    palette = Palette(up="#00ff00", down="#ff0000")
    table = SectorTable()
    table.palette = palette
    prepared = prepare_cells(rows, palette)
    keys = {key for _, key in prepared.cells}
    # Every column drawn from the report's rows (not the symbol's, which depends on the width).
    assert keys >= {"last", "1D", "1W", "1M", "3M", "6M", "YTD", "1Y", "rs1M", "rs3M"}
    assert keys >= {"trend", "high", "quad", "spark"} and "symbol" not in keys
    figures = [c for c in COLUMNS if c.key in keys]
    assert len(prepared.cells) == len(rows) * len(figures)
    for row in rows:
        for column in figures:
            plain, cell = prepared.cells[(row["symbol"], column.key)]
            own = table._cell(column, row)
            assert _look(cell) == _look(own), (row["symbol"], column.key)
            assert plain == _look(own)[0]
            assert type(cell) is type(own)  # the same fast-path cell class


def test_prepared_cells_in_other_colours_are_not_used() -> None:
    table = SectorTable()
    table.use_prepared(prepare_cells(_bundled_rows(), Palette(up="blue", down="yellow")))
    assert table._prepared is None  # the table draws in its own palette's colours


def test_chart_memo_computes_once_per_input_and_keeps_two_frames() -> None:
    import pandas as pd

    index = pd.bdate_range("2025-01-01", periods=300, name="date")
    frames = [
        pd.DataFrame({"SPY": range(100, 400), "XLK": [100 + i * (k + 1) for i in range(300)]})
        .astype(float)
        .set_axis(index)
        for k in range(3)
    ]
    memo = ChartMemo()
    settings = ChartSettings()
    first = memo.line(frames[0], "XLK", "SPY", settings)
    assert first == line_chart(frames[0], "XLK", "SPY", settings)
    assert memo.line(frames[0], "XLK", "SPY", settings) is first  # not computed again
    assert memo.line(frames[1], "XLK", "SPY", settings) is not first  # other closes
    memo.thesis(frames[2], "SPY", settings)
    assert memo.line(frames[0], "XLK", "SPY", settings) is not first  # the oldest frame dropped


async def test_a_new_report_is_shown_through_the_worker_the_newest_winning(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one(SectorTable)
        report = app.report
        assert report is not None and report.closes is not None
        before = cell_text(table, "XLK", "1D")

        def moved(one_day: float) -> object:
            rows = [
                {**row, "ret": {**row["ret"], "1D": one_day}} if row["symbol"] == "XLK" else row
                for row in report.rows
            ]
            return dataclasses.replace(report, rows=rows, closes=report.closes.copy())

        older, newer = moved(0.1111), moved(0.1234)
        app.report = older
        app.report = newer  # arrives while the older one is being prepared
        assert cell_text(table, "XLK", "1D") == before  # not shown before the worker is done
        await settle(app)
        await pilot.pause()
        assert cell_text(table, "XLK", "1D") == "+12.34%"
        assert screen.report is newer
        thesis = screen.query_one("#rs-thesis", RSChart)
        assert thesis.data == thesis_chart(newer.closes, report.benchmark, screen.settings)
