"""The cache under faults: SIGKILL mid-write, processes writing at once, damaged files, a full
or read-only disk. Real SQLite files in temp dirs and real processes (tests/faults_helpers.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import time
from pathlib import Path

import pytest
from faults_helpers import (
    DAMAGE,
    REFRESH_SYMBOLS,
    ROWS,
    batch_value,
    cap_file_growth,
    refresher_close,
    refresher_days,
    spawn,
    tmpfs_wrap,
)

from tui.data import cache as cache_mod
from tui.data.cache import Cache
from tui.data.snapshot import FACTORS_FILE, PRICES_FILE, iter_price_rows, seed_cache

BATCH = 80_000
"""Rows per kill-test transaction: enough that SQLite spills uncommitted pages to the WAL."""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "rotmon.sqlite"


def integrity(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return ";".join(r[0] for r in conn.execute("PRAGMA integrity_check"))


def batch_stats(path: Path) -> dict[str, tuple[int, float, float]]:
    """Symbol -> (rows, sum of adj_close, adj_close on day 1000) for the kill-test batches."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT symbol, COUNT(*), SUM(adj_close), "
            "SUM(CASE WHEN date = '1902-09-28' THEN adj_close END) "
            "FROM prices WHERE symbol LIKE 'K%' GROUP BY symbol"
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def expected_batch(n: int) -> tuple[int, float, float]:
    total = sum(batch_value(n, i) for i in range(BATCH))
    return BATCH, total, batch_value(n, 1000)  # 1900-01-01 + 1000 days = 1902-09-28


def committed_batches(lines: list[str]) -> set[int]:
    return {int(line.split()[1]) for line in lines if line.startswith("committed ")}


def assert_reopens_with(path: Path, committed: set[int], attempted: int) -> None:
    """The next open is clean and every committed batch is whole; the rest all-or-nothing."""
    with Cache(path) as cache:
        assert cache.notice is None and not cache.in_memory, cache.notice
        sources = {i.symbol: i.source for i in cache.symbol_info().values()}
    assert not list(path.parent.glob("*.corrupt-*")), "a killed writer's file was moved aside"
    assert integrity(path) == "ok"
    stats = batch_stats(path)
    for n in sorted(committed):
        assert stats.get(f"K{n:04d}") == expected_batch(n), f"committed batch {n} damaged"
        assert sources[f"K{n:04d}"] == "kill-test"
    for n in range(attempted + 1):
        if n not in committed:  # the batch being written at the kill: none or all of it
            assert stats.get(f"K{n:04d}", (0, 0, 0))[0] in (0, BATCH), f"batch {n} is partial"


def test_kill_9_mid_write_keeps_every_committed_transaction(db_path: Path) -> None:
    """SIGKILL a writer three times: once with a transaction half written (uncommitted pages
    already in the WAL), twice at random moments. Each time the cache reopens without being
    moved aside, integrity_check is ok, and every batch the child reported committed is whole.
    """
    rng = random.Random(7)
    committed: set[int] = set()
    start = 0
    for round_no in range(3):
        child = spawn("upsert-loop", db_path, start, BATCH)
        try:
            child.wait_for("opened None")
            first = child.wait_for(f"committed {start}")
            began = time.monotonic()
            child.wait_for(f"committed {start + 1}")
            batch_time = time.monotonic() - began
            if round_no == 0:
                child.wait_for(f"half {start + 2}")  # inside the transaction, half written
            else:
                time.sleep(rng.uniform(0.05, 1.0) * batch_time)
            child.kill9()
        finally:
            child.stop()
        assert first and child.proc.returncode == -9
        done = committed_batches(child.lines)
        committed |= done
        attempted = max(done) + 1
        assert_reopens_with(db_path, committed, attempted)
        start = attempted + 1


def test_kill_9_during_the_snapshot_seed_then_seeding_completes(db_path: Path) -> None:
    """The first start's bulk write (85k rows in one transaction) is killed midway; the next
    start opens the cache and seeds it to exactly what an uninterrupted seed gives."""
    want: dict[str, int] = {}
    for path in (PRICES_FILE, FACTORS_FILE):  # the universe and the factor ETFs
        for row in iter_price_rows(path):
            want[row[0]] = want.get(row[0], 0) + 1
    child = spawn("seed", db_path)
    try:
        child.wait_for("seeding")
        time.sleep(0.08)  # decompressing and inserting 85k rows takes several times longer
        child.kill9()
    finally:
        child.stop()
    _, lines, _ = child.finish()
    assert not [line for line in lines if line.startswith("seeded")], "killed too late"
    with Cache(db_path) as cache:
        assert cache.notice is None and not cache.in_memory
        partial = {s: i.rows for s, i in cache.symbol_info().items()}
        assert partial == {}  # one transaction: nothing of it survives
        seed_cache(cache)
        assert {s: i.rows for s, i in cache.symbol_info().items()} == want
    assert integrity(db_path) == "ok"


# ------------------------------------------------------------------------------ concurrency


def test_two_writers_and_a_reader_at_once_lose_nothing(db_path: Path) -> None:
    """An upsert loop and a refresh loop (run_refresh on recorded frames) write the same cache
    while a viewer opens and reads it in a loop: no "database is locked", no error at all, no
    row lost, and the viewer never sees a symbol's row count go down."""
    with Cache(db_path) as cache:
        seed_cache(cache, ["SPY"])
    stop = db_path.parent / "stop-reading"
    reader = spawn("reader", db_path, stop)
    writers = [spawn("writer", db_path, "W1", 150), spawn("refresher", db_path, 25)]
    try:
        results = []
        for child in writers:
            code, lines, err = child.finish(timeout=120)
            assert code == 0, err
            results.append(json.loads(lines[-1]))
        stop.touch()
        code, lines, err = reader.finish(timeout=60)
        assert code == 0, err
        seen = json.loads(lines[-1])
    finally:
        for child in [reader, *writers]:
            child.stop()

    upserts, refreshes = results
    assert upserts == {"done": 150, "errors": [], "notice": None}
    assert refreshes["errors"] == [] and refreshes["notice"] is None
    assert seen["errors"] == [] and seen["shrank"] == [] and seen["reads"] > 0
    with Cache(db_path) as cache:
        info = cache.symbol_info()
        assert info["W1"].rows == 1500
        assert cache.get_meta("writer.W1") == "149"
        days = refresher_days(25)
        for symbol in REFRESH_SYMBOLS:
            closes = cache.read_closes([symbol])[symbol]
            assert list(closes.index.strftime("%Y-%m-%d")) == days
            assert closes.tolist() == [refresher_close(symbol, j) for j in range(25)]
        assert cache.get_meta("consecutive_failures") == "0"
    assert integrity(db_path) == "ok"


def test_a_reader_holding_a_snapshot_does_not_block_a_writer(db_path: Path) -> None:
    """A viewer in the middle of a long read (an open read transaction) must not make a writer
    wait: in WAL mode the writer commits at once, and the reader keeps its consistent view."""
    with Cache(db_path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    reader = sqlite3.connect(db_path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT COUNT(*) FROM prices").fetchone()[0] == 3
        began = time.monotonic()
        with Cache(db_path) as writer:
            writer.upsert_prices([("QQQ", "2024-01-02", None, None, None, 1.0, 1.0, None)], "y")
        assert time.monotonic() - began < 2.0
        assert reader.execute("SELECT COUNT(*) FROM prices").fetchone()[0] == 3
        reader.execute("COMMIT")
        assert reader.execute("SELECT COUNT(*) FROM prices").fetchone()[0] == 4
    finally:
        reader.close()


def test_opening_for_reading_does_not_wait_for_a_writer(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer starting while `rotmon refresh` is inside a long write transaction opens the
    cache file at once (WAL readers never wait for writers) and reads the committed data."""
    with Cache(db_path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    configure = Cache._configure

    def short_timeout(conn: sqlite3.Connection) -> None:  # keep the test short on failure
        configure(conn)
        conn.execute("PRAGMA busy_timeout = 1000")

    monkeypatch.setattr(Cache, "_configure", staticmethod(short_timeout))
    holder = spawn("hold-write-lock", db_path, 4)
    try:
        holder.wait_for("locked")
        began = time.monotonic()
        with Cache(db_path) as viewer:
            took = time.monotonic() - began
            assert viewer.notice is None and not viewer.in_memory, viewer.notice
            assert viewer.last_dates() == {"SPY": "2024-01-03", "XLK": "2024-01-02"}
        assert took < 0.5
    finally:
        holder.stop()


# ------------------------------------------------------------------------ damaged files


# A newer rotmon's file is not damage: it is opened read-only, never moved (test_cache.py and
# test_faults_cache_held.py); faults_helpers.DAMAGE still lists it with the old outcome.
@pytest.mark.parametrize("damage", [d for d in DAMAGE if d != "newer-schema"])
def test_a_damaged_cache_file_is_handled(db_path: Path, damage: str) -> None:
    """Each damaged file gives a working cache: moved aside with a one-line notice naming
    the copy, used as an empty new database (zero bytes), or left alone (a directory) with
    the cache in memory and a notice saying so."""
    make, outcome = DAMAGE[damage]
    db_path.parent.mkdir(parents=True, exist_ok=True)
    make(db_path)
    before = sorted(p.name for p in db_path.parent.iterdir())
    with Cache(db_path) as cache:
        if outcome == "fresh":
            assert cache.notice is None and not cache.in_memory
        else:
            assert cache.notice is not None and "\n" not in cache.notice
            assert str(db_path) in cache.notice
        aside = [p for p in db_path.parent.glob("rotmon.sqlite.corrupt-*") if p.is_file()]
        if outcome == "moved":
            assert not cache.in_memory
            assert len(aside) == 1 and str(aside[0]) in (cache.notice or "")
        else:
            assert aside == []
        if outcome == "memory":
            assert cache.in_memory and "won't be saved" in (cache.notice or "")
            assert (db_path / "something").read_text() == "not ours"
        assert cache.max_date() is None
        assert cache.upsert_prices(ROWS, "yahoo") == len(ROWS)
        assert cache.last_dates() == {"SPY": "2024-01-03", "XLK": "2024-01-02"}
    if outcome != "memory":
        with Cache(db_path) as again:  # and it was really saved
            assert again.notice is None and again.max_date() == "2024-01-03"
    else:
        assert sorted(p.name for p in db_path.parent.iterdir()) == before


def test_garbage_wal_beside_a_good_file_is_ignored(db_path: Path) -> None:
    """A -wal of random bytes (a torn copy, a crash of another tool) is not a valid log:
    SQLite ignores it, the committed data is intact and nothing is moved aside."""
    with Cache(db_path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    Path(f"{db_path}-wal").write_bytes(random.Random(2).randbytes(50_000))
    with Cache(db_path) as cache:
        assert cache.notice is None and not cache.in_memory
        assert cache.last_dates() == {"SPY": "2024-01-03", "XLK": "2024-01-02"}
    assert not list(db_path.parent.glob("*.corrupt-*"))
    assert integrity(db_path) == "ok"


# ---------------------------------------------------------------------- full / read-only


def test_a_write_on_a_full_disk_carries_on_in_memory_leaving_the_file_intact(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills after the cache opened: the write that does not fit is done in an
    in-memory copy (with everything committed before), the cache says so, and the file keeps
    exactly what it had."""
    with Cache(db_path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    cap_file_growth(monkeypatch)
    many = [("BIG", f"2000-01-{d:02d}", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0) for d in range(1, 29)]
    many = [(f"S{i:04d}", *row[1:]) for i in range(400) for row in many]
    with Cache(db_path) as cache:
        assert not cache.in_memory and cache.notice is None
        assert cache.upsert_prices(many, "yahoo") == len(many)
        assert cache.in_memory
        assert "disk is full" in (cache.notice or "") and "in-memory copy" in (cache.notice or "")
        dates = cache.last_dates()
        assert dates["SPY"] == "2024-01-03" and dates["S0399"] == "2000-01-28"
        assert cache.read_closes(["XLK"]).loc["2024-01-02", "XLK"] == 190.0
        cache.set_meta("small", "in memory too")
        assert cache.get_meta("small") == "in memory too"
    monkeypatch.undo()
    assert integrity(db_path) == "ok"
    with Cache(db_path) as cache:
        assert cache.notice is None
        assert cache.last_dates() == {"SPY": "2024-01-03", "XLK": "2024-01-02"}
        assert cache.get_meta("small") is None


def test_other_write_errors_are_not_hidden(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a disk that stops taking writes moves the cache to memory; a constraint error (a
    bug, not the disk) still raises and leaves the cache on its file."""
    with Cache(db_path) as cache:
        with pytest.raises(sqlite3.IntegrityError):
            cache._write(lambda conn: conn.execute("INSERT INTO meta VALUES (NULL, 'x')"))
        assert not cache.in_memory and cache.notice is None
        assert not cache._db.in_transaction


def test_a_real_full_file_system(tmp_path: Path) -> None:
    """On a 1 MB tmpfs filled to the last byte, a refresh fails but the cache keeps what it
    had, reopens without being moved aside, and passes integrity_check."""
    mount = tmp_path / "small"
    mount.mkdir()
    wrap = tmpfs_wrap(mount, "1m")
    if wrap is None:
        pytest.skip("cannot mount a tmpfs here (no unprivileged user namespaces)")
    child = spawn("disk-full", mount, wrap=wrap)
    code, lines, err = child.finish(timeout=60)
    assert code == 0, err
    result = json.loads(lines[-1])
    spy = [500.0 + i for i in range(20)]
    assert result["open_notice"] is None and not result["in_memory"]
    # The disk really was full: the refresh went on in memory, and says so.
    assert "refresh_error" not in result, result
    assert result["in_memory_after"] and "full" in result["notice_after"], result
    assert result["spy_after"] == [500.0 + i for i in range(40)]
    # The file keeps what was committed before the disk filled.
    assert result["reopen_notice"] is None and result["spy_reopened"] == spy
    assert result["integrity"] == "ok"


def test_a_read_only_file_system_gives_an_in_memory_copy(tmp_path: Path, db_path: Path) -> None:
    """The cache on a read-only mount (root cannot write there either): the cache is an
    in-memory copy of the file, says so, and accepts writes for the session."""
    with Cache(db_path) as cache:
        seed_cache(cache, ["SPY", "XLK"])
        cache.save_summary("dashboard", {"as_of": "2026-07-31"})
    mount = tmp_path / "ro"
    mount.mkdir()
    wrap = tmpfs_wrap(mount, "16m", copy_in=db_path, read_only=True)
    if wrap is None:
        pytest.skip("cannot mount a tmpfs here (no unprivileged user namespaces)")
    code, lines, err = spawn("open-cache", mount, wrap=wrap).finish(timeout=60)
    assert code == 0, err
    result = json.loads(lines[-1])
    assert result["in_memory"] and "in-memory copy" in result["notice"]
    assert "not writable" in result["notice"] and "Read-only file system" in result["notice"]
    assert result["last_dates"] == {"QQQ": "2026-08-03", "SPY": "2026-07-31", "XLK": "2026-07-31"}
    assert result["written"] == 1 and result["summary"] == {"as_of": "2026-07-31"}


def test_the_in_memory_copy_includes_committed_rows_still_in_the_wal(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer without write access to a shared cache (another user's dir) reads a copy;
    `rotmon refresh --every` keeps its connection open, so its latest commits sit in the WAL."""
    with Cache(db_path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    refresher = sqlite3.connect(db_path, isolation_level=None)
    try:
        refresher.execute("PRAGMA wal_autocheckpoint = 0")  # as between two auto-checkpoints
        refresher.execute(
            "INSERT INTO prices VALUES ('SPY', '2024-01-04', 1, 1, 1, 471.0, 471.0, 1)"
        )
        assert os.path.getsize(f"{db_path}-wal") > 0
        monkeypatch.setattr(cache_mod, "_dir_problem", lambda d: f"{d} is not writable")
        with Cache(db_path) as viewer:
            assert viewer.in_memory and "copy" in (viewer.notice or "")
            assert viewer.last_dates()["SPY"] == "2024-01-04"
    finally:
        refresher.close()
