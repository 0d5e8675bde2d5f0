"""The NYSE clock over the table: from the exchange calendar, loaded off the UI thread after
the first frame, with the countdown in ET and the user's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from faults_helpers import make_app, seeded_copy, settle
from textual.widgets import Static

from tui.app.widgets.status_bar import StatusBar


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        # Monday 2026-08-03 11:00 New York: open, closing at 16:00.
        (datetime(2026, 8, 3, 15, 0, tzinfo=UTC), "NYSE OPEN · closes 16:00 ET"),
        # Thanksgiving 2026 (Thursday 11-26): closed, opens Friday for the early close.
        (datetime(2026, 11, 26, 15, 0, tzinfo=UTC), "NYSE CLOSED · Thanksgiving"),
    ],
)
async def test_the_glance_line_carries_the_market_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: datetime, expected: str
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    cache_path = seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    app = make_app(cache_path)
    app.clock = lambda: clock
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        line = str(app.screen.query_one("#glance", Static).render())
        assert expected in line, line
        assert app.market and app.market in line
        assert app.screen.query_one(StatusBar)  # the status line is still there
