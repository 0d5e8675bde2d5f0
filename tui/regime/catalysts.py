"""Catalysts: scheduled events that could break the rotation, on one time line.

Three kinds share one shape, :class:`Catalyst`:

- ``fomc``: every bundled FOMC meeting at its decision time (14:00 New York time on the last day);
  past ones say what the Fed did, from the bundled target-range history (:func:`fomc_catalysts`).
- ``earnings``: a watched stock's next report (``tui.data.earnings``); Yahoo gives a date without
  a time, so these are *date-only* catalysts (``time_known=False``).
- ``macro``: CPI, the jobs report and anything else in the user's events file
  (``tui.regime.events``).

Times are aware datetimes; every comparison and difference is done in UTC (through
:func:`tui.regime.fomc.days_until`), so a ``now`` in any zone gives the same answer, across
daylight-saving changes too. A date-only catalyst sits at 00:00 of its day in its own zone and
stays "upcoming" until that day ends, so a report due "today" is not dropped at 00:01.

Only the standard library is imported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from tui.regime.fed import Decision, data_end
from tui.regime.fomc import NEW_YORK, Meeting
from tui.regime.fomc import days_until as _days_between

KINDS = ("fomc", "earnings", "macro")
"""Values of :attr:`Catalyst.kind`."""

IMPORTANCE = ("high", "medium", "low")
"""Values of :attr:`Catalyst.importance`, most important first."""

FOMC_NAME = "FOMC decision"
MINUS = "\u2212"


@dataclass(frozen=True)
class Catalyst:
    """One scheduled event."""

    kind: str
    """``fomc``, ``earnings`` or ``macro``."""
    name: str
    """What happens, e.g. ``FOMC decision``, ``CPI (Nov)``, ``CFG earnings``."""
    at: datetime
    """When (aware). For a date-only catalyst: 00:00 of its day in its own zone."""
    importance: str
    """``high``, ``medium`` or ``low``."""
    detail: str = ""
    """One line: the Fed's move for a past decision, the schedule for a future one, a note."""
    symbol: str | None = None
    """The stock, for earnings; None otherwise."""
    time_known: bool = True
    """False when only the date is known (earnings; an events-file entry without a time)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.importance not in IMPORTANCE:
            raise ValueError(
                f"importance must be one of {', '.join(IMPORTANCE)}, got {self.importance!r}"
            )
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"at must be timezone-aware, got {self.at!r}")


def days_until(c: Catalyst, now: datetime) -> float:
    """Days (fractional, negative once past) from ``now`` (aware) to the catalyst's time."""
    return _days_between(c.at, now)


def ends_at(c: Catalyst) -> datetime:
    """When the catalyst stops being upcoming: its time, or the end of its day if date-only."""
    if c.time_known:
        return c.at
    next_day = c.at.date() + timedelta(days=1)
    return datetime.combine(next_day, time(0), tzinfo=c.at.tzinfo)


def is_upcoming(c: Catalyst, now: datetime) -> bool:
    """True until the catalyst has happened (date-only ones: until their day is over)."""
    return _days_between(ends_at(c), now) > 0


def within_days(c: Catalyst, now: datetime, days: float) -> bool:
    """Upcoming and due within ``days`` of ``now`` (e.g. 7 to highlight, 1 to alert)."""
    return is_upcoming(c, now) and days_until(c, now) <= days


def _sort_key(c: Catalyst) -> tuple[datetime, int, int, str]:
    return (
        c.at.astimezone(UTC),
        not c.time_known,  # a timed event before a date-only one of the same instant
        IMPORTANCE.index(c.importance),
        c.name,
    )


def sort_catalysts(catalysts: Iterable[Catalyst]) -> list[Catalyst]:
    """By time (UTC), then timed before date-only, then importance, then name."""
    return sorted(catalysts, key=_sort_key)


def upcoming(
    catalysts: Iterable[Catalyst], now: datetime, horizon_days: float | None = None
) -> list[Catalyst]:
    """Catalysts not yet past at ``now`` (aware), within ``horizon_days`` if given, by time."""
    return sort_catalysts(
        c
        for c in catalysts
        if is_upcoming(c, now) and (horizon_days is None or days_until(c, now) <= horizon_days)
    )


# --- FOMC -------------------------------------------------------------------------------------


def _range(lower: float, upper: float) -> str:
    return f"{lower:.2f}–{upper:.2f}%"


def move_text(decision: Decision) -> str:
    """``cut 25 bp → 3.50–3.75%``, ``hike 75 bp → 2.25–2.50%``."""
    if decision.change_bp < 0:
        verb = f"cut {-decision.change_bp} bp"
    elif decision.change_bp > 0:
        verb = f"hike {decision.change_bp} bp"
    else:
        verb = "no change"
    return f"{verb} → {_range(decision.lower, decision.upper)}"


def _schedule_text(meeting: Meeting) -> str:
    parts = ["statement 14:00 ET"]
    if meeting.press_conference:
        parts.append("press conference 14:30 ET")
    if meeting.sep:
        parts.append("projections (SEP)")
    return " · ".join(parts)


def _past_text(meeting: Meeting, decisions: Sequence[Decision], end: date | None) -> str:
    day = meeting.end
    for decision in decisions:
        if decision.date == day:
            return move_text(decision)
    if end is None:
        return "move unknown (no policy data)"
    if day > end:
        return f"move unknown (policy data ends {end.isoformat()})"
    before = [d for d in decisions if d.date < day]
    if not before:
        return "no change"
    last = max(before, key=lambda d: d.date)
    return f"no change ({_range(last.lower, last.upper)})"


def fomc_catalysts(
    meetings: Iterable[Meeting], decisions: Sequence[Decision], now: datetime
) -> list[Catalyst]:
    """Every meeting as a ``fomc`` catalyst at its decision time, sorted by time.

    A decision at or before ``now`` (aware) carries the move from ``decisions``: ``cut 25 bp →
    3.50–3.75%``; ``no change (4.25–4.50%)`` when the history has no row for that day but reaches
    past it; ``move unknown (policy data ends 2025-12-10)`` when the history stops before it. A
    future one carries its schedule (press conference, projections).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    now_utc = now.astimezone(UTC)
    end = data_end(decisions)
    found = []
    for meeting in meetings:
        past = meeting.decision_at.astimezone(UTC) <= now_utc
        detail = _past_text(meeting, decisions, end) if past else _schedule_text(meeting)
        found.append(Catalyst("fomc", FOMC_NAME, meeting.decision_at, "high", detail))
    return sort_catalysts(found)


# --- output -------------------------------------------------------------------------------------


def catalyst_to_dict(c: Catalyst, now: datetime) -> dict[str, Any]:
    """JSON-ready dict for ``report --json``.

    ``{"kind", "name", "datetime", "days_until", "importance", "detail", "symbol", "date",
    "time_known"}``: ``datetime`` is ISO 8601 with its offset, in New York time; ``days_until``
    is rounded to 2 decimals (negative once past); ``date`` is the catalyst's own calendar day
    (for a date-only catalyst the only meaningful part).
    """
    return {
        "kind": c.kind,
        "name": c.name,
        "datetime": c.at.astimezone(NEW_YORK).isoformat(),
        "days_until": round(days_until(c, now), 2),
        "importance": c.importance,
        "detail": c.detail,
        "symbol": c.symbol,
        "date": c.at.date().isoformat(),
        "time_known": c.time_known,
    }


def _zone_label(moment: datetime) -> str:
    """``GMT``, ``CET``, ``JST``; ``UTC+05:30`` when the zone has no abbreviation."""
    name = moment.tzname() or ""
    if name and not name.startswith(("+", "-")):
        return name
    offset = moment.utcoffset() or timedelta(0)
    sign = "+" if offset >= timedelta(0) else MINUS
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def when_text(c: Catalyst, local_tz: tzinfo | None = None) -> str:
    """The time in New York and in the local zone: ``Wed 2026-12-09 14:00 ET · 19:00 GMT``.

    ``local_tz`` None means the machine's zone. The local part is left out when it is New York
    time too, and carries its weekday when the local date differs (``… · Thu 03:00 JST``).
    A date-only catalyst shows its own date: ``Thu 2026-10-15 · time not announced``.
    """
    if not c.time_known:
        return f"{c.at:%a %Y-%m-%d} · time not announced"
    et = c.at.astimezone(NEW_YORK)
    text = f"{et:%a %Y-%m-%d %H:%M} ET"
    local = c.at.astimezone(local_tz) if local_tz is not None else c.at.astimezone()
    if local.utcoffset() == et.utcoffset() and local.tzname() == et.tzname():
        return text
    clock = f"{local:%H:%M}" if local.date() == et.date() else f"{local:%a %H:%M}"
    return f"{text} · {clock} {_zone_label(local)}"


def countdown_text(c: Catalyst, now: datetime) -> str:
    """``in 3d 4h``, ``in 5h 10m``, ``in 12m``, ``today`` (date-only, under way), ``2d ago``."""
    seconds = round(days_until(c, now) * 86400)  # in UTC: same-zone subtraction ignores DST
    if not c.time_known and seconds <= 0 and is_upcoming(c, now):
        return "today"
    ahead = seconds >= 0
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        span = f"{days}d {hours}h"
    elif hours:
        span = f"{hours}h {mins}m"
    else:
        span = f"{mins}m"
    return f"in {span}" if ahead else f"{span} ago"


# --- earnings ----------------------------------------------------------------------------------


def earnings_catalysts(
    dates: Mapping[str, date | None], now: datetime | None = None
) -> list[Catalyst]:
    """One date-only ``earnings`` catalyst per known date, at 00:00 New York time, by date.

    Unknown dates (None) give no catalyst: show them as "?" from ``dates`` itself. With ``now``
    (aware), dates before its New York day are left out; a report due today is kept all day.
    """
    from tui.data import earnings

    today = now.astimezone(NEW_YORK).date() if now is not None else None
    found = [
        Catalyst(
            "earnings",
            f"{symbol} earnings",
            datetime.combine(day, time(0), tzinfo=NEW_YORK),
            "medium",
            earnings.EARNINGS_DETAIL,
            symbol,
            time_known=False,
        )
        for symbol, day in dates.items()
        if day is not None and (today is None or day >= today)
    ]
    return sorted(found, key=lambda c: (c.at, c.name))
