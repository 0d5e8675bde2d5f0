"""FOMC calendar and countdown, and the Fed policy history, on the bundled calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import tui.data
from tui.regime.fed import Decision, data_end, last_change, load_decisions
from tui.regime.fomc import Meeting, days_until, load_meetings, next_meeting

SNAPSHOT = Path(tui.data.__file__).parent / "snapshot"
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")


# --- FOMC calendar ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meetings() -> list[Meeting]:
    return load_meetings()


def test_meetings_load(meetings: list[Meeting]) -> None:
    assert len(meetings) == 32
    assert meetings[0].start == date(2024, 1, 30) and meetings[-1].end == date(2027, 12, 8)
    for meeting in meetings:
        assert meeting.decision_at.tzinfo == NEW_YORK
        assert (meeting.decision_at.date(), meeting.decision_at.hour) == (meeting.end, 14)
        assert meeting.start < meeting.end
    assert [m.decision_at for m in meetings] == sorted(m.decision_at for m in meetings)
    march = next(m for m in meetings if m.end == date(2026, 3, 18))
    assert march.press_conference and march.sep
    july = next(m for m in meetings if m.end == date(2026, 7, 29))
    assert july.press_conference and not july.sep


def test_decision_time_follows_us_dst(meetings: list[Meeting]) -> None:
    by_end = {m.end: m for m in meetings}
    # 2026-01-28 is EST (UTC-5); 2026-03-18 is ten days after the 2026-03-08 switch to EDT (UTC-4)
    assert by_end[date(2026, 1, 28)].decision_at.astimezone(UTC) == datetime(
        2026, 1, 28, 19, 0, tzinfo=UTC
    )
    assert by_end[date(2026, 3, 18)].decision_at.astimezone(UTC) == datetime(
        2026, 3, 18, 18, 0, tzinfo=UTC
    )
    # 2026-11-01 back to EST: the December decision is 19:00 UTC again
    assert by_end[date(2026, 12, 9)].decision_at.astimezone(UTC) == datetime(
        2026, 12, 9, 19, 0, tzinfo=UTC
    )


def test_countdown_is_the_same_in_every_time_zone(meetings: list[Meeting]) -> None:
    instant = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # Sunday, hours after the US switch
    nexts = {next_meeting(meetings, instant.astimezone(tz)) for tz in (UTC, LONDON, TOKYO)}
    assert len(nexts) == 1
    (meeting,) = nexts
    assert meeting is not None and meeting.end == date(2026, 3, 18)
    for tz in (UTC, LONDON, TOKYO, NEW_YORK):
        # 2026-03-08 12:00 UTC -> 2026-03-18 18:00 UTC = 10 days 6 hours
        assert days_until(meeting.decision_at, instant.astimezone(tz)) == pytest.approx(10.25)


def test_countdown_across_the_dst_switch_in_new_york_time(meetings: list[Meeting]) -> None:
    decision = next(m for m in meetings if m.end == date(2026, 3, 18)).decision_at
    # 14:00 EST on 2026-03-01 to 14:00 EDT on 2026-03-18 is one hour short of 17 days,
    # although the wall clocks (same tzinfo) say exactly 17 days.
    now = datetime(2026, 3, 1, 14, 0, tzinfo=NEW_YORK)
    assert days_until(decision, now) == pytest.approx(17 - 1 / 24)
    assert days_until(decision, now.astimezone(TOKYO)) == pytest.approx(17 - 1 / 24)


def test_next_meeting_after_snapshot_end(meetings: list[Meeting]) -> None:
    now = datetime(2026, 7, 31, 16, 0, tzinfo=NEW_YORK)
    meeting = next_meeting(meetings, now)
    assert meeting is not None and meeting.end == date(2026, 9, 16)
    assert meeting.decision_at == datetime(2026, 9, 16, 14, 0, tzinfo=NEW_YORK)
    # 2026-07-31 20:00 UTC -> 2026-09-16 18:00 UTC
    assert days_until(meeting.decision_at, now) == pytest.approx(47 - 2 / 24)


def test_next_meeting_is_strictly_after_now(meetings: list[Meeting]) -> None:
    july = datetime(2026, 7, 29, 14, 0, tzinfo=NEW_YORK)
    before = next_meeting(meetings, july - timedelta(minutes=1))
    assert before is not None and before.end == date(2026, 7, 29)
    at = next_meeting(meetings, july)
    assert at is not None and at.end == date(2026, 9, 16)
    assert next_meeting(meetings, datetime(2028, 1, 1, tzinfo=UTC)) is None
    assert next_meeting([], july) is None


def test_naive_datetimes_are_refused(meetings: list[Meeting]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_meeting(meetings, datetime(2026, 7, 31, 12, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        days_until(meetings[0].decision_at, datetime(2026, 7, 31, 12, 0))


def test_days_until_is_negative_for_the_past() -> None:
    then = datetime(2026, 1, 1, tzinfo=UTC)
    assert days_until(then, then + timedelta(hours=36)) == pytest.approx(-1.5)


def test_bad_calendar_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "fomc.csv"
    path.write_text(
        "start,end,statement_time_et,press_conference,sep\n"
        "2026-01-27,2026-01-28,14:00,yes,no\n"
        "2026-03-17,2026-03-xx,14:00,yes,yes\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="fomc.csv:3"):
        load_meetings(path)


# --- Fed policy history -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def decisions() -> list[Decision]:
    return load_decisions()


def test_decisions_load(decisions: list[Decision]) -> None:
    # fed_target_range.csv: 32 changes, 2015-12-16 (+25 bp) to the 2026-09-16 hike
    assert len(decisions) == 32
    assert decisions[0] == Decision(date(2015, 12, 16), 0.25, 0.50, 25)
    assert decisions[-1] == Decision(date(2026, 9, 16), 3.75, 4.00, 25)
    assert data_end(decisions) == date(2026, 9, 16)
    emergency = [d for d in decisions if d.date.year == 2020]
    assert [(d.date, d.change_bp) for d in emergency] == [
        (date(2020, 3, 3), -50),
        (date(2020, 3, 15), -100),
    ]
    assert data_end([]) is None
    move = last_change(decisions, date(2024, 9, 17))
    assert move is not None and move.date == date(2023, 7, 26) and move.is_hike
