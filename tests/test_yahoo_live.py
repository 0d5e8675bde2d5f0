"""The live path end to end: run_refresh -> YahooProvider -> yfinance 1.7's real code -> a fake
Yahoo answering in the v8 chart format (tests/yahoo_fakes.py), into a real SQLite cache.

Each test checks the rows stored, not only the message.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import yfinance as yf
from curl_cffi import requests as curl_requests
from yahoo_fakes import Action, FakeYahoo, Listing, clean_yfinance, install, sessions

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


# ------------------------------------------------------------------ re-adjusted history

H1 = sessions("2026-01-02", "2026-07-24")
LATER = sessions("2026-07-27", "2026-07-31")
SEEDED_AT = datetime(2026, 7, 24, 21, 30, tzinfo=UTC)  # Friday after the close


def raw_prices(days: list[str], base: float = 100.0) -> dict[str, float]:
    return {d: base + 0.1 * i for i, d in enumerate(days)}


def yahoo_rows(listing: Listing) -> dict[str, tuple]:
    """What the cache must hold: Yahoo's current adjusted bars (auto_adjust scales open,
    high and low by adjclose/close; the chart's volume is split-adjusted)."""
    out = {}
    for day, adj in listing.adjusted().items():
        volume = listing.volume * listing.split_factor(day)
        out[day] = (adj * 0.99, adj * 1.01, adj * 0.98, adj, adj, volume)
    return out


def seed_then_refresh(
    cache: Cache,
    provider: YahooProvider,
    monkeypatch: pytest.MonkeyPatch,
    listing: Listing,
    change: Any,
    later: dict[str, float],
) -> tuple[FakeYahoo, Any]:
    """XLK fetched in full on 07-24; then ``change(listing)`` and a week more of bars; refresh
    on 07-31 after the close."""
    fake = FakeYahoo({"XLK": listing})
    install(monkeypatch, fake)
    first = run_refresh(cache, provider, ["XLK"], now=SEEDED_AT)
    assert first.ok and first.readjusted == []
    assert_rows(stored(cache, "XLK"), yahoo_rows(listing))
    change(listing)
    listing.raw.update(later)
    return fake, run_refresh(cache, provider, ["XLK"], now=AFTER_CLOSE)


def test_a_split_rebases_the_whole_history(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XLK splits 2-for-1 on 07-27 (its price halves). Every earlier close halves and every
    earlier volume doubles, back to 01-02: 100.0 -> 50.0 on the first day."""
    listing = Listing(raw_prices(H1, 200.0))
    split = Action("2026-07-27", ratio=2.0, known=False)
    listing.actions.append(split)
    after = {d: 106.0 + i for i, d in enumerate(LATER)}
    _, outcome = seed_then_refresh(
        cache, provider, monkeypatch, listing, lambda _: setattr(split, "known", True), after
    )
    assert outcome.readjusted == ["XLK"]
    # The split lies after the cache's last day (07-24), among the five new days, all on the
    # new basis: adjusted closes cannot say which of them, so the span is named.
    assert outcome.adjustments == {"XLK": ["split 2-for-1 between 2026-07-27 and 2026-07-31"]}
    assert (
        "re-adjusted XLK history: split 2-for-1 between 2026-07-27 and 2026-07-31"
        in outcome.message
    )
    rows = stored(cache, "XLK")
    assert_rows(rows, yahoo_rows(listing))
    assert rows["2026-01-02"][3] == pytest.approx(100.0)  # 200 / 2, worked by hand
    assert rows["2026-01-02"][5] == 2_000_000.0
    assert rows["2026-07-27"][3] == 106.0


def test_an_on_time_dividend_rescales_every_earlier_day(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ex-date 07-27, 1.00 paid after a close of 114.2 on 07-24 (100 + 0.1 x 142):
    every earlier close is multiplied by 1 - 1/114.2."""
    listing = Listing(raw_prices(H1))
    dividend = Action("2026-07-27", amount=1.0, known=False)
    listing.actions.append(dividend)
    last_close = listing.raw["2026-07-24"]
    assert last_close == pytest.approx(100.0 + 0.1 * (len(H1) - 1))
    _, outcome = seed_then_refresh(
        cache, provider, monkeypatch, listing, lambda _: setattr(dividend, "known", True),
        raw_prices(LATER, 113.5),
    )  # fmt: skip
    # after the cache's last day (07-24), somewhere in the five new days: the span is named
    assert outcome.adjustments == {"XLK": ["dividend between 2026-07-27 and 2026-07-31"]}
    rows = stored(cache, "XLK")
    assert_rows(rows, yahoo_rows(listing))
    assert rows["2026-01-02"][4] == pytest.approx(100.0 * (1 - 1.0 / last_close))
    assert rows["2026-07-27"][4] == pytest.approx(113.5)


def test_a_dividend_that_reaches_yahoo_six_days_late(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: cache to 07-24, ex-date 07-16, Yahoo rescales only now. Just two
    overlap days (07-14, 07-15) carry the change; the whole history must follow, and the
    07-15 -> 07-16 return must be Yahoo's, not a false drop."""
    listing = Listing(raw_prices(H1))
    dividend = Action("2026-07-16", amount=1.0, known=False)
    listing.actions.append(dividend)
    fake, outcome = seed_then_refresh(
        cache, provider, monkeypatch, listing, lambda _: setattr(dividend, "known", True),
        raw_prices(LATER, 114.3),
    )  # fmt: skip
    assert fake.history_requests("XLK")[1][0] == date(2026, 7, 14)  # the overlap fetch
    assert outcome.adjustments == {"XLK": ["dividend of 2026-07-16"]}
    assert outcome.message == (
        "updated 1 symbol (5 new rows); re-adjusted XLK history: dividend of 2026-07-16"
    )
    rows = stored(cache, "XLK")
    assert_rows(rows, yahoo_rows(listing))
    before = listing.raw["2026-07-15"]
    factor = 1 - 1.0 / before
    assert rows["2026-01-02"][4] == pytest.approx(100.0 * factor)
    assert rows["2026-07-16"][4] / rows["2026-07-15"][4] == pytest.approx(
        listing.raw["2026-07-16"] / (before * factor)
    )


def test_a_revised_dividend(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Yahoo had 1.00 for the 07-16 dividend, then revises it to 1.25: days before 07-16
    move by (1 - 1.25/P) / (1 - 1.00/P), P the 07-15 close."""
    listing = Listing(raw_prices(H1))
    dividend = Action("2026-07-16", amount=1.0)
    listing.actions.append(dividend)
    _, outcome = seed_then_refresh(
        cache, provider, monkeypatch, listing, lambda _: setattr(dividend, "amount", 1.25),
        raw_prices(LATER, 114.3),
    )  # fmt: skip
    assert outcome.adjustments == {"XLK": ["dividend of 2026-07-16"]}
    rows = stored(cache, "XLK")
    assert_rows(rows, yahoo_rows(listing))
    p = listing.raw["2026-07-15"]
    assert rows["2026-01-02"][4] == pytest.approx(100.0 * (1 - 1.25 / p))


def test_a_change_older_than_the_overlap_is_found_by_the_anchor_check(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dividend with ex-date 06-01 appears only on 07-31: the overlap (07-14 on) is
    unchanged, so only the anchor fetch of the oldest cached days (01-02 to 01-12) sees it.
    The next day's refresh does not ask for the anchor again."""
    listing = Listing(raw_prices(H1))
    dividend = Action("2026-06-01", amount=2.0, known=False)
    listing.actions.append(dividend)
    fake, outcome = seed_then_refresh(
        cache, provider, monkeypatch, listing, lambda _: setattr(dividend, "known", True),
        raw_prices(LATER, 114.3),
    )  # fmt: skip
    requests = fake.history_requests("XLK")
    assert requests[1][0] == date(2026, 7, 14)  # the overlap
    assert requests[2] == (date(2026, 1, 2), date(2026, 1, 13))  # the anchor, end exclusive
    assert requests[3][0] == date(2026, 1, 2)  # the whole history again
    assert outcome.adjustments == {"XLK": ["dividend of 2026-06-01"]}
    assert_rows(stored(cache, "XLK"), yahoo_rows(listing))

    listing.raw["2026-08-03"] = 115.0
    again = run_refresh(cache, provider, ["XLK"], now=datetime(2026, 8, 3, 21, 30, tzinfo=UTC))
    assert again.ok and again.readjusted == []
    assert len(fake.history_requests("XLK")) == 5  # only the overlap fetch


def test_a_failed_refetch_writes_nothing_of_the_new_basis(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overlap shows a dividend but the whole-history fetch fails: the old history stays
    as it was, none of the new-basis rows are written, and XLK is named as failed."""
    listing = Listing(raw_prices(H1))
    dividend = Action("2026-07-27", amount=1.0, known=False)
    listing.actions.append(dividend)
    seeded: dict[str, tuple] = {}

    def change(item: Listing) -> None:
        seeded.update(stored(cache, "XLK"))
        dividend.known = True
        item.fail_before = "2026-07-01"

    _, outcome = seed_then_refresh(
        cache, provider, monkeypatch, listing, change, raw_prices(LATER, 113.5)
    )
    assert outcome.readjusted == []
    assert outcome.failed == {
        "XLK": "history re-adjusted by Yahoo; re-fetch failed: Yahoo error: HTTP 500"
    }
    assert outcome.failure_kinds == {"XLK": "yahoo-error"}
    assert stored(cache, "XLK") == seeded


# ------------------------------------------------------------------------ in-progress bar

AUG = sessions("2026-08-03", "2026-08-07")


def test_an_in_progress_bar_is_kept_flagged_then_replaced_by_the_final_bar(
    cache: Cache, provider: YahooProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 14:45 New York on 08-07 Yahoo's last daily bar is today's, last traded 14:42 (15 min
    delayed for the index): stored and flagged. After the close the final bar replaces it and
    the flag goes; no re-adjustment is seen in between."""
    from tui.data.refresh import in_progress, is_live

    spy = Listing(raw_prices(JULY + AUG, 600.0))
    vix = Listing({d: 15.0 for d in JULY + AUG}, instrument="INDEX", exchange="CBOE", delay=15)
    fake = FakeYahoo({"SPY": spy, "^VIX": vix})
    install(monkeypatch, fake)
    run_refresh(cache, provider, ["SPY", "^VIX"], now=datetime(2026, 8, 6, 21, 0, tzinfo=UTC))
    assert in_progress(cache) == {}

    live = datetime(2026, 8, 7, 14, 42, tzinfo=ZoneInfo("America/New_York"))
    spy.raw["2026-08-07"], spy.market_time = 601.5, live
    vix.raw["2026-08-07"], vix.market_time = 16.25, live
    during = datetime(2026, 8, 7, 18, 45, tzinfo=UTC)  # 14:45 New York
    outcome = run_refresh(cache, provider, ["SPY", "^VIX"], now=during)
    assert outcome.ok and outcome.readjusted == []
    assert stored(cache, "SPY")["2026-08-07"] == pytest.approx(
        (601.5 * 0.99, 601.5 * 1.01, 601.5 * 0.98, 601.5, 601.5, 1_000_000.0)
    )
    assert stored(cache, "^VIX")["2026-08-07"][3] == 16.25
    bars = in_progress(cache)
    assert bars == outcome.in_progress
    assert sorted(bars) == ["SPY", "^VIX"]
    assert bars["SPY"].day == "2026-08-07"
    assert bars["SPY"].as_of == datetime(2026, 8, 7, 18, 42, tzinfo=UTC)
    assert bars["SPY"].label() == "as of 14:42 ET"
    assert bars["^VIX"].label() == "as of 14:42 ET, 15 min delayed"
    assert is_live(bars, during, max_age=600)
    assert not is_live(bars, datetime(2026, 8, 7, 19, 0, tzinfo=UTC), max_age=600)

    final = datetime(2026, 8, 7, 16, 0, tzinfo=ZoneInfo("America/New_York"))
    spy.raw["2026-08-07"], spy.market_time = 602.25, final
    vix.raw["2026-08-07"], vix.market_time = 16.5, final
    outcome = run_refresh(cache, provider, ["SPY", "^VIX"], now=AFTER_CLOSE.replace(day=7))
    assert outcome.ok and outcome.readjusted == [] and outcome.in_progress == {}
    assert in_progress(cache) == {}
    assert_rows(stored(cache, "SPY"), yahoo_rows(spy))
    assert stored(cache, "^VIX")["2026-08-07"][3] == 16.5
