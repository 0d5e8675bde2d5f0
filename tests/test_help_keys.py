"""The key list (`?`) lists every binding of the app, of every screen of tui.app.screens and
of the sector table — the heat map's, the digest's and the positions' included — read from
the table the real app shows, not from the list the app builds it from."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

from faults_helpers import seeded_copy, settle
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

import tui.app.screens
from screenshots.generate import make_app
from tui.app.keys import APP_BINDINGS
from tui.app.screens.help import HelpScreen, section_title
from tui.app.widgets.sector_table import SectorTable


def every_screen() -> list[type[Screen[Any]]]:
    """Every Screen class defined in a module of tui.app.screens, found here by walking the
    package (not by the code under test)."""
    package = tui.app.screens
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def shown_rows(table: DataTable[Any]) -> list[tuple[str, str, str]]:
    """(where, key, action) of every row of the key list's table, the wrapped lines joined."""
    rows = []
    for row in table.ordered_rows:
        cells = [str(c.plain if hasattr(c, "plain") else c) for c in table.get_row(row.key)]
        where, key, action = (" ".join(c.split("\n")) for c in cells)
        rows.append((where, key, action))
    return rows


def key_matches(shown: str, binding: Binding) -> bool:
    """The key cell names every key of the binding: its own display, or each key's name
    (one character as itself; 'escape' as Esc, 'question_mark' as ?...)."""
    if binding.key_display:
        return shown == binding.key_display
    names = {"escape": "Esc", "enter": "Enter", "question_mark": "?", "exclamation_mark": "!"}
    names |= {"ctrl+p": "Ctrl+P", "ctrl+r": "Ctrl+R", "space": "Space"}
    names |= {"plus": "+", "equals_sign": "=", "minus": "-", "comma": ",", "full_stop": "."}
    wanted = [names.get(k.strip(), k.strip()) for k in binding.key.split(",")]
    return [k.strip() for k in shown.split(",")] == wanted


async def test_every_binding_of_every_screen_is_in_the_key_list(tmp_path: Path) -> None:
    app = make_app(seeded_copy(tmp_path / "cache" / "rotmon.sqlite"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = shown_rows(app.screen.query_one("#help-keys", DataTable))

    expected: list[tuple[str, Binding]] = []
    owners: list[tuple[str, Any]] = [("Everywhere", APP_BINDINGS), ("Sector table", SectorTable)]
    owners += [(section_title(cls), cls) for cls in every_screen()]
    for where, owner in owners:
        bindings = owner if isinstance(owner, list) else owner.BINDINGS
        expected += [(where, b) for b in bindings if isinstance(b, Binding)]
    assert len(expected) > 40
    missing = []
    for where, binding in expected:
        text = binding.tooltip or binding.description
        found = [r for r in rows if r[2] == text and key_matches(r[1], binding)]
        if not found:
            missing.append(f"{where}: {binding.key} {text!r}")
    assert not missing, "\n".join(missing)

    sections = {r[0] for r in rows}
    for title in ("Heat map", "Changes", "Book", "Dashboard", "RRG", "Drill-down"):
        assert title in sections
    heat = {(r[1], r[2]) for r in rows if r[0] == "Heat map"}
    assert ("t", "Colour by return or by relative strength") in heat
    assert ("[", "The previous window (1D 1W 1M 3M YTD)") in heat
    assert {k for k, _ in heat} >= {"Esc", "1", "2", "3", "4", "5", "[", "]", "t"}
    changes = {(r[1], r[2]) for r in rows if r[0] == "Changes"}
    assert ("t", "Previous close / last session") in changes
    assert ("Esc", "Back to the dashboard") in {(r[1], r[2]) for r in rows if r[0] == "Book"}


def test_a_screen_without_a_section_gets_one_by_its_name() -> None:
    class ConcentrationScreen(Screen[None]):
        pass

    class PositionSizingScreen(Screen[None]):
        pass

    assert section_title(ConcentrationScreen) == "Concentration"
    assert section_title(PositionSizingScreen) == "Position sizing"
