"""The NYSE's session clock: open or closed, the next open and close, holidays, early closes.

The calendar is exchange_calendars' XNYS (maintained: holidays, early closes and the odd day
of mourning). Building it is heavy — importing exchange_calendars and pandas and computing a
few years of sessions takes about 0.5-1.2 s — so :func:`load_schedule` turns it once into a
:class:`Schedule` of plain tuples, kept per process by :func:`schedule_for`; everything else
here is pure and fast (a bisect per question). Call :func:`schedule_for` from a worker thread
before the UI needs it; :func:`loaded_schedule` answers without ever blocking.

Times are aware datetimes; a naive ``now`` is taken as UTC.
"""

from __future__ import annotations

import threading
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

ET = ZoneInfo("America/New_York")
YEARS_BACK = 3
YEARS_AHEAD = 3
"""The default span of a loaded schedule around today (extended on demand)."""
HISTORY_START = date(2016, 1, 1)
"""A loaded schedule reaches back to here at least: the bundled history's first year, so the
regime engine's staleness count over the whole history (:func:`holidays_between`) and the
clock share one load of the calendar."""


@dataclass(frozen=True)
class Schedule:
    """XNYS sessions between ``first`` and ``last`` (inclusive), as plain Python values."""

    first: date
    last: date
    days: tuple[date, ...]
    opens: tuple[datetime, ...]
    """UTC-aware open of each session in ``days``."""
    closes: tuple[datetime, ...]
    """UTC-aware close of each session (13:00 ET on an early close)."""
    holidays: dict[date, str]
    """Weekdays in the span with no session -> the holiday's name ("closed" if unnamed)."""

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    def is_session(self, day: date) -> bool:
        i = bisect_left(self.days, day)
        return i < len(self.days) and self.days[i] == day

    def is_early_close(self, day: date) -> bool:
        """True if ``day`` is a session that closes before 16:00 ET."""
        i = bisect_left(self.days, day)
        if i == len(self.days) or self.days[i] != day:
            return False
        return self.closes[i].astimezone(ET).hour < 16


def load_schedule(start: date, end: date) -> Schedule:
    """Build a :class:`Schedule` from exchange_calendars (heavy: see the module docstring)."""
    with warnings.catch_warnings():  # its pandas deprecation notices are not ours to print
        warnings.simplefilter("ignore")
        import exchange_calendars as xc
        import pandas as pd

        calendar = xc.get_calendar("XNYS", start=start.isoformat(), end=end.isoformat())
        frame = calendar.schedule
        days = tuple(ts.date() for ts in frame.index)
        opens = tuple(ts.to_pydatetime().astimezone(UTC) for ts in frame["open"])
        closes = tuple(ts.to_pydatetime().astimezone(UTC) for ts in frame["close"])
        names: dict[date, str] = {}
        try:
            regular = calendar.regular_holidays.holidays(start, end, return_name=True)
            names = {pd.Timestamp(ts).date(): str(name) for ts, name in regular.items()}
        except Exception:  # names are a nicety; the sessions are what count
            names = {}
    sessions = set(days)
    holidays = {}
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in sessions:
            holidays[day] = names.get(day, "closed")
        day += timedelta(days=1)
    return Schedule(start, end, days, opens, closes, holidays)


_LOCK = threading.Lock()
_LOADED: Schedule | None = None


def schedule_for(*days: date) -> Schedule:
    """The process's schedule, loaded (or widened) so that it covers ``days`` and today ±3
    years. Blocks the first time (and when widened): call it off the UI thread."""
    global _LOADED
    today = datetime.now(UTC).astimezone(ET).date()
    wanted = [today, *days]
    with _LOCK:
        current = _LOADED
        if current is not None and all(current.covers(d) for d in wanted):
            return current
        start = min([*wanted, *([current.first] if current else [])])
        end = max([*wanted, *([current.last] if current else [])])
        start = min(start, today.replace(year=today.year - YEARS_BACK, month=1, day=1))
        start = min(start, HISTORY_START)
        end = max(end, today.replace(year=today.year + YEARS_AHEAD, month=12, day=31))
        _LOADED = load_schedule(start, end)
        return _LOADED


def loaded_schedule() -> Schedule | None:
    """The schedule if one is loaded already (never blocks), else None."""
    return _LOADED


_HOLIDAYS_LOCK = threading.Lock()
_HOLIDAYS: tuple[int, int, frozenset[date]] | None = None
"""Weekdays without an XNYS session over whole years ``first..last``, once computed."""


def holidays_between(start: date, end: date) -> tuple[date, ...]:
    """Weekdays from ``start`` to ``end`` (inclusive) on which the NYSE had or will have no
    session (holidays, days of mourning, closures), ascending: what a count of trading days
    skips. The regime engine counts staleness with it, so it matches the clock and the refresh
    cadence. Computed per process over whole years from XNYS' sessions (about 0.3-0.5 s the
    first time, with the import; widened on demand; thread-safe); no blocking after that."""
    global _HOLIDAYS
    if end < start:
        return ()
    with _HOLIDAYS_LOCK:
        known = _HOLIDAYS
        if known is None or not known[0] <= start.year <= end.year <= known[1]:
            first = min(start.year, known[0] if known else start.year)
            last = max(end.year, known[1] if known else end.year)
            known = (first, last, _xnys_holidays(date(first, 1, 1), date(last, 12, 31)))
            _HOLIDAYS = known
    return tuple(sorted(day for day in known[2] if start <= day <= end))


def _xnys_holidays(start: date, end: date) -> frozenset[date]:
    """Weekdays in ``start..end`` that are not XNYS sessions, from the process's schedule
    (:func:`schedule_for`, loaded or widened to cover the span: one load of the calendar
    serves the clock and the engine)."""
    schedule = schedule_for(start, end)
    return frozenset(day for day in schedule.holidays if start <= day <= end)


# ------------------------------------------------------------------------------- queries


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_open(now: datetime, schedule: Schedule) -> bool:
    """True during a regular XNYS session (open <= now < close)."""
    moment = _utc(now)
    i = bisect_right(schedule.opens, moment) - 1
    return i >= 0 and moment < schedule.closes[i]


def sessions_between(schedule: Schedule, start: date, end: date) -> int:
    """Sessions after ``start`` up to and including ``end`` (0 if end <= start): how many
    sessions a cache whose last day is ``start`` is behind on ``end``."""
    if end <= start:
        return 0
    return bisect_right(schedule.days, end) - bisect_right(schedule.days, start)


def last_session(schedule: Schedule, now: datetime) -> date | None:
    """The latest session that has closed by ``now`` (its bars are final)."""
    moment = _utc(now)
    i = bisect_right(schedule.closes, moment) - 1
    return schedule.days[i] if i >= 0 else None


@dataclass(frozen=True)
class ClockState:
    """Where the NYSE's clock stands at ``now``."""

    now: datetime
    is_open: bool
    next_open: datetime | None
    """The next session's open (after ``now``); None past the schedule's end."""
    next_close: datetime | None
    """The current session's close if open, else the next session's close."""
    early_close: bool
    """The session that ``next_close`` ends closes early (13:00 ET)."""
    holiday: str | None
    """Today's holiday name when today (New York) is a weekday without a session."""

    def label(self, zone: ZoneInfo | None = None) -> str:
        """One line for the header, in ET and (if different) ``zone``:
        'OPEN · closes 16:00 ET in 2 h 13 m', 'CLOSED · Thanksgiving · opens Fri 09:30 ET'."""
        if self.is_open and self.next_close is not None:
            early = " (early close)" if self.early_close else ""
            return (
                f"OPEN · closes {_at(self.next_close, self.now, zone)}{early} "
                f"in {countdown(self.next_close - self.now)}"
            )
        parts = ["CLOSED"]
        if self.holiday:
            parts.append(self.holiday)
        if self.next_open is not None:
            text = f"opens {_at(self.next_open, self.now, zone)}"
            if self.next_open - self.now < timedelta(hours=24):
                text += f" in {countdown(self.next_open - self.now)}"
            parts.append(text)
        return " · ".join(parts)


def clock_state(now: datetime, schedule: Schedule) -> ClockState:
    """The clock at ``now`` (pure: ``schedule`` must cover ``now``)."""
    moment = _utc(now)
    i = bisect_right(schedule.opens, moment) - 1
    open_now = i >= 0 and moment < schedule.closes[i]
    j = i + 1  # the next session to open
    next_open = schedule.opens[j] if j < len(schedule.opens) else None
    k = i if open_now else j
    next_close = schedule.closes[k] if 0 <= k < len(schedule.closes) else None
    early = next_close is not None and next_close.astimezone(ET).hour < 16
    today = moment.astimezone(ET).date()
    return ClockState(
        now=moment,
        is_open=open_now,
        next_open=next_open,
        next_close=next_close,
        early_close=early,
        holiday=schedule.holidays.get(today),
    )


def countdown(delta: timedelta) -> str:
    """'2 h 13 m', '45 m', '3 d 4 h' (rounded down to the minute; never negative)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} m"
    return f"{mins} m"


def _at(moment: datetime, now: datetime, zone: ZoneInfo | None) -> str:
    """'16:00 ET', 'Mon 09:30 ET' (another day), plus ' (22:00 CEST)' in ``zone``."""
    local = moment.astimezone(ET)
    today = now.astimezone(ET).date()
    day = "" if local.date() == today else f"{local:%a} "
    text = f"{day}{local:%H:%M} ET"
    if zone is not None and str(zone) != "America/New_York":
        theirs = moment.astimezone(zone)
        their_day = "" if theirs.date() == now.astimezone(zone).date() else f"{theirs:%a} "
        text += f" ({their_day}{theirs:%H:%M} {theirs.tzname()})"
    return text
