"""Your book against the rotation: value and P&L per position, sector exposure against SPY."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.app.widgets.footer import FittedFooter
from tui.format import Palette, pct, price, signed_text

if TYPE_CHECKING:
    from tui.analytics.exposure import Book

WIDE = 100
"""From this many columns the table also shows the last close and the weight."""


def money(value: float | None, signed: bool = False) -> str:
    """``12,345.67`` (``+``/``−`` when signed); ``n/a`` for None."""
    if value is None:
        return "n/a"
    sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else ""
    if not signed and value < 0:
        sign = "−"
    return f"{sign}{abs(value):,.2f}"


def money_text(value: float | None, palette: Palette) -> Text:
    style = (
        "dim" if value is None else palette.up if value > 0 else palette.down if value < 0 else ""
    )
    return Text(money(value, signed=True), style=style, justify="right")


def exposure_lines(book: Book) -> list[str]:
    """One line per sector, largest difference first: the label ('overweight XLK +12.0 pts ·
    XLK Lagging ▼') and the two weights; then what was not looked through."""
    from tui.analytics.exposure import sector_label

    rows = sorted(book.sectors, key=lambda s: (-abs(s.diff_pts), s.sector))
    out = [
        f"{sector_label(s, book.benchmark)}  (book {pct(s.book_weight, 1).lstrip('+')}, "
        f"{book.benchmark} {pct(s.bench_weight, 1).lstrip('+')})"
        for s in rows
    ]
    for item in book.not_looked_through:
        out.append(
            f"{item['symbol']} not looked through ({pct(item['weight'], 1).lstrip('+')} of "
            f"the book): {item.get('reason', '')}".rstrip(": ")
        )
    if book.missing:
        out.append("no close for: " + " ".join(book.missing))
    return out


class PositionsScreen(Screen[None]):
    """The positions file (tui.glance.book), read in a thread; Esc goes back."""

    DEFAULT_CSS = """
    PositionsScreen #book-title { height: 1; padding: 0 1; background: $primary-muted;
        text-style: bold; }
    PositionsScreen #book-body { height: 1fr; }
    PositionsScreen #book-table { height: auto; max-height: 60%; }
    PositionsScreen .book-text { padding: 0 1; }
    PositionsScreen #book-problems { color: $text-warning; }
    PositionsScreen #book-notes { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the dashboard"),
    ]

    def __init__(self, palette: Palette, glance_inputs: Callable[[], Any]) -> None:
        super().__init__()
        self.palette = palette
        self.glance_inputs = glance_inputs
        self.book: Book | None = None
        self.problems: list[str] = []
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Static("Your book against the rotation", id="book-title", markup=False)
        with VerticalScroll(id="book-body"):
            yield Static("reading the positions…", id="book-summary", classes="book-text")
            yield DataTable(id="book-table", cursor_type="row")
            yield Static("", id="book-exposure", classes="book-text", markup=False)
            yield Static("", id="book-problems", classes="book-text", markup=False)
            yield Static("", id="book-notes", classes="book-text", markup=False)
        yield FittedFooter()

    def on_mount(self) -> None:
        self.query_one("#book-table").display = False
        self.run_worker(self._compute, thread=True, exclusive=True, exit_on_error=False)

    def _compute(self) -> None:
        from tui.glance import book, no_positions_message

        try:
            inputs = self.glance_inputs()
            found, problems = book(inputs)
        except Exception as error:  # the cache went away: say so, never a traceback
            self.app.call_from_thread(self._ready, None, [], f"no data: {error}")
            return
        missing = found is None and inputs.positions_path is None
        message = no_positions_message() if missing else ""
        self.app.call_from_thread(self._ready, found, problems, message)

    def _ready(self, found: Book | None, problems: list[str], message: str) -> None:
        self.book, self.problems, self.message = found, problems, message
        self._show()

    def _show(self) -> None:
        summary = self.query_one("#book-summary", Static)
        problems = self.query_one("#book-problems", Static)
        problems.update("\n".join(self.problems))
        problems.display = bool(self.problems)
        book = self.book
        if book is None:
            summary.update(Text(self.message or "no positions read", style="bold"))
            return
        summary.update(self._summary(book))
        self._fill_table(book)
        lines = exposure_lines(book)
        head = f"Exposure by sector against {book.benchmark}:"
        self.query_one("#book-exposure", Static).update("\n".join([head, *lines]))
        self.query_one("#book-notes", Static).update("\n".join(book.notes))

    def _summary(self, book: Book) -> Text:
        text = Text(f"As of {book.as_of or '—'} · value {money(book.total_value)} · day ")
        text.append_text(money_text(book.day_pnl, self.palette))
        text.append(f" ({pct(book.day_pct)}) · total ")
        text.append_text(money_text(book.total_pnl, self.palette))
        text.append(f" ({pct(book.total_pct)})")
        text.justify = "left"
        return text

    def _fill_table(self, book: Book) -> None:
        table: DataTable[Any] = self.query_one("#book-table", DataTable)
        wide = self.app.size.width >= WIDE
        table.clear(columns=True)
        table.add_column("Symbol", key="symbol")
        table.add_column("Qty", key="qty")
        if wide:
            table.add_column("Last", key="last")
        table.add_column("Value", key="value")
        table.add_column("Day P&L", key="day")
        table.add_column("Day", key="day_pct")
        table.add_column("Total P&L", key="total")
        table.add_column("Total", key="total_pct")
        if wide:
            table.add_column("Weight", key="weight")
        for p in book.positions:
            cells: list[Any] = [
                Text(p.symbol + ("*" if p.stale else "")),
                Text(f"{p.quantity:,.10g}", justify="right"),
            ]
            if wide:
                cells.append(Text(price(p.close), justify="right"))
            cells += [
                Text(money(p.value), justify="right"),
                money_text(p.day_pnl, self.palette),
                signed_text(p.day_pct, self.palette),
                money_text(p.total_pnl, self.palette),
                signed_text(p.total_pct, self.palette),
            ]
            if wide:
                weight = "n/a" if p.weight is None else pct(p.weight, 1).lstrip("+")
                cells.append(Text(weight, justify="right"))
            table.add_row(*cells, key=p.symbol)
        table.display = True

    def action_back(self) -> None:
        self.app.pop_screen()
