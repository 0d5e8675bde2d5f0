"""The dashboard's first frame: real figures, in the columns that fit, painted once.

A warm start paints the summary the last run saved before any worker runs; these tests pin
what that first frame holds and what it costs the table (one build, cells taking Rich's
short path), so a later change cannot quietly bring back a second paint.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.errors import MissingStyle
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.renderables.styled import Styled
from textual.strip import Strip
from textual.widgets import DataTable

from tui.app.app import RotmonApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.widgets.sector_table import CellText, SectorTable
from tui.config import Config
from tui.format import price

# -- CellText: the same segments as Rich's own path ---------------------------------------------

TEXTS = ["+1.23%", "−0.50%", "n/a", "▲", "↻Lead", "", "wide text!", "a b", "  lead", "trail  "]
STYLES: list[str | Style] = ["", "dim", "bold #00ff00", Style(color="red", bold=True), "nonsense"]
JUSTIFY = [None, "default", "left", "center", "right", "full"]


def render(cell: Any, width: int, no_wrap: bool, justify: Any = None) -> list[list[Any]]:
    """A cell as DataTable renders it: padded, styled, in a column `width` cells wide."""
    console = Console(width=120, force_terminal=True, color_system="truecolor")
    options = console.options.update_dimensions(width, 1).update(no_wrap=no_wrap)
    if justify is not None:
        options = options.update(justify=justify)
    styled = Styled(Padding(cell, (0, 1)), pre_style=Style(bgcolor="blue"), post_style=Style())
    return console.render_lines(styled, options)


@pytest.mark.parametrize("text", TEXTS)
def test_cell_text_renders_like_rich_text(text: str) -> None:
    for style, justify, width, no_wrap, end in itertools.product(
        STYLES, JUSTIFY, (1, 4, 8), (True, False), ("\n", "")
    ):
        plain = Text(text, style=style, justify=justify, end=end)  # type: ignore[arg-type]
        fast = CellText.of(plain)
        assert type(fast) is CellText
        case = (text, style, justify, width, no_wrap, end)
        try:
            expected = render(plain, width + 2, no_wrap)
        except MissingStyle:  # Rich's own path cannot parse the style: neither can CellText's
            with pytest.raises(MissingStyle):
                render(fast, width + 2, no_wrap)
            continue
        assert render(fast, width + 2, no_wrap) == expected, case


def test_cell_text_follows_the_options_justify_and_overflow() -> None:
    plain = Text("+1.23%", style="green")
    for justify in ("right", "center", "left", "full"):
        assert render(CellText.of(plain), 10, True, justify) == render(plain, 10, True, justify)
    ignoring = Text("+1.23%", style="green", justify="right", overflow="ignore")
    assert render(CellText.of(ignoring), 10, True) == render(ignoring, 10, True)


def test_cell_text_leaves_rich_texts_alone() -> None:
    spans = Text.assemble(("+1.23", "green"), ("%", "dim"), justify="right")
    assert CellText.of(spans) is spans
    for text in ("tab\there", "two\nlines"):
        plain = Text(text, style="bold", justify="right")
        assert render(CellText.of(plain), 14, False) == render(plain, 14, False)
    assert CellText.of(Text("x")).plain == "x"


# -- the first frame ---------------------------------------------------------------------------


CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)  # the bundled snapshot's next Monday


def make_app(tmp_path: Path) -> RotmonApp:
    cache = tmp_path / "cache" / "rotmon.sqlite"
    return RotmonApp(Config(), cache_path=cache, offline=True, clock=lambda: CLOCK)


@pytest.mark.parametrize("size", [(120, 40), (160, 50), (80, 24)])
async def test_first_frame_has_the_figures_in_the_columns_that_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """No worker at all: the table's first paint already shows the saved figures, in the
    columns the layout has room for, and the layout arriving does not rebuild it."""
    monkeypatch.setattr(RotmonApp, "load_data", lambda self: None)
    paints: list[tuple[tuple[Any, ...], int, str]] = []
    builds: list[tuple[Any, ...]] = []
    render_lines, rebuild = SectorTable.render_lines, SectorTable._rebuild

    def recording_render(table: SectorTable, crop: Region) -> list[Strip]:
        lines = render_lines(table, crop)
        text = "".join(segment.text for line in lines for segment in line)
        paints.append((tuple(table.columns), table.row_count, text))
        return lines

    def recording_rebuild(table: SectorTable, *args: Any) -> None:
        rebuild(table, *args)
        builds.append(tuple(table.columns))

    monkeypatch.setattr(SectorTable, "render_lines", recording_render)
    monkeypatch.setattr(SectorTable, "_rebuild", recording_rebuild)
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one(SectorTable)
        settled = tuple(table.columns)
        assert [c.key for c in table.columns_shown] == [str(k.value) for k in settled]
    first_columns, first_rows, first_text = paints[0]
    assert first_rows > 0 and "%" in first_text  # figures, in the very first paint
    assert first_columns == settled
    assert [b for b in builds if b] == [settled]  # built once, with its rows


async def test_dashboard_is_the_first_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Composed with the app (not pushed over Textual's blank default screen, which cost a
    paint of its own); the rules and catalysts follow the first frame, filled from the
    saved summary."""
    monkeypatch.setattr(RotmonApp, "load_data", lambda self: None)
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.screen_stack == [app.dashboard]
        assert isinstance(app.screen, DashboardScreen)
        rules = app.screen.query_one("#rules", DataTable)
        assert app.report is not None and rules.row_count == len(app.report.regime) > 0
        catalysts = app.screen.query_one("#catalysts", DataTable)
        unknown = 1 if app.report.earnings_unknown else 0
        assert catalysts.row_count == len(app.report.catalysts) + unknown
        body = [w.id for w in app.screen.query_one("#body").children]
        assert body == ["sectors", "rs-selected", "rs-thesis", "regime", "catalysts"]


async def test_changed_cells_are_painted_after_one_refresh_of_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New figures for every row: the cells change in one go (one refresh of the widget, not
    one per cell) and what the table paints is the new text, not a cached line."""
    monkeypatch.setattr(RotmonApp, "load_data", lambda self: None)
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SectorTable)
        report = app.report
        assert report is not None
        rows = [dict(row) for row in report.rows]
        for row in rows:  # every close 10 % higher, every 1D return +9.87 %
            if row.get("close") is not None:
                row["close"] = round(row["close"] * 1.1, 2)
            row["ret"] = {**row["ret"], "1D": 0.0987}
        refreshes: list[int] = []
        original = SectorTable.refresh

        def counting(widget: SectorTable, *args: Any, **kwargs: Any) -> Any:
            refreshes.append(1)
            return original(widget, *args, **kwargs)

        monkeypatch.setattr(SectorTable, "refresh", counting)
        table.show(rows, app.dashboard.groups, table.reference_date)
        assert len(refreshes) == 1
        monkeypatch.setattr(SectorTable, "refresh", original)
        await pilot.pause()
        lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
        painted = "\n".join("".join(s.text for s in line) for line in lines)
        assert painted.count("+9.87%") >= 10, painted
        iwm = next(r for r in rows if r["symbol"] == "IWM")
        assert price(iwm["close"]) in painted
