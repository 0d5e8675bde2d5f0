"""Drill-down of one symbol: its RS vs the benchmark, its returns, and its main holdings.

For a sector with a bundled holdings list also its breadth — the share of its holdings above
their 50- and 200-day averages and at 20-day highs, out of ``n`` with data, and the
equal-weight basket of its holdings against the ETF — with a history chart over the chart
period, the caveat (top-15 holdings only, membership as of 2025-11-18), and the attribution of
its move against the benchmark over the same period: each holding's weight × (its return −
the benchmark's), plus "other" for what the listed holdings do not explain. Under 140 columns
``v`` cycles through the holdings, the breadth and the attribution; wider, all are shown.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.app.charts import ChartSettings, cut, detail_chart, finite_lines
from tui.app.widgets.footer import FittedFooter
from tui.app.widgets.rs_chart import ChartData, RSChart
from tui.app.widgets.status_bar import Status, StatusBar
from tui.format import Palette, pct, price, signed_text
from tui.report import BreadthSeries, Detail
from tui.universe import name_of

PERIODS = ("1D", "1W", "1M", "3M", "6M", "YTD", "1Y")
COMPACT_WIDTH = 140
"""Under this many columns the drill-down shows one of :data:`VIEWS` (``v``)."""
VIEWS = ("holdings", "breadth", "attribution")


def breadth_chart(history: BreadthSeries | None, symbol: str, settings: ChartSettings) -> ChartData:
    """The share of the sector's holdings above their 50- and 200-day averages (percent) over
    the chart period."""
    title = f"{symbol} breadth · % above 50d/200d avg · {settings.period}"
    if history is None or not history.dates:
        return ChartData(title=title, note="no holdings data")
    period = settings.period
    lines = finite_lines(
        cut(history.dates, period),
        [
            ("above 50d", cut(history.above_50, period), "cyan", "braille"),
            ("above 200d", cut(history.above_200, period), "orange", "dot"),
        ],
        scale=100.0,
    )
    return ChartData(title=title, series=lines, note="too little history for breadth")


def _share(value: float | None, n: int) -> str:
    if value is None:
        return "n/a"
    return f"{100 * value:5.1f}% of {n}"


NAME_SUFFIXES = frozenset(
    {"INC", "INC.", "CORP", "CO", "CO.", "COS", "LTD", "PLC", "CL", "CLASS", "SHARES", "THE"}
    | {"A", "B", "C", "IN", "+", "&"}
)
"""Words a holding's name loses from its end when it does not fit (legal forms, share
classes, the '/THE' of State Street's list and a '+' left over)."""
NAME_ABBREVIATIONS = {
    "AMERICA": "AMER",
    "AMERICAN": "AMER",
    "COMMUNICATIONS": "COMMS",
    "ELECTRIC": "ELEC",
    "ENTERTAINMENT": "ENTMT",
    "FINANCIAL": "FINL",
    "HOLDINGS": "HLDGS",
    "INDUSTRIES": "INDS",
    "INTERNATIONAL": "INTL",
    "LABORATORIES": "LABS",
    "MATERIALS": "MATLS",
    "PROPERTIES": "PPTYS",
    "RESOURCES": "RES",
    "SCIENTIFIC": "SCI",
    "SYSTEMS": "SYS",
    "TECHNOLOGIES": "TECH",
    "TECHNOLOGY": "TECH",
}
"""Conventional abbreviations used in a holding's name that does not fit."""
NAME_CONNECTORS = frozenset({"+", "&", "AND", "OF"})
"""Words a shortened name never ends on ("BANK OF" → "BANK")."""


def short_name(name: str, width: int) -> str:
    """A holding's name in at most ``width`` cells, shortened by rule, never cut mid-word.

    A name that fits is kept. Otherwise, in turn while it is too wide: the words of
    NAME_SUFFIXES are dropped from its end ("PALANTIR TECHNOLOGIES INC A" → "PALANTIR
    TECHNOLOGIES"), the words of NAME_ABBREVIATIONS are abbreviated ("PALANTIR TECH"), whole
    words are dropped from its end ("ADVANCED MICRO DEVICES" → "ADVANCED MICRO", never
    ending on a NAME_CONNECTORS word: "JOHNSON + JOHNSON" → "JOHNSON"), and a
    first word still too wide keeps its first ``width - 1`` letters and a '.'.
    """
    if len(name) <= width:
        return name
    words = [w.removesuffix("/THE") for w in name.split()]
    while len(words) > 1 and words[-1] in NAME_SUFFIXES:
        words.pop()
    if len(" ".join(words)) > width:
        words = [NAME_ABBREVIATIONS.get(w, w) for w in words]
    while len(words) > 1 and len(" ".join(words)) > width:
        words.pop()
        while len(words) > 1 and words[-1] in NAME_CONNECTORS:
            words.pop()
    text = " ".join(words)
    return text if len(text) <= width else text[: max(1, width - 1)] + "."


class DetailScreen(Screen[None]):
    """Opened with Enter on a row; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the dashboard"),
        Binding(
            "v",
            "view",
            "View",
            tooltip="Under 140 columns: the holdings, the sector's breadth or its attribution",
        ),
        Binding(
            "C",
            "concentration",
            "Concentration",
            tooltip="SPY: the mega caps' weight in it, their basket, their part in its move",
        ),
    ]
    CSS_PATH = "../detail.tcss"

    def __init__(self, symbol: str, benchmark: str, palette: Palette) -> None:
        super().__init__()
        self.symbol = symbol
        self.benchmark = benchmark
        self.palette = palette
        self.detail: Detail | None = None
        self.settings = ChartSettings()
        self.view = "holdings"
        """Under 140 columns: which of "holdings" and "breadth" is shown."""
        self.holdings_as_of = ""
        """Where the holdings' prices come from (the app's ``holdings_as_of``)."""
        self._attribution_rows = 0  # the height the attribution was drawn for

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
        with Horizontal(id="detail-breadth"):
            yield RSChart(id="breadth-chart")
            yield Static("", id="breadth-facts")
            yield Static("", id="attribution")
        holdings: DataTable[Any] = DataTable(id="holdings", cursor_type="row")
        yield holdings
        yield Static("loading holdings…", id="holdings-note", markup=False)
        yield StatusBar(id="status")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-rs", RSChart).show(
            ChartData(title=f"{self.symbol}/{self.benchmark}", note="loading…")
        )
        self.query_one("#holdings", DataTable).focus()
        self.query_one("#detail-breadth").display = False
        self._set_compact(self.app.size.width)
        self.watch(self.app, "chart_settings", self._use_settings)
        self.watch(self.app, "status", self.show_status)
        self.watch(self.app, "holdings_as_of", self._use_holdings_as_of)

    def _set_compact(self, width: int) -> None:
        """Wide: holdings, breadth and attribution; under 140 columns one view (``v``)."""
        compact = width < COMPACT_WIDTH
        has = self.detail is not None and self.detail.breadth is not None
        view = self.view if (compact and has) else "all"
        show_breadth = has and view != "holdings"
        self.set_class(compact and show_breadth, "-breadth-only")
        self.query_one("#detail-breadth").display = show_breadth
        self.query_one("#breadth-chart").display = view in ("all", "breadth")
        self.query_one("#attribution").display = view in ("all", "attribution")
        holdings = self.detail is not None and bool(self.detail.holdings)
        self.query_one("#holdings", DataTable).display = holdings and not (compact and show_breadth)

    def _use_settings(self, settings: ChartSettings) -> None:
        changed = settings != self.settings
        self.settings = settings
        if changed:
            self.redraw_charts()

    def _use_holdings_as_of(self, text: str) -> None:
        """The holdings' as-of changed (a holdings refresh). It goes in the note under the
        holdings table, which stays on screen with the breadth and the attribution too."""
        self.holdings_as_of = text
        if self.detail is not None:
            self._show_holdings_note()

    def _show_holdings_note(self) -> None:
        """The note under the holdings table, with the prices' as-of when it lists bundled
        holdings (a sector: it has their breadth; not KRE's stand-ins from the universe)."""
        assert self.detail is not None
        note = self.detail.holdings_note
        if self.detail.breadth is not None and self.holdings_as_of:
            note += f" · {self.holdings_as_of}"
        self.query_one("#holdings-note", Static).update(note)

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
        self._show_holdings_note()
        self._set_compact(self.app.size.width)
        self._show_breadth()
        self.refresh_bindings()

    def redraw_charts(self) -> None:
        if self.detail is not None:
            chart = detail_chart(self.detail.rs, self.detail.symbol, self.settings)
            self.query_one("#detail-rs", RSChart).show(chart)
            self._show_breadth()

    def _show_breadth(self) -> None:
        """The breadth chart, figures and attribution over the chart period."""
        detail = self.detail
        if detail is None or detail.breadth is None:
            return
        chart = breadth_chart(detail.breadth_history, detail.symbol, self.settings)
        self.query_one("#breadth-chart", RSChart).show(chart)
        self.query_one("#breadth-facts", Static).update(self._breadth_facts(detail))
        box = self.query_one("#attribution", Static)
        box.update(self._attribution(detail, box.content_region.height or None))
        self._attribution_rows = box.content_region.height
        self.call_after_refresh(self._fit_attribution)

    def _fit_attribution(self) -> None:
        """The attribution drawn again when its box's height is not the one it was drawn for
        (it lists the holdings that fit, then how many more: a list is never cut unsaid)."""
        box = self.query_one("#attribution", Static)
        height = box.content_region.height
        if self.detail is not None and height and height != self._attribution_rows:
            self._attribution_rows = height
            box.update(self._attribution(self.detail, height))

    def _breadth_facts(self, detail: Detail) -> Content:
        b = detail.breadth or {}
        history = detail.breadth_history
        rel_now = rel_then = None
        if history is not None and history.basket_vs_etf:
            window = [v for v in cut(history.basket_vs_etf, self.settings.period) if v == v]
            if len(window) >= 2:
                rel_now, rel_then = window[-1], window[0]
        basket = "n/a" if rel_now is None or rel_then is None else pct(rel_now / rel_then - 1)
        missing = b.get("no_data") or []
        no_data = f" · no data: {', '.join(missing)}" if missing else ""
        return Content.assemble(
            (f"Breadth of {detail.symbol}", "bold"),
            f" · {b.get('as_of') or 'n/a'}\n",
            ("Above 50d   ", "$text-muted"),
            f"{_share(b.get('above_50'), b.get('n_50', 0))}\n",
            ("Above 200d  ", "$text-muted"),
            f"{_share(b.get('above_200'), b.get('n_200', 0))}\n",
            ("20d high    ", "$text-muted"),
            f"{_share(b.get('high_20'), b.get('n_20', 0))}\n",
            ("With data   ", "$text-muted"),
            f"n = {b.get('n', 0)}{no_data}\n",
            ("Eq-wt/ETF   ", "$text-muted"),
            f"{basket} {self.settings.period}\n",
            (detail.breadth_caveat, "$text-warning"),
        )

    def _attribution(self, detail: Detail, lines: int | None = None) -> Content:
        """The sector's move over the chart period, holding by holding (largest first); in
        at most ``lines`` lines, the last saying how many smaller ones there are."""
        a = detail.attribution.get(self.settings.period)
        vs = detail.benchmark if detail.benchmark != detail.symbol else None
        head = f"Attribution · {detail.symbol}{f' vs {vs}' if vs else ''} · {self.settings.period}"
        if a is None:
            why = detail.attribution_error or "no data for the window"
            return Content.assemble((head + "\n", "bold"), (why, "$text-muted"))
        parts: list[str | tuple[str, str]] = [
            (head + "\n", "bold"),
            (f"{a['start']} → {a['end']}\n", "$text-muted"),
            ("move      ", "$text-muted"),
            f"{pct(a['move']):>8}\n",
            ("holdings  ", "$text-muted"),
            f"{pct(a['explained']):>8}\n",
            ("other     ", "$text-muted"),
            f"{pct(a['other']):>8}\n",
            ("weight × (return − benchmark's)\n", "$text-muted"),
        ]
        if a["no_data"]:
            parts.append((f"no data: {', '.join(a['no_data'])} (in other)\n", "$text-muted"))
        parts.append(("Symbol  Wt%      Ret  Contrib\n", "$text-muted"))
        items = [c for c in a["contributions"] if c["contribution"] is not None]
        items.sort(key=lambda c: -abs(c["contribution"]))
        room = len(items)
        if lines is not None:
            used = sum(str(p if isinstance(p, str) else p[0]).count("\n") for p in parts)
            room = max(0, lines - used)
            if room < len(items):
                room = max(0, room - 1)  # one line for "+12 smaller"
        for c in items[:room]:
            parts.append(
                f"{c['symbol']:<6} {100 * c['weight']:4.1f} {pct(c['ret']):>8}"
                f" {pct(c['contribution']):>8}\n"
            )
        if room < len(items):
            more = len(items) - room
            parts.append((f"+{more} smaller (a taller window shows them)\n", "$text-muted"))
        return Content.assemble(*parts).rstrip()

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
        self._set_compact(self.app.size.width)
        if self.detail is not None:
            self._fill_holdings()
            self._show_breadth()

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
                "name": short_name(item["name"], dict((k, w) for k, _, w in columns)["name"]),
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view":
            has = self.detail is not None and self.detail.breadth is not None
            return (has and self.app.size.width < COMPACT_WIDTH) or None
        if action == "concentration":  # in the footer on SPY's drill-down (C works anywhere)
            return self.symbol == "SPY"
        return True

    async def action_concentration(self) -> None:
        await self.app.run_action("concentration")

    def action_view(self) -> None:
        """Under 140 columns: the holdings, then the breadth, then the attribution."""
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self._set_compact(self.app.size.width)
        self.call_after_refresh(self._show_breadth)

    def action_back(self) -> None:
        self.dismiss()
