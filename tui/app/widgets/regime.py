"""The regime pane: the summary line, then each rule ✓ / ✗ / ? (its confirmed state) with a
pending flip marked (``✓ → ✗ pending, 1 of 3 days``) and the figure behind it."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tui.app.messages import OpenRule
from tui.format import MARKS, Palette


class RegimePane(Vertical):
    """Rules as a table (two lines each); Enter on a rule asks for its evidence."""

    DEFAULT_CSS = """
    RegimePane > #regime-summary { height: 1; padding: 0 1; text-style: bold; }
    RegimePane > DataTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.palette = Palette()
        self._shown: tuple[Any, ...] = ()
        self._last: tuple[Sequence[dict[str, Any]], dict[str, Any] | None] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Regime: loading…", id="regime-summary", markup=False)
        table: DataTable[Any] = DataTable(cursor_type="row", show_header=False, id="rules")
        table.add_column("", key="mark", width=1)
        table.add_column("Rule", key="rule")
        yield table

    def show(self, regime: Sequence[dict[str, Any]], summary: dict[str, Any] | None) -> None:
        """Show the rules; nothing repaints if nothing changed."""
        self._last = (regime, summary)
        width = max(20, self.size.width - 8) if self.size.width else 200
        state = (
            tuple(
                (r["id"], r["status"], r["value_text"], r["since"], pending_text(r)) for r in regime
            ),
            repr(summary),
            self.palette,
            width,
        )
        if state == self._shown:
            return
        self._shown = state
        self.query_one("#regime-summary", Static).update(summary_line(summary, width + 6))
        table = self.query_one("#rules", DataTable)
        selected = table.cursor_row
        # The columns too: an auto-width column keeps its widest text's width otherwise, so
        # lines wrapped for a wider pane (or for none, while hidden) would stay that wide.
        table.clear(columns=True)
        table.add_column("", key="mark", width=1)
        table.add_column("Rule", key="rule")
        for rule in regime:
            status = rule["status"]
            style = {"pass": self.palette.up, "fail": self.palette.down}.get(status, "dim")
            text = Text(rule["name"])
            if rule["since"]:
                text.append(f" · since {rule['since']}", style="dim")
            pending = pending_text(rule)
            if pending:  # the confirmed state shows; the flip under way is marked
                to = {"pass": self.palette.up, "fail": self.palette.down}.get(
                    (rule.get("pending") or {}).get("to", ""), ""
                )
                text.append("\n  " + pending, style=f"bold {to}".strip())
            evidence = rule["value_text"] if status != "unknown" else rule["reason"]
            # Wrapped to the pane, never cut: the figure is the point of the rule.
            lines = textwrap.wrap(evidence or rule["value_text"], width - 2) or [""]
            for line in lines:
                text.append("\n  " + line, style="dim")
            table.add_row(
                Text(MARKS.get(status, "?"), style=f"bold {style}".strip()),
                text,
                key=rule["id"],
                height=1 + bool(pending) + len(lines),
            )
        if regime:
            table.move_cursor(row=min(selected, len(regime) - 1), animate=False)

    def on_resize(self) -> None:
        if getattr(self, "_last", None) is not None:
            self.show(*self._last)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(OpenRule(event.row_key.value))


def summary_line(summary: dict[str, Any] | None, width: int | None = None) -> str:
    """'Rotation ON 8/11 · Policy 1/2 · Rotation 3/5 · Breadth 1/1 · Risk 2/3': the groups
    added while the line fits ``width`` (whole groups only; all of them when None)."""
    if not summary:
        return "Regime: no rules"
    line = f"{summary['label']}"
    for name, g in summary.get("groups", {}).items():
        more = f"{line} · {name} {g['passed']}/{g['known']}"
        if width is not None and len(more) > width:
            break
        line = more
    return line


def pending_text(rule: dict[str, Any]) -> str | None:
    """A pending flip of a rule's confirmed state: ``✓ → ✗ pending, 1 of 3 days``, or
    ``✓ → ✗ inside the band, not counted yet``; None when nothing is pending."""
    pending = rule.get("pending")
    if not isinstance(pending, dict) or pending.get("to") not in MARKS:
        return None
    arrow = f"{MARKS.get(rule.get('status', ''), '?')} → {MARKS[pending['to']]}"
    if pending.get("inside_band"):
        return f"{arrow} inside the band, not counted yet"
    of = int(pending.get("of") or 1)
    return f"{arrow} pending, {int(pending.get('days') or 0)} of {of} day{'s' if of != 1 else ''}"
