"""The mega-cap concentration screen: opened from the keys, SPY's drill-down, the rule's
evidence and the palette; its figures against pandas on the bundled CSVs; its pictures.

The figures are worked out here from ``spy_top_holdings.csv``, ``holdings_prices_daily.csv.gz``
and ``prices_daily.csv.gz`` with pandas (no code of the app's): the drifted weights, and SPY's
return from the weights' day split into each mega cap's ``w_0 · r`` and the rest.
Snapshots as tests/test_snapshots_rrg.py: the real app offline on a seeded cache copy at the
fixed clock of screenshots/generate.py; accepted pictures in
tests/__snapshots__/test_concentration_ui/.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from snapshot_helpers import SnapCompare, snap
from test_app import make_app
from textual.pilot import Pilot
from textual.widgets import Static

from screenshots.generate import finish, press, settle, show_drilldown, show_rule
from tui.app.screens.concentration import ConcentrationScreen
from tui.app.screens.detail import DetailScreen
from tui.app.screens.rule import RuleScreen

SNAP = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"
CLASSES = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA"]
SIZES = [(120, 36), (80, 24)]
MINUS = "\u2212"


@pytest.fixture(scope="module")
def reference() -> dict[str, float]:
    """Weights and SPY's split from 2025-11-18 to 2026-07-31, straight from the CSVs."""
    top = pd.read_csv(SNAP / "spy_top_holdings.csv").set_index("symbol")["weight_pct"] / 100
    prices = pd.read_csv(SNAP / "prices_daily.csv.gz", usecols=["date", "symbol", "adj_close"])
    held = pd.read_csv(SNAP / "holdings_prices_daily.csv.gz")
    frame = pd.concat([prices[prices["symbol"] == "SPY"], held[held["symbol"].isin(top.index)]])
    wide = frame.pivot(index="date", columns="symbol", values="adj_close")
    base, last = wide.loc["2025-11-18"], wide.loc["2026-07-31"]
    drift = top * (last[top.index] / base[top.index]) / (last["SPY"] / base["SPY"])
    growth = last / base - 1
    mag7 = float((top[CLASSES] * growth[CLASSES]).sum())
    return {
        "mag7_weight": float(drift[CLASSES].sum()),
        "top10_weight": float(drift.sort_values(ascending=False).iloc[:10].sum()),
        "spy_return": float(growth["SPY"]),
        "mag7_contribution": mag7,
        "other": float(growth["SPY"]) - mag7,
        "nvda": float(top["NVDA"] * growth["NVDA"]),
    }


def signed(number: float, spec: str) -> str:
    text = format(number, "+" + spec)
    return MINUS + text[1:] if text.startswith("-") else text


def text_of(screen: ConcentrationScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_figures_equal_the_csv_reference(tmp_path: Path, reference: dict) -> None:
    """C opens the screen; after its worker, the facts give the drifted mag-7 and top-10
    weights, the caveat is on screen, and over 1Y (cut to the weights' day) SPY's return, the
    mag-7's contribution, NVDA's and the rest equal the pandas figures."""
    app = make_app(tmp_path, offline=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await press("C")(pilot)
        screen = app.screen
        assert isinstance(screen, ConcentrationScreen)
        facts = text_of(screen, "#conc-facts")
        assert f"Mag-7 weight {100 * reference['mag7_weight']:.1f}% of SPY" in facts
        assert "(34.7% on 2025-11-18)" in facts
        # the change is over what the period holds of the weights: since their day, not "1Y"
        start = 0.3473658  # the mag-7's weights summed in spy_top_holdings.csv (percent / 100)
        change = signed(100 * (reference["mag7_weight"] - start), ".2f")
        assert f"of SPY (34.7% on 2025-11-18), {change} pts since 2025-11-18" in facts
        assert f"Top-10 weight {100 * reference['top10_weight']:.1f}% of SPY" in facts
        assert "(39.2%)" in facts
        assert 'Rule "Mega-cap concentration falling" ✓ pass since 2026-07-21' in facts
        caveat = text_of(screen, "#conc-caveat")
        assert caveat == (
            "Drifted weights (by price from 2025-11-18) ignore buybacks and index changes."
        )
        split = text_of(screen, "#conc-attribution")
        # 1Y is cut to start on the weights' day (no weight drifted backwards)
        assert f"SPY {signed(reference['spy_return'], '.1%')}, 2025-11-18 → 2026-07-31" in split
        assert f"Mag-7 contributed {signed(100 * reference['mag7_contribution'], '.2f')} pts" in (
            split
        )
        nvda = next(line for line in split.splitlines() if line.strip().startswith("NVDA"))
        assert nvda.split()[-1] == signed(100 * reference["nvda"], ".2f")
        assert nvda.split()[1] == "7.8%"  # its weight on the weights' day
        rest = next(line for line in split.splitlines() if "Rest of SPY" in line)
        assert rest.split()[-1] == signed(100 * reference["other"], ".2f")


async def test_a_period_key_changes_the_window_without_recomputing(tmp_path: Path) -> None:
    """2 picks 3M: the attribution and the weights' change then start 63 SPY rows before the
    last close (2026-04-30), and no second worker runs (the figures are sliced)."""
    app = make_app(tmp_path, offline=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await press("C")(pilot)
        screen = app.screen
        assert isinstance(screen, ConcentrationScreen)
        runs = sum(w.group == "concentration" for w in app.workers._workers)
        await pilot.press("2")
        await finish(pilot)
        assert "2026-04-30 → 2026-07-31" in text_of(screen, "#conc-attribution")
        assert "over 3M" in text_of(screen, "#conc-facts")
        # 63 changes, as the rule's 63-day change: 2026-04-30 -> 2026-07-31, worked from the
        # CSVs (sum of w0 * P/P0 over SPY/SPY0 on both days): 33.24% - 33.85% = -0.60 pts
        assert (
            "Mag-7 weight 33.2% of SPY (34.7% on 2025-11-18), \u22120.60 pts since 2026-04-30"
            in (text_of(screen, "#conc-facts"))
        )
        assert sum(w.group == "concentration" for w in app.workers._workers) == runs


async def test_opened_from_spy_drilldown_and_the_rule(tmp_path: Path) -> None:
    """The footer of SPY's drill-down offers C (not XLK's); the concentration rule's evidence
    offers it too; both open the screen; the palette lists it."""
    app = make_app(tmp_path, offline=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await show_drilldown("XLK")(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.check_action("concentration", ()) is False
        await pilot.press("escape")
        await show_drilldown("SPY")(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.check_action("concentration", ()) is True
        await pilot.press("C")
        await finish(pilot)
        assert isinstance(app.screen, ConcentrationScreen)
        await pilot.press("escape")
        await pilot.press("escape")
        await show_rule("concentration")(pilot)
        assert isinstance(app.screen, RuleScreen)
        assert app.screen.check_action("concentration", ()) is True
        facts = str(app.screen.query_one("#rule-facts", Static).render())
        assert "Mag-7 weight in SPY 33.2%, 3M change −0.60 pts; Mag-7/RSP" in facts
        await pilot.press("C")
        await finish(pilot)
        assert isinstance(app.screen, ConcentrationScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Mega-cap concentration" in titles


def show_concentration(period: str | None = None) -> object:
    """C on the settled dashboard, then a period key."""

    async def step(pilot: Pilot[int]) -> None:
        await settle(pilot.app)  # type: ignore[arg-type]
        await pilot.press("C")
        if period is not None:
            await pilot.press(period)
        await finish(pilot)

    return step


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_concentration_screen(
    snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]
) -> None:
    """C on the dashboard: title 'Mega-cap concentration in SPY · 1Y · as of 2026-07-31';
    left 'Weight in SPY, % · 1Y · from 2025-11-18' with the mag-7 (~33.2) and top-10 (~37.7)
    lines; right 'Mag-7 basket vs RSP & SPY · 1Y rebased to 100'; the caveat 'Drifted weights
    (by price from 2025-11-18) ignore buybacks and index changes.' on one line; the facts
    (mag-7 33.2% of SPY, 34.7% on 2025-11-18, −1.49 pts since 2025-11-18; top-10 37.7% (39.2%); the
    basket's move vs RSP and SPY; the rule ✓ pass since 2026-07-21); and SPY's +14.1% from
    2025-11-18 split into the mega caps' contributions (largest first, Alphabet's two classes
    as GOOGL+GOOG) and the rest of SPY. At 80x24 the charts are short and the figures wrap."""
    assert snap(snap_compare, tmp_path, show_concentration(), size)  # type: ignore[arg-type]
