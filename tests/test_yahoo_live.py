"""The live path end to end: run_refresh -> YahooProvider -> yfinance 1.7's real code -> a fake
Yahoo answering in the v8 chart format (tests/yahoo_fakes.py), into a real SQLite cache.

Each test checks the rows stored, not only the message.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yfinance as yf
from curl_cffi import requests as curl_requests
from yahoo_fakes import FakeYahoo, Listing, clean_yfinance, install, sessions

from tui.data.cache import Cache
from tui.data.refresh import run_refresh
from tui.data.yahoo import MAX_BATCH, YahooProvider

__all__ = ["clean_yfinance"]

pytestmark = pytest.mark.usefixtures("clean_yfinance")

JULY = sessions("2026-07-01", "2026-07-31")
AFTER_CLOSE = datetime(2026, 7, 31, 21, 30, tzinfo=UTC)  # Friday 17:30 New York


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with Cache(tmp_path / "rotmon.sqlite") as c:
        yield c


@pytest.fixture
def naps() -> list[float]:
    return []


@pytest.fixture
def provider(tmp_path: Path, naps: list[float]) -> YahooProvider:
    return YahooProvider(timeout=2.0, tz_cache_dir=tmp_path / "yfinance", sleep=naps.append)


def rising(base: float, days: list[str] = JULY) -> dict[str, float]:
    return {d: base + i for i, d in enumerate(days)}


def stored(cache: Cache, symbol: str) -> dict[str, tuple]:
    """date -> (open, high, low, close, adj_close, volume) as the cache holds them."""
    rows = cache._db.execute(
        "SELECT date, open, high, low, close, adj_close, volume FROM prices WHERE symbol = ? "
        "ORDER BY date",
        (symbol,),
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def expected_rows(closes: dict[str, float], volume: float = 1_000_000.0) -> dict[str, tuple]:
    """Rows of an unadjusted listing: open/high/low at 99/101/98 % of the close."""
    return {d: (c * 0.99, c * 1.01, c * 0.98, c, c, volume) for d, c in sorted(closes.items())}


def assert_rows(got: dict[str, tuple], want: dict[str, tuple]) -> None:
    assert list(got) == list(want)
    for day in want:
        assert got[day] == pytest.approx(want[day], rel=1e-12), day


# ------------------------------------------------------------- per-symbol failure isolation


@pytest.mark.parametrize("attempt", range(4))
def test_a_429_on_one_of_three_symbols_keeps_the_other_two(
    cache: Cache,
    provider: YahooProvider,
    naps: list[float],
    monkeypatch: pytest.MonkeyPatch,
    attempt: int,
) -> None:
    """BBB answers 429 every time; AAA and CCC are stored exactly, whatever the thread order
    (run four times); BBB is retried alone after 2 s and 4 s and named."""
    fake = FakeYahoo(
        {
            "AAA": Listing(rising(100.0)),
            "BBB": Listing(rising(50.0), status=429),
            "CCC": Listing(rising(20.0)),
        }
    )
    install(monkeypatch, fake)
    outcome = run_refresh(cache, provider, ["AAA", "BBB", "CCC"], now=AFTER_CLOSE)

    assert_rows(stored(cache, "AAA"), expected_rows(rising(100.0)))
    assert_rows(stored(cache, "CCC"), expected_rows(rising(20.0)))
    assert stored(cache, "BBB") == {}
    assert outcome.updated == ["AAA", "CCC"]
    assert outcome.failed == {"BBB": "rate-limited by Yahoo Finance"}
    assert outcome.failure_kinds == {"BBB": "rate-limited"}
    assert outcome.problem == "rate-limited" and not outcome.ok
    assert naps == [2.0, 4.0]
    assert cache.symbol_info()["BBB"].last_error == "rate-limited by Yahoo Finance"


def test_a_rate_limit_that_lifts_gets_every_symbol(
    cache: Cache, provider: YahooProvider, naps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeYahoo(
        {
            "AAA": Listing(rising(100.0)),
            "BBB": Listing(rising(50.0), status=429, fail_times=2),
            "CCC": Listing(rising(20.0)),
        }
    )
    install(monkeypatch, fake)
    outcome = run_refresh(cache, provider, ["AAA", "BBB", "CCC"], now=AFTER_CLOSE)
    assert outcome.ok and outcome.problem is None
    assert naps == [2.0]
    for symbol, base in (("AAA", 100.0), ("BBB", 50.0), ("CCC", 20.0)):
        assert_rows(stored(cache, symbol), expected_rows(rising(base)))


def test_an_http_500_is_a_yahoo_error_not_delisted(
    cache: Cache, provider: YahooProvider, naps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeYahoo(
        {
            "AAA": Listing(rising(100.0)),
            "BBB": Listing(rising(50.0), status=500),
            "CCC": Listing(rising(20.0)),
        }
    )
    install(monkeypatch, fake)
    outcome = run_refresh(cache, provider, ["AAA", "BBB", "CCC"], now=AFTER_CLOSE)
    assert outcome.failed == {"BBB": "Yahoo error: HTTP 500"}
    assert outcome.failure_kinds == {"BBB": "yahoo-error"}
    assert "delisted" not in outcome.message
    assert outcome.message == (
        "updated 2 symbols (44 new rows); 1 symbol failed: BBB (Yahoo error: HTTP 500)"
    )
    assert not outcome.ok and naps == []
    assert_rows(stored(cache, "AAA"), expected_rows(rising(100.0)))
    assert_rows(stored(cache, "CCC"), expected_rows(rising(20.0)))
    assert stored(cache, "BBB") == {}


@pytest.mark.parametrize("attempt", range(3))
def test_a_timeout_on_one_symbol_is_a_yahoo_error(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch, attempt: int
) -> None:
    """Whether BBB's timeout comes first (tripping the session) or not, the others are
    stored and BBB is a Yahoo error for this one symbol, not Yahoo being unreachable."""
    timeout = curl_requests.exceptions.Timeout(
        "Failed to perform, curl: (28) Operation timed out after 2000 milliseconds"
    )
    fake = FakeYahoo(
        {
            "AAA": Listing(rising(100.0)),
            "BBB": Listing(rising(50.0), fail=timeout),
            "CCC": Listing(rising(20.0)),
        }
    )
    install(monkeypatch, fake)
    outcome = run_refresh(cache, provider, ["AAA", "BBB", "CCC"], now=AFTER_CLOSE)
    assert outcome.problem is None
    assert outcome.failed == {"BBB": "Yahoo error: timed out after 2 s"}
    assert outcome.failure_kinds == {"BBB": "yahoo-error"}
    assert_rows(stored(cache, "AAA"), expected_rows(rising(100.0)))
    assert_rows(stored(cache, "CCC"), expected_rows(rising(20.0)))


def test_no_batch_holds_more_than_50_symbols(
    provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[str]] = []

    def download(tickers: list[str], **kwargs: Any) -> pd.DataFrame:
        batches.append(list(tickers))
        return pd.DataFrame()

    monkeypatch.setattr(yf, "download", download)
    symbols = [f"S{i:03d}" for i in range(120)]
    result = provider.fetch(symbols, date(2026, 7, 1))
    assert [len(b) for b in batches] == [50, 50, 20]
    assert [s for b in batches for s in b] == symbols
    assert MAX_BATCH == 50
    assert result.problem == "error" and len(result.failed) == 120


# ------------------------------------------------------------------------- index symbols


def test_index_symbols_are_stored_exactly(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """^VIX, ^TNX and ^IRX: instrument INDEX, zero volume, no adjustment; the URL carries
    the caret and the rows are stored under the symbol as asked."""
    vix = {d: 15.0 + 0.25 * i for i, d in enumerate(JULY)}
    tnx = {d: 4.2 + 0.01 * i for i, d in enumerate(JULY)}
    irx = {d: 3.9 - 0.005 * i for i, d in enumerate(JULY)}
    fake = FakeYahoo(
        {
            "^VIX": Listing(vix, instrument="INDEX", exchange="CBOE"),
            "^TNX": Listing(tnx, instrument="INDEX", exchange="CGI"),
            "^IRX": Listing(irx, instrument="INDEX", exchange="CGI"),
        }
    )
    install(monkeypatch, fake)
    outcome = run_refresh(cache, provider, ["^VIX", "^TNX", "^IRX"], now=AFTER_CLOSE)
    assert outcome.ok
    for symbol, closes in (("^VIX", vix), ("^TNX", tnx), ("^IRX", irx)):
        assert_rows(stored(cache, symbol), expected_rows(closes, volume=0.0))
        assert fake.charts(symbol)
