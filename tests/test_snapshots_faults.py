"""Snapshot tests of the fault screens: the hint a too-small window shows, and the problems
screen a long list of config problems opens.

As tests/test_snapshots.py: the real app offline on a seeded copy of the bundled snapshot, at
the fixed clock of screenshots/generate.py, local time UTC, colours on. The accepted pictures
are tests/__snapshots__/test_snapshots_faults/*.svg; after an intended change, look at the
new ones and accept them with `pytest tests/test_snapshots_faults.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

from faults_helpers import seeded_copy
from snapshot_helpers import SnapCompare
from textual.pilot import Pilot

from screenshots.generate import finish, make_app, settle, show_dashboard
from tui.app.screens.problems import ProblemsScreen


def test_small_window_hint_40x12(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """The dashboard at 40×12: no table, no charts, only the hint centred on the screen in
    the warning colour — 'The window is 40×12: too small for the dashboard.' / 'Make the
    window larger (at least 80×24).' / 'q quits.'."""
    app = make_app(seeded_copy(tmp_path / "cache" / "rotmon.sqlite"))
    assert snap_compare(app, terminal_size=(40, 12), run_before=show_dashboard)


PROBLEMS = [
    f"config.toml:{n}: unknown_key_{n:02d}: unknown key (expected one of: benchmark, theme, "
    "refresh, alerts, groups); ignored"
    for n in range(1, 31)
]


def test_problems_screen_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """30 config problems at 80×24: a bordered modal over the dashboard filling the screen,
    its title 'Config problems · 30 · ↑↓ to scroll · Esc to close' on the first row inside
    the border, then '1. config.toml:1: unknown_key_01: …' wrapped onto a second line, the
    next problems under it and a scrollbar on the right; nothing cut at the edge."""
    app = make_app(seeded_copy(tmp_path / "cache" / "rotmon.sqlite"))

    async def step(pilot: Pilot[int]) -> None:
        await settle(pilot.app)  # type: ignore[arg-type]
        await pilot.app.push_screen(ProblemsScreen(PROBLEMS, "Config problems"))
        await finish(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=step)
