"""Drill-down of one symbol: its RS vs the benchmark, its returns, and its main holdings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.app.screens.dashboard import with_average
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
        for key, label, width in (
            ("symbol", "Symbol", 6),
            ("name", "Name", 22),
            ("weight", "Wt%", 5),
            ("last", "Last", 8),
            ("1D", "1D", 7),
            ("1M", "1M", 7),
            ("3M", "3M", 7),
            ("YTD", "YTD", 8),
            ("rs_sector", f"RS {self.symbol} 3M", 9),
            ("rs_bench", f"RS {self.benchmark} 3M", 9),
        ):
            holdings.add_column(label, key=key, width=width)
        yield holdings
        yield Static("loading holdings…", id="holdings-note", markup=False)
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-rs", RSChart).show(
            ChartData(title=f"{self.symbol}/{self.benchmark}", note="loading…")
        )
        self.query_one("#holdings", DataTable).focus()

    def show_status(self, status: Status) -> None:
        self.query_one(StatusBar).show(status)

    def show_detail(self, detail: Detail) -> None:
        """Fill the chart, the returns and the holdings."""
        self.detail = detail
        title = f"{detail.rs.label if detail.rs else detail.symbol} · 1Y · 50-day average"
        if detail.rs is None:
            chart = ChartData(title=title, note="no common data with the benchmark")
        else:
            chart = ChartData(title=title, series=with_average(detail.rs))
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
        holdings = self.query_one("#holdings", DataTable)
        holdings.clear()
        for item in detail.holdings:
            weight = item.get("weight_pct")
            if not item["has_data"]:
                holdings.add_row(
                    item["symbol"],
                    item["name"],
                    "" if weight is None else f"{weight:.1f}",
                    Text("no data", style="dim"),
                    *[""] * 6,
                    key=item["symbol"],
                )
                continue
            ret = item["ret"]
            holdings.add_row(
                item["symbol"],
                item["name"],
                "" if weight is None else f"{weight:.1f}",
                Text(price(item["close"]), justify="right"),
                signed_text(ret.get("1D"), self.palette),
                signed_text(ret.get("1M"), self.palette),
                signed_text(ret.get("3M"), self.palette),
                signed_text(ret.get("YTD"), self.palette),
                signed_text(item["rs_sector"].get("3M"), self.palette),
                signed_text(item["rs"].get("3M"), self.palette),
                key=item["symbol"],
            )
        holdings.display = bool(detail.holdings)
        self.query_one("#holdings-note", Static).update(detail.holdings_note)

    def action_back(self) -> None:
        self.dismiss()
