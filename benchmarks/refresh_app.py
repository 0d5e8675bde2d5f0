"""The dashboard refreshing in a real terminal: how long the UI stalls while it does.

    python benchmarks/refresh_app.py --base-cache DIR --work DIR2 --out result.json
        [--symbols 500] [--profile] [--cprofile]

`run.py` starts this script in a pseudo-terminal, as it starts `rotmon`; run by hand it takes
over your terminal for a few seconds. It runs the real `RotmonApp`, not headless: Textual's
Linux driver renders every frame and writes it to the terminal. The cache is a copy of
DIR/rotmon.sqlite, which holds the recorded rows up to `NEW_DAYS` trading days before the
snapshot's end, marked as already seeded so that start-up does not fill the gap from the bundled
snapshot. The config is the default one, or with `--symbols N` the default groups plus groups of
scaled copies of the real series (`recorded.derived_series`) up to N symbols. The provider serves
the recorded rows (no network). Two refreshes are timed:

1. **catch-up**: the refresh the app starts by itself once the cache is loaded. The provider holds
   that fetch until the app has loaded, every other worker has finished and the screen has gone
   quiet, then answers it with the `NEW_DAYS` missing days (and the overlap), as Yahoo would for
   a cache a week behind.
2. **intraday**: a refresh as the 5-minute timer starts it (`app.action_refresh()`), in which
   only today's bar moved (the last day's closes up 0.1 %): no new rows, but every row of the
   table changes.

Each time the app does what it does on every refresh: `refresh_data` runs `run_refresh` and then
`build_report` in thread workers, and the UI thread shows the new report.

Inside the process, on the app's event loop, a task sleeps `TICK` seconds in a loop and records
how late each wake-up is. A late wake-up is time in which the UI could neither paint nor answer
a key, whether the UI thread was busy or waiting for the GIL. Around it, Textual's screen update
(layout, compositor, render to a terminal string: one frame), every event-loop step longer than
`SLOW_STEP` (with the UI thread's own CPU time in it and the messages it dispatched) and the
dashboard's own `show…` methods are timed. `--profile` adds a thread that samples every thread's
stack while the loop is late, to name what held the GIL; `--cprofile` runs cProfile over the UI
thread's loop steps in the window (both slow the app down: use them to find causes, not for
figures). Results go to `--out` as JSON; nothing is printed.

A phase's window runs from the trigger to the end of the last frame painted after the refreshed
report reached the app (frames then stop for `QUIET` seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import gc
import json
import os
import shutil
import statistics
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

from recorded import (
    NEW_DAYS,
    NOW,
    OVERLAP_DAYS,
    RecordedProvider,
    cutoff_day,
    derived_series,
    snapshot_series,
)

TICK = 0.005  # the probe's sleep
SLOW_STEP = 0.010  # event-loop steps longer than this are recorded
QUIET = 0.5  # no frame for this long: the screen has settled
BASELINE = 1.0  # seconds of idle ticks before the first refresh: the noise floor
TIMEOUT = 120.0
STALL_LIMIT = 0.100  # the target: the UI never stalls longer than this
BLAME_OVER = 0.050  # stalls longer than this are explained in "blame" (--blame-over)
SAMPLE_EVERY = 0.002  # --profile: how often the sampler looks at the loop
SAMPLE_LATE = 0.020  # --profile: the loop is this late: sample every thread's stack
INTRADAY_MOVE = 1.001  # the intraday refresh: the last day's closes move by this factor

# The UI-thread methods a report goes through (module, class, method), timed one by one.
PARTS = (
    ("tui.app.app", "RotmonApp", "on_report_ready"),
    ("tui.app.app", "RotmonApp", "on_refresh_started"),
    ("tui.app.app", "RotmonApp", "on_refresh_done"),
    ("tui.app.screens.dashboard", "DashboardScreen", "show_report"),
    ("tui.app.screens.dashboard", "DashboardScreen", "show_status"),
    ("tui.app.screens.dashboard", "DashboardScreen", "show_catalysts"),
    ("tui.app.screens.dashboard", "DashboardScreen", "_draw_selected"),
    ("tui.app.screens.dashboard", "DashboardScreen", "_draw_thesis"),
    ("tui.app.widgets.sector_table", "SectorTable", "show"),
    ("tui.app.widgets.sector_table", "SectorTable", "on_resize"),
    ("tui.app.widgets.sector_table", "SectorTable", "_render_rows"),
    ("tui.app.widgets.sector_table", "SectorTable", "_rebuild"),
    ("tui.app.widgets.regime", "RegimePane", "show"),
    ("tui.app.widgets.catalysts", "CatalystsTable", "show"),
    ("tui.app.widgets.rs_chart", "RSChart", "render"),
    ("textual.widgets._data_table", "DataTable", "update_cell"),
)
WATCHED = ("RefreshStarted", "RefreshDone", "ReportReady")

perf = time.perf_counter


class Probe:
    """What is measured in the app process (perf_counter seconds)."""

    def __init__(self) -> None:
        self.ticks: list[tuple[float, float]] = []  # (wake-up, lateness)
        # Per tick, from the UI thread's /proc schedstat: (seconds on a CPU, seconds runnable
        # but waiting for a CPU that other processes had). The rest of a late tick is time the
        # thread was blocked: waiting for the GIL.
        self.sched: dict[float, tuple[float, float]] = {}
        self.frames: list[tuple[float, float]] = []  # (start, duration) of a screen update
        self.steps: list[tuple[float, float, float, str]] = []  # (start, wall, UI CPU, what)
        self.messages: list[tuple[float, float, str, Any]] = []  # (start, end, name, message)
        self.parts: dict[str, list[tuple[float, float]]] = {}  # name -> (start, duration)
        self.samples: list[tuple[float, dict[str, list[str]]]] = []
        self.gcs: list[tuple[float, float, int, str, int]] = []  # start, wall, gen, thread, freed
        self._gc_start = 0.0
        self.beat = perf()
        self.running = True
        self.sampling = False
        self.names: list[str] | None = None  # what the current loop step dispatched
        self.profiler: cProfile.Profile | None = None


PROBE = Probe()


# -- instruments: each wrapper calls the original, nothing else changes -----------------------


def instrument() -> None:
    """Time asyncio's callbacks (loop steps), Textual's message dispatch and screen updates,
    and the dashboard methods in PARTS."""
    from textual.message_pump import MessagePump
    from textual.screen import Screen

    handle_run = asyncio.events.Handle._run

    def run(handle: asyncio.Handle) -> None:
        names: list[str] = []
        PROBE.names = names
        profiler = PROBE.profiler
        t, cpu = perf(), time.thread_time()
        try:
            if profiler is None:
                handle_run(handle)
            else:
                profiler.runcall(handle_run, handle)
        finally:
            wall = perf() - t
            PROBE.names = None
            if wall > SLOW_STEP:
                PROBE.steps.append((t, wall, time.thread_time() - cpu, _what(handle, names)))

    asyncio.events.Handle._run = run  # type: ignore[method-assign]

    dispatch = MessagePump._dispatch_message

    async def dispatch_message(self: MessagePump, message: Any) -> None:
        name = type(message).__name__
        if PROBE.names is not None:
            PROBE.names.append(f"{name} → {type(self).__name__}")
        t = perf()
        await dispatch(self, message)
        if name in WATCHED:
            PROBE.messages.append((t, perf(), name, message))

    MessagePump._dispatch_message = dispatch_message  # type: ignore[method-assign]

    update = Screen._on_timer_update

    def on_timer_update(self: Screen) -> None:
        if PROBE.names is not None:
            PROBE.names.append(f"screen update ({type(self).__name__})")
        t = perf()
        update(self)
        PROBE.frames.append((t, perf() - t))

    Screen._on_timer_update = on_timer_update  # type: ignore[method-assign]

    gc.callbacks.append(_gc_callback)

    for module, cls_name, method in PARTS:
        cls = getattr(import_module(module), cls_name, None)
        original = cls.__dict__.get(method) if cls is not None else None
        if callable(original):  # a renamed method is just not timed
            setattr(cls, method, _timed(f"{cls_name}.{method}", original))


def _gc_callback(phase: str, info: dict[str, int]) -> None:
    """Each garbage collection: when, how long, which generation, on which thread."""
    if phase == "start":
        PROBE._gc_start = perf()
    else:
        t = PROBE._gc_start
        thread = threading.current_thread().name
        PROBE.gcs.append((t, perf() - t, info["generation"], thread, info["collected"]))


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    calls = PROBE.parts.setdefault(name, [])

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        t = perf()
        try:
            return fn(*args, **kwargs)
        finally:
            calls.append((t, perf() - t))

    return timed


def _what(handle: asyncio.Handle, names: list[str]) -> str:
    """A loop step in words: the messages it dispatched (counted), else its task or callback."""
    if names:
        counts = Counter(names)
        return ", ".join(f"{n} ×{c}" if c > 1 else n for n, c in counts.most_common(4))
    callback = handle._callback  # type: ignore[attr-defined]
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        return f"task {task.get_name()}"
    return getattr(callback, "__qualname__", repr(callback))[:80]


async def ticker() -> None:
    """Sleep TICK in a loop; record how late each wake-up is, and how the UI thread spent it."""
    try:
        fd = os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)
    except OSError:
        fd = -1

    def sched() -> tuple[int, int]:
        if fd < 0:
            return 0, 0
        cpu, runnable, *_ = os.pread(fd, 128, 0).split()
        return int(cpu), int(runnable)

    try:
        while PROBE.running:
            t, (cpu0, wait0) = perf(), sched()
            await asyncio.sleep(TICK)
            now, (cpu1, wait1) = perf(), sched()
            PROBE.beat = now
            PROBE.ticks.append((now, now - t - TICK))
            if fd >= 0 and now - t - TICK > BLAME_OVER:
                PROBE.sched[now] = ((cpu1 - cpu0) / 1e9, (wait1 - wait0) / 1e9)
    finally:
        if fd >= 0:
            os.close(fd)


def _stack_path(path: str) -> str:
    """A source path from its package root: tui/…, textual/…, pandas/…, asyncio/…"""
    if "/tui/" in path:
        return "tui/" + path.rsplit("/tui/", 1)[1]
    for marker in ("/site-packages/", "/lib/python3.11/", "/benchmarks/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _stack(frame: Any, depth: int = 40) -> list[str]:
    """'path:function:line' from the innermost frame out."""
    out = []
    while frame is not None and len(out) < depth:
        code = frame.f_code
        out.append(f"{_stack_path(code.co_filename)}:{code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return out


def sampler() -> None:
    """--profile: while the loop is late, or this thread itself could not run (someone held
    the GIL), record every other thread's stack."""
    me = threading.get_ident()
    last = perf()
    while PROBE.running:
        time.sleep(SAMPLE_EVERY)
        now = perf()
        if PROBE.sampling and (now - last > 10 * SAMPLE_EVERY or now - PROBE.beat > SAMPLE_LATE):
            names = {t.ident: t.name for t in threading.enumerate()}
            stacks = {
                names.get(ident, str(ident)): _stack(frame)
                for ident, frame in sys._current_frames().items()
                if ident != me
            }
            PROBE.samples.append((now, stacks))
        last = now


# -- the app's inputs --------------------------------------------------------------------------


class GatedProvider(RecordedProvider):
    """RecordedProvider whose fetches wait until `release()`; after `move_today()` the last day's
    closes are up by INTRADAY_MOVE, as when today's bar moves during the session."""

    def __init__(self, rows: dict[str, list[tuple]], since: date) -> None:
        super().__init__(rows)
        self.since = since
        self.waiting = threading.Event()
        self.go = threading.Event()
        self.asked: list[tuple[int, str]] = []

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> Any:
        self.waiting.set()
        self.go.wait()
        if start < self.since:  # rows before `since` were not kept: fail loudly
            raise RuntimeError(f"benchmark provider asked from {start}, holds from {self.since}")
        self.asked.append((len(symbols), start.isoformat()))
        return super().fetch(symbols, start, end)

    def release(self) -> None:
        self.go.set()

    def move_today(self) -> None:
        for symbol, rows in self.rows.items():
            if rows:
                last = rows[-1]
                moved = [None if v is None else v * INTRADAY_MOVE for v in last[5:7]]
                rows[-1] = (*last[:5], *moved, last[7])
                self.rows[symbol] = rows


def universe(n: int, real: dict[str, list[tuple]], since: date) -> tuple[Any, dict]:
    """The config (default groups, plus groups of 50 scaled copies up to `n` symbols) and the
    recorded rows from `since` on."""
    from tui.config import Config, Group

    tail = {s: [r for r in rows if r[1] >= since.isoformat()] for s, rows in real.items()}
    config = Config()
    have = set(config.symbols())
    if n <= len(have):
        return config, tail
    series = derived_series(tail, n)  # the same names and factors as the cache under test
    extra = [s for s in series if s not in have][: n - len(have)]
    groups = [
        Group(f"Copies {i // 50 + 1}", tuple(extra[i : i + 50])) for i in range(0, len(extra), 50)
    ]
    return Config(groups=(*config.groups, *groups)), series


def prepare_cache(base: Path, work: Path) -> Path:
    """A copy of the base cache dir, marked as seeded from the bundled snapshot (as a cache
    that has been in use is), so that start-up does not fill the days the refresh must bring."""
    from tui.data.cache import Cache
    from tui.data.snapshot import _SEED_META_PREFIX, FACTORS_FILE, PRICES_FILE

    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(base, work)
    path = work / "rotmon.sqlite"
    with Cache(path) as cache:
        for bundled in (PRICES_FILE, FACTORS_FILE):  # the factor ETFs have a file of their own
            state = {"size": bundled.stat().st_size, "symbols": [], "complete": True}
            cache.set_meta(_SEED_META_PREFIX + bundled.name, json.dumps(state))
    return path


# -- figures ---------------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def stall_figures(ticks: Sequence[tuple[float, float]]) -> dict[str, Any]:
    late = [x for _, x in ticks]
    return {
        "ticks": len(late),
        "max_ms": 1000 * max(late, default=0.0),
        "p99_ms": 1000 * pct(late, 0.99),
        "p50_ms": 1000 * pct(late, 0.50),
        "over_100": sum(x > STALL_LIMIT for x in late),
        "over_50": sum(x > 0.050 for x in late),
        "total_over_20_ms": 1000 * sum(x for x in late if x > 0.020),
    }


def blame(t0: float, end: float) -> list[dict[str, Any]]:
    """Each wake-up later than BLAME_OVER in the window: the slow loop steps inside it, the timed
    dashboard methods, and (with --profile) where the other threads were meanwhile."""
    out = []
    for wake, late in PROBE.ticks:
        if not (t0 <= wake <= end) or late <= BLAME_OVER:
            continue
        lo = wake - late - TICK
        steps = [
            {"wall_ms": 1000 * w, "ui_cpu_ms": 1000 * c, "what": what}
            for s, w, c, what in PROBE.steps
            if s < wake and s + w > lo
        ]
        parts = {
            name: round(1000 * sum(d for s, d in calls if lo <= s < wake), 1)
            for name, calls in PROBE.parts.items()
            if any(lo <= s < wake for s, _ in calls)
        }
        gcs = [
            f"gen {g} on {thread}: {1000 * w:.1f} ms"
            for s, w, g, thread, _ in PROBE.gcs
            if s < wake and s + w > lo and w > 0.002
        ]
        threads: dict[str, Counter[str]] = {}
        for at, stacks in PROBE.samples:
            if lo <= at <= wake:
                for thread, stack in stacks.items():
                    threads.setdefault(thread, Counter())[_where(stack)] += 1
        cpu, runnable = PROBE.sched.get(wake, (None, None))
        ui_thread = None
        if cpu is not None and runnable is not None:
            span = late + TICK
            ui_thread = {
                "on_cpu_ms": round(1000 * cpu, 1),
                "waiting_for_a_cpu_ms": round(1000 * runnable, 1),  # other processes
                "blocked_ms": round(1000 * max(0.0, span - cpu - runnable), 1),  # GIL (+ sleep)
            }
        out.append(
            {
                "at_ms": 1000 * (wake - t0),
                "late_ms": 1000 * late,
                "ui_thread": ui_thread,
                "ui_steps": steps,
                "ui_parts_ms": parts,
                "gc": gcs,
                "threads": {t: c.most_common(4) for t, c in threads.items()},
            }
        )
    return out


def _where(stack: list[str]) -> str:
    """The innermost frame, and the innermost rotmon frame if that is another one."""
    if not stack:
        return "?"
    ours = next((f for f in stack if f.startswith("tui/")), None)
    return stack[0] if ours in (None, stack[0]) else f"{stack[0]} ← {ours}"


def top_functions(profiler: cProfile.Profile, limit: int = 40) -> list[str]:
    """--cprofile: the functions that took most of the UI thread's time (cumulative)."""
    import pstats

    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = sorted(stats.items(), key=lambda item: -item[1][3])
    return [
        f"{1000 * cum:8.1f} ms cum {1000 * own:7.1f} ms own {calls:7d}× "
        f"{_stack_path(path)}:{line}:{func}"
        for (path, line, func), (_cc, calls, own, cum, _callers) in rows[:limit]
    ]


# -- the run -----------------------------------------------------------------------------------


async def wait_until(test: Callable[[], bool], what: str) -> None:
    deadline = perf() + TIMEOUT
    while not test():
        if perf() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def idle_workers(app: Any) -> None:
    """Until no worker runs but the refresh held at the provider's gate: what the start-up (or
    the previous refresh) set going in the background (the breadth, the digest, the track
    record, the holdings) has finished, so a phase's window holds its own refresh only."""
    await wait_until(
        lambda: not any(w.is_running and w.group != "refresh" for w in app.workers),
        "the other workers",
    )


async def quiet(seconds: float) -> None:
    """Until no frame has ended for `seconds`."""
    deadline = perf() + TIMEOUT
    while perf() - max((t + d for t, d in PROBE.frames), default=0.0) < seconds:
        if perf() > deadline:
            raise TimeoutError("the screen never went quiet")
        await asyncio.sleep(0.05)


async def phase(
    app: Any, trigger: Callable[[], None], n_symbols: int, expect_new: int, args: Any
) -> dict[str, Any]:
    """Trigger a refresh; time it until its report is painted and the screen is quiet."""
    if args.cprofile:
        PROBE.profiler = cProfile.Profile()
    PROBE.sampling = args.profile
    t0 = perf()
    trigger()

    def arrived(name: str) -> tuple[float, float, str, Any] | None:
        return next((m for m in PROBE.messages if m[0] >= t0 and m[2] == name), None)

    await wait_until(lambda: arrived("RefreshDone") is not None, "RefreshDone")
    done = arrived("RefreshDone")
    assert done is not None
    outcome = done[3].outcome
    if outcome.rows_written or outcome.readjusted:
        await wait_until(lambda: arrived("ReportReady") is not None, "the new report")
    report = arrived("ReportReady")
    shown = report[1] if report else done[1]
    await quiet(QUIET)
    profiler, PROBE.profiler = PROBE.profiler, None
    PROBE.sampling = False
    painted = max((t + d for t, d in PROBE.frames if t + d >= shown), default=shown)
    first = min((t + d for t, d in PROBE.frames if t >= shown), default=None)
    window = [(w, x) for w, x in PROBE.ticks if t0 <= w <= painted]
    frames = [d for t, d in PROBE.frames if t0 <= t <= painted]
    steps = sorted((s for s in PROBE.steps if t0 <= s[0] <= painted), key=lambda s: -s[1])
    parts = {
        name: {
            "calls": len(inside),
            "total_ms": 1000 * sum(inside),
            "max_ms": 1000 * max(inside),
        }
        for name, calls in PROBE.parts.items()
        if (inside := [d for s, d in calls if t0 <= s <= painted])
    }
    gcs = [(s, w, g, th) for s, w, g, th, _ in PROBE.gcs if t0 <= s <= painted]
    problems = []
    if outcome.problem or outcome.failed:
        problems.append(f"refresh problem: {outcome.message}")
    if outcome.new_rows != expect_new:
        problems.append(f"expected {expect_new} new rows, got {outcome.new_rows}")
    if not outcome.rows_written:
        problems.append("the refresh wrote nothing")
    return {
        "symbols": n_symbols,
        "rows_written": outcome.rows_written,
        "new_rows": outcome.new_rows,
        "message": outcome.message,
        "problems": problems,
        "refresh_done_s": done[1] - t0,
        "report_shown_s": None if report is None else report[1] - t0,
        "first_frame_after_report_s": None if first is None else first - t0,
        "painted_s": painted - t0,
        "stalls": stall_figures(window),
        "late_ms": [round(1000 * x, 2) for _, x in window],
        "frames": {
            "count": len(frames),
            "max_ms": 1000 * max(frames, default=0.0),
            "p99_ms": 1000 * pct(frames, 0.99),
            "median_ms": 1000 * statistics.median(frames) if frames else 0.0,
        },
        "slow_steps": [
            {"at_ms": 1000 * (s - t0), "wall_ms": 1000 * w, "ui_cpu_ms": 1000 * c, "what": what}
            for s, w, c, what in steps[:8]
        ],
        "ui_parts": parts,
        "gc": {
            "count": len(gcs),
            "total_ms": 1000 * sum(w for _, w, _, _ in gcs),
            "longest": [
                f"gen {g} on {th}: {1000 * w:.1f} ms at {1000 * (s - t0):.0f} ms"
                for s, w, g, th in sorted(gcs, key=lambda x: -x[1])[:5]
            ],
        },
        "blame": blame(t0, painted),
        "ui_thread_profile": top_functions(profiler) if profiler else [],
    }


def autopilot(app: Any, provider: GatedProvider, args: Any) -> Callable[[Any], Any]:
    """Wait for the load, run both phases, write the results, quit."""

    async def pilot(_pilot: Any) -> None:
        result: dict[str, Any] = {"profile": args.profile, "cprofile": args.cprofile}
        task = asyncio.create_task(ticker())
        if args.profile:
            threading.Thread(target=sampler, name="sampler", daemon=True).start()
        try:
            n = len(app.config.symbols())
            await wait_until(provider.waiting.is_set, "the app's first refresh")
            await wait_until(
                lambda: not any(w.group == "load" and w.is_running for w in app.workers),
                "the load worker",
            )
            await idle_workers(app)
            await quiet(QUIET)
            base0 = perf()
            await asyncio.sleep(BASELINE)
            result["baseline"] = stall_figures([(w, x) for w, x in PROBE.ticks if w >= base0])
            result["catch_up"] = await phase(app, provider.release, n, NEW_DAYS * n, args)
            provider.move_today()
            await wait_until(
                lambda: not any(w.group == "refresh" and w.is_running for w in app.workers),
                "the first refresh worker to end",
            )
            await idle_workers(app)
            await quiet(QUIET)
            result["intraday"] = await phase(app, app.action_refresh, n, 0, args)
            result["asked"] = provider.asked
            result["gc_tracked_objects"] = len(gc.get_objects())
        except Exception:
            result["error"] = traceback.format_exc()
        finally:
            PROBE.running = False
            provider.release()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            Path(args.out).write_text(json.dumps(result, indent=1, default=str))
            app.exit()

    return pilot


def main(argv: Sequence[str] | None = None) -> int:
    global BLAME_OVER
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-cache", type=Path, required=True, help="dir with rotmon.sqlite")
    parser.add_argument("--work", type=Path, required=True, help="scratch dir (replaced)")
    parser.add_argument("--out", type=Path, required=True, help="where the JSON results go")
    parser.add_argument("--symbols", type=int, default=0, help="default: the default universe")
    parser.add_argument("--profile", action="store_true", help="sample stacks during stalls")
    parser.add_argument("--cprofile", action="store_true", help="cProfile the UI thread")
    parser.add_argument(
        "--blame-over", type=float, default=1000 * BLAME_OVER, metavar="MS", help="explain stalls"
    )
    args = parser.parse_args(argv)
    BLAME_OVER = args.blame_over / 1000
    # Never the user's config, rules, events or themes: an empty config dir of our own.
    for key in [k for k in os.environ if k.startswith("ROTMON_")]:
        del os.environ[key]
    os.environ["ROTMON_CONFIG_DIR"] = str(args.work.with_name(args.work.name + "-config"))
    os.environ["ROTMON_CACHE_DIR"] = str(args.work)
    try:
        real = snapshot_series()
        since = date.fromisoformat(cutoff_day(real)) - timedelta(days=OVERLAP_DAYS + 14)
        config, rows = universe(args.symbols, real, since)
        provider = GatedProvider(rows, since)
        del real, rows
        cache_path = prepare_cache(args.base_cache, args.work)
        instrument()
        from tui.app.app import RotmonApp

        app = RotmonApp(config, cache_path=cache_path, provider=provider, clock=lambda: NOW)
    except Exception:
        args.out.write_text(json.dumps({"error": traceback.format_exc()}))
        return 1
    app.run(auto_pilot=autopilot(app, provider, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
