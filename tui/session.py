"""One rotmon session, without Textual: the cache, the rules and events, the figures.

:class:`Monitor` is what both the dashboard's workers and every CLI command call, so nothing is
written twice: open (and seed, and follow) the cache, refresh prices and earnings dates, compute
the report, save the summary a viewer's first frame paints, remember which alerts were given,
and notice when the watched files change. The app's workers are a call into it and a message;
`rotmon refresh` and `rotmon report` are a few calls into it and a print.

Every method that touches SQLite, pandas or the network blocks: call it from a thread (the app)
or the main thread (the CLI). None of them prints or notifies; problems come back as values.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tui.config import Config

if TYPE_CHECKING:
    from tui.data.cache import Cache
    from tui.data.refresh import RefreshOutcome
    from tui.regime.catalysts import Catalyst
    from tui.regime.fed import Decision
    from tui.regime.rules import Rule
    from tui.report import Detail, Report, RuleDetail, TrackRecord

__all__ = ["FileWatch", "Monitor", "run_with_deadline", "source_of"]

T = TypeVar("T")
SUMMARY = "dashboard"
"""The name under which the dashboard's figures are saved in the cache."""
TRACK_RECORD = "track-record"
"""… and the track record computed from the same figures."""


def run_with_deadline(
    fn: Callable[[], T],
    deadline: float,
    cancelled: Callable[[], bool] = lambda: False,
    poll: float = 0.1,
) -> T | None:
    """Run `fn` in a daemon thread; None as soon as `cancelled()` says so.

    A network call that hangs must not keep the app from quitting, nor stop every later
    refresh: this returns at once when cancelled, raises TimeoutError after `deadline`
    seconds, and the daemon thread dies with the process.
    """
    give_up = time.monotonic() + deadline
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as error:  # re-raised in the caller below
            box["error"] = error

    thread = threading.Thread(target=target, name="rotmon-call", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(poll)
        if cancelled():
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


FLIP_ALERT_DAYS = 5
"""A confirmed flip is alert-worthy for this many days after it (say, over a weekend the
dashboard was closed): the id carries the flip's date, so it is sent once."""


def report_alerts(report: Report) -> list[Any]:
    """The alerts a report holds: each rule whose confirmed state flipped in the last
    FLIP_ALERT_DAYS days, each catalyst under 24 h away (tui.notify.Alert, stable ids)."""
    from datetime import date

    from tui.notify import Alert
    from tui.regime.alerts import catalyst_key

    out = []
    as_of = date.fromisoformat(report.as_of) if report.as_of else None
    for rule in report.regime:
        since, status = rule.get("since"), rule["status"]
        if status not in ("pass", "fail") or not since or as_of is None:
            continue
        if (as_of - date.fromisoformat(since)).days > FLIP_ALERT_DAYS:
            continue
        out.append(
            Alert(
                id=f"rule_flip|{rule['id']}|{since}|{status}",
                kind="rule_flips",
                title=f"rotmon: {rule['name']} flipped to {status.upper()}",
                text=f"{rule['value_text'] or rule['reason']} (since {since})",
            )
        )
    for item in report.catalysts:
        if 0 <= item["days_until"] <= 1.0:
            hours = item["days_until"] * 24
            when = f"in {hours:.0f} h" if hours >= 1 else "within the hour"
            out.append(
                Alert(
                    id=f"catalyst|{catalyst_key(item)}",
                    kind="catalysts",
                    title=f"rotmon: {item['name']} {when}",
                    text=f"{item['datetime'][:16].replace('T', ' ')} ET · {item['detail']}",
                )
            )
    return out


def local_zone() -> Any:
    """The user's time zone as a ZoneInfo ($TZ, else /etc/localtime's name), or None."""
    import os
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    names = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            names.append(target.split("zoneinfo/", 1)[1])
    for name in names:
        if name:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError, OSError):
                return ZoneInfo(name)
    return None


_UI_STATE_LOCK = threading.Lock()
"""Serialises the read-modify-write of ui-state.json (see ``Monitor._save_ui_state``)."""


def source_of(cache: Cache) -> str:
    """Where the cached rows came from, for the status line: "yahoo+snapshot", …"""
    infos = cache.symbol_info().values()
    sources = sorted({i.source.split(":")[0] for i in infos if i.source and i.rows})
    return "+".join(sources) if sources else "empty cache"


@dataclass
class FileWatch:
    """The stamps (mtime, size) of the files a session follows: config, rules, events, themes.

    `changed()` is a few stat() calls: cheap enough for a 2 s timer, and it never reads a file.
    """

    config_path: Path | None = None
    stamps: tuple[Any, ...] = ()

    def files(self) -> list[Path]:
        from tui.locations import rules_path, user_themes_dir
        from tui.regime.events import default_events_path

        files = [rules_path(), default_events_path()]
        if self.config_path is not None:
            files.append(Path(self.config_path))
        themes = user_themes_dir()
        if themes.is_dir():
            files.extend(sorted(themes.glob("*.toml")))
        return files

    def read(self) -> tuple[Any, ...]:
        stamps = []
        for path in self.files():
            try:
                info = path.stat()
                stamps.append((str(path), info.st_mtime_ns, info.st_size))
            except OSError:
                stamps.append((str(path), None, None))
        return tuple(stamps)

    def note(self) -> None:
        """Take the files as they are now as seen (after our own write, say)."""
        self.stamps = self.read()

    def changed(self) -> bool:
        """True (once) if any watched file changed since the last look."""
        stamps = self.read()
        if stamps == self.stamps:
            return False
        self.stamps = stamps
        return True


@dataclass
class Monitor:
    """The state of one session and the work on it (see the module docstring)."""

    config: Config
    cache_path: Path
    read_only: bool = False
    """A viewer: never writes the cache (no seeding, no summary, alert memory per session)."""
    offline: bool = False
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    provider: Any = None
    """Prices; None: Yahoo, built on first use."""
    earnings_provider: Any = None
    """Earnings dates; None: from Yahoo when the prices come from Yahoo, else nobody."""
    holdings_provider: Any = None
    """The sector holdings' prices; None: the price provider when rotmon built it (Yahoo),
    nobody when a test or an embedding gave a price provider only."""
    holdings_busy: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )
    """Held while a holdings refresh runs: a second one (a worker started while a call given
    up at its deadline still runs in its thread) asks nothing."""
    cache: Cache | None = None
    rules: list[Rule] | None = None
    events: list[Catalyst] = field(default_factory=list)
    failures: int = 0
    """Refreshes in a row that failed (backoff; carried over a restart in the cache)."""
    alert_memory: dict[str, str] = field(default_factory=dict)
    """A viewer's alert memory, for the session (a writer keeps it in the cache)."""
    notifier: Any = None
    """Runs the config's notify command (built on first use; never for a viewer)."""
    last_report: Report | None = None
    """The last report computed in this session."""
    last_session: str | None = None
    """The data date the previous session of this user ended on (read at open)."""

    def __post_init__(self) -> None:
        self.provider_injected = self.provider is not None
        self._benchmark: str | None = None  # picked this session (None: the config's)
        self.rule_templates: list[Rule] | None = None
        """The rules as loaded, ``$benchmark`` unresolved (:attr:`rules` has it resolved)."""
        self._digest_alerts_for: tuple[Any, list[Any]] = (None, [])
        if self.read_only:
            self.offline = True

    # -- inputs -------------------------------------------------------------------------

    @property
    def symbols(self) -> list[str]:
        """The config's symbols and the benchmark in use (fetched even if no group has it)."""
        symbols = self.config.symbols()
        return symbols if self.benchmark in symbols else [*symbols, self.benchmark]

    @property
    def benchmark(self) -> str:
        """What relative strength is measured against now: the one picked (the dashboard's
        `B`, the palette, `--benchmark`), else the config's."""
        return self._benchmark or self.config.benchmark

    def set_benchmark(self, symbol: str | None) -> bool:
        """Measure against `symbol` from now on (None: the config's); the rules' `$benchmark`
        follows. Cheap (no figures computed: call :meth:`compute` after, from a worker).
        True if that changed the benchmark."""
        before = self.benchmark
        self._benchmark = None if symbol == self.config.benchmark else symbol
        if self.rule_templates is not None:
            self.rules = self.rules_for(self.benchmark)
        return self.benchmark != before

    def rules_for(self, benchmark: str) -> list[Rule]:
        """The session's rules with `$benchmark` standing for `benchmark`."""
        from tui.regime.rules import with_benchmark

        if self.rule_templates is None:
            return list(self.rules or [])
        return with_benchmark(self.rule_templates, benchmark)

    def restore_benchmark(self) -> str:
        """The benchmark picked in an earlier session, if the config still offers it (a few
        ms: one small JSON file, read before the first frame to peek at the right summary)."""
        picked = self._ui_state().get("benchmark")
        if isinstance(picked, str) and picked in self.config.benchmark_choices():
            self.set_benchmark(picked)
        return self.benchmark

    def remember_benchmark(self) -> bool:
        """Keep the benchmark in use for the next start (never for a viewer)."""
        if self.read_only:
            return False
        return self._save_ui_state(benchmark=self.benchmark)

    def summary_key(self, benchmark: str | None = None) -> str:
        """Whose figures a saved summary holds: the config's symbols, and `benchmark` (default:
        the one in use)."""
        from tui.report import summary_key

        return summary_key(self.config.symbols(), benchmark or self.benchmark)

    def load_inputs(self) -> list[str]:
        """Read the rules (shipped + the user's rules.toml) and the user's events file; the
        problems in either, as file:line: message lines (the rest still loads)."""
        from tui.locations import rules_path
        from tui.regime.events import load_default_events
        from tui.regime.rules import load_rules

        self.rule_templates, rule_problems = load_rules(rules_path(), benchmark=None)
        self.rules = self.rules_for(self.benchmark)
        self.events, event_problems, _ = load_default_events()
        return [str(p) for p in [*rule_problems, *event_problems]]

    def rule_symbols(self) -> list[str]:
        from tui.report import rule_symbols

        return rule_symbols(self.rules)

    # -- the cache ----------------------------------------------------------------------

    def peek_summary(self) -> Report | None:
        """The figures the last run saved, for the first frame: a few ms of SQLite and JSON,
        no pandas. On a first start (no cache, no rules file of the user's), the bundled
        snapshot's own summary, shipped precomputed."""
        from tui.data.cache import peek_summary
        from tui.locations import rules_path
        from tui.report import Report, next_fomc

        payload = peek_summary(self.cache_path, SUMMARY)
        if payload is None and not rules_path().exists():
            from tui import bundled_summary

            payload = bundled_summary.load()
        saved = Report.from_summary(payload, self.summary_key()) if payload else None
        if saved is not None:
            saved.next_fomc = next_fomc(self.clock())
        return saved

    def open(self) -> Cache:
        """Open the cache (read-only for a viewer); note the version the figures come from."""
        from tui.data.cache import Cache
        from tui.data.refresh import consecutive_failures

        cache = Cache(self.cache_path, read_only=self.read_only)
        cache.changed_elsewhere()
        self.failures = consecutive_failures(cache)  # backoff carries over a restart
        self.cache = cache
        self.last_session = self._ui_state().get("seen_as_of")
        return cache

    def reopen_read_only(self) -> Cache | None:
        """A viewer left with an in-memory copy: the file itself if it can now be read as it
        is (None if it still cannot). The copy is dropped, not closed: a worker may still be
        reading it."""
        from tui.data.cache import Cache

        fresh = Cache(self.cache_path, read_only=True)
        if fresh.in_memory:
            fresh.close()
            return None
        fresh.changed_elsewhere()
        self.cache = fresh
        return fresh

    def saved_report(self) -> Report | None:
        """The summary saved in the open cache (when the first frame could not peek at it)."""
        from tui.report import Report, next_fomc

        assert self.cache is not None
        payload = self.cache.load_summary(SUMMARY)
        saved = Report.from_summary(payload, self.summary_key()) if payload else None
        if saved is not None:
            saved.next_fomc = next_fomc(self.clock())
        return saved

    def source(self) -> str:
        assert self.cache is not None
        return source_of(self.cache)

    def seed(self, symbols: Sequence[str] | None = None) -> int:
        """Bundled history for the symbols (default: the config's and the rules') that the
        cache lacks; nothing for a viewer or a cache that cannot be written."""
        from tui.report import seed_bundled

        cache = self.cache
        assert cache is not None
        if not cache.writable:
            return 0
        wanted = list(symbols) if symbols is not None else [*self.symbols, *self.rule_symbols()]
        return seed_bundled(cache, wanted)

    # -- figures ------------------------------------------------------------------------

    def policy(self) -> list[Decision]:
        """The Fed's record for the rules: the bundled tables, extended by FRED's target range
        where a refresh fetched it (cached; never asked here)."""
        from tui.report import policy

        fetched = None
        if self.cache is not None:
            from tui.data.fred import cached_range

            with contextlib.suppress(sqlite3.Error):
                known = cached_range(self.cache)
                fetched = known.as_tuples()
                if fetched and known.through is not None and known.through > fetched[-1][0]:
                    # The observations reach `through`: the meetings up to it were holds.
                    fetched.append((known.through, fetched[-1][1], fetched[-1][2]))
        return policy(fetched)

    def build(
        self,
        symbols: Sequence[str] | None = None,
        benchmark: str | None = None,
        *,
        as_of: str | None = None,
    ) -> Report:
        """The report (table, rules, catalysts, RRG) from the cache; nothing saved."""
        from tui.report import build_report

        assert self.cache is not None
        # The rules resolved for the benchmark read here, not the session's field: a switch
        # on the UI thread between the two reads must not score one benchmark's figures
        # with the other's rules.
        measured = benchmark or self.benchmark
        return build_report(
            self.cache,
            list(symbols) if symbols is not None else self.config.table_symbols(),
            measured,
            as_of=as_of,
            now=None if as_of else self.clock(),
            rules=self.rules_for(measured),
            events=self.events,
            decisions=self.policy(),
        )

    def save_summary(self, report: Report) -> bool:
        """Save the dashboard's figures in the cache, for the next first frame and for viewers
        (`rotmon --read-only`). A convenience: a full disk must not stop the figures."""
        cache = self.cache
        if cache is None or not cache.writable or report.as_of is None:
            return False
        try:
            cache.save_summary(SUMMARY, report.to_summary(self.summary_key(report.benchmark)))
        except sqlite3.Error:
            return False
        return True

    def compute(self, *, seed: bool = False) -> Report:
        """The dashboard's figures: seed what is missing (optionally), build, save."""
        if seed:
            self.seed()
        report = self.build()
        self.last_report = report
        self.save_summary(report)
        self._note_seen(report)
        return report

    def track_record(self, report: Report) -> TrackRecord | None:
        """Every rule's history, the score's, and the forward-return study, from the report's
        closes (~0.4 s for the bundled 10 years: call it from a worker). Saved beside the
        summary; the same report (same as-of) gives the saved record back without work."""
        from tui.report import TrackRecord, build_track_record

        cache = self.cache
        if report.closes is None or report.as_of is None:
            return None
        rules = self.rules_for(report.benchmark)
        key = f"{self.summary_key(report.benchmark)}|{report.as_of}|{self._rules_key(rules)}"
        if cache is not None:
            with contextlib.suppress(sqlite3.Error):
                saved = cache.load_summary(TRACK_RECORD)
                if isinstance(saved, dict) and saved.get("key") == key:
                    record = TrackRecord.from_json(saved.get("record"))
                    if record is not None:
                        return record
        record = build_track_record(
            report.closes, rules, decisions=self.policy(), benchmark=report.benchmark
        )
        if cache is not None and cache.writable:
            with contextlib.suppress(sqlite3.Error):
                cache.save_summary(TRACK_RECORD, {"key": key, "record": record.to_json()})
        return record

    def saved_track_record(self) -> TrackRecord | None:
        """The record saved by the last run (whatever its date), for a screen opened before the
        fresh one is computed."""
        from tui.report import TrackRecord

        if self.cache is None:
            return None
        with contextlib.suppress(sqlite3.Error):
            saved = self.cache.load_summary(TRACK_RECORD)
            if isinstance(saved, dict):
                return TrackRecord.from_json(saved.get("record"))
        return None

    def _rules_key(self, rules: Sequence[Rule] | None = None) -> str:
        import hashlib

        rules = self.rules if rules is None else rules
        text = repr(sorted((r.id, repr(r)) for r in rules or []))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def backtest(
        self,
        *,
        horizon: str | None = None,
        start: str | None = None,
        end: str | None = None,
        series: bool = False,
    ) -> dict[str, Any]:
        """The forward-return study over the cache (`rotmon backtest`): every rule and the
        score, seeded first with the bundled history of what the rules and the score read."""
        from tui.regime.fomc import load_meetings
        from tui.regime.study import backtest

        assert self.cache is not None
        symbols = list(dict.fromkeys([*self.rule_symbols(), "IWM", "EEM", "VBR", self.benchmark]))
        symbols += [] if "SPY" in symbols else ["SPY"]  # a pair's stand-in (IWM picked)
        self.seed(symbols)
        closes = self.cache.read_closes(symbols, end=end)
        return backtest(
            closes,
            self.rules or [],
            decisions=self.policy(),
            meetings=load_meetings(),
            horizons=horizon,
            start=start,
            end=end,
            series=series,
            benchmark=self.benchmark,
        )

    def holdings_closes(self, symbols: Sequence[str]) -> Any:
        """Closes of a sector's holdings (and any other symbols), their bundled history seeded
        first where the cache can take it: for the heat map and the member RRG's worker."""
        from tui.data.snapshot import seed_cache, seed_holdings

        cache = self.cache
        assert cache is not None
        if cache.writable:
            seed_holdings(cache, symbols)
            seed_cache(cache, symbols)
        return cache.read_closes(list(symbols))

    def glance_inputs(self, report: Report | None = None, *, end: str | None = None) -> Any:
        """What the digest and the book read (see :class:`tui.glance.GlanceInputs`): the
        closes of the table's, the rules', the sector ETFs' and the positions' symbols (rows
        dated on or before `end`), the catalysts of `report` (default: the last computed).
        Blocks: call it from a worker."""
        from tui.data.snapshot import seed_cache, seed_holdings
        from tui.glance import GlanceInputs, position_symbols
        from tui.universe import SECTOR_ETFS

        cache = self.cache
        assert cache is not None
        report = report or self.last_report
        symbols = self.config.table_symbols()
        positions = self.positions_path()
        held = position_symbols(positions)
        wanted = list(dict.fromkeys([*symbols, self.benchmark, *SECTOR_ETFS]))
        wanted += [s for s in [*self.rule_symbols(), *held] if s not in wanted]
        if cache.writable:
            seed_cache(cache, wanted)
            if held:
                seed_holdings(cache, held)
        return GlanceInputs(
            closes=cache.read_closes(wanted, end=end),
            symbols=symbols,
            benchmark=self.benchmark,
            rules=list(self.rules or []),
            decisions=self.policy(),
            events=list(self.events),
            catalysts=list(report.catalysts) if report is not None else [],
            now=self.clock(),
            last_session=self.last_session,
            positions_path=positions,
        )

    def market_breadth(self, as_of: str | None = None) -> dict[str, Any]:
        """Breadth inside the sectors and the mega caps' weight in SPY, for `report --json`:
        {"per_sector": {etf: {...}}, "breadth": {...}, "concentration": {...}} from the
        bundled holdings' prices (seeded first) and whatever the cache holds newer."""
        from tui.data.snapshot import load_holdings, load_spy_holdings, seed_cache, seed_holdings
        from tui.report import breadth_json, concentration_json
        from tui.universe import SECTOR_ETFS

        cache = self.cache
        assert cache is not None
        members = sorted({h.symbol for rows in load_holdings().values() for h in rows})
        top = sorted({h.symbol for h in load_spy_holdings()})
        funds = [*SECTOR_ETFS, "SPY", "RSP"]
        wanted = list(dict.fromkeys([*funds, *members, *top]))
        if cache.writable:
            seed_cache(cache, funds)
            seed_holdings(cache, [*members, *top])
        closes = cache.read_closes(wanted, end=as_of)
        per_sector, everything = breadth_json(closes, as_of=as_of)
        return {
            "per_sector": per_sector,
            "breadth": everything,
            "concentration": concentration_json(closes, as_of=as_of),
        }

    def concentration_view(self, periods: dict[str, int | None]) -> Any:
        """The mega caps' weight in SPY, their basket against SPY and RSP and their part in
        SPY's move over each of ``periods`` (:func:`tui.report.build_concentration_view`),
        from the cache, SPY's bundled top holdings seeded first. Blocks (~0.3 s): call it from
        a worker."""
        from tui.data.snapshot import load_spy_holdings
        from tui.report import build_concentration_view, seed_bundled

        cache = self.cache
        assert cache is not None
        wanted = ["SPY", "RSP", *(h.symbol for h in load_spy_holdings())]
        if cache.writable:
            seed_bundled(cache, wanted)
        return build_concentration_view(cache.read_closes(wanted), periods)

    def positions_path(self) -> Path | None:
        """The positions file beside the config: positions.csv, else positions.toml (a
        [positions] table); None if there is neither. rotmon never writes it."""
        from tui.locations import config_dir

        for name in ("positions.csv", "positions.toml"):
            path = config_dir() / name
            if path.exists():
                return path
        return None

    def score_study(self, closes: Any, k: float) -> dict[str, Any]:
        """The forward-return study with the score read ON from share `k` (the history
        screen's k keys); the same rules and Fed record as the track record. Blocks."""
        from tui.regime.fomc import load_meetings
        from tui.regime.study import backtest

        return backtest(
            closes,
            list(self.rules or []),
            decisions=self.policy(),
            meetings=load_meetings(),
            k=k,
            benchmark=self.benchmark,
        )

    def alerts(self, report: Report) -> list[str]:
        """Rule flips and catalysts under 24 h away, each alerted once (remembered in the
        cache; for a viewer, in this session)."""
        import json

        from tui.regime.alerts import catalysts_due, rule_flips

        cache = self.cache
        if not self.config.alerts or cache is None:
            return []
        writable = cache.writable

        def recall(key: str) -> str | None:
            return cache.get_meta(key) if writable else self.alert_memory.get(key)

        def remember(key: str, value: str) -> None:
            if writable:
                cache.set_meta(key, value)
            else:
                self.alert_memory[key] = value

        # Rule states are remembered per benchmark: a switch of benchmark (by B, or by an edit
        # of the config's) changes what the rules measure, and is no flip to alert on — a
        # benchmark without a memory yet adopts what it shows.
        rules_key = f"alerts.rules|{report.benchmark}"
        with contextlib.suppress(sqlite3.Error):  # a convenience, like the summary
            raw = recall(rules_key)
            if raw is None and report.benchmark == self.config.benchmark:
                # A cache from before memories per benchmark kept the config's under the
                # plain key: it moves to this benchmark once.
                raw = recall("alerts.rules") or None
                if raw is not None:
                    remember("alerts.rules", "")
            flips, seen = rule_flips(json.loads(raw) if raw else None, report.regime)
            remember(rules_key, json.dumps(seen))
            notified = json.loads(recall("alerts.catalysts") or "[]")
            due, notified = catalysts_due(notified, report.catalysts)
            remember("alerts.catalysts", json.dumps(notified))
            self.notify_command(report)
            return [*flips, *due]
        return []

    def notify_command(self, report: Report) -> list[Any]:
        """Send what is worth telling — confirmed rule flips of the last days, catalysts under
        24 h away — to the config's notify command (an argv list, never a shell), each alert
        once: the ids sent are remembered in the cache, so a restart sends nothing again, and
        alerts held back by quiet hours go out when they end. Returns the alerts sent. The
        command runs in the notifier's own thread: nothing here waits for it. A viewer never
        runs it (the process that writes the cache does)."""
        from tui.notify import AlertMemory, Notifier, dispatch

        settings = self.config.notify
        cache = self.cache
        if not settings.command or self.read_only or cache is None or not cache.writable:
            return []
        now = self.clock()
        stored = cache.get_meta("alerts.notify")
        memory = AlertMemory.from_json(stored)
        alerts = report_alerts(report) + self._digest_alerts(report)
        if stored is None or memory.damaged:  # a first run: what is current is not news
            memory.adopt([a.id for a in alerts], now)
            self._first_use_of(report.benchmark)  # noted: this benchmark's memory starts here
            sent = []
        elif self._first_use_of(report.benchmark):
            # Nor is what a benchmark picked for the first time shows: its rule flips and
            # digest items are adopted; catalysts (the same whatever the benchmark) go on.
            memory.adopt([a.id for a in alerts if a.kind != "catalysts"], now)
            alerts = [a for a in alerts if a.kind == "catalysts"]
            if self.notifier is None:
                self.notifier = Notifier(list(settings.command), timeout=settings.timeout)
            sent = dispatch(alerts, settings, self.notifier, memory, now)
        else:
            if self.notifier is None:
                self.notifier = Notifier(list(settings.command), timeout=settings.timeout)
            sent = dispatch(alerts, settings, self.notifier, memory, now)
        memory.prune(now)
        cache.set_meta("alerts.notify", memory.to_json())
        return sent

    def _first_use_of(self, benchmark: str) -> bool:
        """True once per benchmark: the first time the notify command sees its figures (noted
        in the cache) — picked by B or made the config's by an edit alike. The benchmark a
        memory from before this note was kept for (the first one noted) is its own: False."""
        import json

        cache = self.cache
        if cache is None:
            return False
        raw = cache.get_meta("alerts.notify.benchmarks")
        try:
            seen = [str(b) for b in json.loads(raw)] if raw else []
        except (ValueError, TypeError):
            seen = []
        if benchmark in seen:
            return False
        cache.set_meta("alerts.notify.benchmarks", json.dumps([*seen, benchmark]))
        return raw is not None

    def _digest_alerts(self, report: Report) -> list[Any]:
        """Quadrant changes and 52-week RS highs/lows since the previous close (the digest's
        items, ids stable across runs), when the notify command is to get those kinds."""
        from tui.glance import GlanceError, digest_json
        from tui.notify import Alert

        wanted = {"quadrants", "rs_extremes"} & set(self.config.notify.kinds)
        if not wanted or report.as_of is None:
            return []
        key = (report.as_of, frozenset(wanted))
        if self._digest_alerts_for[0] == key:  # a refresh that brought no new day: no new digest
            return self._digest_alerts_for[1]
        try:
            items = digest_json(self.glance_inputs(report, end=report.as_of), "yesterday")["items"]
        except (GlanceError, KeyError, ValueError):
            return []
        alerts = [Alert.from_dict(i) for i in items if i.get("alert_kind") in wanted]
        self._digest_alerts_for = (key, alerts)
        return alerts

    def notify_failures(self) -> list[str]:
        """Why the notify command failed since the last call (each kind once)."""
        return self.notifier.failures() if self.notifier is not None else []

    def detail(self, symbol: str, benchmark: str, *, seed: bool = True) -> Detail:
        """A symbol's drill-down from the cache (the pair's bundled history seeded first)."""
        from tui.data.snapshot import seed_cache
        from tui.report import build_detail

        assert self.cache is not None
        if seed:
            seed_cache(self.cache, [symbol, benchmark])
        return build_detail(self.cache, symbol, benchmark)

    def stale_members(self, detail: Detail) -> list[str]:
        """What a drill-down would fetch: holdings not fresh, and a pair not cached."""
        assert self.cache is not None
        members = [h["symbol"] for h in detail.holdings if h["symbol"] not in detail.fresh]
        known = self.cache.last_dates()
        return members + [s for s in (detail.symbol, detail.benchmark) if s not in known]

    def rule_detail(self, rule_id: str, report: Report | None) -> RuleDetail | None:
        """A rule's evidence (its series over two years and its flips), or None."""
        from tui.report import build_rule_detail

        if report is None or report.closes is None:
            return None
        # as the report was scored: its own benchmark's rules, whatever is picked by now
        rule = next((r for r in self.rules_for(report.benchmark) if r.id == rule_id), None)
        if rule is None:
            return None
        return build_rule_detail(report.closes, rule)

    # -- the network --------------------------------------------------------------------

    def prices(self) -> Any:
        """The price provider: the one given, else Yahoo (built once)."""
        if self.provider is None:
            from tui.data.yahoo import YahooProvider

            self.provider = YahooProvider(
                timeout=10.0, tz_cache_dir=self.cache_path.parent / "yfinance"
            )
        return self.provider

    def refresh(
        self, symbols: Sequence[str] | None = None, *, record: bool = True
    ) -> RefreshOutcome:
        """Ask the provider for the days the cache lacks (default: the config's symbols)."""
        from tui.data.refresh import run_refresh

        assert self.cache is not None
        wanted = list(symbols) if symbols is not None else self.symbols
        return run_refresh(self.cache, self.prices(), wanted, now=self.clock(), record=record)

    def refresh_earnings(self, symbols: Sequence[str] | None = None) -> Any:
        """Next earnings dates of the watched stocks, asked at most daily; None if nobody is
        to be asked (a test or an embedding gave a price provider only)."""
        from tui.data.earnings import EarningsProvider, refresh_earnings
        from tui.universe import ETFS

        assert self.cache is not None
        earnings = self.earnings_provider
        if earnings is None:
            if self.provider_injected:
                return None
            earnings = self.earnings_provider = EarningsProvider(prices=self.prices())
        wanted = list(symbols) if symbols is not None else self.symbols
        return refresh_earnings(self.cache, earnings, wanted, ETFS, self.clock())

    def refresh_policy(self) -> Any:
        """The Fed's target range from FRED (asked at most daily; the last good data kept on
        any failure); None when nobody is to be asked (a test gave a price provider only, or
        the cache cannot be written)."""
        from tui.data.fred import refresh_fed_range

        cache = self.cache
        assert cache is not None
        if self.provider_injected or not cache.writable:
            return None
        try:
            return refresh_fed_range(cache, self.clock())
        except sqlite3.Error:  # a full disk: the fetched range cannot be kept, the rest goes on
            return None

    def refresh_holdings(self, *, force: bool = False) -> Any:
        """Every bundled holding's prices (the sector members and SPY's top 20) from Yahoo, in
        batches of at most 50, once per closed NYSE session (the last one asked for is remembered
        in the cache's meta): a
        :class:`tui.data.refresh.HoldingsOutcome`, or None when not due or nobody is to be
        asked (a viewer, --offline, a cache that cannot be written, a test that gave a price
        provider only). Their bundled history is seeded first, so only new days are fetched.
        Blocks (the calendar, the network): call it from a worker, after the main refresh."""
        from tui.data.refresh import holdings_due, run_holdings_refresh
        from tui.data.snapshot import holdings_symbols, seed_holdings

        cache = self.cache
        assert cache is not None
        provider = self.holdings_provider
        if provider is None and not self.provider_injected:
            provider = self.prices()
        if provider is None or self.offline or self.read_only or not cache.writable:
            return None
        now = self.clock()
        if not force and not holdings_due(cache, now):
            return None
        if not self.holdings_busy.acquire(blocking=False):
            return None
        symbols = holdings_symbols()
        try:
            seed_holdings(cache, symbols)
            return run_holdings_refresh(cache, provider, symbols, now=now, force=force)
        except sqlite3.Error:  # a full disk: the bundled holdings stay as they were
            return None
        finally:
            self.holdings_busy.release()

    def holdings_as_of(self) -> str:
        """Where the holdings' figures come from, for the drill-down, its breadth and the heat
        map: 'holdings prices as of 2026-07-31 (bundled)' or '… (Yahoo 2026-08-07 17:30 ET)'
        (see :func:`tui.data.refresh.holdings_label`); '' without a cache. Reads the cache's
        meta and its per-symbol summary only (~50 ms): call it from a worker."""
        from tui.data.refresh import holdings_label, holdings_state
        from tui.data.snapshot import holdings_symbols

        cache = self.cache
        if cache is None:
            return ""
        try:
            info = cache.symbol_info()
            state = holdings_state(cache)
        except sqlite3.Error:
            return ""
        latest = {s: (i.last_date or "", i.source) for s, i in info.items()}
        return holdings_label(latest, holdings_symbols(), state)

    def next_refresh_in(self, every: int | None = None, *, wait: bool = True) -> float:
        """Seconds until the next scheduled refresh: the open/closed cadence of the config
        (or `every` while markets are open, and at least that otherwise), backing off after
        failures. `wait=False` (the UI thread) never waits for the calendar to load: until it
        has, the market's hours are taken as weekdays 09:30-16:00 ET."""
        from tui.data.refresh import next_interval

        config = self.config
        if every is None:
            cadence = (config.refresh_open, config.refresh_closed)
        else:
            cadence = (every, max(every, config.refresh_closed))
        return next_interval(*cadence, self.clock(), self.failures, wait=wait)

    def note_failures(self) -> int:
        """Re-read the failure count the last refresh recorded in the cache."""
        from tui.data.refresh import consecutive_failures

        if self.cache is not None:
            self.failures = consecutive_failures(self.cache)
        return self.failures

    # -- the config file ----------------------------------------------------------------

    def read_config(self, path: Path) -> tuple[Config | None, list[str]]:
        """The config file read again: (the config to use, or None to keep the running one
        because the file does not parse — saved in the middle of an edit, say; problems)."""
        from tui.config import load_config

        config, problems = load_config(path)
        return (None if _unparsable(path) else config), [str(p) for p in problems]

    def edit_group(self, path: Path, change: str, group: str, symbol: str) -> Config:
        """Add (`change` "add") or remove a symbol of a group in the config file, comments
        kept; the config read back, now in use. ValueError (file unchanged) if it cannot be."""
        from tui.config_edit import add_symbol, remove_symbol

        edit = add_symbol if change == "add" else remove_symbol
        self.config = edit(path, group, symbol, current=self.config)
        return self.config

    # -- the market's clock -------------------------------------------------------------

    def load_calendar(self) -> None:
        """Load the NYSE calendar (exchange_calendars: ~1 s the first time; call it from a
        worker). Afterwards :meth:`market_clock` and :meth:`sessions_behind` never block."""
        from tui.data.market_clock import schedule_for

        schedule_for(self.clock().date())

    def market_clock(self) -> str:
        """'OPEN · closes 16:00 ET in 2 h 13 m' (in ET and the user's zone), or '' while the
        calendar is not loaded."""
        from tui.data.market_clock import clock_state, loaded_schedule

        schedule = loaded_schedule()
        if schedule is None:
            return ""
        now = self.clock()
        try:
            return clock_state(now, schedule).label(local_zone())
        except (ValueError, IndexError):  # a clock outside the loaded years
            return ""

    def sessions_behind(self, as_of: str | None) -> int:
        """How many NYSE sessions have closed since the data's last day (0 while the calendar
        is not loaded or the data is current)."""
        from datetime import date

        from tui.data.market_clock import last_session, loaded_schedule, sessions_between

        schedule = loaded_schedule()
        if schedule is None or not as_of:
            return 0
        closed = last_session(schedule, self.clock())
        if closed is None:
            return 0
        return sessions_between(schedule, date.fromisoformat(as_of), closed)

    def intraday_time(self) -> str:
        """'HH:MM' (New York) of the benchmark's bar while it is still in progress, else ''."""
        from zoneinfo import ZoneInfo

        from tui.data.refresh import in_progress

        if self.cache is None:
            return ""
        with contextlib.suppress(sqlite3.Error):
            bar = in_progress(self.cache).get(self.config.benchmark)
            report = self.last_report
            if bar is not None and report is not None and bar.day == report.as_of:
                return bar.as_of.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
        return ""

    # -- ui memory ----------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.cache_path.parent / "ui-state.json"

    def _ui_state(self) -> dict[str, Any]:
        """The user's small UI memory beside the cache (theme, what was last seen)."""
        import json

        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _save_ui_state(self, **changes: Any) -> bool:
        import json

        from tui.fileio import write_atomic

        # Read, change, write under one lock: workers remember a benchmark and a data date
        # at once, and neither may write back a copy without the other's change.
        with _UI_STATE_LOCK:
            state = {**self._ui_state(), **changes}
            try:  # an unwritable cache dir (already reported by the cache): no memory
                self.state_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                write_atomic(self.state_path, json.dumps(state))
            except OSError:
                return False
        return True

    def _note_seen(self, report: Report) -> None:
        """Remember the data date this session has shown, for the next session's "since your
        last session" (the user's own memory, so a viewer keeps it too)."""
        if self.read_only:
            return  # a viewer writes nothing beside a shared cache
        if report.as_of and self._ui_state().get("seen_as_of") != report.as_of:
            self._save_ui_state(seen_as_of=report.as_of)

    def remembered_theme(self) -> str | None:
        """The theme last picked in the palette — while the config still names the theme it
        was picked over (an edit to the config wins)."""
        state = self._ui_state()
        if state.get("config_theme") != self.config.theme:
            return None
        theme = state.get("theme")
        return theme if isinstance(theme, str) else None

    def remember_theme(self, theme: str) -> bool:
        """Keep the palette's choice for the next start (never for a viewer)."""
        if self.read_only:
            return False
        return self._save_ui_state(theme=theme, config_theme=self.config.theme)
