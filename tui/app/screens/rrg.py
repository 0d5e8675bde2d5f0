"""The relative rotation graph screen: a group of symbols on RS-Ratio vs RS-Momentum.

The math (:func:`tui.analytics.rrg.rrg`) runs in a thread worker of this screen; the plot
widget and the side panel only receive its points. Keys: arrows move the highlight to the
nearest symbol that way, Enter opens its drill-down (the app handles :class:`OpenSymbol`),
``d``/``w`` daily or weekly points, ``+``/``-`` the tail length, ``[``/``]`` the group, Esc
back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.messages import OpenSymbol
from tui.app.widgets.rrg_plot import (
    IMPROVING,
    LAGGING,
    LEADING,
    QUADRANT_VARIABLES,
    WEAKENING,
    PlotData,
    RRGPlot,
    nearest_in_direction,
    viewport,
)
from tui.universe import NOT_PRICES, name_of

if TYPE_CHECKING:
    import pandas as pd

    from tui.analytics.rrg import RRGPoint
    from tui.report import Report

DEFAULT_GROUP = "Sectors"
MODES = ("weekly", "daily")
MIN_TAIL, MAX_TAIL = 1, 26
NARROW_WIDTH = 110
"""Under this many columns the side panel goes under the graph and shows less."""
QUADRANT_ORDER = (LEADING, WEAKENING, LAGGING, IMPROVING)
PERIOD_WORD = {"weekly": "week", "daily": "day"}

MOVE = Binding.Group("Move")
MODE = Binding.Group("Mode")
TAIL = Binding.Group("Tail")
GROUP = Binding.Group("Group")


@dataclass(frozen=True)
class Request:
    """What one computation is for: the screen shows its result only if it is still current."""

    group: str
    symbols: tuple[str, ...]
    mode: str
    tail: int
    generation: int = 0
    """Bumped by new closes, so a result computed from older prices is never shown."""


@dataclass
class RRGComputed(Message):
    """The points of one request, and the symbols without one (with the reason)."""

    request: Request
    points: tuple[RRGPoint, ...]
    missing: tuple[tuple[str, str], ...]


def compute_points(
    closes: pd.DataFrame | None, request: Request, benchmark: str
) -> tuple[tuple[RRGPoint, ...], tuple[tuple[str, str], ...]]:
    """Points of the symbols that have one; every other symbol with why it has none."""
    from tui.analytics.rrg import rrg

    missing: list[tuple[str, str]] = []
    wanted: list[str] = []
    for symbol in request.symbols:
        if symbol == benchmark:
            missing.append((symbol, "the benchmark"))
        elif symbol in NOT_PRICES:
            missing.append((symbol, "not a price"))
        else:
            wanted.append(symbol)
    points: list[RRGPoint] = []
    if closes is not None and wanted:
        points = rrg(closes, wanted, benchmark, mode=request.mode, tail=request.tail)
    by_symbol = {p.symbol: p for p in points}
    has_bench = closes is not None and benchmark in closes and closes[benchmark].notna().any()
    for symbol in wanted:
        point = by_symbol.get(symbol)
        if point is not None and point.quadrant is not None:
            continue
        if not has_bench:
            missing.append((symbol, f"no data for {benchmark}"))
        elif closes is not None and symbol in closes and closes[symbol].notna().any():
            missing.append((symbol, "too little history"))
        else:
            missing.append((symbol, "no data"))
    shown = tuple(p for p in points if p.quadrant is not None)
    order = {s: i for i, s in enumerate(request.symbols)}
    return shown, tuple(sorted(missing, key=lambda m: order[m[0]]))


def _q(name: str | None) -> tuple[str, str]:
    """A quadrant name in its theme colour."""
    if name is None:
        return ("n/a", "$text-muted")
    return (name, f"${QUADRANT_VARIABLES[name]} bold")


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
    ]

    def __init__(
        self,
        closes: pd.DataFrame | None,
        groups: Sequence[tuple[str, Sequence[str]]],
        benchmark: str,
        *,
        tail: int = 8,
        mode: str = "weekly",
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        super().__init__()
        self.closes = closes
        self.groups = [(name, tuple(symbols)) for name, symbols in groups] or [(benchmark, ())]
        self.benchmark = benchmark
        self.tail = max(MIN_TAIL, min(MAX_TAIL, int(tail)))
        self.mode = mode
        names = [name for name, _ in self.groups]
        self.group_index = names.index(DEFAULT_GROUP) if DEFAULT_GROUP in names else 0
        self.points: tuple[RRGPoint, ...] = ()
        self.missing: tuple[tuple[str, str], ...] = ()
        self.highlight: str | None = None
        self.shown: Request | None = None
        self.error: str | None = None
        self.generation = 0

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="rrg-title")
        with Horizontal(id="rrg-body"):
            yield RRGPlot(id="rrg-plot")
            with Vertical(id="rrg-side"):
                yield Static("", id="rrg-info")
                yield Static("", id="rrg-list")
                yield Static("", id="rrg-na")
                yield Static("", id="rrg-tail")
        yield Footer()

    def on_mount(self) -> None:
        self._set_narrow(self.app.size.width)
        self._show()
        self.request()
        self.watch(self.app, "report", self._report_changed, init=False)

    def _report_changed(self, report: Report | None) -> None:
        if report is not None and report.closes is not None:
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

    @work(thread=True, exclusive=True, group="rrg", exit_on_error=False)
    def compute(self, request: Request, closes: pd.DataFrame | None) -> None:
        """The graph's points, off the UI thread; sent back as :class:`RRGComputed`."""
        points, missing = compute_points(closes, request, self.benchmark)
        if not get_current_worker().is_cancelled:
            self.post_message(RRGComputed(request, points, missing))

    @on(RRGComputed)
    def _computed(self, message: RRGComputed) -> None:
        if message.request != self.current:
            return  # the user has moved on; a newer computation is on its way
        self.shown = message.request
        self.points, self.missing = message.points, message.missing
        symbols = [p.symbol for p in self.points]
        if self.highlight not in symbols:
            self.highlight = symbols[0] if symbols else None
        self._show()
        self.refresh_bindings()  # Enter and the arrows depend on a highlight

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: this screen's worker fails here, said once.
        if event.worker.group == "rrg" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.error = f"could not compute: {type(error).__name__}: {error}"
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

    def _show_title(self) -> None:
        as_of = max((p.tail[-1][0] for p in self.points if p.tail), default=None)
        parts = [
            f"RRG · {self.group} vs {self.benchmark}",
            f"{self.mode} · tail {self.tail}",
        ]
        if as_of and self.shown == self.current:
            parts.append(f"to {as_of}")
        parts.append(f"group {self.group_index + 1}/{len(self.groups)}")
        self.query_one("#rrg-title", Static).update(Content(" · ".join(parts)))

    def point_of(self, symbol: str | None) -> RRGPoint | None:
        """The shown point of a symbol, if it has one."""
        return next((p for p in self.points if p.symbol == symbol), None)

    def _show_side(self) -> None:
        narrow = self.has_class("-narrow")
        point = self.point_of(self.highlight)
        info = self.query_one("#rrg-info", Static)
        info.update(self._info(point, narrow))
        self.query_one("#rrg-list", Static).update(self._quadrant_list())
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
                f"  RS-Ratio {point.rs_ratio:.2f}  RS-Momentum {point.rs_momentum:.2f}  ",
                _q(point.quadrant),
                "  (was ",
                _q(point.previous_quadrant),
                ")",
            )
        word = PERIOD_WORD[self.mode]
        return Content.assemble(
            (point.symbol, "bold"),
            "\n",
            (name_of(point.symbol), "$text-muted"),
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
        )

    def _quadrant_list(self) -> Content:
        parts: list[str | tuple[str, str]] = []
        for name in QUADRANT_ORDER:
            members = [p.symbol for p in self.points if p.quadrant == name]
            parts.extend([_q(name), " " * (10 - len(name)), " ".join(members) or "—", "\n"])
        return Content.assemble(*parts[:-1])

    def _na_line(self) -> Content:
        listed = ", ".join(f"{symbol} ({why})" for symbol, why in self.missing)
        return Content.assemble(("n/a: ", "bold"), listed)

    def _tail_table(self, point: RRGPoint | None) -> Content:
        if point is None or not point.tail:
            return Content("")
        # Loaded already: the worker computed the point.
        from tui.analytics.rrg import MOMENTUM_WINDOW, RATIO_WINDOW, quadrant

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
        lines.append(
            (
                f"\nAxes: 100 + z-score of the RS line ({RATIO_WINDOW} {word}s) and of its"
                f" rate of change ({MOMENTUM_WINDOW} {word}s).",
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
            self._changed()

    def action_tail(self, step: int) -> None:
        tail = max(MIN_TAIL, min(MAX_TAIL, self.tail + step))
        if tail != self.tail:
            self.tail = tail
            self._changed()

    def action_group(self, step: int) -> None:
        if len(self.groups) > 1:
            self.group_index = (self.group_index + step) % len(self.groups)
            self._changed()

    def _changed(self) -> None:
        self.refresh_bindings()
        self._show()
        self.request()
