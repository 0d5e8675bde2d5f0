"""Benchmarks of Rotation Monitor: start-up, idle cost, memory, analytics, refresh, and the UI
while a refresh runs.

    python benchmarks/run.py            # about 3 minutes: 9 start-ups of each kind, 60 s idle
    python benchmarks/run.py --quick    # about 65 s: 3 start-ups of each kind, 10 s idle

Prints one table, every figure measured in this run, next to a minimal Textual app (one DataTable
of 20 rows, `benchmarks/minimal_app.py`) started the same way, with the machine in the header.
The apps run in a real pseudo-terminal (120x40, TERM=xterm-256color) and the clock stops when the
output stream contains a signed percentage. Nothing reaches the network: the dashboard runs with
`--offline`, and the refresh benchmarks use a provider that serves recorded rows
(`recorded.py`). The UI figures come from `refresh_app.py`, which runs the real app through two
refreshes in the same pseudo-terminal and times its event loop from the inside.

Only the standard library and rotmon's own dependencies are used; CPU time and memory come from
/proc (Linux only).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import fcntl
import gc
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from recorded import (
    N_SYMBOLS,
    NEW_DAYS,
    NOW,
    YEARS,
    RecordedProvider,
    build_cache,
    cutoff_day,
    derived_series,
    first_day,
    last_years,
    snapshot_series,
)
from refresh_app import TICK as UI_TICK

HERE = Path(__file__).resolve().parent
MINIMAL_APP = HERE / "minimal_app.py"
REFRESH_APP = HERE / "refresh_app.py"

COLS, ROWS = 120, 40
FIGURE = re.compile(r"[+\u2212-]\d+\.\d\d%")  # rotmon writes U+2212 for minus
CURSOR_MOVE = re.compile(rb"\x1b\[\d+;\d+H")  # the first cursor-addressed write: a frame begins
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])")
SETTLE_SECONDS = 5.0
START_TIMEOUT = 30.0
QUIT_TIMEOUT = 5.0
CLK_TCK = os.sysconf("SC_CLK_TCK")

TARGETS = {
    "warm": 1.5,  # first frame with figures, warm cache: at most this times the minimal app
    "cold": 3.0,  # same with an empty cache dir
    "cpu": 0.5,  # idle CPU, percent of one core
    "bps": 100.0,  # idle terminal output, bytes per second
    "report": 0.5,  # build_report over 500 symbols x 10 years, seconds
    "stall": 100.0,  # the longest the UI may stall while a refresh runs, ms (every run)
}
UI_TIMEOUT = 120.0  # one refresh_app.py run: start, load, two refreshes, quit

_LIVE: list[Session] = []  # every app started, so a failure still stops them all


# -- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    keys = ("model name", "Hardware", "Processor", "cpu model", "uarch")
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    for key in keys:
        for line in text.splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key and value.strip():
                return " ".join(value.split())
    return platform.processor() or "unknown CPU"


def machine_lines() -> list[str]:
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"Machine: {cores} cores ({usable} usable) · {cpu_model()} · "
        f"{platform.system()} {platform.release()} · load avg {load}",
        f"Python {platform.python_version()} ({sys.executable}) · "
        f"Textual {_version('textual')} · Rich {_version('rich')} · "
        f"pandas {_version('pandas')} · rotmon {_version('rotmon')} {_git_state()}",
    ]


def _git_state() -> str:
    """The commit of the tree under test, `+dirty` if it has uncommitted changes."""
    try:
        out = subprocess.run(
            ["git", "-C", str(HERE.parent), "describe", "--always", "--dirty=+dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"(git {out.stdout.strip()})" if out.returncode == 0 and out.stdout.strip() else ""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


# -- /proc -----------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (after the command name), or None if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def descendants(pid: int) -> list[int]:
    """Live processes under `pid` (any depth)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def cpu_ticks(pid: int) -> int:
    """utime+stime+cutime+cstime of `pid` and of its live descendants, in clock ticks."""
    total = 0
    for p in [pid, *descendants(pid)]:
        fields = _stat_fields(p)
        if fields:  # utime, stime, cutime, cstime are fields 14-17
            total += sum(int(x) for x in fields[11:15])
    return total


def proc_status(pid: int, task: int | None = None) -> dict[str, str]:
    """/proc/<pid>/status (or one thread's, /proc/<pid>/task/<task>/status) as a dict."""
    path = Path(f"/proc/{pid}") / (f"task/{task}/status" if task is not None else "status")
    try:
        text = path.read_text()
    except OSError:
        return {}
    return {k: v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())}


def rss_mib(pid: int, key: str = "VmRSS") -> float | None:
    value = proc_status(pid).get(key)
    return int(value.split()[0]) / 1024 if value else None


def context_switches(pid: int) -> int:
    """Voluntary + involuntary context switches of every live thread of `pid`: its wake-ups."""
    total = 0
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            status = proc_status(pid, int(task.name))
            for key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                total += int(status.get(key, "0"))
    return total


# -- the pseudo-terminal harness -------------------------------------------------------------


@dataclass
class Session:
    """One app in its own pseudo-terminal; the output is read and timed, never rendered."""

    name: str
    argv: list[str]
    env: dict[str, str]
    pid: int = 0
    fd: int = -1
    t0: float = 0.0
    first_byte: float | None = None
    first_paint: float | None = None
    figures: float | None = None
    nbytes: int = 0
    writes: list[tuple[float, int]] = field(default_factory=list)
    exit_status: int | None = None
    killed: bool = False
    last_output: bytes = b""
    _tail: str = ""

    def start(self) -> Session:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal and stdin/stdout/stderr
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.execve(self.argv[0], self.argv, self.env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        _LIVE.append(self)
        return self

    @property
    def alive(self) -> bool:
        if self.exit_status is not None:
            return False
        done, status = os.waitpid(self.pid, os.WNOHANG)
        if done:
            self.exit_status = os.waitstatus_to_exitcode(status)
            return False
        return True

    def feed(self, data: bytes) -> None:
        now = time.perf_counter() - self.t0
        self.nbytes += len(data)
        self.writes.append((now, len(data)))
        if self.first_byte is None:
            self.first_byte = now
        if self.first_paint is None and CURSOR_MOVE.search(self.last_output[-16:] + data):
            self.first_paint = now
        self.last_output = (self.last_output + data)[-4096:]
        if self.figures is None:
            text = self._tail + self._decoder.decode(data)
            if FIGURE.search(text):
                self.figures = now
            self._tail = text[-32:]

    def read_ready(self) -> bool:
        """Read what the pty holds; False once the app closed it (EOF / EIO)."""
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:
            return False
        if not data:
            return False
        self.feed(data)
        return True

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def failure(self, what: str) -> str:
        """Why the app showed nothing: its exit status and the last text it wrote."""
        text = ESCAPES.sub(b"", self.last_output).decode("utf-8", "replace")
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        status = "still running" if self.alive else f"exit status {self.exit_status}"
        said = " | ".join(lines[-3:]) or "(no text)"
        return f"benchmarks: {self.name} showed no figures {what} ({status}); it wrote: {said}"

    def stop(self) -> float | None:
        """Send `q`; return seconds until the process exited (None if it had to be killed)."""
        t = time.perf_counter()
        with contextlib.suppress(OSError):
            os.write(self.fd, b"q")
        quit_time = None
        open_ = True
        deadline = t + QUIT_TIMEOUT
        while time.perf_counter() < deadline:
            if open_:
                ready, _, _ = select.select([self.fd], [], [], 0.01)
                if ready:
                    open_ = self.read_ready()
            else:
                time.sleep(0.005)
            if not self.alive:
                quit_time = time.perf_counter() - t
                break
        if quit_time is None:
            self.kill()
        self.close()
        return quit_time

    def kill(self) -> None:
        """Stop the app and anything it started: SIGTERM to its session, then SIGKILL."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not self.alive:
                return
            self.killed = True
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, sig)
            end = time.perf_counter() + 2.0
            while self.alive and time.perf_counter() < end:
                self._drain()
                time.sleep(0.01)

    def _drain(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                while select.select([self.fd], [], [], 0)[0] and os.read(self.fd, 1 << 16):
                    pass

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self in _LIVE:
            _LIVE.remove(self)


def pump(sessions: Sequence[Session], until: Callable[[], bool], timeout: float) -> bool:
    """Read every session's output until `until()` holds or `timeout` passes; returns `until()`."""
    deadline = time.perf_counter() + timeout
    open_fds = {s.fd: s for s in sessions if s.fd >= 0}
    while not until():
        left = deadline - time.perf_counter()
        if left <= 0:
            return False
        if not open_fds:
            time.sleep(min(left, 0.05))
            continue
        ready, _, _ = select.select(list(open_fds), [], [], min(left, 0.05))
        for fd in ready:
            if not open_fds[fd].read_ready():
                del open_fds[fd]
    return True


def stop_all() -> None:
    for session in list(_LIVE):
        session.kill()
        session.close()


# -- the apps --------------------------------------------------------------------------------


class Apps:
    """How to start rotmon and the minimal app, with an environment of their own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        config_dir = root / "config"  # empty: the default configuration, never the user's
        config_dir.mkdir()
        dropped = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TEXTUAL", "ROTMON_")) and k not in dropped
        }
        env.update(
            TERM="xterm-256color",
            COLUMNS=str(COLS),
            LINES=str(ROWS),
            ROTMON_CONFIG_DIR=str(config_dir),
            ROTMON_CACHE_DIR=str(root / "unused-cache"),
            # Bytecode is cached, as after `pip install`, but under the temp dir: an editable
            # install with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile rotmon's modules
            # on every start, and the source tree stays untouched.
            PYTHONPYCACHEPREFIX=str(root / "pycache"),
        )
        self.env = env
        script = Path(sys.executable).with_name("rotmon")
        found = str(script) if script.is_file() else shutil.which("rotmon")
        if not found:
            raise SystemExit("benchmarks: the rotmon command is not installed (pip install -e .)")
        self.rotmon_cmd = found
        self._n = 0

    def rotmon(self, cache_dir: Path) -> Session:
        argv = [self.rotmon_cmd, "--offline", "--cache-dir", str(cache_dir)]
        return Session("rotmon", argv, self.env)

    def minimal(self) -> Session:
        return Session("minimal", [sys.executable, str(MINIMAL_APP)], self.env)

    def new_dir(self, prefix: str) -> Path:
        self._n += 1
        path = self.root / f"{prefix}-{self._n}"
        path.mkdir()
        return path


@dataclass
class StartRun:
    first_byte: float | None
    first_paint: float | None
    figures: float | None
    quit: float | None


def start_once(session: Session) -> StartRun:
    """Start, wait for the first figure, quit with `q`."""
    session.start()
    try:
        pump([session], lambda: session.figures is not None or not session.alive, START_TIMEOUT)
    finally:
        quit_time = session.stop()
    run = StartRun(session.first_byte, session.first_paint, session.figures, quit_time)
    if session.figures is None:
        print(session.failure("in a start-up run"), file=sys.stderr)
    return run


def fill_warm_cache(apps: Apps) -> Path:
    """Run the dashboard once on an empty cache dir and let it settle: the warm cache."""
    warm = apps.new_dir("warm-cache")
    session = apps.rotmon(warm).start()
    try:
        pump([session], lambda: session.figures is not None or not session.alive, START_TIMEOUT)
        if session.figures is None:
            raise SystemExit(session.failure("while filling the warm cache"))
        pump([session], lambda: False, SETTLE_SECONDS)
    finally:
        session.stop()
    return warm


def settle_once(session: Session) -> tuple[float | None, float | None]:
    """Start, wait for the figures and SETTLE_SECONDS more, quit: (seconds from the first figures
    to the last output, CPU seconds used by then)."""
    session.start()
    try:
        pump([session], lambda: session.figures is not None or not session.alive, START_TIMEOUT)
        if session.figures is None:
            print(session.failure("in the settling run"), file=sys.stderr)
            return None, None
        pump([session], lambda: False, SETTLE_SECONDS)
        last = max(t for t, _ in session.writes) - session.figures
        return last, cpu_ticks(session.pid) / CLK_TCK
    finally:
        session.stop()


def import_seconds(modules: dict[str, str], env: dict[str, str], runs: int) -> dict[str, float]:
    """Per name: median over `runs` of the wall time of `python -c 'import MODULE'` minus that
    of `python -c pass` run just before it (runs interleaved, so noise hits every name alike)."""
    env = dict(env, PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")])))

    def wall(code: str) -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        return time.perf_counter() - t

    for module in modules.values():  # warm the page and bytecode caches
        wall(f"import {module}")
    diffs: dict[str, list[float]] = {name: [] for name in modules}
    for _ in range(runs):
        for name, module in modules.items():
            base = wall("pass")
            diffs[name].append(wall(f"import {module}") - base)
    return {name: statistics.median(values) for name, values in diffs.items()}


@dataclass
class IdleResult:
    settled_rss: float | None = None
    figures_rss: float | None = None
    after_rss: float | None = None
    peak_rss: float | None = None
    startup_cpu: float | None = None
    cpu_pct: float | None = None
    bps: float | None = None
    writes: list[tuple[float, int]] = field(default_factory=list)
    wakeups: float | None = None
    threads: str = ""
    last_settle_write: float | None = None


def measure_idle(sessions: list[Session], seconds: float) -> dict[str, IdleResult]:
    """Start both apps, wait for figures + SETTLE_SECONDS, then watch them side by side."""
    results = {s.name: IdleResult() for s in sessions}
    for s in sessions:
        s.start()
    try:
        pump(sessions, lambda: all(s.figures is not None for s in sessions), START_TIMEOUT)
        for s in sessions:
            if s.figures is None:
                raise SystemExit(s.failure("before the idle measurement"))
        for s in sessions:
            results[s.name].figures_rss = rss_mib(s.pid)
        settle_end = max(s.t0 + s.figures for s in sessions if s.figures) + SETTLE_SECONDS
        pump(sessions, lambda: False, settle_end - time.perf_counter())
        start: dict[str, tuple[int, int, int, float]] = {}
        for s in sessions:
            r = results[s.name]
            r.settled_rss = rss_mib(s.pid)
            r.startup_cpu = cpu_ticks(s.pid) / CLK_TCK
            r.threads = proc_status(s.pid).get("Threads", "?")
            settle_writes = [t for t, _ in s.writes if t > (s.figures or 0)]
            r.last_settle_write = (max(settle_writes) - s.figures) if settle_writes else None
        for s in sessions:
            start[s.name] = (cpu_ticks(s.pid), s.nbytes, context_switches(s.pid), s.elapsed())
        pump(sessions, lambda: False, seconds)
        for s in sessions:
            ticks0, bytes0, switches0, t0 = start[s.name]
            wall = s.elapsed() - t0
            r = results[s.name]
            r.cpu_pct = 100.0 * (cpu_ticks(s.pid) - ticks0) / CLK_TCK / wall
            r.bps = (s.nbytes - bytes0) / wall
            r.wakeups = (context_switches(s.pid) - switches0) / wall
            r.writes = [(t - t0, n) for t, n in s.writes if t >= t0]
            r.after_rss = rss_mib(s.pid)
            r.peak_rss = rss_mib(s.pid, "VmHWM")
    finally:
        for s in sessions:
            s.stop()
    return results


# -- analytics and refresh -------------------------------------------------------------------


@dataclass
class RefreshResult:
    symbols: int
    seconds: list[float]
    rows_written: int
    new_rows: int
    message: str
    refreshed: Path
    """The last refreshed copy, kept: history up to the snapshot's last day."""


def time_refresh(
    base: Path, work: Path, series: dict[str, list[tuple]], runs: int
) -> RefreshResult:
    """run_refresh on fresh copies of the cache file at `base`, against recorded rows."""
    from tui.data.cache import Cache
    from tui.data.refresh import run_refresh

    provider = RecordedProvider(series)
    seconds = []
    outcome = None
    for i in range(runs):
        target = work / f"{base.parent.name}-refresh-{i}.sqlite"
        shutil.copyfile(base, target)
        with Cache(target) as cache:
            t = time.perf_counter()
            outcome = run_refresh(cache, provider, list(series), now=NOW)
            seconds.append(time.perf_counter() - t)
        if i < runs - 1:
            target.unlink()
    assert outcome is not None
    return RefreshResult(
        len(series), seconds, outcome.rows_written, outcome.new_rows, outcome.message, target
    )


@dataclass
class UIRefresh:
    """`refresh_app.py` runs for one universe: each run's JSON (see that script)."""

    symbols: int
    runs: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def phase(self, name: str) -> list[dict]:
        return [r[name] for r in self.runs if name in r]


def time_ui_refresh(apps: Apps, base_dir: Path, symbols: int, runs: int) -> UIRefresh:
    """Run `refresh_app.py` in a pseudo-terminal `runs` times on copies of `base_dir`."""
    import json

    result = UIRefresh(symbols)
    for i in range(runs):
        out = apps.root / f"ui-{symbols}.json"
        out.unlink(missing_ok=True)  # never read an earlier run's results
        work = apps.root / f"ui-work-{symbols}"
        argv = [
            sys.executable,
            str(REFRESH_APP),
            *("--base-cache", str(base_dir), "--work", str(work), "--out", str(out)),
            *("--symbols", str(symbols)),
        ]
        session = Session(f"refresh_app.py --symbols {symbols}", argv, apps.env).start()
        try:
            pump([session], lambda s=session: not s.alive, UI_TIMEOUT)
        finally:
            if session.alive:
                session.kill()
            session.close()
        data = json.loads(out.read_text()) if out.is_file() else None
        if data is None or "error" in data:
            why = (
                data["error"].strip().splitlines()[-1]
                if data
                else session.failure("in a UI refresh run (no results written)")
            )
            result.failures.append(why)
            print(f"benchmarks: refresh_app.py run {i + 1} failed: {why}", file=sys.stderr)
            continue
        for name in ("catch_up", "intraday"):
            for problem in data[name]["problems"]:
                result.failures.append(f"{name}: {problem}")
        result.runs.append(data)
        shutil.rmtree(work, ignore_errors=True)
    return result


def explain_stall(label: str, phases: list[dict]) -> str | None:
    """One line on the longest stall of the worst run, if it was over 50 ms: what the UI thread
    ran (the dashboard methods timed inside it), its CPU time, and garbage collections."""
    worst = max(phases, key=lambda p: p["stalls"]["max_ms"], default=None)
    if worst is None or not worst["blame"]:
        return None
    stall = max(worst["blame"], key=lambda b: b["late_ms"])
    steps = "; ".join(
        f"{s['what']} {s['wall_ms']:.0f} ms (UI CPU {s['ui_cpu_ms']:.0f})"
        for s in sorted(stall["ui_steps"], key=lambda s: -s["wall_ms"])[:2]
    )
    parts = stall["ui_parts_ms"]
    shown = [
        f"{name} {parts[name]:.0f} ms"
        for name in (
            "SectorTable._render_rows",
            "DataTable.update_cell",
            "DashboardScreen._draw_thesis",
            "DashboardScreen._draw_selected",
            "RSChart.render",
        )
        if parts.get(name, 0) >= 5
    ]
    text = f"{label}: the longest stall ({stall['late_ms']:.0f} ms) was {steps or 'no UI step'}"
    if shown:
        text += " — in it " + ", ".join(shown)
    if stall["gc"]:
        text += "; garbage collection " + ", ".join(stall["gc"])
    if stall.get("ui_thread"):
        u = stall["ui_thread"]
        text += (
            f". UI thread meanwhile: {u['on_cpu_ms']:.0f} ms on a CPU, {u['blocked_ms']:.0f} ms "
            f"blocked (the GIL, and up to {1000 * UI_TICK:g} ms of the ticker's own sleep), "
            f"{u['waiting_for_a_cpu_ms']:.0f} ms runnable but without a CPU (other processes)"
        )
    return text


@dataclass
class AnalyticsResult:
    symbols: int
    rows: int
    report: list[float]
    read: list[float]
    table: list[float]
    first_report: float
    default_report: list[float]
    default_symbols: int


def time_analytics(
    cache_path: Path, symbols: list[str], default_cache: Path, runs: int
) -> AnalyticsResult:
    from tui.analytics.table import build_table
    from tui.config import Config
    from tui.data.cache import Cache
    from tui.report import build_report

    def timed(fn: Callable[[], object]) -> float:
        gc.collect()  # every call starts from the same heap, whatever the previous one left
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    with Cache(cache_path) as cache:
        first = timed(lambda: build_report(cache, symbols, "SPY"))  # includes pandas' imports
        report = [timed(lambda: build_report(cache, symbols, "SPY")) for _ in range(runs)]
        # The 500 include the 33 real series, hence everything the regime rules read.
        read = [timed(lambda: cache.read_closes(symbols)) for _ in range(runs)]
        closes = cache.read_closes(symbols)
        table = [timed(lambda: build_table(closes, symbols, "SPY")) for _ in range(runs)]
        n_rows = int(closes.notna().sum().sum())
    table_symbols = Config().table_symbols()
    with Cache(default_cache) as cache:
        default = [timed(lambda: build_report(cache, table_symbols, "SPY")) for _ in range(runs)]
    return AnalyticsResult(
        len(symbols), n_rows, report, read, table, first, default, len(table_symbols)
    )


# -- the table -------------------------------------------------------------------------------


def med(values: Sequence[float | None]) -> float | None:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None


def secs(values: Sequence[float | None] | float | None, spread: bool = True) -> str:
    if values is None:
        return "—"
    if isinstance(values, int | float):
        return f"{values:.3f} s"
    clean = [v for v in values if v is not None]
    if not clean:
        return "—"
    text = f"{statistics.median(clean):.3f} s"
    if spread and len(clean) > 1:
        text += f" ({min(clean):.3f}–{max(clean):.3f})"
    if len(clean) < len(values):
        text += f" [{len(values) - len(clean)} failed]"
    return text


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "—"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("ok" if ok else "MISSED")


def mib(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} MiB"


def render(header: list[str], sections: list[tuple[str, list[tuple[str, ...]]]]) -> str:
    columns = ("Figure", "rotmon", "minimal app", "ratio", "target", "")
    rows = [r for _, body in sections for r in body]
    widths = [max(len(columns[i]), *(len(r[i]) for r in rows)) for i in range(len(columns))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [
            c.rjust(w) if i < 4 else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells[1:], widths[1:], strict=True), start=1)
        ]
        return "  ".join([first, *rest]).rstrip()

    total = sum(widths) + 2 * (len(widths) - 1)
    out = [*header, "", line(columns), "─" * total]
    for title, body in sections:
        out.append(title)
        out.extend(line(r) for r in body)
    out.append("─" * total)
    return "\n".join(out)


# -- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--idle-seconds", type=float, default=None, help="idle window (default 60; 10 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="short idle, fewer repeats")
    parser.add_argument(
        "--runs", type=int, default=None, help="start-ups of each kind (default 9; 3 with --quick)"
    )
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        raise SystemExit("benchmarks: Linux only (/proc and pseudo-terminals)")
    idle_seconds = args.idle_seconds
    if idle_seconds is None:
        idle_seconds = 10.0 if args.quick else 60.0
    runs = args.runs if args.runs is not None else (3 if args.quick else 9)
    calc_runs = 3 if args.quick else 7
    if runs < 1 or idle_seconds <= 0:
        parser.error("--runs and --idle-seconds must be positive")

    begun = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="rotmon-bench-"))
    old_term = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return _run(root, idle_seconds, runs, calc_runs, begun, args.quick)
    except KeyboardInterrupt:
        print("benchmarks: interrupted", file=sys.stderr)
        return 130
    finally:
        stop_all()
        shutil.rmtree(root, ignore_errors=True)
        signal.signal(signal.SIGTERM, old_term)


def _run(
    root: Path, idle_seconds: float, runs: int, calc_runs: int, begun: float, quick: bool
) -> int:
    def progress(text: str) -> None:
        print(f"[{time.perf_counter() - begun:6.1f} s] {text}", file=sys.stderr, flush=True)

    apps = Apps(root)
    header = [
        "Rotation Monitor benchmarks" + (" (--quick)" if quick else ""),
        *machine_lines(),
        f"Apps in a pseudo-terminal {COLS}x{ROWS}, TERM=xterm-256color, default config, "
        f"`rotmon --offline`; start-ups: median (min–max) of {runs} runs each, interleaved",
    ]

    # 1-2. Start-up.
    progress("filling the warm cache (one dashboard run, settled 5 s)…")
    warm = fill_warm_cache(apps)
    start_once(apps.minimal())  # warm the page cache for Textual's files too
    results: dict[str, list[StartRun]] = {"warm": [], "cold": [], "minimal": []}
    kinds = list(results)
    for i in range(runs):
        progress(f"start-up run {i + 1}/{runs}…")
        for kind in kinds[i % 3 :] + kinds[: i % 3]:  # rotate the order run to run
            cold = apps.new_dir("cold-cache") if kind == "cold" else None
            session = apps.minimal() if kind == "minimal" else apps.rotmon(cold or warm)
            results[kind].append(start_once(session))
            if cold is not None:
                shutil.rmtree(cold, ignore_errors=True)

    progress(f"cold start left to settle {SETTLE_SECONDS:.0f} s…")
    cold = apps.new_dir("cold-cache")
    cold_settle, cold_cpu = settle_once(apps.rotmon(cold))
    shutil.rmtree(cold, ignore_errors=True)

    progress("import times…")
    import_runs = 5 if quick else 9
    imports = import_seconds(
        {"rotmon": "tui.cli, tui.app.app", "minimal": "minimal_app"}, apps.env, import_runs
    )
    imp_rotmon, imp_minimal = imports["rotmon"], imports["minimal"]

    # 3 + 6. Idle and memory, both apps side by side.
    progress(f"idle: both apps started, settle {SETTLE_SECONDS:.0f} s, watch {idle_seconds:.0f} s…")
    idle = measure_idle([apps.rotmon(warm), apps.minimal()], idle_seconds)

    # 4-5. Analytics and refresh, in this process.
    progress("analytics: building the 500-symbol cache…")
    real = snapshot_series()
    cutoff = cutoff_day(real)  # the cache under refresh lacks the last NEW_DAYS days
    big = last_years(derived_series(real, N_SYMBOLS), first_day(real))
    # Each base cache in a dir of its own: copies take the whole dir, whatever files it holds.
    small_base, big_base = root / "default" / "rotmon.sqlite", root / "big" / "rotmon.sqlite"
    small_base.parent.mkdir()
    big_base.parent.mkdir()
    build_cache(small_base, real, cutoff)
    build_s, big_rows = build_cache(big_base, big, cutoff)
    progress("refresh: default universe and 500 symbols…")
    refresh_runs = 3 if quick else 5
    work = apps.new_dir("refresh")
    from tui.config import Config

    universe = Config().symbols()
    ref_small = time_refresh(
        small_base, work, {s: real[s] for s in universe if s in real}, refresh_runs
    )
    ref_big = time_refresh(big_base, work, big, refresh_runs)
    # The refreshed copies hold history up to the snapshot's last day: the analytics read them.
    progress("analytics: build_report…")
    analytics = time_analytics(ref_big.refreshed, list(big), ref_small.refreshed, calc_runs)
    del big, real

    # 7. The app refreshing in a pseudo-terminal: UI stalls.
    ui_runs = 2 if quick else 5
    ui = {0: UIRefresh(len(universe)), N_SYMBOLS: UIRefresh(N_SYMBOLS)}
    for i in range(ui_runs):
        progress(f"UI during a refresh, run {i + 1}/{ui_runs}: {len(universe)} and 500 symbols…")
        for n, base in ((0, small_base), (N_SYMBOLS, big_base)):
            one = time_ui_refresh(apps, base.parent, n, 1)
            ui[n].runs += one.runs
            ui[n].failures += one.failures

    # -- the table
    w, c, m = results["warm"], results["cold"], results["minimal"]
    rot, mini = idle["rotmon"], idle["minimal"]

    def col(rs: list[StartRun], attr: str) -> list[float | None]:
        return [getattr(r, attr) for r in rs]

    def gap(rs: list[StartRun]) -> list[float | None]:
        return [
            None if r.figures is None or r.first_byte is None else r.figures - r.first_byte
            for r in rs
        ]

    def row(label: str, *cells: str) -> tuple[str, ...]:
        return (label, *cells, *[""] * (5 - len(cells)))

    def side(label: str, a: list[float | None], b: list[float | None]) -> tuple[str, ...]:
        return row(label, secs(a), secs(b), ratio(med(a), med(b)))

    def startup(rs: list[StartRun], target: float) -> list[tuple[str, ...]]:
        fig, m_fig = med(col(rs, "figures")), med(col(m, "figures"))
        ok = None if fig is None or not m_fig else fig / m_fig <= target
        return [
            side("  first output byte", col(rs, "first_byte"), col(m, "first_byte")),
            side(
                "  first paint (first cursor-addressed write)",
                col(rs, "first_paint"),
                col(m, "first_paint"),
            ),
            row(
                "  first frame with figures",
                secs(col(rs, "figures")),
                secs(col(m, "figures")),
                ratio(fig, m_fig),
                f"≤ {target:g}×",
                verdict(ok),
            ),
            side("  of which: first byte → figures", gap(rs), gap(m)),
        ]

    def settle(r: IdleResult) -> str:
        return "—" if r.last_settle_write is None else f"+{r.last_settle_write:.2f} s"

    def writes(r: IdleResult) -> str:
        return f"{len(r.writes)} ({sum(n for _, n in r.writes)} B)"

    def ms(values: Sequence[float]) -> str:
        if not values:
            return "—"
        text = f"{statistics.median(values):.0f} ms"
        return text + (f" ({min(values):.0f}–{max(values):.0f})" if len(values) > 1 else "")

    phase_titles = {"catch_up": "catch-up", "intraday": "intraday"}

    def ui_rows(r: UIRefresh) -> list[tuple[str, ...]]:
        out = []
        for name, title in phase_titles.items():
            ps = r.phase(name)
            if not ps:
                out.append(row(f"  {r.symbols} symbols, {title}: no run succeeded", "—"))
                continue
            stalls = [p["stalls"]["max_ms"] for p in ps]
            ticks = [x for p in ps for x in p["late_ms"]]
            p99 = sorted(ticks)[min(len(ticks) - 1, int(0.99 * len(ticks)))] if ticks else 0.0
            over = sum(x > TARGETS["stall"] for x in ticks)
            out += [
                row(
                    f"  {r.symbols} symbols, {title} ({ps[0]['rows_written']:,} rows): "
                    "refresh → figures painted",
                    secs([p["painted_s"] for p in ps]),
                ),
                row(
                    "    longest UI stall (the event loop late)",
                    ms(stalls),
                    "",
                    "",
                    f"≤ {TARGETS['stall']:g} ms",
                    verdict(max(stalls) <= TARGETS["stall"]),
                ),
                row(
                    f"    p99 stall over all runs' ticks (n={len(ticks)}); stalls > 100 ms",
                    f"{p99:.0f} ms; {over}",
                ),
                row(
                    "    longest frame (layout, compositor, render)",
                    ms([p["frames"]["max_ms"] for p in ps]),
                ),
            ]
        return out

    a = analytics
    rest = max(0.0, (med(a.report) or 0) - (med(a.read) or 0) - (med(a.table) or 0))
    sections: list[tuple[str, list[tuple[str, ...]]]] = [
        ("Start-up, warm cache (filled by a previous run)", startup(w, TARGETS["warm"])),
        ("Start-up, cold: a new empty cache dir each run", startup(c, TARGETS["cold"])),
        (
            "Start-up, parts",
            [
                row("  import app modules (python -c, minus bare python)", secs(imp_rotmon),
                    secs(imp_minimal), ratio(imp_rotmon, imp_minimal)),
                row("  CPU time from launch to settled, warm", secs(rot.startup_cpu),
                    secs(mini.startup_cpu), ratio(rot.startup_cpu, mini.startup_cpu)),
                row("  last output after the first figures, warm", settle(rot), settle(mini)),
                row("  the same, cold (one run)", "—" if cold_settle is None
                    else f"+{cold_settle:.2f} s"),
                row("  CPU time from launch to settled, cold (one run)", secs(cold_cpu)),
                row("  quit: 'q' to process exit (warm runs)", secs(col(w, "quit")),
                    secs(col(m, "quit"))),
            ],
        ),
        (
            f"Idle: {idle_seconds:g} s from {SETTLE_SECONDS:g} s after the figures, "
            "both apps side by side",
            [
                row("  CPU (utime+stime incl. children, % of one core)", f"{rot.cpu_pct:.3f} %",
                    f"{mini.cpu_pct:.3f} %", "", f"< {TARGETS['cpu']:g} %",
                    verdict(rot.cpu_pct < TARGETS["cpu"])),
                row("  bytes written to the terminal", f"{rot.bps:.1f} B/s", f"{mini.bps:.1f} B/s",
                    "", f"< {TARGETS['bps']:g} B/s", verdict(rot.bps < TARGETS["bps"])),
                row("  terminal writes (bytes)", writes(rot), writes(mini)),
                row("  wake-ups (context switches of all threads)", f"{rot.wakeups:.1f} /s",
                    f"{mini.wakeups:.1f} /s"),
                row("  threads", rot.threads, mini.threads),
            ],
        ),
        (
            "Memory (VmRSS)",
            [
                row("  at the first figures", mib(rot.figures_rss), mib(mini.figures_rss)),
                row(f"  settled ({SETTLE_SECONDS:g} s after the figures)", mib(rot.settled_rss),
                    mib(mini.settled_rss), ratio(rot.settled_rss, mini.settled_rss)),
                row(f"  after the {idle_seconds:g} s idle", mib(rot.after_rss),
                    mib(mini.after_rss), ratio(rot.after_rss, mini.after_rss)),
                row("  peak (VmHWM)", mib(rot.peak_rss), mib(mini.peak_rss)),
            ],
        ),
        (
            f"Analytics: {a.symbols} symbols × {YEARS} y daily ({a.rows:,} closes), "
            f"median of {calc_runs}",
            [
                row(f"  build_report(cache, {a.symbols} symbols, 'SPY')", secs(a.report), "", "",
                    f"< {TARGETS['report']:g} s",
                    verdict((med(a.report) or 0) < TARGETS["report"])),
                row("    cache.read_closes", secs(a.read)),
                row("    analytics.table.build_table", secs(a.table)),
                row("    the rest (regime rules, catalysts…: the difference)", secs(rest)),
                row("  the same, first call in a process (+ imports)", secs(a.first_report)),
                row(f"  build_report, default universe ({a.default_symbols} symbols)",
                    secs(a.default_report)),
                row(f"  building that cache: upsert_prices, {big_rows:,} rows", secs(build_s)),
            ],
        ),
        (
            f"Refresh: run_refresh on a cache {NEW_DAYS} trading days behind (to {cutoff}), "
            f"recorded provider, median of {refresh_runs}",
            [
                row(f"  {r.symbols} symbols: {r.rows_written:,} rows written "
                    f"({r.new_rows:,} new + overlap)", secs(r.seconds))
                for r in (ref_small, ref_big)
            ],
        ),
        (
            "UI during a refresh: refresh_app.py in a pseudo-terminal, recorded provider; "
            f"median (min–max) of {ui_runs}",
            [*ui_rows(ui[0]), *ui_rows(ui[N_SYMBOLS])],
        ),
    ]  # fmt: skip

    print(render(header, sections))
    notes = []
    for name, r in (("rotmon", rot), ("minimal app", mini)):
        if r.writes:
            times = ", ".join(f"+{t:.1f} s ({n} B)" for t, n in r.writes[:8])
            more = f" and {len(r.writes) - 8} more" if len(r.writes) > 8 else ""
            notes.append(f"{name} wrote to the terminal while idle at {times}{more}")
    killed = [k for k, rs in results.items() if any(r.quit is None for r in rs)]
    if killed:
        notes.append("had to be killed after 'q' (start-ups): " + ", ".join(killed))
    notes.append(
        f"CPU resolution: 1 tick = {100 / CLK_TCK / idle_seconds:.3f} % over the idle window; "
        "wake-ups include Textual's input thread, which polls every 0.1 s"
    )
    notes.append(f"refresh, 500 symbols: {ref_big.message}")
    notes.append(
        f"UI refresh: catch-up = the refresh the app starts once it has loaded a cache "
        f"{NEW_DAYS} trading days behind; intraday = the next one, as the 5-minute timer starts "
        f"it, in which only today's closes moved. A stall is how late a {1000 * UI_TICK:g} ms "
        "sleep on the app's event loop woke up: no frame painted, no key handled meanwhile"
    )
    explained = []
    for r in (ui[0], ui[N_SYMBOLS]):
        notes.extend(f"UI refresh, {r.symbols} symbols, failed: {f}" for f in r.failures[:3])
        for name, title in phase_titles.items():
            ps = r.phase(name)
            line = explain_stall(f"UI refresh, {r.symbols} symbols, {title}", ps)
            if line:
                explained.append((max(p["stalls"]["max_ms"] for p in ps), line))
    over = [line for worst, line in explained if worst > TARGETS["stall"]]
    notes.extend(over or [line for _, line in sorted(explained, reverse=True)[:1]])
    busy = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    notes.append(
        f"total run time {time.perf_counter() - begun:.0f} s; load average at the end {busy} "
        "(other busy processes make the start-up figures noisy: compare the min–max ranges)"
    )
    for note in notes:
        print("· " + note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
