"""run_refresh under provider faults: the network failing mid-refresh, empty frames, NaNs,
repeated and out-of-order dates, a delisted symbol, a provider that raises, a full disk.

Providers answer with FetchResult the way YahooProvider does (frames shaped like yfinance's,
read with the real ``rows_from_frame``); what yfinance itself returns is covered in
tests/test_yahoo.py. Each test uses a real SQLite cache in a temp dir.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from faults_helpers import RawProvider, ScriptedProvider

from tui.data.cache import Cache
from tui.data.refresh import consecutive_failures, next_interval, run_refresh
from tui.data.yahoo import PROBLEM_REASONS

NOW = datetime(2026, 8, 7, 21, 0, tzinfo=UTC)  # Friday 17:00 New York, after the close
OPEN_TIME = datetime(2026, 8, 7, 15, 0, tzinfo=UTC)  # Friday 11:00 New York
JULY_END = ["2026-07-27", "2026-07-28", "2026-07-29", "2026-07-30", "2026-07-31"]
AUG_WEEK = ["2026-08-03", "2026-08-04", "2026-08-05", "2026-08-06", "2026-08-07"]
LAST_SUCCESS = "2026-08-01T12:00:00Z"


def rows_of(symbol: str, closes: dict[str, float]) -> list[tuple]:
    return [(symbol, d, c * 0.99, c * 1.01, c * 0.98, c, c, 1e6) for d, c in closes.items()]


def week(base: float, days: list[str] = AUG_WEEK) -> dict[str, float]:
    return {d: base + i for i, d in enumerate(days)}


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    """SPY and QQQ cached to 07-31, OLD (a stale import) to 06-01; two failures so far."""
    with Cache(tmp_path / "rotmon.sqlite") as c:
        c.upsert_prices(rows_of("SPY", week(600.0, JULY_END)), "yahoo")
        c.upsert_prices(rows_of("QQQ", week(500.0, JULY_END)), "yahoo")
        c.upsert_prices(rows_of("OLD", {"2026-05-29": 30.0, "2026-06-01": 31.0}), "csv:old.csv")
        c.set_meta("last_success_at", LAST_SUCCESS)
        c.set_meta("consecutive_failures", "2")
        yield c


def table(cache: Cache) -> list[tuple]:
    conn = cache._db
    return conn.execute("SELECT * FROM prices ORDER BY symbol, date").fetchall()


def cached_rows(cache: Cache, symbol: str) -> list[tuple]:
    return [r for r in table(cache) if r[0] == symbol]


# ------------------------------------------------------------------ network failing midway


@pytest.mark.parametrize("problem", ["offline", "timeout", "rate-limited"])
def test_network_failing_mid_refresh_keeps_what_came_and_backs_off(
    cache: Cache, problem: str
) -> None:
    """The first batch (SPY, QQQ) arrives, then the network fails for the stale symbol's own
    batch; the new symbol's history is then not even asked for. What came is written, the old
    rows of the failed symbols stay, the failure counts, and the next refresh comes sooner."""
    old_rows = cached_rows(cache, "OLD")
    provider = ScriptedProvider({"SPY": week(610.0), "QQQ": week(510.0)}, problem)

    outcome = run_refresh(cache, provider, ["SPY", "QQQ", "OLD", "IWM"], now=NOW)

    assert [call[0] for call in provider.calls] == [["SPY", "QQQ"], ["OLD"]]
    assert outcome.problem == problem and not outcome.ok
    assert outcome.updated == ["SPY", "QQQ"] and outcome.new_rows == 10
    assert outcome.failed == dict.fromkeys(["OLD", "IWM"], PROBLEM_REASONS[problem])
    assert outcome.message.endswith("; updated 2 symbols (10 new rows); 2 not updated")
    assert cache.last_dates() == {"OLD": "2026-06-01", "QQQ": "2026-08-07", "SPY": "2026-08-07"}
    assert cached_rows(cache, "OLD") == old_rows
    info = cache.symbol_info()
    assert info["OLD"].last_error == PROBLEM_REASONS[problem] and info["OLD"].source
    assert info["IWM"].last_error == PROBLEM_REASONS[problem] and info["IWM"].rows == 0
    assert cache.get_meta("last_problem") == problem
    assert cache.get_meta("last_success_at") == LAST_SUCCESS  # no success recorded
    assert consecutive_failures(cache) == 3
    assert next_interval(300, 3600, OPEN_TIME, consecutive_failures(cache)) == 240.0


def test_a_provider_raising_mid_refresh_is_a_named_failure_not_an_exception(
    cache: Cache,
) -> None:
    """A provider bug or an unclassified network exception on the second fetch: run_refresh
    still returns, names the symbol with the exception, and keeps its rows."""
    old_rows = cached_rows(cache, "OLD")
    provider = ScriptedProvider(
        {"SPY": week(610.0), "QQQ": week(510.0)}, ConnectionResetError("peer reset")
    )
    outcome = run_refresh(cache, provider, ["SPY", "QQQ", "OLD"], now=NOW)
    assert outcome.updated == ["SPY", "QQQ"]
    assert outcome.failed == {"OLD": "ConnectionResetError: peer reset"}
    assert "OLD (ConnectionResetError: peer reset)" in outcome.message
    assert cached_rows(cache, "OLD") == old_rows
    assert cache.symbol_info()["OLD"].last_error == "ConnectionResetError: peer reset"


# ------------------------------------------------------------------ bad or empty answers


def test_empty_frames_for_everything_change_nothing_and_count_as_a_failure(
    cache: Cache,
) -> None:
    before = table(cache)
    provider = ScriptedProvider({})  # yfinance answered, with an empty frame
    for attempt in (3, 4, 5):
        outcome = run_refresh(cache, provider, ["SPY", "QQQ"], now=NOW)
        assert outcome.problem == "error" and outcome.rows_written == 0
        assert outcome.message == (
            "refresh failed: no data for SPY (possibly delisted), QQQ (possibly delisted)"
        )
        assert consecutive_failures(cache) == attempt
    assert table(cache) == before
    assert cache.get_meta("last_success_at") == LAST_SUCCESS
    waits = [next_interval(300, 3600, OPEN_TIME, n) for n in range(1, 7)]
    assert waits == [60.0, 120.0, 240.0, 300.0, 300.0, 300.0]


def test_nans_repeats_and_disorder_from_the_provider_are_cleaned(cache: Cache) -> None:
    """The frame holds a NaN close for a day already cached (07-31), a NaN for a new day,
    08-05 twice (a corrected bar: the later one counts) and the days out of order. The
    cached 07-31 stays as it was, the NaN day is absent, every stored close is finite."""
    answer = [
        ("2026-08-04", 612.0),
        ("2026-07-31", math.nan),
        ("2026-08-03", 611.0),
        ("2026-08-05", 999.0),
        ("2026-08-06", math.nan),
        ("2026-08-05", 613.0),
        ("2026-07-30", 603.0),
        ("2026-08-07", 615.0),
    ]
    provider = ScriptedProvider({"SPY": answer})
    outcome = run_refresh(cache, provider, ["SPY"], now=NOW)
    assert outcome.ok and outcome.readjusted == [] and outcome.new_rows == 4
    spy = cache.read_prices("SPY")["adj_close"]
    assert spy.index.is_monotonic_increasing and spy.index.is_unique
    assert spy.to_dict() == {
        pd.Timestamp(d): c
        for d, c in {
            "2026-07-27": 600.0,
            "2026-07-28": 601.0,
            "2026-07-29": 602.0,
            "2026-07-30": 603.0,
            "2026-07-31": 604.0,  # kept: the provider's NaN did not erase it
            "2026-08-03": 611.0,
            "2026-08-04": 612.0,
            "2026-08-05": 613.0,  # the later of the two bars
            "2026-08-07": 615.0,
        }.items()
    }


def test_a_nan_row_from_a_raw_provider_does_not_erase_a_cached_close(cache: Cache) -> None:
    nan = math.nan
    provider = RawProvider(
        [
            ("SPY", "2026-07-31", nan, nan, nan, nan, nan, nan),
            ("SPY", "2026-08-03", 611.0, 611.0, 611.0, 611.0, 611.0, 1e6),
        ]
    )
    run_refresh(cache, provider, ["SPY"], now=NOW)
    assert cache.read_prices("SPY").loc["2026-07-31", "adj_close"] == 604.0


def test_a_repeated_date_from_a_raw_provider_never_raises(cache: Cache) -> None:
    provider = RawProvider(
        [
            ("SPY", "2026-08-03", None, None, None, 610.0, 610.0, None),
            ("SPY", "2026-08-03", 609.0, 612.0, 608.0, 611.0, 611.0, 1e6),
        ]
    )
    outcome = run_refresh(cache, provider, ["SPY"], now=NOW)
    assert outcome.updated == ["SPY"]
    assert cache.read_prices("SPY").loc["2026-08-03", "adj_close"] == 611.0


# ------------------------------------------------------------------------ delisted symbol


def test_a_delisted_symbol_keeps_its_history_and_stops_slowing_the_others(
    cache: Cache,
) -> None:
    """FOO stops trading after 07-31. Every refresh names it and keeps its rows, the others
    still count as a success; a month on, FOO is fetched in its own batch so SPY's fetch
    starts from SPY's own last day, not FOO's."""
    cache.upsert_prices(rows_of("FOO", week(10.0, JULY_END)), "yahoo")
    foo = cached_rows(cache, "FOO")
    days = pd.bdate_range("2026-08-03", "2026-09-30").strftime("%Y-%m-%d").tolist()
    calls = []
    for moment in ("2026-08-07", "2026-09-15", "2026-09-30"):
        known = {d: 610.0 + i for i, d in enumerate(days) if d <= moment}
        provider = ScriptedProvider({"SPY": known})
        at = datetime.fromisoformat(moment).replace(hour=21, tzinfo=UTC)
        outcome = run_refresh(cache, provider, ["SPY", "FOO"], now=at)
        calls.append(provider.calls)
        assert outcome.problem is None and outcome.updated == ["SPY"]
        assert outcome.failed == {"FOO": "possibly delisted; no price data found"}
        assert "1 symbol failed: FOO (possibly delisted)" in outcome.message
        assert consecutive_failures(cache) == 0
        assert cached_rows(cache, "FOO") == foo
        assert cache.symbol_info()["FOO"].last_error == "possibly delisted; no price data found"
    assert calls[0] == [(["SPY", "FOO"], date(2026, 7, 21))]
    assert calls[1] == [(["SPY", "FOO"], date(2026, 7, 21))]  # a week apart: one batch
    # and, the first time SPY's cache reaches back past the overlap, the anchor check of its
    # oldest cached days (from 07-27)
    assert calls[2] == [
        (["SPY"], date(2026, 9, 5)),
        (["FOO"], date(2026, 7, 21)),
        (["SPY"], date(2026, 7, 27)),
    ]


# ------------------------------------------------------------------ backoff and recovery


def test_failures_back_off_then_one_success_resets(cache: Cache) -> None:
    waits = []
    for minutes in range(5):
        at = OPEN_TIME + timedelta(minutes=minutes)
        run_refresh(cache, ScriptedProvider("offline"), ["SPY"], now=at)
        waits.append(next_interval(300, 3600, at, consecutive_failures(cache)))
    assert consecutive_failures(cache) == 7
    assert waits == [240.0, 300.0, 300.0, 300.0, 300.0]  # 3 failures -> 4 min, then capped
    assert cache.get_meta("last_success_at") == LAST_SUCCESS
    run_refresh(cache, ScriptedProvider({"SPY": week(610.0)}), ["SPY"], now=OPEN_TIME)
    assert consecutive_failures(cache) == 0
    assert cache.get_meta("last_success_at") == "2026-08-07T15:00:00Z"
    assert next_interval(300, 3600, OPEN_TIME, 0) == 300.0


def test_a_corrupt_failure_count_is_read_as_none(cache: Cache) -> None:
    for junk in ("", "-3", "many", "1e9"):
        cache.set_meta("consecutive_failures", junk)
        assert consecutive_failures(cache) == 0
        run_refresh(cache, ScriptedProvider("timeout"), ["SPY"], now=NOW)
        assert consecutive_failures(cache) == 1


# -------------------------------------------------------------------------- full disk


def test_a_full_disk_during_a_refresh_goes_on_in_memory_and_leaves_the_file_whole(
    cache: Cache,
) -> None:
    """The disk fills mid-session: the refresh's rows land in an in-memory copy (whole, not
    half-written), the cache says so, and the file still holds exactly the rows it had."""
    before = table(cache)
    pages = cache._db.execute("PRAGMA page_count").fetchone()[0]
    cache._db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL
    days = pd.bdate_range("2016-01-01", "2026-08-07").strftime("%Y-%m-%d").tolist()
    history = {f"N{i:02d}": {d: 10.0 + i for d in days} for i in range(20)}
    outcome = run_refresh(cache, ScriptedProvider(history), list(history), now=NOW)
    assert outcome.problem is None
    assert cache.in_memory and "disk is full" in (cache.notice or "")
    assert not cache._db.in_transaction
    assert all(cache.last_dates()[s] == "2026-08-07" for s in history)
    assert cache.read_closes(["N07"])["N07"].eq(17.0).all()
    with Cache(cache.path) as on_disk:
        assert table(on_disk) == before
