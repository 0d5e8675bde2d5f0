"""The dashboard under faults, driven by Textual's pilot on the bundled data: damaged, read-only
and full caches, failing and hanging refreshes, a delisted symbol, rapid resizing, and two app
processes sharing one cache with a refresher and a reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from faults_helpers import (
    DAMAGE,
    REFRESH_SYMBOLS,
    FailingProvider,
    HangingProvider,
    RecordedDays,
    cap_file_growth,
    cell,
    make_app,
    new_day_close,
    notices,
    refresher_close,
    refresher_days,
    seeded_copy,
    settle,
    snapshot_last_closes,
    spawn,
    status_text,
)
from textual.events import Resize
from textual.geometry import Size

from tui.analytics.returns import period_returns
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.detail import DetailScreen
from tui.app.screens.rrg import RRGScreen
from tui.app.widgets.sector_table import SectorTable
from tui.config import Config
from tui.data.cache import SCHEMA_VERSION, Cache
from tui.data.snapshot import PRICES_FILE, iter_price_rows


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "rotmon.sqlite"


@functools.cache
def snapshot_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in iter_price_rows(PRICES_FILE):
        counts[row[0]] = counts.get(row[0], 0) + 1
    return counts


@functools.cache
def snapshot_xlk_returns() -> dict[str, float | None]:
    """XLK's returns worked out from the bundled rows directly (not through the cache)."""
    import pandas as pd

    closes = {r[1]: r[6] for r in iter_price_rows(PRICES_FILE, {"XLK"}) if r[6] is not None}
    series = pd.Series(closes, dtype="float64")
    series.index = pd.to_datetime(series.index)
    return period_returns(series.sort_index())


def assert_figures_from_the_snapshot(app: Any) -> None:
    """Fresh figures computed from the cache (not the shipped summary) on the bundled data."""
    assert app.is_running and app.return_code is None
    report = app.report
    assert report is not None and report.closes is not None, "figures were never computed"
    assert report.as_of == "2026-07-31"
    xlk = next(r for r in report.rows if r["symbol"] == "XLK")
    assert xlk["ret"] == pytest.approx(snapshot_xlk_returns())
    table = app.screen.query_one(SectorTable)
    assert cell(table, "XLK", "1M")[0] in "+−"


def refresh_delays(app: Any) -> list[float]:
    """Record the delay of every refresh the app schedules (through the public set_timer)."""
    delays: list[float] = []
    set_timer = app.set_timer

    def recording(delay: float, callback: Callable[[], Any] | None = None, **kwargs: Any) -> Any:
        if getattr(callback, "__name__", "") == "action_refresh":
            delays.append(delay)
        return set_timer(delay, callback, **kwargs)

    app.set_timer = recording
    return delays


# ----------------------------------------------------------------------------- damaged cache


@pytest.mark.parametrize("damage", list(DAMAGE))
async def test_the_app_starts_on_a_damaged_cache_with_figures_and_one_notice(
    cache_path: Path, damage: str
) -> None:
    make, outcome = DAMAGE[damage]
    cache_path.parent.mkdir(parents=True)
    make(cache_path)
    app = make_app(cache_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.press("r")  # a later refresh does not repeat the notice
        await settle(app)
        await pilot.pause()
        said = notices(app, "Cache")
        if outcome == "read-only":
            # Opened as it is, read-only: its own rows, never seeded, written or moved.
            assert app.report is not None and app.report.as_of == "2024-01-03"
            assert len(said) == 1 and "read-only" in said[0] and str(cache_path) in said[0]
            assert app.cache.read_only and cache_path.exists()
            assert not list(cache_path.parent.glob("rotmon.sqlite.corrupt-*"))
            with contextlib.closing(sqlite3.connect(cache_path)) as conn:
                assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
            return
        assert_figures_from_the_snapshot(app)
        if outcome == "fresh":
            assert said == [] and not app.cache.in_memory
        else:
            assert len(said) == 1 and str(cache_path) in said[0], said
        if outcome == "moved":
            assert "moved it to" in said[0] and not app.cache.in_memory
            assert len(list(cache_path.parent.glob("rotmon.sqlite.corrupt-*"))) == 1
        if outcome == "memory":
            assert app.cache.in_memory and "won't be saved" in said[0]
        assert not any("failed" in n for n in notices(app)), notices(app)


# ------------------------------------------------------------------------- read-only / full


def unwritable_cache(tmp_path: Path, kind: str) -> Path:
    """A cache path nobody can create, root included: a file where the dir should be, or a
    dir under /proc."""
    if kind == "file-as-dir":
        blocker = tmp_path / "cache"
        blocker.write_text("a file, not a directory")
        return blocker / "rotmon.sqlite"
    return Path("/proc") / f"rotmon-test-{os.getpid()}" / "rotmon.sqlite"


@pytest.mark.parametrize("kind", ["file-as-dir", "proc"])
async def test_an_unwritable_cache_dir_runs_from_memory_and_says_so(
    tmp_path: Path, kind: str
) -> None:
    if kind == "proc" and not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    path = unwritable_cache(tmp_path, kind)
    provider = RecordedDays()
    app = make_app(path, provider)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.cache.in_memory
        said = notices(app, "Cache")
        assert len(said) == 1 and "in-memory cache" in said[0] and "won't be saved" in said[0]
        # The snapshot was seeded into memory and the refresh landed there too.
        report = app.report
        assert report is not None and report.closes is not None
        assert report.as_of == "2026-08-03" and app.status.state == "live"
        assert app.cache.max_date() == "2026-08-03"
    assert not path.parent.is_dir()


@pytest.mark.parametrize("kind", ["file-as-dir", "proc"])
async def test_an_unwritable_cache_dir_gives_no_other_error(tmp_path: Path, kind: str) -> None:
    if kind == "proc" and not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    app = make_app(unwritable_cache(tmp_path, kind), RecordedDays())
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        assert notices(app, "Cache") and len(notices(app)) == 1, notices(app)


async def _refresh_on_a_full_disk(cache_path: Path) -> tuple[Any, Any, str]:
    """A cache filled by one run (snapshot seeded, summary saved); then the disk is full and a
    second run's refresh, which must write new days, cannot."""
    seeded_copy(cache_path)  # what the first run's own seeding would write (~1.2 s saved)
    seeding = make_app(cache_path, FailingProvider("offline"))
    async with seeding.run_test(size=(160, 50)):
        await settle(seeding)

    def full(*_args: Any, **_kwargs: Any) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    with pytest.MonkeyPatch.context() as patch:
        # Every price write of a refresh hits a full disk.
        patch.setattr(Cache, "upsert_prices", full)
        patch.setattr(Cache, "replace_prices", full)
        provider = RecordedDays()
        app = make_app(cache_path, provider)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(app)
            await pilot.pause()
            status = status_text(app)
    return app, provider, status


async def test_a_refresh_on_a_full_disk_is_reported_without_a_crash(cache_path: Path) -> None:
    app, _, _ = await _refresh_on_a_full_disk(cache_path)
    assert app.return_code is None
    assert app.status.state == "stale" and app.status.last_refresh is None
    # What was committed before is intact: the figures still come from the snapshot.
    assert app.report is not None and app.report.as_of == "2026-07-31"
    with Cache(cache_path) as cache:
        assert cache.max_date() == "2026-07-31"


async def test_a_refresh_on_a_full_disk_says_the_disk_is_full(cache_path: Path) -> None:
    app, _, status = await _refresh_on_a_full_disk(cache_path)
    assert "disk is full" in app.status.message
    assert "disk is full" in status


# ------------------------------------------------------------- failing and hanging refreshes


async def test_failing_refreshes_back_off_and_a_success_resets(cache_path: Path) -> None:
    provider = FailingProvider("offline")
    app = make_app(seeded_copy(cache_path), provider)
    delays = refresh_delays(app)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.press("r")
        await settle(app)
        assert delays == [60.0, 120.0]  # market open: 1 min, 2 min, ... instead of 5 min
        assert app.cache.get_meta("consecutive_failures") == "2"  # survives a restart
        assert app.status.state == "offline" and "could not reach" in status_text(app)
        assert len([n for n in notices(app) if "could not reach" in n]) == 1
        app.provider = RecordedDays()
        await pilot.press("r")
        await settle(app)
        await pilot.pause()
        assert delays[-1] == 300.0 and app.failures == 0
        assert app.status.state == "live" and app.report.as_of == "2026-08-03"
        assert app.cache.get_meta("consecutive_failures") == "0"


async def test_the_backed_off_retry_really_happens(cache_path: Path) -> None:
    """With a 1 s cadence the retry after a failure comes by itself, without a key press."""
    provider = FailingProvider("timeout")
    seeded_copy(cache_path)
    app = make_app(cache_path, provider, config=Config(refresh_open=1, refresh_closed=1))
    async with app.run_test(size=(120, 40)):
        await settle(app)
        # On a busy machine the start-up's workers can outlast the 1 s cadence: count from
        # whatever has been asked by now, and wait for one more ask that no key started.
        first = len(provider.calls)
        assert first >= 1
        for _ in range(100):
            await asyncio.sleep(0.05)
            if len(provider.calls) > first:
                break
        await settle(app)
        assert len(provider.calls) > first and app.failures >= 2
        assert app.status.state == "stale" and "did not answer" in app.status.message


async def test_a_hanging_refresh_is_abandoned_and_backs_off(cache_path: Path) -> None:
    provider = HangingProvider()
    app = make_app(seeded_copy(cache_path), provider)
    app.refresh_deadline = 0.3
    delays = refresh_delays(app)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app)
            await pilot.pause()
            assert app.status.state == "stale" and "gave up after" in app.status.message
            assert app.failures == 1 and delays == [60.0]
            assert_figures_from_the_snapshot(app)
    finally:
        provider.release.set()


async def test_a_delisted_symbol_is_named_and_keeps_its_data(cache_path: Path) -> None:
    reason = "possibly delisted; no price data found"
    app = make_app(seeded_copy(cache_path), RecordedDays(fail={"DFAT": reason}))
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        await pilot.press("r")
        await settle(app)
        await pilot.pause()
        assert app.status.state == "live" and app.report.as_of == "2026-08-03"
        assert "DFAT (possibly delisted)" in status_text(app)
        assert any("DFAT (possibly delisted)" in n for n in notices(app))
        table = app.screen.query_one(SectorTable)
        assert cell(table, "DFAT", "symbol") == "DFAT*"  # its data ends before the benchmark's
        assert cell(table, "DFAT", "1M")[0] in "+−"
        assert app.cache.symbol_info()["DFAT"].last_date == "2026-07-31"


# ---------------------------------------------------------------------------------- resizing


SIZES = [(20, 10), (200, 60), (21, 11), (80, 24), (20, 10), (119, 30), (120, 30), (33, 12)]


async def resize_storm(app: Any, pilot: Any) -> None:
    """A burst of resize events with no pause between them, then a few with a repaint each."""
    for width, height in SIZES * 4:
        size = Size(width, height)
        app._driver._size = size  # what pilot.resize_terminal does, without its pause
        app.post_message(Resize(size, size))
    await pilot.pause()
    for width, height in SIZES[:3]:  # 20x10, 200x60, 21x11, each laid out and painted
        await pilot.resize_terminal(width, height)


async def test_rapid_resizing_down_to_20x10_and_back_recovers(cache_path: Path) -> None:
    """Resizing on the dashboard, the RRG and a drill-down opened from it: no exception, and
    at the end the dashboard has the same layout as before the storm."""
    app = make_app(seeded_copy(cache_path))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        table = app.screen.query_one(SectorTable)
        before = table.region
        await resize_storm(app, pilot)
        await pilot.resize_terminal(160, 50)
        await pilot.press("g")
        await settle(app)
        assert isinstance(app.screen, RRGScreen)
        await resize_storm(app, pilot)
        await pilot.resize_terminal(160, 50)
        await pilot.press("enter")
        await settle(app)
        assert isinstance(app.screen, DetailScreen)
        await resize_storm(app, pilot)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await resize_storm(app, pilot)
        await pilot.resize_terminal(160, 50)
        await pilot.pause()
        assert app.is_running and app.return_code is None
        table = app.screen.query_one(SectorTable)
        assert table.display and table.region == before and before.area > 0
        assert cell(table, "XLK", "1M")[0] in "+−"


# ------------------------------------------------------------------- sharing one cache


async def test_two_apps_a_refresher_and_a_reader_share_one_cache(cache_path: Path) -> None:
    """Two dashboards start on the same empty cache at once (both seed it, refresh it, press
    r twice), while `rotmon refresh` runs in a loop and a viewer reads: nobody sees "database
    is locked" or any error, and no row is lost or doubled."""
    cache_path.parent.mkdir(parents=True)
    stop = cache_path.parent / "stop-reading"
    children = [
        spawn("app", cache_path, 2),
        spawn("app", cache_path, 2),
        spawn("refresher", cache_path, 15),
    ]
    reader = spawn("reader", cache_path, stop)
    try:
        results = []
        for child in children:
            code, lines, err = child.finish(timeout=180)
            assert code == 0, err
            results.append(json.loads(lines[-1]))
        stop.touch()
        code, lines, err = reader.finish(timeout=60)
        assert code == 0, err
        seen = json.loads(lines[-1])
    finally:
        for child in [*children, reader]:
            child.stop()

    *apps, refresher = results
    for result in apps:
        assert result["return_code"] is None and not result["in_memory"]
        assert result["state"] == "live" and result["computed"], result
        assert result["as_of"] == "2026-08-03" and result["xlk_1m"][0] in "+−"
        assert not [n for n in result["notices"] if "lock" in n or "failed" in n], result
    assert refresher["errors"] == [] and refresher["notice"] is None
    assert seen["errors"] == [] and seen["shrank"] == [] and seen["reads"] > 0

    counts = snapshot_counts()
    last = snapshot_last_closes()
    with Cache(cache_path) as cache:
        assert cache.notice is None
        info = cache.symbol_info()
        closes = cache.read_closes(end="2026-08-03")
        for symbol in Config().symbols():
            if symbol not in counts:
                continue
            assert info[symbol].rows == counts[symbol] + 1, symbol
            assert closes.loc["2026-08-03", symbol] == new_day_close(last[symbol], 0)
        days = refresher_days(15)
        for symbol in REFRESH_SYMBOLS:
            series = cache.read_closes([symbol])[symbol]
            assert series.tolist() == [refresher_close(symbol, j) for j in range(len(days))]


async def test_a_full_disk_at_start_runs_from_memory_and_says_so(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache file opens but cannot grow (SQLite's real SQLITE_FULL): seeding goes on in
    memory, fresh figures are computed, and the app says once that nothing will be saved."""
    cap_file_growth(monkeypatch)  # the disk is full from the first write
    app = make_app(cache_path, FailingProvider("offline"))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.cache.in_memory
        cache_notices = notices(app, "Cache")
        assert len(cache_notices) == 1 and "disk is full" in cache_notices[0], cache_notices
        assert "won't be saved" in cache_notices[0]
        assert app.report is not None and app.report.closes is not None
        assert app.report.as_of == "2026-07-31"


async def test_a_disk_that_fills_during_a_refresh_keeps_the_new_figures_in_memory(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run fills the cache; in the second the disk fills while the refresh writes
    (its rows or the summary after them): the new day is shown, from memory, and the app says
    once that the cache is in memory."""
    seeded_copy(cache_path)  # what the first run's own seeding would write (~1.2 s saved)
    seeding = make_app(cache_path, FailingProvider("offline"))
    async with seeding.run_test(size=(160, 50)):
        await settle(seeding)
    cap_file_growth(monkeypatch)
    app = make_app(cache_path, RecordedDays())
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.cache.in_memory
        assert app.report is not None and app.report.as_of == "2026-08-03"
        assert app.status.state == "live"
        assert len([n for n in notices(app, "Cache") if "disk is full" in n]) == 1
    monkeypatch.undo()
    with Cache(cache_path) as cache:  # the file holds what fitted, undamaged
        assert cache.notice is None and not cache.in_memory
        assert cache.max_date() in ("2026-07-31", "2026-08-03")
