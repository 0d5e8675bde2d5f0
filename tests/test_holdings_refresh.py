"""The holdings refresh: every bundled holding (the sector members and SPY's top 20) through
the real Yahoo path — run_refresh -> YahooProvider -> yfinance's own code -> a fake Yahoo
answering in the v8 chart format (tests/yahoo_fakes.py, only the HTTP transfer replaced) —
into a real SQLite cache seeded from the bundled holdings file.

The fake's July 2026 closes are the bundled file's own adjusted closes (read here with
pandas), so nothing is re-adjusted unless a test adds an action; its new days are 1 %, 2 %, …
above the bundled last close. Expected rows are worked out from the CSV and the fake's rules
(open/high/low at 99/101/98 % of the close), never by the code under test.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yfinance as yf
from curl_cffi import requests as curl_requests
from yahoo_fakes import Action, FakeYahoo, Listing, clean_yfinance, install, sessions

from tui.config import Config
from tui.data.cache import Cache
from tui.data.refresh import (
    HOLDINGS_META,
    INTRADAY_META,
    HoldingsState,
    closed_session,
    holdings_batches,
    holdings_due,
    holdings_label,
    holdings_state,
    run_holdings_refresh,
)
from tui.data.snapshot import HOLDINGS_FILE, HOLDINGS_PRICES_FILE, SPY_HOLDINGS_FILE
from tui.data.snapshot import seed_holdings as seed
from tui.data.yahoo import YahooProvider
from tui.session import Monitor

__all__ = ["clean_yfinance"]

pytestmark = pytest.mark.usefixtures("clean_yfinance")

FRIDAY = datetime(2026, 8, 7, 21, 30, tzinfo=UTC)  # Friday 17:30 New York, after the close
NEW_DAYS = sessions("2026-08-03", "2026-08-10")  # Mon 3rd … Mon 10th August
OVERLAP_FROM = "2026-07-21"  # the bundled last day (07-31) minus the 10 overlap days
ANSWERED_FROM = "2026-07-20"  # the fake's chart window starts a day early, as Yahoo's may

# Independent of the code under test: the bundled CSVs read with pandas.
_HOLDINGS = pd.read_csv(HOLDINGS_FILE)
_SPY_TOP = pd.read_csv(SPY_HOLDINGS_FILE)
ALL_HOLDINGS = sorted(set(_HOLDINGS["symbol"]) | set(_SPY_TOP["symbol"]))
_PRICES = pd.read_csv(HOLDINGS_PRICES_FILE)
PRICED = sorted(set(_PRICES["symbol"]))
JULY = _PRICES[_PRICES["date"] >= "2026-07-01"]


def test_the_bundled_lists_as_this_module_reads_them() -> None:
    """165 holdings (SPY's top 20 are all sector members too), 163 with bundled prices."""
    assert len(ALL_HOLDINGS) == 165
    assert set(_SPY_TOP["symbol"]) <= set(_HOLDINGS["symbol"])
    assert sorted(set(ALL_HOLDINGS) - set(PRICED)) == ["ED", "UNH"]
    assert _PRICES["date"].max() == "2026-07-31"


def new_close(last: float, i: int) -> float:
    return last * (1 + 0.01 * (i + 1))


def listings(days: list[str] = NEW_DAYS[:5]) -> dict[str, Listing]:
    """Every priced holding as Yahoo holds it: July as bundled, then ``days`` rising 1 % a day;
    UNH and ED are unknown to it (404, as for a symbol Yahoo has no data for)."""
    out = {}
    for symbol, group in JULY.groupby("symbol"):
        raw = dict(zip(group["date"], group["adj_close"], strict=True))
        last = float(group["adj_close"].iloc[-1])
        raw.update({d: new_close(last, i) for i, d in enumerate(days)})
        out[str(symbol)] = Listing(raw, instrument="EQUITY", exchange="NYQ")
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the bundled holdings' prices (seeded once for the module)."""
    path = tmp_path_factory.mktemp("holdings") / "rotmon.sqlite"
    with Cache(path) as cache:
        seed(cache, ALL_HOLDINGS)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def cache_path(tmp_path: Path, template: Path) -> Path:
    dest = tmp_path / "cache" / "rotmon.sqlite"
    dest.parent.mkdir(mode=0o700)
    shutil.copy(template, dest)
    return dest


@pytest.fixture
def cache(cache_path: Path) -> Iterator[Cache]:
    with Cache(cache_path) as c:
        yield c


@pytest.fixture
def naps() -> list[float]:
    return []


@pytest.fixture
def provider(tmp_path: Path, naps: list[float]) -> YahooProvider:
    return YahooProvider(timeout=2.0, tz_cache_dir=tmp_path / "yfinance", sleep=naps.append)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The symbols of every ``yf.download`` (one batch request), the real one still called."""
    calls: list[list[str]] = []
    real = yf.download

    def spy(tickers: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(list(tickers))
        return real(tickers, *args, **kwargs)

    monkeypatch.setattr(yf, "download", spy)
    return calls


def stored(cache: Cache, symbol: str) -> dict[str, tuple]:
    rows = cache._db.execute(
        "SELECT date, open, high, low, close, adj_close, volume FROM prices WHERE symbol = ? "
        "ORDER BY date",
        (symbol,),
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def bundled_rows(symbol: str) -> dict[str, tuple]:
    """The symbol's rows straight from the bundled csv.gz (NaN as None)."""
    frame = _PRICES[_PRICES["symbol"] == symbol].sort_values("date")
    fields = ["open", "high", "low", "close", "adj_close", "volume"]
    return {
        d: tuple(None if pd.isna(v) else float(v) for v in values)
        for d, *values in frame[["date", *fields]].itertuples(index=False, name=None)
    }


def fake_row(close: float) -> tuple:
    return (close * 0.99, close * 1.01, close * 0.98, close, close, 1_000_000.0)


def assert_rows(got: dict[str, tuple], want: dict[str, tuple]) -> None:
    assert list(got) == list(want)
    for day in want:
        assert got[day] == pytest.approx(want[day], rel=1e-12), day


def every_row(cache: Cache) -> list[tuple]:
    return cache._db.execute(
        "SELECT symbol, date, open, high, low, close, adj_close, volume FROM prices "
        "ORDER BY symbol, date"
    ).fetchall()


# ---------------------------------------------------------------------------------- batches


def test_no_batch_holds_more_than_50_symbols(
    cache: Cache,
    provider: YahooProvider,
    downloads: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """All 165 holdings are asked, in requests of at most 50 symbols; every chart request on
    the wire names one of them, and each is asked for its history from the overlap on."""
    fake = FakeYahoo(listings())
    install(monkeypatch, fake)
    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=FRIDAY)
    assert outcome is not None
    assert [len(b) for b in outcome.batches] == [50, 50, 50, 15]
    assert downloads and max(len(d) for d in downloads) <= 50
    asked = {s for d in downloads for s in d}
    assert asked == set(ALL_HOLDINGS)
    charted = {c.split("/v8/finance/chart/")[1].split("?")[0] for c in fake.charts()}
    assert charted <= set(ALL_HOLDINGS) | {"BRK-B"}
    for symbol in ("AAPL", "XOM", "BRK-B"):
        starts = [p1.isoformat() for p1, _ in fake.history_requests(symbol)]
        assert OVERLAP_FROM in starts, (symbol, starts)
    assert sorted(outcome.updated) == PRICED
    assert sorted(outcome.failed) == ["ED", "UNH"]


# ------------------------------------------------------------------------------- the rows


def test_the_stored_rows_exactly(cache: Cache, provider: YahooProvider, monkeypatch) -> None:
    """Before the overlap: the bundled rows untouched; from it: Yahoo's rows; the new week:
    1 % … 5 % above the bundled last close. A dividend Yahoo applied (XOM, ex 2026-08-05)
    re-adjusts XOM's whole history onto the new basis, as for the table's symbols."""
    fake_listings = listings()
    xom = fake_listings["XOM"]
    history = bundled_rows("XOM")
    xom.raw = {d: r[4] for d, r in history.items()} | {d: xom.raw[d] for d in NEW_DAYS[:5]}
    xom.actions = [Action("2026-08-05", amount=1.0)]
    install(monkeypatch, FakeYahoo(fake_listings))
    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=FRIDAY)
    assert outcome is not None and outcome.readjusted == ["XOM"]

    for symbol in ("AAPL", "BRK-B", "NVDA"):
        bundled = bundled_rows(symbol)
        last = bundled["2026-07-31"][4]
        want = {d: r for d, r in bundled.items() if d < ANSWERED_FROM}
        want |= {d: fake_row(r[4]) for d, r in bundled.items() if d >= ANSWERED_FROM}
        want |= {d: fake_row(new_close(last, i)) for i, d in enumerate(NEW_DAYS[:5])}
        assert_rows(stored(cache, symbol), want)

    # XOM: every day before the ex-date scaled by 1 - 1.0 / close(2026-08-04).
    factor = 1 - 1.0 / xom.raw["2026-08-04"]
    got = stored(cache, "XOM")
    assert list(got) == sorted(xom.raw)
    assert got["2026-07-01"][4] == pytest.approx(history["2026-07-01"][4] * factor, rel=1e-9)
    first = min(history)
    assert got[first][4] == pytest.approx(history[first][4] * factor, rel=1e-9)
    assert got["2026-08-05"][4] == pytest.approx(xom.raw["2026-08-05"], rel=1e-12)
    adjustments = {s: a for o in outcome.outcomes for s, a in o.adjustments.items()}
    # The step lies after the bundled last day (07-31), among the new days, all on the new
    # basis: the ex-date (08-05) cannot be told from adjusted closes, so the span is named.
    assert adjustments == {"XOM": ["dividend between 2026-08-03 and 2026-08-07"]}


def test_unh_and_ed_stay_no_data(cache: Cache, provider: YahooProvider, monkeypatch) -> None:
    """Yahoo has nothing for them: no row is written, never a number; they are named."""
    install(monkeypatch, FakeYahoo(listings()))
    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=FRIDAY)
    assert outcome is not None
    assert stored(cache, "UNH") == {} and stored(cache, "ED") == {}
    assert {s: outcome.failed[s] != "" for s in ("UNH", "ED")} == {"UNH": True, "ED": True}
    assert "UNH" in outcome.message and "ED" in outcome.message
    state = holdings_state(cache)
    assert state is not None and state.failed == ("ED", "UNH")


# ------------------------------------------------------------------------------ at most daily


def test_at_most_daily_and_again_after_the_next_session(
    cache: Cache, provider: YahooProvider, downloads: list[list[str]], monkeypatch
) -> None:
    """Friday after the close: asked. Friday evening, Saturday, Monday before the close: no
    request at all. Monday after the close (a new session closed, a new day): asked, and
    Monday's bar stored."""
    fake = FakeYahoo(listings(NEW_DAYS))
    install(monkeypatch, fake)
    assert run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=FRIDAY) is not None
    assert max(stored(cache, "AAPL")) == "2026-08-07"
    state = holdings_state(cache)
    assert state is not None and state.session == "2026-08-07" and state.at == FRIDAY

    asked, urls = len(downloads), len(fake.urls)
    for later in (
        datetime(2026, 8, 8, 0, 30, tzinfo=UTC),  # Friday 20:30 New York
        datetime(2026, 8, 8, 16, 0, tzinfo=UTC),  # Saturday
        datetime(2026, 8, 10, 14, 0, tzinfo=UTC),  # Monday 10:00, session open
    ):
        assert not holdings_due(cache, later)
        assert run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=later) is None
    assert (len(downloads), len(fake.urls)) == (asked, urls)

    monday = datetime(2026, 8, 10, 21, 0, tzinfo=UTC)  # Monday 17:00 New York
    assert holdings_due(cache, monday)
    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=monday)
    assert outcome is not None and len(downloads) > asked
    last = bundled_rows("AAPL")["2026-07-31"][4]
    assert stored(cache, "AAPL")["2026-08-10"] == pytest.approx(fake_row(new_close(last, 5)))


def test_a_bar_still_in_progress_is_not_kept(
    cache: Cache, provider: YahooProvider, monkeypatch
) -> None:
    """Monday 11:00 New York, the first holdings refresh: Yahoo's Monday bar is in progress;
    the rows kept end with Friday, the last closed session, which is what is remembered."""
    fake_listings = listings(NEW_DAYS)
    market = datetime(2026, 8, 10, 15, 0, tzinfo=UTC)
    for listing in fake_listings.values():
        listing.market_time = market
    install(monkeypatch, FakeYahoo(fake_listings))
    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=market)
    assert outcome is not None and outcome.session == "2026-08-07"
    assert max(stored(cache, "AAPL")) == "2026-08-07"
    assert max(stored(cache, "XOM")) == "2026-08-07"


def test_closed_session_follows_the_nyse_calendar() -> None:
    """The latest session closed: Friday before a weekend, Wednesday before Thanksgiving,
    the early close on the day after it (13:00 ET)."""
    assert closed_session(datetime(2026, 8, 8, 16, 0, tzinfo=UTC)).isoformat() == "2026-08-07"
    thanksgiving = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
    assert closed_session(thanksgiving).isoformat() == "2026-11-25"
    after_early = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)  # Friday 13:30 New York
    assert closed_session(after_early).isoformat() == "2026-11-27"


# ----------------------------------------------------------------------------- failures


def test_a_429_on_one_batch_keeps_the_other_batches_rows(
    cache: Cache, provider: YahooProvider, naps: list[float], monkeypatch
) -> None:
    """Yahoo answers 429 for every symbol of the second batch, and 500 for one of the third:
    the first, third and fourth batches' rows are stored; the second batch's and the 500's
    symbols keep their bundled rows exactly, named "rate-limited" and "Yahoo error"."""
    fake_listings = listings()
    install(monkeypatch, FakeYahoo(fake_listings))
    batches = holdings_batches(ALL_HOLDINGS)
    limited = [s for s in batches[1] if s in fake_listings]
    broken = next(s for s in batches[2] if s in fake_listings)
    for symbol in limited:
        fake_listings[symbol].status = 429
    fake_listings[broken].status = 500
    before = {s: stored(cache, s) for s in [*limited, broken]}

    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=FRIDAY)
    assert outcome is not None
    assert naps, "backed off before asking the rate-limited symbols again"
    kinds = {s: k for o in outcome.outcomes for s, k in o.failure_kinds.items()}
    assert {s: kinds[s] for s in limited} == dict.fromkeys(limited, "rate-limited")
    assert kinds[broken] == "yahoo-error"
    assert outcome.failed[broken].startswith("Yahoo error: HTTP 500")
    for symbol in [*limited, broken]:
        assert stored(cache, symbol) == before[symbol], symbol
    kept = [s for b in (batches[0], batches[2], batches[3]) for s in b]
    kept = [s for s in kept if s in fake_listings and s != broken]
    assert len(kept) > 100
    assert all(max(stored(cache, s)) == "2026-08-07" for s in kept)
    assert sorted(outcome.updated) == sorted(kept)


def test_offline_leaves_the_bundled_data_intact(
    cache: Cache, provider: YahooProvider, monkeypatch
) -> None:
    """No network: every row as bundled, nothing remembered (the next refresh tries again),
    the batches after the first not even asked."""
    before = every_row(cache)
    error = curl_requests.exceptions.ConnectionError(
        "Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com."
    )
    install(monkeypatch, lambda url: error)
    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=FRIDAY)
    assert outcome is not None and not outcome.recorded
    assert outcome.problem == "offline" and len(outcome.outcomes) == 1
    assert every_row(cache) == before
    assert cache.get_meta(HOLDINGS_META) is None and holdings_due(cache, FRIDAY)


# ------------------------------------------------------------------------------ the as-of


def test_holdings_label() -> None:
    """The as-of text, from each holding's last cached date and source, and the time of the
    remembered refresh (New York)."""
    symbols = ["AAA", "BBB", "UNH"]
    bundled = {"AAA": ("2026-07-31", "snapshot"), "BBB": ("2026-07-31", "snapshot")}
    assert holdings_label(bundled, symbols, None) == "holdings prices as of 2026-07-31 (bundled)"
    state = HoldingsState(datetime(2026, 12, 1, 21, 5, tzinfo=UTC), "2026-12-01")
    fetched = {"AAA": ("2026-12-01", "yahoo"), "BBB": ("2026-12-01", "yahoo")}
    assert holdings_label(fetched, symbols, state) == (
        "holdings prices as of 2026-12-01 (Yahoo 2026-12-01 16:05 ET)"
    )
    partly = {"AAA": ("2026-12-01", "yahoo"), "BBB": ("2026-07-31", "snapshot")}
    assert holdings_label(partly, symbols, state) == (
        "holdings prices as of 2026-12-01 (Yahoo 2026-12-01 16:05 ET) · 1 of 2 older"
    )
    assert holdings_label(partly, symbols, None) == (
        "holdings prices as of 2026-12-01 (Yahoo) · 1 of 2 older"
    )
    # A refresh that brought nothing newer: still the bundled days.
    assert holdings_label(bundled, symbols, state) == ("holdings prices as of 2026-07-31 (bundled)")
    assert holdings_label({}, symbols, None) == "holdings prices: no data"
    assert holdings_label({"UNH": ("", "yahoo")}, symbols, None) == "holdings prices: no data"


def test_monitor_refreshes_holdings_once_and_says_as_of_what(
    cache_path: Path, provider: YahooProvider, monkeypatch
) -> None:
    """The session's holdings refresh (what the app's worker and `rotmon refresh` call): the
    as-of before (bundled) and after (Yahoo, the refresh's time in New York); a second call
    the same day asks nothing."""
    fake = FakeYahoo(listings())
    install(monkeypatch, fake)
    monitor = Monitor(Config(), cache_path, clock=lambda: FRIDAY, holdings_provider=provider)
    monitor.open()
    assert monitor.holdings_as_of() == "holdings prices as of 2026-07-31 (bundled)"
    outcome = monitor.refresh_holdings()
    assert outcome is not None and outcome.recorded
    assert monitor.holdings_as_of() == (
        "holdings prices as of 2026-08-07 (Yahoo 2026-08-07 17:30 ET)"
    )
    urls = len(fake.urls)
    assert monitor.refresh_holdings() is None and len(fake.urls) == urls
    assert monitor.cache is not None
    monitor.cache.close()


@pytest.mark.parametrize("kind", ["read-only", "offline", "injected"])
def test_who_never_fetches_holdings(
    cache_path: Path, provider: YahooProvider, monkeypatch, kind: str
) -> None:
    """A viewer (--read-only), --offline, and a session given a price provider only (a test,
    an embedding): no request, the cache as it was; a viewer still shows the as-of."""
    fake = FakeYahoo(listings())
    install(monkeypatch, fake)
    monitor = Monitor(
        Config(),
        cache_path,
        clock=lambda: FRIDAY,
        read_only=kind == "read-only",
        offline=kind == "offline",
        provider=provider,
        holdings_provider=None if kind == "injected" else provider,
    )
    monitor.open()
    assert monitor.refresh_holdings() is None
    assert fake.urls == []
    assert monitor.holdings_as_of() == "holdings prices as of 2026-07-31 (bundled)"
    assert monitor.cache is not None
    monitor.cache.close()


def test_never_two_holdings_refreshes_at_once(
    cache_path: Path, provider: YahooProvider, monkeypatch
) -> None:
    """While one runs (here: its lock held, as by a call given up at the app's deadline that
    still runs in its thread), a second asks nothing and remembers nothing."""
    fake = FakeYahoo(listings())
    install(monkeypatch, fake)
    monitor = Monitor(Config(), cache_path, clock=lambda: FRIDAY, holdings_provider=provider)
    cache = monitor.open()
    with monitor.holdings_busy:
        assert monitor.refresh_holdings() is None
    assert fake.urls == [] and cache.get_meta(HOLDINGS_META) is None
    cache.close()


def test_a_holding_the_table_already_refreshed_is_not_asked_again(
    cache: Cache, provider: YahooProvider, monkeypatch
) -> None:
    """AAPL and XOM already hold Friday's close (the table's own refresh brought them): the
    holdings refresh asks Yahoo for the other 163 only; once all are at Friday, for none."""
    fake = FakeYahoo(listings())
    install(monkeypatch, fake)
    rows = [(s, "2026-08-07", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0) for s in ("AAPL", "XOM")]
    cache.upsert_prices(rows, "yahoo")
    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=FRIDAY)
    assert outcome is not None
    assert sum(len(b) for b in outcome.batches) == 163
    assert fake.charts("AAPL") == [] and fake.charts("XOM") == []
    assert stored(cache, "AAPL")["2026-08-07"] == (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    assert len(fake.history_requests("MSFT")) >= 1

    for symbol in ALL_HOLDINGS:  # now every priced one is at Friday; UNH and ED never are
        if symbol not in ("UNH", "ED"):
            assert max(stored(cache, symbol)) == "2026-08-07", symbol
    again = run_holdings_refresh(cache, provider, PRICED, now=FRIDAY, force=True)
    assert again is not None and again.batches == []
    assert again.message == "holdings: up to date, none asked"


def test_a_morning_refresh_does_not_hold_back_the_days_close(
    cache: Cache, provider: YahooProvider, monkeypatch
) -> None:
    """The first holdings refresh runs Monday 10:00 New York (it brings Friday, the last
    closed session); at 17:00 the same day Monday has closed: due again, and Monday's final
    bar is stored — not held back to Tuesday because a refresh already ran that day."""
    fake_listings = listings(NEW_DAYS)
    morning = datetime(2026, 8, 10, 14, 0, tzinfo=UTC)
    for listing in fake_listings.values():
        listing.market_time = morning
    install(monkeypatch, FakeYahoo(fake_listings))
    first = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=morning)
    assert first is not None and first.session == "2026-08-07"
    assert max(stored(cache, "AAPL")) == "2026-08-07"

    evening = datetime(2026, 8, 10, 21, 0, tzinfo=UTC)
    for listing in fake_listings.values():
        listing.market_time = evening
    assert holdings_due(cache, evening)
    second = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=evening)
    assert second is not None and second.session == "2026-08-10"
    last = bundled_rows("AAPL")["2026-07-31"][4]
    assert stored(cache, "AAPL")["2026-08-10"] == pytest.approx(fake_row(new_close(last, 5)))
    assert not holdings_due(cache, datetime(2026, 8, 11, 1, 0, tzinfo=UTC))  # same close


def test_a_bar_still_flagged_in_progress_is_asked_again(
    cache: Cache, provider: YahooProvider, monkeypatch
) -> None:
    """A drill-down fetched AAPL during Monday's session: its Monday bar (100.0) is in the
    cache, flagged in progress. After the close the holdings refresh must not take it for
    Monday's final bar: AAPL is asked and its close replaced by Yahoo's final one."""
    fake_listings = listings(NEW_DAYS)
    install(monkeypatch, FakeYahoo(fake_listings))
    assert run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=FRIDAY) is not None
    cache.upsert_prices([("AAPL", "2026-08-10", 100.0, 100.0, 100.0, 100.0, 100.0, 1.0)], "yahoo")
    flag = '{"AAPL":{"day":"2026-08-10","as_of":"2026-08-10T15:00:00Z","delay":null}}'
    cache.set_meta(INTRADAY_META, flag)
    evening = datetime(2026, 8, 10, 21, 0, tzinfo=UTC)
    for listing in fake_listings.values():
        listing.market_time = evening
    outcome = run_holdings_refresh(cache, provider, ALL_HOLDINGS, now=evening)
    assert outcome is not None and any("AAPL" in batch for batch in outcome.batches)
    last = bundled_rows("AAPL")["2026-07-31"][4]
    assert stored(cache, "AAPL")["2026-08-10"][4] == pytest.approx(new_close(last, 5))
