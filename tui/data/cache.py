"""Local SQLite store of daily prices, per-symbol fetch status, metadata and saved summaries.

Only the standard library is imported here; pandas is imported inside the ``read_*`` methods so
opening the cache stays off the app's first-frame path.

Layout (schema 2): ``prices`` holds every daily row and is the source of truth. ``closes`` holds
each symbol's adjusted closes packed into two blobs (days since 1970 as little-endian int32,
closes as little-endian float64), so the wide read behind every report is one row per symbol
instead of one per day (1.2 M rows for 500 symbols x 10 years). Triggers on ``prices`` note the
date range each change touches in ``stale``; every write transaction of this class re-packs
those ranges before it commits, and a reader treats a symbol still listed there (a write made
by some other program) as unpacked and reads its rows instead. The blobs are therefore never
trusted over ``prices``.

A damaged cache file (one that fails SQLite's integrity check or is not our schema) is moved
aside and rebuilt — unless another process has it open (a refresher, another dashboard), when it
is left in place and the cache works in memory. A file written by a newer rotmon (a higher schema
version) is never moved or changed: it is opened read-only. An unwritable cache directory or
file, or a disk that stops taking writes later, gives an in-memory copy. The caller never sees
an exception at open for any of these, only :attr:`Cache.notice`.

Whether writes reach the file is always known: :attr:`Cache.persisted` is False (and
:attr:`Cache.unsaved_reason` says why) for an in-memory copy or a read-only cache. The writes
whose caller must know at once — :meth:`Cache.import_rows` and :meth:`Cache.delete_prices` —
never fall back to memory: they raise :class:`NotSaved`, with the file as it was.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import struct
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SCHEMA_VERSION = 2

PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS prices (
        symbol    TEXT NOT NULL,
        date      TEXT NOT NULL,
        open      REAL,
        high      REAL,
        low       REAL,
        close     REAL,
        adj_close REAL,
        volume    REAL,
        PRIMARY KEY (symbol, date)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE IF NOT EXISTS symbols (
        symbol     TEXT PRIMARY KEY NOT NULL,
        source     TEXT,
        fetched_at TEXT,
        last_error TEXT
    )
    """,
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT)",
    """
    CREATE TABLE IF NOT EXISTS summary (
        key      TEXT PRIMARY KEY NOT NULL,
        saved_at TEXT NOT NULL,
        payload  TEXT NOT NULL
    )
    """,
    # Schema 2: packed adjusted closes, and the ranges of prices changed since they were packed.
    # While a write transaction of this class runs, ``stale`` holds a row with the symbol ''
    # that silences the triggers (a per-row upsert would triple the cost of a bulk import): the
    # class notes its own ranges and packs them before it commits, so the row never persists.
    """
    CREATE TABLE IF NOT EXISTS closes (
        symbol    TEXT PRIMARY KEY NOT NULL,
        days      BLOB NOT NULL,
        adj_close BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS stale (
        symbol TEXT PRIMARY KEY NOT NULL,
        lo     TEXT NOT NULL,
        hi     TEXT NOT NULL
    )
    """,
    *(
        f"""
        CREATE TRIGGER IF NOT EXISTS prices_{event.lower()}_{row.lower()} AFTER {event} ON prices
        WHEN NOT EXISTS (SELECT 1 FROM stale WHERE symbol = '')
        BEGIN
            INSERT INTO stale (symbol, lo, hi) VALUES ({row}.symbol, {row}.date, {row}.date)
            ON CONFLICT (symbol) DO UPDATE SET
                lo = MIN(lo, excluded.lo), hi = MAX(hi, excluded.hi);
        END
        """
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ),
    # An update that moves a row to another symbol or date (never done by rotmon) also stales
    # where it came from.
    """
    CREATE TRIGGER IF NOT EXISTS prices_update_old AFTER UPDATE OF symbol, date ON prices
    WHEN NOT EXISTS (SELECT 1 FROM stale WHERE symbol = '')
    BEGIN
        INSERT INTO stale (symbol, lo, hi) VALUES (OLD.symbol, OLD.date, OLD.date)
        ON CONFLICT (symbol) DO UPDATE SET lo = MIN(lo, excluded.lo), hi = MAX(hi, excluded.hi);
    END
    """,
)

# Exactly these tables with exactly these columns; anything else is not our file.
_EXPECTED_COLUMNS = {
    "prices": ("symbol", "date", *PRICE_COLUMNS),
    "symbols": ("symbol", "source", "fetched_at", "last_error"),
    "meta": ("key", "value"),
    "summary": ("key", "saved_at", "payload"),
    "closes": ("symbol", "days", "adj_close"),
    "stale": ("symbol", "lo", "hi"),
}
_EXPECTED_TRIGGERS = {
    "prices_insert_new",
    "prices_update_new",
    "prices_delete_old",
    "prices_update_old",
}

# The packed layout of ``closes``: fixed little-endian, whatever the machine.
_DAYS_DTYPE = "<i4"
_CLOSES_DTYPE = "<f8"
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()

_UPSERT_SQL = """
    INSERT INTO prices (symbol, date, open, high, low, close, adj_close, volume)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (symbol, date) DO UPDATE SET
        open = excluded.open, high = excluded.high, low = excluded.low,
        close = excluded.close, adj_close = excluded.adj_close, volume = excluded.volume
"""
_MERGE_SQL = """
    INSERT INTO prices (symbol, date, open, high, low, close, adj_close, volume)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (symbol, date) DO UPDATE SET
        open = COALESCE(excluded.open, open), high = COALESCE(excluded.high, high),
        low = COALESCE(excluded.low, low), close = COALESCE(excluded.close, close),
        adj_close = COALESCE(excluded.adj_close, adj_close),
        volume = COALESCE(excluded.volume, volume)
"""
_INSERT_MISSING_SQL = """
    INSERT OR IGNORE INTO prices (symbol, date, open, high, low, close, adj_close, volume)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""

# sqlite3 primary result codes (the low byte of the extended code).
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
# The disk stopped taking writes: read-only, I/O error, full, cannot open (e.g. the -wal).
_UNWRITABLE = frozenset({8, 10, 13, 14})
_SQLITE_HEADER = b"SQLite format 3\x00"

T = TypeVar("T")


class _Corrupt(Exception):
    """The file at the cache path cannot be used as our database (internal)."""


class _TooNew(Exception):
    """The file was written by a newer rotmon: schema ``version`` (internal)."""

    def __init__(self, version: int) -> None:
        super().__init__(f"schema version {version}")
        self.version = version


class NotSaved(sqlite3.OperationalError):
    """A write did not reach the cache file; ``str()`` says why, in one line. Nothing of that
    write was kept (the transaction was rolled back). A subclass of sqlite3.OperationalError
    so existing ``except sqlite3.Error`` handlers still catch it."""


# Cache files this process has open (realpath -> count): see _held_elsewhere.
_OPEN_HERE: Counter[str] = Counter()
_OPEN_LOCK = threading.Lock()

# SQLite's lock bytes (unix VFS): PENDING, RESERVED and the SHARED range of the database file,
# and the WAL read/write/checkpoint/recover locks and the dead-man switch of the -shm file that
# every connection to a WAL database holds while it is open.
_DB_LOCK_RANGE = (0x40000000, 512)
_SHM_LOCK_RANGE = (120, 9)


@dataclass(frozen=True)
class SymbolInfo:
    """What the cache holds for one symbol: where it came from, when, and which dates."""

    symbol: str
    source: str
    fetched_at: str | None
    first_date: str | None
    last_date: str | None
    rows: int
    last_error: str | None


def utc_now_iso() -> str:
    """The current time as ISO 8601 UTC with a ``Z`` suffix, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _is_corruption(exc: sqlite3.Error) -> bool:
    if _primary_code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def _dir_problem(directory: Path) -> str | None:
    """Why ``directory`` cannot hold the cache (created with mode 0o700 if missing), or None."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        return f"{directory} is a file, not a directory"
    except OSError as exc:
        return f"cannot create {directory} ({exc.strerror or exc})"
    if not directory.is_dir():
        return f"{directory} is not a directory"
    try:
        fd, probe = tempfile.mkstemp(prefix=".rotmon-probe-", dir=directory)
    except OSError as exc:
        return f"{directory} is not writable ({exc.strerror or exc})"
    os.close(fd)
    with suppress(OSError):
        os.unlink(probe)
    return None


def _lock_held(path: str, start: int, length: int) -> bool | None:
    """Whether another process holds a POSIX lock on bytes start..start+length of ``path``
    (F_GETLK: nothing is taken); None where that cannot be asked."""
    try:
        import fcntl
    except ImportError:
        return None
    if sys.platform.startswith("linux"):
        layout = "hhqqi4x"  # struct flock: type, whence, start, len, pid
    elif sys.platform == "darwin" or "bsd" in sys.platform:
        layout = "qqihh"  # start, len, pid, type, whence
    else:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        if layout == "hhqqi4x":
            query = struct.pack(layout, fcntl.F_WRLCK, os.SEEK_SET, start, length, 0)
            kind = struct.unpack(layout, fcntl.fcntl(fd, fcntl.F_GETLK, query))[0]
        else:
            query = struct.pack(layout, start, length, 0, fcntl.F_WRLCK, os.SEEK_SET)
            kind = struct.unpack(layout, fcntl.fcntl(fd, fcntl.F_GETLK, query))[3]
    except OSError:
        return None
    finally:
        os.close(fd)
    return kind != fcntl.F_UNLCK


def _held_elsewhere(path: Path) -> bool:
    """True if some other connection may have the cache file open: another Cache of this
    process, or another process holding SQLite's locks on it or on its -shm file. Where locks
    cannot be queried, a -wal or -shm beside the file counts as in use.

    Only asked when this process has no Cache open on the file: opening and closing a file
    descriptor drops every POSIX lock the process holds on that file, SQLite's included.
    """
    key = os.path.realpath(path)
    with _OPEN_LOCK:
        if _OPEN_HERE[key]:
            return True
    answers = [
        _lock_held(str(path), *_DB_LOCK_RANGE),
        _lock_held(f"{path}-shm", *_SHM_LOCK_RANGE),
    ]
    if any(answers):
        return True
    if None in answers:
        return os.path.exists(f"{path}-wal") or os.path.exists(f"{path}-shm")
    return False


def _checked_rows(rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Pass price rows through, refusing any that is not 8 fields (SQLite stores NaN as NULL)."""
    for row in rows:
        if len(row) != 8:
            raise ValueError(f"price row needs 8 fields, got {len(row)}: {row!r}")
        yield row


def _date_index(keys: Sequence[str]) -> pd.DatetimeIndex:
    import pandas as pd

    return pd.DatetimeIndex(pd.to_datetime(list(keys), format="%Y-%m-%d"), name="date")


def _day_number(iso: str) -> int:
    """'YYYY-MM-DD' -> days since 1970-01-01."""
    return date.fromisoformat(iso).toordinal() - _EPOCH_ORDINAL


def _packed_closes(conn: sqlite3.Connection, symbol: str) -> tuple[np.ndarray, np.ndarray]:
    """(days, adj_close) of ``symbol`` from its packed row; empty arrays if it has none.

    A packed row that does not decode (wrong lengths, unsorted days) is not trusted: the rows
    of ``prices`` are read instead.
    """
    import numpy as np

    row = conn.execute("SELECT days, adj_close FROM closes WHERE symbol = ?", (symbol,)).fetchone()
    if row is None:
        return np.empty(0, dtype=_DAYS_DTYPE), np.empty(0, dtype=_CLOSES_DTYPE)
    days_blob, values_blob = row
    if (
        isinstance(days_blob, bytes)
        and isinstance(values_blob, bytes)
        and len(days_blob) % 4 == 0
        and len(values_blob) == 2 * len(days_blob)
    ):
        days = np.frombuffer(days_blob, dtype=_DAYS_DTYPE)
        if days.size < 2 or bool(np.all(days[1:] > days[:-1])):
            return days, np.frombuffer(values_blob, dtype=_CLOSES_DTYPE)
    return _unpacked_closes(conn, symbol)


def _unpacked_closes(
    conn: sqlite3.Connection, symbol: str, lo: str | None = None, hi: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(days, adj_close) of ``symbol`` read from ``prices``, optionally only lo <= date <= hi."""
    import numpy as np

    sql = "SELECT date, adj_close FROM prices WHERE symbol = ? AND adj_close IS NOT NULL"
    params: tuple[str, ...] = (symbol,)
    if lo is not None and hi is not None:
        sql += " AND date BETWEEN ? AND ?"
        params += (lo, hi)
    rows = conn.execute(sql + " ORDER BY date", params).fetchall()
    if not rows:
        return np.empty(0, dtype=_DAYS_DTYPE), np.empty(0, dtype=_CLOSES_DTYPE)
    dates, values = zip(*rows, strict=True)
    # numpy parses ISO dates in C; a date that is not one raises, as a corrupt row should.
    days = np.array(dates, dtype="datetime64[D]").astype(_DAYS_DTYPE)
    return days, np.array(values, dtype=_CLOSES_DTYPE)


_QUIET_TRIGGERS = "INSERT INTO stale (symbol, lo, hi) VALUES ('', '', '')"


def _note_stale(conn: sqlite3.Connection, symbol: str, lo: str, hi: str) -> None:
    """Add lo..hi of ``symbol`` to the ranges to re-pack (what the triggers do for others)."""
    conn.execute(
        "INSERT INTO stale (symbol, lo, hi) VALUES (?, ?, ?) ON CONFLICT (symbol) DO UPDATE "
        "SET lo = MIN(lo, excluded.lo), hi = MAX(hi, excluded.hi)",
        (symbol, lo, hi),
    )


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring a database at schema ``version`` (0: empty) up to date, inside a transaction."""
    for statement in _SCHEMA:
        conn.execute(statement)
    if version >= 1:  # schema 1 had prices but no packed closes: pack them all
        conn.execute(
            "INSERT OR REPLACE INTO stale (symbol, lo, hi) "
            "SELECT symbol, MIN(date), MAX(date) FROM prices GROUP BY symbol"
        )
        _pack_stale(conn)


def _pack_stale(conn: sqlite3.Connection) -> None:
    """Re-pack, inside the caller's transaction, the ranges of ``prices`` noted in ``stale``.

    Only the changed range is read back: a refresh that adds a week to 500 symbols reads
    about 3,000 rows, not the whole history.
    """
    stale = conn.execute("SELECT symbol, lo, hi FROM stale").fetchall()
    if not stale:
        return
    import numpy as np

    for symbol, lo, hi in stale:
        days, values = _packed_closes(conn, symbol)
        first, last = np.searchsorted(days, (_day_number(lo), _day_number(hi) + 1))
        mid_days, mid_values = _unpacked_closes(conn, symbol, lo, hi)
        days = np.concatenate([days[:first], mid_days, days[last:]])
        values = np.concatenate([values[:first], mid_values, values[last:]])
        if days.size:
            conn.execute(
                "INSERT OR REPLACE INTO closes (symbol, days, adj_close) VALUES (?, ?, ?)",
                (
                    symbol,
                    days.astype(_DAYS_DTYPE).tobytes(),
                    values.astype(_CLOSES_DTYPE).tobytes(),
                ),
            )
        else:
            conn.execute("DELETE FROM closes WHERE symbol = ?", (symbol,))
    conn.execute("DELETE FROM stale")


class Cache:
    """Thread-safe SQLite price cache; see the module docstring for its failure behaviour."""

    path: Path
    notice: str | None
    in_memory: bool

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.notice = None
        self.in_memory = False
        self.read_only = read_only
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._registered: str | None = None
        self._read_only_reason: str | None = None

        try:
            self._open(read_only)
        finally:
            if self._conn is not None and not self.in_memory:
                self._register()

    def _open(self, read_only: bool) -> None:
        if read_only:
            self._open_read_only()
            return

        problem = _dir_problem(self.path.parent)
        if problem is not None:
            self._open_in_memory(problem, copy_from=self.path)
            return
        try:
            self._conn = self._open_file()
        except _TooNew as exc:
            self._open_newer(exc.version)
        except _Corrupt as exc:
            self._recover(str(exc))
        except sqlite3.Error as exc:
            if _is_corruption(exc):
                self._recover(str(exc))
            else:  # read-only file, locked for 30 s, disk full, I/O error...
                self._open_in_memory(f"cannot open {self.path}: {exc}", copy_from=self.path)
        except Exception as exc:  # never let a cache problem stop the app
            self._open_in_memory(f"cannot open {self.path}: {exc!r}")

    def _register(self) -> None:
        key = os.path.realpath(self.path)
        with _OPEN_LOCK:
            _OPEN_HERE[key] += 1
        self._registered = key

    def _unregister(self) -> None:
        if self._registered is None:
            return
        with _OPEN_LOCK:
            _OPEN_HERE[self._registered] -= 1
            if _OPEN_HERE[self._registered] <= 0:
                del _OPEN_HERE[self._registered]
        self._registered = None

    # ----------------------------------------------------------------- opening and recovery

    @staticmethod
    def _configure(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA trusted_schema = OFF")

    def _open_file(self) -> sqlite3.Connection:
        # Refuse an obvious non-database before SQLite opens it: on close SQLite would delete
        # a -wal file beside it, which may be the only copy of recent data.
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(len(_SQLITE_HEADER))
        except FileNotFoundError:
            head = b""
        if head and head != _SQLITE_HEADER:
            raise _Corrupt("file is not a database")
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        try:
            self._configure(conn)
            # Before anything that could change the file: a newer rotmon's file is not ours.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise _TooNew(version)
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = NORMAL")
            check = [r[0] for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
            if check != ["ok"]:
                raise _Corrupt("integrity check failed: " + "; ".join(map(str, check)))
            self._ensure_schema(conn, version)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read_only(self) -> None:
        """A viewer's connection: SQLite's read-only mode, so it never takes the write lock
        and never changes the file. Anything it cannot read as it is (no file, an older
        layout, a damaged file) gives an in-memory copy, or an empty cache, and a notice."""
        if not self.path.is_file():
            self._open_in_memory(f"no cache at {self.path}")
            return
        conn = None
        try:
            conn = self._connect_read_only()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                conn.close()
                conn = None
                self._open_newer(version)
                return
            if version != SCHEMA_VERSION:
                raise _Corrupt(f"schema version {version}, this rotmon reads {SCHEMA_VERSION}")
            self._validate_schema(conn)
        except (sqlite3.Error, _Corrupt) as exc:
            if conn is not None:
                conn.close()
            self._open_in_memory(f"cannot read {self.path} as it is ({exc})", copy_from=self.path)
            return
        self._conn = conn

    def _connect_read_only(self) -> sqlite3.Connection:
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        conn.isolation_level = None
        self._configure(conn)
        return conn

    def _open_newer(self, version: int) -> None:
        """A file written by a newer rotmon: read it without ever writing it (the newer rotmon
        may be writing it right now). If even its price tables are not as this rotmon knows
        them, it is left alone and the cache starts empty in memory."""
        newer = (
            f"{self.path} was written by a newer rotmon (schema version {version}; this one "
            f"reads {SCHEMA_VERSION})"
        )
        conn = None
        try:
            conn = self._connect_read_only()
            Cache._validate_schema(conn, strict=False)
        except (sqlite3.Error, _Corrupt) as exc:
            if conn is not None:
                conn.close()
            reason = " ".join(str(exc).split())
            self._open_in_memory(f"{newer} and cannot be read by it ({reason}); left untouched")
            return
        self._conn = conn
        self.read_only = True
        self._read_only_reason = f"{newer}: opened read-only, nothing will be saved"
        self.notice = f"{self._read_only_reason}; upgrade rotmon to write to it."

    def _ensure_schema(self, conn: sqlite3.Connection, version: int) -> None:
        """Create missing tables. A current schema takes no write lock, so a viewer opening
        the cache never waits for a writer (`rotmon refresh` feeding it)."""
        if version == SCHEMA_VERSION:
            Cache._validate_schema(conn)
            if not (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)):
                raise sqlite3.OperationalError("attempt to write a readonly database")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version < SCHEMA_VERSION:
                _migrate(conn, version)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT" if version < SCHEMA_VERSION else "ROLLBACK")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        Cache._validate_schema(conn)

    @staticmethod
    def _validate_schema(conn: sqlite3.Connection, *, strict: bool = True) -> None:
        """Exactly our tables, columns and triggers; with ``strict=False`` (a newer file, only
        read) only that our tables exist and start with our columns."""
        objects = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
        if not strict:
            for table, expected in _EXPECTED_COLUMNS.items():
                cols = tuple(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))
                if cols[: len(expected)] != expected:
                    raise _Corrupt(f"table {table} has columns {cols}, expected {expected}")
            return
        unexpected = sorted(
            f"{kind} {name}"
            for kind, name in objects
            if not (kind == "table" and name in _EXPECTED_COLUMNS)
            and not (kind == "trigger" and name in _EXPECTED_TRIGGERS)
        )
        if unexpected:
            raise _Corrupt("unexpected schema objects: " + ", ".join(unexpected))
        missing = _EXPECTED_TRIGGERS - {name for kind, name in objects if kind == "trigger"}
        if missing:  # without them the packed closes could silently fall behind prices
            raise _Corrupt("missing triggers: " + ", ".join(sorted(missing)))
        for table, expected in _EXPECTED_COLUMNS.items():
            cols = tuple(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))
            if cols != expected:
                raise _Corrupt(f"table {table} has columns {cols}, expected {expected}")

    def _aside_target(self) -> Path:
        stamp = _utc_stamp()
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        return target

    def _recover(self, reason: str) -> None:
        """Move the unusable file (and its -wal/-shm) aside, then start a fresh file — unless
        another connection holds it: then it stays where it is, and the cache is in memory."""
        reason = " ".join(reason.split())
        if _held_elsewhere(self.path):
            self._open_in_memory(
                f"cache file {self.path} is unusable ({reason}) but another program has it "
                "open, so it was left in place"
            )
            return
        target = self._aside_target()
        try:
            for suffix in ("-wal", "-shm"):
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    os.replace(side, f"{target}{suffix}")
            os.replace(self.path, target)
        except OSError as exc:
            self._open_in_memory(
                f"cache file {self.path} is unusable ({reason}) and could not be moved aside "
                f"({exc.strerror or exc})"
            )
            return
        try:
            self._conn = self._open_file()
        except Exception as exc:
            self._open_in_memory(f"moved {self.path} aside but cannot create a new one: {exc}")
            return
        self.notice = (
            f"Cache {self.path} was unusable ({reason}); moved it to {target} "
            "and started a fresh cache."
        )

    def _open_in_memory(self, reason: str, copy_from: Path | None = None) -> None:
        conn = self._memory_copy(copy_from) if copy_from is not None else None
        copied = conn is not None
        if conn is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._configure(conn)
            self._ensure_schema(conn, 0)
        self._conn = conn
        self.in_memory = True
        using = "an in-memory copy of the cache" if copied else "an in-memory cache"
        self.notice = (
            f"{' '.join(reason.split())}: using {using}; data fetched this session won't be saved."
        )

    @classmethod
    def _memory_copy(cls, path: Path) -> sqlite3.Connection | None:
        """An in-memory copy of a readable, healthy cache file, or None."""
        try:
            if not path.is_file():
                return None
            base = f"file:{quote(str(path.resolve()))}?mode=ro"
            try:  # read-only but WAL-aware: rows committed and not yet checkpointed count
                src = sqlite3.connect(base, uri=True, check_same_thread=False)
                src.execute("PRAGMA user_version").fetchone()
            except sqlite3.Error:  # e.g. a read-only dir where the -shm cannot be made
                src = sqlite3.connect(base + "&immutable=1", uri=True, check_same_thread=False)
        except (OSError, sqlite3.Error):
            return None
        target = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        try:
            src.execute("PRAGMA trusted_schema = OFF")
            version = src.execute("PRAGMA user_version").fetchone()[0]
            if not 1 <= version <= SCHEMA_VERSION:
                raise _Corrupt("schema version")
            if [r[0] for r in src.execute("PRAGMA quick_check(1)")] != ["ok"]:
                raise _Corrupt("quick_check")
            src.backup(target)
            cls._configure(target)
            if version < SCHEMA_VERSION:  # an older layout is brought up to date in the copy
                target.execute("BEGIN IMMEDIATE")
                _migrate(target, version)
                target.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                target.execute("COMMIT")
            cls._validate_schema(target)
        except (sqlite3.Error, _Corrupt):
            target.close()
            return None
        finally:
            src.close()
        return target

    # ------------------------------------------------------------------------------- helpers

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("Cache is closed")
        return self._conn

    def _write(self, work: Callable[[sqlite3.Connection], T], *, fallback: bool = True) -> T:
        """Run ``work`` in one write transaction and return what it returns.

        A disk that stops taking writes after the cache opened (full, I/O error, made
        read-only) does not stop the app: the committed data is copied into memory, the cache
        carries on there (:attr:`in_memory`, :attr:`notice`), and ``work`` runs again. With
        ``fallback=False`` the write must reach the file or fail: :class:`NotSaved` is raised
        (already in memory, read-only, or the disk refused it) and the cache stays as it was.
        """
        with self._lock:
            if self.read_only and not self.in_memory:
                raise NotSaved(self.unsaved_reason or f"{self.path} is open read-only")
            if not fallback and not self.persisted:
                raise NotSaved(self.unsaved_reason or f"cannot write {self.path}")
            try:
                return self._transaction(work)
            except sqlite3.Error as exc:
                if self.in_memory or _primary_code(exc) not in _UNWRITABLE:
                    raise
                if not fallback:
                    reason = " ".join(str(exc).split())
                    raise NotSaved(f"cannot write {self.path} ({reason})") from exc
                self._move_to_memory(exc)
            return self._transaction(work)

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._db
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_QUIET_TRIGGERS)
            result = work(conn)
            conn.execute("DELETE FROM stale WHERE symbol = ''")
            _pack_stale(conn)
            conn.execute("COMMIT")
        except BaseException:
            # After SQLITE_FULL/IOERR SQLite may have rolled back already; a second
            # ROLLBACK would hide the real error behind "no transaction is active".
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    def _move_to_memory(self, exc: sqlite3.Error) -> None:
        """Carry on in memory with everything committed so far (see :meth:`_write`)."""
        file_conn = self._db
        memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        try:
            file_conn.backup(memory)
            self._configure(memory)
            self._validate_schema(memory)
        except (sqlite3.Error, _Corrupt):  # the file cannot even be read back
            memory.close()
            copy = self._memory_copy(self.path)
            if copy is None:
                copy = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
                self._configure(copy)
                self._ensure_schema(copy, 0)
            memory = copy
        with suppress(sqlite3.Error):
            file_conn.close()
        self._unregister()
        self._conn = memory
        self.in_memory = True
        reason = " ".join(str(exc).split())
        self.notice = (
            f"cannot write {self.path} ({reason}): using an in-memory copy of the cache; "
            "data fetched this session won't be saved."
        )

    def _write_rows(
        self,
        rows: Iterable[Sequence[Any]],
        source: str,
        fetched_at: str | None,
        *,
        upsert: bool,
        merge: bool = False,
    ) -> int:
        sql = (_MERGE_SQL if merge else _UPSERT_SQL) if upsert else _INSERT_MISSING_SQL
        stamp = fetched_at or utc_now_iso()
        checked = list(_checked_rows(rows))  # kept: a write that moves to memory runs again

        def work(conn: sqlite3.Connection) -> int:
            written = 0
            touched: list[str] = []
            for symbol, group in groupby(checked, key=itemgetter(0)):
                run = list(group)
                changed = max(conn.executemany(sql, run).rowcount, 0)
                written += changed
                if upsert or changed:
                    touched.append(symbol)
                    days = [r[1] for r in run]
                    _note_stale(conn, symbol, min(days), max(days))
            if upsert:
                conn.executemany(
                    """
                    INSERT INTO symbols (symbol, source, fetched_at, last_error)
                    VALUES (?, ?, ?, NULL)
                    ON CONFLICT (symbol) DO UPDATE SET source = excluded.source,
                        fetched_at = excluded.fetched_at, last_error = NULL
                    """,
                    ((s, source, stamp) for s in dict.fromkeys(touched)),
                )
            else:
                # Seeding never claims a symbol that already has a source of its own.
                conn.executemany(
                    """
                    INSERT INTO symbols (symbol, source, fetched_at) VALUES (?, ?, ?)
                    ON CONFLICT (symbol) DO UPDATE SET source = excluded.source,
                        fetched_at = excluded.fetched_at
                    WHERE symbols.source IS NULL OR symbols.source = ''
                    """,
                    ((s, source, stamp) for s in dict.fromkeys(touched)),
                )
            return written

        return self._write(work)

    # ------------------------------------------------------------------------------ writing

    def upsert_prices(
        self,
        rows: Iterable[Sequence[Any]],
        source: str,
        fetched_at: str | None = None,
        *,
        merge: bool = False,
    ) -> int:
        """Insert or replace price rows in one transaction; returns the number of rows stored.

        Each symbol written gets ``source`` and ``fetched_at`` (default: now, ISO UTC) and its
        ``last_error`` cleared. With ``merge`` a blank (None) field keeps the cached value
        instead of erasing it — for partial files such as a CSV with only closes.
        """
        return self._write_rows(rows, source, fetched_at, upsert=True, merge=merge)

    def insert_missing(
        self, rows: Iterable[Sequence[Any]], source: str, fetched_at: str | None = None
    ) -> int:
        """Insert only rows whose (symbol, date) is not cached yet; returns rows inserted.

        ``source``/``fetched_at`` are recorded only for symbols that gained rows and had no
        source yet, so seeding never relabels data fetched later.
        """
        return self._write_rows(rows, source, fetched_at, upsert=False)

    def import_rows(
        self,
        rows: Iterable[Sequence[Any]],
        source: str,
        fetched_at: str | None = None,
        *,
        merge: bool = True,
        chunk: int = 20_000,
    ) -> int:
        """Upsert a stream of price rows in ONE transaction, reading ``rows`` as it goes (so
        a 250 MB file never sits in memory); returns the number of rows stored.

        As :meth:`upsert_prices` (``merge`` keeps cached values for blank fields), but the
        rows must reach the file: if the cache is in memory or read-only, or the disk refuses
        the write (full, I/O error), :class:`NotSaved` is raised and nothing of the stream is
        kept. ``rows`` may be any iterator; it is consumed inside the transaction, so one
        that raises rolls everything back too.
        """
        sql = _MERGE_SQL if merge else _UPSERT_SQL
        stamp = fetched_at or utc_now_iso()

        def work(conn: sqlite3.Connection) -> int:
            written = 0
            spans: dict[str, list[str]] = {}
            batch: list[Sequence[Any]] = []

            def flush() -> int:
                for symbol, group in groupby(batch, key=itemgetter(0)):
                    days = [r[1] for r in group]
                    lo, hi = min(days), max(days)
                    span = spans.get(symbol)
                    if span is None:
                        spans[symbol] = [lo, hi]
                    else:
                        span[0], span[1] = min(span[0], lo), max(span[1], hi)
                count = max(conn.executemany(sql, batch).rowcount, 0)
                batch.clear()
                return count

            for row in _checked_rows(rows):
                batch.append(row)
                if len(batch) >= chunk:
                    written += flush()
            if batch:
                written += flush()
            for symbol, (lo, hi) in spans.items():
                _note_stale(conn, symbol, lo, hi)
            conn.executemany(
                """
                INSERT INTO symbols (symbol, source, fetched_at, last_error)
                VALUES (?, ?, ?, NULL)
                ON CONFLICT (symbol) DO UPDATE SET source = excluded.source,
                    fetched_at = excluded.fetched_at, last_error = NULL
                """,
                ((s, source, stamp) for s in spans),
            )
            return written

        return self._write(work, fallback=False)

    def delete_prices(
        self, symbols: Sequence[str] | None = None, after: str | None = None
    ) -> dict[str, int]:
        """Remove price rows in one transaction: of ``symbols`` (None: every symbol), dated
        after ``after`` ('YYYY-MM-DD', exclusive; None: every date). Returns rows removed per
        symbol (symbols that lost none are left out).

        A symbol left with no rows is forgotten (its source and last error too); saved
        summaries are dropped, as they may show the removed rows until the next computation.
        At least one of ``symbols`` and ``after`` is required. Like :meth:`import_rows` it
        reaches the file or raises :class:`NotSaved`.
        """
        if symbols is None and after is None:
            raise ValueError("delete_prices needs symbols, a date, or both")
        if after is not None:
            date.fromisoformat(after)  # ValueError for anything but a real day
        names = None if symbols is None else list(dict.fromkeys(symbols))

        def work(conn: sqlite3.Connection) -> dict[str, int]:
            where, params = [], []
            if names is not None:
                where.append(f"symbol IN ({','.join('?' * len(names))})")
                params.extend(names)
            if after is not None:
                where.append("date > ?")
                params.append(after)
            clause = " AND ".join(where) or "1"
            spans = conn.execute(
                f"SELECT symbol, MIN(date), MAX(date), COUNT(*) FROM prices WHERE {clause} "
                "GROUP BY symbol ORDER BY symbol",
                params,
            ).fetchall()
            if not spans:
                return {}
            conn.execute(f"DELETE FROM prices WHERE {clause}", params)
            for symbol, lo, hi, _ in spans:
                _note_stale(conn, symbol, lo, hi)
            conn.executemany(
                "DELETE FROM symbols WHERE symbol = ? AND NOT EXISTS "
                "(SELECT 1 FROM prices WHERE prices.symbol = symbols.symbol)",
                ((symbol,) for symbol, *_ in spans),
            )
            conn.execute("DELETE FROM summary")
            return {symbol: count for symbol, _, _, count in spans}

        if names == []:
            return {}
        return self._write(work, fallback=False)

    def rescale(self, symbol: str, factor: float, before: str) -> int:
        """Multiply open/high/low/close/adj_close of ``symbol`` rows dated < ``before``."""
        try:
            value = float(factor)
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"rescale factor must be a finite positive number, got {factor!r}")

        def work(conn: sqlite3.Connection) -> int:
            span = conn.execute(
                "SELECT MIN(date), MAX(date) FROM prices WHERE symbol = ? AND date < ?",
                (symbol, before),
            ).fetchone()
            if span[0] is not None:
                _note_stale(conn, symbol, span[0], span[1])
            cur = conn.execute(
                """
                UPDATE prices SET open = open * :f, high = high * :f, low = low * :f,
                    close = close * :f, adj_close = adj_close * :f
                WHERE symbol = :s AND date < :d
                """,
                {"f": value, "s": symbol, "d": before},
            )
            return cur.rowcount

        return self._write(work)

    def record_error(self, symbol: str, message: str | None) -> None:
        """Remember (or with None, clear) the last fetch error of ``symbol``."""
        self._write(
            lambda conn: conn.execute(
                """
                INSERT INTO symbols (symbol, source, last_error) VALUES (?, '', ?)
                ON CONFLICT (symbol) DO UPDATE SET last_error = excluded.last_error
                """,
                (symbol, message),
            )
        )

    def set_meta(self, key: str, value: str) -> None:
        """Store a string under ``key``."""
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        )

    def save_summary(self, key: str, payload: dict) -> None:
        """Store a JSON-serialisable dict under ``key`` with the time it was saved."""
        text = json.dumps(payload, separators=(",", ":"))
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO summary (key, saved_at, payload) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET saved_at = excluded.saved_at, "
                "payload = excluded.payload",
                (key, utc_now_iso(), text),
            )
        )

    # ------------------------------------------------------------------------------ reading

    def get_meta(self, key: str) -> str | None:
        """The string stored under ``key``, or None."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def load_summary(self, key: str) -> dict | None:
        """The dict saved under ``key``, or None if absent or unreadable."""
        with self._lock:
            row = self._db.execute("SELECT payload FROM summary WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except (TypeError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def symbol_info(self) -> dict[str, SymbolInfo]:
        """Every known symbol (with data or with a recorded error), sorted by symbol."""
        with self._lock:
            rows = self._db.execute(
                """
                SELECT symbol, source, fetched_at,
                    (SELECT MIN(date) FROM prices p WHERE p.symbol = s.symbol),
                    (SELECT MAX(date) FROM prices p WHERE p.symbol = s.symbol),
                    (SELECT COUNT(*) FROM prices p WHERE p.symbol = s.symbol),
                    last_error
                FROM symbols s ORDER BY symbol
                """
            ).fetchall()
        return {
            r[0]: SymbolInfo(
                symbol=r[0],
                source=r[1] or "",
                fetched_at=r[2],
                first_date=r[3],
                last_date=r[4],
                rows=r[5],
                last_error=r[6],
            )
            for r in rows
        }

    def last_dates(self) -> dict[str, str]:
        """Symbol -> last cached date, for symbols with data."""
        with self._lock:
            rows = self._db.execute(
                "SELECT symbol, (SELECT MAX(date) FROM prices p WHERE p.symbol = s.symbol) AS last "
                "FROM symbols s WHERE last IS NOT NULL ORDER BY symbol"
            ).fetchall()
        return dict(rows)

    def max_date(self) -> str | None:
        """The latest date of any cached row, or None for an empty cache."""
        with self._lock:
            # Per-symbol index lookups: MAX(date) over the whole table would scan it.
            return self._db.execute(
                "SELECT MAX((SELECT MAX(date) FROM prices p WHERE p.symbol = s.symbol)) "
                "FROM symbols s"
            ).fetchone()[0]

    def read_overlap(self, symbol: str, start: str) -> dict[str, float]:
        """Date -> adj_close of ``symbol`` for dates >= ``start`` (rows with a value only)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT date, adj_close FROM prices "
                "WHERE symbol = ? AND date >= ? AND adj_close IS NOT NULL ORDER BY date",
                (symbol, start),
            ).fetchall()
        return dict(rows)

    def read_prices(self, symbol: str) -> pd.DataFrame:
        """One symbol's rows: DatetimeIndex 'date', float columns open..volume."""
        import pandas as pd

        with self._lock:
            rows = self._db.execute(
                "SELECT date, open, high, low, close, adj_close, volume FROM prices "
                "WHERE symbol = ? ORDER BY date",
                (symbol,),
            ).fetchall()
        frame = pd.DataFrame.from_records(
            [r[1:] for r in rows], columns=list(PRICE_COLUMNS), coerce_float=True
        ).astype("float64")
        frame.index = _date_index([r[0] for r in rows])
        return frame

    def read_closes(
        self,
        symbols: Sequence[str] | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> pd.DataFrame:
        """Wide adj_close table: DatetimeIndex 'date' ascending, one float64 column per symbol.

        Columns follow ``symbols`` (duplicates dropped), keeping only symbols with data in the
        range; ``None`` means every cached symbol, sorted. ``start``/``end`` are inclusive.
        """
        import numpy as np
        import pandas as pd

        lo = -(2**31) if start is None else _day_number(start)
        hi = 2**31 - 1 if end is None else _day_number(end)
        series: list[tuple[str, np.ndarray, np.ndarray]] = []
        with self._lock:
            conn = self._db
            if symbols is None:
                names = [r[0] for r in conn.execute("SELECT symbol FROM symbols ORDER BY symbol")]
            else:
                names = list(dict.fromkeys(symbols))
            stale = {r[0] for r in conn.execute("SELECT symbol FROM stale")}
            for name in names:
                days, values = (
                    _unpacked_closes(conn, name) if name in stale else _packed_closes(conn, name)
                )
                first, last = np.searchsorted(days, (lo, hi + 1))
                if last > first:
                    series.append((name, days[first:last], values[first:last]))

        columns = [name for name, _, _ in series]
        if not series:
            return pd.DataFrame(index=_date_index([]), columns=columns, dtype="float64")
        first_days = series[0][1]
        if all(np.array_equal(days, first_days) for _, days, _ in series):  # the common case
            keys = first_days
            data = np.column_stack([values for _, _, values in series])
        else:
            keys = np.unique(np.concatenate([days for _, days, _ in series]))
            data = np.full((len(keys), len(series)), np.nan, dtype="float64")
            for j, (_, days, values) in enumerate(series):
                data[np.searchsorted(keys, days), j] = values
        days_index = pd.DatetimeIndex(keys.astype("int64").astype("datetime64[D]"), name="date")
        index = days_index.as_unit(_date_index(["1970-01-01"]).unit)  # as every other reader
        return pd.DataFrame(data, index=index, columns=columns)

    @property
    def writable(self) -> bool:
        """False for a read-only connection to the file — a viewer's, or a newer rotmon's file
        (an in-memory copy is ours to write, but see :attr:`persisted`)."""
        return not self.read_only or self.in_memory

    @property
    def persisted(self) -> bool:
        """True while writes reach the cache file: open, on the file, not read-only. False for
        an in-memory copy (unwritable dir or file, a full disk met earlier, a damaged file left
        in place) and for a read-only cache; :attr:`unsaved_reason` says why."""
        return self._conn is not None and not self.in_memory and not self.read_only

    @property
    def unsaved_reason(self) -> str | None:
        """Why writes do not reach the file, in one line; None while :attr:`persisted`."""
        if self.persisted:
            return None
        if self._conn is None:
            return f"the cache {self.path} is closed"
        if self.in_memory:
            return self.notice or f"cannot write {self.path}: using an in-memory cache"
        return self._read_only_reason or f"{self.path} is open read-only"

    def changed_elsewhere(self) -> bool:
        """True if another connection (``rotmon refresh``, another app) committed to the file
        since the last call; the first call only takes note. Never waits: a cache busy in
        another thread of this process answers False, and the next call sees the change."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if self._conn is None or self.in_memory:
                return False
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return False
        finally:
            self._lock.release()
        changed = self._data_version is not None and version != self._data_version
        self._data_version = version
        return changed

    # ---------------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """Close the database; safe to call twice."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._unregister()

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---------------------------------------------- added for issue 14 (refresh helper)

    def replace_prices(
        self,
        rows: Iterable[Sequence[Any]],
        source: str,
        fetched_at: str | None = None,
        *,
        replace: Iterable[str] = (),
    ) -> int:
        """Upsert ``rows`` and, in the same transaction, first delete every cached row of the
        symbols in ``replace`` (a whole history re-adjusted: never two bases in one series).

        Symbols written get ``source``/``fetched_at`` and their ``last_error`` cleared, as with
        :meth:`upsert_prices`. Returns the number of rows stored.
        """
        stamp = fetched_at or utc_now_iso()
        checked = list(_checked_rows(rows))
        gone = list(dict.fromkeys(replace))

        def work(conn: sqlite3.Connection) -> int:
            for symbol in gone:
                span = conn.execute(
                    "SELECT MIN(date), MAX(date) FROM prices WHERE symbol = ?", (symbol,)
                ).fetchone()
                if span[0] is not None:
                    _note_stale(conn, symbol, span[0], span[1])
                conn.execute("DELETE FROM prices WHERE symbol = ?", (symbol,))
            written = 0
            touched: list[str] = []
            for symbol, group in groupby(checked, key=itemgetter(0)):
                run = list(group)
                written += max(conn.executemany(_UPSERT_SQL, run).rowcount, 0)
                touched.append(symbol)
                days = [r[1] for r in run]
                _note_stale(conn, symbol, min(days), max(days))
            conn.executemany(
                """
                INSERT INTO symbols (symbol, source, fetched_at, last_error)
                VALUES (?, ?, ?, NULL)
                ON CONFLICT (symbol) DO UPDATE SET source = excluded.source,
                    fetched_at = excluded.fetched_at, last_error = NULL
                """,
                ((s, source, stamp) for s in dict.fromkeys(touched)),
            )
            return written

        return self._write(work)


def peek_summary(path: Path, key: str) -> dict | None:
    """The summary saved under ``key`` in the cache file at ``path``, read without opening the
    cache for writing, without recovery and without pandas — for the app's first frame.

    Any problem (no file, locked, corrupt, an older layout) gives None: the cache worker that
    opens the file for real reports and repairs it.
    """
    if not Path(path).is_file():
        return None
    try:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=0.2)
        try:
            row = conn.execute("SELECT payload FROM summary WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
        value = json.loads(row[0]) if row else None
    except (sqlite3.Error, TypeError, ValueError, OSError):
        return None
    return value if isinstance(value, dict) else None
