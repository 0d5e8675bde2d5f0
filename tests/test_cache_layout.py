"""The packed closes of schema 2: always what the rows of ``prices`` say, whoever wrote them.

``read_closes`` reads one packed row per symbol instead of one row per day; these tests compare
it, after every kind of write, with a pivot built straight from the ``prices`` table.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from faults_helpers import seeded_copy
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tui.data.cache import SCHEMA_VERSION, Cache

SYMBOLS = ["AAA", "BBB", "^CC"]


def pivot_from_rows(conn: sqlite3.Connection, symbols: list[str]) -> pd.DataFrame:
    """The wide adj_close table computed from ``prices`` alone, with plain SQL and pandas."""
    rows = conn.execute(
        "SELECT symbol, date, adj_close FROM prices WHERE adj_close IS NOT NULL"
    ).fetchall()
    long = pd.DataFrame(rows, columns=["symbol", "date", "v"], dtype=object)
    if long.empty:
        return pd.DataFrame()
    wide = long.pivot(index="date", columns="symbol", values="v").sort_index().astype("float64")
    wide = wide[[s for s in symbols if s in wide.columns]]
    wide.index = pd.DatetimeIndex(pd.to_datetime(wide.index), name="date")
    wide.columns = list(wide.columns)
    return wide.dropna(how="all")


def assert_matches_rows(cache: Cache, symbols: list[str] = SYMBOLS) -> None:
    got = cache.read_closes(symbols)
    want = pivot_from_rows(cache._db, symbols)
    if want.empty:
        assert got.empty
        return
    pd.testing.assert_frame_equal(got, want, check_names=False, check_column_type=False)


def _row(symbol: str, day: int, value: float | None) -> tuple:
    return (symbol, f"2024-03-{day:02d}", None, None, None, value, value, None)


class PackedClosesAgree(RuleBasedStateMachine):
    """Any mix of rotmon's writes and foreign SQL keeps read_closes equal to the rows."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.cache = Cache(Path(self.tmp.name) / "rotmon.sqlite")

    def teardown(self) -> None:
        self.cache.close()
        self.tmp.cleanup()

    values = st.one_of(st.none(), st.floats(0.01, 1e6, allow_nan=False))
    points = st.lists(st.tuples(st.sampled_from(SYMBOLS), st.integers(1, 31), values), max_size=12)

    @rule(points=points)
    def upsert(self, points: list) -> None:
        self.cache.upsert_prices([_row(*p) for p in points], "test")

    @rule(points=points)
    def merge(self, points: list) -> None:
        self.cache.upsert_prices([_row(*p) for p in points], "csv", merge=True)

    @rule(points=points)
    def insert_missing(self, points: list) -> None:
        self.cache.insert_missing([_row(*p) for p in points], "snapshot")

    @rule(
        symbol=st.sampled_from(SYMBOLS),
        factor=st.floats(0.1, 10),
        day=st.integers(1, 31),
    )
    def rescale(self, symbol: str, factor: float, day: int) -> None:
        self.cache.rescale(symbol, factor, f"2024-03-{day:02d}")

    @rule(symbol=st.sampled_from(SYMBOLS), day=st.integers(1, 31))
    def foreign_delete(self, symbol: str, day: int) -> None:
        """Another program (the sqlite3 shell, an older tool) deletes rows behind our back."""
        self.cache._db.execute(
            "DELETE FROM prices WHERE symbol = ? AND date >= ?", (symbol, f"2024-03-{day:02d}")
        )

    @rule(symbol=st.sampled_from(SYMBOLS), day=st.integers(1, 31), value=values)
    def foreign_insert(self, symbol: str, day: int, value: float | None) -> None:
        self.cache._db.execute(
            "INSERT OR REPLACE INTO prices VALUES (?, ?, NULL, NULL, NULL, ?, ?, NULL)",
            (symbol, f"2024-03-{day:02d}", value, value),
        )

    @rule()
    def meta_write(self) -> None:
        """Any write transaction of the cache packs what foreign writes left stale."""
        self.cache.set_meta("k", "v")
        assert self.cache._db.execute("SELECT COUNT(*) FROM stale").fetchone()[0] == 0

    @invariant()
    def closes_equal_rows(self) -> None:
        assert_matches_rows(self.cache)


TestPackedClosesAgree = PackedClosesAgree.TestCase
TestPackedClosesAgree.settings = settings(max_examples=40, stateful_step_count=15, deadline=None)


def test_bundled_snapshot_reads_the_same_packed_or_not(tmp_path: Path) -> None:
    """The real bundled data: every symbol's packed closes equal its rows, date by date."""
    # A copy of what seed_cache(cache) writes in a new cache (seeded once per session).
    with Cache(seeded_copy(tmp_path / "rotmon.sqlite", None)) as cache:
        symbols = [r[0] for r in cache._db.execute("SELECT symbol FROM symbols ORDER BY symbol")]
        assert len(symbols) > 30
        assert cache._db.execute("SELECT COUNT(*) FROM stale").fetchone()[0] == 0
        packed = cache._db.execute("SELECT COUNT(*) FROM closes").fetchone()[0]
        assert packed == len(symbols)
        assert_matches_rows(cache, symbols)
        window = cache.read_closes(["SPY", "IWM"], start="2026-07-01", end="2026-07-31")
        spy = dict(
            cache._db.execute(
                "SELECT date, adj_close FROM prices WHERE symbol = 'SPY' "
                "AND date BETWEEN '2026-07-01' AND '2026-07-31'"
            ).fetchall()
        )
        assert list(window.index.strftime("%Y-%m-%d")) == sorted(spy)
        assert window["SPY"].tolist() == [spy[d] for d in sorted(spy)]


SCHEMA_1 = (
    """CREATE TABLE prices (symbol TEXT NOT NULL, date TEXT NOT NULL, open REAL, high REAL,
       low REAL, close REAL, adj_close REAL, volume REAL, PRIMARY KEY (symbol, date))
       WITHOUT ROWID""",
    "CREATE TABLE symbols (symbol TEXT PRIMARY KEY NOT NULL, source TEXT, fetched_at TEXT, "
    "last_error TEXT)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT)",
    "CREATE TABLE summary (key TEXT PRIMARY KEY NOT NULL, saved_at TEXT NOT NULL, "
    "payload TEXT NOT NULL)",
)


def _schema_1_file(path: Path) -> None:
    """A cache as rotmon 0.1 (schema 1) left it: prices, no packed closes."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for statement in SCHEMA_1:
        conn.execute(statement)
    conn.executemany(
        "INSERT INTO prices VALUES (?, ?, NULL, NULL, NULL, ?, ?, NULL)",
        [("SPY", "2024-01-02", 470.0, 470.0), ("SPY", "2024-01-03", 471.5, None)]
        + [("IWM", "2024-01-03", 200.0, 200.0)],
    )
    conn.executemany("INSERT INTO symbols VALUES (?, 'yahoo', NULL, NULL)", [("SPY",), ("IWM",)])
    conn.execute("INSERT INTO meta VALUES ('alerts.rules', '{}')")
    conn.execute("PRAGMA user_version = 1")
    conn.close()


def test_a_schema_1_cache_is_upgraded_in_place_keeping_everything(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "rotmon.sqlite"
    _schema_1_file(path)
    with Cache(path) as cache:
        assert cache.notice is None and not cache.in_memory
        assert cache.get_meta("alerts.rules") == "{}"
        closes = cache.read_closes(["SPY", "IWM"])
        assert closes.loc["2024-01-02", "SPY"] == 470.0
        assert closes.loc["2024-01-03", "IWM"] == 200.0
        assert pd.isna(closes.loc["2024-01-03", "SPY"])  # no adj_close: not a close
        assert_matches_rows(cache, ["SPY", "IWM"])
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT COUNT(*) FROM closes").fetchone()[0] == 2


def test_a_schema_1_cache_in_a_read_only_dir_is_upgraded_in_the_memory_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.data.cache as cache_mod

    path = tmp_path / "cache" / "rotmon.sqlite"
    _schema_1_file(path)
    monkeypatch.setattr(cache_mod, "_dir_problem", lambda d: f"{d} is not writable")
    with Cache(path) as cache:
        assert cache.in_memory and "copy" in (cache.notice or "")
        assert cache.read_closes(["IWM"]).loc["2024-01-03", "IWM"] == 200.0
    with sqlite3.connect(path) as conn:  # the file itself is left as it was
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_damaged_packed_row_is_not_trusted(tmp_path: Path) -> None:
    """A packed row that does not decode (here: truncated) is ignored for the rows."""
    with Cache(tmp_path / "rotmon.sqlite") as cache:
        cache.upsert_prices([_row("AAA", d, 10.0 + d) for d in range(1, 6)], "test")
        cache._db.execute("UPDATE closes SET adj_close = substr(adj_close, 1, 11)")
        assert cache.read_closes(["AAA"])["AAA"].tolist() == [11.0, 12.0, 13.0, 14.0, 15.0]
        cache._db.execute("UPDATE closes SET days = x'0100000000000000'")  # day 1 then day 0
        assert cache.read_closes(["AAA"])["AAA"].tolist() == [11.0, 12.0, 13.0, 14.0, 15.0]


def test_a_file_without_the_triggers_is_not_ours(tmp_path: Path) -> None:
    """Without the triggers the packed closes could fall behind silently: moved aside."""
    path = tmp_path / "cache" / "rotmon.sqlite"
    with Cache(path) as cache:
        cache.upsert_prices([_row("AAA", 1, 1.0)], "test")
        cache._db.execute("DROP TRIGGER prices_delete_old")
    with Cache(path) as cache:
        assert cache.notice is not None and "missing triggers" in cache.notice
        assert cache.read_closes(["AAA"]).empty
