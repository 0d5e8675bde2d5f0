"""Memory over many refreshes: `python benchmarks/soak.py [--refreshes 120]`.

Runs the real app headless (Textual's test driver) on a temp cache with a provider that
serves recorded rows — each refresh a new trading day for every symbol of the default
universe, so every refresh writes, recomputes the report, the rules and the charts — and prints
the process's resident memory (VmRSS) after start and every 20 refreshes. 120 refreshes are
ten hours at the market-hours cadence, compressed. No network.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from textual.worker import WorkerFailed, WorkerState

from tui.app.app import RotmonApp
from tui.config import Config
from tui.data.snapshot import PRICES_FILE, iter_price_rows
from tui.data.yahoo import FetchResult


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class NextDay:
    """Each fetch adds one business day after the last served, every close up 0.1 %."""

    name = "yahoo"

    def __init__(self) -> None:
        self.last: dict[str, tuple] = {}
        for row in iter_price_rows(PRICES_FILE):
            self.last[row[0]] = row
        self.day = date(2026, 7, 31)

    def fetch(self, symbols, start, end=None):  # type: ignore[no-untyped-def]
        self.day += timedelta(days=3 if self.day.weekday() == 4 else 1)
        rows = []
        for symbol in symbols:
            old = self.last.get(symbol)
            if old is None:
                continue
            close = old[6] * 1.001
            row = (symbol, self.day.isoformat(), None, None, None, close, close, None)
            self.last[symbol] = row
            rows.append(row)
        return FetchResult(rows=rows, failed={}, problem=None)


async def settle(app: RotmonApp) -> None:
    for _ in range(2000):
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await asyncio.sleep(0.01)
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        if not busy and app.cache is not None:
            return


async def soak(refreshes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = RotmonApp(
            Config(),
            cache_path=Path(tmp) / "rotmon.sqlite",
            provider=NextDay(),
            clock=lambda: datetime(2026, 8, 3, 15, 0, tzinfo=UTC),
        )
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(app)
            print(f"after start and the first refresh: {rss_mib():7.1f} MiB")
            for n in range(1, refreshes + 1):
                app.action_refresh()
                await settle(app)
                if n % 20 == 0:
                    await pilot.pause()
                    print(f"after {n:4d} refreshes ({app.report.as_of}): {rss_mib():7.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refreshes", type=int, default=120)
    args = parser.parse_args()
    asyncio.run(soak(args.refreshes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
