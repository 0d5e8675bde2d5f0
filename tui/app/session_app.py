"""The session side of the app: the Monitor, the thread workers that call it, their messages.

Each worker is one call into :class:`tui.session.Monitor` (Textual-free, shared with the CLI)
and a message back; the handlers here turn those messages into the app's reactive state
(`status`, `report`) that the screens watch. :class:`tui.app.app.RotmonApp` adds the screens,
keys and commands on top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.app import App
from textual.reactive import var
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.messages import (
    Alerts,
    CacheOpened,
    ClockReady,
    DetailReady,
    RefreshDone,
    RefreshStarted,
    ReportReady,
    RuleReady,
    TrackRecordReady,
)
from tui.app.widgets.status_bar import Status, status_after
from tui.config import Config
from tui.session import FileWatch, Monitor, run_with_deadline

if TYPE_CHECKING:
    from tui.data.cache import Cache
    from tui.report import Report, TrackRecord

T = TypeVar("T")
REFRESH_DEADLINE = 180.0  # seconds: a refresh still hanging then is abandoned
WATCH_SECONDS = 2.0  # how often the config, rules, events and theme files are checked
REOPEN_SECONDS = 30.0  # how often a viewer left with an in-memory copy tries the file again


class SessionApp(App[int]):
    """An App that runs one rotmon session in its workers (see the module docstring)."""

    status: var[Status] = var(Status(), always_update=True)
    """What the status line and banner say (every screen with a status line watches it)."""
    report: var[Report | None] = var(None, always_update=True)
    """The figures on screen (the dashboard and the RRG watch them)."""
    market: var[str] = var("")
    """The NYSE's clock: 'OPEN · closes 16:00 ET in 2 h 13 m' ('' until the calendar loads)."""
    track_record: var[TrackRecord | None] = var(None, always_update=True)
    """The score's history and every rule's forward-return study (the history screen and the
    rules' evidence watch it); computed after each fresh report, off the UI thread."""
    holdings_as_of: var[str] = var("")
    """Where the holdings' prices come from: 'holdings prices as of 2026-07-31 (bundled)' or
    '… (Yahoo 2026-08-07 17:30 ET)' (the drill-down and the heat map watch it; '' until the
    cache is open)."""

    def __init__(self, monitor: Monitor, config_path: Path | None = None) -> None:
        super().__init__()
        self.monitor = monitor
        self.config_path = config_path
        self.files = FileWatch(config_path)
        self.refresh_deadline = REFRESH_DEADLINE
        offline, read_only = monitor.offline, monitor.read_only
        why = "refreshes come from another process" if read_only else ""
        why = why or ("refresh disabled (--offline)" if offline else "")
        self.set_reactive(SessionApp.status, Status(message=why))
        self._cache_notice: str | None = None  # the last one shown
        self._gc_frozen = False
        self._reopen_tried = 0.0
        self._notified: set[str] = set()
        self._last_failed: frozenset[str] = frozenset()
        self._refresh_timer: Timer | None = None
        self.problems_seen: list[str] = []
        """Every problem reported this session (the problems screen lists them)."""

    # -- the session's state, as the app's ----------------------------------------------

    @property
    def config(self) -> Config:
        return self.monitor.config

    @property
    def cache(self) -> Cache | None:
        return self.monitor.cache

    @property
    def offline(self) -> bool:
        return self.monitor.offline

    @property
    def read_only(self) -> bool:
        return self.monitor.read_only

    @property
    def provider(self) -> Any:
        return self.monitor.provider

    @provider.setter
    def provider(self, provider: Any) -> None:
        self.monitor.provider = provider

    @property
    def failures(self) -> int:
        return self.monitor.failures

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.monitor.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.monitor.clock = clock

    def now(self) -> datetime:
        return self.monitor.clock()

    # -- following the files and the cache --------------------------------------------

    def _watch_files(self) -> None:
        """Note the watched files' stamps, then check them every WATCH_SECONDS."""
        self.files.note()
        self._reopen_tried = self._monotonic()
        self.set_interval(WATCH_SECONDS, self._check_files)  # a few stat() calls, no output

    @staticmethod
    def _monotonic() -> float:
        import time

        return time.monotonic()

    @work(thread=True, exclusive=True, group="calendar", exit_on_error=False)
    def load_calendar(self) -> None:
        """The exchange calendar, loaded after the first frame (about a second of imports)."""
        self.monitor.load_calendar()
        self.post_message(ClockReady())

    def on_clock_ready(self, _message: ClockReady) -> None:
        self._tick_clock()
        if self.report is not None:  # how many sessions the figures are behind, now known
            self.status = self.status.with_(behind=self.monitor.sessions_behind(self.report.as_of))
        self.set_interval(60, self._tick_clock)  # a countdown in minutes: once a minute

    def _tick_clock(self) -> None:
        self.market = self.monitor.market_clock()

    # -- workers: a call into the session, a message back --------------------------------

    def _call(self, fn: Callable[[], T]) -> T | None:
        """`fn` (a network call) given up when the worker is cancelled or the deadline passes."""
        worker = get_current_worker()
        return run_with_deadline(fn, self.refresh_deadline, lambda: worker.is_cancelled)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_data(self) -> None:
        """Open the cache, paint the saved summary, seed the snapshot, compute fresh figures."""
        monitor = self.monitor
        self._load_inputs()
        cache = monitor.open()
        self._cache_notice = cache.notice
        self.post_message(
            CacheOpened(cache.notice, monitor.source(), cache.get_meta("last_success_at"))
        )
        if self.report is None:  # not painted from the summary at mount (e.g. it was locked)
            saved = monitor.saved_report()
            if saved is not None:
                self.post_message(ReportReady(saved, from_summary=True))
        self._compute(seed=cache.writable)
        if get_current_worker().is_cancelled:
            return
        self.post_message(CacheOpened(None, monitor.source(), None))
        if not self.offline:
            self.call_from_thread(self.action_refresh)
        self._show_holdings_as_of()

    def _load_inputs(self) -> None:
        problems = self.monitor.load_inputs()
        self.call_from_thread(self._problems_notice, problems, "Rules/events problems")

    def _compute(self, *, seed: bool = False) -> None:
        """Figures computed (and saved for the next start), alerts checked: all in the monitor."""
        report = self.monitor.compute(seed=seed)
        self.post_message(ReportReady(report))
        alerts = self.monitor.alerts(report)
        if alerts:
            self.post_message(Alerts(alerts))
        self._post_cache_notice()

    def _post_cache_notice(self) -> None:
        """Show the cache's notice if it changed since the last one shown (the disk filled up
        and the cache went on in memory)."""
        cache = self.cache
        if cache is not None and cache.notice is not None and cache.notice != self._cache_notice:
            self._cache_notice = cache.notice
            self.post_message(CacheOpened(cache.notice, None, None))

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def refresh_data(self) -> None:
        """Ask the provider for the days the cache lacks, then recompute."""
        self.post_message(RefreshStarted())
        outcome = self._call(self.monitor.refresh)
        if outcome is None:
            return
        self._post_cache_notice()
        self.post_message(RefreshDone(outcome))
        changed = False
        if outcome.problem is None:
            update = self._call(self.monitor.refresh_earnings)
            policy = self._call(self.monitor.refresh_policy)
            changed = bool(update and update.requested) or bool(policy and policy.fetched_now)
        if outcome.rows_written or outcome.readjusted or changed:
            self._compute()
        if outcome.problem is None and not get_current_worker().is_cancelled:
            self.call_from_thread(self._start_holdings_refresh)  # its own worker

    def _start_holdings_refresh(self) -> None:
        """The holdings refresh, unless one is still running (never two at once: a second
        would not cancel the first's requests, only its result)."""
        if not any(w.group == "holdings" and w.is_running for w in self.workers):
            self.refresh_holdings()

    @work(thread=True, exclusive=True, group="holdings", exit_on_error=False)
    def refresh_holdings(self) -> None:
        """The sector holdings' prices, after a main refresh that succeeded: once per closed
        NYSE session, in batches of at most 50 (the monitor decides; most calls ask
        nothing). Its own worker, so the table's refresh never waits for it; the figures are
        computed again when it brought rows, and the as-of the screens show is updated."""
        outcome = self._call(self.monitor.refresh_holdings)
        if outcome is None:
            return
        if outcome.rows_written or outcome.readjusted:
            self._compute()
        self._show_holdings_as_of()

    def _show_holdings_as_of(self) -> None:
        """From a worker: the holdings' as-of, read from the cache, into the app's state."""
        text = self.monitor.holdings_as_of()
        if text != self.holdings_as_of:
            self.call_from_thread(setattr, self, "holdings_as_of", text)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, symbol: str, benchmark: str) -> None:
        """Show the drill-down from the cache, then bring its holdings' prices (and, for a
        comparison, the pair itself) up to date."""
        monitor = self.monitor
        detail = monitor.detail(symbol, benchmark)
        self.post_message(DetailReady(detail))
        members = monitor.stale_members(detail)
        if self.offline or not members:
            return
        outcome = self._call(lambda: monitor.refresh(members, record=False))
        if outcome is not None and (outcome.rows_written or outcome.readjusted):
            self.post_message(DetailReady(monitor.detail(symbol, benchmark, seed=False)))

    # A description of our own: Textual's default is the repr of the arguments, and the repr
    # of a report (its closes frame, every row) took 40-160 ms on the UI thread.
    @work(
        thread=True,
        exclusive=True,
        group="track",
        exit_on_error=False,
        description="load_track_record(report)",
    )
    def load_track_record(self, report: Report) -> None:
        """The track record of the report's figures (saved beside the summary)."""
        if self.track_record is None:
            saved = self.monitor.saved_track_record()
            if saved is not None:
                self.post_message(TrackRecordReady(saved))
        record = self.monitor.track_record(report)
        if record is not None and not get_current_worker().is_cancelled:
            self.post_message(TrackRecordReady(record))

    @work(thread=True, exclusive=True, group="rule", exit_on_error=False)
    def load_rule(self, rule_id: str) -> None:
        """The evidence of one rule (its series over two years and its flips)."""
        detail = self.monitor.rule_detail(rule_id, self.report)
        if detail is not None:
            self.post_message(RuleReady(detail))

    @work(thread=True, exclusive=True, group="benchmark", exit_on_error=False)
    def recompute_benchmark(self) -> None:
        """The figures against the benchmark just picked (its bundled history seeded first),
        and the pick remembered for the next start. Its own group: a switch during the first
        load must not cancel the load's refresh."""
        monitor = self.monitor
        monitor.remember_benchmark()
        if monitor.cache is None:
            return  # the load worker computes with the benchmark picked by then
        self._compute(seed=monitor.cache.writable)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def recompute(self) -> None:
        """Rules and events read again, figures computed again (new symbols seeded)."""
        self._load_inputs()
        if self.cache is not None:
            self._compute(seed=self.cache.writable)

    @work(thread=True, exclusive=True, group="follow", exit_on_error=False)
    def follow_cache(self) -> None:
        """Another process (`rotmon refresh --every`, another app) committed to the cache:
        compute the figures again from what it wrote."""
        if self.cache is not None:
            self._recompute_from(self.cache)

    @work(thread=True, exclusive=True, group="follow", exit_on_error=False)
    def reopen_read_only(self) -> None:
        """Follow the cache file itself if it can now be read as it is (see _check_files)."""
        fresh = self.monitor.reopen_read_only()
        if fresh is not None:
            self._cache_notice = None
            notice = f"Now reading {self.monitor.cache_path} itself, and following its refreshes."
            self._recompute_from(fresh, notice)

    def _recompute_from(self, cache: Cache, notice: str | None = None) -> None:
        """Figures computed again from what another process wrote, and its last refresh."""
        self._compute()
        self._show_holdings_as_of()  # it may have refreshed the holdings too
        self.post_message(
            CacheOpened(notice, self.monitor.source(), cache.get_meta("last_success_at"))
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker failure ends here: one notice per kind, never a crash."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        group = event.worker.group
        text = f"{type(error).__name__}: {error}"
        if group == "refresh":
            self.monitor.failures += 1
            self.status = self.status.with_(state="stale", refreshing=False, message=text)
            self._schedule_refresh()
        self._notify_once(f"worker-{group}", f"{group} failed: {text}", severity="error")

    # -- messages ------------------------------------------------------------------------

    def on_cache_opened(self, message: CacheOpened) -> None:
        if message.notice:
            self.notify(message.notice, title="Cache", severity="warning", timeout=15, markup=False)
        changes: dict[str, Any] = {}
        if message.source:
            changes["source"] = message.source
        if message.last_success_at:
            changes["last_refresh"] = message.last_success_at
        if self.offline:
            changes["state"] = "read-only" if self.read_only else "offline"
        self.status = self.status.with_(**changes)

    def on_report_ready(self, message: ReportReady) -> None:
        if message.from_summary and self.report is not None:
            return  # fresher figures are already on screen
        if message.report.benchmark != self.monitor.benchmark:
            return  # computed before a switch of benchmark: the switch's figures follow
        if not message.from_summary and not self._gc_frozen:
            # pandas and what the first computation loaded live all session: out of the
            # collector's reach, a full collection during a refresh no longer walks them
            # (it held the GIL for 45-100 ms with 500 symbols).
            import gc

            gc.freeze()
            self._gc_frozen = True
        self.report = message.report
        as_of = message.report.as_of
        behind = self.monitor.sessions_behind(as_of)  # 0 until the calendar has loaded
        self.status = self.status.with_(as_of=as_of, behind=behind)
        if not message.from_summary:
            self.load_track_record(message.report)

    def on_track_record_ready(self, message: TrackRecordReady) -> None:
        self.track_record = message.record

    def on_refresh_started(self, _message: RefreshStarted) -> None:
        self.status = self.status.with_(refreshing=True)

    def on_refresh_done(self, message: RefreshDone) -> None:
        outcome = message.outcome
        if outcome.problem is None:
            self.monitor.failures = 0
            self._notified.clear()
            failed = frozenset(outcome.failed)
            if failed and failed != self._last_failed:  # a delisted name: once, not every 5 min
                self._notify_once("symbols", outcome.message, severity="warning")
            self._last_failed = failed
        else:
            self.monitor.failures += 1
            self._notify_once(outcome.problem, outcome.message, severity="warning")
        status = status_after(self.status, outcome)
        if outcome.problem is None:
            # LIVE only while fresh: past the next refresh (and two minutes' grace) it reads
            # CACHED, so a refresher that stopped never leaves LIVE on screen.
            fresh_for = self.monitor.next_refresh_in(wait=False) + 120
            until = self.monitor.clock() + timedelta(seconds=fresh_for)
            status = status.with_(
                live_until=until.isoformat(), intraday=self.monitor.intraday_time()
            )
        self.status = status
        self._schedule_refresh()

    def on_alerts(self, message: Alerts) -> None:
        """Each alert once, as a notice; one bell for the lot."""
        for text in message.messages[:5]:
            self.notify(text, title="Alert", severity="warning", timeout=20, markup=False)
        if len(message.messages) > 5:
            self.notify(f"…and {len(message.messages) - 5} more alerts", timeout=20)
        if self.config.alert_bell:
            self.bell()

    # -- helpers -------------------------------------------------------------------------

    def _problems_notice(self, lines: Sequence[str], title: str, tail: str = "") -> None:
        """A short notice that fits any screen; the whole list is on the problems screen (!)."""
        from tui.app.screens.problems import short_notice

        if not lines:
            return
        self.problems_seen.extend([*lines, *([tail] if tail else [])])
        kind = title.removesuffix(" problems").lower()
        first = lines[0] if len(lines[0]) <= 160 else lines[0][:159] + "…"
        more = f"\n{short_notice(list(lines), kind)}" if len(lines) > 1 else ""
        text = first + more + (f"\n{tail}" if tail else "")
        self.notify(text, title=title, severity="warning", timeout=15, markup=False)

    def action_show_problems(self) -> None:
        """Every config, rules, events and theme problem of this session, scrollable."""
        from tui.app.screens.problems import ProblemsScreen

        if not self.problems_seen:
            self.notify("No problems in the config, rules, events or theme files", timeout=4)
            return
        if not isinstance(self.screen, ProblemsScreen):
            self.push_screen(ProblemsScreen(self.problems_seen, "Problems"))

    def _notify_once(self, kind: str, text: str, severity: str = "warning") -> None:
        """One notice per failure kind until a refresh succeeds: never a stack of toasts."""
        if kind in self._notified:
            return
        self._notified.add(kind)
        self.notify(text, severity=severity, timeout=10, markup=False)  # type: ignore[arg-type]

    def _schedule_refresh(self) -> None:
        if self.offline:
            return
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        delay = self.monitor.next_refresh_in(wait=False)  # the UI thread: never blocks
        self._refresh_timer = self.set_timer(delay, self.action_refresh)

    def _check_files(self) -> None:
        if self.files.changed():
            self.action_reload()
        for failure in self.monitor.notify_failures():  # the command runs in its own thread
            self._notify_once(f"notify:{failure}", f"notify_command: {failure}")
        # One PRAGMA, no I/O: has another process (a refresher feeding this cache) written?
        cache = self.cache
        if cache is not None and cache.changed_elsewhere():
            self.follow_cache()
        elif cache is not None and self.read_only and cache.in_memory:
            # A viewer left with a copy (e.g. no refresher had the cache open, so SQLite had
            # no -shm file to read it by): try the file itself again now and then.
            now = self._monotonic()
            if now - self._reopen_tried >= REOPEN_SECONDS:
                self._reopen_tried = now
                self.reopen_read_only()

    def action_reload(self) -> None:
        """Read the watched files again (the app adds the config and themes)."""
        self.recompute()

    def action_refresh(self) -> None:
        """Refresh now (also what the timer calls)."""
        if self.offline:
            why = "--read-only: another process refreshes this cache" if self.read_only else ""
            self.notify(f"Refresh is off: rotmon was started with {why or '--offline'}", timeout=4)
            return
        if self.cache is None:
            return  # the load worker refreshes as soon as the cache is open
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            self.notify("A refresh is already running", timeout=3)
            return
        self.refresh_data()

    @work(thread=True, group="state", exit_on_error=False)
    def _remember_theme(self, theme: str) -> None:
        self.monitor.remember_theme(theme)
