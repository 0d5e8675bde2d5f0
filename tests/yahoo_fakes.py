"""A fake Yahoo Finance that answers yfinance's real HTTP requests in Yahoo's v8 chart format.

Only the provider session's lowest call (``GuardedSession.send``, the curl_cffi transfer) is
replaced, so yfinance's cookie/crumb, timezone lookup, parsing, auto-adjust and live-bar merge
all run for real. Each symbol is a :class:`Listing`: raw daily closes plus corporate actions
that Yahoo may or may not "know" yet; the chart answer holds the bars inside the request's
``period1``/``period2`` window, with ``adjclose`` worked out the way Yahoo does it:

* a split of ``ratio`` (2.0 for 2-for-1) divides every earlier close (and multiplies every
  earlier volume) by ``ratio`` — the chart's close is split-adjusted;
* a dividend of ``amount`` with ex-date ``d`` multiplies every adjusted close before ``d`` by
  ``1 - amount / close(the last day before d)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from curl_cffi.requests.models import Response

from tui.data import yahoo

NY = ZoneInfo("America/New_York")


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


NOT_FOUND = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}


def sessions(start: str, end: str, holidays: tuple[str, ...] = ("2026-07-03",)) -> list[str]:
    """Weekdays in [start, end] less the given holidays (enough for mid-2026 fixtures)."""
    days = pd.bdate_range(start, end).strftime("%Y-%m-%d").tolist()
    return [d for d in days if d not in holidays]


@dataclass
class Action:
    """A split (``ratio``) or a dividend (``amount``) on ``day``, known to Yahoo or not yet."""

    day: str
    amount: float = 0.0
    ratio: float = 0.0
    known: bool = True


@dataclass
class Listing:
    """One symbol as Yahoo holds it: raw closes per day, actions, and how it answers."""

    raw: dict[str, float]
    actions: list[Action] = field(default_factory=list)
    instrument: str = "ETF"
    exchange: str = "PCX"
    market_time: datetime | None = None  # regularMarketTime; default: the last day's 16:00
    delay: int | None = None  # exchangeDataDelayedBy (minutes), when Yahoo gives one
    status: int = 200  # HTTP status of every chart answer
    fail: BaseException | None = None  # raised instead of answering
    fail_times: int | None = None  # only the first N chart requests fail (None: all)
    fail_before: str | None = None  # HTTP 500 for history requests starting before this day
    volume: float = 1_000_000.0
    asked: int = 0

    def split_factor(self, day: str) -> float:
        factor = 1.0
        for a in self.actions:
            if a.known and a.ratio and a.day > day:
                factor *= a.ratio
        return factor

    def close(self, day: str) -> float:
        """The chart's (split-adjusted) close."""
        return self.raw[day] / self.split_factor(day)

    def adjclose(self, day: str) -> float:
        value = self.close(day)
        for a in self.actions:
            if a.known and a.amount and a.day > day:
                before = max(d for d in self.raw if d < a.day)
                value *= 1.0 - a.amount / self.close(before)
        return value

    def adjusted(self) -> dict[str, float]:
        """Every day's adjclose as Yahoo serves it now (what the cache should hold)."""
        return {d: self.adjclose(d) for d in sorted(self.raw)}


def _stamp(day: str, hhmm: str = "09:30") -> int:
    return int(pd.Timestamp(f"{day} {hhmm}", tz="America/New_York").timestamp())


def chart_json(symbol: str, listing: Listing, period1: int | None, period2: int | None) -> dict:
    days = sorted(listing.raw)
    chosen = [
        d
        for d in days
        if (period1 is None or _stamp(d) >= period1 - 86400)
        and (period2 is None or _stamp(d) < period2)
    ]
    if period1 is None and period2 is None:  # the timezone probe: range=1d
        chosen = days[-1:]
    stamps = [_stamp(d) for d in chosen]
    last = days[-1]
    market = listing.market_time or datetime.fromisoformat(f"{last}T16:00").replace(tzinfo=NY)
    period = {"timezone": "EDT", "gmtoffset": -14400}
    regular = _stamp(last)
    meta: dict[str, Any] = {
        "currency": "USD", "symbol": symbol, "exchangeName": listing.exchange,
        "fullExchangeName": listing.exchange, "instrumentType": listing.instrument,
        "firstTradeDate": 728317800, "regularMarketTime": int(market.timestamp()),
        "hasPrePostMarketData": listing.instrument != "INDEX", "gmtoffset": -14400,
        "timezone": "EDT", "exchangeTimezoneName": "America/New_York",
        "regularMarketPrice": listing.close(last), "priceHint": 2,
        "currentTradingPeriod": {
            "pre": {**period, "start": regular - 19800, "end": regular},
            "regular": {**period, "start": regular, "end": regular + 23400},
            "post": {**period, "start": regular + 23400, "end": regular + 37800},
        },
        "dataGranularity": "1d", "range": "",
        "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
    }  # fmt: skip
    if listing.delay is not None:
        meta["exchangeDataDelayedBy"] = listing.delay
    closes = [listing.close(d) for d in chosen]
    volume = [
        0 if listing.instrument == "INDEX" else int(listing.volume * listing.split_factor(d))
        for d in chosen
    ]
    quote = {
        "open": [c * 0.99 for c in closes],
        "high": [c * 1.01 for c in closes],
        "low": [c * 0.98 for c in closes],
        "close": closes,
        "volume": volume,
    }
    result: dict[str, Any] = {
        "meta": meta,
        "timestamp": stamps,
        "indicators": {
            "quote": [quote],
            "adjclose": [{"adjclose": [listing.adjclose(d) for d in chosen]}],
        },
    }
    events: dict[str, dict] = {}
    for a in listing.actions:
        if not a.known or not (chosen and chosen[0] <= a.day <= chosen[-1]):
            continue
        ts = str(_stamp(a.day))
        if a.amount:
            events.setdefault("dividends", {})[ts] = {"amount": a.amount, "date": int(ts)}
        if a.ratio:
            num, den = (a.ratio, 1) if a.ratio >= 1 else (1, round(1 / a.ratio))
            events.setdefault("splits", {})[ts] = {
                "date": int(ts), "numerator": num, "denominator": den,
                "splitRatio": f"{num:g}:{den:g}",
            }  # fmt: skip
    if events:
        result["events"] = events
    return {"chart": {"result": [result], "error": None}}


class FakeYahoo:
    """Routes yfinance's requests: chart answers from ``listings``, 404 for anything else."""

    def __init__(self, listings: dict[str, Listing]) -> None:
        self.listings = listings
        self.urls: list[str] = []
        self.params: list[dict[str, Any]] = []  # the query of each request, as sent

    def charts(self, symbol: str | None = None) -> list[str]:
        """Chart URLs requested (for one symbol if given)."""
        return [
            u
            for u in self.urls
            if "/v8/finance/chart/" in u and (symbol is None or yahoo.chart_symbol(u) == symbol)
        ]

    def history_requests(self, symbol: str) -> list[tuple[date, date]]:
        """(period1, period2) dates of the symbol's history requests (not timezone probes)."""
        out = []
        for url, query in zip(self.urls, self.params, strict=True):
            if yahoo.chart_symbol(url) == symbol and "period1" in query:
                p1 = datetime.fromtimestamp(int(query["period1"]), NY).date()
                p2 = datetime.fromtimestamp(int(query["period2"]), NY).date()
                out.append((p1, p2))
        return out

    def __call__(self, url: str, params: dict[str, Any] | None = None) -> Response | BaseException:
        match = re.search(r"/v8/finance/chart/([^?/]+)", url)
        if match:
            symbol = unquote(match.group(1)).upper()
            listing = self.listings.get(symbol)
            if listing is None:
                return response(url, 404, NOT_FOUND)
            listing.asked += 1
            failing = listing.fail_times is None or listing.asked <= listing.fail_times
            if listing.fail is not None and failing:
                return listing.fail
            if listing.status != 200 and failing:
                body = "Too Many Requests" if listing.status == 429 else "<html>Oops</html>"
                return response(url, listing.status, body)
            query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
            query.update(params or {})
            p1 = int(query["period1"]) if "period1" in query else None
            p2 = int(query["period2"]) if "period2" in query else None
            if listing.fail_before and p1 is not None and p1 < _stamp(listing.fail_before):
                return response(url, 500, "<html>Oops</html>")
            return response(url, 200, chart_json(symbol, listing, p1, p2))
        if "getcrumb" in url:
            return response(url, 200, "crumb123")
        if "finance.yahoo.com/" in url:  # quote, quoteSummary, ...
            error = {"code": "Not Found", "description": "Quote not found for symbol"}
            return response(url, 404, {"finance": {"result": None, "error": error}})
        return response(url, 200, "")  # fc.yahoo.com, consent pages


Route = Callable[[str], Response | BaseException | None]


def install(monkeypatch: pytest.MonkeyPatch, route: Route) -> list[str]:
    """Play Yahoo from ``route`` instead of the network; returns the requested URLs."""
    seen: list[str] = []
    cls = yahoo._guarded_session_class()
    assert cls is not None

    def send(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        seen.append(url)
        if isinstance(route, FakeYahoo):
            route.urls.append(url)
            route.params.append(dict(kwargs.get("params") or {}))
            answer = route(url, kwargs.get("params"))
        else:
            answer = route(url)
        if isinstance(answer, BaseException):
            raise answer
        if answer is not None:
            return answer
        if "getcrumb" in url:
            return response(url, 200, "crumb123")
        return response(url, 200, "")

    monkeypatch.setattr(cls, "send", send)
    return seen


@pytest.fixture
def clean_yfinance(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Reset the process-wide yfinance state a test could leak into the next one."""
    import yfinance as yf
    from yfinance import shared

    yf.data.YfData.cache_get.cache_clear()
    monkeypatch.setattr(shared, "_ERRORS", {})
    # For its first two timezone misses per process yfinance also tries Ticker.info.
    monkeypatch.setattr(yf.base, "_tz_info_fetch_ctr", 2)
    yield
    yf.data.YfData.cache_get.cache_clear()
