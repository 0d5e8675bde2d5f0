"""run_refresh against the real Cache (temp SQLite) and a provider that replays recorded frames."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from tui.data.cache import Cache
from tui.data.refresh import (
    RefreshOutcome,
    market_is_open,
    next_interval,
    run_refresh,
)
from tui.data.yahoo import PROBLEM_REASONS, FetchResult, rows_from_frame

NOW = datetime(2026, 8, 8, 15, 0, tzinfo=UTC)  # Saturday after the week of 08-03
JULY_END = ["2026-07-27", "2026-07-28", "2026-07-29", "2026-07-30", "2026-07-31"]
AUG_WEEK = ["2026-08-03", "2026-08-04", "2026-08-05", "2026-08-06", "2026-08-07"]


def business_days(start: str, end: str) -> list[str]:
    """NYSE trading days in [start, end] for July/August 2026 (07-03 is a holiday)."""
    days = pd.bdate_range(start, end).strftime("%Y-%m-%d").tolist()
    return [d for d in days if d != "2026-07-03"]


class RecordedFrames:
    """A provider replaying recorded daily bars, shaped like yfinance 1.7's download frame.

    ``history`` maps symbol -> {date: adjusted close}; open/high/low are 99/101/98 % of it.
    ``fail`` maps symbol -> reason; ``problem`` makes every fetch fail network-wide.
    """

    name = "yahoo"

    def __init__(
        self,
        history: dict[str, dict[str, float]] | None = None,
        *,
        fail: dict[str, str] | None = None,
        problem: str | None = None,
        raises: Exception | None = None,
    ) -> None:
        self.history = history or {}
        self.fail = fail or {}
        self.problem = problem
        self.raises = raises
        self.calls: list[tuple[list[str], date]] = []

    def frame(self, symbols: Sequence[str], start: date) -> pd.DataFrame:
        columns = {}
        for symbol in symbols:
            closes = pd.Series(
                {
                    pd.Timestamp(d): c
                    for d, c in self.history.get(symbol, {}).items()
                    if d >= start.isoformat()
                },
                dtype="float64",
            )
            for field, k in (("Open", 0.99), ("High", 1.01), ("Low", 0.98), ("Close", 1.0)):
                columns[(field, symbol)] = closes * k
            columns[("Volume", symbol)] = pd.Series(1e6, index=closes.index)
        frame = pd.DataFrame(columns).sort_index(axis=1)
        frame.columns = frame.columns.set_names(["Price", "Ticker"])
        frame.index.name = "Date"
        return frame

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        self.calls.append((list(symbols), start))
        if self.raises is not None:
            raise self.raises
        if self.problem is not None:
            reason = PROBLEM_REASONS[self.problem]
            return FetchResult([], dict.fromkeys(symbols, reason), self.problem, "recorded")
        by_symbol = rows_from_frame(self.frame(symbols, start), symbols)
        rows = [row for s in symbols for row in by_symbol.get(s, [])]
        failed = {
            s: self.fail.get(s, "possibly delisted; no price data found")
            for s in symbols
            if s not in by_symbol
        }
        problem = "error" if failed and not rows else None
        return FetchResult(rows, failed, problem, "recorded")


def price_rows(symbol: str, closes: dict[str, float]) -> list[tuple]:
    return [(symbol, d, c * 0.99, c * 1.01, c * 0.98, c, c, 1e6) for d, c in closes.items()]


def linear(symbol_base: float, days: list[str]) -> dict[str, float]:
    return {d: symbol_base + i for i, d in enumerate(days)}


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with Cache(tmp_path / "rotmon.sqlite") as c:
        yield c


def snapshot_of(cache: Cache, symbols: Sequence[str]) -> dict[str, pd.DataFrame]:
    return {s: cache.read_prices(s) for s in symbols}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for symbol in a:
        pd.testing.assert_frame_equal(a[symbol], b[symbol])


# ----------------------------------------------------------------------------- incremental


def test_incremental_refresh_fetches_only_missing_days_and_is_idempotent(cache: Cache) -> None:
    recorded = business_days("2026-07-01", "2026-08-07")
    history = {
        "SPY": linear(600.0, recorded),
        "QQQ": linear(500.0, recorded),
        "XLK": linear(140.0, recorded),
    }
    for symbol in ("SPY", "QQQ"):
        cache.upsert_prices(
            price_rows(symbol, {d: history[symbol][d] for d in JULY_END}), "snapshot"
        )
    cache.upsert_prices(price_rows("XLK", {d: history["XLK"][d] for d in JULY_END[:4]}), "snapshot")
    provider = RecordedFrames(history)

    outcome = run_refresh(cache, provider, ["SPY", "QQQ", "XLK"], now=NOW)

    # one batch, from the earliest last date (XLK, 07-30) minus 10 calendar days
    assert provider.calls == [(["SPY", "QQQ", "XLK"], date(2026, 7, 20))]
    assert outcome.problem is None and outcome.failed == {} and outcome.ok
    assert outcome.updated == ["SPY", "QQQ", "XLK"]
    assert outcome.new_rows == 5 + 5 + 6  # XLK also lacked 07-31
    assert outcome.rows_written == 3 * len(business_days("2026-07-20", "2026-08-07"))
    assert outcome.readjusted == []
    assert outcome.message == "updated 3 symbols (16 new rows)"
    assert cache.last_dates() == dict.fromkeys(["QQQ", "SPY", "XLK"], "2026-08-07")
    spy = cache.read_prices("SPY")
    assert spy.loc["2026-08-07", "adj_close"] == history["SPY"]["2026-08-07"]
    assert spy.loc["2026-08-07", "open"] == pytest.approx(history["SPY"]["2026-08-07"] * 0.99)
    info = cache.symbol_info()["SPY"]
    assert info.source == "yahoo" and info.last_error is None
    assert info.fetched_at == "2026-08-08T15:00:00Z"
    assert cache.get_meta("last_success_at") == "2026-08-08T15:00:00Z"
    assert cache.get_meta("last_attempt_at") == "2026-08-08T15:00:00Z"
    assert cache.get_meta("consecutive_failures") == "0"
    assert cache.get_meta("last_problem") == ""
    assert cache.get_meta("last_message") == outcome.message

    before = snapshot_of(cache, ["SPY", "QQQ", "XLK"])
    later = NOW + timedelta(hours=1)
    again = run_refresh(cache, provider, ["SPY", "QQQ", "XLK"], now=later)
    # the overlap fetch, then (first time, the cache now reaching back past the overlap) the
    # anchor check of the oldest cached days, 07-20 to 07-30
    assert provider.calls[1:] == [
        (["SPY", "QQQ", "XLK"], date(2026, 7, 28)),
        (["SPY", "QQQ", "XLK"], date(2026, 7, 20)),
    ]
    assert again.new_rows == 0 and again.readjusted == []
    assert again.message == "up to date: 3 symbols, no new rows"
    assert_same(before, snapshot_of(cache, ["SPY", "QQQ", "XLK"]))
    assert cache.get_meta("last_success_at") == "2026-08-08T16:00:00Z"


def test_new_symbol_gets_full_history_in_a_second_fetch(cache: Cache) -> None:
    recorded = business_days("2026-07-01", "2026-08-07")
    history = {"SPY": linear(600.0, recorded), "IWM": linear(220.0, recorded)}
    cache.upsert_prices(price_rows("SPY", {d: history["SPY"][d] for d in JULY_END}), "snapshot")
    provider = RecordedFrames(history)

    outcome = run_refresh(cache, provider, ["SPY", "IWM"], now=NOW)

    assert provider.calls == [(["SPY"], date(2026, 7, 21)), (["IWM"], date(2016, 8, 8))]
    assert outcome.updated == ["SPY", "IWM"]
    assert outcome.new_rows == 5 + len(recorded)
    assert cache.symbol_info()["IWM"].first_date == "2026-07-01"


def test_history_start_is_ten_years_before_new_york_today(cache: Cache) -> None:
    provider = RecordedFrames({"IWM": {"2026-01-02": 200.0}})
    # 02:00 UTC on 1 Jan is still 31 Dec in New York
    run_refresh(cache, provider, ["IWM"], now=datetime(2027, 1, 1, 2, 0, tzinfo=UTC))
    assert provider.calls == [(["IWM"], date(2016, 12, 31))]


# --------------------------------------------------------------------------- re-adjustment


def test_dividend_and_split_rescale_cached_history(cache: Cache) -> None:
    """Worked by hand.

    SPY went ex-dividend on 08-03 paying 3.02 after a 604.00 close: Yahoo now scales earlier
    closes by 1 - 3.02/604 = 0.995. XLK split 2-for-1 on 08-03: earlier prices halve (0.5).
    The old 07-01 rows, which the overlap does not cover, must follow: SPY 500 -> 497.5,
    XLK 270 -> 135. Volumes stay as they were.
    """
    cached_spy = {
        "2026-07-01": 500.0,
        **dict(zip(JULY_END, [600.0, 601.0, 602.0, 603.0, 604.0], strict=True)),
    }
    cached_xlk = {
        "2026-07-01": 270.0,
        **dict(zip(JULY_END, [280.0, 282.0, 284.0, 286.0, 288.0], strict=True)),
    }
    cache.upsert_prices(price_rows("SPY", cached_spy) + price_rows("XLK", cached_xlk), "snapshot")
    yahoo_spy = {d: cached_spy[d] * 0.995 for d in JULY_END} | {"2026-08-03": 601.5}
    yahoo_xlk = {d: cached_xlk[d] / 2 for d in JULY_END} | {"2026-08-03": 145.0}
    provider = RecordedFrames({"SPY": yahoo_spy, "XLK": yahoo_xlk})

    outcome = run_refresh(cache, provider, ["SPY", "XLK"], now=NOW)

    assert outcome.readjusted == ["SPY", "XLK"]
    assert outcome.adjustments == {
        "SPY": ["dividend of 2026-08-03"],
        "XLK": ["split 2-for-1 of 2026-08-03"],
    }
    assert outcome.message == (
        "updated 2 symbols (2 new rows); re-adjusted SPY history: dividend of 2026-08-03; "
        "re-adjusted XLK history: split 2-for-1 of 2026-08-03"
    )
    spy = cache.read_prices("SPY")
    assert spy.loc["2026-07-01", "adj_close"] == pytest.approx(497.5)
    assert spy.loc["2026-07-01", "close"] == pytest.approx(497.5)
    assert spy.loc["2026-07-01", "open"] == pytest.approx(500.0 * 0.99 * 0.995)
    assert spy.loc["2026-07-01", "volume"] == 1e6
    assert spy.loc["2026-07-27", "adj_close"] == pytest.approx(597.0)
    assert spy.loc["2026-07-31", "adj_close"] == pytest.approx(600.98)
    assert spy.loc["2026-08-03", "adj_close"] == 601.5
    xlk = cache.read_prices("XLK")
    assert xlk.loc["2026-07-01", "adj_close"] == pytest.approx(135.0)
    assert list(xlk["adj_close"]) == pytest.approx(
        [135.0, 140.0, 141.0, 142.0, 143.0, 144.0, 145.0]
    )
    # one basis again: the 07-01 -> 07-27 return is unchanged by the refresh (600/500 - 1)
    assert spy.loc["2026-07-27", "adj_close"] / spy.loc["2026-07-01", "adj_close"] == pytest.approx(
        1.2
    )

    # the next refresh sees matching overlaps and leaves everything alone
    again = run_refresh(cache, provider, ["SPY", "XLK"], now=NOW + timedelta(hours=1))
    assert again.readjusted == []
    assert cache.read_prices("XLK").loc["2026-07-01", "adj_close"] == pytest.approx(135.0)


def test_newest_cached_day_is_not_used_for_the_ratio(cache: Cache) -> None:
    """07-30 was cached intraday at 601.0 and closed at 604.0: that is not a re-adjustment.

    With overlap_days=1 the only other common day is 07-29 (600 both times), ratio 1.0. Had
    07-30 counted, the median of 1.0 and 604/601 would be 1.0025 and history would be scaled.
    """
    cache.upsert_prices(price_rows("SPY", {"2026-07-29": 600.0, "2026-07-30": 601.0}), "yahoo")
    provider = RecordedFrames(
        {"SPY": {"2026-07-29": 600.0, "2026-07-30": 604.0, "2026-07-31": 605.0}}
    )
    outcome = run_refresh(cache, provider, ["SPY"], now=NOW, overlap_days=1)
    assert provider.calls == [(["SPY"], date(2026, 7, 29))]
    assert outcome.readjusted == []
    assert list(cache.read_prices("SPY")["adj_close"]) == [600.0, 604.0, 605.0]


def test_tiny_differences_are_not_a_readjustment(cache: Cache) -> None:
    cached = dict(zip(JULY_END, [600.0, 601.0, 602.0, 603.0, 604.0], strict=True))
    cache.upsert_prices(price_rows("SPY", {"2026-07-01": 500.0} | cached), "snapshot")
    provider = RecordedFrames({"SPY": {d: c * (1 + 5e-5) for d, c in cached.items()}})
    outcome = run_refresh(cache, provider, ["SPY"], now=NOW)
    assert outcome.readjusted == []
    assert cache.read_prices("SPY").loc["2026-07-01", "adj_close"] == 500.0


# ------------------------------------------------------------------------------ failures


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("offline", "offline: could not reach Yahoo Finance"),
        ("rate-limited", "rate-limited by Yahoo Finance"),
        ("timeout", "timeout: Yahoo Finance did not answer in time"),
    ],
)
def test_network_failure_leaves_cache_and_success_time_alone(
    cache: Cache, problem: str, message: str
) -> None:
    recorded = business_days("2026-07-01", "2026-07-31")
    good = RecordedFrames({"SPY": linear(600.0, recorded), "QQQ": linear(500.0, recorded)})
    run_refresh(cache, good, ["SPY", "QQQ"], now=NOW)
    assert cache.get_meta("last_success_at") == "2026-08-08T15:00:00Z"
    before = snapshot_of(cache, ["SPY", "QQQ"])

    bad = RecordedFrames(problem=problem)
    for attempt in (1, 2):
        at = NOW + timedelta(minutes=attempt)
        outcome = run_refresh(cache, bad, ["SPY", "QQQ", "NEWSYM"], now=at)
        assert outcome.problem == problem
        assert outcome.message == message
        assert outcome.updated == [] and outcome.rows_written == 0 and not outcome.ok
        assert cache.get_meta("consecutive_failures") == str(attempt)
        assert cache.get_meta("last_attempt_at") == at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert cache.get_meta("last_problem") == problem
        assert cache.get_meta("last_message") == message
    assert len(bad.calls) == 2  # the new symbol's history fetch is skipped while blocked
    assert cache.get_meta("last_success_at") == "2026-08-08T15:00:00Z"
    assert_same(before, snapshot_of(cache, ["SPY", "QQQ"]))
    info = cache.symbol_info()
    assert info["SPY"].last_error == PROBLEM_REASONS[problem]
    assert info["SPY"].source == "yahoo"

    # recovery resets the count and records a new success time
    run_refresh(cache, good, ["SPY", "QQQ"], now=NOW + timedelta(hours=1))
    assert cache.get_meta("consecutive_failures") == "0"
    assert cache.get_meta("last_success_at") == "2026-08-08T16:00:00Z"
    assert cache.symbol_info()["SPY"].last_error is None


def test_first_refresh_failing_records_no_success(cache: Cache) -> None:
    outcome = run_refresh(cache, RecordedFrames(problem="offline"), ["SPY"], now=NOW)
    assert outcome.problem == "offline"
    assert cache.get_meta("last_success_at") is None
    assert cache.get_meta("last_attempt_at") == "2026-08-08T15:00:00Z"
    assert cache.get_meta("consecutive_failures") == "1"
    assert cache.last_dates() == {}


def test_partial_failure_keeps_old_rows_and_records_the_error(cache: Cache) -> None:
    recorded = business_days("2026-07-01", "2026-08-07")
    cache.upsert_prices(price_rows("SPY", {d: 600.0 for d in JULY_END}), "snapshot")
    cache.upsert_prices(price_rows("FOO", {d: 10.0 for d in JULY_END}), "snapshot")
    cache.set_meta("consecutive_failures", "3")
    provider = RecordedFrames({"SPY": {d: 600.0 for d in recorded}})

    outcome = run_refresh(cache, provider, ["SPY", "FOO"], now=NOW)

    assert outcome.problem is None and not outcome.ok
    assert outcome.failed == {"FOO": "possibly delisted; no price data found"}
    assert outcome.message == (
        "updated 1 symbol (5 new rows); 1 symbol failed: FOO (possibly delisted)"
    )
    assert list(cache.read_prices("FOO")["adj_close"]) == [10.0] * 5
    info = cache.symbol_info()
    assert info["FOO"].last_error == "possibly delisted; no price data found"
    assert info["FOO"].last_date == "2026-07-31"
    assert info["SPY"].last_error is None and info["SPY"].last_date == "2026-08-07"
    assert cache.get_meta("consecutive_failures") == "0"
    assert cache.get_meta("last_success_at") == "2026-08-08T15:00:00Z"


def test_everything_failing_without_network_problem_is_an_error(cache: Cache) -> None:
    provider = RecordedFrames({}, fail={"FOO": "possibly delisted; no timezone found"})
    outcome = run_refresh(cache, provider, ["FOO", "BAR"], now=NOW)
    assert outcome.problem == "error"
    assert outcome.message == (
        "refresh failed: no data for FOO (possibly delisted), BAR (possibly delisted)"
    )
    assert cache.get_meta("last_success_at") is None
    assert cache.symbol_info()["BAR"].last_error == "possibly delisted; no price data found"


def test_provider_exception_is_reported_not_raised(cache: Cache) -> None:
    provider = RecordedFrames(raises=RuntimeError("boom"))
    outcome = run_refresh(cache, provider, ["SPY"], now=NOW)
    assert isinstance(outcome, RefreshOutcome)
    assert outcome.problem == "error"
    assert outcome.failed == {"SPY": "RuntimeError: boom"}
    assert cache.get_meta("consecutive_failures") == "1"


def test_no_symbols_is_a_no_op(cache: Cache) -> None:
    provider = RecordedFrames({})
    outcome = run_refresh(cache, provider, [], now=NOW)
    assert provider.calls == []
    assert outcome.problem is None and outcome.message == "nothing to refresh: no symbols"
    assert cache.get_meta("consecutive_failures") is None


def test_nan_prices_from_provider_are_not_written(cache: Cache) -> None:
    history = {"SPY": {"2026-08-03": 601.0, "2026-08-04": float("nan"), "2026-08-05": 603.0}}
    outcome = run_refresh(cache, RecordedFrames(history), ["SPY"], now=NOW)
    assert outcome.rows_written == 2
    assert not np.isnan(cache.read_prices("SPY")["adj_close"]).any()


# ---------------------------------------------------------------------- market hours


NYC = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        # US daylight saving starts 2026-03-08: 09:30 EDT is 13:30 UTC from then on
        (datetime(2026, 3, 9, 13, 30, tzinfo=UTC), True),
        (datetime(2026, 3, 9, 13, 29, tzinfo=UTC), False),
        (datetime(2026, 3, 9, 19, 59, tzinfo=UTC), True),
        (datetime(2026, 3, 9, 20, 0, tzinfo=UTC), False),
        # the Friday before, on EST: 13:30 UTC is only 08:30 in New York
        (datetime(2026, 3, 6, 13, 30, tzinfo=UTC), False),
        (datetime(2026, 3, 6, 14, 30, tzinfo=UTC), True),
        (datetime(2026, 3, 6, 20, 59, tzinfo=UTC), True),
        (datetime(2026, 3, 6, 21, 0, tzinfo=UTC), False),
        # Europe is still on winter time: 14:30 in Berlin is 09:30 in New York that week
        (datetime(2026, 3, 9, 14, 30, tzinfo=ZoneInfo("Europe/Berlin")), True),
        # DST ends 2026-11-01: back to 14:30-21:00 UTC
        (datetime(2026, 11, 2, 14, 29, tzinfo=UTC), False),
        (datetime(2026, 11, 2, 14, 30, tzinfo=UTC), True),
        (datetime(2026, 11, 2, 20, 59, tzinfo=UTC), True),
        # weekend, holidays, early close
        (datetime(2026, 8, 8, 15, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 8, 9, 15, 0, tzinfo=UTC), False),  # Sunday
        (datetime(2026, 7, 3, 15, 0, tzinfo=UTC), False),  # Independence Day observed
        (datetime(2026, 11, 26, 15, 0, tzinfo=UTC), False),  # Thanksgiving
        (datetime(2026, 11, 27, 17, 59, tzinfo=UTC), True),  # 12:59, early close day
        (datetime(2026, 11, 27, 18, 0, tzinfo=UTC), False),  # 13:00
        (datetime(2027, 3, 26, 15, 0, tzinfo=UTC), False),  # Good Friday 2027
        # a naive datetime is UTC; an aware one in New York time is taken as such
        (datetime(2026, 8, 7, 15, 0), True),
        (datetime(2026, 8, 7, 9, 30, tzinfo=NYC), True),
        (datetime(2026, 8, 7, 9, 29, 59, tzinfo=NYC), False),
    ],
)
def test_market_is_open(moment: datetime, is_open: bool) -> None:
    assert market_is_open(moment) is is_open


OPEN_TIME = datetime(2026, 8, 7, 15, 0, tzinfo=UTC)  # Friday 11:00 New York
CLOSED_TIME = datetime(2026, 8, 8, 15, 0, tzinfo=UTC)  # Saturday


@pytest.mark.parametrize(
    ("now", "failures", "expected"),
    [
        (OPEN_TIME, 0, 300.0),
        (CLOSED_TIME, 0, 3600.0),
        (OPEN_TIME, 1, 60.0),
        (OPEN_TIME, 2, 120.0),
        (OPEN_TIME, 3, 240.0),
        (OPEN_TIME, 4, 300.0),  # 480 would exceed the normal cadence
        (CLOSED_TIME, 5, 960.0),
        (CLOSED_TIME, 6, 1920.0),
        (CLOSED_TIME, 7, 3600.0),  # 3840 capped
        (CLOSED_TIME, 10_000, 3600.0),
    ],
)
def test_next_interval_backs_off(now: datetime, failures: int, expected: float) -> None:
    assert next_interval(300, 3600, now, failures) == expected


def test_rate_limited_midway_keeps_what_came_back_but_is_no_success(cache: Cache) -> None:
    recorded = business_days("2026-08-03", "2026-08-07")

    class HalfRateLimited(RecordedFrames):
        def fetch(
            self, symbols: Sequence[str], start: date, end: date | None = None
        ) -> FetchResult:
            result = super().fetch(symbols, start, end)
            failed = dict.fromkeys(result.failed, PROBLEM_REASONS["rate-limited"])
            return FetchResult(result.rows, failed, "rate-limited", "rate limit")

    provider = HalfRateLimited({"SPY": {d: 600.0 for d in recorded}})
    outcome = run_refresh(cache, provider, ["SPY", "QQQ"], now=NOW)
    assert outcome.problem == "rate-limited"
    assert outcome.updated == ["SPY"] and outcome.rows_written == 5
    assert outcome.message == (
        "rate-limited by Yahoo Finance; updated 1 symbol (5 new rows); 1 not updated"
    )
    assert cache.get_meta("last_success_at") is None
    assert cache.get_meta("consecutive_failures") == "1"


def test_with_the_real_yahoo_provider_offline(
    cache: Cache, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """conftest's dead proxy: an honest one-line message, the cache as it was, no output."""
    from tui.data.yahoo import YahooProvider

    cache.upsert_prices(price_rows("SPY", {d: 600.0 for d in JULY_END}), "snapshot")
    before = snapshot_of(cache, ["SPY"])
    provider = YahooProvider(timeout=2.0, tz_cache_dir=tmp_path / "yfinance")
    outcome = run_refresh(cache, provider, ["SPY", "QQQ"], now=NOW)
    assert outcome.problem == "offline"
    assert outcome.message == "offline: could not reach Yahoo Finance"
    assert_same(before, snapshot_of(cache, ["SPY"]))
    assert cache.get_meta("last_success_at") is None
    assert capfd.readouterr() == ("", "")


def test_a_symbol_far_behind_gets_its_own_batch(tmp_path: Path) -> None:
    """One stale symbol must not make every refresh re-download months for all the others."""
    from tui.data.cache import Cache as RealCache
    from tui.data.refresh import run_refresh as refresh

    class Recorder:
        name = "recorder"

        def __init__(self) -> None:
            self.calls: list[tuple[list[str], date]] = []

        def fetch(self, symbols, start, end=None):  # type: ignore[no-untyped-def]
            self.calls.append((sorted(symbols), start))
            return FetchResult(rows=[], failed={}, problem=None)

    with RealCache(tmp_path / "c.sqlite") as cache:
        cache.upsert_prices(
            [
                ("AAA", "2026-07-30", None, None, None, 10.0, 10.0, None),
                ("BBB", "2026-07-31", None, None, None, 20.0, 20.0, None),
                ("OLD", "2026-01-09", None, None, None, 30.0, 30.0, None),
            ],
            source="csv:x.csv",
        )
        provider = Recorder()
        refresh(cache, provider, ["AAA", "BBB", "OLD"], now=datetime(2026, 8, 3, 20, tzinfo=UTC))
    assert provider.calls == [
        (["AAA", "BBB"], date(2026, 7, 20)),
        (["OLD"], date(2025, 12, 30)),
    ]
