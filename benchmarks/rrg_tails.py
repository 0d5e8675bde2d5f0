"""How continuous RRG tails are, and how fast a time-machine step is, on the bundled snapshot.

    python benchmarks/rrg_tails.py

For each smoothing ``s`` of the RS line (``s = 1``: none) it builds the weekly (and daily) graph
of the 11 sector ETFs against SPY at every period of the bundled history with
:func:`tui.analytics.rrg.rrg_timeline` and measures the newest step of every tail (its length
as a share of the axis span of that frame). The axis span is the one the RRG screen draws
(``tui/app/widgets/rrg_plot.py`` ``viewport``: every 8-point tail fits, x1.05, rounded up to
0.5 unit, at least 1 unit each side of 100), restated here so that this script imports no
Textual. A step's share is ``hypot(dx / span_x, dy / span_y)``: 0.5 is half the chart. Also
counted: quadrant changes per symbol per year (whipsaw), and the lag the smoothing adds (the
mean delay, in periods, of the smoothed RS line behind the raw one: ``(s - 1) / 2``).

It then times the time machine: building a 52-week timeline, one frame, and one plain
:func:`tui.analytics.rrg.rrg` call for the 11 symbols (median of 50 runs).
"""

from __future__ import annotations

import math
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from tui.analytics.rrg import rrg, rrg_timeline  # noqa: E402
from tui.data.snapshot import PRICES_FILE, load_closes  # noqa: E402

SECTORS = ["XLK", "XLF", "XLE", "XLI", "XLU", "XLV", "XLY", "XLP", "XLB", "XLRE", "XLC"]
MIN_HALF_SPAN, SPAN_STEP, TAIL = 1.0, 0.5, 8


def half_span(d: float) -> float:
    return max(MIN_HALF_SPAN, math.ceil(d * 1.05 / SPAN_STEP) * SPAN_STEP)


def measure(closes: pd.DataFrame, mode: str, s: int) -> tuple[float, ...]:
    """Median and 90th percentile step share, share of steps over a quarter, changes/yr, and
    the median step in axis units."""
    tl = rrg_timeline(closes, SECTORS, "SPY", steps=None, mode=mode, tail=TAIL, smoothing=s)
    shares: list[float] = []
    units: list[float] = []
    changes = points = 0
    for k in range(len(tl)):
        frame = [p for p in tl.frame(k) if p.tail]
        if not frame:
            continue
        hx = half_span(max(abs(x - 100) for p in frame for _, x, _ in p.tail))
        hy = half_span(max(abs(y - 100) for p in frame for _, _, y in p.tail))
        for p in frame:
            points += 1
            changes += p.previous_quadrant is not None and p.previous_quadrant != p.quadrant
            if len(p.tail) >= 2:
                (_, x0, y0), (_, x1, y1) = p.tail[-2:]
                shares.append(math.hypot((x1 - x0) / (2 * hx), (y1 - y0) / (2 * hy)))
                units.append(math.hypot(x1 - x0, y1 - y0))
    per_year = 52 if mode == "weekly" else 252
    q = np.quantile(shares, [0.5, 0.9])
    big = sum(v > 0.25 for v in shares) / len(shares)
    return float(q[0]), float(q[1]), big, changes / points * per_year, statistics.median(units)


def timed(fn, runs: int = 50) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · "
        f"Python {platform.python_version()} · numpy {np.__version__} · pandas {pd.__version__}"
    )
    closes = load_closes(PRICES_FILE)
    for mode in ("weekly", "daily"):
        print(f"\n{mode}: 11 sector ETFs vs SPY, every period 2016-2026, newest step per tail")
        print(
            f"{'s':>3} {'median step':>12} {'p90 step':>9} {'steps>1/4':>10} "
            f"{'quadrant changes/yr':>20} {'lag (periods)':>14} {'median step (units)':>20}"
        )
        for s in (1, 2, 3, 4, 5, 6, 8):
            med, p90, big, cpy, u = measure(closes, mode, s)
            print(
                f"{s:>3} {med:>11.1%} {p90:>9.1%} {big:>10.1%} {cpy:>20.1f} "
                f"{(s - 1) / 2:>14.1f} {u:>20.2f}"
            )
    tl = rrg_timeline(closes, SECTORS, "SPY", steps=52)
    print("\ntime machine, 11 symbols, weekly (median of 50 runs):")
    build = timed(lambda: rrg_timeline(closes, SECTORS, "SPY"))
    step = timed(lambda: tl.frame(26))
    plain = timed(lambda: rrg(closes, SECTORS, "SPY", as_of=tl.date(26)))
    print(f"  build a 52-week timeline   {build:7.2f} ms")
    print(f"  one frame (a step)         {step:7.3f} ms")
    print(f"  rrg() as of a date         {plain:7.2f} ms")


if __name__ == "__main__":
    main()
