"""Snapshot tests of the track record: the history screen (h) and a rule's evidence with its track
record, at 120×36 and 80×24 — made as tests/test_snapshots.py makes its pictures (the factory of
screenshots/generate.py, the bundled data, the fixed clock, every worker awaited, no notice, UTC).

Accepted pictures: tests/__snapshots__/test_snapshots_track/*.svg. If a change is intended, look
at the report, then `pytest tests/test_snapshots_track.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

from snapshot_helpers import SnapCompare, snap

from screenshots.generate import press, show_history_study, show_rule_track


def test_history(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Track record at 120×36, opened with h: title 'Track record · Rotation ON … on 2026-07-31 ·
    2016-01-04 – 2026-07-31'; the streak line ('Streak: ON …/… or better for … days, since …');
    'Last time the score was this high: 2026-03-03 — IWM/SPY over the next 3 months: +0.7 %';
    the score chart (0.00–1.00, the k line at 0.6, ▲ • ▼ flip marks) over the IWM/SPY chart,
    both with the same x axis, 2016-01-04 at the left and 2026-07-31 at the right, their plot
    areas starting in the same column; the flips line; the start of the study; status line and
    footer (esc Back, + k+, - k−)."""
    assert snap(snap_compare, tmp_path, press("h"), (120, 36))


def test_history_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Track record at 80×24: the same head lines (the last-high line wrapped, never cut), two
    smaller charts whose time axes still line up, the k line of the study at the bottom, and a
    scroll bar saying the study is below; status line and footer."""
    assert snap(snap_compare, tmp_path, press("h"), (80, 24))


def test_history_study(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Track record at 120×36 scrolled to the score's study: 'k = 0.6 … the ON level', 'Forward
    return after days with score ≥ 0.6 vs < 0.6', the in-sample label, the sample line (2016-01-04
    – 2026-07-31, trading days), then the table (H Bucket Days Ep. Mean Median Hit Worst 90% CI)
    for IWM/SPY, EEM/SPY and VBR/SPY × 1M/3M/6M × ≥ 0.6 / < 0.6, and the legend."""
    assert snap(snap_compare, tmp_path, show_history_study, (120, 36))


def test_rule_track(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Evidence of 'Small caps leading' at 120×36, scrolled to its track record: the facts with
    'Pending ✓ → ✗ pending, 1 of 4 days', the flips table, then 'Track record · In-sample and
    descriptive: …', 'Confirm 4 days, no band · flips/yr 12.0 raw → 4.9 confirmed · mean
    confirmation delay 3.0 days', 'Forward IWM/SPY return after the days it passed vs failed',
    the sample, and the 1M/3M/6M pass/fail table; footer with 'h Track record'."""
    assert snap(snap_compare, tmp_path, show_rule_track("small_caps"), (120, 36))


def test_rule_track_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """The same at 80×24: the track record's lines wrapped to the width (none cut), the whole
    pass/fail table with its 90% CI column inside the screen, the legend; footer."""
    assert snap(snap_compare, tmp_path, show_rule_track("small_caps"), (80, 24))
