"""The heat map: each sector ETF and its bundled top holdings as a grid, coloured by a window's
return or relative strength.

One row per sector: the ETF first, then its holdings heaviest first. Each cell shows the
symbol and the signed figure (``+1.2%`` / ``−3.4%``, one decimal), so sign and magnitude read
without colour (``NO_COLOR``); the background is the theme's ``$success`` (up) or ``$error``
(down) blended into ``$background`` in proportion to the figure, full at :data:`FULL_SCALE`
of the window. RS is the sector ETF against the benchmark and each holding against its own
sector ETF (who leads inside the sector), as the ratio's change over the window. A holding
without bundled prices (UNH, ED) reads "no data", never a number.

Keys: ``1``-``5`` or ``[``/``]`` the window (1D 1W 1M 3M YTD), ``t`` return / RS, arrows
move, Enter opens the drill-down (posts :class:`OpenSymbol`), Esc back. The closes are read in
a thread worker with the app's ``holdings_closes`` loader; the figures come from
:func:`tui.analytics.table.build_table`, as in the sector table and the drill-down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.messages import OpenSymbol
from tui.app.widgets.footer import FittedFooter
from tui.format import Palette, pct
from tui.universe import name_of

if TYPE_CHECKING:
    import pandas as pd

    from tui.report import Report

WINDOWS: tuple[str, ...] = ("1D", "1W", "1M", "3M", "YTD")
MEASURES: tuple[str, ...] = ("return", "RS")
FULL_SCALE: Mapping[str, float] = {"1D": 0.03, "1W": 0.05, "1M": 0.10, "3M": 0.15, "YTD": 0.25}
"""The size of a figure (a fraction) that gets the full colour, per window."""
MAX_BLEND = 0.75
"""Share of the up/down colour in the background of a full-scale cell."""
CELL_WIDTH = 7
SCROLLBAR = 2
"""Room kept for the grid's vertical scrollbar."""
NO_DATA = "no data"

HoldingsCloses = Callable[[Sequence[str]], "pd.DataFrame"]


@dataclass(frozen=True)
class HeatCell:
    """One symbol of the grid: its returns and RS by window (fractions; None = n/a)."""

    symbol: str
    name: str
    weight_pct: float | None
    """Its weight in the sector ETF (None for the ETF itself)."""
    against: str
    """What its RS is measured against: the benchmark for an ETF, the ETF for a holding."""
    ret: Mapping[str, float | None]
    rs: Mapping[str, float | None]
    has_data: bool
    last_date: str | None

    def value(self, window: str, measure: str) -> float | None:
        return (self.ret if measure == "return" else self.rs).get(window)


@dataclass(frozen=True)
class HeatRow:
    """A sector: the ETF's cell, then its holdings heaviest first."""

    etf: HeatCell
    holdings: tuple[HeatCell, ...]

    @property
    def cells(self) -> tuple[HeatCell, ...]:
        return (self.etf, *self.holdings)


def heat_rows(
    closes: pd.DataFrame, holdings: Mapping[str, Sequence[Any]], benchmark: str
) -> list[HeatRow]:
    """The grid from a wide frame of closes and ``load_holdings()`` (ETF -> holdings)."""
    from tui.analytics.table import build_table

    def cell(row: Any, name: str, weight: float | None, against: str, rs: Any) -> HeatCell:
        return HeatCell(
            symbol=row.symbol,
            name=name,
            weight_pct=weight,
            against=against,
            ret=dict(row.ret),
            rs=dict(rs.rs),
            has_data=row.close is not None,
            last_date=row.last_date,
        )

    etfs = list(holdings)
    own = build_table(closes, etfs, benchmark, spark_points=0)
    out: list[HeatRow] = []
    for etf, etf_row in zip(etfs, own, strict=True):
        members = list(holdings[etf])
        symbols = [h.symbol for h in members]
        rows = build_table(closes, symbols, etf, spark_points=0)
        cells = tuple(
            cell(r, h.name, h.weight_pct, etf, r) for r, h in zip(rows, members, strict=True)
        )
        out.append(HeatRow(cell(etf_row, name_of(etf), None, benchmark, etf_row), cells))
    return out


@dataclass
class HeatReady(Message):
    """The grid, computed in the worker."""

    rows: list[HeatRow]
    generation: int


def cell_text(cell: HeatCell, window: str, measure: str) -> str:
    """``NVDA\\n+1.2%``; ``UNH\\nno data`` without prices; ``n/a`` when the window is too long."""
    if not cell.has_data:
        return f"{cell.symbol}\n{NO_DATA}"
    return f"{cell.symbol}\n{pct(cell.value(window, measure), 1)}"


@dataclass(frozen=True)
class HeatColors:
    """Backgrounds for up and down cells by magnitude, from the theme's variables."""

    background: Color | None
    up: Color | None
    down: Color | None

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> HeatColors:
        def parse(name: str) -> Color | None:
            try:
                return Color.parse(variables.get(name, ""))
            except (ColorParseError, ValueError):
                return None

        return cls(parse("background"), parse("success"), parse("error"))

    def style(self, value: float | None, window: str, palette: Palette) -> Style:
        """The cell's style: a background blended by the size of ``value`` (ANSI themes: the
        palette's up/down text colour, bold from half the full scale)."""
        if value is None or value == 0:
            return Style()
        share = min(1.0, abs(value) / FULL_SCALE[window])
        colour = self.up if value > 0 else self.down
        bg = self.background
        if bg is None or colour is None or bg.ansi is not None or colour.ansi is not None:
            return Style.parse(palette.up if value > 0 else palette.down) + Style(bold=share >= 0.5)
        blended = bg.blend(colour, MAX_BLEND * share)
        text = blended.get_contrast_text(1.0)
        return Style(bgcolor=blended.rich_color, color=text.rich_color)


class HeatmapScreen(Screen[None]):
    """Sectors and their holdings by the window's return or RS; Enter drills down."""

    CSS_PATH = "../heatmap.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the previous screen"),
        *[
            Binding(str(i), f"window('{w}')", w, show=False, tooltip=f"Colour by the {w} window")
            for i, w in enumerate(WINDOWS, start=1)
        ],
        Binding(
            "left_square_bracket",
            "cycle(-1)",
            "Window",
            key_display="[",
            tooltip="The previous window (1D 1W 1M 3M YTD)",
        ),
        Binding(
            "right_square_bracket",
            "cycle(1)",
            "Window",
            key_display="]",
            tooltip="The next window (1D 1W 1M 3M YTD)",
        ),
        Binding("t", "measure", "Return/RS", tooltip="Colour by return or by relative strength"),
    ]

    def __init__(
        self,
        palette: Palette,
        holdings_closes: HoldingsCloses,
        *,
        benchmark: str = "SPY",
        window: str = "1M",
        measure: str = "return",
    ) -> None:
        super().__init__()
        self.palette = palette
        self.holdings_closes = holdings_closes
        self.benchmark = benchmark
        self.window = window if window in WINDOWS else "1M"
        self.measure = measure if measure in MEASURES else "return"
        self.rows: list[HeatRow] = []
        self.grid: list[list[HeatCell | None]] = []
        self.generation = 0
        self.error: str | None = None
        self.loaded = False
        self._filled_for = 0  # holdings per band the grid was last built for

    def compose(self) -> ComposeResult:
        yield Static("", id="heat-title")
        yield Static("", id="heat-legend")
        yield Static("", id="heat-holdings", markup=False)
        table: DataTable[Any] = DataTable(id="heat-grid", cursor_type="cell", fixed_columns=1)
        yield table
        yield Static("loading holdings…", id="heat-info")
        yield FittedFooter()

    def on_mount(self) -> None:
        self._show_title()
        self.load()
        self.watch(self.app, "report", self._report_changed, init=False)
        self.watch(self.app, "holdings_as_of", self._show_holdings_as_of)
        self.query_one(DataTable).focus()

    def _show_holdings_as_of(self, text: str) -> None:
        """Where the holdings' prices come from (the app's ``holdings_as_of``)."""
        self.query_one("#heat-holdings", Static).update(Content.styled(text, "$text-muted"))

    def _report_changed(self, report: Report | None) -> None:
        if report is not None:
            self.benchmark = report.benchmark  # a benchmark picked (B, the palette) follows
            self._show_title()
            self.generation += 1
            self.load()

    # -- the worker ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="heatmap", exit_on_error=False)
    def load(self) -> None:
        """Read the sectors' and holdings' closes (blocking loader) and build the grid."""
        from tui.data.snapshot import load_holdings

        generation = self.generation
        holdings = load_holdings()
        symbols = [self.benchmark, *holdings]
        symbols += [h.symbol for items in holdings.values() for h in items]
        closes = self.holdings_closes(list(dict.fromkeys(symbols)))
        rows = heat_rows(closes, holdings, self.benchmark)
        if not get_current_worker().is_cancelled:
            self.post_message(HeatReady(rows, generation))

    @on(HeatReady)
    def _ready(self, message: HeatReady) -> None:
        if message.generation != self.generation:
            return
        self.rows = message.rows
        self.loaded = True
        self.error = None
        self._fill()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "heatmap" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.error = f"could not load the holdings: {type(error).__name__}: {error}"
            self.query_one("#heat-info", Static).update(Content(self.error))
            self.notify(self.error, title="Heat map", severity="error", markup=False)

    # -- drawing -------------------------------------------------------------------------

    def _show_title(self) -> None:
        what = "return" if self.measure == "return" else "RS"
        windows = " ".join(f"[{w}]" if w == self.window else w for w in WINDOWS)
        as_of = max((r.etf.last_date for r in self.rows if r.etf.last_date), default=None)
        title = f"Heat map · {self.window} {what} · {windows}"
        if as_of:
            title += f" · to {as_of}"
        self.query_one("#heat-title", Static).update(Content(title))
        if self.measure == "return":
            basis = "each symbol's own return"
        else:
            basis = f"RS: each sector ETF vs {self.benchmark}, each holding vs its sector ETF"
        legend = (
            f"{basis} · full colour at ±{FULL_SCALE[self.window] * 100:.0f}% · "
            "top-15 holdings, membership as of 2025-11-18"
        )
        self.query_one("#heat-legend", Static).update(Content.styled(legend, "$text-muted"))

    def cells_per_band(self) -> int:
        """Holdings per line of the grid: as many whole cells as the width takes beside the
        ETF's column (the grid wraps onto more lines rather than cut its last column)."""
        width = self.size.width or self.app.size.width
        columns = (width - SCROLLBAR) // (CELL_WIDTH + 2)  # a cell and its padding
        return max(1, columns - 1)

    def _fill(self) -> None:
        """(Re)build the grid for the window, measure and width; keeps the cursor where it
        was. A sector whose holdings do not fit one line goes on over more (bands): the
        first starts with the ETF's own cell, the next ones with 'XLK #6–10', the lines of a
        sector as even as they can be."""
        table = self.query_one(DataTable)
        where = table.cursor_coordinate
        colors = HeatColors.from_variables(self.app.get_css_variables())
        table.clear(columns=True)
        most = max((len(r.holdings) for r in self.rows), default=0)
        room = self.cells_per_band()
        self._filled_for = room
        bands = max(1, -(-most // room))
        per_band = max(1, -(-most // bands))  # balanced: 15 in 7-cell lines are 5 + 5 + 5
        width = min(most, per_band)
        banded = bands > 1
        table.add_column("Sector", key="etf", width=CELL_WIDTH)
        for i in range(width):
            table.add_column("" if banded else f"#{i + 1}", key=f"h{i}", width=CELL_WIDTH)
        self.grid = []
        for row in self.rows:
            for start in range(0, max(1, len(row.holdings)), per_band):
                band = list(row.holdings[start : start + per_band])
                first: HeatCell | None = row.etf if start == 0 else None
                cells: list[HeatCell | None] = [first, *band]
                cells += [None] * (width + 1 - len(cells))
                self.grid.append(cells)
                texts = [self._cell_text(cell, colors, i == 0) for i, cell in enumerate(cells)]
                if first is None:
                    end = start + len(band)
                    span = f"#{start + 1}" + (f"–{end}" if end > start + 1 else "")
                    texts[0] = Text(f"{row.etf.symbol}\n{span}", style="dim")
                key = row.etf.symbol if start == 0 else f"{row.etf.symbol}#{start}"
                table.add_row(*texts, height=2, key=key)
        if self.grid:
            table.move_cursor(
                row=min(where.row, len(self.grid) - 1),
                column=min(where.column, width),
                animate=False,
            )
        self._show_title()
        self._show_info()

    def _cell_text(self, cell: HeatCell | None, colors: HeatColors, bold: bool) -> Text:
        """A cell's two lines on its background (dim for no data, bold for the ETF)."""
        if cell is None:
            return Text("")
        if cell.has_data:
            value = cell.value(self.window, self.measure)
            style = colors.style(value, self.window, self.palette)
        else:
            style = Style(dim=True)
        if bold:
            style += Style(bold=True)
        return Text(cell_text(cell, self.window, self.measure), style=style)

    def on_resize(self) -> None:
        if self.rows and self.cells_per_band() != self._filled_for:
            self._fill()

    def cell_at(self, row: int, column: int) -> HeatCell | None:
        if 0 <= row < len(self.grid) and 0 <= column < len(self.grid[row]):
            return self.grid[row][column]
        return None

    @property
    def selected(self) -> HeatCell | None:
        """The cell under the cursor."""
        where = self.query_one(DataTable).cursor_coordinate
        return self.cell_at(where.row, where.column)

    def _show_info(self) -> None:
        info = self.query_one("#heat-info", Static)
        cell = self.selected
        if cell is None:
            info.update(Content("" if self.loaded else "loading holdings…"))
            return
        parts = [cell.symbol, cell.name]
        if cell.weight_pct is not None:
            parts.append(f"{cell.weight_pct:.1f}% of {cell.against}")
        if cell.has_data:
            ret, rs = cell.ret.get(self.window), cell.rs.get(self.window)
            parts.append(f"{self.window} {pct(ret)} · RS vs {cell.against} {pct(rs)}")
            parts.append(f"last close {cell.last_date}")
        else:
            parts.append("no data (no bundled prices)")
        parts.append("Enter: drill-down")
        info.update(Content(" · ".join(parts)))

    @on(DataTable.CellHighlighted)
    def _highlighted(self, _event: DataTable.CellHighlighted) -> None:
        self._show_info()

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        cell = self.cell_at(event.coordinate.row, event.coordinate.column)
        if cell is not None:
            self.post_message(OpenSymbol(cell.symbol))

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "window":
            return parameters[0] != self.window or None
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_window(self, window: str) -> None:
        if window in WINDOWS and window != self.window:
            self.window = window
            self._changed()

    def action_cycle(self, step: int) -> None:
        self.window = WINDOWS[(WINDOWS.index(self.window) + step) % len(WINDOWS)]
        self._changed()

    def action_measure(self) -> None:
        self.measure = MEASURES[(MEASURES.index(self.measure) + 1) % len(MEASURES)]
        self._changed()

    def _changed(self) -> None:
        self.refresh_bindings()
        if self.rows:
            self._fill()
        else:
            self._show_title()
