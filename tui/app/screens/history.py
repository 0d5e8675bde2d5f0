"""The track record: the rotation score over the whole history, its streak, and its study.

Two charts share one time axis: the score (rules passing / rules known) with its state's flips
marked, and IWM/SPY under it. Then the current streak, the last time the score was this high,
and the forward-return study of the score (``score >= k`` vs ``< k`` on IWM/SPY, EEM/SPY and
VBR/SPY), always with its sample and the in-sample label. The figures come from the app's
``track_record`` (computed in a worker after each fresh report); a ``k`` other than the
default is studied in this screen's own thread worker, never on the UI thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.charts import PERIODS
from tui.app.widgets.footer import FittedFooter
from tui.app.widgets.rs_chart import Series
from tui.app.widgets.status_bar import Status, StatusBar
from tui.format import MINUS, Palette

if TYPE_CHECKING:
    import pandas as pd

    from tui.report import Report, TrackRecord

ON_AT = 0.6
"""The engine's ON level (tui.regime.engine.ON_AT, read at mount: the engine imports pandas)."""
K_STEP = 0.1
"""How far one key press moves k (a share of the known rules)."""
LABEL_WIDTH = 7
"""Width of the y-axis labels of both charts, so that their time axes line up."""
STATE_MARKS = {"ON": "▲", "MIXED": "•", "OFF": "▼"}
"""How a flip into each state is marked on the charts."""
PLOTEXT_COLORS = frozenset(
    {"black", "white", "gray", "red", "green", "yellow", "blue", "magenta", "cyan", "orange"}
)
LEGEND = (
    "Ep. = independent episodes (non-overlapping forward windows) · Hit = share of days "
    "above 0 · Worst = lowest forward return · 90% CI of the mean: circular block bootstrap, "
    "block = horizon, fixed seed"
)


# -- text (pure) ----------------------------------------------------------------------------


def pct(value: float | None, places: int = 1) -> str:
    """``+1.2%`` / ``−0.3%`` (a true minus), ``n/a`` for None."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value * 100:+.{places}f}%".replace("-", MINUS)


def ci_text(ci: Sequence[float] | None) -> str:
    """``[−0.8%, +0.7%]``, ``n/a`` when the bucket has fewer days than one block."""
    return f"[{pct(ci[0])}, {pct(ci[1])}]" if ci else "n/a"


STUDY_HEADER = f"{'H':<2} {'Bucket':<6} {'Days':>5} {'Ep.':>4} {'Mean':>7} {'Median':>7} "
STUDY_HEADER += f"{'Hit':>4} {'Worst':>7}  90% CI"


def bucket_row(horizon: str, bucket: str, stats: dict[str, Any]) -> str:
    """One row of a study table: ``1M  pass    762   48   −0.2%   −0.1%  48%  −10.0%  […]``."""
    if not stats.get("days"):
        return f"{horizon:<2} {bucket:<6} {0:>5} {'—':>4}  no days"
    hit = stats.get("hit_rate")
    hit_text = "n/a" if hit is None else f"{hit * 100:.0f}%"
    return (
        f"{horizon:<2} {bucket:<6} {stats['days']:>5} {stats['episodes']:>4} "
        f"{pct(stats.get('mean')):>7} {pct(stats.get('median')):>7} {hit_text:>4} "
        f"{pct(stats.get('worst')):>7}  {ci_text(stats.get('ci90'))}"
    )


def study_rows(
    by_horizon: dict[str, dict[str, Any]], labels: tuple[str, str] = ("pass", "fail")
) -> list[str]:
    """The rows of one pair's study: each horizon, its pass then its fail bucket."""
    rows = []
    for horizon, buckets in by_horizon.items():
        rows.append(bucket_row(horizon, labels[0], buckets.get("pass", {})))
        rows.append(bucket_row("", labels[1], buckets.get("fail", {})))
    return rows


def sample_line(study: dict[str, Any]) -> str:
    """``Sample: 2016-01-04 – 2026-07-31, 2691 trading days (a forward window ends by …)``."""
    if not study.get("from"):
        return "Sample: no days"
    return (
        f"Sample: {study['from']} – {study['to']}, {study['days']} trading days; a day counts "
        f"once its forward window has ended (by {study['to']})."
    )


def label_line(study: dict[str, Any]) -> str:
    """The study's own label, capitalised: ``In-sample and descriptive: …``."""
    label = str(study.get("label") or "in-sample and descriptive")
    return label[:1].upper() + label[1:] + "."


def k_text(k: float) -> str:
    """``0.6``: k as the study prints it."""
    return f"{k:g}"


def score_study_lines(study: dict[str, Any]) -> list[str]:
    """The score's study as lines: its label and sample, then every pair's table."""
    score = study.get("score") or {}
    k = float(score.get("k", ON_AT))
    crossings = score.get("flips_per_year")
    lines = [
        f"Forward return after days with score ≥ {k_text(k)} vs < {k_text(k)}"
        + (f" · k crossed {crossings:.1f} times a year" if crossings is not None else ""),
        label_line(study),
        sample_line(study),
        "",
    ]
    labels = (f"≥ {k_text(k)}", f"< {k_text(k)}")
    lines.append(STUDY_HEADER)
    for pair, by_horizon in (score.get("study") or {}).items():
        lines.append(f"{pair}")
        lines.extend(study_rows(by_horizon, labels))
    lines.append(LEGEND)
    return lines


def rule_track_lines(entry: dict[str, Any] | None, study: dict[str, Any]) -> list[str]:
    """A rule's track record as lines (its whipsaw control, flips, delay, and its study)."""
    if entry is None:
        return ["Track record: this rule is not in the record (computed before it was added)."]
    days = entry.get("confirm_days") or 1
    bands = [b for b in entry.get("band") or [] if b]
    band = "band " + "/".join(f"{b or 0:g}" for b in entry["band"]) if bands else "no band"

    def num(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f}"

    lines = [
        "Track record · " + label_line(study),
        f"Confirm {days} day{'s' if days != 1 else ''}, {band} · flips/yr "
        f"{num(entry.get('flips_per_year_raw'))} raw → {num(entry.get('flips_per_year'))} "
        f"confirmed · mean confirmation delay {num(entry.get('mean_confirm_delay_days'))} days",
        f"Forward {entry.get('pair', '?')} return after the days it passed vs failed"
        + ("" if entry.get("pair_own", True) else f" ({entry.get('pair_note', 'not its own')})"),
        sample_line(study),
        STUDY_HEADER,
        *study_rows(entry.get("study") or {}),
        LEGEND,
    ]
    return lines


def known_now(record: TrackRecord) -> int:
    """Rules known on the record's last day (0 without days)."""
    return record.known[-1] if record.known else 0


def k_rules(k: float, known: int) -> int:
    """How many of ``known`` rules passing reach the share ``k``."""
    return max(0, math.ceil(k * known - 1e-9))


def flip_summary(flips: Sequence[tuple[str, str]], last: int = 4) -> str:
    """``142 flips of the score's state · last: 2026-07-24 → ON, …`` (newest first)."""
    if not flips:
        return "The score's state never flipped in the history."
    recent = ", ".join(f"{day} → {state}" for day, state in reversed(flips[-last:]))
    return f"{len(flips)} flips of the score's state · latest: {recent}"


# -- charts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marks:
    """Single-character marks on a chart (the flips)."""

    dates: Sequence[str]
    values: Sequence[float]
    marker: str
    color: str | tuple[int, int, int]


@dataclass(frozen=True)
class TrackPlot:
    """What one chart of this screen draws: lines and marks over a fixed date range."""

    title: str
    x_range: tuple[str, str] | None = None
    series: Sequence[Series] = field(default_factory=tuple)
    marks: Sequence[Marks] = field(default_factory=tuple)
    hlines: Sequence[tuple[float, str]] = field(default_factory=tuple)
    y_range: tuple[float, float] | None = None
    yticks: Sequence[float] = field(default_factory=tuple)
    tick_format: str = ".4g"
    note: str = ""


def render_plot(plot: TrackPlot, width: int, height: int) -> Text:
    """Draw ``plot`` as plotext text of ``width`` × ``height`` cells; the x axis spans
    ``x_range`` and the y labels are LABEL_WIDTH wide, so charts of one width line up."""
    lines = [s for s in plot.series if len(s.values) >= 2]
    if width < 20 or height < 5:
        return Text(plot.title[: max(0, width)], style="bold")
    if not lines or plot.x_range is None:
        return Text(f"{plot.title}\n{plot.note or 'no data'}", style="dim")
    import plotext as plt

    plt.clear_figure()
    plt.limit_size(False, False)
    plt.plotsize(width, height)
    plt.theme("clear")
    plt.title(plot.title)
    # Days as numbers (ISO dates parsed in C): plotext's own date parsing costs ~10x more.
    for line in lines:
        days, values = decimate(_days(line.dates), list(line.values), 2 * width)
        plt.plot(days, values, color=line.color, marker=line.marker)
    for value, color in plot.hlines:
        plt.hline(value, color)
    for mark in plot.marks:
        if mark.dates:
            plt.scatter(_days(mark.dates), list(mark.values), marker=mark.marker, color=mark.color)
    first, last = plot.x_range
    lo, hi = _days((first, last))
    plt.xlim(lo, hi)
    plt.xticks([lo, hi], [first, last])
    ticks = list(plot.yticks) or _ticks(lines, plot.y_range)
    if not plot.yticks and height < 12 and len(ticks) > 2:
        # A short pane has rows for two labels only: which of three plotext kept varied.
        ticks = [ticks[0], ticks[-1]]
    if plot.y_range is not None:
        plt.ylim(*plot.y_range)
    elif len(ticks) > 1:
        # The range of the full line (not of the points drawn): every tick is inside it, so
        # the same data always gets the same labels, whatever the pane's width.
        plt.ylim(ticks[0], ticks[-1])
    plt.yticks(ticks, [format(t, plot.tick_format).rjust(LABEL_WIDTH) for t in ticks])
    try:
        built = plt.build()
    finally:
        plt.clear_figure()
    return Text.from_ansi(built, no_wrap=True)


def decimate(
    days: Sequence[int], values: Sequence[float], buckets: int
) -> tuple[list[int], list[float]]:
    """At most two points per bucket of consecutive points — each bucket's lowest and highest,
    in their order — so a line of thousands of days draws as it would in full at the chart's
    resolution (braille: two dots per column), in a fraction of the time."""
    n = len(values)
    if buckets <= 0 or n <= 2 * buckets:
        return list(days), list(values)
    out_days: list[int] = []
    out_values: list[float] = []
    for b in range(buckets):
        lo, hi = b * n // buckets, (b + 1) * n // buckets
        if lo >= hi:
            continue
        chunk = range(lo, hi)
        low = min(chunk, key=lambda i: values[i])
        high = max(chunk, key=lambda i: values[i])
        for i in sorted({low, high}):
            out_days.append(days[i])
            out_values.append(values[i])
    return out_days, out_values


def _days(dates: Sequence[str]) -> list[int]:
    """ISO dates as day numbers (the x axis of both charts)."""
    return [date.fromisoformat(d).toordinal() for d in dates]


def _ticks(lines: Sequence[Series], y_range: tuple[float, float] | None) -> list[float]:
    """Three y ticks: the bottom, middle and top of the values (or of ``y_range``)."""
    if y_range is not None:
        lo, hi = y_range
    else:
        values = [v for s in lines for v in s.values if math.isfinite(v)]
        lo, hi = min(values), max(values)
    return [lo, (lo + hi) / 2, hi] if hi > lo else [lo]


class TrackChart(Widget):
    """A chart pane of this screen: redraws only when its plot or its size changes."""

    DEFAULT_CSS = """
    TrackChart {
        height: 10;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.plot = TrackPlot(title="", note="computing…")
        self._drawn: tuple[TrackPlot, int, int] | None = None
        self._text = Text()

    def show(self, plot: TrackPlot) -> None:
        if plot != self.plot:
            self.plot = plot
            self.refresh()

    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        key = (self.plot, width, height)
        if self._drawn != key:
            self._text = render_plot(self.plot, width, height)
            self._drawn = key
        return self._text


def visible_dates(dates: Sequence[str], period: str) -> Sequence[str]:
    """The timeline's last rows for the period (all for ``max``)."""
    rows = PERIODS.get(period)
    return dates[-rows:] if rows else dates


def mark_flips(
    flips: Sequence[tuple[str, str]],
    value_of: dict[str, float],
    first: str,
    palette: Palette,
) -> tuple[Marks, ...]:
    """The flips on or after ``first``, marked by the state they flipped to, at ``value_of``
    (dates without a value are left out)."""
    colors = {"ON": palette.up, "MIXED": "orange", "OFF": palette.down}
    out = []
    for state, marker in STATE_MARKS.items():
        days = [d for d, s in flips if s == state and d >= first and d in value_of]
        out.append(Marks(days, [value_of[d] for d in days], marker, _plot_color(colors[state])))
    return tuple(out)


def _plot_color(style: str) -> str | tuple[int, int, int]:
    """A palette colour (a Rich name such as ``green`` / ``bright_red``, or ``#RRGGBB``) as
    plotext takes it: a name (``red+`` for bright), or an RGB triple."""
    word = style.split()[-1] if style.strip() else "cyan"
    if word.startswith("#") and len(word) == 7:
        try:
            return (int(word[1:3], 16), int(word[3:5], 16), int(word[5:7], 16))
        except ValueError:
            return "cyan"
    if word.startswith("bright_"):
        word = word[len("bright_") :] + "+"
    return word if word.rstrip("+") in PLOTEXT_COLORS else "cyan"


def score_plot(record: TrackRecord | None, k: float, period: str, palette: Palette) -> TrackPlot:
    """The score on every day of the period, k drawn across, flips marked."""
    if record is None:
        return TrackPlot(title="Rotation score", note="computing…")
    dates = visible_dates(record.dates, period)
    if len(dates) < 2:
        return TrackPlot(title="Rotation score", note="not enough days")
    start = len(record.dates) - len(dates)
    days, values = [], []
    for day, passed, known in zip(dates, record.passed[start:], record.known[start:], strict=True):
        if known > 0:
            days.append(day)
            values.append(passed / known)
    value_of = dict(zip(days, values, strict=True))
    title = f"Rotation score (passing / known) · {period} · ── k {k_text(k)} · " + " ".join(
        f"{m} {s}" for s, m in STATE_MARKS.items()
    )
    return TrackPlot(
        title=title,
        x_range=(dates[0], dates[-1]),
        series=(Series("score", days, values, "cyan"),),
        marks=mark_flips(record.flips, value_of, dates[0], palette),
        hlines=((k, "orange"),),
        y_range=(0.0, 1.0),
        yticks=(0.0, 0.5, 1.0),
        tick_format=".2f",
        note="no known score in the period",
    )


def pair_plot(
    record: TrackRecord | None,
    closes: pd.DataFrame | None,
    period: str,
    palette: Palette,
    benchmark: str = "SPY",
) -> TrackPlot:
    """IWM against the benchmark (SPY unless another is picked) over the score's period (the
    same x range), the score's flips marked on it."""
    against = "SPY" if benchmark == "IWM" else benchmark
    name = f"IWM/{against}"
    title = f"{name}, the rotation's core line · ▲ score into ON ▼ into OFF"
    if record is None or len(record.dates) < 2:
        return TrackPlot(title=title, note="computing…")
    if closes is None:
        return TrackPlot(title=title, note="loading figures…")
    from tui.regime.history import pair_line

    dates = visible_dates(record.dates, period)
    line = pair_line(closes, "IWM", against)
    line = line[(line.index >= dates[0]) & (line.index <= dates[-1])]
    days = [d.strftime("%Y-%m-%d") for d in line.index]
    values = [float(v) for v in line.to_numpy()]
    return TrackPlot(
        title=title,
        x_range=(dates[0], dates[-1]),
        series=(Series(name, days, values, "cyan"),),
        marks=mark_flips(
            [f for f in record.flips if f[1] != "MIXED"],
            dict(zip(days, values, strict=True)),
            dates[0],
            palette,
        ),
        note=f"no {name} data in the period",
    )


# -- the screen -----------------------------------------------------------------------------


@dataclass
class StudyReady(Message):
    """The score's study for one k, computed in the screen's worker."""

    k: float
    study: dict[str, Any]


class HistoryScreen(Screen[None]):
    """Opened with h (dashboard, rule evidence, palette); Esc goes back."""

    CSS_PATH = "../track.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to where you were"),
        Binding("plus,equals_sign", "k_step(1)", "k+", tooltip="Study: raise k by 0.1"),
        Binding("minus", "k_step(-1)", "k−", tooltip="Study: lower k by 0.1"),
        Binding("0", "k_reset", "k default", show=False, tooltip="Study: k back to ON level"),
        *[
            Binding(str(i), f"period('{p}')", p, show=False, tooltip=f"History charts: {p}")
            for i, p in enumerate(PERIODS, start=1)
        ],
    ]

    def __init__(
        self,
        palette: Palette,
        score_study: Callable[[pd.DataFrame, float], dict[str, Any]] | None = None,
    ) -> None:
        super().__init__()
        self.palette = palette
        self.score_study = score_study
        """Blocking: the study for another k (the session's `Monitor.score_study`)."""
        self.record: TrackRecord | None = None
        self.report: Report | None = None
        self.on_at = ON_AT
        self.k = ON_AT
        self.period = "max"
        self.study: dict[str, Any] | None = None
        """The study on screen: the record's (default k) or the worker's for ``self.k``."""
        self.computing = False

    def compose(self) -> ComposeResult:
        yield Static("Track record · computing…", id="history-title", markup=False)
        with VerticalScroll(id="history-body"):
            yield Static("computing…", id="history-streak", markup=False)
            yield Static("", id="history-high", markup=False)
            yield TrackChart(id="history-score")
            yield TrackChart(id="history-pair")
            yield Static("", id="history-flips", markup=False)
            yield Static("computing…", id="history-study", markup=False)
        yield StatusBar(id="status")
        yield FittedFooter()

    def on_mount(self) -> None:
        from tui.regime.engine import ON_AT as engine_on_at

        self.on_at = self.k = engine_on_at
        self.watch(self.app, "report", self._use_report)
        self.watch(self.app, "track_record", self._use_record)
        self.watch(self.app, "status", self._show_status)
        self.query_one("#history-body").focus()

    def on_resize(self) -> None:
        """The charts take a share of the height (their time axes stay aligned: same width)."""
        height = self.size.height
        score = max(8, min(16, int((height - 6) / 2.5)))
        self.query_one("#history-score").styles.height = score
        self.query_one("#history-pair").styles.height = max(6, score * 3 // 4)

    # -- app state ------------------------------------------------------------------------

    def _show_status(self, status: Status) -> None:
        self.query_one(StatusBar).show(status)

    def _use_report(self, report: Report | None) -> None:
        had = self.report.closes if self.report is not None else None
        self.report = report
        if report is not None and report.closes is not None and report.closes is not had:
            self._draw_charts()

    def _use_record(self, record: TrackRecord | None) -> None:
        self.record = record
        if record is None:
            return
        self._draw_head()
        self._draw_charts()
        if self._is_default_k():
            self.study = record.study
            self._draw_study()
        else:
            self._start_study()

    def _is_default_k(self) -> bool:
        return abs(self.k - self.on_at) < 1e-9

    # -- drawing --------------------------------------------------------------------------

    def _draw_head(self) -> None:
        record = self.record
        if record is None:
            return
        known = known_now(record)
        state = record.states[-1] if record.states else "?"
        passed = record.passed[-1] if record.passed else 0
        self.query_one("#history-title", Static).update(
            f"Track record · Rotation {state} {passed}/{known} on {record.as_of} · "
            f"{record.dates[0] if record.dates else '?'} – {record.as_of}"
        )
        self.query_one("#history-streak", Static).update(
            f"Streak: {record.streak}"
            if record.streak
            else "Streak: no known score on the last day"
        )
        high = record.last_high or "last time the score was this high: never before"
        self.query_one("#history-high", Static).update(high[:1].upper() + high[1:])
        self.query_one("#history-flips", Static).update(flip_summary(record.flips))

    def _draw_charts(self) -> None:
        closes = self.report.closes if self.report is not None else None
        self.query_one("#history-score", TrackChart).show(
            score_plot(self.record, self.k, self.period, self.palette)
        )
        self.query_one("#history-pair", TrackChart).show(
            pair_plot(self.record, closes, self.period, self.palette, *self._benchmark())
        )

    def _benchmark(self) -> list[str]:
        """The benchmark of the figures shown (none before they arrive: the default)."""
        return [self.report.benchmark] if self.report is not None else []

    def _draw_study(self, note: str = "") -> None:
        widget = self.query_one("#history-study", Static)
        known = known_now(self.record) if self.record is not None else 0
        choice = (
            f"k = {k_text(self.k)}"
            + (
                f" (with {known} rules known: {k_rules(self.k, known)} or more passing)"
                if known
                else ""
            )
            + (" · the ON level" if self._is_default_k() else f" · ON level {k_text(self.on_at)}")
            + " · + / − to change k, 0 for the ON level"
        )
        if note or self.study is None:
            widget.update(f"{choice}\n{note or 'computing…'}")
            return
        widget.update("\n".join([choice, *score_study_lines(self.study)]))

    # -- k --------------------------------------------------------------------------------

    def action_k_step(self, step: int) -> None:
        k = round(min(1.0, max(K_STEP, self.k + step * K_STEP)), 10)
        self._set_k(k)

    def action_k_reset(self) -> None:
        self._set_k(self.on_at)

    def _set_k(self, k: float) -> None:
        if abs(k - self.k) < 1e-9:
            return
        self.k = k
        self._draw_charts()
        if self._is_default_k() and self.record is not None:
            self.workers.cancel_group(self, "history-k")
            self.study = self.record.study
            self.computing = False
            self._draw_study()
        else:
            self._start_study()

    def _start_study(self) -> None:
        report, study_for = self.report, self.score_study
        closes = report.closes if report is not None else None
        if closes is None or study_for is None:
            self.study = None
            self._draw_study("computing… (waiting for the figures)")
            return
        self.study = None
        self.computing = True
        self._draw_study(f"computing the study for k = {k_text(self.k)}…")
        self.compute_study(self.k, closes, study_for)

    # A description of our own: Textual's default is the repr of the arguments, a closes
    # frame here (tens of ms on the UI thread for every + or − press).
    @work(
        thread=True,
        exclusive=True,
        group="history-k",
        exit_on_error=False,
        description="compute_study(k, closes)",
    )
    def compute_study(
        self,
        k: float,
        closes: pd.DataFrame,
        study_for: Callable[[pd.DataFrame, float], dict[str, Any]],
    ) -> None:
        """The score's study at ``k`` (the rules' and the record's own inputs)."""
        study = study_for(closes, k)
        if not get_current_worker().is_cancelled:
            self.post_message(StudyReady(k, study))

    def on_study_ready(self, message: StudyReady) -> None:
        if abs(message.k - self.k) > 1e-9:
            return  # an older choice of k
        self.study = message.study
        self.computing = False
        self._draw_study()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "history-k" and event.state == WorkerState.ERROR:
            self.computing = False
            error = event.worker.error
            self._draw_study(f"could not compute the study for k = {k_text(self.k)}: {error}")

    # -- keys -----------------------------------------------------------------------------

    def action_period(self, period: str) -> None:
        if period != self.period:
            self.period = period
            self._draw_charts()

    def action_back(self) -> None:
        self.dismiss()
