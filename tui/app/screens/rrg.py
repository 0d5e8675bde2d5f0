"""The relative rotation graph screen: a group of symbols on RS-Ratio vs RS-Momentum.

The math runs in a thread worker of this screen, once per (group, mode, tail, closes): it
builds the time machine (:func:`tui.analytics.rrg.rrg_timeline`, the last
:data:`TIMELINE_STEPS` periods), and every frame after that is only sliced from it, so stepping
through time is instant. The plot widget and the side panel only receive a frame's points.

Keys: arrows move the highlight to the nearest symbol that way, Enter opens its drill-down
(the app handles :class:`OpenSymbol`), ``d``/``w`` daily or weekly points, ``+``/``-`` the
tail length, ``[``/``]`` the group, ``,``/``.`` one period back / forward, ``space`` plays the
last periods up to the newest (again: pause), ``M`` the member RRG of the highlighted sector
(its bundled holdings against the sector ETF), Esc back.

A timer exists only while playing: it is stopped on pause, at the newest frame, and when
anything else changes, so an idle graph draws nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.messages import OpenSymbol
from tui.app.widgets.footer import FittedFooter
from tui.app.widgets.rrg_plot import (
    IMPROVING,
    LAGGING,
    LEADING,
    QUADRANT_VARIABLES,
    SHORT_NAMES,
    WEAKENING,
    PlotData,
    RRGPlot,
    nearest_in_direction,
    viewport,
)
from tui.universe import NOT_PRICES, name_of

if TYPE_CHECKING:
    import pandas as pd

    from tui.analytics.rrg import RRGPoint, RRGTimeline
    from tui.report import Report

DEFAULT_GROUP = "Sectors"
MODES = ("weekly", "daily")
MIN_TAIL, MAX_TAIL = 1, 26
NARROW_WIDTH = 110
"""Under this many columns the side panel goes under the graph and shows less."""
QUADRANT_ORDER = (LEADING, WEAKENING, LAGGING, IMPROVING)
PERIOD_WORD = {"weekly": "week", "daily": "day"}
TIMELINE_STEPS = 52
"""Frames the time machine keeps: the last 52 periods (a year of weeks)."""
PLAY_INTERVAL = 0.4
"""Seconds per frame while playing."""
PLAY_PERIODS = 26
"""Periods an animation plays through when started at the newest frame."""
COMPASS_WORDS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
"""Optuma's eight 45-degree heading sectors, North centred on 0 (337.5-22.5)."""

MOVE = Binding.Group("Move")
MODE = Binding.Group("Mode")
TAIL = Binding.Group("Tail")
GROUP = Binding.Group("Group")
TIME = Binding.Group("Time")

HoldingsCloses = Callable[[Sequence[str]], "pd.DataFrame"]
"""The app's blocking loader of holdings closes (seeds their bundled history first)."""


def compass_word(heading: float | None) -> str:
    """The eight-way word of a heading in degrees (N for 337.5-22.5, NE for 22.5-67.5, ...)."""
    if heading is None:
        return ""
    return COMPASS_WORDS[int(((heading % 360.0) + 22.5) // 45.0) % 8]


def heading_text(heading: float | None) -> str:
    """``045° NE``; ``n/a`` without a step."""
    if heading is None:
        return "n/a"
    return f"{round(heading) % 360:03d}° {compass_word(heading)}"


@dataclass(frozen=True)
class Request:
    """What one computation is for: the screen shows its result only if it is still current."""

    group: str
    symbols: tuple[str, ...]
    mode: str
    tail: int
    generation: int = 0
    """Bumped by new closes, so a result computed from older prices is never shown."""


@dataclass(frozen=True)
class Computed:
    """A request's time machine and what is known about each symbol without a point."""

    timeline: RRGTimeline | None
    reasons: Mapping[str, str]
    """Why a symbol can never have a point here ("the benchmark", "no data", ...)."""
    has_data: frozenset[str]
    """Symbols with closes: one without a point in a frame has "too little history"."""
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Bundled holdings of the group's symbols that have a list (for the member RRG)."""


@dataclass
class RRGComputed(Message):
    """The time machine of one request."""

    request: Request
    computed: Computed


def compute_timeline(
    closes: pd.DataFrame | None,
    request: Request,
    benchmark: str,
    steps: int = TIMELINE_STEPS,
) -> Computed:
    """The time machine of a request (None when nothing can be drawn) and every symbol's
    reason for having no point where one is known in advance."""
    from tui.analytics.rrg import rrg_timeline
    from tui.data.snapshot import load_holdings

    reasons: dict[str, str] = {}
    wanted: list[str] = []
    for symbol in request.symbols:
        if symbol == benchmark:
            reasons[symbol] = "the benchmark"
        elif symbol in NOT_PRICES:
            reasons[symbol] = "not a price"
        else:
            wanted.append(symbol)
    has_bench = closes is not None and benchmark in closes and closes[benchmark].notna().any()
    has_data: set[str] = set()
    for symbol in wanted:
        if not has_bench:
            reasons[symbol] = f"no data for {benchmark}"
        elif closes is not None and symbol in closes and closes[symbol].notna().any():
            has_data.add(symbol)
        else:
            reasons[symbol] = "no data"
    timeline = None
    if closes is not None and has_bench and wanted:
        timeline = rrg_timeline(
            closes, wanted, benchmark, steps=steps, mode=request.mode, tail=request.tail
        )
    holdings = load_holdings()
    members = {
        s: tuple(dict.fromkeys(h.symbol for h in holdings[s]))
        for s in request.symbols
        if holdings.get(s)
    }
    return Computed(timeline, reasons, frozenset(has_data), members)


def frame_points(
    computed: Computed, request: Request, k: int
) -> tuple[tuple[RRGPoint, ...], tuple[tuple[str, str], ...]]:
    """The points of frame ``k`` (0 = newest) that exist, and every other symbol with why."""
    timeline = computed.timeline
    frame = timeline.frame(k) if timeline is not None and len(timeline) else []
    by_symbol = {p.symbol: p for p in frame}
    shown: list[RRGPoint] = []
    missing: list[tuple[str, str]] = []
    for symbol in request.symbols:
        point = by_symbol.get(symbol)
        if point is not None and point.quadrant is not None:
            shown.append(point)
        elif symbol in computed.reasons:
            missing.append((symbol, computed.reasons[symbol]))
        elif symbol in computed.has_data:
            missing.append((symbol, "too little history"))
        else:
            missing.append((symbol, "no data"))
    return tuple(shown), tuple(missing)


def _q(name: str | None) -> tuple[str, str]:
    """A quadrant name in its theme colour."""
    if name is None:
        return ("n/a", "$text-muted")
    return (name, f"${QUADRANT_VARIABLES[name]} bold")


def _figure(value: float | None, fmt: str = "{:.2f}") -> str:
    return "n/a" if value is None else fmt.format(value)


class RRGScreen(Screen[None]):
    """Every symbol of a group on the relative rotation graph, with tails; Esc goes back."""

    CSS_PATH = "../rrg.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the previous screen"),
        Binding("enter", "open", "Open", tooltip="Open the highlighted symbol's drill-down"),
        Binding(
            "left",
            "move('left')",
            "Left",
            key_display="←",
            group=MOVE,
            tooltip="Highlight the nearest symbol to the left (lower RS-Ratio)",
        ),
        Binding(
            "right",
            "move('right')",
            "Right",
            key_display="→",
            group=MOVE,
            tooltip="Highlight the nearest symbol to the right (higher RS-Ratio)",
        ),
        Binding(
            "up",
            "move('up')",
            "Up",
            key_display="↑",
            group=MOVE,
            tooltip="Highlight the nearest symbol above (higher RS-Momentum)",
        ),
        Binding(
            "down",
            "move('down')",
            "Down",
            key_display="↓",
            group=MOVE,
            tooltip="Highlight the nearest symbol below (lower RS-Momentum)",
        ),
        Binding("d", "mode('daily')", "Daily", group=MODE, tooltip="One point per trading day"),
        Binding("w", "mode('weekly')", "Weekly", group=MODE, tooltip="One point per week"),
        Binding(
            "plus,equals_sign",
            "tail(1)",
            "Longer tail",
            key_display="+",
            group=TAIL,
            tooltip=f"One more point in each tail (up to {MAX_TAIL})",
        ),
        Binding(
            "minus",
            "tail(-1)",
            "Shorter tail",
            key_display="-",
            group=TAIL,
            tooltip="One point fewer in each tail",
        ),
        Binding(
            "right_square_bracket",
            "group(1)",
            "Next group",
            key_display="]",
            group=GROUP,
            tooltip="Show the next group of symbols",
        ),
        Binding(
            "left_square_bracket",
            "group(-1)",
            "Previous group",
            key_display="[",
            group=GROUP,
            tooltip="Show the previous group of symbols",
        ),
        Binding(
            "comma",
            "step(1)",
            "Back",
            key_display=",",
            group=TIME,
            tooltip="The whole graph one period back in time",
        ),
        Binding(
            "full_stop",
            "step(-1)",
            "Forward",
            key_display=".",
            group=TIME,
            tooltip="The whole graph one period forward in time",
        ),
        Binding(
            "space",
            "play",
            "Play",
            group=TIME,
            tooltip=f"Play the last {PLAY_PERIODS} periods up to the newest (again: pause)",
        ),
        Binding(
            "M",
            "members",
            "Members",
            tooltip="RRG of the highlighted sector's bundled holdings against the sector ETF",
        ),
    ]

    def __init__(
        self,
        closes: pd.DataFrame | None,
        groups: Sequence[tuple[str, Sequence[str]]],
        benchmark: str,
        *,
        tail: int = 8,
        mode: str = "weekly",
        holdings_closes: HoldingsCloses | None = None,
        member_of: str | None = None,
    ) -> None:
        """``holdings_closes`` (the app's blocking loader, called in the worker) enables the
        member RRG. ``member_of`` makes this screen a member RRG: its closes are loaded with
        ``holdings_closes`` for the group's symbols and the benchmark (the sector ETF)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        super().__init__()
        self.closes = closes
        self.groups = [(name, tuple(symbols)) for name, symbols in groups] or [(benchmark, ())]
        self.benchmark = benchmark
        self.tail = max(MIN_TAIL, min(MAX_TAIL, int(tail)))
        self.mode = mode
        self.holdings_closes = holdings_closes
        self.member_of = member_of
        names = [name for name, _ in self.groups]
        self.group_index = names.index(DEFAULT_GROUP) if DEFAULT_GROUP in names else 0
        self.points: tuple[RRGPoint, ...] = ()
        self.missing: tuple[tuple[str, str], ...] = ()
        self.highlight: str | None = None
        self.shown: Request | None = None
        self.computed: Computed | None = None
        self.error: str | None = None
        self.generation = 0
        self.step = 0
        """Periods back from the newest frame (0 = the newest)."""
        self.player: Timer | None = None
        """The animation's timer; it exists only while playing."""

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="rrg-title")
        with Horizontal(id="rrg-body"):
            yield RRGPlot(id="rrg-plot")
            with Vertical(id="rrg-side"):
                yield Static("", id="rrg-info")
                yield Static("", id="rrg-list")
                yield Static("", id="rrg-moves")
                yield Static("", id="rrg-na")
                yield Static("", id="rrg-tail")
        yield FittedFooter()

    def on_mount(self) -> None:
        self._set_narrow(self.app.size.width)
        self._show()
        self.request()
        self.watch(self.app, "report", self._report_changed, init=False)

    def on_unmount(self) -> None:
        self._stop()

    def _report_changed(self, report: Report | None) -> None:
        if report is None or report.closes is None:
            return
        if self.member_of is not None:
            # The holdings' closes are read again (a refresh may have fetched them).
            self.generation += 1
            self.request()
        else:
            self.benchmark = report.benchmark  # a benchmark picked (B, the palette) follows
            self.set_closes(report.closes)

    def on_resize(self, event: events.Resize) -> None:
        self._set_narrow(event.size.width)

    def _set_narrow(self, width: int) -> None:
        narrow = width < NARROW_WIDTH
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            if self.is_mounted:
                self._show_side()

    # -- state ---------------------------------------------------------------------------

    @property
    def group(self) -> str:
        """The name of the group on the graph."""
        return self.groups[self.group_index][0]

    @property
    def current(self) -> Request:
        """What the graph should show now."""
        name, symbols = self.groups[self.group_index]
        return Request(name, symbols, self.mode, self.tail, self.generation)

    @property
    def frames(self) -> int:
        """Frames in the time machine of what is shown (0 before the first result)."""
        if self.computed is None or self.computed.timeline is None:
            return 0
        return len(self.computed.timeline)

    @property
    def playing(self) -> bool:
        return self.player is not None

    def set_closes(self, closes: pd.DataFrame | None) -> None:
        """New prices (after a refresh): recompute what is shown."""
        self.closes = closes
        self.generation += 1
        self.request()

    # -- the worker ----------------------------------------------------------------------

    def request(self) -> None:
        """Compute the current request in a thread (an older one still running is cancelled)."""
        self.error = None
        self.compute(self.current, self.closes)

    # A description of our own: Textual's default is the repr of the arguments, and the repr
    # of a closes frame (pandas' to_string) takes tens of ms on the UI thread.
    @work(
        thread=True,
        exclusive=True,
        group="rrg",
        exit_on_error=False,
        description="compute(request, closes)",
    )
    def compute(self, request: Request, closes: pd.DataFrame | None) -> None:
        """The time machine, off the UI thread; sent back as :class:`RRGComputed`."""
        if self.member_of is not None and self.holdings_closes is not None:
            closes = self.holdings_closes([self.benchmark, *request.symbols])
        computed = compute_timeline(closes, request, self.benchmark)
        if not get_current_worker().is_cancelled:
            self.post_message(RRGComputed(request, computed))

    @on(RRGComputed)
    def _computed(self, message: RRGComputed) -> None:
        if message.request != self.current:
            return  # the user has moved on; a newer computation is on its way
        self.shown = message.request
        self.computed = message.computed
        self.step = min(self.step, max(0, self.frames - 1))
        self._use_frame()

    def _use_frame(self) -> None:
        """Show frame ``self.step`` of the computed time machine."""
        if self.computed is None or self.shown is None:
            return
        self.points, self.missing = frame_points(self.computed, self.shown, self.step)
        symbols = [p.symbol for p in self.points]
        if self.highlight not in symbols:
            self.highlight = symbols[0] if symbols else None
        self._show()
        self.refresh_bindings()  # Enter, the arrows and the time keys depend on it

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: this screen's worker fails here, said once.
        if event.worker.group == "rrg" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.error = f"could not compute: {type(error).__name__}: {error}"
            self._stop()
            self._show()
            self.notify(self.error, title="RRG", severity="error", timeout=10, markup=False)

    # -- drawing -------------------------------------------------------------------------

    def _show(self) -> None:
        self._show_title()
        current = self.shown == self.current
        if self.error:
            note = self.error
        elif not current:
            note = "computing…"
        else:
            note = "no symbol of this group has a point"
        points = self.points if current and not self.error else ()
        self.query_one(RRGPlot).show(PlotData(points, self.highlight, note))
        self._show_side()

    @property
    def frame_date(self) -> str | None:
        """The date of the frame shown (the benchmark's close of that period)."""
        if self.shown != self.current or not self.frames or self.computed is None:
            return None
        assert self.computed.timeline is not None
        return self.computed.timeline.date(self.step)

    def _show_title(self) -> None:
        if self.member_of is not None:
            head = f"RRG · {self.member_of} holdings vs {self.benchmark}"
        else:
            head = f"RRG · {self.group} vs {self.benchmark}"
        parts = [head, f"{self.mode} · tail {self.tail}"]
        as_of = self.frame_date
        if as_of:
            parts.append(f"to {as_of}")
            word = PERIOD_WORD[self.mode]
            if self.step:
                parts.append(f"{self.step} {word}{'s' if self.step > 1 else ''} back")
            elif not self.playing:
                parts.append("newest")
            if self.playing:
                parts.append("▶ playing")
        if self.member_of is None:
            parts.append(f"group {self.group_index + 1}/{len(self.groups)}")
        self.query_one("#rrg-title", Static).update(Content(" · ".join(parts)))

    def point_of(self, symbol: str | None) -> RRGPoint | None:
        """The shown point of a symbol, if it has one."""
        return next((p for p in self.points if p.symbol == symbol), None)

    def _show_side(self) -> None:
        narrow = self.has_class("-narrow")
        point = self.point_of(self.highlight)
        self.query_one("#rrg-info", Static).update(self._info(point, narrow))
        self.query_one("#rrg-list", Static).update(self._symbol_table())
        self.query_one("#rrg-moves", Static).update(self._transitions(narrow))
        na = self.query_one("#rrg-na", Static)
        na.update(self._na_line())
        na.display = bool(self.missing)
        self.query_one("#rrg-tail", Static).update(self._tail_table(point))

    def _info(self, point: RRGPoint | None, narrow: bool) -> Content:
        if point is None or point.rs_ratio is None or point.rs_momentum is None:
            return Content.styled("No symbol highlighted", "$text-muted")
        changed = point.previous_quadrant not in (None, point.quadrant)
        if narrow:
            return Content.assemble(
                (point.symbol, "bold"),
                f"  Ratio {point.rs_ratio:.2f}  Mom {point.rs_momentum:.2f}  ",
                _q(point.quadrant),
                " (was ",
                _q(point.previous_quadrant),
                f")  heading {heading_text(point.heading)}  velocity {_figure(point.velocity)}",
            )
        word = PERIOD_WORD[self.mode]
        name = name_of(point.symbol)
        return Content.assemble(
            (point.symbol, "bold"),
            "\n",
            (name if name != point.symbol else "", "$text-muted"),
            "\n\n",
            ("RS-Ratio     ", "$text-muted"),
            f"{point.rs_ratio:8.2f}\n",
            ("RS-Momentum  ", "$text-muted"),
            f"{point.rs_momentum:8.2f}\n",
            ("Quadrant     ", "$text-muted"),
            _q(point.quadrant),
            "\n",
            (f"Last {word:<8}", "$text-muted"),
            _q(point.previous_quadrant),
            (" (changed)" if changed else "", "$text-warning"),
            "\n",
            ("Heading      ", "$text-muted"),
            f"{heading_text(point.heading)}\n",
            ("Velocity     ", "$text-muted"),
            f"{_figure(point.velocity):>8} /{word}\n",
            ("Tail length  ", "$text-muted"),
            f"{_figure(point.tail_length):>8}",
        )

    def _symbol_table(self) -> Content:
        """One row per symbol, by quadrant: heading, velocity and tail length."""
        parts: list[str | tuple[str, str]] = [("Sym   Quad  Heading  Vel  Tail\n", "$text-muted")]
        for name in QUADRANT_ORDER:
            for p in self.points:
                if p.quadrant != name:
                    continue
                style = "bold reverse" if p.symbol == self.highlight else "bold"
                parts.append((f"{p.symbol:<5}", style))
                parts.append(" ")
                parts.append((f"{SHORT_NAMES[name]:<4}", f"${QUADRANT_VARIABLES[name]} bold"))
                parts.append(
                    f"  {heading_text(p.heading):<7}"
                    f" {_figure(p.velocity):>4} {_figure(p.tail_length):>5}\n"
                )
        if len(parts) == 1:
            return Content("")
        last = parts[-1]
        if isinstance(last, str):
            parts[-1] = last.rstrip("\n")
        return Content.assemble(*parts)

    def _transitions(self, narrow: bool) -> Content:
        """The symbols that changed quadrant in the period shown ("XLK Improving → Lagging")."""
        from tui.analytics.rrg import transitions

        if self.shown != self.current:
            return Content("")
        moves = [t.text for t in transitions(self.points)]
        word = PERIOD_WORD[self.mode]
        if narrow:
            listed = ", ".join(moves) if moves else "none"
            return Content.assemble((f"This {word}: ", "bold"), listed)
        head = (f"Transitions this {word}\n", "bold")
        return Content.assemble(head, "\n".join(moves) if moves else ("none", "$text-muted"))

    def _na_line(self) -> Content:
        listed = ", ".join(f"{symbol} ({why})" for symbol, why in self.missing)
        return Content.assemble(("n/a: ", "bold"), listed)

    def _tail_table(self, point: RRGPoint | None) -> Content:
        if point is None or not point.tail:
            return Content("")
        # Loaded already: the worker computed the point.
        from tui.analytics.rrg import MOMENTUM_WINDOW, RATIO_WINDOW, SMOOTHING_BY_MODE, quadrant

        lines: list[str | tuple[str, str]] = [
            ("Tail, newest first\n", "bold"),
            ("date        RS-Ratio  RS-Mom\n", "$text-muted"),
        ]
        for day, x, y in reversed(point.tail):
            name = quadrant(x, y) or ""
            lines.append(f"{day}  {x:7.2f}  {y:6.2f}  ")
            lines.append((name[:1], f"${QUADRANT_VARIABLES[name]} bold") if name else "")
            lines.append("\n")
        word = PERIOD_WORD[self.mode]
        smoothing = SMOOTHING_BY_MODE[self.mode]
        lines.append(
            (
                f"\nAxes: 100 + z-score of the RS line ({smoothing}-{word} average,"
                f" {RATIO_WINDOW} {word}s) and of its rate of change ({MOMENTUM_WINDOW}"
                f" {word}s). Heading: compass degrees of the last step, 0 = up.",
                "$text-muted",
            )
        )
        return Content.assemble(*lines)

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that would do nothing now are shown dimmed."""
        if action == "mode":
            return parameters[0] != self.mode or None
        if action == "tail":
            step = int(parameters[0])  # type: ignore[call-overload]
            return MIN_TAIL <= self.tail + step <= MAX_TAIL or None
        if action == "group":
            return len(self.groups) > 1 or None
        if action in ("open", "move"):
            return self.highlight is not None or None
        if action == "step":
            step = int(parameters[0])  # type: ignore[call-overload]
            return 0 <= self.step + step < self.frames or None
        if action == "play":
            return self.frames > 1 or None
        if action == "members":
            return self.member_of is None or None
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_open(self) -> None:
        if self.highlight is not None:
            self.post_message(OpenSymbol(self.highlight))

    def action_move(self, direction: str) -> None:
        if self.highlight is None:
            return
        shown = [
            (p.symbol, p.rs_ratio, p.rs_momentum)
            for p in self.points
            if p.rs_ratio is not None and p.rs_momentum is not None
        ]
        target = nearest_in_direction(shown, self.highlight, direction, viewport(self.points))
        if target is not None:
            self.highlight = target
            self._show()

    def action_mode(self, mode: str) -> None:
        if mode in MODES and mode != self.mode:
            self.mode = mode
            self.step = 0
            self._changed()

    def action_tail(self, step: int) -> None:
        tail = max(MIN_TAIL, min(MAX_TAIL, self.tail + step))
        if tail != self.tail:
            self.tail = tail
            self._changed()

    def action_group(self, step: int) -> None:
        if len(self.groups) > 1:
            self.group_index = (self.group_index + step) % len(self.groups)
            self.step = 0
            self._changed()

    def action_step(self, step: int) -> None:
        """One period back (``1``) or forward (``-1``); pauses an animation."""
        self._stop()
        self.go_to(self.step + step)

    def go_to(self, k: int) -> None:
        """Show the frame ``k`` periods back (clipped to the time machine)."""
        if not self.frames:
            return
        k = max(0, min(self.frames - 1, k))
        if k != self.step or self.shown == self.current:
            self.step = k
            self._use_frame()

    def action_play(self) -> None:
        """Play from ``PLAY_PERIODS`` back (or from the frame shown) to the newest; pause."""
        if self.playing:
            self._stop()
            self._show_title()
            self.refresh_bindings()
            return
        if self.frames < 2 or self.shown != self.current:
            return
        if self.step == 0:
            self.step = min(self.frames - 1, PLAY_PERIODS)
        self.player = self.set_interval(PLAY_INTERVAL, self._tick)
        self._use_frame()

    def _tick(self) -> None:
        if self.step <= 0 or self.shown != self.current:
            self._stop()
            self._show_title()
            self.refresh_bindings()
            return
        self.step -= 1
        if self.step == 0:
            self._stop()
        self._use_frame()

    def _stop(self) -> None:
        if self.player is not None:
            self.player.stop()
            self.player = None

    def action_members(self) -> None:
        """The member RRG of the highlighted sector (its holdings vs the sector ETF)."""
        symbol = self.highlight
        if self.member_of is not None or symbol is None:
            return
        if self.holdings_closes is None:
            self.notify("member RRG needs holdings data", title="RRG", timeout=5)
            return
        members = (self.computed.members if self.computed else {}).get(symbol)
        if not members:
            self.notify(
                f"No holdings list is bundled for {symbol}", title="RRG", timeout=5, markup=False
            )
            return
        self._stop()
        self.app.push_screen(
            RRGScreen(
                None,
                [(f"{symbol} holdings", list(members))],
                symbol,
                tail=self.tail,
                mode=self.mode,
                holdings_closes=self.holdings_closes,
                member_of=symbol,
            )
        )

    def _changed(self) -> None:
        self._stop()
        self.refresh_bindings()
        self._show()
        self.request()
