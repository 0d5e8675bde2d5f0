"""No text cut mid-word at any width >= 80, in any pane (issue 15).

The real app, offline on a seeded copy of the bundled data at the fixed clock of
screenshots/generate.py, is walked through every screen at 80×24, 100×30, 120×36 and 200×60:
the dashboard (each compact pane in turn), the drill-down (each of its panes), the digest,
the positions, the RRG, the heat map (return and RS), the key list, the track record (top and
study), the concentration view and a rule's evidence (top and track record). On each,
:func:`cuts` lists every place where text is cut:

- a word glued to an ellipsis ("Benchma…") that is neither written so in the source (the
  app's own "loading…") nor a whole word (the catalysts shorten a long detail between
  words: "· press…");
- a widget whose box runs past the edge of what shows it (a footer key "r Refres" half off
  the screen);
- a table wider than its pane (a column cut at the right edge, "+21.3" of "+21.3%");
- a table cell whose text is wider than its column or has more lines than its row (the
  table would crop it);
- a text widget whose wrapped lines do not all fit its height (a caveat's tail hidden).

The unit tests below check that each detector finds what it is meant to find.
"""

from __future__ import annotations

import asyncio
import io
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from faults_helpers import seeded_copy
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.scrollbar import ScrollBar, ScrollBarCorner
from textual.widgets import DataTable, Static

import tui
from screenshots.generate import SAMPLE_BOOK, make_app, settle
from tui.app.app import RotmonApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.detail import short_name
from tui.app.widgets.sector_table import SectorTable, group_lines

SIZES = [(80, 24), (100, 30), (120, 36), (200, 60)]
GLUED = re.compile(r"[\w%)\]*./&+-]*\w[\w%)\]*]*…")
"""A word (letters, digits and the signs a figure or a ticker carries) ending in '…'."""


WORD = re.compile(r"[A-Za-z][A-Za-z']*")


@cache
def written_ellipses() -> frozenset[str]:
    """Every word+'…' the source writes itself (e.g. "loading…")."""
    found: set[str] = set()
    for path in Path(tui.__file__).parent.rglob("*.py"):
        found.update(GLUED.findall(path.read_text(encoding="utf-8")))
    return frozenset(found)


@cache
def whole_words() -> frozenset[str]:
    """Every word of three letters or more in the source and the bundled text files (the
    events, rules and holdings): a text shortened *between* words ends in one of these."""
    root = Path(tui.__file__).parent
    found: set[str] = set()
    for pattern in ("*.py", "*.toml", "*.csv", "*.json"):
        for path in root.rglob(pattern):
            found.update(w for w in WORD.findall(path.read_text(encoding="utf-8")) if len(w) > 2)
    return frozenset(found)


def cut_word(glued: str) -> bool:
    """True if ``glued`` ('Benchma…') ends in a word cut short: neither written so in the
    source nor a whole word before the '…' ('… · press…' shortened between words is fine)."""
    if glued in written_ellipses():
        return False
    last = WORD.findall(glued[:-1])
    return not last or not glued[:-1].endswith(last[-1]) or last[-1] not in whole_words()


def screen_lines(app: App[Any]) -> list[str]:
    """The screen as the terminal shows it, one string per row."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False).split("\n")[:height]


def _plain(cell: object) -> str | None:
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return Text.from_markup(cell).plain
    return None


def table_cuts(table: DataTable[Any]) -> list[str]:
    """Cells wider than their column or taller than their row, and a table wider than its
    view (its right-most column shown in part, or not at all)."""
    found = []
    name = f"{type(table).__name__}#{table.id}"
    view = table.scrollable_content_region.width
    if table.virtual_size.width > view:
        found.append(f"{name}: {table.virtual_size.width} cells wide in a view of {view}")
    for column in table.ordered_columns:
        width = column.content_width if column.auto_width else column.width
        label = column.label.plain
        if cell_len(label) > width:
            found.append(f"{name}: header {label!r} wider than its column ({width})")
        for row in table.ordered_rows:
            text = _plain(table.get_cell(row.key, column.key))
            if text is None:
                continue
            lines = text.split("\n")
            if len(lines) > row.height:
                found.append(f"{name}: {text!r} has {len(lines)} lines in a row of {row.height}")
            for line in lines:
                if cell_len(line) > width:
                    found.append(f"{name}: {line!r} wider than its column ({width})")
    return found


def static_cuts(widget: Static, viewport: Size) -> list[str]:
    """Lines of a text widget that its height hides (it wraps onto more than it shows)."""
    box = widget.content_region
    if box.width <= 0 or box.height <= 0 or widget.allow_vertical_scroll:
        return []
    needed = widget.get_content_height(box.size, viewport, box.width)
    if needed <= box.height:
        return []
    return [f"Static#{widget.id}: {needed} lines in a box of {box.height}: {widget.render()!s}"]


def cuts(app: App[Any]) -> list[str]:
    """Every place the current screen cuts text (see the module docstring)."""
    found = []
    for line in screen_lines(app):
        for word in GLUED.findall(line):
            if cut_word(word):
                found.append(f"ellipsis: {word!r} in {line.strip()!r}")
    screen = app.screen
    for widget, (region, clip) in screen._compositor.visible_widgets.items():
        if isinstance(widget, ScrollBar | ScrollBarCorner):
            continue
        if region.right > clip.right and not widget.allow_horizontal_scroll:
            shown = region.intersection(clip)
            found.append(
                f"{type(widget).__name__}#{widget.id}: {region.width} cells wide, "
                f"{shown.width} shown"
            )
        if isinstance(widget, DataTable):
            found.extend(table_cuts(widget))
        elif isinstance(widget, Static):
            found.extend(static_cuts(widget, app.size))
    return [f"{type(screen).__name__}: {what}" for what in found]


# -- the detectors find what they are meant to find ----------------------------------------


class Probe(App[None]):
    """A table and a one-line caption, each too narrow for its text."""

    CSS = "#caption { height: 1; width: 30; } #grid { width: 30; height: 6; }"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("a caption that needs more than thirty cells to say", id="caption")
            yield Static("Benchma…", id="glued")
            table: DataTable[Any] = DataTable(id="grid")
            yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Sym", key="sym", width=4)
        for i in range(4):
            table.add_column(f"#{i}", key=f"c{i}", width=6)
        table.add_row("BRK-B", "+21.3%", "+1%", "+2%", "+3%")


async def test_the_detectors_find_each_kind_of_cut() -> None:
    app = Probe()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        found = "\n".join(cuts(app))
    assert "ellipsis: 'Benchma…'" in found
    assert "Static#caption: 2 lines in a box of 1" in found
    assert "DataTable#grid: 'BRK-B' wider than its column (4)" in found
    assert "DataTable#grid: 38 cells wide in a view of 30" in found


def test_a_word_cut_short_is_told_from_a_text_shortened_between_words() -> None:
    assert "loading…" in written_ellipses()
    assert not cut_word("loading…")
    assert not cut_word("press…")  # "14:00 ET · press…": shortened after a whole word
    assert cut_word("Benchma…")
    assert cut_word("Size/St…")
    assert cut_word("+21.3…")


def test_group_names_wrap_and_abbreviate_by_rule() -> None:
    assert group_lines("Sectors", 8) == ["Sectors"]
    assert group_lines("Benchmarks", 8) == ["Bench"]
    assert group_lines("Size/Style/Intl", 8) == ["Size/", "Sty/Intl"]
    assert group_lines("Size/Style/Intl", 16) == ["Size/Style/Intl"]
    assert group_lines("Emerging Markets", 8) == ["EM Mkts"]
    assert group_lines("My Long Watch List", 8) == ["My Long", "Watch", "List"]
    assert group_lines("Extraordinary", 8) == ["Extraor."]  # no rule for it: a '.' marks it


def test_holding_names_shorten_by_rule_between_words() -> None:
    assert short_name("NVIDIA CORP", 14) == "NVIDIA CORP"  # fits: kept
    assert short_name("PALANTIR TECHNOLOGIES INC A", 22) == "PALANTIR TECHNOLOGIES"
    assert short_name("PALANTIR TECHNOLOGIES INC A", 14) == "PALANTIR TECH"
    assert short_name("INTL BUSINESS MACHINES CORP", 14) == "INTL BUSINESS"
    assert short_name("BANK OF AMERICA CORP", 14) == "BANK OF AMER"
    assert short_name("JOHNSON + JOHNSON", 14) == "JOHNSON"  # never ends on '+'
    assert short_name("TRADE DESK INC/THE CLASS A", 14) == "TRADE DESK"


# -- every screen at every size ------------------------------------------------------------


async def _until_rows(app: RotmonApp, selector: str) -> None:
    """Wait until the screen's table `selector` has rows (a worker fills it)."""
    for _ in range(200):
        tables = app.screen.query(selector)
        if tables and isinstance(tables.first(), DataTable) and tables.first().row_count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{selector} stayed empty")


async def _walk(app: RotmonApp, pilot: Any) -> list[str]:
    """Go through every screen and pane, collecting the cuts of each."""
    found: list[str] = []

    async def look(what: str) -> None:
        await settle(app)
        await pilot.pause()
        app.clear_notifications()  # a notice is not what is looked at (and not ours)
        await pilot.pause()
        found.extend(f"[{what}] {cut}" for cut in cuts(app))

    async def back() -> None:
        await pilot.press("escape")
        await settle(app)
        assert isinstance(app.screen, DashboardScreen)

    await look("dashboard")
    if app.compact:
        for i in range(5):  # each pane, the table alone, and the first again
            await pilot.press("v")
            await look(f"dashboard v×{i + 1}")
    table = app.screen.query_one(SectorTable)
    table.move_cursor(row=table.get_row_index("XLK"), animate=False)
    await pilot.pause()
    await pilot.press("enter")
    await look("drill-down XLK")
    if app.compact:
        for i in range(3):
            await pilot.press("v")
            await look(f"drill-down XLK v×{i + 1}")
    await back()
    for key, what in (("w", "digest"), ("g", "RRG"), ("question_mark", "keys"), ("h", "track")):
        await pilot.press(key)
        await look(what)
        if key == "h":
            app.screen.query_one("#history-body").scroll_end(animate=False)
            await look("track study")
        await back()
    await pilot.press("H")
    await _until_rows(app, "#heat-grid")
    await look("heat map")
    await pilot.press("t")
    await look("heat map RS")
    await back()
    await pilot.press("b")
    await _until_rows(app, "#book-table")
    await look("positions")
    await back()
    await pilot.press("C")
    await look("concentration")
    await back()
    app.action_open_rule("small_caps")
    await look("rule")
    app.screen.query_one("#rule-body").scroll_end(animate=False)
    await look("rule track")
    await back()
    return found


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_no_screen_cuts_text(tmp_path: Path, size: tuple[int, int]) -> None:
    folder = tmp_path / "config"  # the isolated config dir (tests/conftest.py)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "positions.csv").write_text(SAMPLE_BOOK, encoding="utf-8")
    app = make_app(seeded_copy(tmp_path / "cache" / "rotmon.sqlite"))
    async with app.run_test(size=size) as pilot:
        found = await _walk(app, pilot)
    assert not found, "\n".join(found)
