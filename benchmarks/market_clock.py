"""How long the market clock takes: loading the XNYS schedule (cold, in a fresh process) and
answering from it. Prints figures; run `python benchmarks/market_clock.py`."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLD = """
import time
t0 = time.perf_counter()
import pandas
t1 = time.perf_counter()
from tui.data.market_clock import schedule_for
s = schedule_for()
t2 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {len(s.days)} {s.first} {s.last}")
"""


def main() -> None:
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        runs.append(out)
    for pandas_s, load_s, n, first, last in runs:
        print(
            f"cold: pandas import {float(pandas_s) * 1000:.0f} ms, then exchange_calendars "
            f"import + XNYS schedule {float(load_s) * 1000:.0f} ms ({n} sessions {first}..{last})"
        )
    sys.path.insert(0, str(ROOT))
    from tui.data.market_clock import clock_state, schedule_for

    schedule = schedule_for()
    now = datetime.now(UTC)
    start = time.perf_counter()
    for _ in range(10_000):
        clock_state(now, schedule).label()
    per = (time.perf_counter() - start) / 10_000
    print(f"warm: clock_state(...).label() {per * 1e6:.1f} µs per call")


if __name__ == "__main__":
    main()
