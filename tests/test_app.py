"""The dashboard, driven with Textual's pilot on the real bundled data and a real SQLite cache."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import analytics_reference
import pytest
from faults_helpers import seeded_copy, settle
from textual.widgets import DataTable, Static

from tui.app.app import RotmonApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.detail import DetailScreen
from tui.app.screens.help import HelpScreen
from tui.app.widgets.sector_table import SectorTable, group_key
from tui.app.widgets.status_bar import StatusBar
from tui.config import SECTOR_ETFS, Config
from tui.data.snapshot import load_holdings
from tui.data.yahoo import FetchResult

CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)


class FailingProvider:
    """A provider whose every fetch fails the way an unplugged network does."""

    name = "failing"

    def __init__(self, problem: str = "offline") -> None:
        self.problem = problem
        self.calls: list[tuple[list[str], date]] = []

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        self.calls.append((list(symbols), start))
        return FetchResult(
            rows=[],
            failed={s: "could not connect" for s in symbols},
            problem=self.problem,
            detail="could not reach Yahoo Finance",
        )


def make_app(
    tmp_path: Path, provider: object | None = None, *, seeded: bool = True, **kwargs: object
) -> RotmonApp:
    """The app on ``tmp_path/cache/rotmon.sqlite``. With ``seeded`` and no file there yet, the
    file is first a copy of a cache seeded as the app's first start seeds it (seeding costs
    ~1.2 s; the app's own seed then has nothing to add); ``seeded=False``: a real first start."""
    kwargs.setdefault("config_path", tmp_path / "config" / "config.toml")
    cache_path = tmp_path / "cache" / "rotmon.sqlite"
    if seeded and not cache_path.exists():
        seeded_copy(cache_path)
    return RotmonApp(
        kwargs.pop("config", Config()),  # type: ignore[arg-type]
        kwargs.pop("problems", ()),  # type: ignore[arg-type]
        cache_path=cache_path,
        provider=provider if provider is not None else FailingProvider(),
        clock=lambda: CLOCK,
        **kwargs,  # type: ignore[arg-type]
    )


def cell_text(table: DataTable, row_key: str, column: str) -> str:
    value = table.get_cell(row_key, column)
    return value.plain if hasattr(value, "plain") else str(value)


async def test_starts_offline_on_bundled_snapshot_with_every_sector(tmp_path: Path) -> None:
    provider = FailingProvider()
    app = make_app(tmp_path, provider, seeded=False)  # the real first start: the app seeds
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        await pilot.pause()
        banner = app.screen.query_one("#banner", Static)
        assert str(banner.render()) == "OFFLINE · data as of 2026-07-31"
        table = app.screen.query_one(SectorTable)
        keys = [row.key.value for row in table.ordered_rows]
        for etf in SECTOR_ETFS:
            assert etf in keys
            # Real figures: a signed percentage, not n/a and not a placeholder.
            text = cell_text(table, etf, "1M")
            assert text[0] in "+−" and text.endswith("%"), (etf, text)
        assert group_key("Sectors") in keys
        # SPY's last close in the bundled snapshot (2026-07-31).
        assert cell_text(table, "SPY", "last") == f"{app.report.rows[0]['close']:.2f}"
        status = str(app.screen.query_one(StatusBar).render())
        assert "source snapshot" in status and "refreshed —" in status
        assert "could not reach Yahoo Finance" in status
        assert len(provider.calls) == 1  # one batched request for the whole universe
        assert len(provider.calls[0][0]) == len(Config().symbols())


async def test_enter_opens_sector_drilldown_and_escape_returns(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        table = app.screen.query_one(SectorTable)
        table.move_cursor(row=table.get_row_index("XLV"))
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.symbol == "XLV"
        holdings = screen.query_one("#holdings", DataTable)
        assert holdings.row_count == 15
        # UNH has no price data in the snapshot: shown as such, never as a number.
        assert cell_text(holdings, "UNH", "last") == "no data"
        assert cell_text(holdings, "LLY", "3M")[0] in "+−"
        note = str(screen.query_one("#holdings-note", Static).render())
        assert "2025-11-18" in note
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_kre_drilldown_uses_universe_regional_banks(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        app.action_open_symbol("KRE")
        await settle(app)
        await pilot.pause()
        holdings = app.screen.query_one("#holdings", DataTable)
        assert [r.key.value for r in holdings.ordered_rows] == ["CFG", "RF", "ZION"]
        assert "No holdings list is bundled for KRE" in str(
            app.screen.query_one("#holdings-note", Static).render()
        )


async def test_r_refresh_with_failing_provider_notifies_once(tmp_path: Path) -> None:
    provider = FailingProvider()
    app = make_app(tmp_path, provider)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.press("r")
        await settle(app)
        await pilot.press("r")
        await settle(app)
        assert len(provider.calls) == 3  # start-up + two presses
        offline_notices = [n for n in app._notifications if "could not reach" in n.message]
        assert len(offline_notices) == 1
        assert app.status.state == "offline"
        assert app.status.last_refresh is None
        # The data shown is still the snapshot: nothing lost, nothing invented.
        assert app.report is not None and app.report.as_of == "2026-07-31"


async def test_rate_limited_refresh_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path, FailingProvider("rate-limited"))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        assert str(app.screen.query_one("#banner", Static).render()).startswith("RATE-LIMITED")


async def test_q_quits(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_sort_key_orders_within_groups(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        table = app.screen.query_one(SectorTable)
        table.sort_by("3M", reverse=True)
        await pilot.pause()
        keys = [row.key.value for row in table.ordered_rows]
        sectors = keys[keys.index(group_key("Sectors")) + 1 : keys.index(group_key("Themes"))]
        rows = {r["symbol"]: r for r in app.report.rows}
        values = [rows[s]["ret"]["3M"] for s in sectors]
        assert sorted(sectors) == sorted(SECTOR_ETFS)
        assert values == sorted(values, reverse=True)
        await pilot.press("S")
        await pilot.pause()
        keys = [row.key.value for row in table.ordered_rows]
        sectors = keys[keys.index(group_key("Sectors")) + 1 : keys.index(group_key("Themes"))]
        assert [rows[s]["ret"]["3M"] for s in sectors] == sorted(values)


async def test_help_lists_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {(row[1], row[2]) for row in app.screen.rows}
        for key in ("q", "r", "?", "Enter", "Esc", "s", "S", "v"):
            assert any(k == key for k, _ in keys), key
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


@pytest.mark.parametrize("width", [80, 120])
async def test_help_wraps_instead_of_cutting_at_80_columns(tmp_path: Path, width: int) -> None:
    """Every key and action is shown whole, wrapped onto more lines where the terminal is
    narrow, and the three columns fit the table."""
    app = make_app(tmp_path)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#help-keys", DataTable)
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.size.width - 2  # nothing under the scrollbar or past the edge
        wrapped = 0
        for index, (where, key, action) in enumerate(app.screen.rows):
            cells = [str(c) for c in table.get_row_at(index)]
            assert cells[0] == where
            assert " ".join(cells[1].split()) == " ".join(key.split())
            assert " ".join(cells[2].split()) == " ".join(action.split())
            wrapped += "\n" in cells[2]
        assert (wrapped > 0) == (width == 80)


@pytest.mark.parametrize("size", [(80, 24), (139, 40), (140, 40), (200, 60)])
async def test_layout_fits(tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(app)
        await pilot.pause()
        table = app.screen.query_one(SectorTable)
        assert table.region.width <= size[0]
        # Every shown column fits: no number is cut at the right edge.
        columns_width = sum(c.get_render_width(table) for c in table.columns.values())
        assert columns_width <= table.scrollable_content_region.width
        assert app.screen.query_one(StatusBar).region.bottom <= size[1]
        assert ("-compact" in app.classes) == (size[0] < 140)  # compact under 140 columns


async def test_config_problems_are_reported(tmp_path: Path) -> None:
    app = make_app(tmp_path, problems=["config.toml:3: frobnicate: unknown key"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("frobnicate" in m for m in messages)


async def test_second_start_paints_saved_figures_in_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame of a warm start shows real figures without any worker (no pandas)."""
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)):
        await settle(app)
    monkeypatch.setattr(RotmonApp, "load_data", lambda self: None)  # no cache worker at all
    again = make_app(tmp_path)
    async with again.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = again.screen.query_one(SectorTable)
        assert cell_text(table, "XLK", "1M")[0] in "+−"
        assert again.report is not None and again.report.closes is None  # the saved summary
        rules = again.screen.query_one("#rules", DataTable)
        assert rules.row_count == len(again.report.regime) > 0


async def test_drilldown_fits_80_columns(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        app.action_open_symbol("XLK")
        await settle(app)
        await pilot.pause()
        holdings = app.screen.query_one("#holdings", DataTable)
        assert holdings.row_count == 15
        width = sum(c.get_render_width(holdings) for c in holdings.columns.values())
        assert width <= holdings.scrollable_content_region.width
        assert cell_text(holdings, "NVDA", "rs_sector")[0] in "+−"


async def test_real_yahoo_provider_failing_offline(tmp_path: Path) -> None:
    """yfinance itself fails (conftest points its proxy at a closed port): OFFLINE, no crash."""
    seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    app = RotmonApp(Config(), cache_path=tmp_path / "cache" / "rotmon.sqlite", clock=lambda: CLOCK)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.status.state == "offline", app.status
        assert str(app.screen.query_one("#banner", Static).render()).startswith("OFFLINE")
        assert app.report is not None and app.report.as_of == "2026-07-31"
        # The refresh's own files stay under our cache dir.
        assert (tmp_path / "cache" / "yfinance").is_dir()


class HangingProvider:
    """A provider stuck on a network call that never answers."""

    name = "hanging"

    def __init__(self) -> None:
        import threading

        self.release = threading.Event()
        self.started = threading.Event()

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        self.started.set()
        self.release.wait(60)
        return FetchResult(rows=[], failed={}, problem="timeout", detail="timed out")


async def test_q_quits_at_once_while_a_refresh_hangs(tmp_path: Path) -> None:
    import time

    provider = HangingProvider()
    app = make_app(tmp_path, provider)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(200):
                if provider.started.is_set():
                    break
                await asyncio.sleep(0.05)
            assert provider.started.is_set()
            assert app.status.refreshing
            began = time.monotonic()
            await pilot.press("q")
        assert time.monotonic() - began < 3
        assert not app.is_running
    finally:
        provider.release.set()


async def test_no_color_still_shows_direction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.no_color
        table = app.screen.query_one(SectorTable)
        # Direction is in the text itself: signs on returns, arrows on trends.
        assert cell_text(table, "XLK", "1M")[0] in "+−"
        # XLK/SPY's trend worked out from the bundled csv in plain Python (50-day SMA, 10-day
        # slope): on 2026-07-31 it is below a falling average, so ▼.
        bundled = analytics_reference.snapshot()
        trend = analytics_reference.rs_trend(bundled["XLK"], bundled["SPY"])
        assert trend["state"] == "down"
        assert cell_text(table, "XLK", "trend") == "▼"


async def test_a_hung_refresh_is_abandoned_and_retried(tmp_path: Path) -> None:
    provider = HangingProvider()
    app = make_app(tmp_path, provider)
    app.refresh_deadline = 0.5
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app)
            await pilot.pause()
            assert app.status.state == "stale"
            assert "gave up after" in app.status.message
            assert not app.status.refreshing
            assert app._refresh_timer is not None  # the next refresh is scheduled
    finally:
        provider.release.set()


async def test_markup_in_user_text_cannot_crash_the_app(tmp_path: Path) -> None:
    app = make_app(tmp_path, problems=['config.toml:3: groups.Mine: "[/x]" is not a ticker'])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert any("[/x]" in n.message for n in app._notifications)


async def test_sort_state_shows_in_the_header(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        table = app.screen.query_one(SectorTable)
        await pilot.press("s")  # first sortable column after 'as configured': Symbol
        await pilot.press("s")  # then Last, descending
        await pilot.pause()
        labels = [str(c.label) for c in table.columns.values()]
        assert "Last▼" in labels and labels.count("Last▼") == 1
        await pilot.press("S")
        await pilot.pause()
        assert "Last▲" in [str(c.label) for c in table.columns.values()]


async def test_rows_older_than_the_benchmark_are_marked(tmp_path: Path) -> None:
    """A symbol whose data stops early (here: imported up to 2026-06-30) is flagged with '*'."""
    from tui.data.cache import Cache

    path = seeded_copy(tmp_path / "cache" / "rotmon.sqlite", None)  # = seed_cache(cache)
    with Cache(path) as cache:
        # Keep only the part of ZION's history up to 2026-06-30.
        cache._conn.execute("DELETE FROM prices WHERE symbol = 'ZION' AND date > '2026-06-30'")
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        table = app.screen.query_one(SectorTable)
        assert cell_text(table, "ZION", "symbol") == "ZION*"
        assert cell_text(table, "RF", "symbol") == "RF"


async def test_v_only_shows_in_the_compact_layout(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        assert app.screen.check_action("cycle_pane", ()) is True
        # 24 rows: the table alone at start (the sectors fit); v brings the panes in turn.
        assert not app.screen.query_one("#rs-selected").display
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.query_one("#rs-selected").display
        assert not app.screen.query_one("#rs-thesis").display
        await pilot.resize_terminal(160, 50)
        await pilot.pause()
        assert app.screen.check_action("cycle_pane", ()) is False


class OneDayProvider:
    """Serves one new close (100.0 on 2026-08-03) for every symbol asked for."""

    name = "oneday"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        self.calls.append(sorted(symbols))
        rows = [(s, "2026-08-03", None, None, None, 100.0, 100.0, None) for s in symbols]
        return FetchResult(rows=rows, failed={}, problem=None)


async def test_drilldown_brings_its_holdings_up_to_date(tmp_path: Path) -> None:
    provider = OneDayProvider()
    app = make_app(tmp_path, provider)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        assert app.status.state == "live" and app.report.as_of == "2026-08-03"
        last_refresh = app.status.last_refresh
        app.action_open_symbol("XLK")
        await settle(app)
        await pilot.pause()
        xlk_holdings = sorted(h.symbol for h in load_holdings()["XLK"])
        # One batch for the holdings; after it, at most the anchor checks of single holdings
        # whose oldest cached days are due a re-check (tui.data.refresh: anchor_days).
        first = provider.calls.index(xlk_holdings)
        assert xlk_holdings not in provider.calls[first + 1 :]
        assert all(set(c) <= set(xlk_holdings) for c in provider.calls[first + 1 :])
        holdings = app.screen.query_one("#holdings", DataTable)
        assert cell_text(holdings, "NVDA", "last") == "100.00"
        assert cell_text(holdings, "NVDA", "symbol") == "NVDA"  # fresh: no '*'
        assert app.status.last_refresh == last_refresh  # a side refresh: status untouched


async def test_regime_pane_and_rule_evidence(tmp_path: Path) -> None:
    from tui.app.screens.rule import RuleScreen
    from tui.regime.rules import load_rules

    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        rules = app.screen.query_one("#rules", DataTable)
        shipped = [r.id for r in load_rules(None)[0]]
        assert [r.key.value for r in rules.ordered_rows] == shipped
        summary = str(app.screen.query_one("#regime-summary", Static).render())
        assert summary.startswith("Rotation ") and "Rotation " in summary
        # IWM/SPY fell below its 50-day average on the snapshot's last day: small caps fail
        # raw, but the confirmed state (4 days) still passes, with the flip marked pending.
        assert cell_text(rules, "small_caps", "mark") == "✓"
        assert "✓ → ✗ pending, 1 of 4 days" in cell_text(rules, "small_caps", "rule")
        rules.focus()
        rules.move_cursor(row=shipped.index("small_caps"))
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RuleScreen) and screen.detail is not None
        rule = screen.detail.rule
        assert (rule["status"], rule["raw_status"]) == ("pass", "fail")
        assert (rule["pending"]["to"], rule["pending"]["days"], rule["pending"]["of"]) == (
            "fail",
            1,
            4,
        )
        day, became = screen.detail.flips[0]  # the newest confirmed flip: to pass, before
        assert became == "pass" and day < "2026-07-31"
        assert screen.query_one("#rule-flips", DataTable).row_count == len(screen.detail.flips)
        facts = str(screen.query_one("#rule-facts", Static).render())
        assert "IWM/SPY 0.3898 vs 50d 0.3927" in facts
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


class SameDayProvider:
    """Serves every symbol's last bundled row again: a refresh that writes but changes nothing."""

    name = "sameday"

    def __init__(self) -> None:
        from tui.data.snapshot import PRICES_FILE, iter_price_rows

        self.last: dict[str, tuple] = {}
        for row in iter_price_rows(PRICES_FILE):
            self.last[row[0]] = row

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        rows = [self.last[s] for s in symbols if s in self.last]
        return FetchResult(rows=rows, failed={}, problem=None)


async def test_a_rule_flip_alerts_once_with_a_bell(tmp_path: Path) -> None:
    import json

    from tui.data.cache import Cache

    with Cache(seeded_copy(tmp_path / "cache" / "rotmon.sqlite")) as cache:
        # Last time we looked, value was not leading (it turned, confirmed, on 2026-07-28).
        cache.set_meta("alerts.rules", json.dumps({"value": "fail"}))
    app = make_app(tmp_path, SameDayProvider())
    bells = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)  # start-up compute, then a refresh that writes and recomputes
        await pilot.press("r")
        await settle(app)
        assert app.status.state == "live"  # both refreshes wrote rows and recomputed
        flips = [n for n in app._notifications if "Value leading flipped" in n.message]
        assert len(flips) == 1
        assert "flipped to PASS (was fail)" in flips[0].message
        assert bells == [1]


async def test_catalyst_within_a_day_alerts(tmp_path: Path) -> None:
    eve = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # 10:00 ET, four hours before the decision
    app = make_app(tmp_path)
    app.clock = lambda: eve
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        assert any("FOMC decision in 4 h" in n.message for n in app._notifications)


async def test_theme_from_flag_and_palette_choice_is_remembered(tmp_path: Path) -> None:
    app = make_app(tmp_path, theme="rotmon-light")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        assert app.theme == "rotmon-light"
        app.theme = "rotmon-high-contrast"  # what the palette's theme picker does
        await settle(app)
        await pilot.pause()
    again = make_app(tmp_path)
    async with again.run_test(size=(120, 40)):
        assert again.theme == "rotmon-high-contrast"
    # Editing the config's theme wins over the remembered choice.
    edited = make_app(tmp_path, config=Config(theme="rotmon-16"))
    async with edited.run_test(size=(120, 40)):
        assert edited.theme == "rotmon-16"


async def test_unknown_theme_is_named_and_the_default_used(tmp_path: Path) -> None:
    app = make_app(tmp_path, config=Config(theme="no-such-theme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.theme == "rotmon-dark"
        assert any("no-such-theme" in n.message for n in app._notifications)


async def test_g_opens_the_rrg_and_the_table_shows_quadrants(tmp_path: Path) -> None:
    from tui.analytics.rrg import rrg
    from tui.app.screens.rrg import RRGScreen

    app = make_app(tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        await pilot.pause()
        expected = {p.symbol: p for p in rrg(app.report.closes, list(SECTOR_ETFS), "SPY")}
        table = app.screen.query_one(SectorTable)
        for etf, point in expected.items():
            text = cell_text(table, etf, "quad")
            assert text.startswith(point.quadrant[:3]), (etf, text, point.quadrant)
            changed = point.previous_quadrant not in (None, point.quadrant)
            assert text.endswith("↻") == changed
        await pilot.press("g")
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, RRGScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_chart_keys_change_every_chart(tmp_path: Path) -> None:
    from tui.app.widgets.rs_chart import RSChart

    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        table = app.screen.query_one(SectorTable)
        table.move_cursor(row=table.get_row_index("XLK"))
        await pilot.pause()
        chart = app.screen.query_one("#rs-selected", RSChart)
        assert len(chart.data.series[0].values) == 252  # 1Y by default
        await pilot.press("2")  # 3M
        assert [len(s.values) for s in chart.data.series][0] == 63
        assert "3M" in chart.data.title
        await pilot.press("l", "m")
        assert chart.data.log and [s.label for s in chart.data.series] == ["XLK/SPY"]
        await pilot.press("o")  # overlay XLK, then move to XLF: both lines, rebased
        table.move_cursor(row=table.get_row_index("XLF"))
        await pilot.pause()
        assert [s.label for s in chart.data.series] == ["XLK/SPY", "XLF/SPY"]
        assert all(s.values[0] == pytest.approx(100) for s in chart.data.series)
        await pilot.press("O")
        assert [s.label for s in chart.data.series] == ["XLF/SPY"]
        thesis = app.screen.query_one("#rs-thesis", RSChart)
        assert all(len(s.values) == 63 for s in thesis.data.series)


async def test_compare_two_symbols(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"xlf xlk", "enter")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        assert (screen.symbol, screen.benchmark) == ("XLF", "XLK")
        assert screen.detail is not None and screen.detail.rs.label == "XLF/XLK"
        labels = [str(c.label) for c in screen.query_one("#holdings", DataTable).columns.values()]
        assert "RS XLK 3M" in labels


async def test_first_start_paints_the_bundled_summary_in_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty cache, no worker at all: the first frame already shows the snapshot's figures."""
    monkeypatch.setattr(RotmonApp, "load_data", lambda self: None)
    app = make_app(tmp_path, seeded=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SectorTable)
        assert cell_text(table, "XLK", "3M")[0] in "+−"
        assert app.status.as_of == "2026-07-31"


async def test_export_writes_readable_csv_and_svg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    monkeypatch.setenv("ROTMON_EXPORT_DIR", str(tmp_path / "exports"))
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.press("e")
        await pilot.pause()
    files = sorted((tmp_path / "exports").iterdir())
    assert [f.suffix for f in files] == [".csv", ".svg"]
    with files[0].open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 43  # the default universe, factors included
    spy = next(r for r in rows if r["symbol"] == "SPY")
    assert float(spy["close"]) == pytest.approx(747.03, abs=0.01)
    assert float(spy["ret_1D"]) == pytest.approx(747.03 / 741.69 - 1, abs=2e-5)
    assert files[1].read_text().startswith("<svg")
    assert any(str(files[0]) in n.message for n in app._notifications)


async def test_config_edits_are_picked_up_while_running(tmp_path: Path) -> None:
    config_file = tmp_path / "config" / "config.toml"
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        config_file.parent.mkdir(parents=True, exist_ok=True)
        config_file.write_text('[groups]\nMine = ["XLK", "IWM"]\nMacro = ["^VIX"]\n')
        app._check_files()  # what the 2-second watch does
        await settle(app)
        await pilot.pause()
        table = app.screen.query_one(SectorTable)
        keys = [r.key.value for r in table.ordered_rows]
        assert keys == [group_key("Mine"), "XLK", "IWM", group_key("Macro"), "^VIX"]
        # A half-typed edit: the problem is named with its line, the running layout stays.
        config_file.write_text('[groups]\nMine = ["XLK", \n')
        await pilot.press("ctrl+r")
        await settle(app)
        await pilot.pause()
        assert [r.key.value for r in table.ordered_rows] == keys
        assert any(
            "config.toml:" in n.message and "Kept the running config" in n.message
            for n in app._notifications
        )


async def test_a_and_d_edit_the_focused_group_and_persist(tmp_path: Path) -> None:
    from tui.config import load_config

    config_file = tmp_path / "config" / "config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text('# my settings\nbenchmark = "SPY"\n')
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        table = app.screen.query_one(SectorTable)
        table.move_cursor(row=table.get_row_index("XLK"))
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"smh", "enter")
        await settle(app)
        await pilot.pause()
        saved, problems = load_config(config_file)
        assert problems == []
        sectors = next(g for g in saved.groups if g.name == "Sectors")
        assert sectors.symbols[-1] == "SMH"
        assert config_file.read_text().startswith("# my settings\n")  # comments kept
        assert "SMH" in [r.key.value for r in table.ordered_rows]
        assert cell_text(table, "SMH", "1M") == "n/a"  # offline: no data, nothing invented
        table.move_cursor(row=table.get_row_index("SMH"))
        await pilot.press("d")
        await settle(app)
        await pilot.pause()
        saved, _ = load_config(config_file)
        assert "SMH" not in next(g for g in saved.groups if g.name == "Sectors").symbols
        assert "SMH" not in [r.key.value for r in table.ordered_rows]
