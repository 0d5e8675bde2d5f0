"""The dashboard after the benchmark switch, as a picture (pytest-textual-snapshot)."""

from __future__ import annotations

from pathlib import Path

from snapshot_helpers import SnapCompare, snap
from textual.pilot import Pilot

from screenshots.generate import finish, settle
from tui.app.app import RotmonApp


async def pick_rsp(pilot: Pilot[int]) -> None:
    """`B` once on the settled dashboard (SPY -> RSP), its figures computed; the switch's own
    notice ("Benchmark: RSP · computing…") dismissed before the picture."""
    app = pilot.app
    assert isinstance(app, RotmonApp)
    await settle(app)
    await pilot.press("B")
    await settle(app)
    app.clear_notifications()
    await finish(pilot)


def test_dashboard_80x24_against_rsp(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Dashboard at 80×24 after B: the glance line reads 'Rotation … · vs RSP · next FOMC in
    44 d', the table's RS column is headed 'RSP 3M' and its figures are XLK/RSP, XLF/RSP …
    over 3 months (the Sectors group first, all eleven visible); status line and compact
    footer as with SPY."""
    assert snap(snap_compare, tmp_path, pick_rsp, (80, 24))
