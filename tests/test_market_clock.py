"""The NYSE clock at fixed moments, from exchange_calendars' XNYS (tui/data/market_clock.py).

Expected labels are worked out by hand from the NYSE's published 2026 and 2029 calendars:
09:30-16:00 ET, Thanksgiving closed and 13:00 the day after, Good Friday closed; US clocks
spring forward on 2026-03-08 (Europe on 2026-03-29) and fall back on 2026-11-01.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tui.data import market_clock
from tui.data.market_clock import (
    Schedule,
    clock_state,
    countdown,
    is_open,
    last_session,
    load_schedule,
    sessions_between,
)

ET = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def xnys() -> Schedule:
    return load_schedule(date(2026, 1, 1), date(2029, 12, 31))


def et(*args: int) -> datetime:
    return datetime(*args, tzinfo=ET)


@pytest.mark.parametrize(
    ("moment", "zone", "label"),
    [
        # a weekday session (Tuesday), in ET and in Berlin (CEST, +6 h)
        (et(2026, 8, 4, 13, 47), None, "OPEN · closes 16:00 ET in 2 h 13 m"),
        (et(2026, 8, 4, 13, 47), BERLIN, "OPEN · closes 16:00 ET (22:00 CEST) in 2 h 13 m"),
        # pre-open and after the close
        (et(2026, 8, 4, 8, 0), None, "CLOSED · opens 09:30 ET in 1 h 30 m"),
        (et(2026, 8, 4, 16, 0), None, "CLOSED · opens Wed 09:30 ET in 17 h 30 m"),
        # Tuesday 17:00 in New York is already 23:00 in Berlin
        (
            et(2026, 8, 4, 17, 0),
            BERLIN,
            "CLOSED · opens Wed 09:30 ET (Wed 15:30 CEST) in 16 h 30 m",
        ),
        # a weekend: more than a day away, no countdown
        (et(2026, 8, 8, 12, 0), None, "CLOSED · opens Mon 09:30 ET"),
        # Thanksgiving, then the early close the day after
        (et(2026, 11, 26, 11, 0), None, "CLOSED · Thanksgiving · opens Fri 09:30 ET in 22 h 30 m"),
        (et(2026, 11, 27, 12, 0), None, "OPEN · closes 13:00 ET (early close) in 1 h 0 m"),
        (et(2026, 11, 27, 13, 0), None, "CLOSED · opens Mon 09:30 ET"),
        # Good Friday
        (et(2026, 4, 3, 10, 0), None, "CLOSED · Good Friday · opens Mon 09:30 ET"),
        # DST: on Sunday 03-08 New York springs forward, Berlin not until 03-29 (CET, +5 h)
        (et(2026, 3, 8, 16, 0), BERLIN, "CLOSED · opens Mon 09:30 ET (Mon 14:30 CET) in 17 h 30 m"),
        (et(2026, 3, 9, 9, 30), None, "OPEN · closes 16:00 ET in 6 h 30 m"),
        # fall back at 02:00 on Sunday 11-01 (Berlin did on 10-25: CET, +6 h again)
        (et(2026, 11, 1, 9, 0), None, "CLOSED · opens Mon 09:30 ET"),  # 24 h 30 m away
        (
            et(2026, 11, 1, 16, 0),
            BERLIN,
            "CLOSED · opens Mon 09:30 ET (Mon 15:30 CET) in 17 h 30 m",
        ),
        # 2029: the day after Thanksgiving closes early; Good Friday is 03-30
        (et(2029, 11, 23, 12, 30), None, "OPEN · closes 13:00 ET (early close) in 30 m"),
        (et(2029, 3, 30, 12, 0), None, "CLOSED · Good Friday · opens Mon 09:30 ET"),
    ],
)
def test_labels(xnys: Schedule, moment: datetime, zone: ZoneInfo | None, label: str) -> None:
    assert clock_state(moment, xnys).label(zone) == label


def test_state_fields_on_the_early_close(xnys: Schedule) -> None:
    state = clock_state(et(2026, 11, 27, 10, 0), xnys)
    assert state.is_open and state.early_close and state.holiday is None
    assert state.next_close == et(2026, 11, 27, 13, 0)
    assert state.next_open == et(2026, 11, 30, 9, 30)
    closed = clock_state(et(2026, 11, 26, 10, 0), xnys)
    assert not closed.is_open and closed.holiday == "Thanksgiving"
    assert closed.next_close == et(2026, 11, 27, 13, 0) and closed.early_close


def test_is_open_edges_in_utc(xnys: Schedule) -> None:
    """09:30 EDT is 13:30 UTC from 03-09; the Friday before, on EST, it is 14:30 UTC."""
    assert is_open(datetime(2026, 3, 9, 13, 30), xnys)  # naive = UTC
    assert not is_open(datetime(2026, 3, 9, 13, 29), xnys)
    assert not is_open(datetime(2026, 3, 6, 13, 30), xnys)
    assert is_open(datetime(2026, 3, 6, 14, 30), xnys)
    assert not is_open(et(2025, 1, 9, 11, 0), load_schedule(date(2025, 1, 1), date(2025, 1, 31)))


def test_sessions_between(xnys: Schedule) -> None:
    # the bundled snapshot ends Friday 2026-07-31: on Friday 08-07 it is 5 sessions behind
    assert sessions_between(xnys, date(2026, 7, 31), date(2026, 8, 7)) == 5
    assert sessions_between(xnys, date(2026, 9, 4), date(2026, 9, 8)) == 1  # Labor Day 09-07
    assert sessions_between(xnys, date(2026, 11, 25), date(2026, 11, 30)) == 2  # 27th, 30th
    assert sessions_between(xnys, date(2026, 8, 7), date(2026, 8, 7)) == 0
    assert sessions_between(xnys, date(2026, 8, 7), date(2026, 7, 31)) == 0
    # 2026 has 251 NYSE sessions: 261 weekdays less 10 weekday holidays
    assert sessions_between(xnys, date(2025, 12, 31), date(2026, 12, 31)) == 251


def test_last_session(xnys: Schedule) -> None:
    assert last_session(xnys, et(2026, 8, 4, 15, 0)) == date(2026, 8, 3)  # today's not final
    assert last_session(xnys, et(2026, 8, 4, 16, 0)) == date(2026, 8, 4)
    assert last_session(xnys, et(2026, 11, 27, 13, 5)) == date(2026, 11, 27)


def test_countdown() -> None:
    from datetime import timedelta

    assert countdown(timedelta(hours=2, minutes=13, seconds=59)) == "2 h 13 m"
    assert countdown(timedelta(minutes=5)) == "5 m"
    assert countdown(timedelta(days=2, hours=3, minutes=1)) == "2 d 3 h"
    assert countdown(timedelta(seconds=-5)) == "0 m"


def test_schedule_for_widens_and_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[date, date]] = []
    real = market_clock.load_schedule

    def counting(start: date, end: date) -> Schedule:
        calls.append((start, end))
        return real(start, end)

    monkeypatch.setattr(market_clock, "_LOADED", None)
    monkeypatch.setattr(market_clock, "load_schedule", counting)
    first = market_clock.schedule_for(date(2026, 8, 4))
    assert market_clock.loaded_schedule() is first
    assert market_clock.schedule_for(date(2026, 8, 5)) is first
    assert len(calls) == 1
    wide = market_clock.schedule_for(date(2012, 5, 1))
    assert len(calls) == 2 and wide.covers(date(2012, 5, 1)) and wide.covers(first.last)


def test_holidays_between_lists_the_exchanges_closed_weekdays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the regime engine's staleness count skips: NYSE holidays for 2024 and 2025 as
    published by the exchange, plus the closures that are not regular holidays (the national
    day of mourning for President Carter, Thu 2025-01-09)."""
    monkeypatch.setattr(market_clock, "_HOLIDAYS", None)
    monkeypatch.setattr(market_clock, "_LOADED", None)  # loaded afresh, from 2016 on
    days = market_clock.holidays_between(date(2024, 1, 1), date(2025, 12, 31))
    assert days == tuple(
        date.fromisoformat(d)
        for d in [
            "2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27",
            "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25",
            "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18",
            "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27",
            "2025-12-25",
        ]
    )  # fmt: skip
    # a narrower span is answered from what is kept, and a span in 2029 widens it
    assert market_clock.holidays_between(date(2024, 11, 1), date(2024, 11, 30)) == (
        date(2024, 11, 28),
    )
    assert date(2029, 3, 30) in market_clock.holidays_between(date(2029, 3, 1), date(2029, 4, 30))
    assert market_clock.holidays_between(date(2024, 2, 1), date(2024, 1, 1)) == ()
    # the same days as the full schedule the clock uses
    schedule = market_clock.load_schedule(date(2024, 1, 1), date(2025, 12, 31))
    assert tuple(sorted(schedule.holidays)) == days
