"""Breadth and concentration on the bundled snapshot: how long they take.

    python benchmarks/breadth.py

Times :func:`tui.analytics.breadth.breadth` for every sector and all holdings together over the
whole bundled history (2016-2026, 165 holdings of which 163 have prices), and
:func:`tui.analytics.concentration.concentration` from the 2025-11-18 weights, as the median
of 9 runs after one warm-up. Loading the CSVs is timed separately (the app reads its cache).
Prints the machine in the header.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from tui.analytics.breadth import breadth, sector_groups  # noqa: E402
from tui.analytics.concentration import concentration  # noqa: E402
from tui.data.snapshot import (  # noqa: E402
    HOLDINGS_PRICES_FILE,
    PRICES_FILE,
    load_closes,
    load_holdings,
    load_spy_holdings,
)


def timed(fn: Callable[[], object], runs: int = 9) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"# {platform.node()} · {platform.machine()} · {os.cpu_count()} cores · load {load:.1f}"
        f" · Python {platform.python_version()} · numpy {np.__version__} · pandas {pd.__version__}"
    )
    t0 = time.perf_counter()
    closes = pd.concat(
        [load_closes(HOLDINGS_PRICES_FILE), load_closes(PRICES_FILE)], axis=1, sort=True
    )
    print(
        f"load both CSVs into one frame      {(time.perf_counter() - t0) * 1000:8.1f} ms "
        f"({closes.shape[0]} days x {closes.shape[1]} symbols)"
    )
    groups, reference = sector_groups(load_holdings())
    med, worst = timed(lambda: breadth(closes, groups, reference))
    print(
        f"breadth, 11 sectors + all, 10 yrs  {med:8.1f} ms median, {worst:.1f} ms worst "
        "(target < 500 ms)"
    )
    spy = load_spy_holdings()
    med, worst = timed(lambda: concentration(closes, spy))
    print(f"concentration since 2025-11-18     {med:8.1f} ms median, {worst:.1f} ms worst")


if __name__ == "__main__":
    main()
