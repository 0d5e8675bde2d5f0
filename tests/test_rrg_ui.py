"""The readable RRG: markers at every tail point, heading/velocity/tail length and transitions
in the side panel, the time machine and the member RRG.

Pure parts (marker shapes and fading, compass words) are checked against values worked out by
hand; the screen is driven with Textual's pilot on a real seeded cache, and every figure it
shows is compared with :func:`tui.analytics.rrg.rrg` called separately with ``as_of``.
"""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faults_helpers import FailingProvider, seeded_copy, settle
from textual.widgets import Static

from tui.analytics.rrg import RRGPoint, rrg, tail_metrics, transitions
from tui.app.app import RotmonApp
from tui.app.screens.rrg import PLAY_PERIODS, RRGScreen, compass_word, heading_text
from tui.app.widgets import rrg_plot
from tui.app.widgets.rrg_plot import PlotColors, PlotData, RRGPlot, draw, tail_marker
from tui.config import SECTOR_ETFS, Config
from tui.data.snapshot import load_holdings

CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)


def make_app(tmp_path: Path) -> RotmonApp:
    return RotmonApp(
        Config(),
        (),
        cache_path=seeded_copy(tmp_path / "cache" / "rotmon.sqlite"),
        provider=FailingProvider(),
        clock=lambda: CLOCK,
    )


def groups_of(app: RotmonApp) -> list[tuple[str, list[str]]]:
    return [(name, list(symbols)) for name, symbols in app.groups]


async def open_rrg(app: RotmonApp, pilot, **kwargs: object) -> RRGScreen:  # type: ignore[no-untyped-def]
    await settle(app)
    assert app.report is not None and app.report.closes is not None
    screen = RRGScreen(app.report.closes, groups_of(app), "SPY", **kwargs)  # type: ignore[arg-type]
    app.push_screen(screen)
    await settle(app)
    await pilot.pause()
    assert app.screen is screen
    return screen


def text_of(screen: RRGScreen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).render())


def walk(symbol: str, steps: list[tuple[float, float]]) -> RRGPoint:
    """A point whose tail visits ``steps`` (oldest first), dated a week apart."""
    tail = tuple((f"2026-06-{1 + 7 * i:02d}", x, y) for i, (x, y) in enumerate(steps))
    x, y = steps[-1]
    quad = ("Leading" if y >= 100 else "Weakening") if x >= 100 else None
    quad = quad or ("Improving" if y >= 100 else "Lagging")
    return RRGPoint(symbol, x, y, quad, tail, quad)


# --- markers (pure) ----------------------------------------------------------------------------


def test_tail_marker_shapes_and_fading_by_hand() -> None:
    # An 8-point tail has 7 earlier points: ages 1-3 are the newer half (2 * age <= 7).
    assert [tail_marker(age, 8)[0] for age in range(1, 8)] == ["•"] * 3 + ["·"] * 4
    levels = [tail_marker(age, 8)[1] for age in range(1, 8)]
    assert levels[0] == 0 and levels[-1] == rrg_plot.FADE_LEVELS - 1
    assert levels == sorted(levels)  # never stronger with age
    assert tail_marker(1, 2) == ("•", 0)  # a two-point tail: the one earlier point, unfaded


def test_every_tail_point_has_a_marker_the_newest_is_the_symbols() -> None:
    steps = [(97.0, 97.0), (98.0, 99.0), (99.0, 101.0), (101.0, 102.0)]
    data = PlotData((walk("XLK", steps),), None)
    drawing = draw(data, 60, 20)
    rows = drawing.canvas.rows()
    frame = drawing.frame
    assert frame is not None
    ages = drawing.tail_markers["XLK"]
    assert sorted(ages.values()) == [1, 2, 3]
    for i, (x, y) in enumerate(steps[:-1]):
        col, row = frame.cell(x, y)
        age = len(steps) - 1 - i
        assert ages[(col, row)] == age
        assert rows[row][col] == tail_marker(age, len(steps))[0]  # readable by shape alone
    col, row = drawing.markers["XLK"]
    assert rows[row][col] == rrg_plot.MARKER and (col, row) == frame.cell(101.0, 102.0)
    label = drawing.labels["XLK"]
    assert label is not None and rows[label[1]][label[0] : label[0] + 3] == "XLK"


def test_older_points_fade_towards_the_background_in_a_theme() -> None:
    from textual.app import App
    from textual.color import Color

    theme = App().available_themes["textual-dark"]
    variables = theme.to_color_system().generate()
    colors = PlotColors.from_variables(variables)
    background = Color.parse(variables["background"])
    full = Color.parse(variables["success"])

    def distance_to_full(level: int) -> float:
        colour = colors.faded("Leading", level).color
        assert colour is not None
        r, g, b = colour.get_truecolor()
        return math.dist((r, g, b), (full.r, full.g, full.b))

    distances = [distance_to_full(level) for level in range(rrg_plot.FADE_LEVELS)]
    assert distances == sorted(distances) and distances[0] < distances[-1]
    # The most faded point is still nearer the colour than the background is.
    assert distances[-1] < math.dist(
        (background.r, background.g, background.b), (full.r, full.g, full.b)
    )
    # Without colour (NO_COLOR): the older half is dim, the newer is not.
    plain = PlotColors()
    assert not plain.faded("Leading", 0).dim and plain.faded("Leading", 3).dim


def test_compass_words_follow_optumas_sectors() -> None:
    cases = {0.0: "N", 22.4: "N", 22.5: "NE", 67.4: "NE", 90.0: "E", 180.0: "S", 202.4: "S"}
    cases |= {202.5: "SW", 270.0: "W", 315.0: "NW", 337.4: "NW", 337.5: "N", 359.9: "N"}
    for heading, word in cases.items():
        assert compass_word(heading) == word, heading
    assert heading_text(45.4) == "045° NE" and heading_text(None) == "n/a"
    assert heading_text(359.7) == "000° N"


# --- the side panel and the time machine on real data --------------------------------------------


async def test_side_panel_shows_heading_velocity_tail_length_and_transitions(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_rrg(app, pilot)
        closes = app.report.closes
        expected = {p.symbol: p for p in rrg(closes, SECTOR_ETFS, "SPY")}
        xlk = expected["XLK"]
        (_, x0, y0), (_, x1, y1) = xlk.tail[-2:]
        heading = math.degrees(math.atan2(x1 - x0, y1 - y0)) % 360
        info = text_of(screen, "rrg-info")
        assert heading_text(heading) in info
        assert f"{math.hypot(x1 - x0, y1 - y0):.2f}" in info
        assert f"{tail_metrics(xlk.tail).tail_length:.2f}" in info
        listing = text_of(screen, "rrg-list").splitlines()
        for symbol, p in expected.items():
            row = next(line for line in listing if line.startswith(symbol + " "))
            assert heading_text(p.heading) in row and f"{p.velocity:.2f}" in row
        moves = text_of(screen, "rrg-moves")
        changed = [
            f"{s} {p.previous_quadrant} → {p.quadrant}"
            for s, p in expected.items()
            if p.previous_quadrant and p.previous_quadrant != p.quadrant
        ]
        assert changed  # the bundled week has some
        for line in changed:
            assert line in moves
        assert [t.text for t in transitions(screen.points)] == changed


async def test_time_machine_frame_k_back_equals_rrg_as_of_that_date(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_rrg(app, pilot)
        closes = app.report.closes
        assert screen.frame_date == "2026-07-31" and "newest" in text_of(screen, "rrg-title")
        dates = []
        for k in range(1, 6):
            await pilot.press("comma")
            await pilot.pause()
            assert screen.step == k
            day = screen.frame_date
            assert day is not None
            dates.append(day)
            expected = [p for p in rrg(closes, SECTOR_ETFS, "SPY", as_of=day) if p.quadrant]
            assert [p.symbol for p in screen.points] == [p.symbol for p in expected]
            for shown, want in zip(screen.points, expected, strict=True):
                assert shown.quadrant == want.quadrant and shown.tail[-1][0] == want.tail[-1][0]
                assert shown.rs_ratio == pytest.approx(want.rs_ratio, rel=1e-12)
                assert shown.rs_momentum == pytest.approx(want.rs_momentum, rel=1e-12)
                assert [d for d, _, _ in shown.tail] == [d for d, _, _ in want.tail]
            title = text_of(screen, "rrg-title")
            assert f"to {day}" in title and f"{k} week" in title
            assert screen.query_one(RRGPlot).data.points == screen.points
        # One week apart (Fridays, or the Thursday of a holiday week), going back.
        assert dates == sorted(dates, reverse=True) and dates[0] == "2026-07-24"
        assert not any(w.state.name == "RUNNING" for w in app.workers)  # no recomputation
        await pilot.press("full_stop", "full_stop")
        await pilot.pause()
        assert screen.step == 3 and screen.frame_date == dates[2]
        # The newest frame is the end: forward is refused there.
        await pilot.press(*["full_stop"] * 5)
        await pilot.pause()
        assert screen.step == 0 and screen.frame_date == "2026-07-31"


async def test_play_runs_a_timer_only_while_playing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rrg(app, pilot)
        assert screen.player is None
        await pilot.press("space")  # from PLAY_PERIODS back, one frame per PLAY_INTERVAL
        started = screen.step
        assert screen.player is not None and 0 < started <= PLAY_PERIODS
        assert "playing" in text_of(screen, "rrg-title")
        await asyncio.sleep(1.0)
        await pilot.pause()
        moved = screen.step
        assert moved < started
        await pilot.press("space")  # pause
        await pilot.pause()
        assert screen.player is None
        paused = screen.step
        assert 0 < paused <= moved
        await asyncio.sleep(0.6)
        await pilot.pause()
        assert screen.step == paused  # paused: nothing moves
        assert "playing" not in text_of(screen, "rrg-title")
        screen.go_to(2)
        await pilot.press("space")  # plays on from two periods back to the newest
        for _ in range(40):
            await asyncio.sleep(0.1)
            if screen.player is None:
                break
        await pilot.pause()
        assert screen.step == 0 and screen.player is None
        assert "newest" in text_of(screen, "rrg-title")
        # A key that changes the graph stops an animation too.
        await pilot.press("space", "d")
        await settle(app)
        assert screen.player is None and screen.mode == "daily"


# --- the member RRG ----------------------------------------------------------------------------


async def test_member_rrg_without_a_loader_says_it_needs_holdings(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rrg(app, pilot)
        await pilot.press("M")
        await pilot.pause()
        assert app.screen is screen
        assert any("member RRG needs holdings data" in n.message for n in app._notifications)


async def test_member_rrg_of_a_sector_is_its_holdings_against_the_etf(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        loader = app.monitor.holdings_closes
        screen = await open_rrg(app, pilot, holdings_closes=loader)
        screen.highlight = "XLV"
        await pilot.press("M")
        await settle(app)
        await pilot.pause()
        member = app.screen
        assert isinstance(member, RRGScreen) and member is not screen
        assert member.member_of == "XLV" and member.benchmark == "XLV"
        members = [h.symbol for h in load_holdings()["XLV"]]
        closes = loader(["XLV", *members])
        expected = [p for p in rrg(closes, members, "XLV") if p.quadrant]
        assert [p.symbol for p in member.points] == [p.symbol for p in expected]
        for shown, want in zip(member.points, expected, strict=True):
            assert shown.rs_ratio == pytest.approx(want.rs_ratio, rel=1e-12)
            assert shown.quadrant == want.quadrant
        assert ("UNH", "no data") in member.missing  # no bundled prices: never a point
        assert "UNH (no data)" in text_of(member, "rrg-na")
        assert "XLV holdings vs XLV" in text_of(member, "rrg-title")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
