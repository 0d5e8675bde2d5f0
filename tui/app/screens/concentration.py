"""Mega-cap concentration: the seven mega caps' weight in SPY, their basket, their part in
SPY's move.

Two charts over the chart period (keys 1-6, as every chart): the weight of the seven mega caps
(AAPL MSFT NVDA AMZN GOOGL+GOOG META TSLA) and of SPY's ten largest holdings in SPY, drifted
daily by price from State Street's 2025-11-18 weights (none before that day), and an
equal-weight basket of the seven against RSP (the average S&P 500 stock) and against SPY,
rebased to 100 at the period's start. Under them the figures, the regime rule "Mega-cap
concentration falling" as the dashboard shows it, and the attribution of SPY's return over the
period: each mega cap's weight at the start × its return, and the rest of the fund. The caveat
is on screen: drifted weights ignore buybacks and index changes.

Opened with ``C`` anywhere, from SPY's drill-down, from the rule's evidence, or the palette.
The figures are computed once in a thread worker (the app's ``concentration_view`` loader,
:meth:`tui.session.Monitor.concentration_view`); a period change only slices them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.charts import PERIODS, ChartSettings, finite_lines
from tui.app.widgets.rs_chart import ChartData, RSChart
from tui.app.widgets.status_bar import Status, StatusBar
from tui.format import MARKS

if TYPE_CHECKING:
    from tui.report import ConcentrationView, Report

MINUS = "\u2212"
RULE_ID = "concentration"
"""The regime rule this screen explains (tui/regime/rules.toml)."""

Loader = Callable[[dict[str, int | None]], "ConcentrationView"]


def _signed(value: float, spec: str) -> str:
    text = format(value, "+" + spec)
    return MINUS + text[1:] if text.startswith("-") else text


def weights_chart(view: ConcentrationView | None, settings: ChartSettings) -> ChartData:
    """Mag-7 and top-10 weight in SPY (percent) over the period, from the weights' day on."""
    title = f"Weight in SPY, % · {settings.period}"
    if view is None:
        return ChartData(title=title, note="computing…")
    period = settings.period
    dates = _span(view.dates, period)
    lines = finite_lines(
        dates,
        [
            ("mag-7", _span(view.mag7, period), "cyan", "braille"),
            ("top-10", _span(view.top10, period), "orange", "dot"),
        ],
        scale=100.0,
    )
    if lines and len(lines[0].dates) < len(dates):
        title += f" · from {view.weights_as_of}"
    return ChartData(title=title, series=lines, note="no drifted weights in this period")


def basket_chart(view: ConcentrationView | None, settings: ChartSettings) -> ChartData:
    """The mag-7 equal-weight basket over RSP and over SPY, rebased to 100 at the period's
    start (the close the period's change counts from, as the figures beside it)."""
    title = f"Mag-7 basket vs RSP & SPY · {settings.period} rebased to 100"
    if view is None:
        return ChartData(title=title, note="computing…")
    period = settings.period
    lines = finite_lines(
        _span(view.dates, period),
        [
            ("/RSP", _span(view.vs_rsp, period), "cyan", "braille"),
            ("/SPY", _span(view.vs_spy, period), "magenta", "dot"),
        ],
        rebase=True,
    )
    return ChartData(title=title, series=lines, note="no basket in this period")


def _span(values: Sequence[Any], period: str) -> Sequence[Any]:
    """The rows a change over the period spans: the last close and the one ``rows`` before it
    (3M = 63 changes, as the rule's 63-day change and the attribution count), all of them for
    ``max``."""
    rows = PERIODS.get(period)
    return values[-(rows + 1) :] if rows else values


def _change(dates: Sequence[str], values: Sequence[float], period: str) -> tuple[float, str] | None:
    """Last minus first known value over the period and the date of that first value (the
    weights start on their file's day, which may be after the period's start); None with
    fewer than two."""
    known = [
        (d, v)
        for d, v in zip(_span(dates, period), _span(values, period), strict=True)
        if math.isfinite(v)
    ]
    return (known[-1][1] - known[0][1], known[0][0]) if len(known) >= 2 else None


def facts_lines(
    view: ConcentrationView, period: str, rule: dict[str, Any] | None = None
) -> list[str]:
    """The figures beside the charts: weights now, on the weights' day and their change over
    the period; the basket's move against RSP and SPY; the rule's state."""

    def weight_line(label: str, values: Sequence[float], then: str) -> str:
        known = [v for v in values if math.isfinite(v)]
        if not known:
            return f"{label} n/a"
        text = f"{label} {100 * known[-1]:.1f}% of SPY ({100 * known[0]:.1f}%{then})"
        change = _change(view.dates, values, period)
        if change is not None:
            text += f", {_signed(100 * change[0], '.2f')} pts since {change[1]}"
        return text

    lines = [
        weight_line("Mag-7 weight", view.mag7, f" on {view.weights_as_of}"),
        weight_line("Top-10 weight", view.top10, ""),
    ]
    moves = []
    for label, values in (("RSP", view.vs_rsp), ("SPY", view.vs_spy)):
        known = [v for v in _span(values, period) if math.isfinite(v)]
        if len(known) >= 2 and known[0]:
            moves.append(f"vs {label} {_signed(known[-1] / known[0] - 1, '.1%')}")
    lines.append(f"Mag-7 basket over {period}: " + (", ".join(moves) or "n/a"))
    if rule is not None:
        status = rule.get("status", "unknown")
        since = f" since {rule['since']}" if rule.get("since") else ""
        lines.append(f'Rule "{rule.get("name", RULE_ID)}" {MARKS.get(status, "?")} {status}{since}')
        if status == "unknown" and rule.get("reason"):
            lines.append(f"  {rule['reason']}")
    return lines


def attribution_lines(view: ConcentrationView, period: str) -> list[str]:
    """SPY's return over the period split into each mega cap's weight × return and the rest."""
    item = view.attribution.get(period)
    if item is None:
        return [f"No attribution over {period}: SPY has no closes in it."]
    lines = [
        f"SPY {_signed(item['spy_return'], '.1%')}, {item['start']} \u2192 {item['end']}",
        f"Mag-7 contributed {_signed(100 * item['mag7'], '.2f')} pts of it:",
        "             weight  return    pts",
    ]
    for symbol, weight, ret, contribution in item["rows"]:
        if ret is None or contribution is None:
            lines.append(f"  {symbol:<10} no data")
            continue
        lines.append(
            f"  {symbol:<10}{100 * weight:5.1f}%{_signed(ret, '.1%'):>8}"
            f"{_signed(100 * contribution, '.2f'):>7}"
        )
    lines.append(f"  {'Rest of SPY':<24}{_signed(100 * item['other'], '.2f'):>7}")
    return lines


class ConcentrationScreen(Screen[None]):
    """The mega caps' concentration in SPY (see the module docstring); Esc goes back."""

    CSS_PATH = "../concentration.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the previous screen"),
    ]

    class Ready(Message):
        """The worker's figures."""

        def __init__(self, view: ConcentrationView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, loader: Loader) -> None:
        super().__init__()
        self.loader = loader
        self.view: ConcentrationView | None = None
        self.settings = ChartSettings()
        self.rule: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Mega-cap concentration in SPY", id="conc-title", markup=False)
        with Horizontal(id="conc-charts"):
            yield RSChart(id="conc-weights")
            yield RSChart(id="conc-basket")
        yield Static("", id="conc-caveat", markup=False)
        with Horizontal(id="conc-bottom"):
            yield Static("computing…", id="conc-facts", markup=False)
            yield Static("", id="conc-attribution", markup=False)
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "chart_settings", self._use_settings)
        self.watch(self.app, "status", self._show_status)
        self.watch(self.app, "report", self._use_report)
        self._redraw()
        self.load()

    @work(thread=True, exclusive=True, group="concentration", exit_on_error=False)
    def load(self) -> None:
        """The figures over the whole history, once (off the UI thread)."""
        view = self.loader(dict(PERIODS))
        if not get_current_worker().is_cancelled:
            self.post_message(self.Ready(view))

    def on_concentration_screen_ready(self, message: Ready) -> None:
        self.view = message.view
        self._redraw()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed computation says why where the figures would be (the app notifies too)."""
        if event.worker.group == "concentration" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.query_one("#conc-facts", Static).update(
                f"Could not compute the concentration: {type(error).__name__}: {error}"
            )

    def _use_settings(self, settings: ChartSettings) -> None:
        if settings != self.settings:
            self.settings = settings
            self._redraw()

    def _use_report(self, report: Report | None) -> None:
        regime = report.regime if report is not None else []
        rule = next((r for r in regime if r.get("id") == RULE_ID), None)
        if rule != self.rule:
            self.rule = rule
            self._redraw()

    def _show_status(self, status: Status) -> None:
        self.query_one(StatusBar).show(status)

    def _redraw(self) -> None:
        view, period = self.view, self.settings.period
        self.query_one("#conc-weights", RSChart).show(weights_chart(view, self.settings))
        self.query_one("#conc-basket", RSChart).show(basket_chart(view, self.settings))
        if view is None:
            return
        self.query_one("#conc-title", Static).update(
            f"Mega-cap concentration in SPY · {period} · as of {view.as_of}"
        )
        self.query_one("#conc-caveat", Static).update(view.caveat)
        facts = facts_lines(view, period, self.rule)
        self.query_one("#conc-facts", Static).update("\n".join(facts))
        self.query_one("#conc-attribution", Static).update(
            "\n".join(attribution_lines(view, period))
        )

    def action_back(self) -> None:
        self.dismiss()
