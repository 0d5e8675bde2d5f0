"""Drill-down of one symbol: its RS vs the benchmark, its returns, and its main holdings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.app.charts import ChartSettings, detail_chart
from tui.app.widgets.rs_chart import ChartData, RSChart
from tui.app.widgets.status_bar import Status, StatusBar
from tui.format import Palette, price, signed_text
from tui.report import Detail
from tui.universe import name_of

PERIODS = ("1D", "1W", "1M", "3M", "6M", "YTD", "1Y")


class DetailScreen(Screen[None]):
    """Opened with Enter on a row; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the dashboard"),
    ]

    def __init__(self, symbol: str, benchmark: str, palette: Palette) -> None:
        super().__init__()
        self.symbol = symbol
        self.benchmark = benchmark
        self.palette = palette
        self.detail: Detail | None = None
        self.settings = ChartSettings()

    def shows(self, detail: Detail) -> bool:
        """True if `detail` is this screen's pair."""
        return (self.symbol, self.benchmark) == (detail.symbol, detail.benchmark)

    def compose(self) -> ComposeResult:
        yield Static(f"{self.symbol} · {name_of(self.symbol)}", id="detail-title", markup=False)
        with Horizontal(id="detail-top"):
            yield RSChart(id="detail-rs")
            returns: DataTable[Any] = DataTable(id="detail-returns", cursor_type="none")
            returns.add_column("", key="period", width=4)
            returns.add_column("Return", key="ret", width=8)
            returns.add_column(f"RS {self.benchmark}", key="rs", width=8)
            yield returns
        holdings: DataTable[Any] = DataTable(id="holdings", cursor_type="row")
        yield holdings
        yield Static("loading holdings…", id="holdings-note", markup=False)
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-rs", RSChart).show(
            ChartData(title=f"{self.symbol}/{self.benchmark}", note="loading…")
        )
        self.query_one("#holdings", DataTable).focus()
        self.watch(self.app, "chart_settings", self._use_settings)
        self.watch(self.app, "status", self.show_status)

    def _use_settings(self, settings: ChartSettings) -> None:
        changed = settings != self.settings
        self.settings = settings
        if changed:
            self.redraw_charts()

    def show_status(self, status: Status) -> None:
        self.query_one(StatusBar).show(status)

    def show_detail(self, detail: Detail) -> None:
        """Fill the chart, the returns and the holdings."""
        self.detail = detail
        chart = detail_chart(detail.rs, detail.symbol, self.settings)
        self.query_one("#detail-rs", RSChart).show(chart)
        returns = self.query_one("#detail-returns", DataTable)
        returns.clear()
        row = detail.row or {}
        for period in PERIODS:
            returns.add_row(
                period,
                signed_text((row.get("ret") or {}).get(period), self.palette),
                signed_text((row.get("rs") or {}).get(period), self.palette),
            )
        returns.add_row("52wH", signed_text(row.get("from_high"), self.palette), "")
        self._fill_holdings()
        self.query_one("#holdings", DataTable).display = bool(detail.holdings)
        self.query_one("#holdings-note", Static).update(detail.holdings_note)

    def redraw_charts(self) -> None:
        if self.detail is not None:
            chart = detail_chart(self.detail.rs, self.detail.symbol, self.settings)
            self.query_one("#detail-rs", RSChart).show(chart)

    def holdings_columns(self) -> list[tuple[str, str, int]]:
        """(key, label, width) of the holdings table; fewer under 120 columns of terminal."""
        compact = self.app.size.width < 120
        columns = [
            ("symbol", "Symbol", 6),
            ("name", "Name", 14 if compact else 22),
            ("weight", "Wt%", 5),
            ("last", "Last", 8),
            ("1D", "1D", 7),
            ("1M", "1M", 7),
            ("3M", "3M", 7),
            ("YTD", "YTD", 8),
            ("rs_sector", f"RS {self.symbol} 3M", 9),
            ("rs_bench", f"RS {self.benchmark} 3M", 9),
        ]
        if compact:
            columns = [c for c in columns if c[0] not in ("1D", "1M", "YTD")]
        return columns

    def on_resize(self) -> None:
        if self.detail is not None:
            self._fill_holdings()

    def _fill_holdings(self) -> None:
        """(Re)build the holdings table for the current width; no data is never a number."""
        assert self.detail is not None
        columns = self.holdings_columns()
        holdings = self.query_one("#holdings", DataTable)
        holdings.clear(columns=True)
        for key, label, width in columns:
            holdings.add_column(label, key=key, width=width)
        for item in self.detail.holdings:
            weight = item.get("weight_pct")
            ret = item["ret"]
            stale = item["has_data"] and item["symbol"] not in self.detail.fresh
            cells: dict[str, Any] = {
                "symbol": Text(f"{item['symbol']}*", style="dim") if stale else item["symbol"],
                "name": item["name"],
                "weight": "" if weight is None else f"{weight:.1f}",
            }
            if item["has_data"]:
                cells["last"] = Text(price(item["close"]), justify="right")
                for period in ("1D", "1M", "3M", "YTD"):
                    cells[period] = signed_text(ret.get(period), self.palette)
                cells["rs_sector"] = signed_text(item["rs_sector"].get("3M"), self.palette)
                cells["rs_bench"] = signed_text(item["rs"].get("3M"), self.palette)
            else:
                cells["last"] = Text("no data", style="dim")
            holdings.add_row(*[cells.get(key, "") for key, _, _ in columns], key=item["symbol"])

    def action_back(self) -> None:
        self.dismiss()
