"""Your positions, read from ``positions.csv`` or a ``[positions]`` table; never written here.

A CSV needs a header naming a symbol column (``symbol`` or ``ticker``) and a quantity column
(``quantity``, ``qty`` or ``shares``); a cost column (``cost_basis``, ``cost`` or ``avg_cost``:
the price paid **per share**) is optional and may be blank (total P&L then reads n/a)::

    symbol,quantity,cost_basis
    XLK,40,212.50
    AAPL,25,180
    SPY,10,                       # no cost known
    # lines starting with # and blank lines are skipped

In the config (or any TOML file) a ``[positions]`` table keys each symbol to its quantity, or
to an inline table with ``quantity`` and ``cost_basis``::

    [positions]
    XLK = { quantity = 40, cost_basis = 212.50 }
    SPY = 10

Quantities may be fractional; a negative quantity is a short. Several rows of one symbol are
lots: they are added up, the cost basis becoming the quantity-weighted average (unknown if any
lot's cost is unknown). Each bad row — a bad symbol, a quantity that is not a non-zero number,
a negative or non-numeric cost, a missing field — gives one problem ``positions.csv:LINE:
reason`` and is skipped; every other row is kept. Nothing here raises on bad input, and the
file is only ever read.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tui.config import normalize_symbol
from tui.textfile import parse_toml, read_text

__all__ = [
    "MAX_POSITIONS_BYTES",
    "Position",
    "PositionProblem",
    "load_positions",
    "parse_positions_csv",
    "positions_from_table",
    "positions_table_lines",
]

MAX_POSITIONS_BYTES = 1_000_000

SYMBOL_COLUMNS = ("symbol", "ticker")
QUANTITY_COLUMNS = ("quantity", "qty", "shares")
COST_COLUMNS = ("cost_basis", "cost", "avg_cost")


@dataclass(frozen=True)
class Position:
    """One holding: all its lots added up."""

    symbol: str
    """Normalized ticker symbol."""
    quantity: float
    """Shares (negative: short)."""
    cost_basis: float | None
    """Average price paid per share; None when not given for every lot."""
    lines: tuple[int, ...]
    """The 1-based lines of the file it came from (one per lot; empty when unknown)."""


@dataclass(frozen=True)
class PositionProblem:
    """One row that was skipped, with where it is."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        """``positions.csv:4: quantity 'ten' is not a number; row skipped``."""
        where = self.path.name if self.line is None else f"{self.path.name}:{self.line}"
        return f"{where}: {self.message}"


def _number(text: str) -> float | None:
    """A finite number from ``"1,234.5"``, ``"$212.50"`` or ``"12"``; None if not one."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    cleaned = cleaned[1:] if cleaned.startswith("$") else cleaned
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cleaned):
        return None
    value = float(cleaned)
    return value if math.isfinite(value) else None


@dataclass
class _Lot:
    symbol: str
    quantity: float
    cost: float | None
    line: int | None


def _check(
    symbol_raw: object, quantity_raw: object, cost_raw: object
) -> tuple[_Lot | None, str | None]:
    """A lot from raw field values (strings from a CSV, or TOML values), or the reason not."""
    if not isinstance(symbol_raw, str) or not symbol_raw.strip():
        return None, "no symbol; row skipped"
    symbol = normalize_symbol(symbol_raw)
    if symbol is None:
        return None, f"{symbol_raw.strip()!r} is not a ticker symbol; row skipped"
    if isinstance(quantity_raw, bool):
        quantity = None
    elif isinstance(quantity_raw, int | float):
        quantity = float(quantity_raw) if math.isfinite(quantity_raw) else None
    elif isinstance(quantity_raw, str):
        if not quantity_raw.strip():
            return None, f"{symbol}: no quantity; row skipped"
        quantity = _number(quantity_raw)
    else:
        quantity = None
    if quantity is None:
        return None, f"{symbol}: quantity {_shown(quantity_raw)} is not a number; row skipped"
    if quantity == 0:
        return None, f"{symbol}: quantity is 0; row skipped"
    cost: float | None
    if cost_raw is None or (isinstance(cost_raw, str) and not cost_raw.strip()):
        cost = None
    else:
        if isinstance(cost_raw, bool):
            cost = None
        elif isinstance(cost_raw, int | float):
            cost = float(cost_raw) if math.isfinite(cost_raw) else None
        elif isinstance(cost_raw, str):
            cost = _number(cost_raw)
        else:
            cost = None
        if cost is None:
            return None, f"{symbol}: cost basis {_shown(cost_raw)} is not a number; row skipped"
        if cost < 0:
            return None, f"{symbol}: cost basis {_shown(cost_raw)} is negative; row skipped"
    return _Lot(symbol, quantity, cost, None), None


def _shown(value: object) -> str:
    text = repr(value.strip()) if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _merge(lots: list[_Lot], path: Path, problems: list[PositionProblem]) -> list[Position]:
    """Add up the lots of each symbol, in order of first appearance."""
    by_symbol: dict[str, list[_Lot]] = {}
    for lot in lots:
        by_symbol.setdefault(lot.symbol, []).append(lot)
    out = []
    for symbol, group in by_symbol.items():
        quantity = math.fsum(lot.quantity for lot in group)
        lines = tuple(lot.line for lot in group if lot.line is not None)
        if abs(quantity) < 1e-12:
            where = lines[0] if lines else None
            problems.append(
                PositionProblem(path, where, f"{symbol}: the lots add up to 0 shares; ignored")
            )
            continue
        cost = None
        if all(lot.cost is not None for lot in group):
            cost = math.fsum(lot.quantity * lot.cost for lot in group) / quantity  # type: ignore[operator]
            if cost < 0:  # long and short lots with different prices: no meaningful average
                cost = None
        out.append(Position(symbol, quantity, cost, lines))
    return out


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower().replace(" ", "_") for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def parse_positions_csv(text: str, path: Path) -> tuple[list[Position], list[PositionProblem]]:
    """Positions from CSV ``text`` (``path`` names it in problems); see the module docstring."""
    problems: list[PositionProblem] = []
    lines = text.splitlines()
    numbered = [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        return [], []
    header_line, header_text = numbered[0]
    header = next(csv.reader([header_text]))
    i_sym = _column(header, SYMBOL_COLUMNS)
    i_qty = _column(header, QUANTITY_COLUMNS)
    i_cost = _column(header, COST_COLUMNS)
    if i_sym is None or i_qty is None:
        missing = "a symbol column" if i_sym is None else "a quantity column"
        problems.append(
            PositionProblem(
                path,
                header_line,
                f"the header needs {missing} (symbol, quantity, cost_basis); no positions read",
            )
        )
        return [], problems
    lots: list[_Lot] = []
    for number, line in numbered[1:]:
        # A trailing "# comment" after the fields is allowed when the # is unquoted.
        record = next(csv.reader(io.StringIO(_strip_comment(line))), [])
        need = max(i_sym, i_qty)
        if len(record) <= need:
            problems.append(
                PositionProblem(
                    path,
                    number,
                    f"expected at least {need + 1} fields, got {len(record)}; row skipped",
                )
            )
            continue
        cost = record[i_cost] if i_cost is not None and i_cost < len(record) else None
        lot, reason = _check(record[i_sym], record[i_qty], cost)
        if lot is None:
            problems.append(PositionProblem(path, number, reason or "row skipped"))
            continue
        lot.line = number
        lots.append(lot)
    return _merge(lots, path, problems), problems


def _strip_comment(line: str) -> str:
    """``line`` without an unquoted ``#`` comment."""
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == "#" and not quoted:
            return line[:i].rstrip()
    return line


_HEADER_RE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_KEY_RE = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_.^=-]+))\s*=""")


def positions_table_lines(text: str, table: str = "positions") -> dict[str, int]:
    """Upper-cased symbol key -> the 1-based line defining it inside ``[table]`` of TOML
    ``text`` (a plain line scan, for messages; keys it cannot see get no line)."""
    found: dict[str, int] = {}
    current: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        header = _HEADER_RE.match(line)
        if header and not line.lstrip().startswith("[["):
            current = header.group(1).strip().strip('"').strip("'")
            continue
        if current != table:
            continue
        key = _KEY_RE.match(line)
        if key:
            name = next(g for g in key.groups() if g)
            found.setdefault(name.strip().upper(), number)
    return found


def positions_from_table(
    value: object,
    path: Path,
    line_of: Callable[[str], int | None] | None = None,
    table_line: int | None = None,
) -> tuple[list[Position], list[PositionProblem]]:
    """Positions from a parsed ``[positions]`` table (``{"XLK": 40}`` or
    ``{"XLK": {"quantity": 40, "cost_basis": 212.5}}``).

    ``line_of(symbol_key)`` gives a key's line for messages (:func:`positions_table_lines`, or
    the config loader's own); ``table_line`` is the table header's line.
    """
    problems: list[PositionProblem] = []
    if not isinstance(value, Mapping):
        problems.append(
            PositionProblem(path, table_line, "positions: expected a table; no positions read")
        )
        return [], problems
    lots: list[_Lot] = []
    for key, item in value.items():
        line = line_of(str(key).strip().upper()) if line_of else None
        if isinstance(item, Mapping):
            unknown = sorted(set(item) - {"quantity", "cost_basis"})
            if unknown:
                problems.append(
                    PositionProblem(
                        path,
                        line,
                        f"positions.{key}: unknown key {unknown[0]!r} (expected quantity, "
                        "cost_basis); row skipped",
                    )
                )
                continue
            if "quantity" not in item:
                problems.append(
                    PositionProblem(path, line, f"positions.{key}: no quantity; row skipped")
                )
                continue
            lot, reason = _check(key, item["quantity"], item.get("cost_basis"))
        else:
            lot, reason = _check(key, item, None)
        if lot is None:
            problems.append(PositionProblem(path, line, f"positions.{key}: {reason}"))
            continue
        lot.line = line
        lots.append(lot)
    return _merge(lots, path, problems), problems


def load_positions(path: Path) -> tuple[list[Position], list[PositionProblem]]:
    """Read a positions file: ``.toml`` files by their ``[positions]`` table, anything else as
    CSV. A missing file gives no positions and no problem; an unreadable one, one problem."""
    path = Path(path)
    text, problem = read_text(path, MAX_POSITIONS_BYTES)
    if problem is not None:
        return [], [PositionProblem(path, problem[0], f"{problem[1]}; no positions read")]
    if text is None:
        return [], []
    if path.suffix.lower() != ".toml":
        return parse_positions_csv(text, path)
    data, problem = parse_toml(text)
    if data is None:
        line, message = problem or (None, "invalid TOML")
        return [], [PositionProblem(path, line, f"{message}; no positions read")]
    if "positions" not in data:
        return [], []
    lines = positions_table_lines(text)
    header = next(
        (n for n, line in enumerate(text.split("\n"), 1) if _is_header(line, "positions")), None
    )
    return positions_from_table(data["positions"], path, lines.get, header)


def _is_header(line: str, table: str) -> bool:
    match = _HEADER_RE.match(line)
    return bool(match) and match.group(1).strip().strip('"') == table  # type: ignore[union-attr]
