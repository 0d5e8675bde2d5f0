"""The RRG's tails drawn from remembered segments are the tails drawn dot by dot.

`rrg_plot._draw_tail` takes each segment's cells and braille bits from a cache (a time-machine
step moves a tail by one period, so all its segments but one were drawn the frame before) and
writes the canvas directly. These tests hold it equal to the plain way: every dot of the path
(`_line`) or-ed into its cell, each touched cell then written once with `Canvas.put`.
"""

from __future__ import annotations

from rich.style import Style
from textual.app import App

from tui.analytics.rrg import rrg_timeline
from tui.app.widgets import rrg_plot
from tui.app.widgets.rrg_plot import Canvas, PlotColors, PlotData, draw, make_frame, viewport
from tui.data.snapshot import PRICES_FILE, load_closes

SECTORS = ("XLK", "XLF", "XLE", "XLI", "XLU", "XLV", "XLY", "XLP", "XLB", "XLRE", "XLC")


def plain_tail(canvas: Canvas, frame: rrg_plot.Frame, point, style: Style, bits: dict) -> None:
    """The tail as it was drawn before the cache: dot by dot, then Canvas.put per cell."""
    dots = [frame.dot(x, y) for _, x, y in point.tail]
    path = []
    for a, b in zip(dots, dots[1:], strict=False):
        path.extend(rrg_plot._line(a, b))
    touched: dict = {}
    for px, py in path:
        cell = (frame.left + px // 2, frame.top + py // 4)
        bits[cell] = bits.get(cell, 0) | rrg_plot._BRAILLE[(px % 2, py % 4)]
        touched[cell] = None
    for col, row in touched:
        canvas.put(col, row, chr(0x2800 + bits[(col, row)]), style)


def test_cached_tails_equal_the_tails_drawn_dot_by_dot() -> None:
    closes = load_closes(PRICES_FILE)
    timeline = rrg_timeline(closes, SECTORS, "SPY", steps=12, tail=26)
    variables = App().available_themes["textual-dark"].to_color_system().generate()
    colors = PlotColors.from_variables(variables)
    rrg_plot._segment_cells.cache_clear()
    for width, height in ((200, 60), (120, 36), (80, 24)):
        for k in range(len(timeline)):  # the later steps draw from the cache
            points = [p for p in timeline.frame(k) if p.rs_ratio is not None]
            frame = make_frame(width, height, *viewport(points))
            assert frame is not None
            fast, plain = Canvas(width, height), Canvas(width, height)
            fast_bits: dict = {}
            plain_bits: dict = {}
            for point in points:
                style = colors.tail[point.quadrant]
                rrg_plot._draw_tail(fast, frame, point, style, fast_bits)
                plain_tail(plain, frame, point, style, plain_bits)
            assert fast.chars == plain.chars
            assert fast.styles == plain.styles
            assert fast_bits == plain_bits
    assert rrg_plot._segment_cells.cache_info().hits > 0


def test_a_drawing_is_the_same_from_a_cold_or_a_warm_cache() -> None:
    closes = load_closes(PRICES_FILE)
    points = tuple(rrg_timeline(closes, SECTORS, "SPY", steps=3, tail=26).frame(1))
    rrg_plot._segment_cells.cache_clear()
    cold = draw(PlotData(points, "XLK"), 200, 60)
    warm = draw(PlotData(points, "XLK"), 200, 60)
    assert cold.canvas.rows() == warm.canvas.rows()
    assert cold.canvas.styles == warm.canvas.styles
    assert cold.canvas.strips() == warm.canvas.strips()
