"""Snapshot tests of "at a glance": the first 80×24 screen, the digest and positions screens at
80×24, and the dashboard at 200×60 whose catalysts keep their whole event names.

As tests/test_snapshots.py: the real app offline on a seeded copy of the bundled snapshot, at
the fixed clock of screenshots/generate.py (Monday 2026-08-03 15:00 UTC, the snapshot's last
close Friday 2026-07-31), local time UTC, colours on; the steps are the shots of
screenshots/generate.py. The dashboard is given the session's glance inputs here (as the app
will pass them), so its digest line shows. The accepted pictures are
tests/__snapshots__/test_snapshots_glance/*.svg; after an intended change, look at the new ones
and accept them with `pytest tests/test_snapshots_glance.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

from snapshot_helpers import SnapCompare, snap

from screenshots.generate import press, show_dashboard, show_positions


def test_dashboard_80x24_answers_the_question(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """The first screen at 80×24, no key pressed. Top: the OFFLINE banner, then in bold
    'Rotation ON 9/11 · next FOMC in 44 d · Policy 2/2 · Rotation 4/5 · Breadth 1/1', then in
    muted text 'Since 07-30: 1 pending flip · 3 quadrant changes · … · w: all'. The table
    starts with the Sectors group: all eleven sector ETFs (XLK … XLC) visible, then
    Benchmarks below; no chart pane (v brings it). Status line and footer at the bottom."""
    assert snap(snap_compare, tmp_path, show_dashboard, (80, 24))


def test_digest_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """The digest screen (w) at 80×24: title 'What changed since the previous close (t: since
    your last session)'; 'Since the 2026-07-30 close, to 2026-07-31: 9 changes', then Pending
    flips (Small caps leading, 1 of 3 days to confirm), RRG quadrant changes (IWM, XLU, XLY)
    and the five biggest RS moves (XLB/SPY −3.04% first); long lines wrap between words."""
    assert snap(snap_compare, tmp_path, press("w"), (80, 24))


def test_positions_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """The positions screen (b) at 80×24 over the sample book XLK 40 @ 212.50, XLE 30 @ 80,
    QQQ 10 (no cost): the book's value, day and total P&L on top; a table of Symbol, Qty,
    Value, Day P&L, Day, Total P&L, Total (QQQ's total n/a); then the exposure by sector
    against SPY, largest difference first, each 'underweight XLF −12.6 pts · XLF Weakening ▲
    (book 0.0%, SPY 12.6%)'-style, XLK and XLE overweight, and QQQ not looked through."""
    assert snap(snap_compare, tmp_path, show_positions, (80, 24))


def test_dashboard_200x60_catalysts_whole(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """The dashboard at 200×60. Bottom right, the catalysts pane (60 columns) without its
    Local column: every event name whole, wrapped between words over two lines ('FOMC
    decision · no change' / '(3.50–3.75%)', 'Jobs report (Aug) · BLS' / 'Employment Situation
    for…'), never cut mid-word. Summary and digest lines over the table, all groups in the
    config's order (Benchmarks first)."""
    assert snap(snap_compare, tmp_path, show_dashboard, (200, 60))
