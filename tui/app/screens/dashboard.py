"""The main screen: sector table, RS charts, regime rules and catalysts, with a status line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.app.charts import ChartSettings, line_chart, thesis_chart
from tui.app.messages import EditGroup, LayoutWidth, OpenSymbol, SymbolHighlighted
from tui.app.widgets.rs_chart import RSChart
from tui.app.widgets.sector_table import SectorTable
from tui.app.widgets.status_bar import Status, StatusBar, banner_text
from tui.format import Palette

if TYPE_CHECKING:
    from tui.app.widgets.catalysts import CatalystsTable
    from tui.app.widgets.regime import RegimePane
    from tui.report import Report

PANES = ("rs-selected", "rs-thesis", "regime", "catalysts")


class DashboardScreen(Screen[None]):
    """One screen that answers: is the rotation on, and what could break it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", tooltip="Open the highlighted symbol's drill-down"),
        Binding("v", "cycle_pane", "Pane", tooltip="Compact layout: show the next pane"),
    ]

    def __init__(
        self,
        groups: Sequence[tuple[str, Sequence[str]]],
        benchmark: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.groups = [(name, list(symbols)) for name, symbols in groups]
        self.benchmark = benchmark
        self.clock = clock
        self.report: Report | None = None
        self.pane = 0
        self.compact = False
        self.palette = Palette()
        self.settings = ChartSettings()
        self.regime: RegimePane | None = None  # mounted after the first frame
        self.catalysts: CatalystsTable | None = None  # likewise

    def compose(self) -> ComposeResult:
        # The first frame is the table, the status and the chart panes; the regime and
        # catalyst panes follow it (see _mount_side_panes).
        yield Static("", id="banner", markup=False)
        with Container(id="body"):
            table = SectorTable(id="sectors")
            table.compact, table.palette = self.compact, self.palette  # no rows to redo yet
            yield table
            yield RSChart(id="rs-selected", classes=self._pane_classes("rs-selected"))
            yield RSChart(id="rs-thesis", classes=self._pane_classes("rs-thesis"))
        yield StatusBar(id="status")
        yield Footer()

    def _pane_classes(self, pane: str) -> str:
        return "pane -shown" if PANES[self.pane] == pane else "pane"

    def on_resize(self, event: events.Resize) -> None:
        # App-level Resize events are consumed by Textual itself; screens do get theirs.
        self.post_message(LayoutWidth(event.size.width))

    def on_screen_resume(self) -> None:
        # The terminal may have been resized while a drill-down was on top.
        self.post_message(LayoutWidth(self.app.size.width))

    def on_mount(self) -> None:
        table = self.query_one(SectorTable)
        table.expected_width = self._expected_table_width()
        table.set_compact(self.compact)
        table.set_palette(self.palette)
        table.focus()
        # The app's state, shown now (the first frame) and whenever it changes.
        self.watch(self.app, "chart_settings", self._use_settings)
        self.watch(self.app, "status", self.show_status)
        self.watch(self.app, "report", self._report_changed)
        self.call_after_refresh(self._mount_side_panes)

    def _report_changed(self, report: Report | None) -> None:
        if report is not None:
            self.show_report(report)

    def _use_settings(self, settings: ChartSettings) -> None:
        changed = settings != self.settings
        self.settings = settings
        if changed and self.report is not None:
            self.redraw_charts()

    def _expected_table_width(self) -> int | None:
        """The sector table's width before the first layout, so that the first frame already
        shows the columns that fit: the screen's width, less the fixed grid columns beside
        the table (None if the layout's CSS says something this cannot work out)."""
        width = self.app.size.width
        styles = self.query_one("#body").styles
        if styles.layout is None or styles.layout.name != "grid":
            return width  # the compact layout: one column, the whole width
        columns = styles.grid_columns or ()
        if not columns or not columns[0].is_fraction:
            return None
        beside = [column.cells for column in columns[1:]]
        if None in beside:
            return None
        return width - sum(c or 0 for c in beside) - styles.grid_gutter_horizontal * len(beside)

    async def _mount_side_panes(self) -> None:
        """The rules and the catalysts, mounted after the first frame (two more tables to
        build and paint, and hidden anyway in the compact layout); then filled."""
        from tui.app.widgets.catalysts import CatalystsTable
        from tui.app.widgets.regime import RegimePane

        regime = RegimePane(id="regime", classes=self._pane_classes("regime"))
        regime.palette = self.palette
        catalysts = CatalystsTable(id="catalysts", classes=self._pane_classes("catalysts"))
        await self.query_one("#body").mount(regime, catalysts)
        self.regime, self.catalysts = regime, catalysts
        if self.report is not None:
            self._show_side_panes(self.report)

    # -- data in -------------------------------------------------------------------------

    def show_report(self, report: Report) -> None:
        """Show new figures in every pane."""
        self.report = report
        table = self.query_one(SectorTable)
        bench = next((r for r in report.rows if r["symbol"] == self.benchmark), None)
        table.show(report.rows, self.groups, bench["last_date"] if bench else None)
        self._show_side_panes(report)
        self._draw_selected(table.selected_symbol)
        self._draw_thesis()

    def _show_side_panes(self, report: Report) -> None:
        if self.regime is not None:
            self.regime.show(report.regime, report.regime_summary)
        self.show_catalysts()

    def set_universe(self, groups: Sequence[tuple[str, Sequence[str]]], benchmark: str) -> None:
        """New groups or benchmark from a reloaded config (figures follow from the worker)."""
        self.groups = [(name, list(symbols)) for name, symbols in groups]
        self.benchmark = benchmark
        if self.report is not None and self.is_mounted:
            self.show_report(self.report)

    def show_catalysts(self) -> None:
        """Countdowns as of now (called with each report, and hourly)."""
        if self.report is not None and self.catalysts is not None:
            report = self.report
            self.catalysts.show(report.catalysts, self.clock(), report.earnings_unknown)

    def show_status(self, status: Status) -> None:
        """Show the data source and refresh state in the banner and the status line."""
        self.query_one(StatusBar).show(status)
        banner = self.query_one("#banner", Static)
        text = banner_text(status)
        banner.display = bool(text)
        banner.update(text)
        banner.set_class(status.state in ("offline", "rate-limited", "stale"), "-warning")

    def set_compact(self, compact: bool) -> None:
        """Use the 80-column set of table columns (applied now, or when mounted)."""
        self.compact = compact
        if self.is_mounted:
            self.query_one(SectorTable).set_compact(compact)
            self.refresh_bindings()

    def set_palette(self, palette: Palette) -> None:
        """Up/down colours of the current theme."""
        self.palette = palette
        if self.is_mounted:
            self.query_one(SectorTable).set_palette(palette)
        if self.regime is not None:
            self.regime.palette = palette

    # -- charts --------------------------------------------------------------------------

    def on_symbol_highlighted(self, message: SymbolHighlighted) -> None:
        self._draw_selected(message.symbol)

    def redraw_charts(self) -> None:
        """Draw both chart panes again (after a change of chart settings)."""
        self._draw_selected(self.query_one(SectorTable).selected_symbol)
        self._draw_thesis()

    def _draw_selected(self, symbol: str | None) -> None:
        chart = self.query_one("#rs-selected", RSChart)
        if symbol is None:
            return
        closes = self.report.closes if self.report else None
        chart.show(line_chart(closes, symbol, self.benchmark, self.settings))

    def _draw_thesis(self) -> None:
        closes = self.report.closes if self.report else None
        chart = self.query_one("#rs-thesis", RSChart)
        chart.show(thesis_chart(closes, self.benchmark, self.settings))

    # -- actions -------------------------------------------------------------------------

    def action_open(self) -> None:
        symbol = self.query_one(SectorTable).selected_symbol
        if symbol:
            self.post_message(OpenSymbol(symbol))

    def action_add_symbol(self) -> None:
        """Ask for a symbol to add to the highlighted row's group (the app saves it)."""
        from tui.app.screens.prompts import SymbolPrompt

        group = self.query_one(SectorTable).selected_group
        if group is None:
            return

        def add(symbol: str | None) -> None:
            if symbol:
                self.post_message(EditGroup("add", group, symbol))

        self.app.push_screen(SymbolPrompt(f"Add a symbol to {group}"), callback=add)

    def action_remove_symbol(self) -> None:
        """Take the highlighted symbol out of its group (the app saves it)."""
        table = self.query_one(SectorTable)
        symbol, group = table.selected_symbol, table.selected_group
        if symbol and group:
            self.post_message(EditGroup("remove", group, symbol))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`v` only means something in the compact layout: hide it from the footer otherwise."""
        if action == "cycle_pane":
            return self.compact
        return True

    def action_cycle_pane(self) -> None:
        """In the compact layout only one side pane fits: show the next one."""
        self.pane = (self.pane + 1) % len(PANES)
        for index, pane in enumerate(PANES):
            for widget in self.query(f"#{pane}"):
                widget.set_class(index == self.pane, "-shown")
