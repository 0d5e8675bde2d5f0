"""The key list (`?`): every binding of the app and its screens, including hidden ones.

:func:`help_sections` gives the sections: the app's keys, then each screen's and the sector
table's in :data:`SECTIONS` order, then any other screen of ``tui.app.screens`` (a new screen
is listed without anyone remembering to add it; tests/test_help_keys.py holds every binding of
every screen to the list)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

KEY_NAMES = {
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "ctrl+p": "Ctrl+P",
    "ctrl+r": "Ctrl+R",
    "exclamation_mark": "!",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "comma": ",",
    "full_stop": ".",
    "space": "Space",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "tab": "Tab",
}


SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Dashboard", "tui.app.screens.dashboard", "DashboardScreen"),
    ("Sector table", "tui.app.widgets.sector_table", "SectorTable"),
    ("Drill-down", "tui.app.screens.detail", "DetailScreen"),
    ("Rule evidence", "tui.app.screens.rule", "RuleScreen"),
    ("Track record", "tui.app.screens.history", "HistoryScreen"),
    ("RRG", "tui.app.screens.rrg", "RRGScreen"),
    ("Heat map", "tui.app.screens.heatmap", "HeatmapScreen"),
    ("Changes", "tui.app.screens.digest", "DigestScreen"),
    ("Book", "tui.app.screens.positions", "PositionsScreen"),
    ("Problems", "tui.app.screens.problems", "ProblemsScreen"),
    ("Compare", "tui.app.screens.prompts", "ComparePrompt"),
    ("Add symbol", "tui.app.screens.prompts", "SymbolPrompt"),
    ("Key list", "tui.app.screens.help", "HelpScreen"),
)
"""(section title, module, class) of the key list, in its order; the titles are the footer's
names for the keys that open them (w Changes, b Book)."""


def section_title(cls: type) -> str:
    """A screen's section title from its class name: ConcentrationScreen -> 'Concentration'."""
    name = cls.__name__.removesuffix("Screen") or cls.__name__
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).capitalize()


def screen_classes() -> list[type[Screen[Any]]]:
    """Every screen class defined in the modules of ``tui.app.screens`` (imported here)."""
    import tui.app.screens as package

    found: list[type[Screen[Any]]] = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def help_sections(
    app_bindings: Iterable[BindingType],
) -> list[tuple[str, Sequence[BindingType]]]:
    """The key list's sections: 'Everywhere' (the app's keys), then SECTIONS, then every
    other screen of ``tui.app.screens`` that has keys."""
    sections: list[tuple[str, Sequence[BindingType]]] = [("Everywhere", list(app_bindings))]
    listed: set[type] = set()
    for title, module, name in SECTIONS:
        cls = getattr(importlib.import_module(module), name)
        listed.add(cls)
        sections.append((title, cls.BINDINGS))
    for cls in screen_classes():
        if cls not in listed and cls.BINDINGS:
            sections.append((section_title(cls), cls.BINDINGS))
    return sections


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


def help_widths(rows: list[tuple[str, str, str]], width: int) -> tuple[int, int, int]:
    """Widths of the Where, Key and Action columns in a table ``width`` cells wide.

    Each column is as wide as its longest text when that fits (the table then looks as
    DataTable's automatic widths would make it); otherwise the key column gives up room first
    (down to 12 cells, its longer keys wrapping), then the actions wrap in what is left."""
    where_w = max(len("Where"), *(len(r[0]) for r in rows))
    key_full = max(len("Key"), *(len(r[1]) for r in rows))
    action_full = max(len("Action"), *(len(r[2]) for r in rows))
    room = width - 2 - 3 * 2  # the vertical scrollbar, then one cell of padding each side
    key_w = max(12, min(key_full, room - where_w - action_full))
    action_w = max(12, min(action_full, room - where_w - key_w))
    return where_w, key_w, action_w


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
            yield table
        self._filled_for: int | None = None

    def on_mount(self) -> None:
        self._fill(self._table_width())

    def on_resize(self) -> None:
        self.call_after_refresh(lambda: self._fill(self._table_width()))

    def _table_width(self) -> int:
        table = self.query_one("#help-keys", DataTable)
        return table.size.width or min(110, self.app.size.width) - 2  # before the first layout

    def _fill(self, width: int) -> None:
        """The rows in columns that fit ``width``: the actions (and, if need be, the keys)
        wrap onto more lines instead of being cut at the edge, as on an 80-column terminal."""
        if width == self._filled_for or not self.rows:
            return
        self._filled_for = width
        where_w, key_w, action_w = help_widths(self.rows, width)
        table = self.query_one("#help-keys", DataTable)
        table.clear(columns=True)
        table.add_column("Where", width=where_w)
        table.add_column("Key", width=key_w)
        table.add_column("Action", width=action_w)
        for where, key, action in self.rows:
            keys = textwrap.wrap(key, key_w, break_on_hyphens=False) or [""]
            actions = textwrap.wrap(action, action_w, break_on_hyphens=False) or [""]
            table.add_row(
                Text(where),
                Text("\n".join(keys)),
                Text("\n".join(actions)),
                height=max(len(keys), len(actions)),
            )

    async def action_dismiss(self, result: Any = None) -> None:
        self.dismiss()
