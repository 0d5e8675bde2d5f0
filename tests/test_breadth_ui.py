"""Breadth and attribution in the drill-down (build_detail and the screen), and the report
JSON helpers breadth_json / concentration_json, checked against the analytics they wrap."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from faults_helpers import FailingProvider, seeded_copy, settle
from textual.widgets import Static

from tui.analytics.attribution import attribute, attribution_to_dict, window_start
from tui.analytics.breadth import ALL, CAVEAT, breadth, breadth_snapshot, sector_groups
from tui.analytics.concentration import concentration, concentration_snapshot
from tui.app.app import RotmonApp
from tui.app.screens.detail import DetailScreen
from tui.config import Config
from tui.data.cache import Cache
from tui.data.snapshot import (
    HOLDINGS_PRICES_FILE,
    PRICES_FILE,
    load_closes,
    load_holdings,
    load_spy_holdings,
)
from tui.report import breadth_json, build_detail, concentration_json

CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    frame = pd.concat([load_closes(PRICES_FILE), load_closes(HOLDINGS_PRICES_FILE)], axis=1)
    return frame.loc[:, ~frame.columns.duplicated()]


def test_breadth_json_is_the_analytics_latest_day(closes: pd.DataFrame) -> None:
    per_sector, everything = breadth_json(closes)
    groups, reference = sector_groups(load_holdings())
    result = breadth(closes, groups, reference)
    assert set(per_sector) == set(load_holdings())
    for etf, figures in per_sector.items():
        snap = breadth_snapshot(result[etf])
        assert figures == {k: snap[k] for k in ("above_50", "above_200", "high_20", "n")}
    snap = breadth_snapshot(result[ALL])
    assert everything["n"] == snap["n"] and everything["above_50"] == snap["above_50"]
    assert everything["no_data"] == ["ED", "UNH"] and everything["caveat"] == CAVEAT
    # Fractions of the n holdings with data: XLV has 14 (UNH has no prices).
    assert per_sector["XLV"]["n"] == 14 and per_sector["XLK"]["n"] == 15
    # --as-of cuts the rows: the figures of that day.
    earlier, _ = breadth_json(closes, as_of="2025-12-10")
    cut = breadth(closes, groups, reference, as_of="2025-12-10")
    assert earlier["XLF"]["above_200"] == breadth_snapshot(cut["XLF"])["above_200"]


def test_concentration_json_is_the_analytics_snapshot(closes: pd.DataFrame) -> None:
    out = concentration_json(closes)
    conc = concentration(closes, load_spy_holdings())
    assert {k: out[k] for k in ("mag7_weight", "top10_weight", "weights_as_of", "as_of")} == (
        concentration_snapshot(conc)
    )
    assert out["weights_as_of"] == "2025-11-18" and out["as_of"] == "2026-07-31"
    assert 0 < out["mag7_weight"] < out["top10_weight"] < 1
    assert "buybacks" in out["caveat"]
    before = concentration_json(closes, as_of="2025-06-30")  # before the weights' day
    assert before["mag7_weight"] is None and before["as_of"] is None


def test_build_detail_carries_breadth_and_attribution(tmp_path: Path) -> None:
    with Cache(seeded_copy(tmp_path / "c" / "rotmon.sqlite")) as cache:
        detail = build_detail(cache, "XLK", "SPY")
        members = [h.symbol for h in load_holdings()["XLK"]]
        frame = cache.read_closes(["XLK", "SPY", *members])
    group = breadth(frame, {"XLK": members}, {"XLK": "XLK"})["XLK"]
    assert detail.breadth == breadth_snapshot(group)
    assert detail.breadth_caveat == CAVEAT
    assert detail.breadth_history is not None
    assert detail.breadth_history.dates[-1] == "2026-07-31"
    assert detail.breadth_history.above_50[-1] == detail.breadth["above_50"]
    start = window_start(frame, "XLK", 63)
    want = attribution_to_dict(attribute(frame, "XLK", load_holdings()["XLK"], start))
    got = detail.attribution["3M"]
    assert got == want
    assert got is not None
    total = math.fsum(c["contribution"] for c in got["contributions"]) + got["other"]
    assert total == pytest.approx(got["move"], abs=1e-12)
    assert set(detail.attribution) == {"1M", "3M", "6M", "1Y", "3Y", "max"}


def make_app(tmp_path: Path) -> RotmonApp:
    return RotmonApp(
        Config(),
        (),
        cache_path=seeded_copy(tmp_path / "cache" / "rotmon.sqlite"),
        provider=FailingProvider(),
        clock=lambda: CLOCK,
    )


async def test_drilldown_shows_breadth_with_caveat_and_v_switches_views(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        app.action_open_symbol("XLV")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.detail is not None
        b = screen.detail.breadth
        assert b is not None
        assert screen.query_one("#holdings").display  # compact: the holdings first
        assert not screen.query_one("#detail-breadth").display
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#detail-breadth").display
        assert not screen.query_one("#holdings").display
        facts = str(screen.query_one("#breadth-facts", Static).render())
        assert f"{100 * b['above_50']:5.1f}% of {b['n_50']}" in facts
        assert "no data: UNH" in facts and CAVEAT.split(",")[0] in facts.replace("\n", " ")
        await pilot.press("v")
        await pilot.pause()
        text = str(screen.query_one("#attribution", Static).render())
        a = screen.detail.attribution["1Y"]
        assert a is not None and a["start"] in text and "no data: UNH" in text
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#holdings").display
