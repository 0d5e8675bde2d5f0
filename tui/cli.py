"""Command line: `rotmon` (the dashboard), `rotmon refresh`, `rotmon report`, `rotmon import`.

Every subcommand imports its heavy modules lazily, so `rotmon --help` and the dashboard's first
frame stay fast. Errors the user can cause print one line on stderr and exit non-zero; no
traceback reaches the terminal (ROTMON_DEBUG=1 shows it, for bug reports).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

from tui import __version__

PROG = "rotmon"


class UsageError(Exception):
    """A mistake in how rotmon was called or what it was given: exit 2 with one line."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--config", metavar="PATH", type=Path, default=default, help="config file to use"
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        default=default,
        help="cache directory (default: $ROTMON_CACHE_DIR or the user cache dir)",
    )


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description=(
            "Rotation Monitor: watch the rotation between mega caps, small caps, emerging "
            "markets, value and the S&P sectors, in the terminal. Without a command, "
            "starts the dashboard."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_common(parser, suppress=False)
    parser.add_argument(
        "--offline", action="store_true", help="never refresh; show cached/bundled data only"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="a viewer of a cache that `rotmon refresh --every` feeds: never write to it, "
        "never fetch, follow its refreshes",
    )
    parser.add_argument("--theme", metavar="NAME", help="colour theme (e.g. rotmon-light)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    refresh = commands.add_parser("refresh", help="fetch the days the cache lacks, then exit")
    _add_common(refresh, suppress=True)
    refresh.add_argument("--symbols", metavar="A,B,…", help="only these symbols")
    refresh.add_argument(
        "--every",
        metavar="DURATION",
        help="keep refreshing (e.g. 5m; hourly while markets are closed, backing off after "
        "failures), logging to stderr; stop with Ctrl+C or SIGTERM",
    )

    report = commands.add_parser(
        "report", help="print the table, regime rules and catalysts without the TUI"
    )
    _add_common(report, suppress=True)
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")
    report.add_argument("--symbols", metavar="A,B,…", help="these symbols instead of the universe")
    report.add_argument("--benchmark", metavar="SYM", help="benchmark for RS (default: config)")
    report.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="compute from rows dated on or before this day"
    )

    imp = commands.add_parser("import", help="load a long-format price CSV into the cache")
    _add_common(imp, suppress=True)
    imp.add_argument(
        "file", type=Path, help="CSV: date,symbol,open,high,low,close,adj_close,volume"
    )

    watch = commands.add_parser(
        "import-watchlist", help="add the symbols of a list or CSV file to a config group"
    )
    _add_common(watch, suppress=True)
    watch.add_argument(
        "file", type=Path, help="symbols: one per line, or a CSV with a symbol column"
    )
    watch.add_argument("--group", metavar="NAME", default="Watchlist", help="(default: Watchlist)")

    from tui.serve import add_arguments as add_serve_arguments  # standard library only

    serve = commands.add_parser("serve", help="serve the dashboard to a web browser")
    _add_common(serve, suppress=True)
    add_serve_arguments(serve)
    return parser


# -- helpers ---------------------------------------------------------------------------------


def _warn(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _load_config(args: argparse.Namespace) -> Any:
    from tui.config import load_config

    if args.config is not None and not Path(args.config).is_file():
        raise UsageError(f"config file not found: {args.config}")
    config, problems = load_config(args.config)
    for problem in problems:
        _warn(f"config: {problem}")
    return config, problems


def _load_regime_inputs() -> tuple[list[Any], list[Any]]:
    """The regime rules (shipped + the user's overrides) and the user's events, with any
    problem in those files reported on stderr as file:line: message."""
    from tui.locations import rules_path
    from tui.regime.events import load_default_events
    from tui.regime.rules import load_rules

    rules, rule_problems = load_rules(rules_path())
    events, event_problems, _ = load_default_events()
    for problem in [*rule_problems, *event_problems]:
        _warn(str(problem))
    return rules, events


def _cache_path(args: argparse.Namespace) -> Path:
    from tui.locations import cache_dir, cache_path

    return cache_path(args.cache_dir or cache_dir())


def _open_cache(args: argparse.Namespace) -> Any:
    from tui.data.cache import Cache

    cache = Cache(_cache_path(args))
    if cache.notice:
        _warn(cache.notice)
    return cache


def _symbols(text: str | None) -> list[str] | None:
    from tui.config import normalize_symbol

    if text is None:
        return None
    symbols = []
    for part in text.split(","):
        if not part.strip():
            continue
        symbol = normalize_symbol(part)
        if symbol is None:
            raise UsageError(f"not a ticker symbol: {part.strip()!r}")
        symbols.append(symbol)
    if not symbols:
        raise UsageError("--symbols is empty")
    return list(dict.fromkeys(symbols))


def _as_of(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"--as-of must be a date like 2026-07-31, not {text!r}") from None


# -- commands --------------------------------------------------------------------------------


def run_dashboard(args: argparse.Namespace) -> int:
    from tui.app.app import RotmonApp
    from tui.locations import config_path

    config, problems = _load_config(args)
    app = RotmonApp(
        config,
        problems,
        cache_path=_cache_path(args),
        offline=args.offline,
        read_only=args.read_only,
        theme=args.theme,
        config_path=args.config or config_path(),
    )
    # What the imports made lives as long as the process: out of the collector's way, a
    # full collection no longer walks it while the first frame is built (~8 ms).
    gc.freeze()
    result = app.run()
    if app.return_code:  # an unhandled error inside the app: never report success
        return app.return_code
    return int(result or 0)


def run_refresh(args: argparse.Namespace) -> int:
    from tui.data.earnings import EarningsProvider, refresh_earnings
    from tui.data.refresh import run_refresh as refresh
    from tui.data.snapshot import seed_cache
    from tui.data.yahoo import YahooProvider
    from tui.universe import ETFS

    config, _ = _load_config(args)
    every = _duration(args.every) if args.every else None
    symbols = _symbols(args.symbols) or config.symbols()
    with _open_cache(args) as cache:
        seed_cache(cache, symbols)
        provider = YahooProvider(timeout=10.0, tz_cache_dir=cache.path.parent / "yfinance")
        earnings_source = EarningsProvider(prices=provider)

        def once() -> int:
            outcome = refresh(cache, provider, symbols)
            if cache.in_memory:  # nothing fetched can be saved: say so, and don't carry on
                raise _Unsaved(cache.notice or f"cannot write {cache.path}")
            if outcome.problem is not None:
                _log(outcome.message, every)
                return 1
            if every is None:
                print(outcome.message, flush=True)
            else:
                _log(outcome.message, every)
            update = refresh_earnings(cache, earnings_source, symbols, ETFS, datetime.now(UTC))
            if update.problem:
                _log(f"earnings dates: {update.detail or update.problem}", every)
            if outcome.rows_written or outcome.readjusted or not regime_inputs:
                if not regime_inputs:  # read once: their problems are reported once
                    regime_inputs.extend(_load_regime_inputs())
                _save_summary(cache, config, *regime_inputs)
            return 0

        regime_inputs: list[Any] = []

        try:
            if every is None:
                return once()
            return _refresh_forever(once, cache, every, config)
        except _Unsaved as unsaved:
            _log(f"{unsaved}; stopping: a refresh that cannot be saved feeds nobody", every)
            return 1


class _Unsaved(Exception):
    """The cache went to memory (full or read-only disk): a headless refresh is pointless."""


def _save_summary(cache: Any, config: Any, rules: list[Any], events: list[Any]) -> None:
    """The dashboard's figures, saved in the cache as a dashboard saves them: viewers that only
    read the cache (`rotmon --read-only`) paint them in their first frame."""
    from tui.report import build_report, summary_key

    report = build_report(
        cache, config.table_symbols(), config.benchmark, rules=rules, events=events
    )
    if report.as_of is not None:
        key = summary_key(config.symbols(), config.benchmark)
        cache.save_summary("dashboard", report.to_summary(key))


def _duration(text: str) -> int:
    from tui.config import parse_duration

    try:
        return parse_duration(text)
    except ValueError as error:
        raise UsageError(f"--every: {error}") from None


def _log(message: str, every: int | None) -> None:
    """One line on stderr; with --every, stamped with the UTC time (systemd/cron friendly)."""
    if every is None:
        _warn(message)
        return
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} rotmon refresh: {message}", file=sys.stderr, flush=True)


def _sleep(seconds: float) -> None:
    """Wait between refreshes (its own name, so tests can stand in for the clock)."""
    import time

    time.sleep(seconds)


def _refresh_forever(once: Any, cache: Any, every: int, config: Any) -> int:
    """Refresh, sleep, repeat: `every` while US markets are open, the off-hours cadence (at
    least as long) otherwise, shorter back-off retries after failures. SIGTERM stops it."""
    import signal

    from tui.data.refresh import consecutive_failures, next_interval

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    _log(f"refreshing {cache.path} every {every} s while markets are open", every)
    try:
        while True:
            once()
            delay = next_interval(
                every,
                max(every, config.refresh_closed),
                datetime.now(UTC),
                consecutive_failures(cache),
            )
            _log(f"next refresh in {delay:.0f} s", every)
            _sleep(delay)
    except KeyboardInterrupt:
        _log("stopped", every)
        return 0


def run_report(args: argparse.Namespace) -> int:
    from tui.data.snapshot import seed_cache
    from tui.report import build_report, rule_symbols

    config, _ = _load_config(args)
    rules, events = _load_regime_inputs()
    symbols = _symbols(args.symbols) or config.table_symbols()
    benchmark = (_symbols(args.benchmark) or [config.benchmark])[0]
    as_of = _as_of(args.as_of)
    with _open_cache(args) as cache:
        seed_cache(cache, [*symbols, benchmark, *rule_symbols(rules)])
        if benchmark not in cache.last_dates():
            raise UsageError(f"no cached data for the benchmark {benchmark}")
        report = build_report(cache, symbols, benchmark, as_of=as_of, rules=rules, events=events)
    if report.as_of is None:
        raise UsageError(
            f"no cached data on or before {as_of}" if as_of else "no cached data for these symbols"
        )
    for symbol in report.missing:
        _warn(f"no data for {symbol}" + (f" on or before {as_of}" if as_of else " in the cache"))
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_report(report)
    return 0 if len(report.missing) < len(symbols) else 1


def print_report(report: Any) -> None:
    """The report as a terminal table (Rich honours NO_COLOR and pipes).

    Numbers are never cut: a terminal narrower than the full table gets fewer columns, and a
    pipe gets the full table at its natural width.
    """
    from rich.console import Console
    from rich.table import Table

    from tui.format import MARKS, TREND_ARROWS, bp, pct, price

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    compact = console.width < 132
    periods = ("1D", "1M", "3M", "YTD") if compact else ("1D", "1W", "1M", "3M", "6M", "YTD", "1Y")
    rs_periods = ("3M",) if compact else ("1M", "3M", "YTD")
    table = Table(
        title=f"Rotation Monitor · as of {report.as_of} · RS vs {report.benchmark}",
        box=None,
        pad_edge=False,
    )
    table.add_column("Symbol", no_wrap=True)
    table.add_column("Last", justify="right", no_wrap=True)
    for period in periods:
        table.add_column(period, justify="right", no_wrap=True)
    for period in rs_periods:
        table.add_column(f"RS {period}", justify="right", no_wrap=True)
    table.add_column("T", justify="center", no_wrap=True)
    table.add_column("52wH", justify="right", no_wrap=True)
    for row in report.rows:
        ret, rs, chg = row["ret"], row["rs"], row.get("chg")
        if chg is not None:  # a yield: changes in basis points, no RS against a price
            table.add_row(
                row["symbol"],
                price(row["close"]),
                *[bp(chg[p]) for p in periods],
                *["·" for _ in rs_periods],
                "·",
                bp(chg["52wH"]),
            )
            continue
        table.add_row(
            row["symbol"],
            price(row["close"]),
            *[pct(ret[p]) for p in periods],
            *[pct(rs[p]) for p in rs_periods],
            TREND_ARROWS.get(row["rs_trend"]["state"], "·"),
            pct(row["from_high"]),
        )
    console.print(table)
    if report.regime_summary:
        console.print(f"\n{report.regime_summary['label']}", style="bold", highlight=False)
    for rule in report.regime:
        evidence = rule["value_text"] or rule["reason"]
        since = f" · since {rule['since']}" if rule["since"] else ""
        console.print(
            f"{MARKS.get(rule['status'], '?')} {rule['name']}: {evidence}{since}", highlight=False
        )
    if report.catalysts:
        console.print("\nCatalysts", style="bold")
    if report.earnings_unknown:
        console.print(f"? earnings date unknown: {' '.join(report.earnings_unknown)}")
    for item in report.catalysts:
        days = item["days_until"]
        when = f"in {days:.1f} d" if days >= 0 else f"{-days:.0f} d ago"
        detail = f" · {item['detail']}" if item["detail"] else ""
        console.print(
            f"{item['datetime'][:16].replace('T', ' ')} ET · {when} · {item['name']}{detail}",
            highlight=False,
        )


def run_import(args: argparse.Namespace) -> int:
    from tui.data.csvimport import import_csv

    path: Path = args.file
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    with _open_cache(args) as cache:
        result = import_csv(cache, path)
    for line, message in result.errors:
        print(f"{path}:{line}: {message}", file=sys.stderr)
    print(
        f"imported {result.written} rows for {len(result.symbols)} symbols from {path}"
        + (f"; {len(result.errors)} bad rows skipped" if result.errors else "")
    )
    return 1 if result.errors else 0


def run_import_watchlist(args: argparse.Namespace) -> int:
    from tui.data.watchlist import run_import_watchlist as import_watchlist

    return import_watchlist(args)


def run_serve(args: argparse.Namespace) -> int:
    from tui.serve import serve_main

    return serve_main(args)


COMMANDS = {
    None: run_dashboard,
    "refresh": run_refresh,
    "report": run_report,
    "import": run_import,
    "import-watchlist": run_import_watchlist,
    "serve": run_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rotmon` script; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        code = COMMANDS[args.command](args)
    except UsageError as error:
        _warn(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # the last line of defence: one line, never a traceback
        if os.environ.get("ROTMON_DEBUG"):
            raise
        _warn(f"unexpected error: {type(error).__name__}: {error} (ROTMON_DEBUG=1 shows details)")
        return 1
    _exit_now_if_threads_linger(code)
    return code


def _exit_now_if_threads_linger(code: int) -> None:
    """`q` quits at once: a network call still hanging in a thread must not hold the exit."""
    lingering = [
        t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon
    ]
    if lingering and not os.environ.get("PYTEST_CURRENT_TEST"):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
