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
from typing import Any

from tui import __version__
from tui.commandline import PROG, Parser, UsageError, add_common, warn


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
    add_common(parser, suppress=False)
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
    add_common(refresh, suppress=True)
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
    add_common(report, suppress=True)
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")
    report.add_argument("--symbols", metavar="A,B,…", help="these symbols instead of the universe")
    report.add_argument(
        "--benchmark",
        metavar="SYM",
        help="measure RS, the RRG and the rules that compare with the market against this "
        "(e.g. RSP, QQQ, DIA; default: the config's benchmark)",
    )
    report.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="compute from rows dated on or before this day"
    )
    report.add_argument(
        "--since",
        metavar="WHEN",
        help="print what changed instead: since 'yesterday' (the previous close), "
        "'last-session' (what your last dashboard showed) or a date YYYY-MM-DD",
    )

    backtest = commands.add_parser(
        "backtest",
        help="the track record of the regime rules and the score: flips and forward returns",
    )
    add_common(backtest, suppress=True)
    backtest.add_argument("--json", action="store_true", help="print JSON instead of text")
    backtest.add_argument(
        "--horizon", choices=("1M", "3M", "6M"), help="one forward horizon (default: all three)"
    )
    backtest.add_argument(
        "--from", dest="start", metavar="YYYY-MM-DD", help="count days from this one on"
    )
    backtest.add_argument(
        "--to", dest="end", metavar="YYYY-MM-DD", help="read rows dated on or before this day"
    )
    backtest.add_argument(
        "--benchmark",
        metavar="SYM",
        help="the benchmark of the rules that compare with the market and of the score's "
        "pairs (IWM/SYM, EEM/SYM, VBR/SYM; default: the config's benchmark)",
    )
    backtest.add_argument(
        "--series",
        action="store_true",
        help="with --json: every day's state and value of each rule, and the score",
    )

    imp = commands.add_parser("import", help="load a long-format price CSV into the cache")
    add_common(imp, suppress=True)
    imp.add_argument(
        "file", type=Path, help="CSV: date,symbol,open,high,low,close,adj_close,volume"
    )

    prune = commands.add_parser(
        "prune", help="remove cached rows: after a date and/or of some symbols (after a bad import)"
    )
    add_common(prune, suppress=True)
    prune.add_argument("--after", metavar="YYYY-MM-DD", help="rows dated after this day")
    prune.add_argument("--symbols", metavar="A,B,…", help="only these symbols")

    watch = commands.add_parser(
        "import-watchlist", help="add the symbols of a list or CSV file to a config group"
    )
    add_common(watch, suppress=True)
    watch.add_argument(
        "file", type=Path, help="symbols: one per line, or a CSV with a symbol column"
    )
    watch.add_argument("--group", metavar="NAME", default="Watchlist", help="(default: Watchlist)")

    from tui.serve import add_arguments as add_serve_arguments  # standard library only

    serve = commands.add_parser("serve", help="serve the dashboard to a web browser")
    add_common(serve, suppress=True)
    add_serve_arguments(serve)
    return parser


# -- helpers ---------------------------------------------------------------------------------


def _load_config(args: argparse.Namespace) -> Any:
    from tui.config import load_config

    if args.config is not None and not Path(args.config).is_file():
        raise UsageError(f"config file not found: {args.config}")
    config, problems = load_config(args.config)
    for problem in problems:
        warn(f"config: {problem}")
    return config, problems


def _cache_path(args: argparse.Namespace) -> Path:
    from tui.locations import cache_dir, cache_path

    return cache_path(args.cache_dir or cache_dir())


def _monitor(args: argparse.Namespace, config: Any, *, inputs: bool = True) -> Any:
    """The session every command works through (the dashboard's workers use the same), with
    its cache open and (`inputs`) the rules and events read, their problems on stderr."""
    from tui.session import Monitor

    monitor = Monitor(config, _cache_path(args))
    for problem in monitor.load_inputs() if inputs else []:
        warn(problem)
    cache = monitor.open()
    if cache.notice:
        warn(cache.notice)
    return monitor


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


def _benchmark(text: str | None, config: Any) -> str:
    """--benchmark's symbol, or the config's benchmark."""
    from tui.config import normalize_symbol

    if text is None:
        return str(config.benchmark)
    symbol = normalize_symbol(text)
    if symbol is None:
        raise UsageError(f"--benchmark: not a ticker symbol: {text.strip()!r}")
    return symbol


def _as_of(text: str | None, option: str = "--as-of") -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"{option} must be a date like 2026-07-31, not {text!r}") from None


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
    config, _ = _load_config(args)
    every = _duration(args.every) if args.every else None
    symbols = _symbols(args.symbols) or config.symbols()
    monitor = _monitor(args, config)
    with monitor.cache as cache:
        monitor.seed(symbols)

        def once() -> int:
            outcome = monitor.refresh(symbols)
            if not cache.persisted:  # nothing fetched can be saved: say so, and do not go on
                raise _Unsaved(cache.notice or f"cannot write {cache.path}")
            if outcome.problem is not None:
                _log(outcome.message, every)
                return 1
            if every is None:
                print(outcome.message, flush=True)
            else:
                _log(outcome.message, every)
            for symbol, why in sorted(outcome.failed.items()):
                _log(f"{symbol}: {why}", every)
            update = monitor.refresh_earnings(symbols)
            if update is not None and update.problem:
                _log(f"earnings dates: {update.detail or update.problem}", every)
            policy = monitor.refresh_policy()
            if policy is not None and policy.problem:
                why, used = policy.detail or policy.problem, policy.source or "the bundled table"
                _log(f"Fed target range: {why}; the rules use {used}", every)
            fed_new = policy is not None and policy.fetched_now
            # The sector holdings, once per closed session (not with --symbols: only those
            # were asked for); their failures (UNH and ED have no data) are logged, not the
            # exit code.
            holdings = None if args.symbols else monitor.refresh_holdings()
            if holdings is not None and holdings.problem:
                _log(holdings.message, every)
            elif holdings is not None:
                _say(holdings.message, every)
            held_new = holdings is not None and bool(holdings.rows_written or holdings.readjusted)
            if outcome.rows_written or outcome.readjusted or fed_new or held_new or not saved:
                # The dashboard's figures, saved as a dashboard saves them: viewers that only
                # read the cache (`rotmon --read-only`) paint them in their first frame.
                report = monitor.build()
                monitor.save_summary(report)
                saved.append(True)
                if monitor.notify_command(report) and every is None:
                    monitor.notifier.join(monitor.config.notify.timeout + 1)
            for failure in monitor.notify_failures():
                _log(f"notify_command: {failure}", every)
            return 0 if outcome.ok else 1

        saved: list[bool] = []
        try:
            if every is None:
                return once()
            return _refresh_forever(once, monitor, every)
        except _Unsaved as unsaved:
            _log(f"{unsaved}; stopping: a refresh that cannot be saved feeds nobody", every)
            return 1


class _Unsaved(Exception):
    """The cache went to memory (full or read-only disk): a headless refresh is pointless."""


def _duration(text: str) -> int:
    from tui.config import parse_duration

    try:
        return parse_duration(text)
    except ValueError as error:
        raise UsageError(f"--every: {error}") from None


def _say(message: str, every: int | None) -> None:
    """A result line: on stdout for a one-shot refresh, logged (stderr) with --every."""
    if every is None:
        print(message, flush=True)
    else:
        _log(message, every)


def _log(message: str, every: int | None) -> None:
    """One line on stderr; with --every, stamped with the UTC time (systemd/cron friendly)."""
    if every is None:
        warn(message)
        return
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} rotmon refresh: {message}", file=sys.stderr, flush=True)


def _sleep(seconds: float) -> None:
    """Wait between refreshes (its own name, so tests can stand in for the clock)."""
    import time

    time.sleep(seconds)


def _refresh_forever(once: Any, monitor: Any, every: int) -> int:
    """Refresh, sleep, repeat: `every` while US markets are open, the off-hours cadence (at
    least as long) otherwise, shorter back-off retries after failures. SIGTERM stops it."""
    import signal

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    _log(f"refreshing {monitor.cache.path} every {every} s while markets are open", every)
    try:
        while True:
            once()
            monitor.note_failures()
            delay = monitor.next_refresh_in(every)
            _log(f"next refresh in {delay:.0f} s", every)
            _sleep(delay)
    except KeyboardInterrupt:
        _log("stopped", every)
        return 0


def run_report(args: argparse.Namespace) -> int:
    config, _ = _load_config(args)
    symbols = _symbols(args.symbols) or config.table_symbols()
    benchmark = _benchmark(args.benchmark, config)
    as_of = _as_of(args.as_of)
    monitor = _monitor(args, config)
    monitor.set_benchmark(benchmark)  # the rules' $benchmark and the digest follow
    with monitor.cache as cache:
        monitor.seed([*symbols, benchmark, *monitor.rule_symbols()])
        if benchmark not in cache.last_dates():
            raise UsageError(f"no cached data for the benchmark {benchmark}")
        report = monitor.build(symbols, benchmark, as_of=as_of)
        if report.as_of is None:
            raise UsageError(
                f"no cached data on or before {as_of}"
                if as_of
                else "no cached data for these symbols"
            )
        if args.since:
            return _print_digest(monitor, report, args.since, as_of, args.json)
        extra = _report_extras(monitor, report, as_of) if args.json else {}
    for symbol in report.missing:
        warn(f"no data for {symbol}" + (f" on or before {as_of}" if as_of else " in the cache"))
    if args.json:
        json.dump({**report.to_json(), **extra}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_report(report)
    return 0 if len(report.missing) < len(symbols) else 1


def _print_digest(monitor: Any, report: Any, since: str, as_of: str | None, as_json: bool) -> int:
    """`report --since`: what changed, as text or JSON (the same digest a dashboard shows)."""
    from tui.format import plain
    from tui.glance import GlanceError, digest_json, digest_text

    inputs = monitor.glance_inputs(report, end=as_of)
    try:
        if as_json:
            json.dump(digest_json(inputs, since), sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            for line in digest_text(inputs, since).splitlines():
                print(plain(line))
    except GlanceError as error:
        raise UsageError(str(error)) from None
    return 0


def _report_extras(monitor: Any, report: Any, as_of: str | None) -> dict[str, Any]:
    """What `report --json` adds to the report itself: each sector row's breadth, the
    breadth of all bundled holdings, the mega caps' weight in SPY, the RRG's quadrant
    transitions of the latest week, and the positions file against SPY."""
    from tui.glance import book_json

    market = monitor.market_breadth(as_of)
    for row in report.rows:
        if row["symbol"] in market["per_sector"]:
            row["breadth"] = market["per_sector"][row["symbol"]]
    return {
        "breadth": market["breadth"],
        "concentration": market["concentration"],
        "transitions": report.transitions,
        "positions": book_json(monitor.glance_inputs(report, end=as_of)),
    }


def print_report(report: Any) -> None:
    """The report as a terminal table (Rich honours NO_COLOR and pipes).

    Numbers are never cut: a terminal narrower than the full table gets fewer columns, and a
    pipe gets the full table at its natural width. Text from the user's files (symbols, rule
    and event names) is shown as plain text: never read as markup, control characters replaced.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tui.format import MARKS, TREND_ARROWS, bp, pct, plain, price

    console = Console(emoji=False, highlight=False)
    if not console.is_terminal:
        console = Console(width=200, emoji=False, highlight=False)

    def say(text: str, style: str = "") -> None:
        console.print(Text(plain(text), style=style))

    compact = console.width < 132
    periods = ("1D", "1M", "3M", "YTD") if compact else ("1D", "1W", "1M", "3M", "6M", "YTD", "1Y")
    rs_periods = ("3M",) if compact else ("1M", "3M", "YTD")
    table = Table(
        title=Text(plain(f"Rotation Monitor · as of {report.as_of} · RS vs {report.benchmark}")),
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
            cells = [
                price(row["close"]),
                *[bp(chg[p]) for p in periods],
                *["·" for _ in rs_periods],
                "·",
                bp(chg["52wH"]),
            ]
        else:
            cells = [
                price(row["close"]),
                *[pct(ret[p]) for p in periods],
                *[pct(rs[p]) for p in rs_periods],
                TREND_ARROWS.get(row["rs_trend"]["state"], "·"),
                pct(row["from_high"]),
            ]
        table.add_row(*[Text(plain(c)) for c in [row["symbol"], *cells]])
    console.print(table)
    if report.regime_summary:
        console.print()
        say(report.regime_summary["label"], "bold")
    for rule in report.regime:
        evidence = rule["value_text"] or rule["reason"]
        since = f" · since {rule['since']}" if rule["since"] else ""
        pending = rule.get("pending")
        if pending and pending.get("days"):
            to = MARKS.get(pending["to"], "?")
            since += f" · → {to} pending, {pending['days']} of {pending['of']} days"
        say(f"{MARKS.get(rule['status'], '?')} {rule['name']}: {evidence}{since}")
    if report.catalysts:
        console.print()
        say("Catalysts", "bold")
    if report.earnings_unknown:
        say(f"? earnings date unknown: {' '.join(report.earnings_unknown)}")
    for item in report.catalysts:
        days = item["days_until"]
        when = f"in {days:.1f} d" if days >= 0 else f"{-days:.0f} d ago"
        detail = f" · {item['detail']}" if item["detail"] else ""
        say(f"{item['datetime'][:16].replace('T', ' ')} ET · {when} · {item['name']}{detail}")


def run_backtest(args: argparse.Namespace) -> int:
    from tui.format import plain
    from tui.regime.study import backtest_lines

    config, _ = _load_config(args)
    start, end = _as_of(args.start, "--from"), _as_of(args.end, "--to")
    if start and end and start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    monitor = _monitor(args, config)
    monitor.set_benchmark(_benchmark(args.benchmark, config))
    with monitor.cache as cache:
        monitor.seed([monitor.benchmark])
        if monitor.benchmark not in cache.last_dates():
            raise UsageError(f"no cached data for the benchmark {monitor.benchmark}")
        try:
            result = monitor.backtest(
                horizon=args.horizon, start=start, end=end, series=args.series
            )
        except ValueError as error:
            raise UsageError(str(error)) from None
    if not result.get("days"):
        raise UsageError("no cached data in that window")
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for line in backtest_lines(result):
            print(plain(line))
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Exit 0 when every row was good and saved; 1 when some rows were bad (the good ones are
    saved) or when nothing reached the cache file ("not saved: …", whatever the cause)."""
    from tui.config import Config
    from tui.data.csvimport import import_csv

    path: Path = args.file
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    progress = _progress_line() if sys.stderr.isatty() else None
    with _monitor(args, Config(), inputs=False).cache as cache:
        result = import_csv(cache, path, progress=progress)
        where = cache.path
    for line, message in result.errors:
        print(f"{path}:{line}: {message}", file=sys.stderr)
    if result.error_count > len(result.errors):
        warn(f"… and {result.error_count - len(result.errors)} more bad rows in {path}")
    if not result.saved:
        warn(
            f"not saved: {result.why or 'the cache file cannot be written'}; "
            f"none of the {result.valid} valid rows of {path} are in {where}"
        )
        return 1
    bad = f"; {result.error_count} bad rows skipped" if result.error_count else ""
    print(f"imported {result.written} rows for {len(result.symbols)} symbols from {path}{bad}")
    return 1 if result.error_count else 0


def _progress_line() -> Any:
    """A progress callback that redraws one line on the terminal (stderr), cleared at the end."""

    def show(progress: Any) -> None:
        end = "\n" if progress.done else ""
        print(f"\r{progress.line()}\x1b[K", end=end, file=sys.stderr, flush=True)

    return show


def run_prune(args: argparse.Namespace) -> int:
    """Remove cached rows (after a date, of some symbols) for a user who imported a bad file."""
    from tui.config import Config
    from tui.data.cache import NotSaved
    from tui.data.csvimport import prune

    after = _as_of(args.after, "--after")
    symbols = _symbols(args.symbols)
    if after is None and symbols is None:
        raise UsageError("say what to remove: --after DATE, --symbols A,B or both")
    with _monitor(args, Config(), inputs=False).cache as cache:
        try:
            removed = prune(cache, date.fromisoformat(after) if after else None, symbols)
        except NotSaved as error:
            warn(f"not saved: {error}; nothing was removed from {cache.path}")
            return 1
        except ValueError as error:
            raise UsageError(str(error)) from None
    total = sum(removed.values())
    detail = ", ".join(f"{s} {n}" for s, n in sorted(removed.items()))
    print(f"removed {total} rows of {len(removed)} symbols" + (f" ({detail})" if detail else ""))
    return 0


def run_import_watchlist(args: argparse.Namespace) -> int:
    """``rotmon import-watchlist FILE [--group NAME]``: add the file's symbols to a config group.

    Exit 0 if every line was good, 1 if some were bad (the good symbols are still added); a
    missing file or a config that cannot be edited raises UsageError (exit 2).
    """
    from tui.config import load_config
    from tui.config_edit import add_symbols
    from tui.data.watchlist import read_watchlist
    from tui.locations import config_path

    path: Path = args.file
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    if not path.is_file():
        raise UsageError(f"not a file: {path}")
    target = Path(args.config) if getattr(args, "config", None) is not None else config_path()
    symbols, errors = read_watchlist(path)
    current, _ = load_config(target)
    try:
        config, added = add_symbols(target, args.group, symbols, current=current)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    for line, message in errors:
        print(f"{path}:{line}: {message}" if line else f"{path}: {message}", file=sys.stderr)
    owners = {s: g.name for g in config.groups for s in g.symbols}
    group = args.group.strip()
    skipped = [s for s in symbols if s not in set(added)]
    present = [s for s in skipped if owners.get(s) == group]
    elsewhere = [f"{s} ({owners[s]})" for s in skipped if owners.get(s) not in (None, group)]
    if present:
        print(f"rotmon: already in {group}: {' '.join(present)}", file=sys.stderr)
    if elsewhere:
        print(f"rotmon: not added, in another group: {', '.join(elsewhere)}", file=sys.stderr)
    noun = "symbol" if len(added) == 1 else "symbols"
    print(f"added {len(added)} {noun} to group {group} in {target}")
    return 1 if errors else 0


def run_serve(args: argparse.Namespace) -> int:
    from tui.serve import serve_main

    return serve_main(args)


COMMANDS = {
    None: run_dashboard,
    "refresh": run_refresh,
    "report": run_report,
    "backtest": run_backtest,
    "import": run_import,
    "prune": run_prune,
    "import-watchlist": run_import_watchlist,
    "serve": run_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rotmon` script; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        code = COMMANDS[args.command](args)
    except UsageError as error:
        warn(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # the last line of defence: one line, never a traceback
        if os.environ.get("ROTMON_DEBUG"):
            raise
        warn(f"unexpected error: {type(error).__name__}: {error} (ROTMON_DEBUG=1 shows details)")
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
