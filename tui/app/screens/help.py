"""The key list (`?`): every binding of the app and its screens, including hidden ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

KEY_NAMES = {
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "ctrl+p": "Ctrl+P",
    "ctrl+r": "Ctrl+R",
}


def key_label(key: str) -> str:
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in key.split(","))


def binding_rows(
    sections: Iterable[tuple[str, Iterable[BindingType]]],
) -> list[tuple[str, str, str]]:
    """(context, key, what it does) for every Binding in the given sections."""
    rows = []
    for context, bindings in sections:
        for binding in bindings:
            if not isinstance(binding, Binding):
                continue
            text = binding.tooltip or binding.description
            rows.append((context, binding.key_display or key_label(binding.key), text))
    return rows


class HelpScreen(ModalScreen[None]):
    """A modal key list; Esc or ? closes it, q quits as everywhere."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "dismiss", "Close", show=False),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static("Keys · Esc to close · Ctrl+P for the command palette", id="help-title")
            table: DataTable[Any] = DataTable(cursor_type="row", id="help-keys")
            table.add_columns("Where", "Key", "Action")
            for row in self.rows:
                table.add_row(*row)
            yield table

    async def action_dismiss(self, result: Any = None) -> None:
        self.dismiss()
