"""The user's events file: macro releases (CPI, the jobs report, …) as ``macro`` catalysts.

The file is TOML or CSV, chosen by its extension (``.toml``; ``.csv``). Default location:
``events.toml`` in the config dir (``$ROTMON_CONFIG_DIR`` or the platform config dir), or
``events.csv`` there when only that one exists — see :func:`default_events_path`. A copy of
``events.example.toml`` (shipped next to this module) is a good start.

TOML, one ``[[event]]`` table per event::

    [[event]]
    date = 2026-12-10              # a TOML date, or the string "2026-12-10"
    time = "08:30"                 # 24-hour HH:MM (or HH:MM:SS); leave out for a date-only event
    tz = "America/New_York"        # IANA zone name; default America/New_York
    name = "CPI (Nov)"             # required
    importance = "high"            # high, medium (default) or low
    detail = "BLS, for November"   # optional one-line note

CSV, one event per line, with this header (column order free; ``detail`` optional; lines
starting with ``#`` and blank lines are skipped; quote a name that holds a comma)::

    date,time,tz,name,importance
    2026-12-10,08:30,America/New_York,CPI (Nov),high

Times are wall-clock times in ``tz``: 08:30 America/New_York is 13:30 UTC in winter and 12:30 UTC
in summer; the zone's own daylight-saving rules decide. A time that does not exist in that zone
(skipped by a DST change) is an error. Fixed-offset zones that look like New York or Denver time
(``EST``, ``MST``) are refused, because they ignore daylight saving.

Errors never raise: :func:`load_events` returns the events it could read and one
:class:`EventProblem` per problem, each naming file, line and key. A bad entry (bad date, bad
time, unknown zone, missing name, bad importance) is skipped; an unknown key is reported and
ignored; a TOML syntax error gives no events and one problem with its line; a missing file is
not an error (no events, no problems). The file is only parsed, never executed.

Only the standard library is imported here.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tui import locations
from tui.regime.catalysts import IMPORTANCE, Catalyst
from tui.textfile import (
    ASSIGN_RE,
    HEADER_RE,
    FileProblem,
    ValueScanner,
    decode_key,
    describe,
    read_text,
    toml_problem,
)

__all__ = [
    "DEFAULT_TZ",
    "EXAMPLE_PATH",
    "EventProblem",
    "default_events_path",
    "load_default_events",
    "load_events",
]

DEFAULT_TZ = "America/New_York"
"""Zone of an event without ``tz``."""

DEFAULT_IMPORTANCE = "medium"
"""Importance of an event without ``importance``."""

EXAMPLE_PATH = Path(__file__).with_name("events.example.toml")
"""The example file shipped in the package."""

EVENTS_FILE_NAME = "events.toml"
EVENTS_CSV_NAME = "events.csv"
MAX_EVENTS_BYTES = 1_000_000

FIELDS = ("date", "time", "tz", "name", "importance", "detail")
"""Keys of an event (TOML) and columns of the CSV file."""

CSV_DEFAULT_COLUMNS = ("date", "time", "tz", "name", "importance")
"""Column order assumed when a CSV file has no header line."""

_FIXED_LOOKALIKES = {"EST": "America/New_York", "MST": "America/Denver"}
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EventProblem(FileProblem):
    """One thing wrong in the events file: ``events.toml:7: time: '25:00' is not a time …;
    event skipped`` (the key is the TOML key or the CSV column at fault)."""


def default_events_path() -> Path:
    """``events.toml`` in the config dir; ``events.csv`` there if only that one exists."""
    directory = locations.config_dir()
    toml_path = directory / EVENTS_FILE_NAME
    csv_path = directory / EVENTS_CSV_NAME
    if not toml_path.exists() and csv_path.exists():
        return csv_path
    return toml_path


# --- one entry ------------------------------------------------------------------------------


class _Entry:
    """Validates one event's raw fields, collecting problems at the right lines."""

    def __init__(self, path: Path, line: int | None, lines: dict[str, int] | None = None) -> None:
        self.path = path
        self.line = line
        self.lines = lines or {}
        self.problems: list[EventProblem] = []
        self.fatal = False

    def add(self, key: str | None, message: str, *, fatal: bool = True) -> None:
        line = self.lines.get(key, self.line) if key else self.line
        suffix = "; event skipped" if fatal else ""
        self.problems.append(EventProblem(self.path, line, key, message + suffix))
        self.fatal = self.fatal or fatal

    def text(self, key: str, value: object) -> str | None:
        """A string value stripped ('' for missing); None after reporting a non-string."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        self.add(key, f"expected a string, got {describe(value)}")
        return None

    def build(self, raw: dict[str, object]) -> Catalyst | None:
        for key in raw:
            if key not in FIELDS:
                known = ", ".join(FIELDS)
                self.add(key, f"unknown key (known: {known}); ignored", fatal=False)
        name = self.text("name", raw.get("name"))
        if name == "":
            self.add("name", "missing name")
        day = self._date(raw.get("date"))
        clock = self._time(raw.get("time"))
        zone = self._zone(raw.get("tz"))
        importance = self._importance(raw.get("importance"))
        detail = self.text("detail", raw.get("detail"))
        if self.fatal or None in (name, day, clock, zone, importance, detail):
            return None
        assert day is not None and zone is not None and importance is not None
        time_known = clock is not False
        at = datetime.combine(day, clock if isinstance(clock, time) else time(0), tzinfo=zone)
        if time_known and not _exists(at):
            self.add(
                "time",
                f"{clock:%H:%M} does not exist on {day.isoformat()} in {zone.key} "
                "(the clocks skip it for daylight saving)",
            )
            return None
        return Catalyst(
            "macro", name or "", at, importance, detail or "", None, time_known=time_known
        )

    def _date(self, value: object) -> date | None:
        if value is None or value == "":
            self.add("date", "missing date")
            return None
        if isinstance(value, datetime):
            self.add("date", f"expected a date such as 2026-12-10, got {describe(value)}")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _DATE_RE.match(value.strip()):
            with contextlib.suppress(ValueError):  # e.g. 2026-02-30: reported just below
                return date.fromisoformat(value.strip())
        self.add("date", f"{_shown(value)} is not a date; use YYYY-MM-DD, e.g. 2026-12-10")
        return None

    def _time(self, value: object) -> time | bool | None:
        """The time; False when absent (a date-only event); None after reporting."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return False
        if isinstance(value, time):
            return value.replace(microsecond=0, tzinfo=None)
        if isinstance(value, str):
            match = _TIME_RE.match(value.strip())
            if match:
                hour, minute, second = (int(g or 0) for g in match.groups())
                return time(hour, minute, second)
        self.add("time", f"{_shown(value)} is not a time; use 24-hour HH:MM, e.g. 08:30")
        return None

    def _zone(self, value: object) -> ZoneInfo | None:
        name = self.text("tz", value)
        if name is None:
            return None
        name = name or DEFAULT_TZ
        if name.upper() in _FIXED_LOOKALIKES:
            self.add(
                "tz",
                f"{name!r} is a fixed UTC offset without daylight saving; "
                f"use {_FIXED_LOOKALIKES[name.upper()]}",
            )
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            self.add("tz", f"unknown time zone {name!r}; use an IANA name such as {DEFAULT_TZ}")
            return None

    def _importance(self, value: object) -> str | None:
        text = self.text("importance", value)
        if text is None:
            return None
        level = text.lower() or DEFAULT_IMPORTANCE
        if level not in IMPORTANCE:
            self.add("importance", f"{text!r} is not high, medium or low")
            return None
        return level


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else describe(value)


def _exists(at: datetime) -> bool:
    """False for a wall time skipped by a DST change (it does not survive a UTC round trip)."""
    back = at.astimezone(UTC).astimezone(at.tzinfo)
    return back.replace(tzinfo=None) == at.replace(tzinfo=None)


# --- TOML ----------------------------------------------------------------------------------


def _toml_lines(text: str) -> tuple[dict[str, int], list[tuple[int, dict[str, int]]]]:
    """Lines of the top-level keys, and of each ``[[event]]`` header with its keys' lines."""
    top: dict[str, int] = {}
    entries: list[tuple[int, dict[str, int]]] = []
    current: dict[str, int] | None = top
    scanner = ValueScanner()
    for number, line in enumerate(text.split("\n"), start=1):
        if scanner.busy():
            scanner.feed(line)
            continue
        header = HEADER_RE.match(line)
        if header:
            parts = decode_key(header.group(1))
            if parts == ("event",) and line.lstrip().startswith("[["):
                current = {}
                entries.append((number, current))
            else:
                if parts:
                    top.setdefault(parts[0], number)
                current = None
            continue
        assign = ASSIGN_RE.match(line)
        if assign:
            parts = decode_key(assign.group(1))
            if parts and current is not None:
                current.setdefault(parts[0], number)
            scanner.feed(line[assign.end() :])
    return top, entries


def _toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> EventProblem:
    line, message = toml_problem(text, exc)
    return EventProblem(path, line, None, f"{message}; no events loaded")


def _load_toml(path: Path, text: str) -> tuple[list[Catalyst], list[EventProblem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [], [_toml_error(path, text, exc)]
    top, entry_lines = _toml_lines(text)
    problems: list[EventProblem] = []
    for key in data:
        if key != "event":
            problems.append(
                EventProblem(
                    path, top.get(key), key, "unknown key (events go in [[event]] tables); ignored"
                )
            )
    raw = data.get("event", [])
    if not isinstance(raw, list):
        problems.append(
            EventProblem(
                path, top.get("event"), "event", f"expected [[event]] tables, got {describe(raw)}"
            )
        )
        return [], problems
    # [[event]] headers line up with the array; an inline `event = [...]` has none of them.
    aligned = len(entry_lines) == len(raw)
    events: list[Catalyst] = []
    for index, item in enumerate(raw):
        line, lines = entry_lines[index] if aligned else (top.get("event"), {})
        entry = _Entry(path, line, lines)
        if not isinstance(item, dict):
            entry.add(None, f"event {index + 1}: expected a table, got {describe(item)}")
        else:
            catalyst = entry.build(item)
            if catalyst is not None:
                events.append(catalyst)
        problems.extend(entry.problems)
    return events, problems


# --- CSV ---------------------------------------------------------------------------------------


def _uncommented(text: str) -> list[str]:
    """The file's lines with ``#`` comment lines blanked (line numbers are kept)."""
    return ["\n" if line.lstrip().startswith("#") else line for line in text.splitlines(True)]


def _load_csv(path: Path, text: str) -> tuple[list[Catalyst], list[EventProblem]]:
    events: list[Catalyst] = []
    problems: list[EventProblem] = []
    reader = csv.reader(io.StringIO("".join(_uncommented(text))))
    columns: tuple[str | None, ...] | None = None
    previous_end = 0
    try:
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if columns is None:
                names = [cell.lower() for cell in cells]
                if "date" in names and "name" in names:  # a header line
                    columns = tuple(name if name in FIELDS else None for name in names)
                    for name, cell in zip(names, cells, strict=True):
                        if name not in FIELDS:
                            known = ", ".join(FIELDS)
                            message = f"unknown column (known: {known}); ignored"
                            problems.append(EventProblem(path, line, cell or "(blank)", message))
                    continue
                columns = CSV_DEFAULT_COLUMNS
            entry = _Entry(path, line)
            if len(cells) > len(columns):
                entry.add(None, f"{len(cells)} fields, expected at most {len(columns)}")
                problems.extend(entry.problems)
                continue
            raw = {
                name: cell for name, cell in zip(columns, cells, strict=False) if name is not None
            }
            catalyst = entry.build(raw)
            if catalyst is not None:
                events.append(catalyst)
            problems.extend(entry.problems)
    except csv.Error as exc:
        problems.append(
            EventProblem(
                path, reader.line_num, None, f"unreadable CSV: {exc}; rest of file skipped"
            )
        )
    return events, problems


# --- loading --------------------------------------------------------------------------------


def _read_text(path: Path) -> tuple[str | None, EventProblem | None]:
    """The file's text; (None, None) if it does not exist; (None, problem) if unusable."""
    text, problem = read_text(path, MAX_EVENTS_BYTES)
    if problem is not None:
        return None, EventProblem(path, problem[0], None, f"{problem[1]}; no events loaded")
    return text, None


def load_events(path: Path | None = None) -> tuple[list[Catalyst], list[EventProblem]]:
    """Events from ``path`` (default :func:`default_events_path`), sorted by time, and problems.

    Never raises for anything in or about the file; see the module docstring.
    """
    path = Path(path) if path is not None else default_events_path()
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".csv"):
        message = f"unsupported file type {path.suffix or '(none)'!r}; use .toml or .csv"
        return [], [EventProblem(path, None, None, message)]
    text, problem = _read_text(path)
    if text is None:
        return [], [problem] if problem else []
    events, problems = (_load_toml if suffix == ".toml" else _load_csv)(path, text)
    events.sort(key=lambda c: (c.at.astimezone(UTC), not c.time_known, c.name))
    return events, problems


def load_default_events() -> tuple[list[Catalyst], list[EventProblem], Path]:
    """The user's events file, or — until they have one — the shipped example (real scheduled
    BLS releases), so a first start already shows the next CPI and jobs reports. Returns the
    events, the problems and the file read."""
    path = default_events_path()
    if not path.exists():
        path = EXAMPLE_PATH
    events, problems = load_events(path)
    return events, problems, path
