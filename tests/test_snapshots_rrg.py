"""Snapshot tests of the readable RRG, the member RRG, the heat map and the breadth chart.

Built like tests/test_snapshots.py: the real app offline on a seeded cache of its own, at the
fixed clock of screenshots/generate.py (whose steps both share), every worker awaited, local
time UTC and colours on. Accepted pictures: tests/__snapshots__/test_snapshots_rrg/*.svg;
regenerate with `pytest tests/test_snapshots_rrg.py --snapshot-update` after an intended
change, and look at them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot_helpers import SnapCompare, snap

from screenshots.generate import press, show_breadth, show_member_rrg

SIZES = [(120, 36), (80, 24)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rrg_markers(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """RRG of the sectors vs SPY opened with g: title 'RRG · Sectors vs SPY · weekly · tail 8
    · to 2026-07-31 · newest'; each tail a faint path with a marker at every weekly point
    (• for the newer half, · for the older half, fading), the newest point ● with the
    symbol's label, XLK ◉ highlighted. At 120×36 the side panel lists XLK's heading, velocity
    and tail length, the per-symbol table (Sym Quad Heading Vel Tail) and the transitions of
    the week; at 80×24 one line under the graph with XLK's figures and 'This week: …'."""
    assert snap(snap_compare, tmp_path, press("g"), size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rrg_time_machine(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """The same RRG eight weeks back (',' pressed 8 times): the title reads 'to 2026-06-05 ·
    8 weeks back', the tails end at that week and the transitions are that week's."""
    assert snap(snap_compare, tmp_path, press("g", *["comma"] * 8), size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_member_rrg(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Member RRG of XLK: 'RRG · XLK holdings vs XLK · weekly · tail 8 · to 2026-07-31', the
    fifteen holdings (NVDA AAPL MSFT … QCOM) with their marked tails against the ETF."""
    assert snap(snap_compare, tmp_path, show_member_rrg("XLK"), size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_heatmap(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Heat map opened with H: 'Heat map · 1M return · 1D 1W [1M] 3M YTD · to 2026-07-31',
    the legend (full colour at ±10%, top-15 holdings as of 2025-11-18), one row per sector
    ETF (XLK first) with its holdings, each cell the symbol over a signed 1-decimal figure on
    a green/red background by size; UNH and ED read 'no data'; the XLK cell under the cursor
    and its line at the bottom."""
    assert snap(snap_compare, tmp_path, press("H"), size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_breadth_chart(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """XLK drill-down with its breadth (v, under 140 columns): the XLK/SPY chart and returns
    on top; below, 'XLK breadth · % above 50d/200d avg · 1Y' with the two
    lines over a year, and the figures: Above 50d 20.0% of 15, Above 200d 60.0% of 15, 20d
    high 6.7% of 15, n = 15, Eq-wt/ETF (the basket vs the ETF) and the caveat 'top-15 holdings only,
    membership as of 2025-11-18'."""
    assert snap(snap_compare, tmp_path, show_breadth("XLK"), size)
