"""Small prompts: two symbols to compare (`c`), one symbol to add to a group (`a`)."""

from __future__ import annotations

import re
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.config import normalize_symbol


def parse_pair(text: str) -> tuple[str, str] | str:
    """'IWM SPY', 'IWM/SPY', 'iwm vs spy' → ('IWM', 'SPY'); otherwise a one-line reason."""
    parts = [p for p in re.split(r"\s+vs\.?\s+|[\s/,]+", text.strip(), flags=re.I) if p]
    if len(parts) != 2:
        return "type two symbols, e.g. IWM SPY or XLF/XLK"
    symbols = []
    for part in parts:
        symbol = normalize_symbol(part)
        if symbol is None:
            return f"{part!r} is not a ticker symbol"
        symbols.append(symbol)
    if symbols[0] == symbols[1]:
        return "pick two different symbols"
    return symbols[0], symbols[1]


class ComparePrompt(ModalScreen[tuple[str, str] | None]):
    """Asks for 'A B'; Enter opens A's drill-down against B, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without comparing"),
    ]
    DEFAULT_CSS = """
    ComparePrompt { align: center middle; }
    ComparePrompt > Vertical {
        width: 60; max-width: 100%; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ComparePrompt #compare-error { color: $text-error; height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Compare: chart the first symbol against the second", markup=False)
            yield Input(placeholder="e.g. IWM SPY  ·  XLF/XLK  ·  EEM vs EFA", id="compare-input")
            yield Static("", id="compare-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        result = parse_pair(event.value)
        if isinstance(result, str):
            self.query_one("#compare-error", Static).update(result)
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SymbolPrompt(ModalScreen[str | None]):
    """Asks for one ticker symbol; Enter returns it (validated), Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without adding"),
    ]
    DEFAULT_CSS = """
    SymbolPrompt { align: center middle; }
    SymbolPrompt > Vertical {
        width: 60; max-width: 100%; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    SymbolPrompt #symbol-error { color: $text-error; height: auto; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Input(placeholder="a Yahoo symbol, e.g. IWD, BRK-B, ^FVX", id="symbol-input")
            yield Static("", id="symbol-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        symbol = normalize_symbol(event.value)
        if symbol is None:
            self.query_one("#symbol-error", Static).update(
                f"{event.value.strip()!r} is not a ticker symbol"
            )
            return
        self.dismiss(symbol)

    def action_cancel(self) -> None:
        self.dismiss(None)
