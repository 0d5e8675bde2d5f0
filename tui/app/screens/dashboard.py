"""The main screen: sector table, RS charts, regime rules and catalysts, with a status line.

Over the table, one line answers the question at a glance ("Rotation ON 9/11 · next FOMC in
44 d") and one says what changed since the previous close (the digest, computed in a worker
from the session's glance inputs). In the compact layout (under 140 columns) the sectors come
first, and on a short terminal (under 30 rows) the charts and side panes wait for `v`, so that
an 80×24 screen shows the summary, all eleven sectors and the status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.app.charts import ChartData, ChartSettings, line_chart, thesis_chart
from tui.app.messages import EditGroup, LayoutWidth, OpenSymbol, SymbolHighlighted
from tui.app.widgets.footer import FittedFooter
from tui.app.widgets.rs_chart import RSChart
from tui.app.widgets.sector_table import (
    BREADTH_CAVEAT,
    PreparedCells,
    SectorTable,
    prepare_cells,
)
from tui.app.widgets.status_bar import Status, StatusBar, banner_text
from tui.format import Palette, countdown
from tui.universe import SECTOR_ETFS

if TYPE_CHECKING:
    import pandas as pd

    from tui.app.widgets.catalysts import CatalystsTable
    from tui.app.widgets.regime import RegimePane
    from tui.regime.digest import Digest
    from tui.report import Report

PANES = ("rs-selected", "rs-thesis", "regime", "catalysts")
TALL_COMPACT = 30
"""In the compact layout a pane is shown at start only from this many rows: under it the
table takes the height (the summary, eleven sectors and the status fit 24 rows)."""


def fomc_calendar_end() -> str:
    """The last decision date in the bundled FOMC calendar (ISO)."""
    from tui.regime.fomc import load_meetings

    try:
        meetings = load_meetings()
    except (OSError, ValueError):
        return "?"
    return meetings[-1].end.isoformat() if meetings else "?"


def glance_line(report: Report | None, now: datetime, width: int, market: str = "") -> str:
    """'Rotation ON 9/11 · vs SPY · next FOMC in 44 d · NYSE OPEN · closes 16:00 ET in 2 h
    13 m': the benchmark the figures are measured against (the one ``B`` picked), the next
    FOMC, the market's clock and then the rule groups added while they fit (whole phrases
    only); when the bundled calendar has no next meeting, says where it ends."""
    if report is None:
        return "Regime: loading…"
    summary = report.regime_summary
    head = str(summary["label"]) if summary else "Regime: no rules"
    head = f"{head} · vs {report.benchmark}"
    fomc = report.next_fomc
    if fomc is not None:
        days = (datetime.fromisoformat(str(fomc["datetime"])) - now).total_seconds() / 86400
        when = f"next FOMC {countdown(days)}"
    else:
        when = f"FOMC calendar ends {fomc_calendar_end()}: add meetings in the events file"
    line = f"{head} · {when}"
    if market and len(f"{line} · NYSE {market}") <= width:
        line = f"{line} · NYSE {market}"
    groups = (summary or {}).get("groups") or {}
    for name, group in groups.items():
        more = f"{line} · {name} {group['passed']}/{group['known']}"
        if len(more) > width:
            break
        line = more
    return line


def sectors_first(groups: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[str, list[str]]]:
    """The groups with the one holding the most sector ETFs moved to the top (if any does)."""
    out = [(name, list(symbols)) for name, symbols in groups]
    counts = [sum(1 for s in symbols if s in SECTOR_ETFS) for _, symbols in out]
    if not out or max(counts) == 0:
        return out
    best = counts.index(max(counts))
    return [out[best], *out[:best], *out[best + 1 :]]


CHART_MEMO = 8
"""Chart data kept per dashboard (see ChartMemo)."""


class ChartMemo:
    """The chart panes' data by what it was drawn from: the closes of a report, the symbol,
    the benchmark and the chart settings.

    Computing a chart's series (RS over the whole history, dates as text) took 15-30 ms on
    the UI thread per pane. The worker that prepares a report fills this for the panes it
    will show, and a symbol highlighted again is drawn from it. Only the two latest closes
    frames are kept (the one shown, and the one being prepared), and at most
    :data:`CHART_MEMO` entries, the oldest first out. Called from a worker and from the UI
    thread: every step is one dict operation, which the GIL keeps whole.
    """

    def __init__(self) -> None:
        self._data: dict[tuple[Any, ...], ChartData] = {}
        self._frames: list[pd.DataFrame] = []  # newest last; entries are keyed by their id

    def _get(self, closes: pd.DataFrame | None, key: tuple[Any, ...], make: Any) -> ChartData:
        if closes is None:
            return make()
        frames = self._frames
        if not any(frame is closes for frame in frames):
            self._frames = [*frames[-1:], closes]
            alive = {id(frame) for frame in self._frames}
            self._data = {k: v for k, v in self._data.items() if k[0] in alive}
        full = (id(closes), *key)
        data = self._data.get(full)
        if data is None:
            data = make()
            self._data[full] = data
            while len(self._data) > CHART_MEMO:
                self._data.pop(next(iter(self._data)), None)
        return data

    def line(
        self, closes: pd.DataFrame | None, symbol: str, benchmark: str, settings: ChartSettings
    ) -> ChartData:
        """:func:`tui.app.charts.line_chart`, computed once per input."""
        key = ("line", symbol, benchmark, settings)
        return self._get(closes, key, lambda: line_chart(closes, symbol, benchmark, settings))

    def thesis(
        self, closes: pd.DataFrame | None, benchmark: str, settings: ChartSettings
    ) -> ChartData:
        """:func:`tui.app.charts.thesis_chart`, computed once per input."""
        key = ("thesis", benchmark, settings)
        return self._get(closes, key, lambda: thesis_chart(closes, benchmark, settings))


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
        glance_inputs: Callable[[], Any] | None = None,
        sector_breadth: Callable[[], dict[str, dict[str, Any]]] | None = None,
    ) -> None:
        super().__init__()
        self.glance_inputs = glance_inputs
        """Blocking: the session's `Monitor.glance_inputs` (None: no digest line)."""
        self.sector_breadth = sector_breadth
        """Blocking: each sector ETF's breadth (`Monitor.market_breadth()["per_sector"]`),
        for the table's breadth columns (None: no breadth columns)."""
        self._breadth_report: Report | None = None  # the computed report to compute it for
        self._breadth_for: str | None = None  # the data date|holdings as-of it was for
        self._holdings_as_of = ""  # the app's ``holdings_as_of``: where their prices are from
        self.digest: Digest | None = None
        self._digest_for: str | None = None  # the as-of the digest was computed for
        self.pane_chosen = False  # the user pressed v: no more automatic pane
        self.height = 0
        self.groups = [(name, list(symbols)) for name, symbols in groups]
        self.benchmark = benchmark
        """The config's benchmark; the figures shown may be against another one picked
        (:attr:`shown_benchmark`), which the table's headers and the glance line then name."""
        self.clock = clock
        self.market = ""
        """The NYSE's clock from the app ('' until the calendar has loaded)."""
        self._shown_text: dict[str, str] = {}
        self.report: Report | None = None
        self.pane = 0
        self.compact = False
        self.palette = Palette()
        self.settings = ChartSettings()
        self.charts = ChartMemo()
        self._coming: Report | None = None  # the report a worker is preparing
        self.regime: RegimePane | None = None  # mounted after the first frame
        self.catalysts: CatalystsTable | None = None  # likewise

    def compose(self) -> ComposeResult:
        # The first frame is the table, the status and the chart panes; the regime and
        # catalyst panes follow it (see _mount_side_panes).
        yield Static("", id="banner", markup=False)
        yield Static("Regime: loading…", id="glance", markup=False)
        digest = Static("", id="digest-line", markup=False)
        digest.display = False
        yield digest
        with Container(id="body"):
            table = SectorTable(id="sectors")
            table.compact, table.palette = self.compact, self.palette  # no rows to redo yet
            yield table
            yield RSChart(id="rs-selected", classes=self._pane_classes("rs-selected"))
            yield RSChart(id="rs-thesis", classes=self._pane_classes("rs-thesis"))
        caveat = Static(BREADTH_CAVEAT, id="breadth-caveat", markup=False)
        caveat.display = False  # while a breadth column is shown
        yield caveat
        yield StatusBar(id="status", clock=self.clock)
        yield FittedFooter(compact=self.compact)

    def _shown_pane(self) -> str | None:
        """The side pane the compact layout shows (None: the table alone)."""
        if self.pane < 0:
            return None
        if not self.pane_chosen and self.compact and 0 < self.height < TALL_COMPACT:
            return None
        return PANES[self.pane]

    def _pane_classes(self, pane: str) -> str:
        return "pane -shown" if self._shown_pane() == pane else "pane"

    def _apply_panes(self) -> None:
        shown = self._shown_pane()
        for pane in PANES:
            for widget in self.query(f"#{pane}"):
                widget.set_class(pane == shown, "-shown")

    def on_resize(self, event: events.Resize) -> None:
        # App-level Resize events are consumed by Textual itself; screens do get theirs.
        self.height = event.size.height
        self._apply_panes()
        self._show_glance()
        self.post_message(LayoutWidth(event.size.width))
        self.call_after_refresh(self._start_breadth)  # a wider table may have room for it
        self.call_after_refresh(self._show_breadth_caveat)

    def on_screen_resume(self) -> None:
        # The terminal may have been resized while a drill-down was on top.
        self.post_message(LayoutWidth(self.app.size.width))

    def on_mount(self) -> None:
        self.height = self.app.size.height
        self._apply_panes()
        table = self.query_one(SectorTable)
        table.expected_width = self._expected_table_width()
        table.set_compact(self.compact)
        table.set_palette(self.palette)
        table.focus()
        # The app's state, shown now (the first frame) and whenever it changes.
        self.watch(self.app, "chart_settings", self._use_settings)
        self.watch(self.app, "status", self.show_status)
        self.watch(self.app, "report", self._report_changed)
        self.watch(self.app, "market", self._market_changed, init=False)
        if hasattr(self.app, "holdings_as_of"):  # the app's, not a test harness's
            self.watch(self.app, "holdings_as_of", self._holdings_changed, init=False)
        self.call_after_refresh(self._mount_side_panes)

    def _report_changed(self, report: Report | None) -> None:
        if report is None:
            return
        if self.report is None or report.closes is None:
            # The first figures (in the first frame), or a saved summary: shown now.
            self._coming = None
            self.show_report(report)
        else:
            self._prepare(report)
        self._start_digest(report)
        if report.closes is not None:
            self._breadth_report = report
            self._start_breadth()

    def _prepare(self, report: Report) -> None:
        """Format the table's cells and compute the charts' series of a computed report in a
        thread, then show it: with 500 symbols that work held the UI thread for 70-140 ms."""
        self._coming = report
        selected = self.query_one(SectorTable).selected_symbol
        args = (report, selected, self.palette, self.settings)
        self.run_worker(
            lambda: self._prepare_view(*args),
            thread=True,
            exclusive=True,
            group="dashboard-view",
            exit_on_error=False,
        )

    def _prepare_view(
        self, report: Report, selected: str | None, palette: Palette, settings: ChartSettings
    ) -> None:
        """In the worker: nothing here touches a widget."""
        from textual.worker import get_current_worker

        cells: PreparedCells | None = None
        try:
            cells = prepare_cells(report.rows, palette)
            self.charts.thesis(report.closes, report.benchmark, settings)
            if selected is not None:
                self.charts.line(report.closes, selected, report.benchmark, settings)
        finally:  # whatever happened, the report is shown (the slow way without cells)
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show_prepared, report, cells)

    def _show_prepared(self, report: Report, cells: PreparedCells | None) -> None:
        if report is not self._coming:
            return  # a newer report is being prepared
        self._coming = None
        self.query_one(SectorTable).use_prepared(cells)
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
        table.set_benchmark("" if report.benchmark == self.benchmark else report.benchmark)
        bench = next((r for r in report.rows if r["symbol"] == report.benchmark), None)
        groups = sectors_first(self.groups) if self.compact else self.groups
        table.show(report.rows, groups, bench["last_date"] if bench else None)
        self._show_glance()
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

    def _market_changed(self, market: str) -> None:
        """The NYSE clock (ticks once a minute): only the line over the table changes."""
        self.market = market
        self._show_glance()

    def _show_glance(self) -> None:
        if not self.is_mounted:
            return
        width = max(20, (self.size.width or self.app.size.width) - 2)
        glance = glance_line(self.report, self.clock(), width, self.market)
        # An update lays the screen out again: only when the text changed (a refresh that
        # moves nothing on these lines must not cost a layout of the whole dashboard).
        self._update_if_changed(self.query_one("#glance", Static), glance)
        line = self.query_one("#digest-line", Static)
        if self.digest is None:
            line.display = False
            return
        from tui.glance import digest_headline

        self._update_if_changed(line, digest_headline(self.digest, width))
        line.display = True

    def _update_if_changed(self, widget: Static, text: str) -> None:
        key = widget.id or str(id(widget))
        if self._shown_text.get(key) != text:
            self._shown_text[key] = text
            widget.update(text)

    # -- the digest line -----------------------------------------------------------------

    def _start_digest(self, report: Report) -> None:
        """Compute the digest in a thread once per data date, from the cache (a report with
        closes: the saved first-frame summary has none, and the cache may not be open)."""
        if self.glance_inputs is None or report.closes is None or report.as_of is None:
            return
        if report.as_of == self._digest_for:
            return
        self._digest_for = report.as_of
        self.run_worker(
            self._compute_digest, thread=True, exclusive=True, group="digest", exit_on_error=False
        )

    def _compute_digest(self) -> None:
        from tui.glance import GlanceError, digest, resolve

        assert self.glance_inputs is not None
        inputs = self.glance_inputs()
        try:
            since = "yesterday"
            if inputs.last_session:  # since the last session, when that is further back
                earlier = resolve(inputs, "last-session")[0] < resolve(inputs, "yesterday")[0]
                since = "last-session" if earlier else "yesterday"
            found: Digest | None = digest(inputs, since)
        except GlanceError:
            found = None
        self.app.call_from_thread(self._digest_ready, found)

    def _digest_ready(self, found: Digest | None) -> None:
        self.digest = found
        self._show_glance()

    # -- the breadth columns ---------------------------------------------------------------

    def _start_breadth(self) -> None:
        """Compute the sectors' breadth in a thread once per data date, and only when a
        breadth column fits the table (the first computation seeds the holdings' prices:
        seconds of work a narrow table would not show)."""
        report = self._breadth_report
        if self.sector_breadth is None or report is None or report.as_of is None:
            return
        # Computed again for a new data date and for new holdings' prices (their refresh
        # runs after the table's and leaves its as-of alone).
        key = f"{report.as_of}|{self._holdings_as_of}"
        if key == self._breadth_for or not self.query_one(SectorTable).breadth_fits:
            return
        self._breadth_for = key
        self.run_worker(
            self._compute_breadth, thread=True, exclusive=True, group="breadth", exit_on_error=False
        )

    def _holdings_changed(self, text: str) -> None:
        """New holdings' prices (or their as-of read for the first time): the caveat says
        where they come from, and the breadth columns are computed from them."""
        first = not self._holdings_as_of
        self._holdings_as_of = text
        caveat = BREADTH_CAVEAT + (f" · {text}" if text else "")
        self.query_one("#breadth-caveat", Static).update(caveat)
        if first and self._breadth_for is not None:
            # The first as-of read at start-up names the prices the breadth already computed
            # (or being computed) reads: no second computation — two would seed the
            # holdings twice at once on a new cache.
            self._breadth_for = f"{self._breadth_for.split('|')[0]}|{text}"
            return
        self._start_breadth()

    def _compute_breadth(self) -> None:
        assert self.sector_breadth is not None
        per_sector = self.sector_breadth()
        self.app.call_from_thread(self._breadth_ready, per_sector)

    def _breadth_ready(self, per_sector: dict[str, dict[str, Any]]) -> None:
        self.query_one(SectorTable).set_breadth(per_sector)
        self.call_after_refresh(self._show_breadth_caveat)

    def _show_breadth_caveat(self) -> None:
        """The breadth columns' caveat under the table, while one of them is shown."""
        if self.is_mounted:
            shown = self.query_one(SectorTable).breadth_shown
            caveat = self.query_one("#breadth-caveat", Static)
            if caveat.display != shown:
                caveat.display = shown

    def show_catalysts(self) -> None:
        """Countdowns as of now (called with each report, and hourly)."""
        self._show_glance()
        if self.report is not None and self.catalysts is not None:
            report = self.report
            self.catalysts.show(report.catalysts, self.clock(), report.earnings_unknown)

    def show_status(self, status: Status) -> None:
        """Show the data source and refresh state in the banner and the status line."""
        self.query_one(StatusBar).show(status)
        banner = self.query_one("#banner", Static)
        text = banner_text(status, self.clock())
        banner.display = bool(text)
        self._update_if_changed(banner, text)
        banner.set_class(status.state in ("offline", "rate-limited", "stale"), "-warning")

    def set_compact(self, compact: bool) -> None:
        """Use the 80-column set of table columns (applied now, or when mounted)."""
        changed = compact != self.compact
        self.compact = compact
        if self.is_mounted:
            self.query_one(SectorTable).set_compact(compact)
            self.query_one(Footer).compact = compact  # every key fits 80 columns
            self._apply_panes()
            if changed and self.report is not None:
                self.show_report(self.report)  # the sectors first in the compact layout
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
        chart.show(self.charts.line(closes, symbol, self.shown_benchmark, self.settings))

    def _draw_thesis(self) -> None:
        closes = self.report.closes if self.report else None
        chart = self.query_one("#rs-thesis", RSChart)
        chart.show(self.charts.thesis(closes, self.shown_benchmark, self.settings))

    @property
    def shown_benchmark(self) -> str:
        """The benchmark of the figures shown (the report's; the config's before one)."""
        return self.report.benchmark if self.report is not None else self.benchmark

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
        """In the compact layout only one side pane fits: show the next one (after the last,
        none: the table alone)."""
        shown = self._shown_pane()
        current = -1 if shown is None else PANES.index(shown)
        self.pane = current + 1 if current + 1 < len(PANES) else -1
        self.pane_chosen = True
        self._apply_panes()
