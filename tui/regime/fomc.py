"""FOMC meeting calendar, from the bundled ``fomc_meetings.csv``, and the countdown to a decision.

Decisions are announced on a meeting's last day at 14:00 New York time (EDT or EST, whichever
applies that day). All comparisons and differences are done in UTC, so a ``now`` in any time zone
gives the same answer, across daylight-saving changes too.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import tui.data

MEETINGS_CSV = Path(tui.data.__file__).parent / "snapshot" / "fomc_meetings.csv"
"""The bundled FOMC schedule (scheduled meetings 2024-2027)."""

NEW_YORK = ZoneInfo("America/New_York")
"""The Fed announces in New York time."""


@dataclass(frozen=True)
class Meeting:
    """A scheduled FOMC meeting."""

    start: date
    """First day of the meeting."""
    end: date
    """Last day: the decision is announced then."""
    decision_at: datetime
    """When the statement is released: ``end`` at 14:00 America/New_York (aware)."""
    press_conference: bool
    """A press conference follows (14:30 ET)."""
    sep: bool
    """A Summary of Economic Projections (dot plot) is released."""


def _yes(text: str) -> bool:
    """``yes``/``no`` (also true/false, 1/0) as a bool; ValueError otherwise."""
    value = text.strip().lower()
    if value in ("yes", "true", "1", "y"):
        return True
    if value in ("no", "false", "0", "n", ""):
        return False
    raise ValueError(f"expected yes or no, got {text!r}")


def load_meetings(path: Path | None = None) -> list[Meeting]:
    """Meetings from the CSV (default: the bundled one), sorted by decision time.

    Raises ValueError naming the file and line for a malformed row, OSError if unreadable.
    """
    path = path or MEETINGS_CSV
    meetings: list[Meeting] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                end = date.fromisoformat(row["end"].strip())
                at = time.fromisoformat((row.get("statement_time_et") or "14:00").strip())
                meetings.append(
                    Meeting(
                        start=date.fromisoformat(row["start"].strip()),
                        end=end,
                        decision_at=datetime.combine(end, at, tzinfo=NEW_YORK),
                        press_conference=_yes(row.get("press_conference") or ""),
                        sep=_yes(row.get("sep") or ""),
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"{path.name}:{reader.line_num}: bad row {row!r}: {exc}") from exc
    meetings.sort(key=lambda m: m.decision_at.astimezone(UTC))
    return meetings


def _utc(moment: datetime, name: str) -> datetime:
    """``moment`` in UTC; ValueError if it is naive (its zone would be a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def next_meeting(meetings: Iterable[Meeting], now: datetime) -> Meeting | None:
    """The first meeting whose decision is strictly after ``now`` (aware), or None."""
    now_utc = _utc(now, "now")
    upcoming = [m for m in meetings if m.decision_at.astimezone(UTC) > now_utc]
    return min(upcoming, key=lambda m: m.decision_at.astimezone(UTC), default=None)


def days_until(when: datetime, now: datetime) -> float:
    """Days (fractional, negative if past) from ``now`` to ``when``; both must be aware."""
    delta = _utc(when, "when") - _utc(now, "now")
    return delta.total_seconds() / 86400.0
