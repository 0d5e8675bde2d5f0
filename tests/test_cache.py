"""Tests for the SQLite price cache: round trips, idempotence, recovery, fallbacks."""

from __future__ import annotations

import math
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from faults_helpers import seeded_copy
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.data import cache as cache_mod
from tui.data.cache import SCHEMA_VERSION, Cache, SymbolInfo
from tui.data.snapshot import seed_cache

ROWS = [
    ("SPY", "2024-01-02", 470.0, 473.0, 468.0, 472.5, 472.5, 1_000_000.0),
    ("SPY", "2024-01-03", 471.0, 474.0, 469.0, 470.25, 470.25, 900_000.0),
    ("SPY", "2024-01-05", None, None, None, None, 475.5, None),
    ("XLK", "2024-01-02", None, None, None, None, 190.0, None),
    ("XLK", "2024-01-04", None, None, None, None, 191.5, None),
]


def _dump(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM prices ORDER BY symbol, date").fetchall()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "rotmon.sqlite"


@pytest.fixture
def cache(db_path: Path) -> Cache:
    with Cache(db_path) as c:
        yield c


# ----------------------------------------------------------------------------- basics


def test_import_does_not_load_pandas() -> None:
    code = "import sys, tui.data.cache; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_creates_private_dir_wal_and_schema_version(cache: Cache, db_path: Path) -> None:
    assert cache.notice is None and not cache.in_memory
    assert db_path.is_file()
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"prices", "symbols", "meta", "summary", "closes", "stale"}


def test_round_trip_read_prices_and_closes(cache: Cache) -> None:
    assert cache.upsert_prices(ROWS, "yahoo", "2024-01-06T00:00:00Z") == len(ROWS)

    spy = cache.read_prices("SPY")
    assert list(spy.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert spy.index.name == "date"
    assert list(spy.index.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-03", "2024-01-05"]
    assert (spy.dtypes == "float64").all()
    days = spy.index.strftime("%Y-%m-%d")
    back = [("SPY", d, *r) for d, r in zip(days, spy.itertuples(index=False), strict=True)]
    for got, want in zip(back, ROWS[:3], strict=True):
        assert got[:2] == want[:2]
        for g, w in zip(got[2:], want[2:], strict=True):
            assert (w is None and math.isnan(g)) or g == w

    closes = cache.read_closes(["XLK", "NOPE", "SPY"])
    expected = pd.DataFrame(
        {
            "XLK": [190.0, np.nan, 191.5, np.nan],
            "SPY": [472.5, 470.25, np.nan, 475.5],
        },
        index=pd.DatetimeIndex(
            pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]), name="date"
        ),
    )
    pd.testing.assert_frame_equal(closes, expected)

    everything = cache.read_closes()
    assert list(everything.columns) == ["SPY", "XLK"]
    window = cache.read_closes(["SPY", "XLK"], start="2024-01-03", end="2024-01-04")
    assert list(window.index.strftime("%Y-%m-%d")) == ["2024-01-03", "2024-01-04"]
    assert window.loc["2024-01-03", "SPY"] == 470.25 and window.loc["2024-01-04", "XLK"] == 191.5


def test_read_closes_empty(cache: Cache) -> None:
    empty = cache.read_closes(["SPY"])
    assert empty.empty and isinstance(empty.index, pd.DatetimeIndex)
    assert empty.index.name == "date"
    assert cache.read_prices("SPY").empty


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(["AAA", "BBB", "^CC"]), st.integers(1, 28)),
        st.floats(0.01, 1e6, allow_nan=False),
        max_size=40,
    )
)
def test_read_closes_matches_pandas_pivot(points: dict[tuple[str, int], float]) -> None:
    rows = [
        (s, f"2024-02-{d:02d}", None, None, None, None, v, None) for (s, d), v in points.items()
    ]
    with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "rotmon.sqlite") as c:
        c.upsert_prices(rows, "test")
        got = c.read_closes(["^CC", "AAA", "BBB"])
    if not rows:
        assert got.empty
        return
    long = pd.DataFrame([(r[0], r[1], r[6]) for r in rows], columns=["symbol", "date", "v"])
    want = long.pivot(index="date", columns="symbol", values="v").sort_index()
    want = want[[s for s in ["^CC", "AAA", "BBB"] if s in want.columns]]
    want.index = pd.DatetimeIndex(pd.to_datetime(want.index), name="date")
    want.columns = list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_names=False, check_column_type=False)


def test_upsert_is_idempotent_and_replaces(cache: Cache, db_path: Path) -> None:
    first = cache.upsert_prices(ROWS, "yahoo")
    table = _dump(db_path)
    second = cache.upsert_prices(ROWS, "yahoo")
    assert first == second == len(ROWS)
    assert _dump(db_path) == table
    assert len(table) == len(ROWS)

    changed = ("SPY", "2024-01-02", 1.0, 2.0, 0.5, 1.5, 1.5, 10.0)
    assert cache.upsert_prices([changed], "csv:x.csv") == 1
    assert ("SPY", "2024-01-02", 1.0, 2.0, 0.5, 1.5, 1.5, 10.0) in _dump(db_path)
    assert len(_dump(db_path)) == len(ROWS)
    assert cache.symbol_info()["SPY"].source == "csv:x.csv"


def test_upsert_nan_stored_as_null_and_bad_rows_rejected(cache: Cache) -> None:
    cache.upsert_prices([("SPY", "2024-01-02", float("nan"), None, None, 1.0, 1.0, None)], "t")
    assert math.isnan(cache.read_prices("SPY")["open"].iloc[0])
    with pytest.raises(ValueError):
        cache.upsert_prices([("SPY", "2024-01-03", 1.0)], "t")
    assert cache.last_dates() == {"SPY": "2024-01-02"}  # the failed call wrote nothing


def test_insert_missing_never_overwrites(cache: Cache, db_path: Path) -> None:
    cache.upsert_prices(ROWS[:2], "yahoo", "2024-01-06T10:00:00Z")
    older = [
        ("SPY", "2024-01-02", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),  # exists: must be kept
        ("SPY", "2023-12-29", 2.0, 2.0, 2.0, 2.0, 2.0, 2.0),  # missing: inserted
        ("QQQ", "2023-12-29", None, None, None, None, 3.0, None),
    ]
    assert cache.insert_missing(older, "snapshot", "2026-08-03") == 2
    table = _dump(db_path)
    assert ROWS[0] in table and older[0] not in table and older[1] in table
    info = cache.symbol_info()
    assert (info["SPY"].source, info["SPY"].fetched_at) == ("yahoo", "2024-01-06T10:00:00Z")
    assert (info["QQQ"].source, info["QQQ"].fetched_at) == ("snapshot", "2026-08-03")
    assert cache.insert_missing(older, "snapshot") == 0


def test_symbol_info_last_dates_max_date(cache: Cache) -> None:
    assert cache.max_date() is None and cache.symbol_info() == {} and cache.last_dates() == {}
    cache.upsert_prices(ROWS, "yahoo", "2024-01-06T00:00:00Z")
    cache.record_error("IWM", "no data")
    info = cache.symbol_info()
    assert list(info) == ["IWM", "SPY", "XLK"]
    assert info["SPY"] == SymbolInfo(
        "SPY", "yahoo", "2024-01-06T00:00:00Z", "2024-01-02", "2024-01-05", 3, None
    )
    assert info["XLK"].rows == 2 and info["XLK"].last_date == "2024-01-04"
    assert info["IWM"] == SymbolInfo("IWM", "", None, None, None, 0, "no data")
    assert cache.last_dates() == {"SPY": "2024-01-05", "XLK": "2024-01-04"}
    assert cache.max_date() == "2024-01-05"


def test_default_fetched_at_is_utc_iso(cache: Cache) -> None:
    cache.upsert_prices(ROWS[:1], "yahoo")
    stamp = cache.symbol_info()["SPY"].fetched_at
    assert stamp is not None and stamp.endswith("Z") and stamp[10] == "T"
    assert pd.Timestamp(stamp).tz is not None


def test_record_error_and_clear_on_success(cache: Cache) -> None:
    cache.upsert_prices(ROWS[:1], "yahoo", "2024-01-06T00:00:00Z")
    cache.record_error("SPY", "HTTP 429")
    assert cache.symbol_info()["SPY"].last_error == "HTTP 429"
    assert cache.symbol_info()["SPY"].source == "yahoo"
    cache.record_error("SPY", None)
    assert cache.symbol_info()["SPY"].last_error is None
    cache.record_error("SPY", "timeout")
    cache.upsert_prices(ROWS[1:2], "yahoo")
    assert cache.symbol_info()["SPY"].last_error is None


def test_read_overlap(cache: Cache) -> None:
    cache.upsert_prices(ROWS, "yahoo")
    assert cache.read_overlap("SPY", "2024-01-03") == {"2024-01-03": 470.25, "2024-01-05": 475.5}
    assert cache.read_overlap("SPY", "2025-01-01") == {}
    assert cache.read_overlap("NOPE", "2000-01-01") == {}


def test_rescale_only_rows_before(cache: Cache) -> None:
    cache.upsert_prices(ROWS, "yahoo")
    assert cache.rescale("SPY", 0.5, "2024-01-05") == 2
    spy = cache.read_prices("SPY")
    assert spy.loc["2024-01-02", "open"] == 235.0
    assert spy.loc["2024-01-03", "adj_close"] == 235.125
    assert spy.loc["2024-01-03", "volume"] == 900_000.0  # volume is not a price
    assert spy.loc["2024-01-05", "adj_close"] == 475.5  # on/after `before`: untouched
    assert cache.read_prices("XLK")["adj_close"].tolist() == [190.0, 191.5]
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            cache.rescale("SPY", bad, "2024-01-05")


def test_meta_and_summary(cache: Cache, db_path: Path) -> None:
    assert cache.get_meta("k") is None
    cache.set_meta("k", "v1")
    cache.set_meta("k", "v2")
    assert cache.get_meta("k") == "v2"
    assert cache.load_summary("table") is None
    payload = {"rows": [{"symbol": "SPY", "ret": {"1D": 0.01, "1Y": None}}], "as_of": "2026-07-31"}
    cache.save_summary("table", payload)
    assert cache.load_summary("table") == payload
    cache.close()
    with Cache(db_path) as again:  # persisted
        assert again.load_summary("table") == payload and again.get_meta("k") == "v2"


def test_threads_share_one_cache(cache: Cache) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                day = f"2024-03-{i + 1:02d}"
                cache.upsert_prices([(f"S{n}", day, None, None, None, None, float(i), None)], "t")
                cache.read_closes([f"S{n}"])
                cache.last_dates()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {s: i.rows for s, i in cache.symbol_info().items()} == {f"S{n}": 20 for n in range(4)}


def test_close_is_idempotent(db_path: Path) -> None:
    c = Cache(db_path)
    c.close()
    c.close()
    with pytest.raises(sqlite3.ProgrammingError):
        c.max_date()


# --------------------------------------------------------------------------- recovery


def _assert_recovered(db_path: Path, reason_word: str, original: bytes | None = None) -> Cache:
    c = Cache(db_path)
    assert not c.in_memory
    assert c.notice is not None and "\n" not in c.notice
    aside = sorted(db_path.parent.glob("rotmon.sqlite.corrupt-*"))
    main = [p for p in aside if not p.name.endswith(("-wal", "-shm"))]
    assert len(main) == 1, aside
    assert main[0].name[len("rotmon.sqlite.corrupt-") :].endswith("Z")
    assert str(db_path) in c.notice and str(main[0]) in c.notice
    assert reason_word in c.notice.lower()
    if original is not None:
        assert main[0].read_bytes() == original
    # The fresh cache works and is a real file again.
    assert c.max_date() is None
    assert c.upsert_prices(ROWS, "yahoo") == len(ROWS)
    assert c.last_dates()["SPY"] == "2024-01-05"
    return c


def test_random_bytes_file_is_moved_aside(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    junk = os.urandom(64 * 1024)
    db_path.write_bytes(junk)
    Path(f"{db_path}-wal").write_bytes(os.urandom(100))
    with _assert_recovered(db_path, "not a database", junk):
        pass
    assert len(list(db_path.parent.glob("rotmon.sqlite.corrupt-*-wal"))) == 1


def test_truncated_file_is_moved_aside(db_path: Path) -> None:
    seeded_copy(db_path, None)  # what seed_cache(c) leaves in a new cache
    size = db_path.stat().st_size
    assert size > 1_000_000 and not Path(f"{db_path}-wal").exists()
    with open(db_path, "r+b") as handle:
        handle.truncate(size // 2)
    with _assert_recovered(db_path, "malformed"):
        pass


def test_newer_schema_is_opened_read_only_never_moved(db_path: Path) -> None:
    """Issue 16, finding 2: a newer rotmon's file is read, never moved aside or changed."""
    with Cache(db_path) as c:
        c.upsert_prices(ROWS, "yahoo")
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.execute("CREATE TABLE added_by_a_newer_rotmon (x)")  # newer layouts may add more
    original = db_path.read_bytes()
    with Cache(db_path) as c:
        assert not c.in_memory and c.read_only and not c.writable and not c.persisted
        notice = c.notice or ""
        assert "newer rotmon" in notice and f"schema version {SCHEMA_VERSION + 1}" in notice
        assert "read-only" in notice and "\n" not in notice
        assert c.unsaved_reason and "nothing will be saved" in c.unsaved_reason
        assert c.last_dates() == {"SPY": "2024-01-05", "XLK": "2024-01-04"}
        with pytest.raises(cache_mod.NotSaved, match="newer rotmon"):
            c.upsert_prices(ROWS, "yahoo")
        with pytest.raises(cache_mod.NotSaved, match="newer rotmon"):
            c.import_rows(iter(ROWS), "csv:x.csv")
    with Cache(db_path, read_only=True) as viewer:  # a viewer reads it too
        assert viewer.read_only and viewer.max_date() == "2024-01-05"
    assert db_path.read_bytes() == original
    assert not list(db_path.parent.glob("*.corrupt-*"))


def test_newer_schema_it_cannot_read_is_left_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE prices (symbol TEXT, day INTEGER, px REAL)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    original = db_path.read_bytes()
    with Cache(db_path) as c:
        assert c.in_memory and not c.persisted
        assert "newer rotmon" in (c.notice or "") and "left untouched" in (c.notice or "")
        assert c.max_date() is None
    assert db_path.read_bytes() == original
    assert not list(db_path.parent.glob("*.corrupt-*"))


def test_foreign_database_is_moved_aside(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE prices (symbol TEXT, price REAL)")
        conn.execute("INSERT INTO prices VALUES ('SPY', 1.0)")
    with _assert_recovered(db_path, "prices"):
        pass


def test_trigger_in_file_is_refused(db_path: Path) -> None:
    with Cache(db_path):
        pass
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TRIGGER evil AFTER INSERT ON prices BEGIN DELETE FROM meta; END")
    with _assert_recovered(db_path, "trigger evil"):
        pass


# ---------------------------------------------------------------------- in-memory fallback


def _assert_in_memory(c: Cache) -> None:
    assert c.in_memory
    assert c.notice is not None and "won't be saved" in c.notice and "\n" not in c.notice
    assert c.upsert_prices(ROWS, "yahoo") == len(ROWS)
    assert c.read_closes(["SPY"]).shape == (3, 1)


def test_file_where_the_dir_should_be(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("not a directory")
    with Cache(blocker / "rotmon.sqlite") as c:
        _assert_in_memory(c)
        assert str(blocker) in (c.notice or "")
    assert blocker.read_text() == "not a directory"


def test_read_only_dir(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        try:
            (ro / "probe").write_text("x")
        except OSError:
            pass
        else:
            pytest.skip("chmod does not stop this user from writing (running as root?)")
        with Cache(ro / "rotmon.sqlite") as c:
            _assert_in_memory(c)
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


def test_unwritable_dir_with_existing_cache_uses_a_memory_copy(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Cache(db_path) as c:
        c.upsert_prices(ROWS, "yahoo")
    before = db_path.read_bytes()
    monkeypatch.setattr(cache_mod, "_dir_problem", lambda d: "Permission denied")
    with Cache(db_path) as c:
        assert c.in_memory and "copy" in (c.notice or "")
        assert c.last_dates() == {"SPY": "2024-01-05", "XLK": "2024-01-04"}
        c.upsert_prices([("SPY", "2024-01-08", None, None, None, None, 480.0, None)], "yahoo")
        assert c.max_date() == "2024-01-08"
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.corrupt-*"))


def test_damaged_page_is_found_by_quick_check(db_path: Path) -> None:
    with Cache(db_path) as c:
        seed_cache(c, ["SPY", "QQQ", "XLK", "XLE"])
    size = db_path.stat().st_size
    with open(db_path, "r+b") as handle:  # clobber one page in the middle of the prices table
        handle.seek((size // 2) // 4096 * 4096)
        handle.write(b"\xa5" * 4096)
    with _assert_recovered(db_path, "malformed"):  # found only by PRAGMA quick_check
        pass


def test_read_only_file_uses_a_memory_copy(db_path: Path) -> None:
    with Cache(db_path) as c:
        c.upsert_prices(ROWS, "yahoo")
    db_path.chmod(0o400)
    try:
        try:
            with open(db_path, "r+b"):
                pass
        except OSError:
            pass
        else:
            pytest.skip("chmod does not stop this user from writing (running as root?)")
        with Cache(db_path) as c:
            assert c.in_memory and "copy" in (c.notice or "")
            assert c.max_date() == "2024-01-05"
            _assert_in_memory(c)
    finally:
        db_path.chmod(0o600)
