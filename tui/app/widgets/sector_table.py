"""The sector table: one row per symbol, grouped, sortable, updated cell by cell.

It receives report rows (plain dicts) and never fetches anything. Refreshed figures only
touch the cells whose text changed, so an idle dashboard writes nothing to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tui.app.messages import OpenSymbol, SymbolHighlighted
from tui.format import MINUS, NA, Palette, bp, pct, price, sparkline, trend_text
from tui.universe import NOT_PRICES

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions

Row = dict[str, Any]


class CellText(Text):
    """A cell's text that renders a plain line that fits straight to its one segment.

    That segment is what Rich's general path (split, wrap, justify, join, render) yields for
    such a line. The table paints a few hundred cells in its first frame, and taking the
    segment directly saves a fifth of that paint (23 → 18 ms for 26 rows of 13 columns).
    Anything else (spans, tabs, several lines, a text wider than its column, full
    justification) goes the general way; tests/test_first_frame.py holds the two equal.
    """

    __slots__ = ()

    @classmethod
    def of(cls, text: Text) -> Text:
        """The same text as a CellText (a text with spans is returned as it is)."""
        if text.spans:
            return text
        return cls(
            text.plain,
            style=text.style,
            justify=text.justify,
            overflow=text.overflow,
            no_wrap=text.no_wrap,
            end=text.end,
            tab_size=text.tab_size,
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        line = self._line(options)
        if line is None:
            yield from super().__rich_console__(console, options)
            return
        if not self.style:
            yield Segment(line)
        elif line:  # Rich's span over an empty line yields nothing
            yield Segment(line, console.get_style(self.style, default=Style.null()))
        if self.end:
            yield Segment(self.end)

    def _line(self, options: ConsoleOptions) -> str | None:
        """The justified line, or None where the general path is needed."""
        plain = self.plain
        if self.spans or "\n" in plain or "\t" in plain:
            return None
        if (self.overflow or options.overflow) == "ignore":
            return None  # Rich skips justification then
        justify = self.justify or options.justify or "default"
        if justify in ("right", "center"):
            plain = plain.rstrip()
        excess = options.max_width - cell_len(plain)
        if excess < 0:
            return None
        if justify == "right":
            return " " * excess + plain
        if justify == "center":
            return " " * (excess // 2) + plain + " " * (excess - excess // 2)
        if justify == "left":
            return plain + " " * excess
        return plain if justify == "default" else None


@dataclass(frozen=True)
class Column:
    """One table column: its key, header, width and how to read and sort a row."""

    key: str
    label: str
    width: int
    compact: bool  # always shown (these fit 80 columns); the others only when there is room
    value: Callable[[Row], float | str | None]


def _ret(period: str) -> Callable[[Row], float | None]:
    return lambda row: (row.get("ret") or {}).get(period)


def _rs(period: str) -> Callable[[Row], float | None]:
    return lambda row: (row.get("rs") or {}).get(period)


def _trend_rank(row: Row) -> float | None:
    trend = row.get("rs_trend") or {}
    return trend.get("vs_sma")


COLUMNS: tuple[Column, ...] = (
    Column("symbol", "Symbol", 6, True, lambda r: r["symbol"]),
    Column("last", "Last", 8, True, lambda r: r.get("close")),
    Column("1D", "1D", 7, True, _ret("1D")),
    Column("1W", "1W", 7, False, _ret("1W")),
    Column("1M", "1M", 7, True, _ret("1M")),
    Column("3M", "3M", 7, True, _ret("3M")),
    Column("6M", "6M", 7, False, _ret("6M")),
    Column("YTD", "YTD", 8, True, _ret("YTD")),
    Column("1Y", "1Y", 8, False, _ret("1Y")),
    Column("rs1M", "RS 1M", 7, False, _rs("1M")),
    Column("rs3M", "RS 3M", 7, True, _rs("3M")),
    Column("trend", "T", 1, True, _trend_rank),
    Column("high", "52wH", 7, True, lambda r: r.get("from_high")),
    Column("quad", "Quad", 6, False, lambda r: QUADRANT_RANK.get(r.get("quadrant") or "")),
    Column("spark", "3 months", 12, False, lambda r: None),
    Column("b50", ">50d", 5, False, lambda r: None),
    Column("b200", ">200d", 5, False, lambda r: None),
    Column("b20", "20dH", 5, False, lambda r: None),
)
BREADTH_KEYS: dict[str, str] = {"b50": "above_50", "b200": "above_200", "b20": "high_20"}
"""The breadth columns and the figure of ``Monitor.market_breadth()["per_sector"]`` each
shows: the share of a sector's bundled top-15 holdings above their 50-day / 200-day
average, at a 20-day high (blank on a row that is not a sector ETF)."""
BREADTH_CAVEAT = (
    "Breadth: >50d, >200d = share of the sector's holdings above their 50-/200-day average,"
    " 20dH = at a 20-day high · top-15 holdings only, membership as of 2025-11-18"
)
"""What the dashboard says under the table while a breadth column is shown."""
SORTABLE = tuple(c.key for c in COLUMNS if c.key != "spark" and c.key not in BREADTH_KEYS)
OPTIONAL_ORDER = ("quad", "rs1M", "1Y", "b50", "b200", "b20", "1W", "6M", "spark")
"""Columns added, in this order, while the table has room for them (the breadth columns
only once the breadth is known: :meth:`SectorTable.set_breadth`)."""
DROP_ORDER = ("YTD", "1M", "1D", "high", "3M", "trend", "last", "rs3M")
"""The always-shown columns given up, in this order, when even they do not fit (a window
under 80 columns, or the wide layout's table beside its charts): a column is dropped
whole, never cut."""
CELL_PADDING = 2
SYMBOL_MIN = 6
"""The symbol column's narrowest width (it shrinks to this before any column is dropped)."""
SCROLLBAR = 2
"""Room kept for the vertical scrollbar."""


# -- figures that fit their column -------------------------------------------------------
# tui.format bounds every figure (``>+999%``, ``1.0e308``), a few characters wider than an
# ordinary one; these give each a form that fits its column's width, so no figure is ever cut.


def fit_pct(value: float | None, width: int) -> str:
    """A signed percentage in at most ``width`` cells: two decimals, then one (+123.4%),
    then the bounded form (>+999%)."""
    for digits in (2, 1, 0):
        text = pct(value, digits)
        if cell_len(text) <= width:
            return text
    return text


def fit_bp(points: float | None, width: int) -> str:
    """A yield change in basis points in at most ``width`` cells; a change too large for
    that reads in whole percentage points (+150pt, >+999pt)."""
    text = bp(points)
    if cell_len(text) <= width or text == NA or points is None:
        return text
    size = abs(points)
    sign = "+" if points > 0 else MINUS
    if size >= 999.5:  # inf included
        return ">+999pt" if points > 0 else f"<{MINUS}999pt"
    return f"{sign}{size:.0f}pt"


def fit_price(value: float | None, width: int) -> str:
    """A price in at most ``width`` cells: as tui.format writes it, else in scientific form
    (9,999,999 → 1.0e7)."""
    text = price(value)
    if cell_len(text) <= width or value is None:
        return text
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.replace('-', MINUS)}e{int(exponent)}"


def _signed(text: str, value: float | None, palette: Palette) -> Text:
    """A figure right-aligned and coloured by its sign, which the text carries too (as
    tui.format.signed_text does; zero has no sign and no colour)."""
    if value is None or text == NA:
        return Text(text, style="dim", justify="right")
    sign = text.lstrip("<>")[:1]
    style = palette.up if sign == "+" else palette.down if sign == MINUS else ""
    return Text(text, style=style, justify="right")


QUADRANT_SHORT = {"Leading": "Lead", "Weakening": "Weak", "Lagging": "Lag", "Improving": "Impr"}
QUADRANT_RANK = {"Leading": 4, "Improving": 3, "Weakening": 2, "Lagging": 1}


def quadrant_text(row: Row, palette: Palette) -> Text:
    """The weekly RRG quadrant, with '↻' when it changed since last week."""
    quadrant = row.get("quadrant")
    if not quadrant:
        return Text("·", style="dim", justify="center")
    previous = row.get("previous_quadrant")
    changed = previous is not None and previous != quadrant
    style = {"Leading": palette.up, "Lagging": palette.down}.get(quadrant, "")
    return Text(QUADRANT_SHORT[quadrant] + ("↻" if changed else ""), style=style)


def _ellipsis(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in '…' where it was shortened."""
    if cell_len(text) <= width:
        return text
    while text and cell_len(text) > width - 1:
        text = text[:-1]
    return text + "…"


GROUP_ABBREVIATIONS: dict[str, str] = {
    "benchmarks": "Bench",
    "commodities": "Cmdty",
    "cyclicals": "Cycl",
    "defensives": "Def",
    "emerging": "EM",
    "financials": "Fin",
    "international": "Intl",
    "markets": "Mkts",
    "semiconductors": "Semis",
    "style": "Sty",
    "technology": "Tech",
}
"""Conventional abbreviations of words that group names often hold (see group_lines)."""


def group_lines(name: str, width: int) -> list[str]:
    """A group's name in lines of at most ``width`` cells, never cut mid-word.

    The rule: a name that fits is one line. Otherwise its words of GROUP_ABBREVIATIONS are
    abbreviated ("Benchmarks" → "Bench", "Size/Style/Intl" → "Size/Sty/Intl"), then it
    wraps after each '/' and at spaces (in 8 cells: "Size/", "Sty/Intl"), and a word still
    wider than the column keeps its first ``width - 1`` letters and a '.'.
    """
    if cell_len(name) <= width:
        return [name]
    pieces = []
    for piece in re.findall(r"[^/ ]+/?|/", name):
        word, slash = piece.rstrip("/"), piece[len(piece.rstrip("/")) :]
        word = GROUP_ABBREVIATIONS.get(word.lower(), word)
        if cell_len(word + slash) > width:
            word = word[: max(1, width - 1 - len(slash))] + "."
        pieces.append(word + slash)
    lines: list[str] = []
    for piece in pieces:
        joiner = "" if lines and lines[-1].endswith("/") else " "
        if lines and cell_len(lines[-1] + joiner + piece) <= width:
            lines[-1] = lines[-1] + joiner + piece
        else:
            lines.append(piece)
    return lines


def breadth_text(breadth: dict[str, Any] | None, figure: str) -> Text:
    """A breadth share as a whole percentage ("60%"), blank for a row that is not a sector
    ETF, "n/a" when no holding has the data."""
    if breadth is None:
        return Text("")
    value = breadth.get(figure)
    if value is None or value != value:  # None or NaN: no holding with enough data
        return Text(NA, style="dim", justify="right")
    return Text(f"{100 * value:.0f}%", justify="right")


def figure_cell(column: Column, row: Row, palette: Palette) -> Text | str:
    """The cell of any column but the symbol's (which depends on the table's width and the
    benchmark's date) for a report row: the same whatever the layout, so it can be made in
    a worker (:func:`prepare_cells`)."""
    key = column.key
    if key == "last":
        return Text(fit_price(row.get("close"), column.width), justify="right")
    if key == "trend":
        if row["symbol"] in NOT_PRICES:
            return Text("·", style="dim", justify="center")
        return trend_text((row.get("rs_trend") or {}).get("state"), palette)
    if key == "spark":
        return Text(sparkline(row.get("spark") or [], column.width), style="dim")
    if key == "quad":
        return quadrant_text(row, palette)
    changes = row.get("chg")
    no_rs = row["symbol"] in NOT_PRICES  # yields and index levels: a ratio means nothing
    if no_rs and key in ("rs1M", "rs3M"):
        return Text("·", style="dim", justify="right")
    if changes is not None:  # a yield: moves in basis points
        points = changes.get("52wH" if key == "high" else key)
        return _signed(fit_bp(points, column.width), points, palette)
    value = column.value(row)
    assert not isinstance(value, str)
    return _signed(fit_pct(value, column.width), value, palette)


@dataclass(frozen=True)
class PreparedCells:
    """Every figure cell of some report rows, formatted off the UI thread: (symbol, column
    key) -> (plain text, the cell as the table stores it)."""

    rows: Sequence[Row]
    palette: Palette
    cells: dict[tuple[str, str], tuple[str, Text | str]]


def prepare_cells(rows: Sequence[Row], palette: Palette) -> PreparedCells:
    """Format every cell but the symbol's of ``rows`` (for a worker; no widget is touched).

    With 500 rows that is 7,000 cells: building their Text on the UI thread was the longest
    part of showing a refreshed report (46-100 ms). :meth:`SectorTable.use_prepared` takes
    the result, so the UI thread only compares plain text with what is on screen."""
    cells: dict[tuple[str, str], tuple[str, Text | str]] = {}
    figures = [c for c in COLUMNS if c.key != "symbol" and c.key not in BREADTH_KEYS]
    for row in rows:
        symbol = row["symbol"]
        for column in figures:
            cell = figure_cell(column, row, palette)
            if isinstance(cell, Text):
                cells[(symbol, column.key)] = (cell.plain, CellText.of(cell))
            else:
                cells[(symbol, column.key)] = (cell, cell)
    return PreparedCells(rows, palette, cells)


def group_key(name: str) -> str:
    """Row key of a group's header row (never a ticker: tickers have no '§')."""
    return f"§{name}"


class SectorTable(DataTable[Any]):
    """Grouped symbol table with keyboard sorting."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "screen.add_symbol",
            "Add",
            show=False,
            tooltip="Add a symbol to this row's group (saved)",
        ),
        Binding(
            "d", "screen.remove_symbol", "Del", show=False, tooltip="Remove this symbol (saved)"
        ),
        Binding("s", "sort_next", "Sort", tooltip="Sort by the next column"),
        Binding("S", "sort_reverse", "Reverse", show=False, tooltip="Reverse the sort order"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.groups: list[tuple[str, list[str]]] = []
        self.rows_by_symbol: dict[str, Row] = {}
        self.reference_date: str | None = None
        self.sort_column: str | None = None
        self.sort_reverse = True
        self.compact = False
        self.palette = Palette()
        self._cells: dict[tuple[str, str], str] = {}
        self._prepared: PreparedCells | None = None  # for the rows shown, from a worker
        self._rendered_width = -1  # the width _render_rows last fitted the columns to
        self.breadth: dict[str, dict[str, Any]] = {}
        """Sector ETF -> its breadth ({"above_50", "above_200", "high_20", "n"}), from a
        worker; empty until it is known (no breadth column is shown then)."""
        self._layout: tuple[Any, ...] = ()
        self.expected_width: int | None = None
        """The width the layout will give the table, set by the screen before the first
        layout so that the first frame has the right columns (the real width wins after)."""
        self.benchmark_label = ""
        """The benchmark the RS columns are measured against, for their headers ("RSP 3M");
        "" for the configured one (headers "RS 3M", as the key list documents)."""

    # -- data in -------------------------------------------------------------------------

    def show(
        self,
        rows: Sequence[Row],
        groups: Sequence[tuple[str, Sequence[str]]],
        reference_date: str | None = None,
    ) -> None:
        """Show these rows under these groups; only changed cells are repainted.

        A row whose last close is older than `reference_date` (the benchmark's) is marked
        with '*' so stale figures never pass for fresh ones.
        """
        self.reference_date = reference_date
        if self._prepared is not None and self._prepared.rows is not rows:
            self._prepared = None  # formatted for other rows
        self.rows_by_symbol = {row["symbol"]: row for row in rows}
        self.groups = [(name, list(symbols)) for name, symbols in groups]
        self._render_rows()

    def set_compact(self, compact: bool) -> None:
        """Switch between the full and the 80-column set of columns."""
        if compact != self.compact:
            self.compact = compact
            self._render_rows()

    def set_breadth(self, per_sector: dict[str, dict[str, Any]] | None) -> None:
        """Show these sectors' breadth (None or empty: no breadth columns)."""
        per_sector = dict(per_sector or {})
        if per_sector != self.breadth:
            self.breadth = per_sector
            self._render_rows()

    @property
    def breadth_shown(self) -> bool:
        """True while at least one breadth column is on screen (its caveat must be too)."""
        return any(c.key in BREADTH_KEYS for c in self.columns_shown)

    def use_prepared(self, prepared: PreparedCells | None) -> None:
        """Cells formatted by :func:`prepare_cells` in a worker, for the rows the next
        :meth:`show` gets (ignored for other rows, or when the colours have changed since):
        the UI thread then only compares their text with what is on screen."""
        self._prepared = prepared if prepared is None or prepared.palette == self.palette else None

    def set_benchmark(self, label: str) -> None:
        """Name `label` in the RS columns' headers ("" for the configured benchmark)."""
        if label != self.benchmark_label:
            self.benchmark_label = label
            self._layout = ()  # the headers are set when the columns are added
            self._render_rows()

    def set_palette(self, palette: Palette) -> None:
        """Use new up/down colours (after a theme change)."""
        if palette != self.palette:
            self._prepared = None  # formatted in the old colours
            self.palette = palette
            self._layout = ()
            self._render_rows()

    @property
    def columns_shown(self) -> list[Column]:
        """The columns that fit the table's width whole: the always-shown ones (the symbol
        column narrowed, then the least useful dropped, if even they do not fit), then the
        optional ones while there is room."""
        return self._fit()[0]

    @property
    def breadth_fits(self) -> bool:
        """True if a breadth column fits the table's width (the breadth is worth computing)."""
        return any(c.key in BREADTH_KEYS for c in self._fit(with_breadth=True)[0])

    def _fit(self, with_breadth: bool | None = None) -> tuple[list[Column], int]:
        """(the columns shown, the symbol column's width) for the table's width; the breadth
        columns only once the breadth is known (or if ``with_breadth``)."""
        if with_breadth is None:
            with_breadth = bool(self.breadth)
        symbol_width = self._symbol_width()
        width = (self.size.width or self.expected_width or 0) - SCROLLBAR
        if width <= SCROLLBAR:  # not laid out yet, and no width expected
            return [c for c in COLUMNS if c.compact or not self.compact], symbol_width
        by_key = {c.key: c for c in COLUMNS}
        keys = {c.key for c in COLUMNS if c.compact}

        def used() -> int:
            widths = (symbol_width if k == "symbol" else by_key[k].width for k in keys)
            return sum(w + CELL_PADDING for w in widths)

        floor = max(SYMBOL_MIN, cell_len(self.header_label(by_key["symbol"])))
        symbol_width = max(floor, min(symbol_width, symbol_width - (used() - width)))
        for key in DROP_ORDER:
            if used() <= width:
                break
            keys.discard(key)
        for key in OPTIONAL_ORDER:
            if key in BREADTH_KEYS and not with_breadth:
                continue
            if used() + by_key[key].width + CELL_PADDING <= width:
                keys.add(key)
        return [c for c in COLUMNS if c.key in keys], symbol_width

    def _width(self, column: Column) -> int:
        return self._fit()[1] if column.key == "symbol" else column.width

    def on_resize(self) -> None:
        # The columns depend on the width only: a new height (a line appearing over the
        # table) changes nothing in the cells.
        if self.size.width != self._rendered_width:
            self._render_rows()

    @property
    def selected_symbol(self) -> str | None:
        """The symbol under the cursor, or None on a group header or an empty table."""
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return None if key is None or key.startswith("§") else key

    @property
    def selected_group(self) -> str | None:
        """The group of the row under the cursor (a symbol's, or the header's own)."""
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        if key is None:
            return None
        if key.startswith("§"):
            return key[1:]
        return next((name for name, symbols in self.groups if key in symbols), None)

    # -- sorting -------------------------------------------------------------------------

    def sort_by(self, column: str | None, reverse: bool | None = None) -> None:
        """Sort rows within each group by a column key (None: the configured order)."""
        if column is not None and column not in SORTABLE:
            raise ValueError(f"not a sortable column: {column}")
        self.sort_column = column
        if reverse is not None:
            self.sort_reverse = reverse
        self._render_rows()

    def action_sort_next(self) -> None:
        keys = [None, *[c.key for c in self.columns_shown if c.key in SORTABLE]]
        index = keys.index(self.sort_column) if self.sort_column in keys else 0
        column = keys[(index + 1) % len(keys)]
        self.sort_by(column, reverse=column not in (None, "symbol"))

    def action_sort_reverse(self) -> None:
        if self.sort_column is None:
            self.sort_column = "symbol"
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    def header_label(self, column: Column) -> str:
        """The column's header, with ▼/▲ on the sorted column (the sort state, always visible)."""
        label = column.label
        if self.benchmark_label and column.key in ("rs1M", "rs3M"):
            named = f"{self.benchmark_label} {column.key[2:]}"  # "RSP 3M": RS vs RSP over 3M
            label = named if cell_len(named) < column.width else label  # room for ▼
        if column.key != self.sort_column:
            return label
        return f"{label}{'▼' if self.sort_reverse else '▲'}"

    def ordered(self, symbols: Sequence[str]) -> list[str]:
        """Symbols of one group in display order (n/a values always last)."""
        if self.sort_column is None:
            return list(symbols)
        column = next(c for c in COLUMNS if c.key == self.sort_column)
        known = []
        unknown = []
        for symbol in symbols:
            row = self.rows_by_symbol.get(symbol)
            value = column.value(row) if row else None
            (unknown if value is None else known).append((value, symbol))
        known.sort(key=lambda item: item[0], reverse=self.sort_reverse)
        return [s for _, s in known] + [s for _, s in unknown]

    # -- drawing -------------------------------------------------------------------------

    def _cell(self, column: Column, row: Row | None, symbol_width: int = 0) -> Text | str:
        cell = self._content(column, row, symbol_width)
        return CellText.of(cell) if isinstance(cell, Text) else cell

    def _content(self, column: Column, row: Row | None, symbol_width: int = 0) -> Text | str:
        if row is None:
            return Text("n/a", style="dim", justify="right") if column.key != "symbol" else ""
        if column.key in BREADTH_KEYS:
            return breadth_text(self.breadth.get(row["symbol"]), BREADTH_KEYS[column.key])
        if column.key == "symbol":
            width = symbol_width or self._width(column)
            if self.reference_date and (row.get("last_date") or "") < self.reference_date:
                # Older than the benchmark's last close: a failed refresh, a delisting…
                return Text(_ellipsis(f"{row['symbol']}*", width), style="dim")
            return _ellipsis(row["symbol"], width)
        return figure_cell(column, row, self.palette)

    def _prepared_cell(self, column: Column, row_key: str) -> tuple[str, Text | str] | None:
        """(plain text, cell) formatted in a worker for the rows shown (None: not prepared)."""
        prepared = self._prepared
        if prepared is None or column.key == "symbol" or column.key in BREADTH_KEYS:
            return None
        return prepared.cells.get((row_key, column.key))

    def _render_rows(self) -> None:
        self._rendered_width = self.size.width
        columns, symbol_width = self._fit()
        order: list[tuple[str, str | None]] = []  # (row key, symbol or None for a header)
        for name, symbols in self.groups:
            order.append((group_key(name), None))
            order.extend((s, s) for s in self.ordered(symbols))
        layout = (
            tuple(c.key for c in columns),
            symbol_width,
            tuple(k for k, _ in order),
            self.sort_column,
            self.sort_reverse,
        )
        if layout != self._layout:
            self._rebuild(columns, order, symbol_width)
            self._layout = layout
            return
        changed: list[tuple[str, str, Text | str]] = []
        for row_key, symbol in order:
            if symbol is None:
                continue
            row = self.rows_by_symbol.get(symbol)
            for column in columns:
                ready = self._prepared_cell(column, row_key)
                if ready is not None:  # formatted in the worker: only compared here
                    if self._cells.get((row_key, column.key)) != ready[0]:
                        self._cells[(row_key, column.key)] = ready[0]
                        changed.append((row_key, column.key, ready[1]))
                    continue
                cell = self._content(column, row, symbol_width)
                plain = cell.plain if isinstance(cell, Text) else cell
                if self._cells.get((row_key, column.key)) != plain:
                    self._cells[(row_key, column.key)] = plain
                    fast = CellText.of(cell) if isinstance(cell, Text) else cell
                    changed.append((row_key, column.key, fast))
        self._update_cells(changed)

    def _update_cells(self, changed: list[tuple[str, str, Text | str]]) -> None:
        """DataTable.update_cell for many cells, with one refresh instead of one per cell.

        update_cell stores the value, bumps the table's update count (its render caches are
        keyed on it) and refreshes the widget; a refresh per cell was most of the UI thread's
        time when a 500-row table changed. The widths are fixed by the columns, as with
        update_cell's default ``update_width=False``."""
        if len(changed) <= 1:
            for row_key, column_key, cell in changed:
                self.update_cell(row_key, column_key, cell)
            return
        for row_key, column_key, cell in changed:
            self._data[RowKey(row_key)][ColumnKey(column_key)] = cell
        self._update_count += 1
        self.refresh()

    def _symbol_width(self) -> int:
        """Wide enough for group names too (they head their rows in this column)."""
        longest = max((len(name) for name, _ in self.groups), default=6)
        return max(6, min(longest, 8 if self.compact else 16))

    def _rebuild(
        self, columns: list[Column], order: list[tuple[str, str | None]], symbol_width: int
    ) -> None:
        selected = self.selected_symbol
        self.clear(columns=True)
        self._cells.clear()
        for column in columns:
            width = symbol_width if column.key == "symbol" else column.width
            self.add_column(self.header_label(column), key=column.key, width=width)
        for row_key, symbol in order:
            if symbol is None:
                lines = group_lines(row_key[1:], symbol_width)
                label = Text("\n".join(lines), style="bold")
                self.add_row(label, *([""] * (len(columns) - 1)), key=row_key, height=len(lines))
                continue
            row = self.rows_by_symbol.get(symbol)
            cells = []
            for column in columns:
                ready = self._prepared_cell(column, row_key)
                if ready is None:
                    cell = self._cell(column, row, symbol_width)
                    ready = (cell.plain if isinstance(cell, Text) else cell, cell)
                self._cells[(row_key, column.key)] = ready[0]
                cells.append(ready[1])
            self.add_row(*cells, key=row_key)
        shown = [s for _, s in order if s]
        target = selected if selected in shown else next(iter(shown), None)
        if target is not None:
            self.move_cursor(row=self.get_row_index(target), animate=False)

    # -- events out ----------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key and not key.startswith("§"):
            self.post_message(SymbolHighlighted(key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key and not key.startswith("§"):
            self.post_message(OpenSymbol(key))
