"""Benchmark of the rules' track record: every rule over the whole bundled history, and the
whole backtest (targets: under 1 s and under 3 s).

    python benchmarks/backtest.py            # 7 runs of each in-process figure, 3 cold ones
    python benchmarks/backtest.py --runs 15

Reads the bundled snapshot (33 symbols, 2016-01-04 to 2026-07-31) into a wide frame of
adjusted closes, then times, in this process (medians, and the slowest run):

- every shipped rule on every trading day (``tui.regime.engine.histories``), and ``evaluate``
  (today's statuses, the same computation) for comparison;
- the full study (``tui.regime.study.backtest``: 11 rules and the score, horizons 1M/3M/6M,
  2000 bootstrap replicates per bucket), without and with the per-day series, and the text;
- a cold run in a fresh interpreter: imports, reading the bundled CSV, the backtest and its
  text, as a CLI command would do it (the cache read is left to the session layer).

It also prints, per rule, the flips per year of the raw and the confirmed state and the mean
confirmation delay (the figures behind the shipped defaults). Nothing reaches the network.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLD = """
import time
start = time.perf_counter()
import pandas as pd
from tui.regime.fed import policy_record
from tui.regime.fomc import load_meetings
from tui.regime.rules import load_rules
from tui.regime.study import backtest, backtest_lines
import tui.data
from pathlib import Path
folder = Path(tui.data.__file__).parent / "snapshot"
frame = pd.concat(
    pd.read_csv(folder / name, usecols=["date", "symbol", "adj_close"], parse_dates=["date"])
    for name in ("prices_daily.csv.gz", "factors_daily.csv.gz", "holdings_prices_daily.csv.gz")
)
rules, _ = load_rules(None)
frame = frame[frame["symbol"].isin({s for r in rules for s in r.symbols} | {"IWM", "SPY"})]
closes = frame.pivot(index="date", columns="symbol", values="adj_close")
lines = backtest_lines(backtest(closes, rules, decisions=policy_record(), meetings=load_meetings()))
print(time.perf_counter() - start)
"""


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and slowest wall time of ``runs`` calls, seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each in-process figure")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh-interpreter runs")
    args = parser.parse_args()

    import pandas as pd

    import tui.data
    from tui.regime.engine import evaluate, histories
    from tui.regime.fed import policy_record
    from tui.regime.fomc import load_meetings
    from tui.regime.history import flip_stats
    from tui.regime.rules import load_rules
    from tui.regime.study import backtest, backtest_lines

    folder = Path(tui.data.__file__).parent / "snapshot"
    start = time.perf_counter()
    # the universe, the factor ETFs (two rules read factor pairs) and the holdings (the
    # concentration rule reads the mega caps), cut to what the rules and the score read
    frame = pd.concat(
        pd.read_csv(folder / name, usecols=["date", "symbol", "adj_close"], parse_dates=["date"])
        for name in ("prices_daily.csv.gz", "factors_daily.csv.gz", "holdings_prices_daily.csv.gz")
    )
    rules, _ = load_rules(None)
    wanted = {s for r in rules for s in r.symbols} | {"IWM", "EEM", "VBR", "SPY"}
    closes = frame[frame["symbol"].isin(wanted)].pivot(
        index="date", columns="symbol", values="adj_close"
    )
    read_s = time.perf_counter() - start
    record, meetings = policy_record(), load_meetings()
    print(f"machine: {machine()}")
    print(
        f"data: {closes.shape[1]} symbols x {closes.shape[0]} trading days "
        f"({closes.index[0].date()} to {closes.index[-1].date()}), {len(rules)} rules; "
        f"reading the bundled CSV took {read_s:.2f} s"
    )
    print(f"{'figure':<58}{'median':>10}{'slowest':>10}")

    def row(name: str, fn: Callable[[], object], runs: int = args.runs) -> None:
        median, slowest = timed(fn, runs)
        print(f"{name:<58}{median * 1000:>8.0f}ms{slowest * 1000:>8.0f}ms")

    row(
        "first call of all rules, every day (cold numpy paths)",
        lambda: histories(closes, rules, decisions=record, meetings=meetings),
        1,
    )
    row(
        "all rules, every day (histories)  [target < 1 s]",
        lambda: histories(closes, rules, decisions=record, meetings=meetings),
    )
    row("today's statuses (evaluate)", lambda: evaluate(closes, rules, decisions=record))
    row(
        "full backtest, 3 horizons  [target < 3 s]",
        lambda: backtest(closes, rules, decisions=record, meetings=meetings),
    )
    row(
        "full backtest with the per-day series",
        lambda: backtest(closes, rules, decisions=record, meetings=meetings, series=True),
    )
    result = backtest(closes, rules, decisions=record, meetings=meetings)
    row("backtest text (backtest_lines)", lambda: backtest_lines(result))

    cold = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(args.cold_runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, env=env, check=True
        )
        total = time.perf_counter() - start
        cold.append((total, float(out.stdout.strip())))
    print(
        f"{'cold: fresh interpreter, read CSV, backtest, text':<58}"
        f"{statistics.median(c[0] for c in cold) * 1000:>8.0f}ms"
        f"{max(c[0] for c in cold) * 1000:>8.0f}ms"
        f"   (of which after start-up: {statistics.median(c[1] for c in cold) * 1000:.0f} ms)"
    )

    floor = []
    for _ in range(args.cold_runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import pandas"], env=env, check=True)
        floor.append(time.perf_counter() - start)
    print(
        f"{'reference: fresh interpreter, import pandas only':<58}"
        f"{statistics.median(floor) * 1000:>8.0f}ms{max(floor) * 1000:>8.0f}ms"
    )
    print(f"load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    print()
    print("flips per year, raw -> confirmed, and mean confirmation delay (bundled 2016-2026):")
    print(f"{'rule':<16}{'confirm':>8}{'band':>14}{'raw':>8}{'conf':>8}{'ratio':>7}{'delay d':>9}")
    total_raw = total = 0.0
    for h in histories(closes, rules, decisions=record, meetings=meetings):
        stats = flip_stats(h)
        raw, conf = stats.flips_per_year_raw or 0.0, stats.flips_per_year or 0.0
        total_raw, total = total_raw + raw, total + conf
        band = "/".join(f"{c.band:g}" for c in h.rule.conditions)
        delay = stats.mean_delay_days
        print(
            f"{h.rule.id:<16}{h.rule.confirm_days:>8}{band:>14}{raw:>8.1f}{conf:>8.1f}"
            f"{conf / raw if raw else 0:>7.2f}{'n/a' if delay is None else f'{delay:.1f}':>9}"
        )
    ratio = total / total_raw if total_raw else 0.0
    print(f"{'all rules':<16}{'':>22}{total_raw:>8.1f}{total:>8.1f}{ratio:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
