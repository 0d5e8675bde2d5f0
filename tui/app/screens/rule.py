"""A regime rule's evidence: its series with the threshold drawn, the figures, the flips."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.app.charts import ChartSettings, evidence_chart
from tui.app.screens.history import rule_track_lines
from tui.app.widgets.footer import FittedFooter
from tui.app.widgets.regime import pending_text
from tui.app.widgets.rs_chart import ChartData, RSChart
from tui.app.widgets.status_bar import Status, StatusBar
from tui.format import MARKS, Palette
from tui.report import RuleDetail, TrackRecord


class RuleScreen(Screen[None]):
    """Opened with Enter on a rule; Esc goes back; h opens the score's track record."""

    CSS_PATH = "../track.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the dashboard"),
        Binding("h", "app.history", "Track record", tooltip="The score's history and study"),
        Binding(
            "C",
            "concentration",
            "Concentration",
            tooltip="The mega caps' weight in SPY, their basket vs RSP, their part in SPY's move",
        ),
    ]

    def __init__(self, rule_id: str, name: str, palette: Palette) -> None:
        super().__init__()
        self.rule_id = rule_id
        self.rule_name = name
        self.palette = palette
        self.detail: RuleDetail | None = None
        self.settings = ChartSettings("max")
        self.record: TrackRecord | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.rule_name, id="rule-title", markup=False)
        with VerticalScroll(id="rule-body"):
            yield RSChart(id="rule-chart")
            with Horizontal(id="rule-bottom"):
                yield Static("loading…", id="rule-facts", markup=False)
                with Vertical(id="rule-flips-box"):
                    yield Static("Flips (newest first)", classes="caption")
                    flips: DataTable[Any] = DataTable(id="rule-flips", cursor_type="row")
                    flips.add_column("Date", key="date", width=10)
                    flips.add_column("Became", key="status", width=8)
                    yield flips
            yield Static("Track record: computing…", id="rule-track", markup=False)
        yield StatusBar(id="status")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.query_one("#rule-chart", RSChart).show(
            ChartData(title=self.rule_name, note="loading…")
        )
        self.watch(self.app, "chart_settings", self._use_settings)
        self.watch(self.app, "status", self.show_status)
        self.watch(self.app, "track_record", self.show_track_record)

    def show_track_record(self, record: TrackRecord | None) -> None:
        """The rule's whipsaw control, flips per year and pass/fail study (in-sample)."""
        self.record = record
        if record is None:
            return
        lines = rule_track_lines(record.rule_study(self.rule_id), record.study)
        self.query_one("#rule-track", Static).update("\n".join(lines))

    def _use_settings(self, settings: ChartSettings) -> None:
        changed = settings != self.settings
        self.settings = settings
        if changed:
            self.redraw_charts()

    def show_status(self, status: Status) -> None:
        self.query_one(StatusBar).show(status)

    def show_detail(self, detail: RuleDetail) -> None:
        """Fill the chart, the figures and the flip history."""
        self.detail = detail
        rule = detail.rule
        status = rule["status"]
        mark = MARKS.get(status, "?")
        self.query_one("#rule-title", Static).update(f"{mark} {rule['name']} · {rule['group']}")
        self.query_one("#rule-chart", RSChart).show(evidence_chart(detail, self.settings))
        facts = [
            f"Status      {mark} {status}" + (f" since {rule['since']}" if rule["since"] else ""),
            f"Evidence    {rule['value_text'] or '—'}",
            f"Passes when {rule['threshold']}",
            f"Why         {rule['why']}",
        ]
        pending = pending_text(rule)
        if pending:
            facts.insert(1, f"Pending     {pending}")
        if rule["reason"]:
            facts.append(f"Unknown     {rule['reason']}")
        self.query_one("#rule-facts", Static).update("\n".join(facts))
        table = self.query_one("#rule-flips", DataTable)
        table.clear()
        for day, became in detail.flips:
            style = {"pass": self.palette.up, "fail": self.palette.down}.get(became, "dim")
            table.add_row(day, Text(f"{MARKS.get(became, '?')} {became}", style=style))

    def redraw_charts(self) -> None:
        if self.detail is not None:
            chart = evidence_chart(self.detail, self.settings)
            self.query_one("#rule-chart", RSChart).show(chart)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "concentration":  # in the footer of its own rule (C works anywhere)
            return self.rule_id == "concentration"
        return True

    async def action_concentration(self) -> None:
        await self.app.run_action("concentration")

    def action_back(self) -> None:
        self.dismiss()
