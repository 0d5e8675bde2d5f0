"""The app's own keys (the screens and widgets list theirs beside their code)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from tui.app.charts import PERIODS

APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", "Quit", tooltip="Quit at once"),
    Binding("question_mark", "help", "Keys", tooltip="List every key"),
    Binding(
        "exclamation_mark",
        "show_problems",
        "Problems",
        show=False,
        key_display="!",
        tooltip="List the config, rules, events and theme problems",
    ),
    Binding("r", "refresh", "Refresh", tooltip="Refresh prices now"),
    Binding("g", "rrg", "RRG", tooltip="Relative rotation graph of the sectors"),
    Binding("h", "history", "History", tooltip="Track record: the score's history and study"),
    Binding("w", "digest", "Changes", tooltip="What changed since the last close / session"),
    Binding("b", "book", "Book", show=False, tooltip="Your positions against the rotation"),
    Binding("H", "heatmap", "Heat map", show=False, tooltip="Sectors and holdings by return"),
    Binding(
        "C",
        "concentration",
        "Concentration",
        show=False,
        tooltip="The mega caps' weight in SPY, their basket vs RSP, their part in SPY's move",
    ),
    Binding(
        "B",
        "cycle_benchmark",
        "Benchmark",
        show=False,
        tooltip="Next benchmark for RS, the charts, the RRG and the rules",
    ),
    Binding("c", "compare", "Compare", show=False, tooltip="Chart any symbol against any other"),
    Binding("e", "export", "Export", show=False, tooltip="Table as CSV and screen as SVG"),
    Binding(
        "ctrl+r",
        "reload",
        "Reload",
        show=False,
        tooltip="Reload config, rules, events and themes (automatic on save)",
    ),
    *[
        Binding(str(i), f"chart_period('{p}')", p, show=False, tooltip=f"Charts: {p}")
        for i, p in enumerate(PERIODS, start=1)
    ],
    Binding("l", "chart_log", "Log", show=False, tooltip="Charts: log / linear scale"),
    Binding("m", "chart_averages", "MA", show=False, tooltip="Charts: 50-day averages on/off"),
    Binding(
        "o",
        "chart_overlay",
        "Overlay",
        show=False,
        tooltip="Charts: overlay the highlighted RS line (again: remove it)",
    ),
    Binding(
        "O",
        "chart_overlay_clear",
        "Clear overlay",
        show=False,
        tooltip="Charts: clear the overlay",
    ),
]
