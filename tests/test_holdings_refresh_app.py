"""The holdings refresh in the dashboard and in `rotmon refresh`: after the main refresh, in
a worker of its own (the table's refresh never waits for it), through yfinance's real code
answered by a fake Yahoo at the HTTP transfer (tests/yahoo_fakes.py); the as-of it leaves is
shown in the drill-down (under the holdings, in the breadth) and in the heat map.
"""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from faults_helpers import seeded_copy, settle
from textual.widgets import DataTable, Static
from yahoo_fakes import FakeYahoo, Listing, clean_yfinance, install, sessions

from tui.app.app import RotmonApp
from tui.app.screens.detail import DetailScreen
from tui.app.screens.heatmap import HeatmapScreen
from tui.cli import main
from tui.config import Config
from tui.data.cache import Cache
from tui.data.refresh import HOLDINGS_META, holdings_state
from tui.data.snapshot import (
    FACTORS_FILE,
    HOLDINGS_PRICES_FILE,
    PRICES_FILE,
    holdings_symbols,
    seed_holdings,
)
from tui.data.yahoo import YahooProvider
from tui.locations import cache_path

__all__ = ["clean_yfinance"]

pytestmark = pytest.mark.usefixtures("clean_yfinance")

FRIDAY = datetime(2026, 8, 7, 21, 30, tzinfo=UTC)  # Friday 17:30 New York, after the close
NEW_DAYS = sessions("2026-08-03", "2026-08-07")
BUNDLED = "holdings prices as of 2026-07-31 (bundled)"
FETCHED = "holdings prices as of 2026-08-07 (Yahoo 2026-08-07 17:30 ET)"


def listings() -> dict[str, Listing]:
    """Every bundled symbol (universe, factors, holdings) as Yahoo holds it: July as bundled,
    then the first week of August 1 % a day higher; UNH and ED unknown (404)."""
    out: dict[str, Listing] = {}
    for path in (PRICES_FILE, FACTORS_FILE, HOLDINGS_PRICES_FILE):
        frame = pd.read_csv(path, usecols=["date", "symbol", "adj_close"])
        frame = frame[(frame["date"] >= "2026-07-01") & frame["adj_close"].notna()]
        for symbol, group in frame.groupby("symbol"):
            raw = dict(zip(group["date"], group["adj_close"], strict=True))
            last = float(group["adj_close"].iloc[-1])
            raw.update({d: last * (1 + 0.01 * (i + 1)) for i, d in enumerate(NEW_DAYS)})
            instrument = "INDEX" if str(symbol).startswith("^") else "ETF"
            out[str(symbol)] = Listing(raw, instrument=instrument)
    return out


class Gate:
    """Holds every chart request of a holding the table does not show until opened."""

    def __init__(self, fake: FakeYahoo, table: set[str]) -> None:
        self.fake, self.table = fake, table
        self.open = threading.Event()
        self.waiting = threading.Event()

    def __call__(self, url: str, params: dict[str, Any] | None = None) -> Any:
        from tui.data.yahoo import chart_symbol

        symbol = chart_symbol(url)
        if symbol is not None and symbol in self.fake.listings and symbol not in self.table:
            self.waiting.set()
            assert self.open.wait(60), "the test never opened the gate"
        return self.fake(url, params)


def make_app(tmp_path: Path, provider: YahooProvider) -> RotmonApp:
    path = seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    app = RotmonApp(
        Config(),
        (),
        cache_path=path,
        provider=provider,
        clock=lambda: FRIDAY,
        config_path=tmp_path / "config" / "config.toml",
    )
    app.monitor.holdings_provider = provider
    return app


async def wait_for(condition: Any, seconds: float = 60.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_the_table_refreshes_first_then_the_holdings_and_their_as_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the holdings refresh is held at Yahoo's door, the table's refresh has already
    finished (figures to 2026-08-07) and the screens still say the holdings are bundled; once
    it is let through, the as-of names Yahoo and the refresh's time, in the drill-down (the
    note under the holdings, beside the breadth) and in the heat map; UNH stays "no data"."""
    fake = FakeYahoo(listings())
    gate = Gate(fake, set(Config().symbols()))
    urls = install(monkeypatch, gate)
    provider = YahooProvider(timeout=2.0, tz_cache_dir=tmp_path / "yf", sleep=lambda _s: None)
    app = make_app(tmp_path, provider)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(gate.waiting.is_set)
        assert app.report is not None and app.report.as_of == "2026-08-07"
        assert app.status.last_refresh and not app.status.refreshing
        assert app.holdings_as_of == BUNDLED
        assert any(w.group == "holdings" and w.is_running for w in app.workers)
        gate.open.set()
        await settle(app)
        assert app.holdings_as_of == FETCHED
        assert any("/v8/finance/chart/AAPL" in u for u in urls)

        app.action_open_symbol("XLV")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.symbol == "XLV"
        note = str(screen.query_one("#holdings-note", Static).render())
        assert note.endswith(f" · {FETCHED}"), note
        assert screen.query_one("#holdings-note", Static).display  # beside the breadth too
        holdings = screen.query_one("#holdings", DataTable)
        assert str(holdings.get_cell("UNH", "last")) == "no data"
        assert str(holdings.get_cell("LLY", "last")) != "no data"
        await pilot.press("escape")
        await pilot.pause()
        app.action_open_symbol("KRE")  # its holdings are universe names, not bundled ones
        await settle(app)
        await pilot.pause()
        note = str(app.screen.query_one("#holdings-note", Static).render())
        assert "No holdings list is bundled for KRE" in note and "holdings prices" not in note
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("H")
        await settle(app)
        await pilot.pause()
        heat = app.screen
        assert isinstance(heat, HeatmapScreen) and heat.rows
        assert str(heat.query_one("#heat-holdings", Static).render()) == FETCHED
        unh = next(c for r in heat.rows for c in r.holdings if c.symbol == "UNH")
        assert not unh.has_data and unh.value("1D", "return") is None


async def test_a_viewer_shows_the_as_of_and_never_fetches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--read-only: no request at all; the as-of another process's holdings refresh left
    is shown (here it brought AAPL's Friday only: the other 162 are older)."""
    urls = install(monkeypatch, FakeYahoo(listings()))
    path = seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    with Cache(path) as cache:  # what a refresher (`rotmon refresh --every`) would leave
        seed_holdings(cache, holdings_symbols())
        cache.upsert_prices([("AAPL", "2026-08-07", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)], "yahoo")
        state = {"at": "2026-08-07T21:30:00Z", "session": "2026-08-07", "updated": ["AAPL"]}
        cache.set_meta(HOLDINGS_META, json.dumps(state))
    app = RotmonApp(
        Config(),
        (),
        cache_path=path,
        clock=lambda: FRIDAY,
        read_only=True,
        config_path=tmp_path / "config" / "config.toml",
    )
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.press("H")
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, HeatmapScreen)
        shown = str(app.screen.query_one("#heat-holdings", Static).render())
        assert shown == f"{FETCHED} · 162 of 163 older"
    assert urls == []


def test_rotmon_refresh_refreshes_the_holdings_once_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rotmon refresh`: the table's symbols, then every holding; its line on stdout; the
    exit code is the table's (UNH and ED having no data is no failure of the refresh). A
    second run the same day asks Yahoo for no holding."""
    import tui.data.fred
    import tui.session

    fake = FakeYahoo(listings())
    install(monkeypatch, fake)
    monkeypatch.setattr(tui.session, "datetime", _Frozen)  # the Monitor's default clock
    monkeypatch.setattr(tui.data.fred, "_http_get", lambda url, timeout: (503, b""))
    cache_dir = tmp_path / "c"
    seeded_copy(cache_path(cache_dir))
    assert main(["refresh", "--cache-dir", str(cache_dir)]) == 0
    out = capsys.readouterr().out
    assert "holdings: updated 163 of 165 symbols (815 new rows); 2 not updated: " in out, out
    with Cache(cache_path(cache_dir)) as cache:
        state = holdings_state(cache)
        assert state is not None and state.session == "2026-08-07"
        assert cache.last_dates()["AAPL"] == "2026-08-07" and "UNH" not in cache.last_dates()
    asked = len(fake.history_requests("AAPL"))
    assert main(["refresh", "--cache-dir", str(cache_dir)]) == 0
    assert "holdings" not in capsys.readouterr().out
    assert len(fake.history_requests("AAPL")) == asked


class _Frozen(datetime):
    """datetime with now() at FRIDAY (for the CLI, whose Monitor reads the real clock)."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return FRIDAY if tz is None else FRIDAY.astimezone(tz)


def test_rotmon_refresh_every_refreshes_the_holdings_in_its_first_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The headless refresher: its first cycle refreshes the table's symbols and then the
    holdings, the holdings line logged on stderr with its UTC stamp (stdout stays empty)."""
    import tui.cli
    import tui.data.fred
    import tui.session

    def stop(_seconds: float) -> None:
        raise KeyboardInterrupt

    install(monkeypatch, FakeYahoo(listings()))
    monkeypatch.setattr(tui.session, "datetime", _Frozen)
    monkeypatch.setattr(tui.data.fred, "_http_get", lambda url, timeout: (503, b""))
    monkeypatch.setattr(tui.cli, "_sleep", stop)
    cache_dir = tmp_path / "c"
    seeded_copy(cache_path(cache_dir))
    assert main(["refresh", "--every", "5m", "--cache-dir", str(cache_dir)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = [line for line in captured.err.splitlines() if "rotmon refresh: holdings:" in line]
    assert len(lines) == 1 and "updated 163 of 165 symbols" in lines[0], captured.err
    with Cache(cache_path(cache_dir)) as cache:
        assert cache.last_dates()["XOM"] == "2026-08-07"
