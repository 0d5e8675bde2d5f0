"""Faults a hostile probe found in the UI (issue 16): numbers cut at some widths, a half
table in a small window, problem notices taller than the screen, the status line's claims.

The width tests read what the terminal would show: the real app on the bundled snapshot,
its screen rendered by Textual's compositor to plain text (as a screenshot is), and each
table cell's text compared with the figure tui.format writes for that row's value.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from faults_helpers import settle
from rich.cells import cell_len
from rich.console import Console
from test_app import make_app

from tui.app.screens.problems import ProblemsScreen, short_notice
from tui.app.widgets.sector_table import (
    BREADTH_KEYS,
    COLUMNS,
    SectorTable,
    fit_bp,
    fit_pct,
    fit_price,
    group_key,
)
from tui.app.widgets.status_bar import (
    Status,
    StatusBar,
    banner_text,
    shown_state,
    status_text,
)
from tui.format import bp, pct, price
from tui.universe import NOT_PRICES

# ------------------------------------------------------------------------------ helpers


def screen_lines(app: Any) -> list[str]:
    """The screen as the terminal shows it, one string per row (as a screenshot renders)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    lines = console.export_text(styles=False).split("\n")
    assert len(lines) >= height
    return lines[:height]


def expected_cell(key: str, row: dict[str, Any]) -> str | None:
    """What the cell of a column shows for a report row, written with tui.format's own
    formats (None: not a number, not checked here)."""
    symbol = row["symbol"]
    changes = row.get("chg")
    if key == "last":
        return price(row.get("close"))
    if key in ("rs1M", "rs3M"):
        return "·" if symbol in NOT_PRICES else pct((row.get("rs") or {}).get(key[2:]))
    if key in ("1D", "1W", "1M", "3M", "6M", "YTD", "1Y", "high"):
        if changes is not None:
            return bp(changes.get("52wH" if key == "high" else key))
        if key == "high":
            return pct(row.get("from_high"))
        return pct((row.get("ret") or {}).get(key))
    return None


def cut_cells(app: Any) -> tuple[list[str], int]:
    """Every visible table cell whose text on screen is not its whole figure, and how many
    numeric cells were checked."""
    table = app.screen.query_one(SectorTable)
    lines = screen_lines(app)
    view = table.scrollable_content_region  # on screen, without the scrollbars
    rows = {row["symbol"]: row for row in app.report.rows}
    problems: list[str] = []
    checked = 0
    x = view.x - round(table.scroll_x)
    spans = []
    for column in table.ordered_columns:
        width = column.get_render_width(table)
        spans.append((str(column.key.value), x, x + width))
        x += width
    for key, start, end in spans:
        if start < view.right and end > view.right:
            problems.append(f"column {key} runs past the edge ({end} > {view.right})")
    first = view.y + table.header_height
    offset = 0  # a group's header row can take more than one line (its name wrapped)
    for table_row in table.ordered_rows:
        y = first + offset - round(table.scroll_y)
        offset += table_row.height
        symbol = table_row.key.value
        if y < first or y >= view.bottom or symbol is None or symbol.startswith("§"):
            continue
        for key, start, end in spans:
            want = expected_cell(key, rows[symbol])
            if want is None or start >= view.right:
                continue
            shown = lines[y][start:end].strip()
            checked += 1
            if shown != want:
                problems.append(f"{symbol} {key}: shows {shown!r}, the figure is {want!r}")
    return problems, checked


# ------------------------------------------------------------------------ figures that fit


def test_fit_pct_keeps_two_decimals_until_the_column_is_too_narrow() -> None:
    assert fit_pct(0.0123, 7) == "+1.23%"
    assert fit_pct(-0.9999, 7) == "−99.99%"  # 7 cells: as it is
    assert fit_pct(-0.99996, 8) == "−100.00%"
    assert fit_pct(-0.99996, 7) == "−100.0%"  # one decimal rather than a cut
    assert fit_pct(5.0, 7) == "+500.0%"
    assert fit_pct(9.9994, 7) == "+999.9%"
    assert fit_pct(9.9996, 7) == ">+999%"  # rounds to 1000.0%: the bounded form
    assert fit_pct(1e308, 7) == ">+999%"
    assert fit_pct(float("-inf"), 7) == "<−999%"
    assert fit_pct(float("nan"), 7) == "n/a"
    assert fit_pct(None, 7) == "n/a"


def test_fit_bp_falls_back_to_whole_percentage_points() -> None:
    assert fit_bp(0.123, 7) == "+12bp"
    assert fit_bp(-99.99, 7) == "−9999bp"  # 7 cells: as it is
    assert fit_bp(100.0, 7) == "+100pt"  # 10,000bp: '>+9999bp' is 8 cells
    assert fit_bp(-123.4, 7) == "−123pt"
    assert fit_bp(1e308, 7) == ">+999pt"
    assert fit_bp(float("-inf"), 7) == "<−999pt"
    assert fit_bp(None, 7) == "n/a"


def test_fit_price_goes_scientific_when_the_column_is_too_narrow() -> None:
    assert fit_price(747.03, 8) == "747.03"
    assert fit_price(12_345.0, 8) == "12,345"
    assert fit_price(1_234_567.0, 8) == "1.2e6"  # '1,234,567' is 9 cells
    assert fit_price(1_234_567.0, 9) == "1,234,567"
    assert fit_price(1e308, 8) == "1.0e308"
    assert fit_price(1e-300, 8) == "1.0e-300"
    assert fit_price(float("inf"), 8) == "∞"


def test_every_column_holds_its_longest_figure() -> None:
    """Each column is as wide as the longest text its fit_* form can write."""
    extremes = [0.0, 1e-9, 0.0123, -0.99996, 0.99996, 5.0, 9.9994, 9.9996, 1e308, -1e308]
    extremes += [float("inf"), float("-inf"), float("nan"), None, 99.99, -100.0, 12345.0]
    for column in COLUMNS:
        if column.key in ("symbol", "trend", "quad", "spark", *BREADTH_KEYS):
            continue  # not figures of fit_*: the breadth's "100%" fits its 5 cells
        for value in extremes:
            texts = [fit_pct(value, column.width), fit_bp(value, column.width)]
            if column.key == "last":
                texts = [fit_price(value, column.width)]
                texts += [fit_price(v, column.width) for v in (1e6, 9_999_999.0, -9_999_999.0)]
            for text in texts:
                assert cell_len(text) <= column.width, (column.key, value, text)


# ----------------------------------------------------------------- the real app, every width


def widths() -> list[int]:
    return [*range(80, 151), *range(160, 201, 10)]


async def test_no_number_is_cut_at_any_width_from_80_up(tmp_path: Path) -> None:
    """Finding 5: at 140–145 columns the 52wH column was cut in every row (`−`, `−1.`)."""
    app = make_app(tmp_path)
    # 34 rows: five rows of figures in view even when a group's name takes two lines.
    async with app.run_test(size=(200, 34)) as pilot:
        await settle(app)
        failures: dict[int, list[str]] = {}
        for width in widths():
            await pilot.resize_terminal(width, 34)
            await pilot.pause()
            problems, checked = cut_cells(app)
            assert checked >= 7 * 5, (width, checked)  # every numeric column of 5+ rows
            if problems:
                failures[width] = problems[:3]
        assert not failures, failures


async def test_columns_are_dropped_whole_under_80_columns(tmp_path: Path) -> None:
    """Finding 5, 45–79 columns: the table gives up columns rather than cut one."""
    app = make_app(tmp_path)
    async with app.run_test(size=(79, 40)) as pilot:
        await settle(app)
        shown = {}
        for width in (79, 70, 60, 50, 45):
            await pilot.resize_terminal(width, 40)
            await pilot.pause()
            problems, _ = cut_cells(app)
            assert not problems, (width, problems[:3])
            shown[width] = [c.key for c in app.screen.query_one(SectorTable).columns_shown]
        assert "symbol" in shown[45] and "rs3M" in shown[45]
        assert len(shown[45]) < len(shown[79])


async def test_extreme_values_render_bounded_and_whole(tmp_path: Path) -> None:
    """Finding 5: 1e308 showed `100,000,` and `+inf%`."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(app)
        table = app.screen.query_one(SectorTable)
        rows = [dict(r) for r in app.report.rows if r["symbol"] in ("SPY", "QQQ", "^TNX")]
        spy, qqq, tnx = sorted(rows, key=lambda r: ["SPY", "QQQ", "^TNX"].index(r["symbol"]))
        spy.update(close=1e308, from_high=-1.0, ret={"1D": 1e308, "1M": 5.0, "3M": -0.99996})
        spy["rs"] = {"3M": float("inf")}
        qqq.update(close=1_234_567.0, ret={"1D": float("-inf"), "YTD": 5.0})
        tnx["chg"] = {"1D": 123.4, "1M": 1e308, "52wH": -0.5}
        table.show(rows, [("Test", ["SPY", "QQQ", "^TNX"])], spy["last_date"])
        await pilot.pause()
        lines = screen_lines(app)

        def shown(symbol: str, key: str) -> str:
            view = table.scrollable_content_region
            y = view.y + table.header_height + table.get_row_index(symbol)
            x = view.x
            for column in table.ordered_columns:
                width = column.get_render_width(table)
                if column.key.value == key:
                    assert x + width <= view.right
                    return lines[y][x : x + width].strip()
                x += width
            raise AssertionError(f"no column {key}")

        assert shown("SPY", "last") == "1.0e308"
        assert shown("SPY", "1D") == ">+999%"
        assert shown("SPY", "1M") == "+500.0%"
        assert shown("SPY", "3M") == "−100.0%"
        assert shown("SPY", "rs3M") == ">+999%"
        assert shown("SPY", "high") == "−100.0%"
        assert shown("QQQ", "last") == "1.2e6"
        assert shown("QQQ", "1D") == "<−999%"
        assert shown("QQQ", "YTD") == "+500.00%"  # YTD is 8 cells wide: both decimals
        assert shown("^TNX", "1D") == "+123pt"
        assert shown("^TNX", "1M") == ">+999pt"
        assert shown("^TNX", "high") == "−50bp"
        assert table.get_row_index(group_key("Test")) == 0


# ---------------------------------------------------------------------- a too-small window


def visible_text(app: Any) -> str:
    return "\n".join(screen_lines(app))


async def test_a_small_window_says_make_it_larger_instead_of_a_half_table(
    tmp_path: Path,
) -> None:
    """Finding 10: a 40×12 window showed no table rows and no hint; under 80 columns a
    half table."""
    app = make_app(tmp_path)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(app)
        await pilot.pause()
        text = visible_text(app)
        assert "The window is 40×12" in text
        assert "Make the window larger" in text and "80×24" in text
        assert "Symbol" not in text and "SPY" not in text  # no half table under it
        await pilot.resize_terminal(79, 30)  # wide enough rows, one column short
        await pilot.pause()
        text = visible_text(app)
        assert "The window is 79×30" in text and "Symbol" not in text
        await pilot.resize_terminal(100, 23)  # wide enough, one row short
        await pilot.pause()
        assert "The window is 100×23" in visible_text(app)
        await pilot.resize_terminal(80, 24)  # the smallest layout: the table, no hint
        await pilot.pause()
        text = visible_text(app)
        assert "Make the window larger" not in text
        assert "Symbol" in text and "SPY" in text
        await pilot.press("q")  # keys still work under the hint (and at any size)


# ------------------------------------------------------------------------ the problems screen


def bad_config(tmp_path: Path, count: int) -> Path:
    """A config.toml with ``count`` unknown keys, the first one full of markup and a
    terminal escape (user text: shown as written, the escape replaced)."""
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ['"[b]Jobs[/b] \\u001b]0;TITLE\\u0007" = 1']
    lines += [f"unknown_key_{n:02d} = {n}" for n in range(1, count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_short_notice_counts_and_names_the_key() -> None:
    assert short_notice([]) == ""
    assert short_notice(["a"]) == "1 config problem — press ! to see it"
    assert short_notice(["a", "b", "c"]) == "3 config problems — press ! to see them"
    assert short_notice(["a", "b"], "theme") == "2 theme problems — press ! to see them"


async def test_problems_screen_fits_80x24_with_title_and_first_problem(tmp_path: Path) -> None:
    """Finding 8: at 80×24 the config-problem notice was taller than the screen, its title
    and first problems never visible. The problems screen shows the title and the first
    problem at once, scrolls to the last, and shows user text as written."""
    from tui.config import load_config

    _, problems = load_config(bad_config(tmp_path, 40))
    lines = [str(p) for p in problems]
    assert len(lines) == 40
    app = make_app(tmp_path, config_path=tmp_path / "config" / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await app.push_screen(ProblemsScreen(lines, "Config problems"))
        await pilot.pause()
        text = visible_text(app)
        assert "Config problems · 40" in text
        first = next(line for line in text.splitlines() if "1. config.toml:1:" in line)
        assert '"[b]Jobs[/b] \ufffd"' in first  # markup as written, the escape replaced
        assert "\x1b" not in text and "\x07" not in text and "TITLE\x07" not in text
        assert "unknown_key_39" not in text  # the last one is further down…
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        scroller = screen.query_one("#problems-list")
        assert scroller.region.bottom <= 24 and scroller.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        text = visible_text(app)
        assert "unknown_key_39" in text  # …and reached by scrolling
        assert "Config problems · 40" in text  # the title stays
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ProblemsScreen)


async def test_problems_screen_wraps_a_long_problem_rather_than_cut_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    long = "x" * 60 + " the end of a long problem " + "y" * 60
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await app.push_screen(ProblemsScreen([long], "Rules/events problems"))
        await pilot.pause()
        text = visible_text(app).replace("\n", "").replace(" ", "").replace("│", "")
        assert long.replace(" ", "") in text


# ----------------------------------------------------------------- what the status line claims

NOW = datetime(2026, 8, 3, 18, 10, tzinfo=UTC)  # 14:10 in New York


def test_live_only_while_fresh() -> None:
    live = Status(state="live", source="yahoo", as_of="2026-08-03", live_until=_iso(NOW, 60))
    assert shown_state(live, NOW) == "live"
    assert status_text(live, now=NOW).startswith("LIVE · ")
    assert banner_text(live, NOW) == ""
    later = NOW + timedelta(seconds=61)
    assert shown_state(live, later) == "cached"
    assert status_text(live, now=later).startswith("CACHED · ")
    assert banner_text(live, later) == "CACHED · data as of 2026-08-03"
    assert shown_state(live.with_(live_until=None), later) == "live"  # not set: as before
    assert shown_state(live.with_(live_until="2026-08-03T18:11"), NOW) == "cached"  # naive
    assert shown_state(live.with_(live_until="soon"), NOW) == "cached"


def test_intraday_time_and_sessions_behind() -> None:
    live = Status(state="live", source="yahoo", as_of="2026-08-03", intraday="14:05")
    assert "as of 2026-08-03 14:05 ET" in status_text(live, now=NOW)
    cached = Status(state="cached", as_of="2026-07-29", behind=3)
    assert banner_text(cached, NOW) == "STALE · 3 sessions behind · data as of 2026-07-29"
    assert status_text(cached, now=NOW).startswith("STALE · ")
    one = Status(state="offline", as_of="2026-07-31", behind=1)
    assert banner_text(one, NOW) == "OFFLINE · 1 session behind · data as of 2026-07-31"
    assert banner_text(Status(state="live", as_of="2026-07-31", behind=2), NOW).startswith(
        "STALE · 2 sessions behind"
    )


def _iso(moment: datetime, seconds: float) -> str:
    return (moment + timedelta(seconds=seconds)).isoformat()


async def test_the_status_bar_stops_saying_live_when_live_until_passes(tmp_path: Path) -> None:
    """A refresher that stopped must not leave LIVE on screen: one timer, at live_until."""
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        bar = app.screen.query_one(StatusBar)
        start = app.clock()  # the bar reads the app's clock (fixed in tests)
        until = _iso(start, 0.4)
        bar.show(Status(state="live", source="yahoo", as_of="2026-08-03", live_until=until))
        await pilot.pause()
        assert str(bar.render()).startswith("LIVE · source yahoo")
        app.clock = lambda: start + timedelta(seconds=0.6)  # the clock moves on past it
        await asyncio.sleep(0.6)
        await pilot.pause()
        assert str(bar.render()).startswith("CACHED · source yahoo")
