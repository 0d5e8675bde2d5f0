"""The Textual application: wires workers (cache, refresh) to screens. No figures computed here.

Workers do every blocking thing — opening and seeding the cache, reading it with pandas, asking
Yahoo — in threads; they talk to the UI only through messages. The first frame therefore never
waits for pandas or the network: it paints the layout, then the figures saved by the last run,
then fresh figures.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.charts import PERIODS, ChartSettings
from tui.app.messages import (
    Alerts,
    CacheOpened,
    DetailReady,
    OpenRule,
    OpenSymbol,
    RefreshDone,
    RefreshStarted,
    ReportReady,
    RuleReady,
)
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.detail import DetailScreen
from tui.app.screens.rule import RuleScreen
from tui.app.themes import DEFAULT_THEME, load_themes, theme_dirs, up_down_styles
from tui.app.widgets.sector_table import COLUMNS, SORTABLE, SectorTable
from tui.app.widgets.status_bar import Status
from tui.config import Config, ConfigProblem
from tui.format import Palette
from tui.universe import name_of

if TYPE_CHECKING:
    from tui.data.cache import Cache
    from tui.data.refresh import RefreshOutcome
    from tui.regime.catalysts import Catalyst
    from tui.regime.rules import Rule
    from tui.report import Report

T = TypeVar("T")
COMPACT_WIDTH = 140
REFRESH_DEADLINE = 180.0  # seconds: a refresh still hanging then is abandoned
REOPEN_SECONDS = 30.0  # how often a viewer left with an in-memory copy tries the file again
WATCH_SECONDS = 2.0  # how often the config, rules, events and theme files are checked


def call_cancellable(fn: Callable[[], T], deadline: float, poll: float = 0.1) -> T | None:
    """Run `fn` in a daemon thread; give up (returning None) if the current worker is cancelled.

    A network call that hangs must not keep the app from quitting, nor stop every later
    refresh: the worker returns at once when cancelled, raises TimeoutError after `deadline`
    seconds, and the daemon thread dies with the process.
    """
    worker = get_current_worker()
    give_up = time.monotonic() + deadline
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as error:  # re-raised in the worker below
            box["error"] = error

    thread = threading.Thread(target=target, name="rotmon-call", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(poll)
        if worker.is_cancelled:
            return None
        if time.monotonic() > give_up:
            raise TimeoutError(f"gave up after {deadline:g} s without an answer")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _unparsable(path: Path) -> bool:
    """True if the file exists but is not valid TOML (e.g. saved in the middle of an edit)."""
    import tomllib

    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    return False


def status_after(status: Status, outcome: RefreshOutcome) -> Status:
    """What the status line says after a refresh: never a refresh time for a failed one."""
    if outcome.problem is None:
        return status.with_(
            state="live",
            source="yahoo",
            last_refresh=outcome.finished_at,
            refreshing=False,
            message="" if not outcome.failed else outcome.message,
        )
    state = {"offline": "offline", "rate-limited": "rate-limited"}.get(outcome.problem, "stale")
    return status.with_(state=state, refreshing=False, message=outcome.message)


class RotmonApp(App[int]):
    """Rotation Monitor."""

    CSS_PATH = "app.tcss"
    TITLE = "Rotation Monitor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Quit at once"),
        Binding("question_mark", "help", "Keys", tooltip="List every key"),
        Binding("r", "refresh", "Refresh", tooltip="Refresh prices now"),
        Binding("g", "rrg", "RRG", tooltip="Relative rotation graph of the sectors"),
        Binding(
            "c", "compare", "Compare", show=False, tooltip="Chart any symbol against any other"
        ),
        Binding("e", "export", "Export", show=False, tooltip="Table as CSV and screen as SVG"),
        Binding(
            "ctrl+r",
            "reload",
            "Reload",
            show=False,
            tooltip="Reload config, rules, events and themes (automatic on save)",
        ),
        *[
            Binding(str(i), f"chart_period('{p}')", p, show=False, tooltip=f"Charts: {p}")
            for i, p in enumerate(PERIODS, start=1)
        ],
        Binding("l", "chart_log", "Log", show=False, tooltip="Charts: log / linear scale"),
        Binding("m", "chart_averages", "MA", show=False, tooltip="Charts: 50-day averages on/off"),
        Binding(
            "o",
            "chart_overlay",
            "Overlay",
            show=False,
            tooltip="Charts: overlay the highlighted RS line (again: remove it)",
        ),
        Binding(
            "O",
            "chart_overlay_clear",
            "Clear overlay",
            show=False,
            tooltip="Charts: clear the overlay",
        ),
    ]

    def __init__(
        self,
        config: Config,
        problems: Sequence[ConfigProblem | str] = (),
        *,
        cache_path: Path,
        provider: Any = None,
        earnings_provider: Any = None,
        offline: bool = False,
        read_only: bool = False,
        clock: Callable[[], datetime] | None = None,
        theme: str | None = None,
        config_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.problems = [str(p) for p in problems]
        self.cache_path = cache_path
        self.provider = provider
        self.provider_injected = provider is not None
        self.theme_override = theme
        self.chart_settings = ChartSettings()
        self.config_path = config_path
        self._watched: tuple[Any, ...] = ()
        self.earnings_provider = earnings_provider
        self.read_only = read_only  # a viewer: never writes the cache, follows its changes
        self.offline = offline or read_only
        self.clock = clock or (lambda: datetime.now(UTC))
        self.cache: Cache | None = None
        self._cache_notice: str | None = None  # the last one shown
        self.report: Report | None = None
        self.palette = Palette()
        self.status = Status(
            message="refreshes come from another process"
            if read_only
            else "refresh disabled (--offline)"
            if offline
            else ""
        )
        self._alert_memory: dict[str, str] = {}  # a viewer's alert memory, for the session
        self._gc_frozen = False
        self._reopen_tried = time.monotonic()
        self.failures = 0
        self._notified: set[str] = set()
        self._last_failed: frozenset[str] = frozenset()
        self._start_theme: str | None = None
        self._refresh_timer: Timer | None = None
        self.refresh_deadline = REFRESH_DEADLINE
        self.rules: list[Rule] | None = None
        self.events: list[Catalyst] = []
        self._dashboard = DashboardScreen(self.groups, config.benchmark)

    # -- start-up ------------------------------------------------------------------------

    @property
    def groups(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(g.name, g.symbols) for g in self.config.groups]

    @property
    def dashboard(self) -> DashboardScreen:
        return self._dashboard

    def on_load(self) -> None:
        """Before the terminal is taken over: the theme and the saved figures, so that the
        dashboard is styled once, with the right theme, and its first frame shows figures."""
        themes, theme_problems = load_themes(theme_dirs())
        for theme in themes:
            self.register_theme(theme)
        self.problems.extend(str(p) for p in theme_problems)
        wanted = self.theme_override or self._remembered_theme() or self.config.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.problems.append(f"unknown or broken theme {wanted!r}; using {DEFAULT_THEME}")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self._start_theme = self.theme
        self._paint_saved_summary()

    def refresh_css(self, animate: bool = True) -> None:
        """Textual re-parses every stylesheet when the theme changes; for the theme set in
        on_load nothing is parsed or styled yet, so its colours are all that is needed."""
        if not self.screen_stack:
            self.stylesheet.set_variables(self.get_css_variables())
            return
        super().refresh_css(animate=animate)

    def get_default_screen(self) -> Screen[Any]:
        # The dashboard is the bottom of the stack: composed with the app, painted once
        # (pushed over Textual's blank default screen it was painted twice, once unseen).
        return self._dashboard

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._apply_layout(self.size.width)
        self._apply_palette()
        if self.problems:
            self.notify(
                "\n".join(self.problems) + "\nUsing defaults for these.",
                title="Config problems",
                severity="warning",
                timeout=15,
                markup=False,
            )
        self._show_status()
        self.set_interval(3600, self.dashboard.show_catalysts)  # countdowns tick hourly
        # After the first frame: the worker's imports (pandas) would compete with its render.
        self.call_after_refresh(self.load_data)
        self.call_after_refresh(self._watch_files)

    def _watch_files(self) -> None:
        """Note the watched files' stamps, then check them every WATCH_SECONDS."""
        self._watched = self._file_stamps()
        self.set_interval(WATCH_SECONDS, self._check_files)  # a few stat() calls, no output

    def apply_layout(self, width: int) -> None:
        """Compact layout under COMPACT_WIDTH columns (screens call this when resized)."""
        self._apply_layout(width)

    def _apply_layout(self, width: int) -> None:
        compact = width < COMPACT_WIDTH
        self.set_class(compact, "-compact")
        self.dashboard.set_compact(compact)

    def _paint_saved_summary(self) -> None:
        """Figures for the very first frame: the summary the last run saved (a few ms of
        SQLite and JSON, no pandas). The load worker replaces it with fresh figures."""
        from tui.data.cache import peek_summary
        from tui.locations import rules_path
        from tui.report import Report, next_fomc, summary_key

        key = summary_key(self.config.symbols(), self.config.benchmark)
        payload = peek_summary(self.cache_path, "dashboard")
        if payload is None and not rules_path().exists():
            # First start: the bundled snapshot's own summary, shipped precomputed.
            from tui import bundled_summary

            payload = bundled_summary.load()
        saved = Report.from_summary(payload, key) if payload else None
        if saved is not None:
            saved.next_fomc = next_fomc(self.clock())
            self.report = saved
            self.status = self.status.with_(as_of=saved.as_of)
            self.dashboard.initial_report = saved

    @property
    def _state_path(self) -> Path:
        return self.cache_path.parent / "ui-state.json"

    def _remembered_theme(self) -> str | None:
        """The theme last picked in the palette — while the config still names the theme it
        was picked over (an edit to the config wins)."""
        import json

        try:
            state = json.loads(self._state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("config_theme") != self.config.theme:
            return None
        theme = state.get("theme")
        return theme if isinstance(theme, str) else None

    def _theme_changed(self, _theme: object) -> None:
        self._apply_palette()
        if self._start_theme is not None and self.theme == self._start_theme:
            return  # the start-up choice being applied, not the user's
        self._start_theme = None
        self._remember_theme(self.theme)

    @work(thread=True, group="state", exit_on_error=False)
    def _remember_theme(self, theme: str) -> None:
        """Keep the palette's choice for the next start: a small JSON file written atomically."""
        if self.read_only:
            return  # a viewer writes nothing beside a shared cache
        import json
        import os
        import tempfile

        folder = self._state_path.parent
        payload = json.dumps({"theme": theme, "config_theme": self.config.theme})
        try:  # an unwritable cache dir (already reported by the cache) just means no memory
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".ui-state-", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self._state_path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def _apply_palette(self) -> None:
        up, down = up_down_styles(self.current_theme)
        self.palette = Palette(up=up, down=down)
        self.dashboard.set_palette(self.palette)

    # -- workers -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_data(self) -> None:
        """Open the cache, paint the saved summary, seed the snapshot, compute fresh figures."""
        from tui.data.cache import Cache
        from tui.data.refresh import consecutive_failures
        from tui.report import Report, next_fomc, summary_key

        self._load_regime_inputs()
        cache = Cache(self.cache_path, read_only=self.read_only)
        cache.changed_elsewhere()  # note the version the first figures are computed from
        self.failures = consecutive_failures(cache)  # backoff carries over a restart
        self.cache = cache
        symbols = self.config.symbols()
        key = summary_key(symbols, self.config.benchmark)
        self._cache_notice = cache.notice
        self.post_message(
            CacheOpened(cache.notice, self._source(cache), cache.get_meta("last_success_at"))
        )
        if self.report is None:  # not painted from the summary at mount (e.g. it was locked)
            payload = cache.load_summary("dashboard")
            saved = Report.from_summary(payload, key) if payload else None
            if saved is not None:
                saved.next_fomc = next_fomc(self.clock())
                self.post_message(ReportReady(saved, from_summary=True))
        self._compute(cache, seed=cache.writable)
        if get_current_worker().is_cancelled:
            return
        self.post_message(CacheOpened(None, self._source(cache), None))
        if not self.offline:
            self.call_from_thread(self.action_refresh)

    def _post_cache_notice(self, cache: Cache) -> None:
        """Show the cache's notice if it changed since the last one shown (the disk filled up
        and the cache went on in memory)."""
        if cache.notice is not None and cache.notice != self._cache_notice:
            self._cache_notice = cache.notice
            self.post_message(CacheOpened(cache.notice, None, None))

    def _load_regime_inputs(self) -> None:
        """The rules (shipped + the user's rules.toml) and the user's events file; problems in
        either are reported like config problems, and the rest still loads."""
        from tui.locations import rules_path
        from tui.regime.events import load_default_events
        from tui.regime.rules import load_rules

        self.rules, rule_problems = load_rules(rules_path())
        self.events, event_problems, _ = load_default_events()
        lines = [str(p) for p in [*rule_problems, *event_problems]]
        if lines:
            self.notify(
                "\n".join(lines),
                title="Rules/events problems",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def _compute(self, cache: Cache, *, seed: bool = False) -> None:
        """Read the cache, compute the dashboard figures, save them for the next start."""
        from tui.report import build_report, rule_symbols, summary_key

        symbols = self.config.symbols()
        if seed:
            from tui.data.snapshot import seed_cache

            seed_cache(cache, [*symbols, *rule_symbols(self.rules)])
        report = build_report(
            cache,
            self._table_symbols(),
            self.config.benchmark,
            now=self.clock(),
            rules=self.rules,
            events=self.events,
        )
        key = summary_key(symbols, self.config.benchmark)
        self.post_message(ReportReady(report))
        # The summary and the alert memory are conveniences: a full disk must not stop the
        # figures (the refresh that cannot write says so in the status line).
        with contextlib.suppress(sqlite3.Error):
            if cache.writable:
                cache.save_summary("dashboard", report.to_summary(key))
            self._check_alerts(cache, report)
        self._post_cache_notice(cache)

    def _check_alerts(self, cache: Cache, report: Report) -> None:
        """Rule flips and catalysts under 24 h away, each alerted once (remembered in the cache)."""
        import json

        from tui.regime.alerts import catalysts_due, rule_flips

        if not self.config.alerts:
            return

        def recall(key: str) -> str | None:
            return cache.get_meta(key) if cache.writable else self._alert_memory.get(key)

        def remember(key: str, value: str) -> None:
            if cache.writable:
                cache.set_meta(key, value)
            else:
                self._alert_memory[key] = value

        raw = recall("alerts.rules")
        seen = json.loads(raw) if raw else None
        flips, seen = rule_flips(seen, report.regime)
        remember("alerts.rules", json.dumps(seen))
        notified = json.loads(recall("alerts.catalysts") or "[]")
        due, notified = catalysts_due(notified, report.catalysts)
        remember("alerts.catalysts", json.dumps(notified))
        if flips or due:
            self.post_message(Alerts([*flips, *due]))

    def _table_symbols(self) -> list[str]:
        return self.config.table_symbols()

    @staticmethod
    def _source(cache: Cache) -> str:
        infos = cache.symbol_info().values()
        sources = sorted({i.source.split(":")[0] for i in infos if i.source and i.rows})
        return "+".join(sources) if sources else "empty cache"

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def refresh_data(self) -> None:
        """Ask the provider for the days the cache lacks, then recompute."""
        from tui.data.refresh import run_refresh

        cache = self.cache
        assert cache is not None
        provider = self.provider or self._default_provider()
        self.post_message(RefreshStarted())
        outcome = call_cancellable(
            lambda: run_refresh(cache, provider, self.config.symbols(), now=self.clock()),
            deadline=self.refresh_deadline,
        )
        if outcome is None:
            return
        self._post_cache_notice(cache)
        self.post_message(RefreshDone(outcome))
        earnings_changed = False
        if outcome.problem is None:
            earnings_changed = self._refresh_earnings(cache, provider)
        if outcome.rows_written or outcome.readjusted or earnings_changed:
            self._compute(cache)

    def _refresh_earnings(self, cache: Cache, provider: Any) -> bool:
        """Next earnings dates of the watched stocks, asked at most daily; True if any asked."""
        from tui.data.earnings import EarningsProvider, refresh_earnings
        from tui.universe import ETFS

        earnings = self.earnings_provider
        if earnings is None:
            if self.provider_injected:
                return False  # a test or embedding gave prices only: ask nobody else
            earnings = self.earnings_provider = EarningsProvider(prices=provider)
        update = call_cancellable(
            lambda: refresh_earnings(cache, earnings, self.config.symbols(), ETFS, self.clock()),
            deadline=self.refresh_deadline,
        )
        return bool(update and update.requested)

    def _default_provider(self) -> Any:
        from tui.data.yahoo import YahooProvider

        self.provider = YahooProvider(
            timeout=10.0, tz_cache_dir=self.cache_path.parent / "yfinance"
        )
        return self.provider

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, symbol: str, benchmark: str) -> None:
        """Show the drill-down from the cache, then bring its holdings' prices (and, for a
        comparison, the pair itself) up to date."""
        from tui.data.refresh import run_refresh
        from tui.data.snapshot import seed_cache
        from tui.report import build_detail

        cache = self.cache
        assert cache is not None
        seed_cache(cache, [symbol, benchmark])
        detail = build_detail(cache, symbol, benchmark)
        self.post_message(DetailReady(detail))
        members = [h["symbol"] for h in detail.holdings if h["symbol"] not in detail.fresh]
        known = cache.last_dates()
        members += [s for s in (symbol, benchmark) if s not in known]
        if self.offline or not members:
            return
        provider = self.provider or self._default_provider()
        outcome = call_cancellable(
            lambda: run_refresh(cache, provider, members, now=self.clock(), record=False),
            deadline=self.refresh_deadline,
        )
        if outcome is not None and (outcome.rows_written or outcome.readjusted):
            self.post_message(DetailReady(build_detail(cache, symbol, benchmark)))

    @work(thread=True, exclusive=True, group="rule", exit_on_error=False)
    def load_rule(self, rule_id: str) -> None:
        """The evidence of one rule (its series over two years and its flips)."""
        from tui.report import build_rule_detail

        report = self.report
        rule = next((r for r in self.rules or [] if r.id == rule_id), None)
        if rule is None or report is None or report.closes is None:
            return
        self.post_message(RuleReady(build_rule_detail(report.closes, rule)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker failure ends here: one notice per kind, never a crash."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        group = event.worker.group
        text = f"{type(error).__name__}: {error}"
        if group == "refresh":
            self.failures += 1
            self.status = self.status.with_(state="stale", refreshing=False, message=text)
            self._show_status()
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
        self.status = self.status.with_(**changes)
        if self.offline:
            self.status = self.status.with_(state="read-only" if self.read_only else "offline")
        self._show_status()

    def on_report_ready(self, message: ReportReady) -> None:
        from tui.app.screens.rrg import RRGScreen  # imported after the first frame

        if message.from_summary and self.report is not None:
            return  # fresher figures are already on screen
        if not message.from_summary and not self._gc_frozen:
            # pandas and what the first computation loaded live all session: out of the
            # collector's reach, a full collection during a refresh no longer walks them
            # (it held the GIL for 45-100 ms with 500 symbols).
            import gc

            gc.freeze()
            self._gc_frozen = True
        self.report = message.report
        self.status = self.status.with_(as_of=message.report.as_of)
        self.dashboard.show_report(message.report)
        for screen in self.screen_stack:
            if isinstance(screen, RRGScreen) and message.report.closes is not None:
                screen.set_closes(message.report.closes)
        self._show_status()

    def on_refresh_started(self, _message: RefreshStarted) -> None:
        self.status = self.status.with_(refreshing=True)
        self._show_status()

    def on_refresh_done(self, message: RefreshDone) -> None:
        outcome = message.outcome
        self.status = status_after(self.status, outcome)
        if outcome.problem is None:
            self.failures = 0
            self._notified.clear()
            failed = frozenset(outcome.failed)
            if failed and failed != self._last_failed:  # a delisted name: once, not every 5 min
                self._notify_once("symbols", outcome.message, severity="warning")
            self._last_failed = failed
        else:
            self.failures += 1
            self._notify_once(outcome.problem, outcome.message, severity="warning")
        self._show_status()
        self._schedule_refresh()

    def on_open_symbol(self, message: OpenSymbol) -> None:
        self.action_open_symbol(message.symbol)

    def on_open_rule(self, message: OpenRule) -> None:
        self.action_open_rule(message.rule_id)

    def on_rule_ready(self, message: RuleReady) -> None:
        screen = self.screen
        if isinstance(screen, RuleScreen) and screen.rule_id == message.detail.rule["id"]:
            screen.show_detail(message.detail)

    def on_alerts(self, message: Alerts) -> None:
        """Each alert once, as a notice; one bell for the lot."""
        for text in message.messages[:5]:
            self.notify(text, title="Alert", severity="warning", timeout=20, markup=False)
        if len(message.messages) > 5:
            self.notify(f"…and {len(message.messages) - 5} more alerts", timeout=20)
        if self.config.alert_bell:
            self.bell()

    def on_detail_ready(self, message: DetailReady) -> None:
        screen = self.screen
        detail = message.detail
        if isinstance(screen, DetailScreen) and (screen.symbol, screen.benchmark) == (
            detail.symbol,
            detail.benchmark,
        ):
            screen.show_detail(message.detail)

    # -- helpers -------------------------------------------------------------------------

    def _notify_once(self, kind: str, text: str, severity: str = "warning") -> None:
        """One notice per failure kind until a refresh succeeds: never a stack of toasts."""
        if kind in self._notified:
            return
        self._notified.add(kind)
        self.notify(text, severity=severity, timeout=10, markup=False)  # type: ignore[arg-type]

    def _show_status(self) -> None:
        for screen in self.screen_stack:
            if (
                isinstance(screen, DashboardScreen | DetailScreen | RuleScreen)
                and screen.is_mounted
            ):
                screen.show_status(self.status)

    def _schedule_refresh(self) -> None:
        if self.offline:
            return
        from tui.data.refresh import next_interval

        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        delay = next_interval(
            self.config.refresh_open, self.config.refresh_closed, self.clock(), self.failures
        )
        self._refresh_timer = self.set_timer(delay, self.action_refresh)

    # -- actions -------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Refresh now (also what the timer calls)."""
        if self.offline:
            why = (
                "--read-only: another process refreshes this cache"
                if self.read_only
                else "--offline"
            )
            self.notify(f"Refresh is off: rotmon was started with {why}", timeout=4)
            return
        if self.cache is None:
            return  # the load worker refreshes as soon as the cache is open
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            self.notify("A refresh is already running", timeout=3)
            return
        self.refresh_data()

    def action_open_symbol(self, symbol: str, benchmark: str | None = None) -> None:
        """Open the drill-down of `symbol`, against the benchmark or any other symbol."""
        if self.cache is None:
            self.notify("Still loading the cache…", timeout=3)
            return
        against = benchmark or self.config.benchmark
        screen = DetailScreen(symbol, against, self.palette)
        self.push_screen(screen, callback=lambda _result: None)
        screen.call_after_refresh(screen.show_status, self.status)
        self.load_detail(symbol, against)

    # -- chart controls: one setting for every chart pane --------------------------------

    def _set_charts(self, settings: ChartSettings) -> None:
        self.chart_settings = settings
        for screen in self.screen_stack:
            redraw = getattr(screen, "redraw_charts", None)
            if redraw is not None and screen.is_mounted:
                redraw()

    def action_chart_period(self, period: str) -> None:
        self._set_charts(self.chart_settings.with_(period=period))

    def action_chart_log(self) -> None:
        self._set_charts(self.chart_settings.with_(log=not self.chart_settings.log))

    def action_chart_averages(self) -> None:
        self._set_charts(self.chart_settings.with_(averages=not self.chart_settings.averages))

    def action_chart_overlay(self) -> None:
        """Add the highlighted symbol's RS line to the overlay (or take it out again)."""
        symbol = self.dashboard.query_one(SectorTable).selected_symbol
        if symbol is None:
            return
        overlay = list(self.chart_settings.overlay)
        if symbol in overlay:
            overlay.remove(symbol)
        else:
            overlay.append(symbol)
        self._set_charts(self.chart_settings.with_(overlay=tuple(overlay)))

    def action_chart_overlay_clear(self) -> None:
        self._set_charts(self.chart_settings.with_(overlay=()))

    def action_compare(self) -> None:
        """Ask for two symbols, then chart the first against the second."""
        from tui.app.screens.prompts import ComparePrompt

        def open_pair(pair: tuple[str, str] | None) -> None:
            if pair:
                self.action_open_symbol(pair[0], benchmark=pair[1])

        self.push_screen(ComparePrompt(), callback=open_pair)

    # -- live config -----------------------------------------------------------------------

    def _watched_files(self) -> list[Path]:
        from tui.app.themes import user_themes_dir
        from tui.locations import rules_path
        from tui.regime.events import default_events_path

        files = [rules_path(), default_events_path()]
        if self.config_path is not None:
            files.append(Path(self.config_path))
        themes = user_themes_dir()
        if themes.is_dir():
            files.extend(sorted(themes.glob("*.toml")))
        return files

    def _file_stamps(self) -> tuple[Any, ...]:
        stamps = []
        for path in self._watched_files():
            try:
                info = path.stat()
                stamps.append((str(path), info.st_mtime_ns, info.st_size))
            except OSError:
                stamps.append((str(path), None, None))
        return tuple(stamps)

    def _check_files(self) -> None:
        stamps = self._file_stamps()
        if stamps != self._watched:
            self._watched = stamps
            self.action_reload()
        # One PRAGMA, no I/O: has another process (a refresher feeding this cache) written?
        cache = self.cache
        if cache is not None and cache.changed_elsewhere():
            self.follow_cache()
        elif cache is not None and self.read_only and cache.in_memory:
            # A viewer left with a copy (e.g. no refresher had the cache open, so SQLite had
            # no -shm file to read it by): try the file itself again now and then.
            now = time.monotonic()
            if now - self._reopen_tried >= REOPEN_SECONDS:
                self._reopen_tried = now
                self.reopen_read_only()

    @work(thread=True, exclusive=True, group="follow", exit_on_error=False)
    def reopen_read_only(self) -> None:
        """Follow the cache file itself if it can now be read as it is (see _check_files)."""
        from tui.data.cache import Cache

        fresh = Cache(self.cache_path, read_only=True)
        if fresh.in_memory:
            fresh.close()
            return
        fresh.changed_elsewhere()
        # The copy is dropped, not closed: a worker may still be reading it.
        self.cache = fresh
        self._cache_notice = None
        notice = f"Now reading {self.cache_path} itself, and following its refreshes."
        self._recompute_from(fresh, notice)

    def action_reload(self) -> None:
        """Read the config, rules, events and themes again; report problems like at start."""
        from tui.config import load_config

        if self.config_path is not None:
            config, problems = load_config(self.config_path)
            broken = _unparsable(Path(self.config_path))
            if problems:
                tail = "Kept the running config." if broken else "Using defaults for these."
                self.notify(
                    "\n".join(str(p) for p in problems) + "\n" + tail,
                    title="Config problems",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
            if not broken:  # a half-typed edit must not throw the running layout away
                self.apply_config(config)
        themes, theme_problems = load_themes(theme_dirs())
        for theme in themes:
            self.register_theme(theme)
        if theme_problems:
            self.notify(
                "\n".join(str(p) for p in theme_problems),
                title="Theme problems",
                severity="warning",
                timeout=15,
                markup=False,
            )
        if self.theme in {t.name for t in themes}:
            self.refresh_css()
            self._apply_palette()
        self.recompute()

    def apply_config(self, config: Config) -> None:
        """Use a new config now: groups, benchmark, theme and refresh cadence."""
        old = self.config
        self.config = config
        self.dashboard.set_universe(self.groups, config.benchmark)
        if config.theme != old.theme and config.theme in self.available_themes:
            self.theme = config.theme
        if (config.refresh_open, config.refresh_closed) != (old.refresh_open, old.refresh_closed):
            self._schedule_refresh()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def recompute(self) -> None:
        """Rules and events read again, figures computed again (new symbols seeded)."""
        self._load_regime_inputs()
        if self.cache is not None:
            self._compute(self.cache, seed=self.cache.writable)

    @work(thread=True, exclusive=True, group="follow", exit_on_error=False)
    def follow_cache(self) -> None:
        """Another process (`rotmon refresh --every`, another app) committed to the cache:
        compute the figures again from what it wrote."""
        if self.cache is not None:
            self._recompute_from(self.cache)

    def _recompute_from(self, cache: Cache, notice: str | None = None) -> None:
        """Figures computed again from what another process wrote, and its last refresh."""
        self._compute(cache)
        self.post_message(
            CacheOpened(notice, self._source(cache), cache.get_meta("last_success_at"))
        )

    def action_add_symbol(self) -> None:
        """Ask for a symbol and add it to the highlighted row's group, in the config file."""
        from tui.app.screens.prompts import SymbolPrompt

        group = self.dashboard.query_one(SectorTable).selected_group
        if group is None:
            return

        def add(symbol: str | None) -> None:
            if symbol:
                self._edit_config("add", group, symbol)

        self.push_screen(SymbolPrompt(f"Add a symbol to {group}"), callback=add)

    def action_remove_symbol(self) -> None:
        """Take the highlighted symbol out of its group, in the config file."""
        table = self.dashboard.query_one(SectorTable)
        symbol, group = table.selected_symbol, table.selected_group
        if symbol and group:
            self._edit_config("remove", group, symbol)

    def _edit_config(self, change: str, group: str, symbol: str) -> None:
        """Save a group edit to config.toml (comments kept), then use the new config."""
        from tui.config_edit import add_symbol, remove_symbol

        if self.config_path is None:
            self.notify("No config file to save to", severity="warning")
            return
        edit = add_symbol if change == "add" else remove_symbol
        try:
            config = edit(Path(self.config_path), group, symbol, current=self.config)
        except ValueError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._watched = self._file_stamps()  # our own write: no second reload
        self.apply_config(config)
        done = "Added" if change == "add" else "Removed"
        where = "to" if change == "add" else "from"
        self.notify(f"{done} {symbol} {where} {group} in {self.config_path}", markup=False)
        self.recompute()
        if change == "add":
            self.call_later(self.action_refresh)  # fetches the new symbol's history online

    def action_export(self) -> None:
        """The table as CSV and the current screen as SVG, in the export dir; says where."""
        from tui.export import stamped, table_csv, write_atomic
        from tui.locations import export_dir

        folder = export_dir()
        try:
            written = []
            if self.report is not None:
                csv_path = stamped(folder, ".csv", self.clock().astimezone())
                written.append(write_atomic(csv_path, table_csv(self.report.rows)))
            svg_path = stamped(folder, ".svg", self.clock().astimezone())
            self.save_screenshot(filename=svg_path.name, path=str(folder))
            written.append(svg_path)
        except OSError as error:
            self.notify(f"Export failed: {error}", severity="error", markup=False)
            return
        self.notify("Exported " + " and ".join(str(p) for p in written), markup=False, timeout=8)

    def action_rrg(self) -> None:
        """Open the relative rotation graph (Esc closes it)."""
        from tui.app.screens.rrg import RRGScreen

        if isinstance(self.screen, RRGScreen):
            return
        closes = self.report.closes if self.report else None
        self.push_screen(
            RRGScreen(closes, [(n, list(s)) for n, s in self.groups], self.config.benchmark)
        )

    def action_open_rule(self, rule_id: str) -> None:
        """Open a regime rule's evidence screen."""
        report = self.report
        if report is None or report.closes is None:
            self.notify("Still computing the figures…", timeout=3)
            return
        name = next((r["name"] for r in report.regime if r["id"] == rule_id), rule_id)
        screen = RuleScreen(rule_id, name, self.palette)
        self.push_screen(screen)
        screen.call_after_refresh(screen.show_status, self.status)
        self.load_rule(rule_id)

    def action_help(self) -> None:
        from tui.app.screens.help import HelpScreen, binding_rows
        from tui.app.screens.rrg import RRGScreen

        if isinstance(self.screen, HelpScreen):
            return
        rows = binding_rows(
            [
                ("Everywhere", self.BINDINGS),
                ("Dashboard", DashboardScreen.BINDINGS),
                ("Sector table", SectorTable.BINDINGS),
                ("Drill-down", DetailScreen.BINDINGS),
                ("Rule evidence", RuleScreen.BINDINGS),
                ("RRG", RRGScreen.BINDINGS),
            ]
        )
        rows.insert(len(self.BINDINGS), ("Everywhere", "Ctrl+P", "Command palette: every action"))
        rows.append(("Tables", "↑ ↓ PgUp PgDn Home End", "Move the cursor"))
        self.push_screen(HelpScreen(rows))

    def action_sort(self, column: str) -> None:
        table = self.dashboard.query_one(SectorTable)
        table.sort_by(None if column == "config" else column, reverse=column not in ("symbol",))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Refresh now", "Fetch the latest prices (r)", self.action_refresh)
        yield SystemCommand(
            "Relative rotation graph", "Sectors on RS-Ratio vs RS-Momentum (g)", self.action_rrg
        )
        yield SystemCommand(
            "Sort as configured", "Group order from the config", lambda: self.action_sort("config")
        )
        for column in COLUMNS:
            if column.key in SORTABLE:
                yield SystemCommand(
                    f"Sort by {column.label}",
                    "Within each group; n/a last",
                    lambda key=column.key: self.action_sort(key),  # type: ignore[misc]
                )
        for rule in self.report.regime if self.report else []:
            yield SystemCommand(
                f"Rule: {rule['name']}",
                f"{rule['status']} · evidence chart and flip history",
                lambda r=rule["id"]: self.action_open_rule(r),  # type: ignore[misc]
            )
        for symbol in self.config.symbols():
            yield SystemCommand(
                f"Open {symbol}",
                f"{name_of(symbol)}: RS chart and holdings",
                lambda s=symbol: self.action_open_symbol(s),  # type: ignore[misc]
            )
