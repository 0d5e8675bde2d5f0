"""A cache file another process is writing is never moved away from it (issue 16, finding 2).

Each test runs a real second process holding the file open with plain sqlite3 — a newer rotmon
(a higher schema version) or another program — that commits rows on command; the test then
checks that the rows it commits after rotmon opened the file land in that file.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.data.cache import SCHEMA_VERSION, Cache, NotSaved

ROWS = [
    ("SPY", "2024-01-02", 470.0, 473.0, 468.0, 472.5, 472.5, 1_000_000.0),
    ("XLK", "2024-01-02", None, None, None, None, 190.0, None),
]

# Commits `n` rows of symbol W on each "write n" line; answers "wrote <total>".
WRITER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode = WAL")
    total = 0
    print("ready", flush=True)
    for line in sys.stdin:
        n = int(line.split()[1])
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR IGNORE INTO symbols (symbol, source) VALUES ('W', 'other')")
        for i in range(total, total + n):
            day = f"2000-{1 + i // 28:02d}-{1 + i % 28:02d}"
            conn.execute(
                "INSERT INTO prices (symbol, date, close, adj_close) VALUES ('W', ?, ?, ?)",
                (day, 1.0 + i, 1.0 + i),
            )
        conn.execute("COMMIT")
        total += n
        print(f"wrote {total}", flush=True)
    conn.close()
    """
)


class Writer:
    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def write(self, n: int) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"write {n}\n")
        self.proc.stdin.flush()
        answer = self._line()
        assert answer.startswith("wrote "), answer
        return int(answer.split()[1])

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


@contextlib.contextmanager
def writer(path: Path) -> Iterator[Writer]:
    child = Writer(path)
    try:
        yield child
    finally:
        if child.proc.poll() is None:
            child.stop()


def rows_of_w(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM prices WHERE symbol = 'W'").fetchone()[0]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "cache" / "rotmon.sqlite"
    with Cache(path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    return path


def test_an_older_rotmon_meets_a_newer_refresher_writing_the_cache(db_path: Path) -> None:
    """The probe's scenario: the newer writer's next rows land in its file, none elsewhere."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with writer(db_path) as newer:
        assert newer.write(5) == 5
        with Cache(db_path) as old:
            assert old.read_only and not old.in_memory and not old.persisted
            assert "newer rotmon" in (old.notice or "")
            assert old.last_dates()["W"] == "2000-01-05"
            assert newer.write(10) == 15
            assert old.changed_elsewhere() is False  # first call takes note
            assert newer.write(1) == 16
            assert old.changed_elsewhere() is True
            assert old.last_dates()["W"] == "2000-01-16"
            with pytest.raises(NotSaved):
                old.import_rows(iter(ROWS), "csv:x.csv")
        assert newer.write(10) == 26
    assert rows_of_w(db_path) == 26
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["rotmon.sqlite"]


def test_a_damaged_file_another_process_holds_is_left_in_place(db_path: Path) -> None:
    """A file that fails our checks (here: a table rotmon does not know) while another
    program writes it: left where it is, the cache in memory, the program's rows in its file.
    Once nobody holds it, it is moved aside as before."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with writer(db_path) as other:
        assert other.write(3) == 3  # idle afterwards: holding the file open is enough
        with Cache(db_path) as cache:
            assert cache.in_memory and not cache.persisted
            notice = cache.notice or ""
            assert "another program has it open" in notice and "left in place" in notice
            assert "table notes" in notice and "\n" not in notice
            assert cache.unsaved_reason == notice
        assert other.write(10) == 13
    assert rows_of_w(db_path) == 13
    assert not list(db_path.parent.glob("*.corrupt-*"))

    with Cache(db_path) as cache:  # nobody holds it now
        assert not cache.in_memory and cache.persisted and "moved it to" in (cache.notice or "")
    aside = [p.name for p in db_path.parent.glob("rotmon.sqlite.corrupt-*")]
    assert len([n for n in aside if not n.endswith(("-wal", "-shm"))]) == 1, aside


def test_a_damaged_file_this_process_holds_is_left_in_place(db_path: Path) -> None:
    """Another Cache of this very process has it open (e.g. a second dashboard in serve)."""
    with Cache(db_path) as first:
        with contextlib.closing(sqlite3.connect(db_path)) as conn:
            conn.execute("CREATE TABLE notes (x)")
        with Cache(db_path) as second:
            assert second.in_memory and "left in place" in (second.notice or "")
        assert first.persisted and first.last_dates()["SPY"] == "2024-01-02"
    assert not list(db_path.parent.glob("*.corrupt-*"))
