"""The relative rotation graph screen: label placement, navigation and the screen on real data.

Pure parts of the plot widget (label placement, arrow navigation, the frame) are tested on
their own; the screen is driven with Textual's pilot on the bundled snapshot and a real SQLite
cache, the way tests/test_app.py drives the dashboard.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from faults_helpers import seeded_copy, settle
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from tui.analytics.rrg import QUADRANTS, RRGPoint, rrg
from tui.app.app import RotmonApp
from tui.app.messages import OpenSymbol
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.detail import DetailScreen
from tui.app.screens.rrg import RRGScreen
from tui.app.widgets import rrg_plot
from tui.app.widgets.rrg_plot import (
    Frame,
    PlotColors,
    PlotData,
    RRGPlot,
    draw,
    label_candidates,
    nearest_in_direction,
    place_labels,
    viewport,
)
from tui.config import SECTOR_ETFS, Config
from tui.data.yahoo import FetchResult

CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)


# --- helpers copied from tests/test_app.py -----------------------------------------------------


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


def make_app(tmp_path: Path) -> RotmonApp:
    """The app on a copy of a cache seeded as its first start seeds it (seeding costs ~1.2 s)."""
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
    """Settle the app, push the graph of the bundled data vs SPY, wait for its points."""
    await settle(app)
    assert app.report is not None and app.report.closes is not None
    screen = RRGScreen(app.report.closes, groups_of(app), "SPY", **kwargs)  # type: ignore[arg-type]
    app.push_screen(screen)
    await settle(app)
    await pilot.pause()
    assert app.screen is screen
    return screen


def side_text(screen: RRGScreen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).render())


def point(symbol: str, x: float, y: float, tail: int = 1) -> RRGPoint:
    quadrant = ("Leading" if y >= 100 else "Weakening") if x >= 100 else None
    quadrant = quadrant or ("Improving" if y >= 100 else "Lagging")
    trail = tuple((f"2026-07-{10 + i:02d}", x - 0.1 * (tail - 1 - i), y) for i in range(tail))
    return RRGPoint(symbol, x, y, quadrant, trail, quadrant)


# --- label placement (pure) --------------------------------------------------------------------


def label_cells(label: str, start: tuple[int, int]) -> set[tuple[int, int]]:
    return {(start[0] + i, start[1]) for i in range(len(label))}


def assert_valid_placement(
    anchors: Sequence[tuple[str, int, int]],
    bounds: tuple[int, int, int, int],
    blocked: set[tuple[int, int]],
    placed: dict[str, tuple[int, int] | None],
) -> None:
    left, top, right, bottom = bounds
    markers = {(c, r) for _, c, r in anchors}
    taken: set[tuple[int, int]] = set()
    for label, _col, row in anchors:
        start = placed[label]
        if start is None:
            continue
        cells = label_cells(label, start)
        assert all(left <= c < right and top <= r < bottom for c, r in cells), (label, start)
        assert not cells & taken, f"{label} overlaps another label"
        assert not cells & markers, f"{label} covers a marker"
        assert not cells & blocked, f"{label} covers blocked text"
        # One free cell between two labels on a row, so "XLKXLF" never reads as one word.
        assert (start[0] - 1, start[1]) not in taken and (
            start[0] + len(label),
            start[1],
        ) not in taken
        assert abs(start[1] - row) <= rrg_plot.LABEL_REACH
        taken |= cells


def test_label_candidates_start_right_then_left_and_never_cover_the_marker() -> None:
    cands = label_candidates(10, 5, 3)
    assert cands[:2] == [(11, 5), (7, 5)]  # "●XLK" then "XLK●"
    assert cands[2:4] == [(12, 5), (6, 5)]  # one cell away on the same row
    assert cands[4:8] == [(9, 4), (9, 6), (8, 4), (10, 4)]  # over / under the marker
    assert cands[8:12] == [(8, 6), (10, 6), (11, 4), (11, 6)]  # then diagonally right
    assert all(not (row == 5 and start <= 10 < start + 3) for start, row in cands)
    assert len(cands) == len(set(cands))


def test_place_labels_crowded_cluster_has_no_overlap_and_is_deterministic() -> None:
    symbols = list(SECTOR_ETFS)
    # Eleven markers packed into a 4 × 3 block in the middle of a 40 × 12 plot.
    anchors = [(s, 18 + i % 4, 5 + i // 4) for i, s in enumerate(symbols)]
    bounds = (0, 0, 40, 12)
    blocked = {(c, 0) for c in range(30, 40)}  # e.g. the "LEADING" name
    placed = place_labels(anchors, bounds, blocked)
    assert_valid_placement(anchors, bounds, blocked, placed)
    assert placed == place_labels(anchors, bounds, blocked)
    assert placed[symbols[0]] == (19, 5) or placed[symbols[0]] is not None
    assert sum(v is not None for v in placed.values()) >= 9  # room enough for nearly all


def test_place_labels_first_label_takes_the_best_spot_and_a_full_pane_gives_none() -> None:
    placed = place_labels([("XLK", 5, 2), ("XLF", 6, 2)], (0, 0, 20, 5))
    assert placed["XLK"] is not None and placed["XLF"] is not None
    assert placed["XLF"] == (7, 2)  # right of its own marker
    assert placed["XLK"] != (6, 2)  # not over XLF's marker
    # Every cell blocked: nowhere to go, and that is said with None, not an overlap.
    everything = {(c, r) for c in range(10) for r in range(3)}
    assert place_labels([("XLK", 4, 1)], (0, 0, 10, 3), everything) == {"XLK": None}


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 29), st.integers(0, 9)), min_size=1, max_size=11, unique=True
    ),
    st.sets(st.tuples(st.integers(0, 29), st.integers(0, 9)), max_size=20),
)
def test_place_labels_never_overlaps(
    cells: list[tuple[int, int]], blocked: set[tuple[int, int]]
) -> None:
    anchors = [(symbol, c, r) for symbol, (c, r) in zip(SECTOR_ETFS, cells, strict=False)]
    blocked -= set(cells)
    bounds = (0, 0, 30, 10)
    assert_valid_placement(anchors, bounds, blocked, place_labels(anchors, bounds, blocked))


# --- navigation, frame, colours (pure) ---------------------------------------------------------


def test_nearest_in_direction() -> None:
    pts = [
        ("A", 100.0, 100.0),
        ("B", 101.0, 100.1),  # just right
        ("C", 100.2, 101.5),  # mostly up
        ("D", 100.3, 98.0),  # mostly down, a little right
        ("E", 98.0, 100.0),  # left
        ("F", 102.0, 103.0),  # far up-right
    ]
    assert nearest_in_direction(pts, "A", "right") == "B"
    assert nearest_in_direction(pts, "A", "up") == "C"
    assert nearest_in_direction(pts, "A", "down") == "D"
    assert nearest_in_direction(pts, "A", "left") == "E"
    assert nearest_in_direction(pts, "E", "left") is None  # nothing further left
    assert nearest_in_direction(pts, "F", "up") is None
    assert nearest_in_direction(pts, "F", "right") is None
    assert nearest_in_direction(pts, "nope", "right") is None
    # Distances count in half-spans: stretching x makes the up-right point the nearer one.
    assert nearest_in_direction(pts, "A", "right", spans=(10.0, 1.0)) == "B"
    assert (
        nearest_in_direction(
            [("A", 100, 100), ("B", 100.5, 101), ("C", 101, 100)], "A", "right", spans=(0.1, 10.0)
        )
        == "B"
    )


def test_frame_maps_quadrants_consistently_on_real_points() -> None:
    import analytics_reference as ref

    frame_df = ref.wide_frame(ref.snapshot())
    points = [p for p in rrg(frame_df, SECTOR_ETFS, "SPY") if p.quadrant]
    hx, hy = viewport(points)
    for _, x, y in (t for p in points for t in p.tail):
        assert abs(x - 100) <= hx and abs(y - 100) <= hy
    for width, height in ((20, 10), (80, 24), (200, 60)):
        frame = Frame(0, 0, width, height, hx, hy)
        assert frame.cell(100 - hx, 100 + hy) == (0, 0)
        assert frame.cell(100 + hx, 100 - hy) == (width - 1, height - 1)
        for p in points:
            assert p.rs_ratio is not None and p.rs_momentum is not None
            where = frame.quadrant_of(*frame.cell(p.rs_ratio, p.rs_momentum))
            assert where in (None, p.quadrant), (p.symbol, width, where, p.quadrant)


def test_quadrant_names_match_the_analytics() -> None:
    assert set(rrg_plot.QUADRANT_VARIABLES) == set(QUADRANTS)


def test_draw_with_every_theme_and_any_size() -> None:
    from textual.app import App

    points = (point("XLK", 101, 101, 4), point("XLF", 99, 98, 4), point("XLE", 100.5, 99, 4))
    data = PlotData(points, "XLF")
    for name, theme in App().available_themes.items():
        colors = PlotColors.from_variables(theme.to_color_system().generate())
        assert set(colors.quadrant) == set(QUADRANTS), name
        drawing = draw(data, 60, 20, colors)
        assert len(drawing.canvas.strips()) == 20
    for width in range(0, 45, 3):
        for height in range(0, 14):
            drawing = draw(data, width, height)
            rows = drawing.canvas.rows()
            assert len(rows) == height and all(len(r) == width for r in rows)
            for symbol, start in drawing.labels.items():
                if start is not None:
                    assert rows[start[1]][start[0] : start[0] + len(symbol)] == symbol
    assert draw(PlotData((), None, "computing…"), 30, 8).canvas.rows()[5].strip() == "computing…"


def test_screen_module_does_not_load_pandas() -> None:
    code = (
        "import sys, tui.app.screens.rrg, tui.app.widgets.rrg_plot;"
        "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_every_binding_says_what_it_does() -> None:
    for binding in RRGScreen.BINDINGS:
        assert isinstance(binding, Binding)
        assert binding.description and binding.tooltip, binding.key


# --- the screen on real data -------------------------------------------------------------------


async def test_every_sector_on_the_graph_with_rrg_quadrants(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        screen = await open_rrg(app, pilot)
        assert screen.group == "Sectors" and screen.mode == "weekly" and screen.tail == 8
        drawing = screen.query_one(RRGPlot).drawn()
        rows = drawing.canvas.rows()
        missing = {symbol for symbol, _ in screen.missing}
        for etf in SECTOR_ETFS:
            start = drawing.labels.get(etf)
            if etf in missing:
                assert f"{etf} (" in side_text(screen, "rrg-na")
                continue
            assert start is not None, f"{etf} has no label"
            assert rows[start[1]][start[0] : start[0] + len(etf)] == etf
        assert not missing  # every sector ETF has 28+ weeks in the snapshot

        expected = {p.symbol: p for p in rrg(app.report.closes, SECTOR_ETFS, "SPY")}
        for shown in screen.points:
            want = expected[shown.symbol]
            assert shown.quadrant == want.quadrant
            assert shown.rs_ratio == pytest.approx(want.rs_ratio, rel=1e-12)
            assert shown.previous_quadrant == want.previous_quadrant
            assert len(shown.tail) == 8
        # XLK, highlighted first: its figures and quadrant in the side panel.
        assert screen.highlight == "XLK"
        xlk = expected["XLK"]
        info = side_text(screen, "rrg-info")
        assert f"{xlk.rs_ratio:.2f}" in info and f"{xlk.rs_momentum:.2f}" in info
        assert xlk.quadrant in info and (xlk.previous_quadrant or "n/a") in info
        title = side_text(screen, "rrg-title")
        assert "Sectors vs SPY" in title and "to 2026-07-31" in title
        listing = side_text(screen, "rrg-list")
        assert all(etf in listing for etf in SECTOR_ETFS)


def expected_neighbour(screen: RRGScreen, direction: str) -> str | None:
    """Written out again: ahead along the arrow, least along + 2 * across in half-spans."""
    hx, hy = viewport(screen.points)
    here = screen.point_of(screen.highlight)
    assert here is not None and here.rs_ratio is not None and here.rs_momentum is not None
    best = None
    for p in screen.points:
        if p.symbol == here.symbol:
            continue
        dx, dy = (p.rs_ratio - here.rs_ratio) / hx, (p.rs_momentum - here.rs_momentum) / hy
        along, across = {
            "right": (dx, abs(dy)),
            "left": (-dx, abs(dy)),
            "up": (dy, abs(dx)),
            "down": (-dy, abs(dx)),
        }[direction]
        if along > 0 and (best is None or along + 2 * across < best[0]):
            best = (along + 2 * across, p.symbol)
    return best[1] if best else None


async def test_arrows_move_the_highlight_and_enter_opens_the_drilldown(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        screen = await open_rrg(app, pilot)
        visited = [screen.highlight]
        for key in ("right", "up", "left", "down", "right"):
            want = expected_neighbour(screen, key)
            await pilot.press(key)
            await pilot.pause()
            if want is not None:
                assert screen.highlight == want, key
                visited.append(want)
            assert screen.query_one(RRGPlot).data.highlight == screen.highlight
            assert str(screen.highlight) in side_text(screen, "rrg-info")
        assert len(set(visited)) >= 3  # the arrows really went somewhere
        drawing = screen.query_one(RRGPlot).drawn()
        start = drawing.labels[screen.highlight]  # type: ignore[index]
        assert start is not None  # the highlighted label is placed first: always shown

        target = screen.highlight
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        assert any(isinstance(m, OpenSymbol) and m.symbol == target for m in seen)
        assert isinstance(app.screen, DetailScreen) and app.screen.symbol == target
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_daily_weekly_toggle_and_tail_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_rrg(app, pilot)
        closes = app.report.closes
        weekly = {p.symbol: p for p in screen.points}
        await pilot.press("d")
        await settle(app)
        await pilot.pause()
        assert screen.mode == "daily"
        daily = {p.symbol: p for p in screen.points}
        assert daily != weekly
        expected = {
            p.symbol: p for p in rrg(closes, SECTOR_ETFS, "SPY", mode="daily") if p.quadrant
        }
        assert daily == expected
        # Consecutive daily tail points are one trading day apart, not a week.
        assert daily["XLK"].tail[-2][0] == "2026-07-30"
        assert "daily" in side_text(screen, "rrg-title")
        assert screen.query_one(RRGPlot).data.points == screen.points

        await pilot.press("plus", "plus", "minus", "plus")
        await settle(app)
        assert screen.tail == 10
        assert all(len(p.tail) == 10 for p in screen.points)
        await pilot.press("w")
        await settle(app)
        await pilot.pause()
        assert screen.mode == "weekly"
        assert {p.symbol: p.quadrant for p in screen.points} == {
            s: p.quadrant for s, p in weekly.items()
        }
        assert all(len(p.tail) == 10 for p in screen.points)
        assert screen.points[0].tail[-2][0] == "2026-07-24"


async def test_groups_cycle_and_symbols_without_a_point_are_listed(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_rrg(app, pilot)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(app)
        await pilot.pause()
        assert screen.group == "Benchmarks"
        assert ("SPY", "the benchmark") in screen.missing
        assert "n/a: SPY (the benchmark)" in side_text(screen, "rrg-na")
        assert {p.symbol for p in screen.points} == {"QQQ", "RSP", "DIA"}
        await pilot.press("left_square_bracket")
        await settle(app)
        await pilot.pause()
        assert screen.group == "Macro"  # wraps around
        assert ("^VIX", "not a price") in screen.missing
        assert screen.highlight in {p.symbol for p in screen.points}

        odd = RRGScreen(app.report.closes, [("Odd", ["NOPE", "SPY", "XLK"])], "SPY", tail=3)
        app.push_screen(odd)
        await settle(app)
        await pilot.pause()
        assert odd.missing == (("NOPE", "no data"), ("SPY", "the benchmark"))
        assert [p.symbol for p in odd.points] == ["XLK"]
        drawing = odd.query_one(RRGPlot).drawn()
        assert drawing.labels == {"XLK": drawing.labels["XLK"]}
        assert "NOPE (no data)" in side_text(odd, "rrg-na")


@pytest.mark.parametrize("size", [(80, 24), (200, 60), (20, 10)])
async def test_renders_at_any_size(tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_rrg(app, pilot)
        plot = screen.query_one(RRGPlot)
        width, height = plot.content_size.width, plot.content_size.height
        assert height >= 3 and width == (size[0] if size[0] < 110 else size[0] - 36)
        drawing = plot.drawn()
        assert len(drawing.canvas.rows()) == height
        app.save_screenshot(str(tmp_path / "rrg.svg"))  # renders every widget for real
        if size != (20, 10):
            assert all(drawing.labels.get(etf) for etf in SECTOR_ETFS), drawing.labels
            assert "LEADING" in "".join(drawing.canvas.rows())
        await pilot.resize_terminal(20, 10)
        await pilot.pause()
        await pilot.resize_terminal(*size)
        await pilot.pause()
        assert app.screen is screen


async def test_a_failing_computation_is_shown_not_raised(tmp_path: Path) -> None:
    class Broken:
        """Not a frame: rrg() raises inside the worker."""

        def __getattr__(self, name: str) -> object:
            raise RuntimeError("broken closes")

        def __contains__(self, key: object) -> bool:
            raise RuntimeError("broken closes")

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        screen = RRGScreen(Broken(), groups_of(app), "SPY")  # type: ignore[arg-type]
        app.push_screen(screen)
        await settle(app)
        await pilot.pause()
        assert app.screen is screen and screen.error and "broken closes" in screen.error
        assert screen.query_one(RRGPlot).data.note == screen.error
        assert any("broken closes" in n.message for n in app._notifications)


async def test_new_closes_recompute_the_graph(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_rrg(app, pilot)
        closes = app.report.closes
        older = closes[closes.index <= "2026-06-30"]
        screen.set_closes(older)
        await settle(app)
        await pilot.pause()
        expected = [p for p in rrg(older, SECTOR_ETFS, "SPY") if p.quadrant]
        assert list(screen.points) == expected
        assert screen.points[0].tail[-1][0] == "2026-06-30"
        assert "to 2026-06-30" in side_text(screen, "rrg-title")
