"""At a glance, in the real app on the bundled data: the first 80×24 screen answers the
question with no key pressed, nothing is cut mid-word, the digest screen, the positions screen
against a hand computation, and a broken positions file."""

from __future__ import annotations

import csv
import gzip
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from faults_helpers import seeded_copy, settle
from rich.console import Console
from textual.widgets import DataTable, Static

import tui.data
from tui.app.app import RotmonApp
from tui.app.screens.dashboard import DashboardScreen, glance_line, sectors_first
from tui.app.screens.digest import DigestScreen
from tui.app.screens.positions import PositionsScreen
from tui.app.widgets.catalysts import CatalystsTable, when_cells, wrap_event
from tui.config import SECTOR_ETFS, Config
from tui.glance import digest, digest_headline
from tui.regime.digest import digest_lines
from tui.report import Report

CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)
SNAPSHOT = Path(tui.data.__file__).parent / "snapshot"


def make_app(tmp_path: Path, clock: datetime = CLOCK) -> RotmonApp:
    app = RotmonApp(
        Config(),
        cache_path=seeded_copy(tmp_path / "cache" / "rotmon.sqlite"),
        offline=True,
        clock=lambda: clock,
        config_path=tmp_path / "config" / "config.toml",
    )
    app.dashboard.glance_inputs = app.monitor.glance_inputs  # until the app passes it
    return app


def screen_lines(app: Any) -> list[str]:
    """The screen as the terminal shows it, one string per row."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False).split("\n")[:height]


def next_meeting_days(now: datetime) -> int:
    """Whole days to the next decision (14:00 New York on a meeting's last day), from the
    bundled calendar read here."""
    from zoneinfo import ZoneInfo

    with (SNAPSHOT / "fomc_meetings.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    end_column = next(k for k in rows[0] if "end" in k)
    times = sorted(
        datetime.fromisoformat(r[end_column]).replace(hour=14, tzinfo=ZoneInfo("America/New_York"))
        for r in rows
    )
    upcoming = next(t for t in times if t > now)
    return int((upcoming - now).total_seconds() // 86400)


def last_two_closes(symbols: set[str]) -> dict[str, tuple[float, float]]:
    """symbol -> (previous, last) adjusted close from the bundled CSV."""
    found: dict[str, dict[str, float]] = {s: {} for s in symbols}
    with gzip.open(SNAPSHOT / "prices_daily.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["symbol"] in found and row["adj_close"]:
                found[row["symbol"]][row["date"]] = float(row["adj_close"])
    out = {}
    for symbol, series in found.items():
        days = sorted(series)
        out[symbol] = (series[days[-2]], series[days[-1]])
    return out


def cell(table: DataTable[Any], row: str, column: str) -> str:
    value = table.get_cell(row, column)
    return value.plain if hasattr(value, "plain") else str(value)


# -- the first screen -------------------------------------------------------------------------


async def test_first_80x24_screen_shows_every_sector_the_summary_and_the_fomc(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.pause()
        lines = screen_lines(app)
        words = set(re.findall(r"[A-Z^]+", "\n".join(lines)))
        for etf in SECTOR_ETFS:
            assert etf in words, etf
        days = next_meeting_days(CLOCK)
        assert days == 44  # 2026-09-16 14:00 ET from Monday 2026-08-03 15:00 UTC
        glance = next(line for line in lines if "next FOMC" in line)
        assert re.match(r" Rotation (ON|OFF|MIXED) \d+/\d+ · vs SPY · next FOMC in 44 d", glance)
        assert any("source snapshot" in line for line in lines)  # the status line
        # The digest line: what changed since the previous close, in whole phrases.
        d = digest(app.monitor.glance_inputs(), "yesterday")
        line = str(app.screen.query_one("#digest-line", Static).render())
        assert line == digest_headline(d, 78) and line.startswith("Since 07-30: ")
        assert any(line in text for text in lines)
        # The charts are one key away.
        assert not app.screen.query_one("#rs-selected").display
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.query_one("#rs-selected").display


def test_sectors_come_first_and_the_calendar_end_is_named() -> None:
    groups = [("Benchmarks", ["SPY"]), ("Size", ["IWM"]), ("Sectors", list(SECTOR_ETFS))]
    assert [g for g, _ in sectors_first(groups)] == ["Sectors", "Benchmarks", "Size"]
    assert sectors_first([("A", ["SPY"])]) == [("A", ["SPY"])]
    with (SNAPSHOT / "fomc_meetings.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    last = max(r[next(k for k in r if "end" in k)] for r in rows)
    assert last == "2027-12-08"
    summary = {"label": "Rotation ON 7/10", "groups": {"Policy": {"passed": 1, "known": 2}}}
    report = Report("SPY", "2027-12-31", [], [], summary, [], None)
    after = datetime(2028, 1, 3, tzinfo=UTC)
    assert glance_line(report, after, 200) == (
        "Rotation ON 7/10 · vs SPY · FOMC calendar ends 2027-12-08: add meetings in the events"
        " file"
        " · Policy 1/2"
    )
    fomc = {"datetime": "2026-09-16T14:00:00-04:00"}
    report.next_fomc = fomc
    assert glance_line(report, CLOCK, 46) == "Rotation ON 7/10 · vs SPY · next FOMC in 44 d"


# -- nothing cut mid-word ---------------------------------------------------------------------


def test_catalyst_dates_in_another_year_show_it() -> None:
    item = {"datetime": "2027-01-27T14:00:00-05:00", "time_known": True}
    assert when_cells(item, CLOCK)[0] == "2027-01-27 14:00 ET"
    assert when_cells({**item, "datetime": "2026-09-16T14:00:00-04:00"}, CLOCK)[0] == (
        "Wed 09-16 14:00 ET"
    )
    assert when_cells({**item, "time_known": False}, CLOCK)[0] == "2027-01-27"


def test_event_names_wrap_between_words() -> None:
    name, detail = "Jobs report (Aug)", "BLS Employment Situation for August 2026"
    assert wrap_event(name, detail, 27) == ["Jobs report (Aug) · BLS", "Employment Situation for…"]
    assert wrap_event(name, detail, 80) == [f"{name} · {detail}"]
    assert wrap_event("FOMC decision", "no change (3.50–3.75%)", 27) == [
        "FOMC decision · no change",
        "(3.50–3.75%)",
    ]
    assert wrap_event("A very long event name here", "detail", 10) == [
        "A very",
        "long event",
        "name here",
    ]


def check_catalysts(table: CatalystsTable, catalysts: list[dict[str, Any]]) -> None:
    """Every row's event starts with the catalyst's whole name; each line fits its column;
    the detail is whole or shortened at a word with '…'."""
    width = table.columns[next(k for k in table.columns if k.value == "event")].width
    for index, item in enumerate(catalysts):
        text = table.get_row_at(index)[-1].plain
        lines = text.split("\n")
        assert all(len(line) <= width for line in lines), (lines, width)
        joined = " ".join(lines)
        full = item["name"] + (f" · {item['detail']}" if item.get("detail") else "")
        assert joined == full or (
            joined.endswith("…") and full.startswith(joined[:-1]) and full[len(joined) - 1] == " "
        ), (joined, full)
        assert joined.startswith(item["name"])


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_catalysts_keep_whole_event_names(tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(app)
        if size[0] < 140:
            for _ in range(4):  # v: SPY chart, thesis chart, rules, catalysts
                await pilot.press("v")
        await pilot.pause()
        table = app.screen.query_one(CatalystsTable)
        assert table.display and app.report is not None
        check_catalysts(table, app.report.catalysts)
        shown = "\n".join(screen_lines(app))
        assert "FOMC decision · no change" in shown and "Jobs report (Aug) · BLS" in shown


# -- the digest screen ------------------------------------------------------------------------


async def test_digest_screen_lists_everything_and_toggles(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("w")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DigestScreen)
        expected = "\n".join(digest_lines(digest(app.monitor.glance_inputs(), "yesterday")))
        assert str(screen.query_one("#digest-text", Static).render()).strip() == expected
        await pilot.press("t")
        await pilot.pause()
        text = str(screen.query_one("#digest-text", Static).render())
        assert text.startswith("no earlier session is recorded yet")  # a fresh cache
        assert "since your last session" in str(screen.query_one("#digest-title").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


# -- the positions screen ---------------------------------------------------------------------


async def test_positions_screen_against_a_hand_computation(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    path = tmp_path / "config" / "positions.csv"
    path.write_text("symbol,quantity,cost_basis\nXLK,40,212.50\nXLE,30,80\nQQQ,10,\n")
    closes = last_two_closes({"XLK", "XLE", "QQQ"})
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("b")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PositionsScreen)
        table = screen.query_one("#book-table", DataTable)
        quantity = {"XLK": 40, "XLE": 30, "QQQ": 10}
        cost = {"XLK": 212.50, "XLE": 80.0}
        for symbol, qty in quantity.items():
            prev, last = closes[symbol]
            assert cell(table, symbol, "value") == f"{qty * last:,.2f}"
            day = qty * (last - prev)
            assert cell(table, symbol, "day") == ("+" if day > 0 else "−") + f"{abs(day):,.2f}"
            assert cell(table, symbol, "day_pct").rstrip("%").lstrip("+−") == (
                f"{abs(last / prev - 1) * 100:.2f}"
            )
            if symbol in cost:
                total = qty * (last - cost[symbol])
                sign = "+" if total > 0 else "−"
                assert cell(table, symbol, "total") == f"{sign}{abs(total):,.2f}"
            else:
                assert cell(table, symbol, "total") == "n/a"
        value = sum(q * closes[s][1] for s, q in quantity.items())
        summary = str(screen.query_one("#book-summary", Static).render())
        assert f"value {value:,.2f}" in summary
        exposure = str(screen.query_one("#book-exposure", Static).render())
        xlk = 40 * closes["XLK"][1] / value
        line = next(x for x in exposure.splitlines() if x.startswith("overweight XLK"))
        assert f"(book {xlk * 100:.1f}%, SPY " in line and re.search(r"· XLK \w+ [▲▼◆]", line)
        assert f"QQQ not looked through ({10 * closes['QQQ'][1] / value * 100:.1f}%" in exposure
        assert path.read_text().startswith("symbol,quantity")  # never written


async def test_a_broken_positions_file_is_reported_and_the_app_goes_on(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    path = tmp_path / "config" / "positions.csv"
    path.write_text("symbol,quantity,cost_basis\nXLK,ten,1\n$$$,5,1\nXLE,30,-4\nXLV,2,100\n")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("b")
        await settle(app)
        await pilot.pause()
        problems = str(app.screen.query_one("#book-problems", Static).render()).splitlines()
        assert [p.split(":")[:2] for p in problems] == [
            ["positions.csv", "2"],
            ["positions.csv", "3"],
            ["positions.csv", "4"],
        ]
        table = app.screen.query_one("#book-table", DataTable)
        assert [r.key.value for r in table.ordered_rows] == ["XLV"]  # the good row kept
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("w")  # and the rest of the app works
        await settle(app)
        assert isinstance(app.screen, DigestScreen)
        assert not app._notifications or all(
            "Traceback" not in n.message for n in app._notifications
        )


async def test_no_positions_file_says_where_to_put_one(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("b")
        await settle(app)
        await pilot.pause()
        summary = str(app.screen.query_one("#book-summary", Static).render())
        assert summary == f"no positions file: put positions.csv in {tmp_path / 'config'}"
