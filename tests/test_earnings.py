"""Earnings dates: yfinance 1.7's calendar shapes and failures, the daily cache, the catalysts.

Three levels of fidelity, as in test_yahoo:
* ``yf.Ticker`` replaced by a fake whose ``calendar`` is the dict 1.7 builds (keys, value types,
  the empty list of a fund, ``{}`` plus a logged HTTP error for an unknown symbol) or raises
  what 1.7 raises (``YFRateLimitError``, curl_cffi's ``Timeout``);
* the real ``Ticker.calendar`` fed recorded quoteSummary JSON through the provider's session;
* the real ``Ticker.calendar`` against the dead proxy that conftest sets (127.0.0.1:9).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yfinance as yf
from curl_cffi import requests as curl_requests
from curl_cffi.requests.models import Response
from yfinance import utils as yf_utils
from yfinance.exceptions import YFRateLimitError

from tui.data import yahoo
from tui.data.cache import Cache
from tui.data.earnings import (
    EARNINGS_DETAIL,
    META_KEY,
    EarningsProvider,
    EarningsResult,
    cached_earnings,
    is_stock,
    next_earnings_date,
    refresh_earnings,
)
from tui.regime.catalysts import (
    catalyst_to_dict,
    days_until,
    earnings_catalysts,
    upcoming,
    when_text,
)

NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 8, 3)
NOW = datetime(2026, 8, 3, 12, 0, tzinfo=UTC)  # 08:00 in New York
UNIVERSE_ETFS = ["SPY", "QQQ", "IWM", "XLF", "KRE", "HYG"]


# --------------------------------------------------------------------------- 1.7 replicas


def stock_calendar(*earnings: date) -> dict[str, Any]:
    """``Ticker.calendar`` in 1.7 for a dividend-paying stock (``Quote._fetch_calendar``)."""
    return {
        "Dividend Date": date(2026, 9, 19),
        "Ex-Dividend Date": date(2026, 9, 15),
        "Earnings Date": list(earnings),
        "Earnings High": 1.1,
        "Earnings Low": 0.95,
        "Earnings Average": 1.02,
        "Revenue High": 2150000000,
        "Revenue Low": 2050000000,
        "Revenue Average": 2100000000,
    }


def fund_calendar() -> dict[str, Any]:
    """A fund (or a stock with nothing announced): an empty list and no estimates."""
    return {
        "Dividend Date": date(2026, 9, 19),
        "Ex-Dividend Date": date(2026, 9, 15),
        "Earnings Date": [],
        "Earnings High": None,
        "Earnings Low": None,
        "Earnings Average": None,
        "Revenue High": None,
        "Revenue Low": None,
        "Revenue Average": None,
    }


NOT_FOUND_BODY = {
    "quoteSummary": {
        "result": None,
        "error": {"code": "Not Found", "description": "Quote not found for symbol: ZZZZ"},
    }
}


class NotFound:
    """1.7 on HTTP 404: ``Quote._fetch`` logs ``str(HTTPError) + body`` and calendar is {}."""

    def __call__(self) -> dict[str, Any]:
        yf_utils.get_yf_logger().error("HTTP Error 404: Error" + json.dumps(NOT_FOUND_BODY))
        return {}


Answer = dict[str, Any] | BaseException | NotFound


class FakeTickers:
    """Stands in for ``yf.Ticker``: each symbol's calendar is a dict, a callable or an error."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.sessions: list[Any] = []

    def __call__(self, symbol: str, session: Any = None) -> Any:
        fake = self

        class Ticker:
            @property
            def calendar(self) -> dict[str, Any]:
                fake.asked.append(symbol)
                fake.sessions.append(session)
                answer = fake.answers[symbol]
                if isinstance(answer, BaseException):
                    raise answer
                if isinstance(answer, NotFound):
                    return answer()
                return answer

        return Ticker()


@pytest.fixture(autouse=True)
def _clean_yfinance() -> Iterator[None]:
    yf.data.YfData.cache_get.cache_clear()
    yield
    yf.data.YfData.cache_get.cache_clear()


@pytest.fixture
def provider(tmp_path: Path) -> EarningsProvider:
    return EarningsProvider(timeout=2.0, tz_cache_dir=tmp_path / "yfinance")


def use(monkeypatch: pytest.MonkeyPatch, answers: dict[str, Answer]) -> FakeTickers:
    fake = FakeTickers(answers)
    monkeypatch.setattr(yf, "Ticker", fake)
    return fake


def assert_silent(capfd: pytest.CaptureFixture[str]) -> None:
    out, err = capfd.readouterr()
    assert out == "" and err == "", (out, err)


# ------------------------------------------------------------------- calendar -> next date


def test_next_earnings_date_from_17_shapes() -> None:
    assert next_earnings_date(stock_calendar(date(2026, 10, 16)), TODAY) == date(2026, 10, 16)
    # an estimated window: its first day
    window = stock_calendar(date(2026, 10, 15), date(2026, 10, 20))
    assert next_earnings_date(window, TODAY) == date(2026, 10, 15)
    # inside the window, the days already gone are skipped
    assert next_earnings_date(window, date(2026, 10, 17)) == date(2026, 10, 20)
    # Yahoo still showing last quarter's date: unknown, not a past date
    assert next_earnings_date(stock_calendar(date(2026, 7, 17)), TODAY) is None
    assert next_earnings_date(stock_calendar(TODAY), TODAY) == TODAY
    assert next_earnings_date(fund_calendar(), TODAY) is None
    assert next_earnings_date({}, TODAY) is None
    with pytest.raises(ValueError):
        next_earnings_date([date(2026, 10, 16)], TODAY)


def test_is_stock() -> None:
    assert is_stock("CFG", UNIVERSE_ETFS) and is_stock("brk-b", UNIVERSE_ETFS)
    for symbol in ("SPY", "xlf", "^VIX", "^TNX", "EURUSD=X", "CL=F", " "):
        assert not is_stock(symbol, UNIVERSE_ETFS), symbol


# --------------------------------------------------------------------------- provider


def test_fetch_dates_funds_and_unknown_symbols(
    provider: EarningsProvider, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    fake = use(
        monkeypatch,
        {
            "CFG": stock_calendar(date(2026, 10, 16)),
            "RF": stock_calendar(date(2026, 10, 17), date(2026, 10, 21)),
            "AAON": stock_calendar(date(2026, 7, 30)),
            "DFAT": fund_calendar(),
            "ROAD": {},
            "ZZZZ": NotFound(),
        },
    )
    result = provider.fetch(["CFG", "RF", "AAON", "DFAT", "ROAD", "ZZZZ"], today=TODAY)
    assert result.dates == {
        "CFG": date(2026, 10, 16),
        "RF": date(2026, 10, 17),
        "AAON": None,
        "DFAT": None,
        "ROAD": None,
    }
    assert result.failed == {"ZZZZ": "Quote not found for symbol: ZZZZ"}
    assert result.problem is None
    assert result.detail == (
        "earnings dates for 5 of 6 symbols; none for ZZZZ (Quote not found for symbol: ZZZZ)"
    )
    assert fake.asked == ["CFG", "RF", "AAON", "DFAT", "ROAD", "ZZZZ"]
    assert all(s is not None for s in fake.sessions)  # the guarded session is passed
    assert_silent(capfd)


def test_rate_limit_stops_asking(
    provider: EarningsProvider, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    fake = use(
        monkeypatch,
        {
            "CFG": stock_calendar(date(2026, 10, 16)),
            "RF": YFRateLimitError(),
            "ZION": stock_calendar(date(2026, 10, 20)),
        },
    )
    result = provider.fetch(["CFG", "RF", "ZION"], today=TODAY)
    assert fake.asked == ["CFG", "RF"]
    assert result.problem == "rate-limited"
    assert result.dates == {"CFG": date(2026, 10, 16)}
    assert result.failed == dict.fromkeys(["RF", "ZION"], "rate-limited by Yahoo Finance")
    assert result.detail.endswith("got earnings dates for 1 of 3 symbols")
    assert_silent(capfd)


def test_timeout_is_reported(
    provider: EarningsProvider, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    error = curl_requests.exceptions.Timeout("curl: (28) Operation timed out after 2000 ms")
    fake = use(monkeypatch, {"CFG": error, "RF": stock_calendar(date(2026, 10, 16))})
    result = provider.fetch(["CFG", "RF"], today=TODAY)
    assert fake.asked == ["CFG"]
    assert (result.problem, result.detail) == ("timeout", "Yahoo Finance did not answer within 2 s")
    assert result.failed == dict.fromkeys(["CFG", "RF"], yahoo.PROBLEM_REASONS["timeout"])
    assert_silent(capfd)


def test_unexpected_errors_are_per_symbol(
    provider: EarningsProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(
        monkeypatch,
        {
            "CFG": KeyError("calendarEvents"),
            "RF": "not a dict",  # type: ignore[dict-item]
        },
    )
    result = provider.fetch(["CFG", "RF"], today=TODAY)
    assert result.problem == "error"
    assert result.failed["CFG"] == "KeyError: 'calendarEvents'"
    assert result.failed["RF"].startswith("unexpected calendar from yfinance")
    assert result.detail.startswith("no earnings dates for any of 2 symbols (CFG: ")


def test_no_symbols_asks_nothing(
    provider: EarningsProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = use(monkeypatch, {})
    assert provider.fetch([" ", ""]) == EarningsResult({}, {}, None, "no symbols requested")
    assert fake.asked == []


# --------------------------------------------------- real Ticker.calendar, recorded HTTP


def response(url: str, status: int, body: Any) -> Response:
    """A real curl_cffi Response, as the session would return it."""
    r = Response()
    r.url = url
    r.status_code = status
    r.ok = status < 400
    r.reason = "OK" if r.ok else "Error"
    text = body if isinstance(body, str) else json.dumps(body)
    r.content = text.encode()
    r.headers["content-type"] = "text/plain" if isinstance(body, str) else "application/json"
    return r


def calendar_events(earnings: list[int]) -> dict[str, Any]:
    """A quoteSummary calendarEvents answer in Yahoo's shape (``formatted=false``)."""
    block: dict[str, Any] = {
        "earningsDate": earnings,
        "earningsCallDate": [1784808000],
        "isEarningsDateEstimate": len(earnings) > 1,
    }
    if earnings:
        block.update(
            earningsAverage=1.02,
            earningsLow=0.95,
            earningsHigh=1.1,
            revenueAverage=2100000000,
            revenueLow=2050000000,
            revenueHigh=2150000000,
        )
    events = {
        "maxAge": 1,
        "earnings": block,
        "exDividendDate": 1789430400,
        "dividendDate": 1789776000,
    }
    return {"quoteSummary": {"result": [{"calendarEvents": events}], "error": None}}


AFTER_CLOSE = int(datetime(2026, 10, 15, 20, 0, tzinfo=UTC).timestamp())  # 16:00 EDT
WINDOW_END = int(datetime(2026, 10, 20, 20, 0, tzinfo=UTC).timestamp())

Route = Callable[[str], Response | BaseException | None]


@pytest.fixture
def local_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """yfinance dates Yahoo's timestamps in the process's zone: pin it to UTC for the test."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> Callable[[Route], list[str]]:
    """Play Yahoo from a route function instead of the network; returns the requested URLs."""

    def install(route: Route) -> list[str]:
        seen: list[str] = []
        cls = yahoo._guarded_session_class()
        assert cls is not None

        def send(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
            seen.append(url)
            answer = route(url)
            if isinstance(answer, BaseException):
                raise answer
            if answer is not None:
                return answer
            if "getcrumb" in url:
                return response(url, 200, "crumb123")
            return response(url, 200, "")  # fc.yahoo.com, consent pages

        monkeypatch.setattr(cls, "send", send)
        return seen

    return install


def quote_route(table: dict[str, tuple[int, Any]]) -> Route:
    def route(url: str) -> Response | None:
        match = re.search(r"/v10/finance/quoteSummary/([^?/]+)", url)
        if match:
            status, body = table[match.group(1)]
            return response(url, status, body)
        return None

    return route


@pytest.mark.usefixtures("local_utc")
def test_real_calendar_recorded_http(
    provider: EarningsProvider,
    transport: Callable[[Route], list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The real 1.7 parse of calendarEvents, and the replicas above have exactly its shape."""
    seen = transport(
        quote_route(
            {
                "CFG": (200, calendar_events([AFTER_CLOSE])),
                "RF": (200, calendar_events([AFTER_CLOSE, WINDOW_END])),
                "DFAT": (200, calendar_events([])),
                "ZZZZ": (404, NOT_FOUND_BODY),
            }
        )
    )
    calendars: dict[str, Any] = {}
    real = yf.Ticker

    class Spy(real):  # type: ignore[misc,valid-type]
        @property
        def calendar(self) -> dict[str, Any]:
            calendars[self.ticker] = super().calendar
            return calendars[self.ticker]

    monkeypatch.setattr(yf, "Ticker", Spy)
    result = provider.fetch(["CFG", "RF", "DFAT", "ZZZZ"], today=TODAY)

    assert result.dates == {
        "CFG": date(2026, 10, 15),
        "RF": date(2026, 10, 15),
        "DFAT": None,
    }
    assert result.failed == {"ZZZZ": "Quote not found for symbol: ZZZZ"}
    assert result.problem is None
    assert calendars["CFG"] == stock_calendar(date(2026, 10, 15))
    assert calendars["RF"] == stock_calendar(date(2026, 10, 15), date(2026, 10, 20))
    assert calendars["DFAT"] == fund_calendar()
    assert calendars["ZZZZ"] == {}
    for got, replica in (
        (calendars["CFG"], stock_calendar()),
        (calendars["DFAT"], fund_calendar()),
    ):
        assert {k: type(v) for k, v in got.items() if k != "Earnings Date"} == {
            k: type(v) for k, v in replica.items() if k != "Earnings Date"
        }
    assert any("/v10/finance/quoteSummary/CFG" in u for u in seen)
    assert_silent(capfd)


def test_real_calendar_http_429_is_rate_limited(
    provider: EarningsProvider, transport: Callable[[Route], list[str]]
) -> None:
    seen = transport(quote_route({s: (429, "Too Many Requests") for s in ("CFG", "RF", "ZION")}))
    result = provider.fetch(["CFG", "RF", "ZION"], today=TODAY)
    assert result.problem == "rate-limited"
    assert set(result.failed.values()) == {"rate-limited by Yahoo Finance"}
    asked = {u.split("/quoteSummary/")[1].split("?")[0] for u in seen if "/quoteSummary/" in u}
    assert asked == {"CFG"}  # yfinance retries once, then nobody asks again


# ------------------------------------------------------------ real yfinance, no network


def test_offline_real_calendar(
    provider: EarningsProvider, capfd: pytest.CaptureFixture[str]
) -> None:
    """conftest points HTTPS_PROXY at 127.0.0.1:9: the connection is refused at once."""
    assert os.environ["HTTPS_PROXY"] == "http://127.0.0.1:9"
    started = time.monotonic()
    result = provider.fetch(["CFG", "RF", "ZION"], today=TODAY)
    assert time.monotonic() - started < 10
    assert result.problem == "offline"
    assert result.dates == {}
    assert result.failed == dict.fromkeys(["CFG", "RF", "ZION"], yahoo.PROBLEM_REASONS["offline"])
    assert result.detail.startswith("could not reach Yahoo Finance: ")
    assert_silent(capfd)


def test_offline_refresh_keeps_the_cache_and_never_raises(
    tmp_path: Path, provider: EarningsProvider, capfd: pytest.CaptureFixture[str]
) -> None:
    with Cache(tmp_path / "cache" / "rotmon.sqlite") as cache:
        old = {"CFG": {"date": "2026-10-16", "fetched_at": "2026-08-01T09:00:00Z"}}
        cache.set_meta(META_KEY, json.dumps(old))
        update = refresh_earnings(cache, provider, ["CFG", "RF", "SPY"], UNIVERSE_ETFS, NOW)
        assert update.problem == "offline"
        assert update.requested == ["CFG", "RF"]
        assert update.dates == {"CFG": date(2026, 10, 16), "RF": None}
        assert json.loads(cache.get_meta(META_KEY) or "") == old
    assert_silent(capfd)


# ------------------------------------------------------------------------ cache, daily


class CountingProvider:
    """A provider that answers from a table and records each call."""

    def __init__(self, answers: dict[str, date | None], result: EarningsResult | None = None):
        self.answers = answers
        self.result = result
        self.calls: list[tuple[list[str], date | None]] = []

    def fetch(self, symbols: list[str], today: date | None = None) -> EarningsResult:
        self.calls.append((list(symbols), today))
        if self.result is not None:
            return self.result
        return EarningsResult({s: self.answers.get(s) for s in symbols}, {}, None, "ok")


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with Cache(tmp_path / "cache" / "rotmon.sqlite") as c:
        yield c


WATCHED = ["SPY", "IWM", "XLF", "KRE", "CFG", "RF", "ZION", "AAON", "ROAD", "^VIX", "HYG"]


def test_etfs_are_skipped_and_dates_cached_as_json(cache: Cache) -> None:
    provider = CountingProvider({"CFG": date(2026, 10, 16), "RF": date(2026, 10, 17), "ZION": None})
    update = refresh_earnings(cache, provider, WATCHED, UNIVERSE_ETFS, NOW)
    assert provider.calls == [(["CFG", "RF", "ZION", "AAON", "ROAD"], TODAY)]
    assert update.requested == ["CFG", "RF", "ZION", "AAON", "ROAD"]
    assert update.dates == {
        "CFG": date(2026, 10, 16),
        "RF": date(2026, 10, 17),
        "ZION": None,
        "AAON": None,
        "ROAD": None,
    }
    stored = json.loads(cache.get_meta(META_KEY) or "")
    assert stored["CFG"] == {"date": "2026-10-16", "fetched_at": "2026-08-03T12:00:00Z"}
    assert stored["ZION"] == {"date": None, "fetched_at": "2026-08-03T12:00:00Z"}
    assert set(stored) == {"CFG", "RF", "ZION", "AAON", "ROAD"}


def test_second_call_the_same_day_makes_no_request(cache: Cache) -> None:
    provider = CountingProvider({"CFG": date(2026, 10, 16)})
    refresh_earnings(cache, provider, ["CFG", "RF"], UNIVERSE_ETFS, NOW)
    later = NOW + timedelta(hours=23, minutes=59)
    update = refresh_earnings(cache, provider, ["CFG", "RF"], UNIVERSE_ETFS, later)
    assert len(provider.calls) == 1
    assert update.requested == [] and update.problem is None and update.detail == ""
    assert update.dates == {"CFG": date(2026, 10, 16), "RF": None}
    # a day later it asks again; a newly watched stock is asked at once
    refresh_earnings(cache, provider, ["CFG", "RF", "ZION"], UNIVERSE_ETFS, later)
    assert provider.calls[-1][0] == ["ZION"]
    refresh_earnings(cache, provider, ["CFG", "RF", "ZION"], UNIVERSE_ETFS, NOW + timedelta(days=1))
    assert provider.calls[-1][0] == ["CFG", "RF"]


def test_provider_failure_keeps_cached_dates(cache: Cache) -> None:
    old = {
        "CFG": {"date": "2026-10-16", "fetched_at": "2026-08-01T09:00:00Z"},
        "RF": {"date": "2026-10-17", "fetched_at": "2026-08-01T09:00:00Z"},
    }
    cache.set_meta(META_KEY, json.dumps(old))
    failing = CountingProvider(
        {},
        EarningsResult(
            {},
            dict.fromkeys(["CFG", "RF"], yahoo.PROBLEM_REASONS["rate-limited"]),
            "rate-limited",
            "Yahoo Finance is rate-limiting requests",
        ),
    )
    update = refresh_earnings(cache, failing, ["CFG", "RF"], UNIVERSE_ETFS, NOW)
    assert update.dates == {"CFG": date(2026, 10, 16), "RF": date(2026, 10, 17)}
    assert update.problem == "rate-limited"
    assert update.detail == "Yahoo Finance is rate-limiting requests"
    assert json.loads(cache.get_meta(META_KEY) or "") == old  # not stamped: asked again next time
    refresh_earnings(cache, failing, ["CFG", "RF"], UNIVERSE_ETFS, NOW + timedelta(minutes=5))
    assert len(failing.calls) == 2


def test_a_symbol_yahoo_does_not_know_is_asked_again_tomorrow_only(cache: Cache) -> None:
    provider = CountingProvider(
        {}, EarningsResult({"CFG": date(2026, 10, 16)}, {"ZZZZ": "Quote not found"}, None, "")
    )
    update = refresh_earnings(cache, provider, ["CFG", "ZZZZ"], [], NOW)
    assert update.dates == {"CFG": date(2026, 10, 16), "ZZZZ": None}
    assert update.failed == {"ZZZZ": "Quote not found"}
    refresh_earnings(cache, provider, ["CFG", "ZZZZ"], [], NOW + timedelta(hours=1))
    assert len(provider.calls) == 1


def test_a_raising_provider_or_a_broken_cache_value_never_raises(cache: Cache) -> None:
    class Broken:
        def fetch(self, symbols: list[str], today: date | None = None) -> EarningsResult:
            raise RuntimeError("boom")

    cache.set_meta(META_KEY, "{not json")
    update = refresh_earnings(cache, Broken(), ["CFG"], [], NOW)
    assert update.problem == "error" and update.failed == {"CFG": "RuntimeError: boom"}
    assert update.dates == {"CFG": None}
    cache.set_meta(META_KEY, json.dumps({"CFG": {"date": "10/16/2026", "fetched_at": "x"}}))
    assert cached_earnings(cache, ["CFG"], [], NOW) == {"CFG": None}


def test_past_dates_read_as_unknown(cache: Cache) -> None:
    stored = {"CFG": {"date": "2026-08-02", "fetched_at": "2026-08-03T06:00:00Z"}}
    cache.set_meta(META_KEY, json.dumps(stored))
    assert cached_earnings(cache, ["CFG", "SPY"], UNIVERSE_ETFS, NOW) == {"CFG": None}
    stored["CFG"]["date"] = "2026-08-03"  # today in New York: still upcoming
    cache.set_meta(META_KEY, json.dumps(stored))
    assert cached_earnings(cache, ["CFG"], UNIVERSE_ETFS, NOW) == {"CFG": date(2026, 8, 3)}


def test_refresh_refuses_a_naive_now(cache: Cache) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        refresh_earnings(cache, CountingProvider({}), ["CFG"], [], datetime(2026, 8, 3))


# --------------------------------------------------------------------------- catalysts


def test_earnings_catalysts_are_date_only_at_midnight_new_york() -> None:
    dates = {"RF": date(2026, 10, 17), "CFG": date(2026, 10, 16), "ZION": None}
    cfg, rf = earnings_catalysts(dates)
    assert (cfg.kind, cfg.name, cfg.symbol, cfg.importance, cfg.time_known) == (
        "earnings",
        "CFG earnings",
        "CFG",
        "medium",
        False,
    )
    assert cfg.at == datetime(2026, 10, 16, 0, 0, tzinfo=NEW_YORK)
    assert cfg.detail == EARNINGS_DETAIL
    assert rf.at.date() == date(2026, 10, 17)
    assert when_text(cfg, ZoneInfo("Asia/Tokyo")) == "Fri 2026-10-16 · time not announced"
    got = catalyst_to_dict(cfg, NOW)
    assert got["datetime"] == "2026-10-16T00:00:00-04:00" and got["time_known"] is False
    # 2026-08-03 12:00 UTC -> 2026-10-16 04:00 UTC = 73 days 16 hours
    assert days_until(cfg, NOW) == pytest.approx(73 + 16 / 24)
    # with now, days already over are left out; the day itself stays in
    on_the_day = datetime(2026, 10, 16, 18, 0, tzinfo=NEW_YORK)
    assert [c.symbol for c in earnings_catalysts(dates, on_the_day)] == ["CFG", "RF"]
    assert [c.symbol for c in upcoming(earnings_catalysts(dates), on_the_day)] == ["CFG", "RF"]
    next_day = datetime(2026, 10, 17, 0, 30, tzinfo=NEW_YORK)
    assert [c.symbol for c in earnings_catalysts(dates, next_day)] == ["RF"]
