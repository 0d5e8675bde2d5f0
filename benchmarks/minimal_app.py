"""The reference for `benchmarks/run.py`: the least a Textual app can do to show a table of figures.

One DataTable of 20 rows with a signed percentage in each, `q` to quit. Started in the same
pseudo-terminal harness as `rotmon`, it gives the floor that Python + Textual alone cost on this
machine, so the dashboard's figures can be read as a ratio rather than in absolute seconds.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class MinimalApp(App[None]):
    """A DataTable of 20 rows; nothing else."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Symbol", "Last", "1D")
        for i in range(20):
            table.add_row(f"SYM{i:02d}", f"{100 + i:.2f}", "+1.23%")


if __name__ == "__main__":
    MinimalApp().run()
