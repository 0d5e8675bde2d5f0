"""Catalysts: FOMC decisions from the bundled calendars, countdowns across zones and DST, output.

Expected instants are worked out by hand from the zones' rules: New York switches to EDT on
2026-03-08 and back to EST on 2026-11-01; London to BST on 2026-03-29 and back on 2026-10-25;
Tokyo has no DST (UTC+9).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tui.regime.catalysts import (
    Catalyst,
    catalyst_to_dict,
    countdown_text,
    days_until,
    fomc_catalysts,
    upcoming,
    when_text,
    within_days,
)
from tui.regime.fed import Decision, load_decisions
from tui.regime.fomc import Meeting, load_meetings

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
KOLKATA = ZoneInfo("Asia/Kolkata")

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=UTC)  # the Monday after the snapshot's last close


@pytest.fixture(scope="module")
def fomc() -> list[Catalyst]:
    return fomc_catalysts(load_meetings(), load_decisions(), NOW)


def by_day(catalysts: list[Catalyst], day: date) -> Catalyst:
    (found,) = [c for c in catalysts if c.at.astimezone(NEW_YORK).date() == day]
    return found


# --- FOMC decisions ---------------------------------------------------------------------------


def test_every_bundled_meeting_is_a_catalyst_at_14_00_new_york(fomc: list[Catalyst]) -> None:
    assert len(fomc) == 32
    assert [c.at for c in fomc] == sorted(c.at for c in fomc)
    for c in fomc:
        local = c.at.astimezone(NEW_YORK)
        assert (local.hour, local.minute) == (14, 0)
        assert (c.kind, c.name, c.importance, c.symbol, c.time_known) == (
            "fomc",
            "FOMC decision",
            "high",
            None,
            True,
        )


def test_past_decisions_carry_the_move_from_the_bundled_history(fomc: list[Catalyst]) -> None:
    # fed_target_range.csv: 2025-12-10,3.50,3.75,-25 and 2024-09-18,4.75,5.00,-50
    assert by_day(fomc, date(2025, 12, 10)).detail == "cut 25 bp → 3.50–3.75%"
    assert by_day(fomc, date(2024, 9, 18)).detail == "cut 50 bp → 4.75–5.00%"
    assert by_day(fomc, date(2024, 11, 7)).detail == "cut 25 bp → 4.50–4.75%"  # a Thursday
    # no row for 2025-07-30: the range set on 2024-12-18 (4.25–4.50) still held
    assert by_day(fomc, date(2025, 7, 30)).detail == "no change (4.25–4.50%)"
    # before the 2024 cuts, the 2023-07-26 range
    assert by_day(fomc, date(2024, 7, 31)).detail == "no change (5.25–5.50%)"


def test_past_decisions_after_the_policy_data_say_the_move_is_unknown(
    fomc: list[Catalyst],
) -> None:
    """The bundled table runs to the 2026-09-16 hike: the holds before it read as holds; the
    2026-10-28 decision, which could not be sourced (data README), reads as unknown."""
    for day in (date(2026, 1, 28), date(2026, 7, 29)):
        assert by_day(fomc, day).detail == "no change (3.50–3.75%)"
    later = fomc_catalysts(load_meetings(), load_decisions(), datetime(2026, 11, 20, tzinfo=UTC))
    assert by_day(later, date(2026, 9, 16)).detail == "hike 25 bp → 3.75–4.00%"
    assert by_day(later, date(2026, 10, 28)).detail == "move unknown (policy data ends 2026-09-16)"


def test_future_decisions_carry_their_schedule(fomc: list[Catalyst]) -> None:
    september = by_day(fomc, date(2026, 9, 16))
    assert september.detail == (
        "statement 14:00 ET · press conference 14:30 ET · projections (SEP)"
    )
    assert by_day(fomc, date(2026, 10, 28)).detail == (
        "statement 14:00 ET · press conference 14:30 ET"
    )


def test_a_decision_is_past_from_14_00_new_york_on() -> None:
    meetings = [m for m in load_meetings() if m.end == date(2025, 12, 10)]
    decisions = load_decisions()
    before = datetime(2025, 12, 10, 13, 59, tzinfo=NEW_YORK)
    at = datetime(2025, 12, 10, 19, 0, tzinfo=UTC)  # 14:00 EST
    assert "cut" not in fomc_catalysts(meetings, decisions, before)[0].detail
    assert fomc_catalysts(meetings, decisions, at)[0].detail == "cut 25 bp → 3.50–3.75%"


def test_fomc_without_policy_data() -> None:
    (meeting,) = [m for m in load_meetings() if m.end == date(2025, 7, 30)]
    (c,) = fomc_catalysts([meeting], [], NOW)
    assert c.detail == "move unknown (no policy data)"
    hike = Decision(date(2025, 7, 30), 4.50, 4.75, 25)
    (c,) = fomc_catalysts([meeting], [hike], NOW)
    assert c.detail == "hike 25 bp → 4.50–4.75%"


def test_fomc_catalysts_refuse_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        fomc_catalysts(load_meetings(), load_decisions(), datetime(2026, 8, 3, 12))


# --- countdown across zones and DST ---------------------------------------------------------------


def test_countdown_is_the_same_from_every_time_zone(fomc: list[Catalyst]) -> None:
    instant = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # Sunday, hours after the US switch
    firsts = {upcoming(fomc, instant.astimezone(tz))[0] for tz in (UTC, LONDON, TOKYO)}
    assert len(firsts) == 1
    (first,) = firsts
    assert first.at.date() == date(2026, 3, 18)
    for tz in (UTC, LONDON, TOKYO, NEW_YORK, KOLKATA):
        # 2026-03-08 12:00 UTC -> 2026-03-18 18:00 UTC = 10 days 6 hours
        assert days_until(first, instant.astimezone(tz)) == pytest.approx(10.25)
        assert catalyst_to_dict(first, instant.astimezone(tz))["days_until"] == 10.25
        assert countdown_text(first, instant.astimezone(tz)) == "in 10d 6h"


def test_decision_between_the_us_and_eu_dst_switches(fomc: list[Catalyst]) -> None:
    """2026-03-18: New York is on EDT (since 03-08), London still on GMT (until 03-29)."""
    march = by_day(fomc, date(2026, 3, 18))
    assert march.at.astimezone(UTC) == datetime(2026, 3, 18, 18, 0, tzinfo=UTC)
    assert march.at.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 3, 18, 18, 0)
    assert when_text(march, LONDON) == "Wed 2026-03-18 14:00 ET · 18:00 GMT"
    # the usual 5-hour gap in January and December, 19:00 GMT
    assert when_text(by_day(fomc, date(2026, 1, 28)), LONDON) == (
        "Wed 2026-01-28 14:00 ET · 19:00 GMT"
    )
    assert when_text(by_day(fomc, date(2026, 12, 9)), LONDON) == (
        "Wed 2026-12-09 14:00 ET · 19:00 GMT"
    )
    # both on summer time in June: 19:00 BST
    assert when_text(by_day(fomc, date(2026, 6, 17)), LONDON) == (
        "Wed 2026-06-17 14:00 ET · 19:00 BST"
    )


def test_when_text_names_the_local_day_when_it_differs(fomc: list[Catalyst]) -> None:
    march = by_day(fomc, date(2026, 3, 18))
    # 18:00 UTC = 03:00 the next day in Tokyo
    assert when_text(march, TOKYO) == "Wed 2026-03-18 14:00 ET · Thu 03:00 JST"
    assert when_text(march, NEW_YORK) == "Wed 2026-03-18 14:00 ET"
    assert when_text(march, UTC) == "Wed 2026-03-18 14:00 ET · 18:00 UTC"
    # a zone whose tzdata abbreviation is just "+04" gets a UTC offset label
    assert when_text(march, ZoneInfo("Asia/Dubai")) == "Wed 2026-03-18 14:00 ET · 22:00 UTC+04:00"


def test_countdown_across_the_us_dst_switch() -> None:
    decision = datetime(2026, 3, 18, 14, 0, tzinfo=NEW_YORK)
    c = Catalyst("fomc", "FOMC decision", decision, "high")
    now = datetime(2026, 3, 1, 14, 0, tzinfo=NEW_YORK)  # same tzinfo object: wall clocks say 17 d
    assert days_until(c, now) == pytest.approx(17 - 1 / 24)
    assert countdown_text(c, now) == "in 16d 23h"


# --- upcoming, horizon, date-only catalysts -------------------------------------------------------


def test_upcoming_sorts_and_limits_to_the_horizon(fomc: list[Catalyst]) -> None:
    cpi = Catalyst("macro", "CPI (Aug)", datetime(2026, 9, 11, 8, 30, tzinfo=NEW_YORK), "high")
    earnings = Catalyst(
        "earnings",
        "CFG earnings",
        datetime(2026, 9, 16, 0, 0, tzinfo=NEW_YORK),
        "medium",
        symbol="CFG",
        time_known=False,
    )
    now = datetime(2026, 9, 10, 9, 0, tzinfo=NEW_YORK)
    soon = upcoming([*fomc, earnings, cpi], now, horizon_days=7)
    assert [c.name for c in soon] == ["CPI (Aug)", "CFG earnings", "FOMC decision"]
    assert within_days(cpi, now, 1) and not within_days(soon[2], now, 1)
    everything = upcoming([*fomc, earnings, cpi], now)
    assert len(everything) == 2 + sum(1 for c in fomc if c.at > now)


def test_a_date_only_catalyst_stays_upcoming_all_its_day() -> None:
    day = datetime.combine(date(2026, 10, 16), time(0), tzinfo=NEW_YORK)
    c = Catalyst("earnings", "RF earnings", day, "medium", symbol="RF", time_known=False)
    morning = datetime(2026, 10, 16, 9, 0, tzinfo=NEW_YORK)
    assert upcoming([c], morning) == [c]
    assert countdown_text(c, morning) == "today"
    assert days_until(c, morning) == pytest.approx(-9 / 24)
    next_day = datetime(2026, 10, 17, 0, 0, tzinfo=NEW_YORK)
    assert upcoming([c], next_day) == []
    assert countdown_text(c, next_day) == "1d 0h ago"
    assert when_text(c, TOKYO) == "Fri 2026-10-16 · time not announced"


def test_catalyst_to_dict_is_iso_with_the_new_york_offset(fomc: list[Catalyst]) -> None:
    december = by_day(fomc, date(2026, 12, 9))
    now = datetime(2026, 12, 1, 9, 30, tzinfo=TOKYO)  # 2026-12-01 00:30 UTC
    got = catalyst_to_dict(december, now)
    assert got == {
        "kind": "fomc",
        "name": "FOMC decision",
        "datetime": "2026-12-09T14:00:00-05:00",
        "days_until": 8.77,  # 8 days 18.5 hours = 8.7708...
        "importance": "high",
        "detail": "statement 14:00 ET · press conference 14:30 ET · projections (SEP)",
        "symbol": None,
        "date": "2026-12-09",
        "time_known": True,
    }
    summer = catalyst_to_dict(by_day(fomc, date(2026, 9, 16)), now)
    assert summer["datetime"] == "2026-09-16T14:00:00-04:00"
    assert summer["days_until"] < 0
    # an event kept in another zone is still reported in New York time
    tokyo = Catalyst("macro", "BoJ", datetime(2026, 12, 18, 12, 0, tzinfo=TOKYO), "medium")
    assert catalyst_to_dict(tokyo, now)["datetime"] == "2026-12-17T22:00:00-05:00"
    assert catalyst_to_dict(tokyo, now)["date"] == "2026-12-18"


def test_catalyst_validates_its_fields() -> None:
    at = datetime(2026, 12, 9, 14, 0, tzinfo=NEW_YORK)
    with pytest.raises(ValueError, match="timezone-aware"):
        Catalyst("fomc", "x", at.replace(tzinfo=None), "high")
    with pytest.raises(ValueError, match="kind"):
        Catalyst("speech", "x", at, "high")
    with pytest.raises(ValueError, match="importance"):
        Catalyst("macro", "x", at, "urgent")
    with pytest.raises(ValueError, match="timezone-aware"):
        days_until(Catalyst("macro", "x", at, "low"), datetime(2026, 12, 1))


def test_countdown_text_units() -> None:
    at = datetime(2026, 12, 9, 14, 0, tzinfo=NEW_YORK)
    c = Catalyst("fomc", "FOMC decision", at, "high")
    assert countdown_text(c, at - timedelta(hours=5, minutes=10)) == "in 5h 10m"
    assert countdown_text(c, at - timedelta(minutes=12)) == "in 12m"
    assert countdown_text(c, at + timedelta(days=2, hours=3)) == "2d 3h ago"


def test_meeting_type_is_what_fomc_catalysts_reads() -> None:
    """A hand-made meeting (not from the CSV) works too: the builder needs only the fields."""
    at = datetime(2030, 1, 30, 14, 0, tzinfo=NEW_YORK)
    meeting = Meeting(date(2030, 1, 29), date(2030, 1, 30), at, False, False)
    (c,) = fomc_catalysts([meeting], load_decisions(), NOW)
    assert c.detail == "statement 14:00 ET"
