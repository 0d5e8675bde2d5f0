"""The regime rules: read from ``rules.toml`` (shipped) and an optional user file, validated.

A rule reads one *series* and applies one or more *tests* to it; it passes when every test
passes. Nothing in a rules file is executed: series kinds and tests come from the fixed
vocabulary below, and anything else is reported and the rule skipped.

The file is a table of rules keyed by id (letters, digits, ``_``, ``-``)::

    [rules.small_caps]
    name = "Small caps leading"
    group = "Rotation"                    # Policy, Rotation, Breadth or Risk
    why = "One line: why it matters."
    series = { kind = "ratio", a = "IWM", b = "SPY" }
    all = [                               # its conditions: every one must pass
      { test = "above_rising_sma", window = 50, slope_days = 10 },
      { test = "window_return_above", window = 63, threshold = 0.0 },
    ]
    # confirm_days = 3                    # whipsaw control (optional, see below)
    # enabled = false                     # switch a rule off

Series kinds (``series = { kind = ..., ... }``):

- ``ratio`` (``a``, ``b``): A/B on the dates both have a close (relative strength).
- ``basket_ratio`` (``a``, ``b``: arrays of symbols): an equal-weight basket of the A symbols
  over one of the B symbols, on the dates every member has a close. Each basket is rebalanced
  daily (the mean of its members' daily returns, chained from 1.0), so its path does not depend
  on where the history starts.
- ``spread`` (``a``, ``b``): A − B on common dates, for yields (percentage points).
- ``level`` (``symbol``): the series itself.
- ``fed``: the bundled federal funds target range (its midpoint, percent); only for
  ``last_move_cut``.
- ``drifted_weight`` (``a``: an array of holdings, ``b``: the fund): the holdings' summed weight
  in the fund (a fraction: 0.347 = 34.7 %), drifted daily by price from the fund's bundled
  holdings file, ``sum_i w_i,0 · (P_i,t / P_i,0) / (F_t / F_0)`` with ``0`` the file's date
  (SPY: State Street's top-20 file of 2025-11-18; a sector ETF: its top-15 file). The series
  starts on that date (no backcast: before it the weights are not known, and membership was
  different), on the days every holding and the fund have a close. It ignores buybacks, share
  issuance and index changes. Change tests read it in percentage points of weight.

Any series table may also carry ``name`` (a short display name, e.g. ``"Mag-7/RSP"``) instead
of the one made from its symbols.

Tests (``window`` and ``slope_days`` count rows of the series; ``threshold`` is in the series'
units, as a fraction for returns: ``0.02`` = 2 %; comparisons are strict):

- ``above_rising_sma`` / ``below_falling_sma`` (``window``, ``slope_days``): the series is above
  (below) its ``window``-row average and that average is higher (lower) than ``slope_days``
  rows earlier.
- ``above_sma`` / ``below_sma`` (``window``): the series is above (below) its average.
- ``window_return_above`` / ``window_return_below`` (``window``, ``threshold``):
  ``s[t] / s[t − window] − 1`` is above (below) the threshold; not for spreads or yields.
- ``level_above`` / ``level_below`` (``threshold``): ``s[t]`` is above (below) the threshold.
- ``change_above`` / ``change_below`` (``window``, ``threshold``): ``s[t] − s[t − window]``
  is above (below) the threshold (points; for yields, percentage points).
- ``last_move_cut`` (no fields, ``fed`` series only): the last change of the target range on or
  before the day was a cut.

A condition may carry its own ``series`` table (e.g. the Fed rule adds a ^IRX test); otherwise
it reads the rule's.

The benchmark: a symbol written ``"$benchmark"`` stands for the benchmark the session measures
relative strength against (``SPY`` unless another is picked: the dashboard's ``B`` key, the
palette, ``--benchmark``). The shipped rules that compare a segment with *the market* (small
caps, EM, value, regional banks) use it; rules whose meaning is a particular fund keep their
symbols (breadth is RSP, the equal-weight S&P 500, against SPY, the cap-weighted one, whatever
the benchmark). :func:`with_benchmark` puts the symbol in: in the series, and in ``why`` where
it says ``$benchmark`` (a ``why`` that does not, and a benchmark other than SPY, gets a sentence
naming the one used). :func:`load_rules` does so for SPY unless told otherwise. A rule whose
own symbols include the picked benchmark (IWM picked: IWM/IWM) keeps SPY.

Whipsaw control (both optional; without them the rule's state is its plain test):

- ``band`` (per condition, a number >= 0, default 0): a hysteresis band of half-width ``band``
  around the condition's threshold. Outside the band the condition reads as its plain test;
  inside it, it keeps the side it was last on (on its series' own rows). Its unit is the
  test's:

  - ``level_above`` / ``level_below``: the series' units (VIX points, percentage points for a
    spread). ``level_above T`` turns to pass only when ``s > T + band`` and back to fail only
    when ``s <= T − band``; ``level_below T`` passes from ``s < T − band`` and fails from
    ``s >= T + band``.
  - ``window_return_above`` / ``_below``: a fraction of return (0.01 = 1 percentage point of
    return) around the return threshold, in the same way.
  - ``change_above`` / ``_below``: the change's units (points; for yields percentage points)
    around the change threshold.
  - ``above_sma`` / ``below_sma`` and the price part of ``above_rising_sma`` /
    ``below_falling_sma``: a fraction of the average: ``above`` turns to pass when
    ``s > sma + band·|sma|`` and to fail when ``s <= sma − band·|sma|``. The slope part (the
    average against ``slope_days`` rows earlier) stays a plain test.
  - ``last_move_cut`` takes no band (a Fed move is not noise).

- ``confirm_days`` (per rule, an integer >= 1, default 1 = none): the rule's *confirmed* state
  changes only after ``confirm_days`` consecutive known trading days on the other side (of the
  banded test). The first known day is taken as it is. A day on which the rule is unknown
  (missing or stale data, too little history) is unknown in the confirmed state too, and is
  skipped by the count: it neither adds to a pending change nor breaks it; after it, the
  confirmed state resumes from the side it had before. The dashboard shows the confirmed state.

The user file (``load_rules(path)``) changes the shipped rules by id: its keys replace the
shipped rule's keys one for one (``enabled = false`` alone switches a rule off; ``all = [...]``
alone replaces its tests); a new id adds a rule, which must then be complete. Problems name the
file, line and key as :mod:`tui.config` does; a bad override keeps the shipped rule, a bad new
rule is skipped, and a file that cannot be parsed leaves the shipped rules as they are.

Only the standard library (and :mod:`tui.config`) is imported here: no pandas.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tui.config import MAX_CONFIG_BYTES, ConfigProblem, normalize_symbol
from tui.textfile import HEADER_RE, decode_key, describe, dotted, key_lines, parse_toml, read_text
from tui.universe import NOT_PRICES, YIELDS

__all__ = [
    "GROUPS",
    "SERIES_KINDS",
    "SHIPPED_RULES",
    "TESTS",
    "Condition",
    "Rule",
    "RuleProblem",
    "SeriesSpec",
    "load_rules",
    "with_benchmark",
]

SHIPPED_RULES = Path(__file__).with_name("rules.toml")
"""The rules shipped in the package."""

GROUPS: tuple[str, ...] = ("Policy", "Rotation", "Breadth", "Risk")
"""Rule groups, in display order."""

SERIES_KINDS: dict[str, tuple[str, ...]] = {
    "ratio": ("a", "b"),
    "basket_ratio": ("a", "b"),
    "spread": ("a", "b"),
    "level": ("symbol",),
    "fed": (),
    "drifted_weight": ("a", "b"),
}
"""Series kind -> its fields besides ``kind`` (and an optional ``name``)."""

TESTS: dict[str, tuple[str, ...]] = {
    "above_rising_sma": ("window", "slope_days"),
    "below_falling_sma": ("window", "slope_days"),
    "above_sma": ("window",),
    "below_sma": ("window",),
    "window_return_above": ("window", "threshold"),
    "window_return_below": ("window", "threshold"),
    "level_above": ("threshold",),
    "level_below": ("threshold",),
    "change_above": ("window", "threshold"),
    "change_below": ("window", "threshold"),
    "last_move_cut": (),
}
"""Test -> its required fields besides ``test`` (and an optional ``series``)."""

RULE_KEYS = ("name", "group", "why", "series", "all", "enabled", "confirm_days")
"""Keys a rule table may have."""

MAX_WINDOW = 2520
"""Longest window accepted: ten years of trading days."""

BENCHMARK = "$benchmark"
"""The placeholder for the session's benchmark in a rule's symbols and ``why``."""

DEFAULT_BENCHMARK = "SPY"
"""What ``$benchmark`` stands for unless a session picks another (the config's default)."""

MAX_CONFIRM_DAYS = 63
"""Longest confirmation accepted: three months of trading days."""

_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_SERIES_EXAMPLE = '{ kind = "ratio", a = "IWM", b = "SPY" }'
_CONDITION_EXAMPLE = '{ test = "level_below", threshold = 20 }'


@dataclass(frozen=True)
class RuleProblem(ConfigProblem):
    """One thing wrong in a rules file: file, 1-based line (when known), dotted key, message.

    ``str()`` gives ``rules.toml:12: rules.volatility.all[2].window: expected ...``.
    """


@dataclass(frozen=True)
class SeriesSpec:
    """What a rule reads."""

    kind: str
    """One of :data:`SERIES_KINDS`."""
    a: tuple[str, ...] = ()
    """Numerator symbol(s) (``level``: the symbol)."""
    b: tuple[str, ...] = ()
    """Denominator symbol(s), the subtracted yield of a spread, or a drifted weight's fund."""
    label: str = ""
    """The series table's own ``name`` (empty: made from the symbols, see :attr:`name`)."""

    @property
    def symbols(self) -> tuple[str, ...]:
        """Every symbol read, A's then B's."""
        return self.a + self.b

    @property
    def unit(self) -> str:
        """How values read: ``ratio``, ``yield`` (percent), ``pp`` (spread), ``points``, ``price``,
        ``policy`` (the Fed's target range) or ``weight`` (a fraction of a fund)."""
        if self.kind == "drifted_weight":
            return "weight"
        if self.kind in ("ratio", "basket_ratio"):
            return "ratio"
        if self.kind == "spread":
            return "pp" if all(s in YIELDS for s in self.symbols) else "points"
        if self.kind == "fed":
            return "policy"
        if self.a and self.a[0] in YIELDS:
            return "yield"
        if self.a and self.a[0] in NOT_PRICES:
            return "points"
        return "price"

    @property
    def name(self) -> str:
        """Display name: the table's ``name`` if it has one, else ``IWM/SPY``,
        ``XLI+XLF+XLE / XLU+XLP+XLV``, ``^TNX − ^IRX``, ``AAPL+MSFT weight in SPY``."""
        if self.label:
            return self.label
        if self.kind == "drifted_weight":
            return f"{'+'.join(self.a)} weight in {self.b[0]}"
        if self.kind == "ratio":
            return f"{self.a[0]}/{self.b[0]}"
        if self.kind == "basket_ratio":
            return f"{'+'.join(self.a)} / {'+'.join(self.b)}"
        if self.kind == "spread":
            return f"{self.a[0]} \u2212 {self.b[0]}"
        if self.kind == "fed":
            return "Fed target range"
        return self.a[0]


@dataclass(frozen=True)
class Condition:
    """One test on one series."""

    test: str
    """One of :data:`TESTS`."""
    series: SeriesSpec
    """The series it reads (the rule's unless the condition names its own)."""
    window: int | None = None
    """Rows of the series: average length, or look-back of a return/change."""
    slope_days: int | None = None
    """Rows over which a moving average must have risen (fallen)."""
    threshold: float | None = None
    """Level, return (fraction) or change to compare with."""
    band: float = 0.0
    """Half-width of the hysteresis band around the threshold, in the test's units (see the
    module docstring); 0: none."""


@dataclass(frozen=True)
class Rule:
    """A validated regime rule."""

    id: str
    """Stable identifier (the TOML key)."""
    name: str
    """Short title, e.g. ``Small caps leading``."""
    group: str
    """One of :data:`GROUPS`."""
    why: str
    """One line: why it matters, and why this threshold."""
    series: SeriesSpec
    """The main series (value, chart)."""
    conditions: tuple[Condition, ...]
    """All must pass; the first is the main one (its number is the rule's value)."""
    source: Path
    """The file the rule (or its override) came from."""
    line: int | None = None
    """Line of the rule's table in ``source``."""
    confirm_days: int = 1
    """Consecutive known days on the other side before the confirmed state changes (1: at
    once)."""

    @property
    def symbols(self) -> tuple[str, ...]:
        """Every symbol any condition reads, unique, in order."""
        return tuple(dict.fromkeys(s for c in self.conditions for s in c.series.symbols))


class _Invalid(Exception):
    """A rule (or part of it) that cannot be used; the problem is already recorded."""


class _File:
    """One parsed rules file: its data and where each key is."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.lines = key_lines(text)
        self.problems: list[RuleProblem] = []

    def line_of(self, parts: tuple[str, ...]) -> int | None:
        """Line of the key, or of its nearest parent that has one."""
        for end in range(len(parts), 0, -1):
            if parts[:end] in self.lines:
                return self.lines[parts[:end]]
        return None

    def add(self, line: int | None, key: str | None, message: str) -> None:
        """Record a problem."""
        self.problems.append(RuleProblem(self.path, line, key, message))

    def element_lines(self, parts: tuple[str, ...]) -> list[int]:
        """Line of each element of the array at key ``parts`` (inline tables or ``[[...]]``)."""
        headers = []
        for number, line in enumerate(self.text.split("\n"), start=1):
            if line.lstrip().startswith("[["):
                match = HEADER_RE.match(line)
                if match and decode_key(match.group(1)) == parts:
                    headers.append(number)
        if headers:
            return headers
        start = self.lines.get(parts)
        return [] if start is None else _inline_element_lines(self.text, start)


def _inline_element_lines(text: str, start: int) -> list[int]:
    """Lines of the elements of the inline array assigned on line ``start`` (1-based)."""
    lines = text.split("\n")
    out: list[int] = []
    depth = 0
    started = False
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        i = line.index("=") + 1 if number == start and "=" in line else 0
        while i < len(line):
            c = line[i]
            if c == "#":
                break
            if c in "\"'":
                end = line.find(c, i + 1)
                while c == '"' and end > 0 and line[end - 1] == "\\":
                    end = line.find(c, end + 1)
                i = len(line) if end < 0 else end + 1
                continue
            if c in "[{":
                if depth == 1 and started:
                    out.append(number)
                depth += 1
                started = True
            elif c in "]}":
                depth -= 1
                if started and depth == 0:
                    return out
            elif depth == 1 and not c.isspace() and c != ",":
                out.append(number)  # a scalar element: still an element
                while i + 1 < len(line) and line[i + 1] not in ",]#":
                    i += 1
            i += 1
    return out


def _key(parts: tuple[str, ...], index: int | None = None, field: str | None = None) -> str:
    """``rules.fed_easing.all[2].window`` (elements counted from 1, as people count)."""
    text = dotted(parts)
    if index is not None:
        text += f"[{index + 1}]"
    if field is not None:
        text += "." + dotted((field,))
    return text


def _symbol(f: _File, line: int | None, key: str, value: object) -> str:
    """A valid ticker symbol (or the ``$benchmark`` placeholder), or _Invalid."""
    if isinstance(value, str) and value.strip().lower() == BENCHMARK:
        return BENCHMARK
    symbol = normalize_symbol(value) if isinstance(value, str) else None
    if symbol is None:
        what = repr(value) if isinstance(value, str) else describe(value)
        f.add(line, key, f"{what} is not a ticker symbol")
        raise _Invalid
    return symbol


def _series(f: _File, line: int | None, key: str, value: object) -> SeriesSpec:
    """A SeriesSpec from its inline table, or _Invalid after reporting."""
    if not isinstance(value, dict):
        f.add(
            line,
            key,
            f"expected a table such as {_SERIES_EXAMPLE}, got {describe(value)}",
        )
        raise _Invalid
    kind = value.get("kind")
    if not isinstance(kind, str) or kind not in SERIES_KINDS:
        got = (
            "no kind"
            if kind is None
            else f"kind {kind!r}"
            if isinstance(kind, str)
            else describe(kind)
        )
        f.add(
            line,
            f"{key}.kind",
            f"unknown series kind ({got}); expected one of: {', '.join(SERIES_KINDS)}",
        )
        raise _Invalid
    fields = SERIES_KINDS[kind]
    label = ""
    if "name" in value:
        label = _text(f, line, f"{key}.name", value["name"])
        if len(label) > 40:
            f.add(line, f"{key}.name", f"{len(label)} characters: a series name is at most 40")
            raise _Invalid
    for name in value:
        if name not in ("kind", "name") and name not in fields:
            allowed = ", ".join(fields) or "nothing besides kind"
            f.add(line, f"{key}.{name}", f"unknown field for a {kind} series (expected: {allowed})")
            raise _Invalid
    for name in fields:
        if name not in value:
            f.add(line, f"{key}.{name}", f"missing: a {kind} series needs {', '.join(fields)}")
            raise _Invalid
    if kind in ("basket_ratio", "drifted_weight"):
        baskets = []
        for name in ("a", "b") if kind == "basket_ratio" else ("a",):
            items = value[name]
            if not isinstance(items, list) or not items:
                f.add(
                    line,
                    f"{key}.{name}",
                    f"expected a non-empty array of symbols, got {describe(items)}",
                )
                raise _Invalid
            baskets.append(tuple(_symbol(f, line, f"{key}.{name}", item) for item in items))
        if kind == "drifted_weight":
            baskets.append((_symbol(f, line, f"{key}.b", value["b"]),))
        if len(set(baskets[0] + baskets[1])) != len(baskets[0]) + len(baskets[1]):
            what = "the baskets" if kind == "basket_ratio" else "the holdings and the fund"
            f.add(line, key, f"a symbol appears twice in {what}")
            raise _Invalid
        return SeriesSpec(kind, baskets[0], baskets[1], label)
    symbols = [_symbol(f, line, f"{key}.{name}", value[name]) for name in fields]
    if kind == "level":
        return SeriesSpec(kind, (symbols[0],), label=label)
    if kind == "fed":
        return SeriesSpec(kind, label=label)
    if symbols[0] == symbols[1]:
        f.add(line, key, f"a and b are the same symbol ({symbols[0]})")
        raise _Invalid
    return SeriesSpec(kind, (symbols[0],), (symbols[1],), label)


def _number(f: _File, line: int | None, key: str, value: object, *, integer: bool) -> float:
    """A finite number (an integer >= 1 when ``integer``), or _Invalid."""
    if integer:
        if isinstance(value, bool) or not isinstance(value, int):
            f.add(line, key, f"expected an integer number of rows, got {describe(value)}")
            raise _Invalid
        if not 1 <= value <= MAX_WINDOW:
            f.add(line, key, f"{value} is out of range (1 to {MAX_WINDOW} rows)")
            raise _Invalid
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        f.add(line, key, f"expected a number, got {describe(value)}")
        raise _Invalid
    return float(value)


def _condition(
    f: _File, line: int | None, key: str, value: object, series: SeriesSpec | None
) -> Condition:
    """A Condition from its table, or _Invalid after reporting."""
    if not isinstance(value, dict):
        f.add(
            line,
            key,
            f"expected a table such as {_CONDITION_EXAMPLE}, got {describe(value)}",
        )
        raise _Invalid
    test = value.get("test")
    if not isinstance(test, str) or test not in TESTS:
        got = (
            "no test"
            if test is None
            else f"test {test!r}"
            if isinstance(test, str)
            else describe(test)
        )
        f.add(line, f"{key}.test", f"unknown test ({got}); expected one of: {', '.join(TESTS)}")
        raise _Invalid
    fields = TESTS[test]
    for name in value:
        if name not in ("test", "series", "band") and name not in fields:
            allowed = ", ".join(fields) or "no fields"
            f.add(line, f"{key}.{name}", f"unknown field for {test} (it takes: {allowed})")
            raise _Invalid
    for name in fields:
        if name not in value:
            f.add(line, f"{key}.{name}", f"missing: {test} needs {', '.join(fields)}")
            raise _Invalid
    if "series" in value:
        series = _series(f, line, f"{key}.series", value["series"])
    if series is None:
        f.add(line, f"{key}.series", "no series: the rule has none and the condition names none")
        raise _Invalid
    if (test == "last_move_cut") != (series.kind == "fed"):
        message = (
            "last_move_cut reads only a fed series"
            if test == "last_move_cut"
            else f"a fed series takes only last_move_cut, not {test}"
        )
        f.add(line, f"{key}.test", message)
        raise _Invalid
    if test.startswith("window_return") and series.unit in ("pp", "yield", "points"):
        f.add(
            line,
            f"{key}.test",
            f"{test} on {series.name} is meaningless: for yields, spreads and index levels "
            "use change_above or change_below",
        )
        raise _Invalid
    numbers = {
        name: _number(f, line, f"{key}.{name}", value[name], integer=name != "threshold")
        for name in fields
    }
    band = 0.0
    if "band" in value:
        if test == "last_move_cut":
            f.add(line, f"{key}.band", "last_move_cut takes no band (a Fed move is not noise)")
            raise _Invalid
        band = _number(f, line, f"{key}.band", value["band"], integer=False)
        if band < 0:
            f.add(line, f"{key}.band", f"{band:g} is negative: a band is a half-width >= 0")
            raise _Invalid
        if "sma" in test and band >= 1:
            f.add(line, f"{key}.band", f"{band:g} is not a fraction of the average (0 to < 1)")
            raise _Invalid
    return Condition(
        test=test,
        series=series,
        window=int(numbers["window"]) if "window" in numbers else None,
        slope_days=int(numbers["slope_days"]) if "slope_days" in numbers else None,
        threshold=numbers.get("threshold"),
        band=band,
    )


_Keys = dict[str, tuple[object, _File]]
"""A rule's keys, each with the file it came from (shipped, or the user's override)."""


def _text(f: _File, line: int | None, key: str, value: object) -> str:
    """A non-empty single-line string, or _Invalid."""
    if not isinstance(value, str):
        f.add(line, key, f"expected a string, got {describe(value)}")
        raise _Invalid
    text = " ".join(value.split())
    if not text:
        f.add(line, key, "is empty")
        raise _Invalid
    return text


def _build(rule_id: str, keys: _Keys, owner: _File) -> Rule | None:
    """The rule from its keys (None when disabled), or _Invalid after reporting."""
    base = ("rules", rule_id)

    def where(name: str) -> tuple[object, _File, int | None, str]:
        value, f = keys[name]
        return value, f, f.line_of((*base, name)), _key((*base, name))

    for name in keys:
        if name not in RULE_KEYS:
            _, f, line, key = where(name)
            f.add(line, key, f"unknown field (expected: {', '.join(RULE_KEYS)})")
            raise _Invalid
    if "enabled" in keys:
        value, f, line, key = where("enabled")
        if not isinstance(value, bool):
            f.add(line, key, f"expected true or false, got {describe(value)}")
            raise _Invalid
        if not value:
            return None
    missing = [name for name in ("name", "group", "why", "series", "all") if name not in keys]
    if missing:
        owner.add(owner.line_of(base), _key(base), f"missing {', '.join(missing)}")
        raise _Invalid
    value, f, line, key = where("name")
    name = _text(f, line, key, value)
    value, f, line, key = where("why")
    why = _text(f, line, key, value)
    value, f, line, key = where("group")
    group = next(
        (g for g in GROUPS if isinstance(value, str) and value.strip().lower() == g.lower()), None
    )
    if group is None:
        got = repr(value) if isinstance(value, str) else describe(value)
        f.add(line, key, f"unknown group {got}; expected one of: {', '.join(GROUPS)}")
        raise _Invalid
    value, f, line, key = where("series")
    series = _series(f, line, key, value)
    value, f, line, key = where("all")
    if not isinstance(value, list) or not value:
        f.add(line, key, f"expected a non-empty array of conditions, got {describe(value)}")
        raise _Invalid
    lines = f.element_lines((*base, "all"))
    conditions = tuple(
        _condition(
            f,
            lines[i] if i < len(lines) else line,
            _key((*base, "all"), i),
            item,
            series,
        )
        for i, item in enumerate(value)
    )
    confirm_days = 1
    if "confirm_days" in keys:
        value, f, line, key = where("confirm_days")
        if isinstance(value, bool) or not isinstance(value, int):
            f.add(line, key, f"expected an integer number of days, got {describe(value)}")
            raise _Invalid
        if not 1 <= value <= MAX_CONFIRM_DAYS:
            f.add(line, key, f"{value} is out of range (1 to {MAX_CONFIRM_DAYS} days)")
            raise _Invalid
        confirm_days = value
    source = next((f for _, f in keys.values() if f is not owner), owner)
    return Rule(
        rule_id,
        name,
        group,
        why,
        series,
        conditions,
        source.path,
        source.line_of(base),
        confirm_days,
    )


def _open(path: Path, fallback: str) -> tuple[_File | None, list[RuleProblem]]:
    """The parsed file, or None with the problem (none for a missing file)."""
    text, problem = read_text(path, MAX_CONFIG_BYTES)
    data = None
    if text is not None and problem is None:
        data, problem = parse_toml(text)
    if problem is not None:
        return None, [RuleProblem(path, problem[0], None, f"{problem[1]}; {fallback}")]
    if text is None or data is None:
        return None, []
    return _File(path, text, data), []


def _tables(f: _File) -> dict[str, dict[str, Any]]:
    """The file's ``[rules.<id>]`` tables, reporting anything else."""
    out: dict[str, dict[str, Any]] = {}
    for name in f.data:
        if name != "rules":
            f.add(
                f.line_of((name,)),
                _key((name,)),
                "unknown key (expected only [rules.<id>] tables); ignored",
            )
    rules = f.data.get("rules", {})
    if not isinstance(rules, dict):
        f.add(
            f.line_of(("rules",)),
            "rules",
            f"expected tables [rules.<id>], got {describe(rules)}; ignored",
        )
        return out
    for rule_id, table in rules.items():
        key = _key(("rules", rule_id))
        line = f.line_of(("rules", rule_id))
        if not _ID_RE.match(rule_id):
            f.add(line, key, "a rule id is 1-40 letters, digits, _ or -; rule skipped")
        elif not isinstance(table, dict):
            f.add(line, key, f"expected a table, got {describe(table)}; rule skipped")
        else:
            out[rule_id] = table
    return out


def _with_suffix(problems: list[RuleProblem], start: int, suffix: str) -> None:
    """Append what was done to the problems recorded from ``start`` on."""
    for i in range(start, len(problems)):
        p = problems[i]
        problems[i] = RuleProblem(p.path, p.line, p.key, p.message + suffix)


def load_rules(
    path: Path | None = None, benchmark: str | None = DEFAULT_BENCHMARK
) -> tuple[list[Rule], list[RuleProblem]]:
    """The shipped rules changed by the user file at ``path`` (None or missing: shipped only).

    Returns the enabled rules in order (shipped order, then new user rules in file order) and
    every problem found, shipped file first, then the user file by line. Never raises.
    ``$benchmark`` is ``benchmark`` in the rules returned (None: left in, for a session that
    resolves it with :func:`with_benchmark` each time its benchmark changes).
    """
    shipped, problems = _open(SHIPPED_RULES, "no shipped rules loaded")
    keys: dict[str, _Keys] = {}
    owners: dict[str, _File] = {}
    shipped_keys: dict[str, _Keys] = {}
    files = []
    if shipped is not None:
        files.append(shipped)
        for rule_id, table in _tables(shipped).items():
            keys[rule_id] = {k: (v, shipped) for k, v in table.items()}
            owners[rule_id] = shipped
        shipped_keys = {rule_id: dict(k) for rule_id, k in keys.items()}
    user = None
    if path is not None:
        user, user_problems = _open(Path(path), "using the shipped rules")
        problems += user_problems
    if user is not None:
        files.append(user)
        for rule_id, table in _tables(user).items():
            keys.setdefault(rule_id, {}).update({k: (v, user) for k, v in table.items()})
            owners.setdefault(rule_id, user)

    rules: list[Rule] = []
    for rule_id, rule_keys in keys.items():
        overridden = rule_id in shipped_keys and rule_keys != shipped_keys[rule_id]
        counts = [len(f.problems) for f in files]
        try:
            rule = _build(rule_id, rule_keys, owners[rule_id])
        except _Invalid:
            rule = None
            if overridden:
                if shipped is not None and user is not None:
                    # a shipped key that no longer fits the user's change: the user's problem
                    moved = shipped.problems[counts[0] :]
                    del shipped.problems[counts[0] :]
                    line = user.line_of(("rules", rule_id))
                    for p in moved:
                        note = " (the shipped value does not fit this override)"
                        user.add(line, p.key, p.message + note)
                for f, count in zip(files, counts, strict=True):
                    _with_suffix(f.problems, count, "; the shipped rule is kept")
                with contextlib.suppress(_Invalid):
                    rule = _build(rule_id, shipped_keys[rule_id], owners[rule_id])
            else:
                for f, count in zip(files, counts, strict=True):
                    _with_suffix(f.problems, count, "; rule skipped")
        if rule is not None:
            rules.append(rule)
    for f in files:
        problems += sorted(f.problems, key=lambda p: (p.line is None, p.line or 0))
    if benchmark is not None:
        rules = with_benchmark(rules, benchmark)
    return rules, problems


def _put(spec: SeriesSpec, symbol: str) -> SeriesSpec:
    """``spec`` with ``$benchmark`` replaced by ``symbol``."""
    a = tuple(symbol if s == BENCHMARK else s for s in spec.a)
    b = tuple(symbol if s == BENCHMARK else s for s in spec.b)
    return spec if (a, b) == (spec.a, spec.b) else replace(spec, a=a, b=b)


def with_benchmark(
    rules: Sequence[Rule], benchmark: str, fallback: str = DEFAULT_BENCHMARK
) -> list[Rule]:
    """The rules with ``$benchmark`` replaced by ``benchmark`` (see the module docstring).

    A rule that does not name ``$benchmark`` is returned as it is; one whose other symbols
    include ``benchmark`` gets ``fallback`` instead (a ratio of a symbol to itself means
    nothing). The ``why`` names the symbol used.
    """
    out: list[Rule] = []
    for rule in rules:
        if BENCHMARK not in rule.symbols:
            # an override that changed the series but kept the shipped text: the text's
            # placeholder still reads as the benchmark
            out.append(replace(rule, why=rule.why.replace(BENCHMARK, benchmark)))
            continue
        own = {s for s in rule.symbols if s != BENCHMARK}
        symbol = fallback if benchmark in own else benchmark
        why = rule.why.replace(BENCHMARK, symbol)
        if BENCHMARK not in rule.why and symbol != DEFAULT_BENCHMARK:
            why += f" Measured here against {symbol}, the benchmark picked."
        conditions = tuple(replace(c, series=_put(c.series, symbol)) for c in rule.conditions)
        out.append(replace(rule, why=why, series=_put(rule.series, symbol), conditions=conditions))
    return out
