"""FOMC calendar and countdown, Fed policy history, and the first regime checks on real data."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

import tui.data
from tui.regime.checklist import Check, check_to_dict, evaluate
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
    assert len(decisions) == 17
    assert decisions[0] == Decision(date(2022, 3, 16), 0.25, 0.50, 25)
    assert decisions[-1] == Decision(date(2025, 12, 10), 3.50, 3.75, -25)
    assert data_end(decisions) == date(2025, 12, 10)
    assert data_end([]) is None
    move = last_change(decisions, date(2024, 9, 17))
    assert move is not None and move.date == date(2023, 7, 26) and move.is_hike


def _fed(decisions: list[Decision], as_of: str | None) -> Check:
    check = evaluate(pd.DataFrame(), decisions, as_of=as_of)[0]
    assert (check.id, check.name) == ("fed_easing", "Fed easing cycle")
    return check


def test_fed_easing_hike(decisions: list[Decision]) -> None:
    check = _fed(decisions, "2023-01-01")
    assert check.status == "fail"
    assert check.value == "last move +50 bp on 2022-12-14 → 4.25–4.50%"
    assert "hike" in check.detail and "policy data ends 2025-12-10" in check.detail


def test_fed_easing_cut(decisions: list[Decision]) -> None:
    check = _fed(decisions, "2025-01-01")
    assert check.status == "pass"
    assert check.value == "last move \u221225 bp on 2024-12-18 → 4.25–4.50%"


def test_fed_easing_before_the_record_is_unknown(decisions: list[Decision]) -> None:
    check = _fed(decisions, "2021-06-01")
    assert check.status == "unknown"
    assert "2022-03-16" in check.detail and "2025-12-10" in check.detail


def test_fed_easing_counts_the_decision_day(decisions: list[Decision]) -> None:
    assert _fed(decisions, "2024-09-17").status == "fail"
    assert _fed(decisions, "2024-09-18").status == "pass"
    assert _fed(decisions, "2022-03-16").status == "fail"


def test_fed_easing_latest_says_how_old_the_data_is(decisions: list[Decision]) -> None:
    check = _fed(decisions, "2026-07-31")
    assert check.status == "pass"
    assert check.value == "last move \u221225 bp on 2025-12-10 → 3.50–3.75%"
    assert "policy data ends 2025-12-10, 233 days before 2026-07-31" in check.detail
    assert _fed(decisions, None).value == check.value


def test_fed_easing_without_policy_data() -> None:
    check = _fed([], "2026-07-31")
    assert (check.status, check.detail) == ("unknown", "no policy data")


# --- price checks on the bundled prices -------------------------------------------------------


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    """The bundled daily prices as a wide frame of adjusted closes."""
    frame = pd.read_csv(SNAPSHOT / "prices_daily.csv.gz", parse_dates=["date"])
    return frame.pivot(index="date", columns="symbol", values="adj_close").astype(float)


@pytest.fixture(scope="module")
def raw() -> dict[str, dict[str, float]]:
    """symbol -> ISO date -> adj_close, read with the csv module (independent of pandas)."""
    out: dict[str, dict[str, float]] = {}
    with gzip.open(SNAPSHOT / "prices_daily.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["adj_close"]:
                out.setdefault(row["symbol"], {})[row["date"]] = float(row["adj_close"])
    return out


def ratios(raw: dict[str, dict[str, float]], sym: str, bench: str, as_of: str) -> list[float]:
    """sym/bench on the common dates up to as_of, oldest first."""
    common = sorted(d for d in raw[sym] if d in raw[bench] and d <= as_of)
    return [raw[sym][d] / raw[bench][d] for d in common]


def pct(x: float, places: int) -> str:
    """Signed percentage with the Unicode minus, as the checklist prints it."""
    return f"{x * 100:+.{places}f}%".replace("-", "\u2212")


def by_id(checks: list[Check]) -> dict[str, Check]:
    return {c.id: c for c in checks}


@pytest.mark.parametrize(
    ("as_of", "iwm", "eem", "breadth"),
    [
        ("2025-09-30", "pass", "pass", "fail"),
        ("2024-12-31", "fail", "fail", "fail"),
        ("2026-01-30", "pass", "pass", "pass"),
        ("2026-07-31", "fail", "fail", "pass"),  # last close: IWM/SPY below a rising average
    ],
)
def test_price_checks_match_hand_computation(
    closes: pd.DataFrame,
    decisions: list[Decision],
    raw: dict[str, dict[str, float]],
    as_of: str,
    iwm: str,
    eem: str,
    breadth: str,
) -> None:
    checks = by_id(evaluate(closes, decisions, as_of=as_of))
    assert list(checks) == ["fed_easing", "iwm_spy", "eem_spy", "breadth"]

    for check_id, sym, expected in (("iwm_spy", "IWM", iwm), ("eem_spy", "EEM", eem)):
        line = ratios(raw, sym, "SPY", as_of)
        ratio = line[-1]
        sma = sum(line[-50:]) / 50
        sma_10_ago = sum(line[-60:-10]) / 50
        rising = sma > sma_10_ago
        assert ("pass" if ratio > sma and rising else "fail") == expected
        check = checks[check_id]
        assert check.name == f"{sym}/SPY above rising 50-day avg"
        assert check.status == expected
        assert check.value == (
            f"{ratio:.4f} vs 50d {sma:.4f} ({pct(ratio / sma - 1, 1)}), "
            f"50d slope {pct(sma / sma_10_ago - 1, 1)}/10d"
        )
        assert f"closes to {as_of}" in check.detail

    line = ratios(raw, "RSP", "SPY", as_of)
    rs_3m = line[-1] / line[-64] - 1
    assert ("pass" if rs_3m > 0 else "fail") == breadth
    check = checks["breadth"]
    assert (check.name, check.status) == ("Breadth: RSP/SPY 3M RS > 0", breadth)
    assert check.value == pct(rs_3m, 2)


def test_latest_is_the_default(closes: pd.DataFrame, decisions: list[Decision]) -> None:
    assert evaluate(closes, decisions) == evaluate(closes, decisions, as_of="2026-07-31")


def test_rows_after_as_of_are_ignored(closes: pd.DataFrame, decisions: list[Decision]) -> None:
    before = evaluate(closes, decisions, as_of="2025-09-30")
    spoiled = closes.copy()
    spoiled.loc[spoiled.index > "2025-09-30", ["IWM", "EEM", "RSP"]] *= 3
    assert evaluate(spoiled, decisions, as_of="2025-09-30") == before
    assert evaluate(spoiled, decisions, as_of=date(2025, 9, 30)) == before


@pytest.mark.parametrize(
    ("drop", "reasons"),
    [
        ("IWM", {"iwm_spy": "no IWM data"}),
        ("EEM", {"eem_spy": "no EEM data"}),
        ("RSP", {"breadth": "no RSP data"}),
        ("SPY", {"iwm_spy": "no SPY data", "eem_spy": "no SPY data", "breadth": "no SPY data"}),
    ],
)
def test_missing_symbol_is_unknown_with_reason(
    closes: pd.DataFrame, decisions: list[Decision], drop: str, reasons: dict[str, str]
) -> None:
    checks = by_id(evaluate(closes.drop(columns=[drop]), decisions, as_of="2025-09-30"))
    for check_id, check in checks.items():
        if check_id in reasons:
            assert check.status == "unknown"
            assert check.value == ""
            assert check.detail.startswith(reasons[check_id])
        else:
            assert check.status in ("pass", "fail")


def test_all_nan_column_counts_as_missing(closes: pd.DataFrame, decisions: list[Decision]) -> None:
    frame = closes.copy()
    frame["EEM"] = float("nan")
    check = by_id(evaluate(frame, decisions))["eem_spy"]
    assert (check.status, check.detail) == ("unknown", "no EEM data")


def test_short_history_is_unknown(closes: pd.DataFrame, decisions: list[Decision]) -> None:
    checks = by_id(evaluate(closes, decisions, as_of="2016-02-01"))  # 20 rows of data
    for check_id in ("iwm_spy", "eem_spy"):
        assert checks[check_id].status == "unknown"
        assert "fewer than 60 common days" in checks[check_id].detail
    assert checks["breadth"].status == "unknown"
    assert "fewer than 64 common days" in checks["breadth"].detail


def test_empty_frame(decisions: list[Decision]) -> None:
    checks = evaluate(pd.DataFrame(), decisions)
    assert [c.status for c in checks] == ["pass", "unknown", "unknown", "unknown"]


@pytest.mark.parametrize("convert", [lambda c: c, lambda c: c.set_axis(c.index.tz_localize("UTC"))])
def test_index_variants(
    closes: pd.DataFrame, decisions: list[Decision], convert: Callable[[pd.DataFrame], pd.DataFrame]
) -> None:
    expected = evaluate(closes, decisions, as_of="2025-09-30")
    assert evaluate(convert(closes), decisions, as_of="2025-09-30") == expected


def test_check_to_dict() -> None:
    check = Check("breadth", "Breadth: RSP/SPY 3M RS > 0", "pass", "+1.23%", "why")
    assert check_to_dict(check) == {
        "id": "breadth",
        "name": "Breadth: RSP/SPY 3M RS > 0",
        "status": "pass",
        "value": "+1.23%",
        "detail": "why",
    }


def test_fed_check_is_unknown_once_decisions_pass_beyond_the_policy_data() -> None:
    """The bundled changes end 2025-12-10; by 2026-07-31 five scheduled decisions have passed."""
    import pandas as pd

    from tui.regime.checklist import evaluate
    from tui.regime.fed import load_decisions
    from tui.regime.fomc import load_meetings

    frame = pd.DataFrame({"SPY": [1.0]}, index=pd.DatetimeIndex(["2026-07-31"], name="date"))
    fed = evaluate(frame, load_decisions(), meetings=load_meetings())[0]
    assert fed.status == "unknown"
    assert fed.value.startswith("last known move −25 bp on 2025-12-10")
    assert "5 later decisions not in the data" in fed.value
    # On the day of the last known decision the data is current: the cut counts.
    on_the_day = evaluate(frame, load_decisions(), as_of="2025-12-10", meetings=load_meetings())[0]
    assert on_the_day.status == "pass"
