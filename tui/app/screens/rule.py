"""A regime rule's evidence: its series with the threshold drawn, the figures, the flips."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.app.widgets.rs_chart import ChartData, RSChart, Series
from tui.app.widgets.status_bar import Status, StatusBar
from tui.format import MARKS, Palette
from tui.report import RuleDetail


def evidence_chart(detail: RuleDetail) -> ChartData:
    """The rule's main series and, where the rule has one, its threshold line."""
    title = f"{detail.series_name} · 2Y"
    pairs = [(d, v) for d, v in zip(detail.dates, detail.values, strict=True) if math.isfinite(v)]
    if len(pairs) < 2:
        return ChartData(title=title, note=detail.rule["reason"] or "no data to chart")
    lines = [Series(detail.series_name, [d for d, _ in pairs], [v for _, v in pairs], "cyan")]
    limit = [
        (d, t) for d, t in zip(detail.dates, detail.threshold, strict=True) if math.isfinite(t)
    ]
    if len(limit) >= 2:
        lines.append(
            Series(
                "threshold",
                [d for d, _ in limit],
                [t for _, t in limit],
                "orange",
                marker="dot",
            )
        )
    return ChartData(title=title, series=tuple(lines))


class RuleScreen(Screen[None]):
    """Opened with Enter on a rule; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the dashboard"),
    ]

    def __init__(self, rule_id: str, name: str, palette: Palette) -> None:
        super().__init__()
        self.rule_id = rule_id
        self.rule_name = name
        self.palette = palette
        self.detail: RuleDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.rule_name, id="rule-title", markup=False)
        yield RSChart(id="rule-chart")
        with Horizontal(id="rule-bottom"):
            yield Static("loading…", id="rule-facts", markup=False)
            with Vertical(id="rule-flips-box"):
                yield Static("Flips (newest first)", classes="caption")
                flips: DataTable[Any] = DataTable(id="rule-flips", cursor_type="row")
                flips.add_column("Date", key="date", width=10)
                flips.add_column("Became", key="status", width=8)
                yield flips
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rule-chart", RSChart).show(
            ChartData(title=self.rule_name, note="loading…")
        )

    def show_status(self, status: Status) -> None:
        self.query_one(StatusBar).show(status)

    def show_detail(self, detail: RuleDetail) -> None:
        """Fill the chart, the figures and the flip history."""
        self.detail = detail
        rule = detail.rule
        status = rule["status"]
        mark = MARKS.get(status, "?")
        self.query_one("#rule-title", Static).update(f"{mark} {rule['name']} · {rule['group']}")
        self.query_one("#rule-chart", RSChart).show(evidence_chart(detail))
        facts = [
            f"Status      {mark} {status}" + (f" since {rule['since']}" if rule["since"] else ""),
            f"Evidence    {rule['value_text'] or '—'}",
            f"Passes when {rule['threshold']}",
            f"Why         {rule['why']}",
        ]
        if rule["reason"]:
            facts.append(f"Unknown     {rule['reason']}")
        self.query_one("#rule-facts", Static).update("\n".join(facts))
        table = self.query_one("#rule-flips", DataTable)
        table.clear()
        for day, became in detail.flips:
            style = {"pass": self.palette.up, "fail": self.palette.down}.get(became, "dim")
            table.add_row(day, Text(f"{MARKS.get(became, '?')} {became}", style=style))

    def action_back(self) -> None:
        self.dismiss()
