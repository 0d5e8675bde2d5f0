"""Regenerate the README screenshots from the bundled snapshot: `python screenshots/generate.py`.

Each picture is the real app, run headless at a fixed size and a fixed clock on a fresh cache
seeded from the bundled data, with refresh off — what a first start with no network shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from textual.worker import WorkerFailed, WorkerState

from tui.app.app import RotmonApp
from tui.config import Config

HERE = Path(__file__).resolve().parent
CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)  # the Monday after the snapshot's last close


async def settle(app: RotmonApp) -> None:
    for _ in range(500):
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await asyncio.sleep(0.02)
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return


async def shoot(name: str, size: tuple[int, int], keys: list[str], cache: Path) -> Path:
    app = RotmonApp(Config(), cache_path=cache, offline=True, clock=lambda: CLOCK)
    async with app.run_test(size=size) as pilot:
        await settle(app)
        for key in keys:
            await pilot.press(key)
            await settle(app)
        await pilot.pause(0.5)
        path = HERE / f"{name}.svg"
        app.save_screenshot(str(path))
    return path


SHOTS: list[tuple[str, tuple[int, int], list[str]]] = [
    ("dashboard", (160, 50), []),
    ("dashboard-80x24", (80, 24), []),
    ("drilldown", (160, 50), ["down"] * 11 + ["enter"]),  # XLK
    ("rule", (160, 50), ["tab", "down", "down", "enter"]),  # small caps leading
    ("rrg", (160, 50), ["g"]),
    ("help", (120, 40), ["question_mark"]),
]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "rotmon.sqlite"
        for name, size, keys in SHOTS:
            path = asyncio.run(shoot(name, size, keys, cache))
            print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
