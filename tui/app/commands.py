"""What the command palette and the key list (`?`) offer: built from the app's state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.binding import BindingType

from tui.app.widgets.sector_table import COLUMNS, SORTABLE
from tui.universe import name_of

if TYPE_CHECKING:
    from tui.report import Report


def key_rows(sections: Sequence[tuple[str, Iterable[BindingType]]]) -> list[tuple[str, str, str]]:
    """(where, key, what it does) for the key list: every binding, then the keys no Binding
    names (the palette and the tables' cursor keys)."""
    from tui.app.screens.help import binding_rows

    first = len(list(sections[0][1])) if sections else 0
    rows = binding_rows(sections)
    rows.insert(first, ("Everywhere", "Ctrl+P", "Command palette: every action"))
    rows.append(("Tables", "↑ ↓ PgUp PgDn Home End", "Move the cursor"))
    return rows


def rotmon_commands(
    report: Report | None,
    symbols: Sequence[str],
    *,
    refresh: Callable[[], Any],
    rrg: Callable[[], Any],
    history: Callable[[], Any],
    digest: Callable[[], Any],
    book: Callable[[], Any],
    heatmap: Callable[[], Any],
    sort: Callable[[str], Any],
    open_rule: Callable[[str], Any],
    open_symbol: Callable[[str], Any],
    benchmarks: Sequence[str] = (),
    benchmark: str | None = None,
    set_benchmark: Callable[[str], Any] | None = None,
) -> Iterable[SystemCommand]:
    """rotmon's own entries in the command palette (after Textual's); "Benchmark: RSP" for
    each of the config's benchmarks (`benchmark` is the one in use)."""
    yield SystemCommand("Refresh now", "Fetch the latest prices (r)", refresh)
    for symbol in benchmarks if set_benchmark is not None else ():
        help_text = (
            f"In use: RS, charts, RRG and rules measured against {symbol}"
            if symbol == benchmark
            else f"Measure RS, charts, RRG and rules against {name_of(symbol)} (B cycles)"
        )
        yield SystemCommand(
            f"Benchmark: {symbol}",
            help_text,
            lambda s=symbol: set_benchmark(s),  # type: ignore[misc]
        )
    yield SystemCommand("Relative rotation graph", "Sectors on RS-Ratio vs RS-Momentum (g)", rrg)
    yield SystemCommand(
        "Track record", "The score's history, its streak, forward returns (h)", history
    )
    yield SystemCommand(
        "What changed", "Since the previous close and your last session (w)", digest
    )
    yield SystemCommand("Book", "Your positions: P&L and sector exposure vs SPY (b)", book)
    yield SystemCommand("Heat map", "Sectors and holdings by return or RS (H)", heatmap)
    yield SystemCommand("Sort as configured", "Group order from the config", lambda: sort("config"))
    for column in COLUMNS:
        if column.key in SORTABLE:
            yield SystemCommand(
                f"Sort by {column.label}",
                "Within each group; n/a last",
                lambda key=column.key: sort(key),  # type: ignore[misc]
            )
    for rule in report.regime if report else []:
        yield SystemCommand(
            f"Rule: {rule['name']}",
            f"{rule['status']} · evidence chart and flip history",
            lambda r=rule["id"]: open_rule(r),  # type: ignore[misc]
        )
    for symbol in symbols:
        yield SystemCommand(
            f"Open {symbol}",
            f"{name_of(symbol)}: RS chart and holdings",
            lambda s=symbol: open_symbol(s),  # type: ignore[misc]
        )
