"""The relative rotation graph, drawn cell by cell: quadrants, tails, markers and labels.

The widget receives ready points (:class:`tui.analytics.rrg.RRGPoint`) and a highlighted
symbol; it never computes a figure. Everything that decides where things go is a pure function
of the points and the pane size, tested on its own:

- :func:`viewport` — the axis half-spans around 100 (every tail point fits, rounded up to a
  half unit so the frame does not jitter between refreshes);
- :class:`Frame` — where the plot area sits in the pane and how (RS-Ratio, RS-Momentum) maps
  to a cell and to a braille dot (2 × 4 dots a cell, for the tails);
- :func:`place_labels` — one label per symbol, tried at positions around its marker in a fixed
  order, skipping cells already taken, so labels never overlap each other, a marker or the
  quadrant names and axis figures;
- :func:`nearest_in_direction` — which symbol an arrow key moves the highlight to.

Tails: every point of a tail gets a marker, joined to the next by a faint braille path. The
newest point is the symbol's marker (``●``, ``◉`` when highlighted) with its label, bold; the
earlier points are smaller the older they are (``•`` for the newer half of the tail, ``·`` for
the older half) and fade towards the background in :data:`FADE_LEVELS` steps, so the direction
of travel reads from the shapes alone (``NO_COLOR``, monochrome terminals) and more easily
still in colour.

Colours come from the current theme's variables (``$success`` Leading, ``$warning``
Weakening, ``$error`` Lagging, ``$primary`` Improving; quadrant backgrounds are those colours
blended faintly into ``$background``). The quadrant names, the markers and the labels carry the
meaning too, so the picture reads without colour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from tui.analytics.rrg import RRGPoint

# The names of tui.analytics.rrg.QUADRANTS (not imported: that module loads pandas).
LEADING, WEAKENING, LAGGING, IMPROVING = "Leading", "Weakening", "Lagging", "Improving"
QUADRANT_VARIABLES: Mapping[str, str] = {
    LEADING: "success",
    WEAKENING: "warning",
    LAGGING: "error",
    IMPROVING: "primary",
}
"""The theme variable that colours each quadrant."""

SHORT_NAMES: Mapping[str, str] = {
    LEADING: "LEAD",
    WEAKENING: "WEAK",
    LAGGING: "LAG",
    IMPROVING: "IMPR",
}

MARKER = "●"
HIGHLIGHT_MARKER = "◉"
RECENT_MARKER = "•"
"""An earlier tail point in the newer half of the tail."""
OLD_MARKER = "·"
"""An earlier tail point in the older half of the tail."""
FADE_LEVELS = 4
"""Steps of fading of the earlier tail points, from the point before the newest to the oldest."""
FADE_STRONG, FADE_WEAK = 0.85, 0.35
"""Share of the quadrant colour (over the background) of the least and the most faded point."""
TINT = 0.13
"""Share of the quadrant colour in a quadrant's background."""
FAINT = 0.4
"""Share of the quadrant colour in a tail that is not highlighted."""
MIN_HALF_SPAN = 1.0
SPAN_STEP = 0.5
LABEL_REACH = 3
"""How many cells away from its marker a label may go."""
GUTTER = 6
"""Columns of the y-axis figures (``101.5 ``); shown from :data:`FULL_SIZE` up."""
FULL_SIZE = (40, 10)
NAMES_MIN_HEIGHT = 6
"""Plot rows from which the quadrant and axis names are written."""

# Braille dots: (dx, dy) within a cell of 2 × 4 dots -> bit.
_BRAILLE = {
    (0, 0): 0x01,
    (0, 1): 0x02,
    (0, 2): 0x04,
    (1, 0): 0x08,
    (1, 1): 0x10,
    (1, 2): 0x20,
    (0, 3): 0x40,
    (1, 3): 0x80,
}

Cell = tuple[int, int]
"""(column, row) in the pane."""


# --- what the widget is given ------------------------------------------------------------------


@dataclass(frozen=True)
class PlotData:
    """What the graph shows: the points that exist, the highlighted symbol, a note if empty."""

    points: tuple[RRGPoint, ...] = ()
    highlight: str | None = None
    note: str = ""


@dataclass(frozen=True)
class PlotColors:
    """Styles resolved from a theme's variables (see :meth:`from_variables`).

    The default has no colour at all (for tests and monochrome terminals).
    """

    quadrant: Mapping[str, Style] = field(default_factory=dict)
    """Markers, labels and quadrant names."""
    tail: Mapping[str, Style] = field(default_factory=dict)
    """The faint path of a symbol that is not highlighted."""
    tint: Mapping[str, Style] = field(default_factory=dict)
    """Background of each quadrant."""
    axis: Style = field(default_factory=lambda: Style(dim=True))
    """The 100 lines and the axis figures."""
    fade: Mapping[str, tuple[Style, ...]] = field(default_factory=dict)
    """Earlier tail points: :data:`FADE_LEVELS` styles, the newest (strongest) first."""

    def faded(self, name: str, level: int) -> Style:
        """The style of an earlier tail point ``level`` steps faded (0 = the least)."""
        levels = self.fade.get(name)
        if not levels:
            return Style(dim=level >= FADE_LEVELS // 2)
        return levels[min(level, len(levels) - 1)]

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> PlotColors:
        """Styles from theme variables (``App.get_css_variables()``); ANSI themes get no tint."""
        background = _parse(variables.get("background"))
        foreground = _parse(variables.get("foreground"))
        blendable = background is not None and background.ansi is None
        quadrant: dict[str, Style] = {}
        tail: dict[str, Style] = {}
        tint: dict[str, Style] = {}
        fade: dict[str, tuple[Style, ...]] = {}
        for name, variable in QUADRANT_VARIABLES.items():
            colour = _parse(variables.get(variable))
            if colour is None:
                continue
            quadrant[name] = Style(color=colour.rich_color)
            if blendable and colour.ansi is None:
                assert background is not None
                tint[name] = Style(bgcolor=background.blend(colour, TINT).rich_color)
                tail[name] = Style(color=background.blend(colour, FAINT).rich_color)
                step = (FADE_STRONG - FADE_WEAK) / max(1, FADE_LEVELS - 1)
                fade[name] = tuple(
                    Style(color=background.blend(colour, FADE_STRONG - i * step).rich_color)
                    for i in range(FADE_LEVELS)
                )
            else:
                tail[name] = Style(color=colour.rich_color, dim=True)
                half = FADE_LEVELS // 2
                fade[name] = tuple(
                    Style(color=colour.rich_color, dim=i >= half) for i in range(FADE_LEVELS)
                )
        if blendable and foreground is not None and foreground.ansi is None:
            assert background is not None
            axis = Style(color=background.blend(foreground, 0.45).rich_color)
        else:
            axis = Style(dim=True)
        return cls(quadrant=quadrant, tail=tail, tint=tint, axis=axis, fade=fade)


def _parse(value: str | None) -> Color | None:
    if not value:
        return None
    try:
        return Color.parse(value)
    except (ColorParseError, ValueError):
        return None


# --- geometry ----------------------------------------------------------------------------------


def viewport(points: Iterable[RRGPoint]) -> tuple[float, float]:
    """Half-spans (x, y) around 100 that hold every tail point, rounded up to half a unit."""
    dx = dy = 0.0
    for point in points:
        for _, x, y in point.tail:
            dx, dy = max(dx, abs(x - 100)), max(dy, abs(y - 100))

    def span(d: float) -> float:
        return max(MIN_HALF_SPAN, math.ceil(d * 1.05 / SPAN_STEP) * SPAN_STEP)

    return span(dx), span(dy)


@dataclass(frozen=True)
class Frame:
    """The plot area inside a pane and the mapping from figures to cells and braille dots."""

    left: int
    top: int
    width: int
    height: int
    half_x: float
    half_y: float

    @property
    def right(self) -> int:
        """First column after the plot area."""
        return self.left + self.width

    @property
    def bottom(self) -> int:
        """First row after the plot area."""
        return self.top + self.height

    def dot(self, x: float, y: float) -> tuple[int, int]:
        """The braille dot (column, row in dots, from the plot's top left) of a point."""
        u = min(1.0, max(0.0, (x - 100 + self.half_x) / (2 * self.half_x)))
        v = min(1.0, max(0.0, (100 + self.half_y - y) / (2 * self.half_y)))
        return (
            math.floor(u * (self.width * 2 - 1) + 0.5),
            math.floor(v * (self.height * 4 - 1) + 0.5),
        )

    def cell(self, x: float, y: float) -> Cell:
        """The pane cell of a point."""
        px, py = self.dot(x, y)
        return self.left + px // 2, self.top + py // 4

    @property
    def centre(self) -> Cell:
        """The cell of (100, 100), where the quadrant lines cross."""
        return self.cell(100.0, 100.0)

    def quadrant_of(self, col: int, row: int) -> str | None:
        """The quadrant a cell lies in (None on a 100 line)."""
        cc, cr = self.centre
        if col == cc or row == cr:
            return None
        if col > cc:
            return LEADING if row < cr else WEAKENING
        return IMPROVING if row < cr else LAGGING


def make_frame(width: int, height: int, half_x: float, half_y: float) -> Frame | None:
    """The plot area of a pane: with axis figures from FULL_SIZE up, bare below; None if tiny."""
    if width < 4 or height < 2:
        return None
    if width >= FULL_SIZE[0] and height >= FULL_SIZE[1]:
        return Frame(GUTTER, 0, width - GUTTER, height - 1, half_x, half_y)
    return Frame(0, 0, width, height, half_x, half_y)


# --- label placement ---------------------------------------------------------------------------


def label_candidates(col: int, row: int, length: int, reach: int = LABEL_REACH) -> list[Cell]:
    """Start cells for a label of ``length`` near a marker at (col, row), best first.

    Ranked by ring (cells between marker and label, by row or by column), then rows nearer
    the marker's, then the column gap; on the marker's row right before left, on other rows
    centred over or under the marker first, then right, then left; above before below.
    Never a position that covers the marker itself.
    """
    ranked: list[tuple[tuple[int, ...], Cell]] = []
    for dy in range(-reach, reach + 1):
        for start in range(col - length - reach, col + reach + 2):
            end = start + length - 1
            covers = start <= col <= end
            if dy == 0 and covers:
                continue
            if covers:
                gap, side, offset = 0, 0, abs(start + length // 2 - col)
            elif start > col:
                gap, side, offset = start - col - 1, 1, 0
            else:
                gap, side, offset = col - end - 1, 2, 0
            ring = max(abs(dy), gap)
            if ring > reach:
                continue
            key = (ring, abs(dy), gap, side, offset, 0 if dy <= 0 else 1, start)
            ranked.append((key, (start, row + dy)))
    ranked.sort()
    return [cell for _, cell in ranked]


def place_labels(
    anchors: Sequence[tuple[str, int, int]],
    bounds: tuple[int, int, int, int],
    blocked: Iterable[Cell] = (),
    reach: int = LABEL_REACH,
) -> dict[str, Cell | None]:
    """Where each label starts, or None when it fits nowhere within ``reach`` of its marker.

    ``anchors`` are (label, marker column, marker row), placed in that order (put the most
    important first). ``bounds`` is (left, top, right, bottom), right and bottom exclusive.
    A label takes the cells of its text; it may not cover a ``blocked`` cell, a marker, or
    another label, and keeps one free cell between itself and another label on its row.
    Deterministic: the same input always gives the same placement.
    """
    left, top, right, bottom = bounds
    taken = set(blocked) | {(c, r) for _, c, r in anchors}
    text_cells: set[Cell] = set()
    placed: dict[str, Cell | None] = {}
    for label, col, row in anchors:
        n = len(label)
        placed[label] = None
        for start, r in label_candidates(col, row, n, reach):
            if start < left or start + n > right or r < top or r >= bottom:
                continue
            cells = [(c, r) for c in range(start, start + n)]
            if any(cell in taken for cell in cells):
                continue
            if (start - 1, r) in text_cells or (start + n, r) in text_cells:
                continue
            placed[label] = (start, r)
            taken.update(cells)
            text_cells.update(cells)
            break
    return placed


# --- navigation --------------------------------------------------------------------------------

DIRECTIONS: Mapping[str, tuple[int, int]] = {
    "left": (-1, 0),
    "right": (1, 0),
    "up": (0, 1),
    "down": (0, -1),
}


def nearest_in_direction(
    points: Sequence[tuple[str, float, float]],
    current: str,
    direction: str,
    spans: tuple[float, float] = (1.0, 1.0),
) -> str | None:
    """The symbol an arrow key moves to from ``current``, or None when there is none that way.

    ``points`` are (symbol, RS-Ratio, RS-Momentum); distances are measured in units of the
    plot's half-spans ``spans`` so that "right" means right on screen. A candidate must lie
    ahead (a positive step along the arrow); the nearest wins, a sideways offset counting
    twice its length: ``score = along + 2 * across``. Ties go to the earlier symbol.
    """
    here = next(((x, y) for s, x, y in points if s == current), None)
    if here is None:
        return None
    ux, uy = DIRECTIONS[direction]
    sx, sy = spans
    best: tuple[float, int, str] | None = None
    for index, (symbol, x, y) in enumerate(points):
        if symbol == current:
            continue
        dx, dy = (x - here[0]) / sx, (y - here[1]) / sy
        along = dx * ux + dy * uy
        if along <= 1e-12:
            continue
        across = abs(dx * uy - dy * ux)
        candidate = (along + 2 * across, index, symbol)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


# --- drawing -----------------------------------------------------------------------------------


class Canvas:
    """A grid of characters and styles."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [[Style()] * width for _ in range(height)]
        self._sums: dict[tuple[Style, Style], Style] = {}

    def combined(self, under: Style, over: Style) -> Style:
        """``under + over``, remembered: a frame adds the same few styles (a quadrant's tint
        and a tail's colour) thousands of times, and Rich's ``+`` costs microseconds."""
        key = (under, over)
        total = self._sums.get(key)
        if total is None:
            total = self._sums[key] = under + over
        return total

    def inside(self, col: int, row: int) -> bool:
        return 0 <= col < self.width and 0 <= row < self.height

    def put(self, col: int, row: int, text: str, style: Style, *, keep_bg: bool = True) -> None:
        """Write ``text`` from (col, row), clipped; the cell's background stays unless told."""
        for i, char in enumerate(text):
            c = col + i
            if self.inside(c, row):
                self.chars[row][c] = char
                self.styles[row][c] = (
                    self.combined(self.styles[row][c], style) if keep_bg else style
                )

    def rows(self) -> list[str]:
        return ["".join(line) for line in self.chars]

    def strips(self) -> list[Strip]:
        """One Strip a row, runs of one style merged."""
        out = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            segments: list[Segment] = []
            run, style = "", None
            for char, cell_style in zip(chars, styles, strict=True):
                if cell_style is style or cell_style == style:
                    run += char
                    continue
                if run:
                    segments.append(Segment(run, style))
                run, style = char, cell_style
            if run:
                segments.append(Segment(run, style))
            out.append(Strip(segments, self.width))
        return out


@dataclass
class Drawing:
    """A drawn graph: the canvas, the frame, and where each marker and label went."""

    canvas: Canvas
    frame: Frame | None
    markers: dict[str, Cell] = field(default_factory=dict)
    labels: dict[str, Cell | None] = field(default_factory=dict)
    tail_markers: dict[str, dict[Cell, int]] = field(default_factory=dict)
    """Per symbol, the cells of its earlier tail points and their age in periods."""

    def label_cells(self, symbol: str) -> list[Cell]:
        """The cells a symbol's label covers (empty when it has none)."""
        start = self.labels.get(symbol)
        if start is None:
            return []
        return [(start[0] + i, start[1]) for i in range(len(symbol))]


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _draw_frame(canvas: Canvas, frame: Frame, colors: PlotColors) -> None:
    """Quadrant backgrounds, the 100 lines, and the axis figures around the plot area."""
    cc, cr = frame.centre
    plain = Style()
    # Whole runs of a row at once (a step is drawn on every frame of an animation).
    tints = {name: colors.tint.get(name, plain) for name in QUADRANT_VARIABLES}
    left_width, right_width = cc - frame.left, frame.right - cc - 1
    for row in range(frame.top, frame.bottom):
        styles = canvas.styles[row]
        if row == cr:
            canvas.put(frame.left, row, "─" * frame.width, colors.axis)
            canvas.put(cc, row, "┼", colors.axis)
            continue
        upper = row < cr
        styles[frame.left : cc] = [tints[IMPROVING if upper else LAGGING]] * left_width
        styles[cc + 1 : frame.right] = [tints[LEADING if upper else WEAKENING]] * right_width
        canvas.put(cc, row, "│", colors.axis)
    # Figures: y in the gutter, x on the row under the plot (only when there is room).
    if frame.left >= GUTTER:
        for row, value in (
            (frame.top, 100 + frame.half_y),
            (cr, 100.0),
            (frame.bottom - 1, 100 - frame.half_y),
        ):
            canvas.put(0, row, _fmt(value).rjust(GUTTER - 1), colors.axis)
        row = frame.bottom
        lo, mid, hi = _fmt(100 - frame.half_x), _fmt(100.0), _fmt(100 + frame.half_x)
        canvas.put(frame.left, row, lo, colors.axis)
        canvas.put(cc - len(mid) // 2, row, mid, colors.axis)
        canvas.put(frame.right - len(hi), row, hi, colors.axis)


def _draw_names(canvas: Canvas, frame: Frame, colors: PlotColors, avoid: set[Cell]) -> set[Cell]:
    """Quadrant names in the corners and axis names on the 100 lines; the cells they take.

    Each goes only where it fits and covers no cell of ``avoid`` (the markers): a name is
    shortened, then left out. Below :data:`NAMES_MIN_HEIGHT` rows there are none.
    """
    text: set[Cell] = set()
    if frame.height < NAMES_MIN_HEIGHT:
        return text
    cc, cr = frame.centre

    def write(col: int, row: int, value: str, style: Style) -> bool:
        cells = {(col + i, row) for i in range(len(value))}
        if col < frame.left or col + len(value) > frame.right or cells & (avoid | text):
            return False
        canvas.put(col, row, value, style)
        text.update(cells)
        return True

    top, bottom = frame.top, frame.bottom - 1
    for name, row, on_right in (
        (IMPROVING, top, False),
        (LEADING, top, True),
        (LAGGING, bottom, False),
        (WEAKENING, bottom, True),
    ):
        room = frame.right - cc - 2 if on_right else cc - frame.left - 1
        style = colors.quadrant.get(name, Style()) + Style(bold=True)
        for label in (name.upper(), SHORT_NAMES[name]):
            col = frame.right - 1 - len(label) if on_right else frame.left + 1
            if len(label) <= room and write(col, row, label, style):
                break
    ratio = "RS-Ratio ▶"
    if frame.right - cc - 2 >= len(ratio):
        write(frame.right - len(ratio), cr, ratio, colors.axis)
    if not write(cc, frame.top, "▲ RS-Momentum", colors.axis):
        write(cc, frame.top, "▲", colors.axis)
    return text


def _line(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """The dots from a to b (Bresenham), both ends included."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    dots = []
    while True:
        dots.append((x0, y0))
        if (x0, y0) == (x1, y1):
            return dots
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


@lru_cache(maxsize=16384)
def _segment_cells(
    a: tuple[int, int], b: tuple[int, int], left: int, top: int
) -> tuple[tuple[Cell, int], ...]:
    """The pane cells of the dots from a to b (:func:`_line`, dots counted from the plot's
    top left at ``left``, ``top``), each with the braille bits the segment sets in it, in the
    order the path first touches them. Remembered: a step of the time machine moves each
    tail by one period, so all of its segments but one were drawn in the frame before."""
    cells: dict[Cell, int] = {}
    for px, py in _line(a, b):
        cell = (left + px // 2, top + py // 4)
        cells[cell] = cells.get(cell, 0) | _BRAILLE[(px % 2, py % 4)]
    return tuple(cells.items())


def tail_marker(age: int, points: int) -> tuple[str, int]:
    """Marker and fade level of the tail point ``age`` periods before the newest (age >= 1)
    in a tail of ``points`` points: ``•`` in the newer half of the tail (always for age 1),
    ``·`` in the older half; fade level 0 (least faded) for age 1 up to ``FADE_LEVELS - 1``
    for the oldest."""
    older = max(1, points - 1)  # earlier points in the tail
    marker = RECENT_MARKER if age == 1 or 2 * age <= older else OLD_MARKER
    level = 0 if older == 1 else round((age - 1) * (FADE_LEVELS - 1) / (older - 1))
    return marker, level


def _draw_tail(
    canvas: Canvas,
    frame: Frame,
    point: RRGPoint,
    style: Style,
    bits: dict[Cell, int],
) -> None:
    """The path of a tail in braille dots, from each point to the next."""
    dots = [frame.dot(x, y) for _, x, y in point.tail]
    left, top = frame.left, frame.top
    touched: dict[Cell, None] = {}
    get = bits.get
    for a, b in zip(dots, dots[1:], strict=False):
        for cell, bit in _segment_cells(a, b, left, top):
            bits[cell] = get(cell, 0) | bit
            touched[cell] = None
    # Each cell written once, in path order, as Canvas.put would (inlined: thousands a frame).
    chars, styles, sums = canvas.chars, canvas.styles, canvas._sums
    width, height = canvas.width, canvas.height
    for cell in touched:
        col, row = cell
        if 0 <= col < width and 0 <= row < height:
            chars[row][col] = chr(0x2800 + bits[cell])
            under = styles[row][col]
            total = sums.get((under, style))
            if total is None:
                total = canvas.combined(under, style)
            styles[row][col] = total


def _draw_tail_markers(
    canvas: Canvas,
    frame: Frame,
    point: RRGPoint,
    colors: PlotColors,
    highlighted: bool,
) -> dict[Cell, int]:
    """A marker at every earlier point of the tail, oldest first (newer ones drawn over
    older ones); returns each cell's age (periods before the newest point)."""
    cells: dict[Cell, int] = {}
    n = len(point.tail)
    name = point.quadrant or ""
    for i, (_, x, y) in enumerate(point.tail[:-1]):
        age = n - 1 - i
        marker, level = tail_marker(age, n)
        style = colors.faded(name, level)
        if highlighted:
            style += Style(bold=True)
        cell = frame.cell(x, y)
        canvas.put(*cell, marker, style)
        cells[cell] = age
    return cells


def draw(data: PlotData, width: int, height: int, colors: PlotColors | None = None) -> Drawing:
    """The whole graph in a pane of ``width`` × ``height`` cells (any size, even 0 × 0)."""
    colors = colors or PlotColors()
    canvas = Canvas(max(0, width), max(0, height))
    points = [p for p in data.points if p.rs_ratio is not None and p.rs_momentum is not None]
    half_x, half_y = viewport(points)
    frame = make_frame(width, height, half_x, half_y)
    drawing = Drawing(canvas, frame)
    if frame is None:
        canvas.put(0, 0, (data.note or "RRG")[: max(0, width)], colors.axis)
        return drawing
    _draw_frame(canvas, frame, colors)
    if not points:
        _draw_names(canvas, frame, colors, set())
        note = data.note or "no points"
        row = frame.top + frame.height // 2 + (1 if frame.height > 2 else 0)
        row = min(row, frame.bottom - 1)
        canvas.put(frame.left + max(0, (frame.width - len(note)) // 2), row, note, Style())
        return drawing
    # Highlighted last, so its tail and marker are drawn over the others.
    order = sorted(points, key=lambda p: p.symbol == data.highlight)
    bits: dict[Cell, int] = {}
    for point in order:
        name = point.quadrant or ""
        highlighted = point.symbol == data.highlight
        if highlighted:
            style = colors.quadrant.get(name, Style()) + Style(bold=True)
        else:
            style = colors.tail.get(name, Style(dim=True))
        _draw_tail(canvas, frame, point, style, bits)
    for point in order:
        highlighted = point.symbol == data.highlight
        drawing.tail_markers[point.symbol] = _draw_tail_markers(
            canvas, frame, point, colors, highlighted
        )
    for point in order:
        assert point.rs_ratio is not None and point.rs_momentum is not None
        drawing.markers[point.symbol] = frame.cell(point.rs_ratio, point.rs_momentum)
    text = _draw_names(canvas, frame, colors, set(drawing.markers.values()))
    for point in order:
        col, row = drawing.markers[point.symbol]
        marker = HIGHLIGHT_MARKER if point.symbol == data.highlight else MARKER
        style = colors.quadrant.get(point.quadrant or "", Style()) + Style(bold=True)
        canvas.put(col, row, marker, style)
    first = [p for p in points if p.symbol == data.highlight]
    anchors = [
        (p.symbol, *drawing.markers[p.symbol]) for p in first + order[: len(order) - len(first)]
    ]
    bounds = (frame.left, frame.top, frame.right, frame.bottom)
    drawing.labels = place_labels(anchors, bounds, text)
    for point in points:
        start = drawing.labels.get(point.symbol)
        if start is None:
            continue
        style = colors.quadrant.get(point.quadrant or "", Style()) + Style(bold=True)
        if point.symbol == data.highlight:
            style += Style(reverse=True)
        canvas.put(start[0], start[1], point.symbol, style)
    return drawing


# --- the widget --------------------------------------------------------------------------------


class RRGPlot(Widget):
    """The graph pane: redraws only when its points, highlight, size or theme change."""

    DEFAULT_CSS = """
    RRGPlot {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data = PlotData(note="computing…")
        self._key: tuple[object, ...] | None = None
        self._drawing: Drawing | None = None
        self._strips: list[Strip] = []

    def show(self, data: PlotData) -> None:
        """Show new points or a new highlight (no repaint when nothing changed)."""
        if data != self.data:
            self.data = data
            self.refresh()

    def drawn(self) -> Drawing:
        """The graph as last drawn for the current size and theme (drawn now if needed)."""
        width, height = self.content_size.width, self.content_size.height
        key = (self.data, width, height, self.app.theme)
        if self._key != key or self._drawing is None:
            colors = PlotColors.from_variables(self.app.get_css_variables())
            self._drawing = draw(self.data, width, height, colors)
            self._strips = self._drawing.canvas.strips()
            self._key = key
        return self._drawing

    def render_line(self, y: int) -> Strip:
        self.drawn()  # (re)draws only when the data, size or theme changed
        if 0 <= y < len(self._strips):
            return self._strips[y].apply_style(self.rich_style)
        return Strip.blank(self.content_size.width, self.rich_style)
