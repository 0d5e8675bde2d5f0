"""How long one time-machine step of the RRG screen takes for the 11 sector ETFs.

    python benchmarks/rrg_frame.py

A step (``,`` / ``.``) or an animation frame does, on the UI thread: slice the frame from the
timeline the worker computed (:meth:`tui.analytics.rrg.RRGTimeline.frame`), sort the points
and reasons (:func:`tui.app.screens.rrg.frame_points`), draw the whole graph cell by cell
(:func:`tui.app.widgets.rrg_plot.draw` with a theme's colours, markers at every tail point)
and turn it into strips (what ``render_line`` serves). Timed here at 120×36 and 200×60 panes
(the plot of a 160×50 and a 236×62 terminal), tails of 8 and 26, median and worst of 200 steps
through the 52 frames. The worker's part, building the timeline, is timed once per change.
The issue's budget is 50 ms per frame.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App  # noqa: E402

from tui.analytics.rrg import rrg_timeline  # noqa: E402
from tui.app.screens.rrg import Request, compute_timeline, frame_points  # noqa: E402
from tui.app.widgets.rrg_plot import PlotColors, PlotData, draw  # noqa: E402
from tui.data.snapshot import PRICES_FILE, load_closes  # noqa: E402

SECTORS = ("XLK", "XLF", "XLE", "XLI", "XLU", "XLV", "XLY", "XLP", "XLB", "XLRE", "XLC")


def main() -> None:
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · "
        f"Python {platform.python_version()}"
    )
    closes = load_closes(PRICES_FILE)
    variables = App().available_themes["textual-dark"].to_color_system().generate()
    colors = PlotColors.from_variables(variables)
    for tail in (8, 26):
        request = Request("Sectors", SECTORS, "weekly", tail)
        t0 = time.perf_counter()
        computed = compute_timeline(closes, request, "SPY")
        build = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        rrg_timeline(closes, SECTORS, "SPY", steps=52, tail=tail)
        build_only = (time.perf_counter() - t0) * 1000
        assert computed.timeline is not None
        frames = len(computed.timeline)
        for width, height in ((120, 48), (200, 60)):
            times = []
            for i in range(200):
                k = i % frames
                t0 = time.perf_counter()
                points, _missing = frame_points(computed, request, k)
                drawing = draw(PlotData(points, "XLK"), width, height, colors)
                drawing.canvas.strips()
                times.append((time.perf_counter() - t0) * 1000)
            print(
                f"tail {tail:>2} · plot {width}×{height}: step median "
                f"{statistics.median(times):6.2f} ms · worst {max(times):6.2f} ms "
                f"(worker: timeline {build_only:6.1f} ms, with the holdings lists {build:6.1f} ms)"
            )


if __name__ == "__main__":
    main()
