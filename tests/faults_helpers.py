"""Shared pieces of the fault suite: test providers, the pilot helpers, and child processes.

The fault tests need real processes (killed with SIGKILL, writing the same cache at once), so
this file is also a small program: ``python tests/faults_helpers.py COMMAND ARGS`` runs one of
the ``child_*`` functions below and talks to the test through stdout, one line per event.
:func:`spawn` starts it with the repository on ``sys.path`` and returns a :class:`Child` that
waits for those lines with a deadline, so a stuck child fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __name__ == "__main__":  # run as a child process: make `tui` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.data.cache import SCHEMA_VERSION, Cache
from tui.data.snapshot import holdings_symbols, seed_cache, seed_holdings
from tui.data.yahoo import PROBLEM_REASONS, FetchResult, rows_from_frame
from tui.report import seed_bundled

if TYPE_CHECKING:
    import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO = TESTS_DIR.parent
CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)  # Monday 11:00 in New York: market open
NEW_DAYS = ("2026-08-03",)
"""The days after the bundled snapshot (which ends 2026-07-31) that RecordedDays serves."""


# ------------------------------------------------------------------------------- providers


class FailingProvider:
    """Every fetch fails network-wide (``problem``), the way an unplugged network does."""

    name = "failing"

    def __init__(self, problem: str = "offline") -> None:
        self.problem = problem
        self.calls: list[tuple[list[str], date]] = []

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        self.calls.append((list(symbols), start))
        reason = PROBLEM_REASONS.get(self.problem, "could not connect")
        return FetchResult([], dict.fromkeys(symbols, reason), self.problem, reason)


class HangingProvider:
    """A provider stuck on a network call that never answers (until ``release`` is set)."""

    name = "hanging"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        self.started.set()
        self.release.wait(60)
        return FetchResult([], dict.fromkeys(symbols, "timed out"), "timeout", "timed out")


Closes = dict[str, float] | list[tuple[str, float]]
"""Closes by date: a dict, or (date, close) pairs to give repeated or out-of-order dates."""


def _pairs(closes: Closes) -> list[tuple[str, float]]:
    return list(closes.items()) if isinstance(closes, dict) else list(closes)


def yf_frame(history: dict[str, Closes], symbols: Sequence[str]) -> Any:
    """A frame shaped like yfinance 1.7's ``download``: (Price, Ticker) columns, rows as given.

    The index keeps each symbol's dates in the order given, repeats included (then the frame
    can hold one symbol only, as pandas cannot align repeated dates); open/high/low are
    99/101/98 % of the close.
    """
    import pandas as pd

    frames = []
    for symbol in symbols:
        pairs = _pairs(history.get(symbol, {}))
        index = pd.DatetimeIndex([pd.Timestamp(d) for d, _ in pairs], name="Date")
        values = [c for _, c in pairs]
        part = pd.DataFrame(
            {
                ("Open", symbol): [v * 0.99 for v in values],
                ("High", symbol): [v * 1.01 for v in values],
                ("Low", symbol): [v * 0.98 for v in values],
                ("Close", symbol): values,
                ("Volume", symbol): [1e6] * len(values),
            },
            index=index,
        )
        frames.append(part)
    if not frames:
        return pd.DataFrame()
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, axis=1)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["Price", "Ticker"])
    return frame


class ScriptedProvider:
    """Answers each fetch with the next scripted step, shaped like YahooProvider's results.

    A step is a dict symbol -> closes (see :data:`Closes`; turned into a yfinance-shaped frame
    and read with the real ``rows_from_frame``; symbols without rows fail as "possibly
    delisted"), a network problem name ("offline", "timeout", "rate-limited"), or an
    exception to raise. The last step repeats.
    """

    name = "yahoo"

    def __init__(self, *steps: Any) -> None:
        self.steps = list(steps)
        self.calls: list[tuple[list[str], date]] = []

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        self.calls.append((list(symbols), start))
        step = self.steps[min(len(self.calls), len(self.steps)) - 1]
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, str):
            reason = PROBLEM_REASONS[step]
            return FetchResult([], dict.fromkeys(symbols, reason), step, f"recorded {step}")
        history = {
            s: [(d, c) for d, c in _pairs(step.get(s, {})) if d >= start.isoformat()]
            for s in symbols
        }
        by_symbol = rows_from_frame(yf_frame(history, symbols), symbols)
        rows = [row for s in symbols for row in by_symbol.get(s, [])]
        failed = {
            s: "possibly delisted; no price data found" for s in symbols if s not in by_symbol
        }
        problem = "error" if failed and not rows else None
        return FetchResult(rows, failed, problem, "recorded")


class RawProvider:
    """Returns the given rows as they are: a provider that does not clean its output."""

    name = "raw"

    def __init__(self, rows: Sequence[tuple]) -> None:
        self.rows = list(rows)

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        wanted = set(symbols)
        rows = [r for r in self.rows if r[0] in wanted]
        got = {r[0] for r in rows}
        return FetchResult(rows, {s: "no data" for s in symbols if s not in got}, None)


def snapshot_last_closes() -> dict[str, float]:
    """The last bundled adjusted close of every snapshot symbol (the factor ETFs too)."""
    from tui.data.snapshot import FACTORS_FILE, PRICES_FILE, iter_price_rows

    last: dict[str, tuple[str, float]] = {}
    for path in (PRICES_FILE, FACTORS_FILE):
        for row in iter_price_rows(path):
            if row[6] is not None and (row[0] not in last or row[1] > last[row[0]][0]):
                last[row[0]] = (row[1], row[6])
    return {s: v for s, (_, v) in last.items()}


def new_day_close(last: float, day_index: int) -> float:
    """What RecordedDays serves for the ``day_index``-th new day after a last close."""
    return round(last * (1 + 0.01 * (day_index + 1)), 4)


class RecordedDays:
    """Serves ``NEW_DAYS`` after the snapshot for every symbol the snapshot has, the same
    answer every time (as Yahoo would), through the real ``rows_from_frame``; other symbols
    fail as "possibly delisted", except those in ``fail``, which fail with their reason."""

    name = "yahoo"

    def __init__(self, days: Sequence[str] = NEW_DAYS, fail: dict[str, str] | None = None):
        self.days = list(days)
        self.fail = fail or {}
        self.last = snapshot_last_closes()
        self.calls: list[list[str]] = []

    def history(self, symbol: str) -> dict[str, float]:
        if symbol in self.fail or symbol not in self.last:
            return {}
        return {d: new_day_close(self.last[symbol], i) for i, d in enumerate(self.days)}

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        self.calls.append(list(symbols))
        history = {s: self.history(s) for s in symbols}
        by_symbol = rows_from_frame(yf_frame(history, symbols), symbols)
        rows = [row for s in symbols for row in by_symbol.get(s, [])]
        failed = {
            s: self.fail.get(s, "possibly delisted; no price data found")
            for s in symbols
            if s not in by_symbol
        }
        return FetchResult(rows, failed, None, "recorded")


# ------------------------------------------------------------------ damaged and full caches

ROWS = [
    ("SPY", "2024-01-02", 470.0, 473.0, 468.0, 472.5, 472.5, 1_000_000.0),
    ("SPY", "2024-01-03", 471.0, 474.0, 469.0, 470.25, 470.25, 900_000.0),
    ("XLK", "2024-01-02", None, None, None, None, 190.0, None),
]


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(64 * 1024))


def _truncated(path: Path) -> None:
    seeded_copy(path, ["SPY", "QQQ", "XLK"])  # = seed_cache(cache, [...]) in a new cache
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)


def _newer_schema(path: Path) -> None:
    with Cache(path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def _zero_length(path: Path) -> None:
    path.write_bytes(b"")


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "something").write_text("not ours")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {  # what the cache must do with it
    "random-bytes": (_random_bytes, "moved"),
    "truncated-half": (_truncated, "moved"),
    "newer-schema": (_newer_schema, "read-only"),  # a newer rotmon's file: never moved
    "zero-length": (_zero_length, "fresh"),
    "directory": (_directory, "memory"),
}


# ----------------------------------------------------------------- pre-seeded cache copies

APP_SEED = "app"
"""``seeded_copy``'s default: the symbols the app's first start seeds (the default config's
symbols and the shipped rules' symbols, the call in RotmonApp._compute)."""

TEMPLATES_DIR: Path | None = None
"""Where the seeded templates are built (once per test session): set by tests/conftest.py."""

_templates: dict[tuple[str, ...] | None, Path] = {}


def _seed_symbols(symbols: Sequence[str] | str | None) -> tuple[str, ...] | None:
    if symbols is None:
        return None
    if symbols == APP_SEED:
        from tui.config import Config
        from tui.report import rule_symbols

        return (*Config().symbols(), *rule_symbols())
    return tuple(symbols)


def seeded_copy(dest: Path, symbols: Sequence[str] | str | None = APP_SEED) -> Path:
    """Put at ``dest`` the cache that ``seed_cache(cache, symbols)`` leaves in an empty one
    (``symbols`` None: the whole snapshot; default: what the app's first start seeds, with
    the sector holdings' prices that its breadth columns seed at 120 columns and up).

    Seeding costs ~1.2 s (it reads the whole bundled csv.gz); each distinct call is made once
    per session into a template, checkpointed and closed, and copied here (the file only: no
    -wal is left beside a closed database). ``dest``'s folder is made with the cache's own
    mode, 0o700; ``dest`` must not exist yet. Returns ``dest``.
    """
    key = _seed_symbols(symbols)
    template = _templates.get(key)
    if template is None:
        if TEMPLATES_DIR is None:
            raise RuntimeError("seeded_copy needs tests/conftest.py (it sets TEMPLATES_DIR)")
        template = TEMPLATES_DIR / f"template-{len(_templates)}" / "rotmon.sqlite"
        with Cache(template) as cache:
            assert cache.notice is None and not cache.in_memory, cache.notice
            if key is not None and symbols == APP_SEED:
                seed_bundled(cache, key)  # as Monitor.seed: the rules' mega caps too
                # and what the breadth columns seed the first time they fit (120 columns and
                # up: most app tests), so that each test does not pay it again (~7 s)
                seed_holdings(cache, holdings_symbols())
            else:
                seed_cache(cache, key)
        with contextlib.closing(sqlite3.connect(template)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("-wal", "-shm", "-journal"):
            assert not Path(f"{template}{suffix}").exists(), f"{template}{suffix} left behind"
        _templates[key] = template
    if dest.exists():
        raise FileExistsError(f"{dest} exists: seeded_copy would replace it")
    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copy(template, dest)
    return dest


def cap_file_growth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every Cache opened from now on unable to grow its file, as on a full disk: SQLite's
    own max_page_count limit returns the real SQLITE_FULL "database or disk is full"."""
    open_file = Cache._open_file

    def capped(self: Cache) -> sqlite3.Connection:
        conn = open_file(self)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(Cache, "_open_file", capped)


# ----------------------------------------------------------------------------------- pilot


def make_app(cache_path: Path, provider: object | None = None, **kwargs: Any) -> Any:
    """A RotmonApp on ``cache_path`` with a fixed clock; offline provider unless given."""
    from tui.app.app import RotmonApp
    from tui.config import Config

    return RotmonApp(
        kwargs.pop("config", Config()),
        kwargs.pop("problems", ()),
        cache_path=cache_path,
        provider=provider if provider is not None else FailingProvider(),
        clock=lambda: CLOCK,
        **kwargs,
    )


async def settle(app: Any) -> None:
    """Wait until every worker (load, then the refresh it starts) has finished."""
    from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

    for _ in range(1000):
        # Failures are the app's to report; an exclusive worker (the track record, the digest
        # line) cancelled by a newer one of its group is no failure either.
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await app.workers.wait_for_complete()
        await asyncio.sleep(0.02)
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        # The load worker starts after the first frame: not started yet is not settled.
        if not busy and getattr(app, "cache", True) is not None:
            return
    raise AssertionError("workers did not finish")


def notices(app: Any, title: str | None = None) -> list[str]:
    """The messages of every notification the app raised (optionally with ``title``)."""
    return [n.message for n in app._notifications if title is None or n.title == title]


def status_text(app: Any) -> str:
    from tui.app.widgets.status_bar import StatusBar

    return str(app.screen.query_one(StatusBar).render())


def cell(table: Any, row_key: str, column: str) -> str:
    value = table.get_cell(row_key, column)
    return value.plain if hasattr(value, "plain") else str(value)


# ------------------------------------------------------------------------- child processes


class Child:
    """A child process started by :func:`spawn`; its stdout lines arrive on a queue."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=self._pump_errors, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def _pump_errors(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.errors.append(line)

    def wait_for(self, prefix: str, timeout: float = 30.0) -> str:
        """Read lines until one starts with ``prefix``; fail on EOF or after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"child sent no {prefix!r} in {timeout} s: {self.lines}")
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(10)
                self._threads[1].join(5)
                raise AssertionError(
                    f"child ended before {prefix!r}: {self.lines}\n{''.join(self.errors)}"
                )
            self.lines.append(line)
            if line.startswith(prefix):
                return line

    def finish(self, timeout: float = 60.0) -> tuple[int, list[str], str]:
        """Wait for the exit; return (exit code, every stdout line, stderr)."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"child did not exit in {timeout} s: {self.lines}") from None
        for thread in self._threads:
            thread.join(10)
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.lines.append(line)
        return self.proc.returncode, self.lines, "".join(self.errors)

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(TESTS_DIR)])
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def child_argv(command: str, *args: object) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), command, *map(str, args)]


def spawn(command: str, *args: object, wrap: Sequence[str] = ()) -> Child:
    """Start ``python tests/faults_helpers.py command args`` (optionally under ``wrap``)."""
    proc = subprocess.Popen(
        [*wrap, *child_argv(command, *args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        env=child_env(),
        cwd=REPO,
    )
    return Child(proc)


def tmpfs_wrap(
    mountpoint: Path, size: str, *, copy_in: Path | None = None, read_only: bool = False
) -> list[str] | None:
    """argv prefix that runs a command with a fresh tmpfs of ``size`` on ``mountpoint`` (with
    ``copy_in`` copied into it, then remounted read-only if asked), in a private mount
    namespace of an unprivileged user namespace; None where that is not allowed (no unshare,
    or user namespaces switched off, as on some CI runners). Root cannot write to a read-only
    mount, unlike a chmod-ed dir."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return None
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", f"mount -t tmpfs -o size=16k tmpfs '{mountpoint}'"],
        capture_output=True,
    )
    if probe.returncode != 0:
        return None
    script = 'mount -t tmpfs -o "size=$1" tmpfs "$2"'
    if copy_in is not None:
        script += ' && cp "$3" "$2/"'
    if read_only:
        script += ' && mount -o remount,ro "$2"'
    script += ' && shift 3 && exec "$@"'
    return [unshare, "-rm", "sh", "-c", script, "sh", size, str(mountpoint), str(copy_in or "")]


def batch_rows(n: int, count: int) -> Iterator[tuple]:
    """The rows of kill-test batch ``n``: symbol K<n>, ``count`` consecutive days."""
    first = date(1900, 1, 1).toordinal()
    for i in range(count):
        day = date.fromordinal(first + i).isoformat()
        close = batch_value(n, i)
        yield (f"K{n:04d}", day, close, close, close, close, close, float(i))


def batch_value(n: int, i: int) -> float:
    return 1000.0 * (n + 1) + 0.25 * i


def child_upsert_loop(path: str, start: str, count: str) -> None:
    """Upsert batch after batch of ``count`` rows, one transaction each, until killed.

    Prints ``half N`` with batch N's transaction open and half its rows written, and
    ``committed N`` once upsert_prices has returned (the commit is done)."""
    size = int(count)
    cache = Cache(Path(path))
    print(f"opened {cache.notice}", flush=True)
    n = int(start)
    while True:

        def rows(n: int = n) -> Iterator[tuple]:
            for i, row in enumerate(batch_rows(n, size)):
                if i == size // 2:
                    print(f"half {n}", flush=True)
                yield row

        cache.upsert_prices(rows(), "kill-test")
        print(f"committed {n}", flush=True)
        n += 1


def child_seed(path: str) -> None:
    """Seed the bundled snapshot into the cache at ``path`` (the real start-up bulk write)."""
    with Cache(Path(path)) as cache:
        print("seeding", flush=True)
        inserted = seed_cache(cache)
        print(f"seeded {inserted}", flush=True)


def child_writer(path: str, tag: str, transactions: str) -> None:
    """Many small upsert transactions of symbol ``tag``; prints a JSON summary."""
    errors: list[str] = []
    done = 0
    with Cache(Path(path)) as cache:
        first = date(2000, 1, 3).toordinal()
        for k in range(int(transactions)):
            rows = []
            for i in range(10):
                day = date.fromordinal(first + 10 * k + i).isoformat()
                rows.append((tag, day, None, None, None, float(k), float(k), float(i)))
            try:
                cache.upsert_prices(rows, f"writer-{tag}")
                cache.set_meta(f"writer.{tag}", str(k))
                done += 1
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
        print(json.dumps({"done": done, "errors": errors, "notice": cache.notice}), flush=True)


REFRESH_SYMBOLS = tuple(f"R{i:02d}" for i in range(10))


def refresher_close(symbol: str, k: int) -> float:
    return 10.0 * (int(symbol[1:]) + 1) + k


def refresher_days(count: int) -> list[str]:
    first = date(2026, 1, 5)
    days = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def child_refresher(path: str, rounds: str) -> None:
    """``rotmon refresh`` run ``rounds`` times: each round the provider knows one more day."""
    from tui.data.refresh import run_refresh

    days = refresher_days(int(rounds))
    errors: list[str] = []
    outcomes: list[str] = []
    with Cache(Path(path)) as cache:
        for k in range(len(days)):
            history = {
                s: {d: refresher_close(s, j) for j, d in enumerate(days[: k + 1])}
                for s in REFRESH_SYMBOLS
            }
            provider = ScriptedProvider(history)
            now = datetime.fromisoformat(days[k]).replace(hour=22, tzinfo=UTC)
            try:
                outcome = run_refresh(cache, provider, list(REFRESH_SYMBOLS), now=now)
                outcomes.append(outcome.message)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
        summary = {"errors": errors, "last": outcomes[-1:], "notice": cache.notice}
        print(json.dumps(summary), flush=True)


def child_reader(path: str, stop_file: str) -> None:
    """A viewer that only reads: open, read, close, again, until ``stop_file`` exists.

    Prints JSON: how many reads, any error, and whether a symbol's row count ever went down.
    """
    from tui.data.cache import peek_summary

    errors: list[str] = []
    reads = 0
    seen: dict[str, int] = {}
    shrank: list[str] = []
    slowest = 0.0
    while not Path(stop_file).exists() or reads == 0:
        began = time.monotonic()
        try:
            with Cache(Path(path)) as cache:
                if cache.notice:
                    errors.append(f"notice: {cache.notice}")
                for symbol, info in cache.symbol_info().items():
                    if info.rows < seen.get(symbol, 0):
                        shrank.append(f"{symbol} {seen[symbol]} -> {info.rows}")
                    seen[symbol] = info.rows
                cache.read_closes(["SPY", "W1", "R00"])
            peek_summary(Path(path), "dashboard")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        slowest = max(slowest, time.monotonic() - began)
        reads += 1
        time.sleep(0.01)
    summary = {"reads": reads, "errors": errors, "shrank": shrank, "slowest": slowest}
    print(json.dumps(summary), flush=True)


def child_app(path: str, presses: str) -> None:
    """A headless dashboard on the cache at ``path``: start, refresh ``presses`` more times
    with ``r``, quit; prints JSON with its notifications, status and figures."""
    from tui.app.widgets.sector_table import SectorTable

    async def drive() -> dict[str, Any]:
        provider = RecordedDays()
        app = make_app(Path(path), provider)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(app)
            for _ in range(int(presses)):
                await pilot.press("r")
                await settle(app)
            await pilot.pause()
            table = app.screen.query_one(SectorTable)
            return {
                "notices": notices(app),
                "state": app.status.state,
                "message": app.status.message,
                "as_of": app.report.as_of if app.report else None,
                "computed": app.report is not None and app.report.closes is not None,
                "xlk_1m": cell(table, "XLK", "1M"),
                "in_memory": app.cache.in_memory if app.cache else None,
                "return_code": app.return_code,
            }

    print(json.dumps(asyncio.run(drive())), flush=True)


def child_disk_full(directory: str) -> None:
    """On a tiny file system: write a cache, fill the disk, then refresh; prints JSON."""
    from tui.data.refresh import run_refresh

    folder = Path(directory)
    path = folder / "rotmon.sqlite"
    result: dict[str, Any] = {}
    days = refresher_days(40)
    good = [("SPY", d, None, None, None, 500.0 + i, 500.0 + i, None) for i, d in enumerate(days)]
    with Cache(path) as cache:
        result["open_notice"] = cache.notice
        result["in_memory"] = cache.in_memory
        cache.upsert_prices(good[:20], "yahoo")
        # Fill the file system to the last byte.
        with contextlib.suppress(OSError), open(folder / "filler", "wb") as handle:
            chunk = b"\0" * 4096
            while True:
                handle.write(chunk)
                handle.flush()
        with contextlib.suppress(OSError), open(folder / "filler", "ab") as handle:
            while True:
                handle.write(b"\0")
                handle.flush()
        many = {"SPY": {d: 500.0 + i for i, d in enumerate(days)}}
        many |= {f"N{i:03d}": {d: 10.0 + i for d in days} for i in range(200)}
        provider = ScriptedProvider(many)
        now = datetime.fromisoformat(days[-1]).replace(hour=22, tzinfo=UTC)
        try:
            outcome = run_refresh(cache, provider, list(many), now=now)
            result["refresh"] = outcome.message
        except Exception as exc:
            result["refresh_error"] = f"{type(exc).__name__}: {exc}"
        result["in_memory_after"] = cache.in_memory
        result["notice_after"] = cache.notice
        try:
            result["spy_after"] = cache.read_closes(["SPY"])["SPY"].tolist()
        except Exception as exc:
            result["read_error"] = f"{type(exc).__name__}: {exc}"
    with Cache(path) as again:
        result["reopen_notice"] = again.notice
        result["reopen_in_memory"] = again.in_memory
        result["spy_reopened"] = again.read_closes(["SPY"])["SPY"].tolist()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        result["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
    print(json.dumps(result), flush=True)


def child_open_cache(directory: str) -> None:
    """Open the cache in ``directory``, write one row, and print what the cache says."""
    with Cache(Path(directory) / "rotmon.sqlite") as cache:
        row = ("QQQ", "2026-08-03", None, None, None, 1.0, 1.0, None)
        written = cache.upsert_prices([row], "test")
        result = {
            "in_memory": cache.in_memory,
            "notice": cache.notice,
            "last_dates": cache.last_dates(),
            "written": written,
            "summary": cache.load_summary("dashboard"),
        }
    print(json.dumps(result), flush=True)


def child_hold_write_lock(path: str, seconds: str) -> None:
    """Hold a write transaction on the cache (as a long refresh does) for ``seconds``."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('holder', 'busy')")
    print("locked", flush=True)
    time.sleep(float(seconds))
    conn.execute("COMMIT")
    conn.close()
    print("released", flush=True)


COMMANDS = {
    "upsert-loop": child_upsert_loop,
    "seed": child_seed,
    "writer": child_writer,
    "refresher": child_refresher,
    "reader": child_reader,
    "app": child_app,
    "disk-full": child_disk_full,
    "hold-write-lock": child_hold_write_lock,
    "open-cache": child_open_cache,
}


if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
