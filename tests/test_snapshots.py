"""Snapshot tests: the main screens as pictures, so that a layout change is a reviewed change.

Each test runs the real app (pytest-textual-snapshot's `snap_compare`) offline on a cache of its
own seeded from the bundled snapshot (a copy of one seeded once per session), at the fixed clock
and size of screenshots/generate.py (the factory both share), with every worker awaited and no
notice on screen; local time is UTC.
The accepted pictures are tests/__snapshots__/test_snapshots/*.svg.

A failing test writes snapshot_report.html with the old and new pictures side by side. If the
change is intended, look at it, then accept it with `pytest tests/test_snapshots.py
--snapshot-update` and commit the new SVGs with the change. The pictures depend on Textual's
version, which is why pyproject.toml pins it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot_helpers import SnapCompare, snap

from screenshots.generate import (
    THEMES,
    press,
    show_dashboard,
    show_drilldown,
    show_rule,
)


def test_dashboard(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Dashboard at 160×50 in rotmon-dark. The banner reads 'OFFLINE · data as of 2026-07-31';
    under it 'Rotation ON 11/14 · next FOMC in 44 d · NYSE OPEN · closes 16:00 ET …' and the
    digest line 'Since 07-30: 1 pending flip · 7 quadrant changes …'. Left: the sector table
    with every column (Symbol … Quad) and the groups from Benchmarks down, SPY highlighted,
    gains green and losses red with ▲▼◆. Right: the SPY 1Y chart with its 50-day average, and
    the IWM/SPY & EEM/SPY chart. Below: the regime checklist (confirmed ✓✗ marks, small caps
    '✓ → ✗ pending, 1 of 4 days') and the catalysts (FOMC past, jobs report in 31 d, names
    wrapped at words). Status line and footer at the bottom."""
    assert snap(snap_compare, tmp_path, show_dashboard, (160, 50))


def test_dashboard_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Dashboard at 80×24: the compact layout. The glance and digest lines on top, then the
    table alone (no pane under 30 rows) with the Sectors group first, all eleven sector ETFs
    visible, no Quad column, no figure cut mid-number (group names may end in '…'); the
    compact footer fits every key, 'v Pane' among them."""
    assert snap(snap_compare, tmp_path, show_dashboard, (80, 24))


def test_drilldown_xlk(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """XLK drill-down at 160×50: title 'XLK · Technology Select Sector SPDR', the XLK/SPY RS
    chart with its 50-day average, the return / RS table (1D … 52wH) on the right, the top 15
    holdings (NVDA first, highlighted) with weights and returns, the note 'Top 15 holdings by
    weight · State Street, as of 2025-11-18 or earlier', the sector's breadth (above 50/200-day,
    20-day highs, with the caveat) and the attribution; then status line and footer (Esc)."""
    assert snap(snap_compare, tmp_path, show_drilldown("XLK"), (160, 50))


def test_rule_evidence(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Evidence screen of 'Small caps leading' at 160×50: title '✓ Small caps leading ·
    Rotation', the IWM/SPY 1Y chart with the threshold line, the facts (Status ✓ pass since
    2026-05-29, a Pending line '→ ✗ 1 of 4 days', Evidence, Passes when, Why), the confirmed
    flips newest first, and the start of the rule's track record below."""
    assert snap(snap_compare, tmp_path, show_rule("small_caps"), (160, 50))


def test_rrg(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """RRG at 160×50, opened with g: 'RRG · Sectors vs SPY · weekly · tail 8 · to 2026-07-31',
    four tinted quadrants labelled IMPROVING / LEADING / LAGGING / WEAKENING, the eleven
    sector ETFs with tails marked at every point (newest ● labelled, older • and · fading),
    XLK highlighted, and the side panel with XLK's figures (heading, velocity, tail length),
    the transitions and the per-symbol table."""
    assert snap(snap_compare, tmp_path, press("g"), (160, 50))


def test_help(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Key list at 120×40, opened with ?: a modal over the dimmed dashboard titled 'Keys · Esc
    to close · Ctrl+P for the command palette', with Where / Key / Action rows starting
    'Everywhere q Quit at once'."""
    assert snap(snap_compare, tmp_path, press("question_mark"), (120, 40))


@pytest.mark.parametrize("theme", THEMES)
def test_dashboard_theme(snap_compare: SnapCompare, tmp_path: Path, theme: str) -> None:
    """Dashboard at 120×36 in each built-in theme. Under 140 columns, so the compact layout:
    the glance and digest lines, the sector table with the Sectors group first (every column to
    Quad, group names may end in '…') over one pane, the selected symbol's 1Y chart; status
    line, and the compact footer with 'v Pane'. Text readable
    on the theme's background, up and down in the theme's success and error colours, the
    cursor row, banner and footer keys in its colours; the same layout in every theme."""
    assert snap(snap_compare, tmp_path, show_dashboard, (120, 36), theme)
