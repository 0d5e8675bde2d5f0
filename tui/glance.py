"""At a glance: what changed (the digest) and your book against the rotation (positions).

Pure over what :class:`GlanceInputs` carries (the cache's closes and the session's rules,
decisions, events and paths), so that the dashboard's screens, `rotmon report --since` and
`report --json` compute the same thing from the same data: two viewers of one shared cache see
the same digest for the same dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from tui.analytics.exposure import Book
    from tui.regime.catalysts import Catalyst
    from tui.regime.digest import Digest
    from tui.regime.fed import Decision
    from tui.regime.rules import Rule


@dataclass(frozen=True)
class GlanceInputs:
    """Everything the digest and the book read (built by the session's `glance_inputs`)."""

    closes: pd.DataFrame
    """Wide adjusted closes of the watched symbols, the rules' and the sector ETFs."""
    symbols: Sequence[str]
    """The table's symbols, in the config's order."""
    benchmark: str
    rules: Sequence[Rule]
    decisions: Sequence[Decision]
    events: Sequence[Catalyst]
    catalysts: Sequence[dict[str, Any]]
    """The report's catalysts (JSON-ready, as the dashboard shows them)."""
    now: datetime
    last_session: str | None
    """The data date the user's previous session ended on (None: no previous session)."""
    positions_path: Path | None
    """The positions file to read (None: none configured)."""
    extra: dict[str, Any] | None = None


# --- the digest -------------------------------------------------------------------------------

WATCHED = ("IWM", "EEM")
"""The watched ratios (against the benchmark) whose 52-week RS highs and lows are listed."""


class GlanceError(ValueError):
    """A digest that cannot be made (a bad ``--since``, too little data): its message says why."""


def _price_symbols(inputs: GlanceInputs) -> list[str]:
    """The table's symbols that are prices (no yields or VIX), the benchmark left out, that
    the closes hold."""
    from tui.universe import NOT_PRICES, YIELDS

    columns = set(inputs.closes.columns)
    return [
        s
        for s in dict.fromkeys(inputs.symbols)
        if s != inputs.benchmark and s not in NOT_PRICES and s not in YIELDS and s in columns
    ]


def trading_days(inputs: GlanceInputs) -> list[str]:
    """The benchmark's trading days in the closes (ISO), oldest first."""
    if inputs.benchmark not in inputs.closes.columns:
        return []
    column = inputs.closes[inputs.benchmark].dropna()
    return [d.date().isoformat() for d in column.index]


def quadrants(inputs: GlanceInputs, symbols: Sequence[str], as_of: str) -> dict[str, str | None]:
    """Symbol -> weekly RRG quadrant against the benchmark, as of ``as_of``."""
    from tui.analytics.rrg import rrg

    if not symbols:
        return {}
    points = rrg(inputs.closes, list(symbols), inputs.benchmark, as_of=as_of)
    return {p.symbol: p.quadrant for p in points}


def rs_lines(inputs: GlanceInputs, symbols: Sequence[str]) -> dict[str, pd.Series]:
    """``"SYM/BENCH"`` -> the daily RS line, for each symbol."""
    from tui.analytics.relative import rs_line

    bench = inputs.closes[inputs.benchmark]
    return {f"{s}/{inputs.benchmark}": rs_line(inputs.closes[s], bench) for s in symbols}


def _catalysts(inputs: GlanceInputs) -> list[dict[str, Any]]:
    """The report's catalysts; without a report yet, the FOMC calendar and the events file."""
    if inputs.catalysts:
        return [dict(c) for c in inputs.catalysts]
    from tui.regime.catalysts import catalyst_to_dict, fomc_catalysts
    from tui.regime.fed import load_decisions
    from tui.regime.fomc import load_meetings

    found = [*fomc_catalysts(load_meetings(), load_decisions(), inputs.now), *inputs.events]
    return [catalyst_to_dict(c, inputs.now) for c in found]


def resolve(inputs: GlanceInputs, since: str) -> tuple[str, str]:
    """(since, until) for ``since`` = ``yesterday`` | ``last-session`` | ``YYYY-MM-DD``;
    until is the benchmark's last close. Raises :class:`GlanceError` with the reason."""
    from tui.regime.digest import resolve_since

    days = trading_days(inputs)
    start, problem = resolve_since(since, days, inputs.last_session)
    if start is None:
        raise GlanceError(problem or f"--since {since!r}: no digest")
    return start, days[-1]


def digest(inputs: GlanceInputs, since: str) -> Digest:
    """What changed after the close of ``since`` (resolved by :func:`resolve`) up to the last
    close: the rules' confirmed flips and pending flips (from the engine's rule_series, as
    the rules panel shows them), the weekly RRG quadrant changes of the table's symbols, the
    52-week RS highs/lows of IWM and EEM against the benchmark, the five biggest RS moves of
    the table's symbols, and the catalysts in the 48 h after ``inputs.now``.

    The same inputs always give the same digest. Raises :class:`GlanceError` for a ``since``
    that cannot be used (its message is for the user)."""
    from tui.regime.digest import build_digest
    from tui.regime.engine import rule_series
    from tui.regime.fomc import load_meetings

    start, until = resolve(inputs, since)
    meetings = load_meetings()
    rules = [
        {
            "id": rule.id,
            "name": rule.name,
            "history": rule_series(
                inputs.closes, rule, inputs.decisions, as_of=until, meetings=meetings
            ),
            "confirm_days": rule.confirm_days,
        }
        for rule in inputs.rules
    ]
    symbols = _price_symbols(inputs)
    lines = rs_lines(inputs, symbols)
    watched = [f"{s}/{inputs.benchmark}" for s in WATCHED if s in symbols]
    return build_digest(
        start,
        until,
        rules=rules,
        quadrants_since=quadrants(inputs, symbols, start),
        quadrants_until=quadrants(inputs, symbols, until),
        rs_lines=lines,
        watched=watched,
        catalysts=_catalysts(inputs),
        now=inputs.now,
    )


def digest_json(inputs: GlanceInputs, since: str) -> dict[str, Any]:
    """``rotmon report --since … --json``: :func:`tui.regime.digest.digest_to_dict`."""
    from tui.regime.digest import digest_to_dict

    return digest_to_dict(digest(inputs, since))


def digest_text(inputs: GlanceInputs, since: str) -> str:
    """``rotmon report --since …``: the digest as plain text, one item a line."""
    from tui.regime.digest import digest_lines

    return "\n".join(digest_lines(digest(inputs, since)))


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def digest_parts(d: Digest) -> list[str]:
    """The digest in a few short phrases, most important first: counts of flips, pending flips,
    quadrant changes and RS extremes, the biggest RS move, the next catalyst."""
    count = {kind: sum(1 for i in d.items if i.kind == kind) for kind in KIND_NAMES}
    parts = [
        _plural(count[kind], *KIND_NAMES[kind])
        for kind in ("rule_flip", "rule_pending", "quadrant", "rs_high", "rs_low")
        if count[kind]
    ]
    mover = next((i for i in d.items if i.kind == "rs_mover"), None)
    if mover is not None:
        parts.append(f"top RS move {mover.title}")
    catalyst = next((i for i in d.items if i.kind == "catalyst"), None)
    if catalyst is not None:
        parts.append(catalyst.title)
    return parts


KIND_NAMES: dict[str, tuple[str, str]] = {
    "rule_flip": ("rule flip", "rule flips"),
    "rule_pending": ("pending flip", "pending flips"),
    "quadrant": ("quadrant change", "quadrant changes"),
    "rs_high": ("RS 52-week high", "RS 52-week highs"),
    "rs_low": ("RS 52-week low", "RS 52-week lows"),
    "rs_mover": ("RS move", "RS moves"),
    "catalyst": ("catalyst", "catalysts"),
}


def digest_headline(d: Digest, width: int, key: str = "w") -> str:
    """One line for the dashboard, at most ``width`` cells, whole phrases only (the last ones
    are dropped, never cut): ``Since 07-30: 1 pending flip · 3 quadrant changes · top RS move
    XLB/SPY −3.04% · w: all``."""
    since = d.since[5:] if d.since[:4] == d.until[:4] else d.since
    head = f"Since {since}: "
    parts = digest_parts(d) or ["nothing changed"]
    tail = f" · {key}: all" if d.items else ""
    for n in range(len(parts), 0, -1):
        line = head + " · ".join(parts[:n]) + ("" if n == len(parts) else " · …") + tail
        if len(line) <= width:
            return line
    short = f"{head}{_plural(len(d.items), 'change')}{tail}"
    return short if len(short) <= width else short[:width]


# --- the book ---------------------------------------------------------------------------------


def no_positions_message() -> str:
    """What the positions screen and report say when there is no positions file."""
    from tui.locations import config_dir

    return f"no positions file: put positions.csv in {config_dir()}"


def position_symbols(path: Path | None) -> list[str]:
    """The symbols of the positions file (for the session to read their closes); none if
    there is no file or it cannot be read."""
    if path is None:
        return []
    from tui.data.positions import load_positions

    positions, _ = load_positions(path)
    return [p.symbol for p in positions]


def book(inputs: GlanceInputs) -> tuple[Book | None, list[str]]:
    """The positions file against SPY's sector weights, each sector tagged with its weekly RRG
    quadrant and RS trend against the benchmark (:func:`tui.analytics.exposure.spy_book`),
    on the benchmark's last close; and the file's problems as ``positions.csv:LINE: reason``.
    (None, []) when there is no positions file; the file is only read."""
    from tui.analytics.exposure import spy_book
    from tui.analytics.relative import rs_trend
    from tui.data.positions import load_positions
    from tui.universe import SECTOR_ETFS

    path = inputs.positions_path
    if path is None:
        return None, []
    if not Path(path).exists():
        return None, [f"{Path(path)}: no such file"]
    positions, found = load_positions(Path(path))
    problems = [str(p) for p in found]
    days = trading_days(inputs)
    as_of = days[-1] if days else None
    sectors = [s for s in SECTOR_ETFS if s in inputs.closes.columns]
    if as_of is None:
        tags: dict[str, str | None] = {}
        trends: dict[str, str | None] = {}
    else:
        tags = quadrants(inputs, sectors, as_of)
        trends = {
            label.split("/")[0]: rs_trend(line).state
            for label, line in rs_lines(inputs, sectors).items()
        }
    result = spy_book(positions, inputs.closes, as_of=as_of, quadrants=tags, trends=trends)
    return result, problems


def book_json(inputs: GlanceInputs) -> dict[str, Any]:
    """The ``positions`` block of ``report --json``: :func:`tui.analytics.exposure.book_to_dict`
    plus ``file`` and ``problems``; with no positions file, ``file`` is None, there are no
    rows and ``notes`` says where to put one."""
    from tui.analytics.exposure import book_to_dict

    result, problems = book(inputs)
    path = str(inputs.positions_path) if inputs.positions_path is not None else None
    if result is None:
        return {
            "file": path,
            "problems": problems,
            "rows": [],
            "sectors": [],
            "notes": [no_positions_message()] if path is None else [],
        }
    return {"file": path, "problems": problems, **book_to_dict(result)}
