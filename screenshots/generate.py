"""Regenerate the README screenshots from the bundled snapshot: `python screenshots/generate.py`.

Each picture is the real app, run headless at a fixed size and a fixed clock on a fresh cache
seeded from the bundled data, with refresh off — what a first start with no network shows.

This module is also the factory of the snapshot tests (tests/test_snapshots.py): `make_app`
builds the app and the `show_*` steps bring it to the screen to photograph, so a README picture
and the snapshot that guards it are made the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from tui.app.app import RotmonApp
from tui.app.widgets.sector_table import SectorTable
from tui.config import Config

HERE = Path(__file__).resolve().parent
CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)  # the Monday after the snapshot's last close
THEMES = ("rotmon-dark", "rotmon-light", "rotmon-high-contrast", "rotmon-16")
"""The built-in themes (themes/*.toml), each photographed on the dashboard."""

Step = Callable[[Pilot[int]], Awaitable[None]]


def make_app(cache: Path, theme: str | None = None) -> RotmonApp:
    """The app on a cache file of its own (seeded from the bundled snapshot at start), offline,
    at the fixed clock. The caller also points ROTMON_CONFIG_DIR at an empty dir (user rules,
    events and themes live there) and sets TZ (the catalysts and the status line show local
    times): `isolate` here, tests/conftest.py and a fixture in tests/test_snapshots.py."""
    return RotmonApp(Config(), cache_path=cache, offline=True, clock=lambda: CLOCK, theme=theme)


async def settle(app: RotmonApp) -> None:
    """Wait until no worker is pending or running, then until the screen has caught up with
    the messages they posted."""
    for _ in range(500):
        # Failures are the app's to report; an exclusive worker cancelled by a newer one is fine.
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await app.workers.wait_for_complete()
        await asyncio.sleep(0.02)
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        # The load worker starts after the first frame: not started yet is not settled.
        if not busy and getattr(app, "cache", True) is not None:
            break
    else:
        raise RuntimeError("workers did not finish within 10 s")
    await app.animator.wait_until_complete()


async def finish(pilot: Pilot[int]) -> None:
    """The last step of every shot: everything settled, and no notice on screen (offline on
    the bundled data there must be none; one means a picture of a problem)."""
    app = pilot.app
    assert isinstance(app, RotmonApp)
    await settle(app)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    notices = [n.message for n in app._notifications]
    if notices:
        raise RuntimeError(f"unexpected notices on screen: {notices}")


async def show_dashboard(pilot: Pilot[int]) -> None:
    """The dashboard as it starts: SPY highlighted, figures from the bundled snapshot."""
    await finish(pilot)


def show_drilldown(symbol: str) -> Step:
    """The drill-down of `symbol`, opened with Enter on its row of the sector table."""

    async def step(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, RotmonApp)
        await settle(app)
        table = app.screen.query_one(SectorTable)
        table.move_cursor(row=table.get_row_index(symbol), animate=False)
        await pilot.pause()
        await pilot.press("enter")
        await finish(pilot)

    return step


def show_rule(rule_id: str) -> Step:
    """The evidence screen of the regime rule `rule_id` (what Enter on its row opens)."""

    async def step(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, RotmonApp)
        await settle(app)
        app.action_open_rule(rule_id)
        await finish(pilot)

    return step


def show_rule_track(rule_id: str) -> Step:
    """The evidence of `rule_id` scrolled down to its track record (the study by horizon)."""

    async def step(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, RotmonApp)
        await show_rule(rule_id)(pilot)
        app.screen.query_one("#rule-body").scroll_end(animate=False)
        await finish(pilot)

    return step


async def show_history_study(pilot: Pilot[int]) -> None:
    """The track record (h) scrolled down to the score's forward-return study."""
    app = pilot.app
    assert isinstance(app, RotmonApp)
    await press("h")(pilot)
    app.screen.query_one("#history-body").scroll_end(animate=False)
    await finish(pilot)


def press(*keys: str) -> Step:
    """Press `keys` on the settled dashboard, letting the app settle after each."""

    async def step(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, RotmonApp)
        await settle(app)
        for key in keys:
            await pilot.press(key)
            await settle(app)
        await finish(pilot)

    return step


def show_member_rrg(etf: str) -> Step:
    """The member RRG of `etf`: its bundled holdings against the ETF (what M on the RRG opens
    once the app passes its holdings loader to the RRG screen)."""

    async def step(pilot: Pilot[int]) -> None:
        from tui.app.screens.rrg import RRGScreen
        from tui.data.snapshot import load_holdings

        app = pilot.app
        assert isinstance(app, RotmonApp)
        await settle(app)
        members = [h.symbol for h in load_holdings()[etf]]
        screen = RRGScreen(
            None,
            [(f"{etf} holdings", members)],
            etf,
            holdings_closes=app.monitor.holdings_closes,
            member_of=etf,
        )
        app.push_screen(screen)
        await finish(pilot)

    return step


def show_breadth(symbol: str) -> Step:
    """The drill-down of `symbol` with its breadth shown (v under 140 columns)."""

    async def step(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, RotmonApp)
        await show_drilldown(symbol)(pilot)
        if app.size.width < 140:
            await pilot.press("v")
        await finish(pilot)

    return step


SAMPLE_BOOK = "symbol,quantity,cost_basis\nXLK,40,212.50\nXLE,30,80\nQQQ,10,\n"
"""The positions of the positions shot: two sector ETFs with a cost, QQQ without one."""


async def show_positions(pilot: Pilot[int]) -> None:
    """The positions screen (b) over SAMPLE_BOOK, written to the (isolated) config dir."""
    from tui.locations import config_dir

    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "positions.csv").write_text(SAMPLE_BOOK, encoding="utf-8")
    await press("b")(pilot)
    await until_drawn(pilot, "#book-table")


async def until_drawn(pilot: Pilot[int], selector: str, seconds: float = 10.0) -> None:
    """Wait until the table `selector` of the screen has rows and the screen has caught up: a
    worker's result reaches the screen a message later than the worker's end, and on a busy
    machine that can be after settle() has returned."""
    from textual.widgets import DataTable

    for _ in range(int(seconds / 0.05)):
        tables = pilot.app.screen.query(selector)
        if tables and isinstance(tables.first(), DataTable) and tables.first().row_count:
            break
        await asyncio.sleep(0.05)
    await pilot.pause()
    await finish(pilot)


@dataclass(frozen=True)
class Shot:
    name: str
    size: tuple[int, int]
    step: Step
    theme: str | None = None


SHOTS: list[Shot] = [
    Shot("dashboard", (160, 50), show_dashboard),
    Shot("dashboard-80x24", (80, 24), show_dashboard),
    Shot("drilldown", (160, 50), show_drilldown("XLK")),
    Shot("rule", (160, 50), show_rule("small_caps")),
    Shot("rrg", (160, 50), press("g")),
    Shot("rrg-time-machine", (160, 50), press("g", *["comma"] * 8)),
    Shot("rrg-members", (160, 50), show_member_rrg("XLK")),
    Shot("heatmap", (160, 50), press("H")),
    Shot("breadth", (120, 36), show_breadth("XLK")),
    Shot("concentration", (120, 36), press("C")),
    Shot("help", (120, 40), press("question_mark")),
    *[Shot(f"dashboard-{theme}", (160, 50), show_dashboard, theme) for theme in THEMES],
    Shot("history", (120, 36), press("h")),
    Shot("history-study", (120, 36), show_history_study),
    Shot("rule-track", (120, 36), show_rule_track("small_caps")),
    Shot("dashboard-200x60", (200, 60), show_dashboard),
    Shot("digest", (80, 24), press("w")),
    Shot("positions", (80, 24), show_positions),
]


def isolate(tmp: Path) -> None:
    """No user config, rules, events or themes; local time is UTC (so 'Local' reads the same
    on every machine); NO_COLOR, if set, would turn the colours off."""
    os.environ["ROTMON_CONFIG_DIR"] = str(tmp / "config")
    os.environ["ROTMON_CACHE_DIR"] = str(tmp / "cache")
    os.environ.pop("ROTMON_CONFIG", None)
    os.environ.pop("NO_COLOR", None)
    os.environ["TZ"] = "UTC"
    if hasattr(time, "tzset"):  # not on Windows, where 'Local' shows the machine's zone
        time.tzset()


async def shoot(shot: Shot, cache: Path) -> Path:
    app = make_app(cache, shot.theme)
    path = HERE / f"{shot.name}.svg"
    async with app.run_test(size=shot.size) as pilot:
        await shot.step(pilot)
        path.write_text(app.export_screenshot(), encoding="utf-8")
    return path


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        isolate(Path(tmp))
        for index, shot in enumerate(SHOTS):
            cache = Path(tmp) / f"cache-{index}" / "rotmon.sqlite"  # a first start, every time
            path = asyncio.run(shoot(shot, cache))
            print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
