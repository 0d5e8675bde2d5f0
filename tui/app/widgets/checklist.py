"""The regime checklist: each rule ✓ / ✗ / ? with the figure behind it, and the next FOMC."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tui.format import MARKS, Palette, countdown, et_time


class Checklist(Vertical):
    """Rules as a table (one row each) and a catalyst line under it."""

    DEFAULT_CSS = """
    Checklist { height: auto; }
    Checklist > DataTable { height: auto; max-height: 16; }
    Checklist > #catalyst { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.palette = Palette()
        self._shown: tuple[Any, ...] = ()

    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(cursor_type="row", show_header=False, id="rules")
        table.add_column("", key="mark", width=1)
        table.add_column("Rule", key="rule")
        yield table
        yield Static("Next FOMC decision: …", id="catalyst")

    def show(self, checks: Sequence[dict[str, Any]], next_fomc: dict[str, Any] | None) -> None:
        """Show rules and the next FOMC decision; nothing repaints if nothing changed."""
        state = (tuple((c["id"], c["status"], c["value"]) for c in checks), repr(next_fomc))
        if state == self._shown:
            return
        self._shown = state
        table = self.query_one("#rules", DataTable)
        table.clear()
        for check in checks:
            status = check["status"]
            style = {"pass": self.palette.up, "fail": self.palette.down}.get(status, "dim")
            evidence = check["value"] or check.get("detail", "")
            text = Text(check["name"])
            text.append("\n  " + evidence, style="dim")
            table.add_row(
                Text(MARKS.get(status, "?"), style=f"bold {style}".strip()),
                text,
                key=check["id"],
                height=2,
            )
        self.query_one("#catalyst", Static).update(fomc_line(next_fomc))


def fomc_line(next_fomc: dict[str, Any] | None) -> str:
    """'Next FOMC: 2026-12-09 14:00 ET (SEP, presser) · in 15 d'."""
    if not next_fomc:
        return "Next FOMC: none in the bundled calendar"
    extras = [
        name
        for key, name in (("sep", "SEP"), ("press_conference", "presser"))
        if next_fomc.get(key)
    ]
    extra = f" ({', '.join(extras)})" if extras else ""
    return (
        f"Next FOMC: {et_time(next_fomc['datetime'])}{extra} · "
        f"{countdown(float(next_fomc['days_until']))}"
    )
