"""Typed configuration read from a TOML file; bad input is reported, never raised.

The file lives at ``tui.locations.config_path()`` (``$ROTMON_CONFIG``, else ``config.toml`` in
``$ROTMON_CONFIG_DIR`` or the platform config dir) unless ``--config PATH`` names another one.
Every key is optional; a missing file means the defaults below::

    benchmark = "SPY"          # symbol that relative strength is measured against at start
    benchmarks = ["SPY", "RSP", "QQQ", "DIA"]  # what B and the palette switch between
    theme = "rotmon-dark"      # rotmon-dark/-light/-high-contrast/-16, yours, or Textual's

    [refresh]
    market_hours = "5m"        # between refreshes while US markets are open
    off_hours = "1h"           # otherwise
    # durations: "30s", "5m", "1h" (also "90 sec", "2 hours") or seconds as an integer;
    # at least 30 s, at most 7 days

    [alerts]
    notify = true              # a notice when a regime rule flips or a catalyst is < 24 h away
    bell = true                # ring the terminal bell with it

    [groups]                   # order kept; replaces ALL the default groups when present
    Benchmarks = ["SPY", "QQQ", "RSP", "DIA"]
    "Size/Style/Intl" = ["IWM", "VBR", "EEM", "EEMV", "DFAT"]
    Sectors = ["XLK", "XLF", "XLE", "XLI", "XLU", "XLV", "XLY", "XLP", "XLB", "XLRE", "XLC"]
    Themes = ["KRE", "CFG", "RF", "ZION", "AAON", "ROAD"]
    Factors = ["MTUM", "QUAL", "USMV", "VLUE", "SIZE", "IWD", "IWF", "SPHB", "SPLV", "MGK"]
    Macro = ["^VIX", "^TNX", "^IRX", "HYG", "IEF", "TLT", "UUP"]

Ticker symbols are Yahoo Finance symbols (``BRK-B``, ``^VIX``, ``EURUSD=X``); they are stripped and
upper-cased. A symbol may appear in only one group. The benchmark is fetched even when no group
lists it.
``benchmarks`` are the choices the dashboard's ``B`` key cycles through and the command palette
lists ("Benchmark: RSP"); ``benchmark`` is the one used until another is picked (it is a choice
even when the list leaves it out: it comes first then). The pick is remembered beside the cache
while the config still offers it.

Errors: a file that cannot be read or parsed (TOML syntax error, not UTF-8) gives all the defaults
and one problem naming the line. Otherwise each unknown key, wrong type, bad duration, invalid or
duplicate ticker and empty group gives one problem naming file, line and dotted key; that value is
ignored and everything else in the file still applies. ``load_config`` returns all problems
together and never raises. The file is only parsed as TOML, never executed.

Only the standard library is imported here: this module is on the app's first-frame path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tui.locations import config_path
from tui.notify import SETTING_KEYS as NOTIFY_KEYS
from tui.notify import NotifySettings, parse_notify_settings
from tui.textfile import FileProblem, dotted, key_lines, parse_toml, read_text
from tui.textfile import describe as _describe
from tui.universe import FACTOR_ETFS, SECTOR_ETFS

__all__ = [
    "DEFAULT_BENCHMARKS",
    "DEFAULT_GROUPS",
    "SECTOR_ETFS",
    "Config",
    "ConfigProblem",
    "Group",
    "load_config",
    "normalize_symbol",
    "parse_duration",
]


@dataclass(frozen=True)
class Group:
    """A named, ordered list of ticker symbols shown together."""

    name: str
    """Heading shown above the group."""
    symbols: tuple[str, ...]
    """Normalized ticker symbols, in display order."""


DEFAULT_GROUPS: tuple[Group, ...] = (
    Group("Benchmarks", ("SPY", "QQQ", "RSP", "DIA")),
    Group("Size/Style/Intl", ("IWM", "VBR", "EEM", "EEMV", "DFAT")),
    Group("Sectors", SECTOR_ETFS),
    Group("Themes", ("KRE", "CFG", "RF", "ZION", "AAON", "ROAD")),
    Group("Factors", FACTOR_ETFS),
    Group("Macro", ("^VIX", "^TNX", "^IRX", "HYG", "IEF", "TLT", "UUP")),
)
"""The groups used when the config file has no ``[groups]`` table."""

DEFAULT_BENCHMARKS: tuple[str, ...] = ("SPY", "RSP", "QQQ", "DIA")
"""The benchmarks to switch between when the config file has no ``benchmarks`` key: the
cap-weighted S&P 500, its equal-weight version, the Nasdaq-100 and the Dow."""
MAX_BENCHMARKS = 12
"""More choices than this would not fit the key's cycle nor the palette usefully."""

MIN_REFRESH_SECONDS = 30
MAX_REFRESH_SECONDS = 7 * 24 * 3600
MAX_CONFIG_BYTES = 1_000_000


@dataclass(frozen=True)
class Config:
    """Settings after validation; every field has a safe default."""

    groups: tuple[Group, ...] = DEFAULT_GROUPS
    """Symbol groups in display order."""
    benchmark: str = "SPY"
    """Symbol that relative strength is measured against, until another choice is picked."""
    benchmarks: tuple[str, ...] = DEFAULT_BENCHMARKS
    """The benchmarks to switch between (``B``, the palette), in cycling order; see
    :meth:`benchmark_choices` for the list with ``benchmark`` always in it."""
    refresh_open: int = 300
    """Seconds between refreshes while US markets are open (``refresh.market_hours``)."""
    refresh_closed: int = 3600
    """Seconds between refreshes otherwise (``refresh.off_hours``)."""
    theme: str = "rotmon-dark"
    """Theme name (rotmon's themes/ or Textual's own); the app checks that it exists."""
    alerts: bool = True
    """Notify once when a regime rule flips or a catalyst is within 24 h (``alerts.notify``)."""
    alert_bell: bool = True
    """Ring the terminal bell with an alert (``alerts.bell``)."""
    notify: NotifySettings = NotifySettings()
    """A program to run with each alert's title and text (``alerts.notify_command``, an argv
    list, never a shell), its timeout, quiet hours and which kinds of alert it gets."""

    def table_symbols(self) -> list[str]:
        """The sector table's rows: every group's symbols in order (a symbol in two groups is
        listed in both)."""
        return [symbol for group in self.groups for symbol in group.symbols]

    def benchmark_choices(self) -> tuple[str, ...]:
        """The benchmarks offered: ``benchmarks``, with ``benchmark`` first if it is not one of
        them (the configured default is always a choice)."""
        if self.benchmark in self.benchmarks:
            return self.benchmarks
        return (self.benchmark, *self.benchmarks)

    def symbols(self) -> list[str]:
        """All symbols, unique, in group order, with the benchmark appended if no group has it."""
        seen = dict.fromkeys(symbol for group in self.groups for symbol in group.symbols)
        seen.setdefault(self.benchmark, None)
        return list(seen)


class ConfigProblem(FileProblem):
    """One thing wrong in the config file, with where it is: ``config.toml:7: groups.Sectors:
    'X?Y' is not a ticker symbol``."""


_SYMBOL_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,14}$")


def normalize_symbol(text: str) -> str | None:
    """``text`` stripped and upper-cased if it is a valid ticker symbol, else None."""
    if not isinstance(text, str):
        return None
    symbol = text.strip().upper()
    return symbol if _SYMBOL_RE.match(symbol) else None


_DURATION_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*)$")
_UNITS = {
    **dict.fromkeys(("", "s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
}


def parse_duration(value: object) -> int:
    """Seconds in ``"30s"``, ``"5m"``, ``"1h"`` or an integer of seconds; ValueError if invalid.

    The result is between ``MIN_REFRESH_SECONDS`` and ``MAX_REFRESH_SECONDS``.
    """
    if isinstance(value, bool):
        raise ValueError(f'expected a duration such as "5m", got {_describe(value)}')
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a duration")
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION_RE.match(value.strip().lower())
        if match is None or match.group(2) not in _UNITS:
            raise ValueError(f'{value!r} is not a duration; use e.g. "30s", "5m", "1h"')
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    else:
        raise ValueError(f'expected a duration such as "5m", got {_describe(value)}')
    if seconds < MIN_REFRESH_SECONDS:
        raise ValueError(f"{value!r} is shorter than the minimum of {MIN_REFRESH_SECONDS} s")
    if seconds > MAX_REFRESH_SECONDS:
        raise ValueError(f"{value!r} is longer than the maximum of 7 days")
    return round(seconds)


def _format_duration(seconds: int) -> str:
    """``300`` -> ``"5m"``; for messages."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


class _Reporter:
    """Collects problems for one file, finding each key's line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = key_lines(text)
        self.problems: list[ConfigProblem] = []

    def line_of(self, parts: tuple[str, ...]) -> int | None:
        """Line of the key, or of its nearest parent that has one."""
        for end in range(len(parts), 0, -1):
            if parts[:end] in self.lines:
                return self.lines[parts[:end]]
        return None

    def add(self, parts: tuple[str, ...], message: str) -> None:
        """Record a problem at key ``parts``."""
        self.problems.append(
            ConfigProblem(self.path, self.line_of(parts), dotted(parts) or None, message)
        )


# --- loading --------------------------------------------------------------------------------

_TOP_KEYS = ("benchmark", "benchmarks", "theme", "refresh", "alerts", "groups")
_ALERT_KEYS = {"notify": "alerts", "bell": "alert_bell"}
_REFRESH_KEYS = {"market_hours": "refresh_open", "off_hours": "refresh_closed"}


def _read_text(path: Path) -> tuple[str | None, ConfigProblem | None]:
    """The file's text; (None, None) if it does not exist; (None, problem) if unusable."""
    text, problem = read_text(path, MAX_CONFIG_BYTES)
    if problem is not None:
        return None, ConfigProblem(path, problem[0], None, f"{problem[1]}; using the defaults")
    return text, None


def _parse(path: Path, text: str) -> tuple[dict | None, ConfigProblem | None]:
    """tomllib's result, or a problem with the line parsed out of tomllib's message."""
    data, problem = parse_toml(text)
    if problem is not None:
        return None, ConfigProblem(path, problem[0], None, f"{problem[1]}; using the defaults")
    return data, None


def _string(report: _Reporter, parts: tuple[str, ...], value: object) -> str | None:
    """A non-empty string, or None after reporting."""
    if not isinstance(value, str):
        report.add(parts, f"expected a string, got {_describe(value)}; using the default")
        return None
    if not value.strip():
        report.add(parts, "is empty; using the default")
        return None
    return value.strip()


def _groups(report: _Reporter, value: object) -> tuple[Group, ...] | None:
    """Groups from the ``[groups]`` table, or None (use the defaults) after reporting."""
    if not isinstance(value, dict):
        report.add(("groups",), f"expected a table, got {_describe(value)}; using the defaults")
        return None
    groups: list[Group] = []
    owner: dict[str, str] = {}  # symbol -> group that has it
    for name, items in value.items():
        key = ("groups", name)
        if not name.strip():
            report.add(key, "group name is empty; group ignored")
            continue
        if not isinstance(items, list):
            report.add(key, f"expected an array of symbols, got {_describe(items)}; ignored")
            continue
        if not items:
            report.add(key, "empty group; ignored")
            continue
        symbols: list[str] = []
        for symbol in _symbols(report, key, items):
            if symbol in owner:
                where = "this group" if owner[symbol] == name else f"group {owner[symbol]!r}"
                report.add(key, f"{symbol!r} is already in {where}; duplicate ignored")
            else:
                owner[symbol] = name
                symbols.append(symbol)
        if symbols:
            groups.append(Group(name.strip(), tuple(symbols)))
    if not groups:
        report.add(("groups",), "no usable groups; using the default groups")
        return None
    return tuple(groups)


def _symbols(report: _Reporter, key: tuple[str, ...], items: list[object]) -> Iterator[str]:
    """The normalized ticker symbols of an array, in order; each entry that is not a string or
    not a ticker symbol is reported under ``key`` and skipped."""
    for item in items:
        symbol = normalize_symbol(item) if isinstance(item, str) else None
        if not isinstance(item, str):
            report.add(key, f"expected symbols as strings, got {_describe(item)}; ignored")
        elif symbol is None:
            report.add(key, f"{item!r} is not a ticker symbol; ignored")
        else:
            yield symbol


def _benchmarks(report: _Reporter, value: object) -> tuple[str, ...] | None:
    """The ``benchmarks`` array as normalized symbols, or None (use the defaults) after
    reporting; a bad or repeated entry is reported and left out, the rest kept."""
    key = ("benchmarks",)
    default = ", ".join(DEFAULT_BENCHMARKS)
    if not isinstance(value, list):
        report.add(key, f"expected an array of symbols, got {_describe(value)}; using {default}")
        return None
    symbols: list[str] = []
    for symbol in _symbols(report, key, value):
        if symbol in symbols:
            report.add(key, f"{symbol!r} is listed twice; duplicate ignored")
        elif len(symbols) == MAX_BENCHMARKS:
            report.add(key, f"more than {MAX_BENCHMARKS} benchmarks; {symbol!r} ignored")
        else:
            symbols.append(symbol)
    if not symbols:
        report.add(key, f"no usable benchmarks; using {default}")
        return None
    return tuple(symbols)


def _refresh(report: _Reporter, value: object) -> dict[str, int]:
    """Config field -> seconds from the ``[refresh]`` table, reporting bad entries."""
    if not isinstance(value, dict):
        report.add(("refresh",), f"expected a table, got {_describe(value)}; using the defaults")
        return {}
    fields: dict[str, int] = {}
    for name, item in value.items():
        key = ("refresh", name)
        if name not in _REFRESH_KEYS:
            report.add(key, f"unknown key (expected one of: {', '.join(_REFRESH_KEYS)}); ignored")
            continue
        field = _REFRESH_KEYS[name]
        try:
            fields[field] = parse_duration(item)
        except ValueError as exc:
            default = _format_duration(getattr(Config, field))
            report.add(key, f"{exc}; using the default ({default})")
    return fields


def _alerts(report: _Reporter, value: object) -> dict[str, object]:
    """Config fields from the ``[alerts]`` table (booleans, and the notify command's settings
    checked by tui.notify), reporting bad entries."""
    if not isinstance(value, dict):
        report.add(("alerts",), f"expected a table, got {_describe(value)}; using the defaults")
        return {}
    fields: dict[str, object] = {}
    notify = {k: v for k, v in value.items() if k in NOTIFY_KEYS}
    if notify:
        settings, problems = parse_notify_settings(notify)
        for parts, message in problems:
            report.add(parts, message)
        fields["notify"] = settings
    known = [*_ALERT_KEYS, *NOTIFY_KEYS]
    for name, item in value.items():
        key = ("alerts", name)
        if name in NOTIFY_KEYS:
            continue
        if name not in _ALERT_KEYS:
            report.add(key, f"unknown key (expected one of: {', '.join(known)}); ignored")
        elif not isinstance(item, bool):
            report.add(key, f"expected true or false, got {_describe(item)}; ignored")
        else:
            fields[_ALERT_KEYS[name]] = item
    return fields


def load_config(path: Path | None = None) -> tuple[Config, list[ConfigProblem]]:
    """Read the config file (default ``config_path()``): the Config and every problem found.

    Never raises. A missing file gives the defaults and no problem.
    """
    path = Path(path) if path is not None else config_path()
    text, problem = _read_text(path)
    if text is None:
        return Config(), [problem] if problem else []
    data, problem = _parse(path, text)
    if data is None:
        return Config(), [problem] if problem else []

    report = _Reporter(path, text)
    fields: dict[str, object] = {}
    for name, value in data.items():
        if name == "benchmark":
            raw = _string(report, ("benchmark",), value)
            if raw is not None:
                symbol = normalize_symbol(raw)
                if symbol is None:
                    report.add(("benchmark",), f"{raw!r} is not a ticker symbol; using SPY")
                else:
                    fields["benchmark"] = symbol
        elif name == "benchmarks":
            choices = _benchmarks(report, value)
            if choices is not None:
                fields["benchmarks"] = choices
        elif name == "theme":
            theme = _string(report, ("theme",), value)
            if theme is not None:
                fields["theme"] = theme
        elif name == "refresh":
            fields.update(_refresh(report, value))
        elif name == "alerts":
            fields.update(_alerts(report, value))
        elif name == "groups":
            groups = _groups(report, value)
            if groups is not None:
                fields["groups"] = groups
        else:
            report.add((name,), f"unknown key (expected one of: {', '.join(_TOP_KEYS)}); ignored")
    problems = sorted(report.problems, key=lambda p: (p.line is None, p.line or 0))
    return Config(**fields), problems  # type: ignore[arg-type]
