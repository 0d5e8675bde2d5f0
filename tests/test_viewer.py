"""One refresher, many viewers: `rotmon --read-only` never writes the shared cache (so it never
holds the write lock a refresher needs) and follows the refresher's commits."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from faults_helpers import (
    CLOCK,
    NEW_DAYS,
    FailingProvider,
    RecordedDays,
    make_app,
    new_day_close,
    notices,
    seeded_copy,
    settle,
    snapshot_last_closes,
    status_text,
)
from test_cache_layout import _schema_1_file

from tui.data.cache import SCHEMA_VERSION, Cache
from tui.data.refresh import run_refresh


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A shared cache as `rotmon refresh` leaves it: the bundled snapshot, to 2026-07-31."""
    path = seeded_copy(tmp_path / "srv" / "rotmon.sqlite", None)  # = seed_cache(cache)
    with Cache(path) as cache:
        cache.set_meta("last_success_at", "2026-07-31T21:00:00Z")
    return path


def fingerprint(path: Path) -> tuple[str, ...]:
    """The bytes of the database and its WAL (if any): what a viewer must leave alone."""
    parts = []
    for name in (path, Path(f"{path}-wal")):
        data = name.read_bytes() if name.exists() else b""
        parts.append(hashlib.sha256(data).hexdigest())
    return tuple(parts)


def refresher_writes_a_day(path: Path) -> None:
    """What `rotmon refresh --every` does on its next cycle: a new day for every symbol."""
    with Cache(path) as refresher:
        outcome = run_refresh(refresher, RecordedDays(), list(snapshot_last_closes()), now=CLOCK)
        assert outcome.problem is None and outcome.rows_written > 0


# ------------------------------------------------------------------------------ the cache


def test_a_read_only_cache_reads_and_never_locks(shared: Path) -> None:
    with Cache(shared, read_only=True) as viewer:
        assert viewer.notice is None and not viewer.in_memory and not viewer.writable
        assert viewer.max_date() == "2026-07-31"
        spy = viewer.read_closes(["SPY"])  # a read transaction in the middle of it all
        assert spy.index[-1].strftime("%Y-%m-%d") == "2026-07-31"
        # A refresher gets the write lock at once while the viewer is open.
        writer = sqlite3.connect(shared, timeout=0, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO meta VALUES ('k', 'v')")
            writer.execute("COMMIT")
        finally:
            writer.close()
        with pytest.raises(sqlite3.OperationalError, match="read-only"):
            viewer.set_meta("x", "y")
        assert not viewer.in_memory  # a refused write does not turn it into a copy


def test_a_read_only_cache_notices_commits_made_elsewhere(shared: Path) -> None:
    with Cache(shared, read_only=True) as viewer:
        assert viewer.changed_elsewhere() is False  # the first call takes note
        assert viewer.changed_elsewhere() is False
        refresher_writes_a_day(shared)
        assert viewer.changed_elsewhere() is True
        assert viewer.changed_elsewhere() is False
        assert viewer.max_date() == NEW_DAYS[-1]


def test_a_read_only_cache_of_an_older_layout_or_no_file_is_a_copy(tmp_path: Path) -> None:
    old = tmp_path / "old" / "rotmon.sqlite"
    _schema_1_file(old)
    with Cache(old, read_only=True) as viewer:
        assert viewer.in_memory and viewer.writable and "schema version 1" in viewer.notice
        assert viewer.read_closes(["IWM"]).loc["2024-01-03", "IWM"] == 200.0
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # left as it was
    missing = tmp_path / "none" / "rotmon.sqlite"
    with Cache(missing, read_only=True) as viewer:
        assert viewer.in_memory and "no cache at" in (viewer.notice or "")
    assert not missing.parent.exists()  # nothing created
    assert SCHEMA_VERSION == 2


# -------------------------------------------------------------------------------- the app


async def test_a_viewer_session_leaves_the_shared_cache_byte_for_byte(shared: Path) -> None:
    before = fingerprint(shared)
    app = make_app(shared, FailingProvider("offline"), read_only=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.report is not None and app.report.as_of == "2026-07-31"
        assert app.cache.read_only and not app.cache.in_memory
        assert app.status.state == "read-only"
        text = status_text(app)
        assert text.startswith("READ-ONLY · ") and "refreshes come from another process" in text
        banner = str(app.screen.query_one("#banner").render())
        assert banner == "READ-ONLY · data as of 2026-07-31"
        assert app.provider.calls == []  # never fetches
        await pilot.press("r")  # refresh is refused, not attempted
        await settle(app)
        assert app.provider.calls == []
        assert any("--read-only" in n for n in notices(app))
    assert fingerprint(shared) == before
    assert not (shared.parent / "ui-state.json").exists()


async def test_a_viewer_follows_the_refreshers_commits(shared: Path) -> None:
    last = snapshot_last_closes()
    app = make_app(shared, FailingProvider("offline"), read_only=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        assert app.report.as_of == "2026-07-31"
        report = app.report
        app._check_files()  # the 2 s watch: nothing changed, nothing recomputed
        await settle(app)
        assert app.report is report
        refresher_writes_a_day(shared)
        app._check_files()  # the next tick of the watch
        await settle(app)
        await pilot.pause()
        assert app.report.as_of == NEW_DAYS[-1]
        table_close = app.report.closes["SPY"].iloc[-1]
        assert table_close == new_day_close(last["SPY"], 0)
        assert app.status.last_refresh is not None and app.status.last_refresh > "2026-08-01"
        assert not [n for n in notices(app) if "Traceback" in n]


async def test_a_normal_app_also_follows_another_writer_but_not_itself(shared: Path) -> None:
    """Two dashboards on one cache: each sees the other's refresh; its own writes (summary,
    alert memory) do not make it recompute."""
    app = make_app(shared, FailingProvider("offline"), offline=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        report = app.report
        app._check_files()
        await settle(app)
        assert app.report is report
        refresher_writes_a_day(shared)
        app._check_files()
        await settle(app)
        await pilot.pause()
        assert app.report.as_of == NEW_DAYS[-1]


async def test_a_viewer_left_with_a_copy_tries_the_file_again_and_then_follows_it(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first read-only open fails (as when no refresher holds the cache open and the
    viewer may not create the -shm file): the viewer runs on a copy, tries the file again on
    its watch, and once that works follows the refresher as usual."""
    opened = Cache._open_read_only
    failures = iter([True])

    def first_fails(cache: Cache) -> None:
        if next(failures, False):
            cache._open_in_memory("cannot read it as it is (simulated)", copy_from=cache.path)
        else:
            opened(cache)

    monkeypatch.setattr(Cache, "_open_read_only", first_fails)
    app = make_app(shared, FailingProvider("offline"), read_only=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        assert app.cache.in_memory and app.report.as_of == "2026-07-31"
        app._check_files()  # not yet due: nothing tried
        await settle(app)
        assert app.cache.in_memory
        app._reopen_tried = float("-inf")
        app._check_files()
        await settle(app)
        assert not app.cache.in_memory and app.cache.read_only
        assert any("following its refreshes" in n for n in notices(app, "Cache"))
        refresher_writes_a_day(shared)
        app._check_files()
        await settle(app)
        await pilot.pause()
        assert app.report.as_of == NEW_DAYS[-1]
    assert not (shared.parent / "ui-state.json").exists()
