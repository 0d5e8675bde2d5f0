"""How figures read: signs that survive NO_COLOR, sparklines, countdowns, the status line."""

from __future__ import annotations

from tui.app.widgets.status_bar import Status, banner_text, status_text
from tui.format import countdown, pct, price, sparkline


def test_percentages_carry_their_sign() -> None:
    assert pct(0.0123) == "+1.23%"
    assert pct(-0.0123) == "−1.23%"
    assert pct(0.00001) == "0.00%"  # rounds to zero: no sign
    assert pct(None) == "n/a"
    assert pct(float("nan")) == "n/a"


def test_prices() -> None:
    assert price(747.031) == "747.03"
    assert price(4.7449) == "4.745"
    assert price(12345.6) == "12,346"


def test_sparkline_spans_the_range_and_ends_on_the_last_point() -> None:
    line = sparkline(list(range(100)), width=8)
    assert len(line) == 8 and line[0] == "▁" and line[-1] == "█"
    assert sparkline([5.0, 5.0, 5.0]) == "▄▄▄"
    assert sparkline([]) == ""


def test_countdown() -> None:
    assert countdown(15.4) == "in 15 d"
    assert countdown(0.25) == "in 6 h"
    assert countdown(-1) == "now"


def test_status_never_claims_a_failed_refresh_and_fits_80_columns() -> None:
    status = Status(
        state="offline",
        source="snapshot",
        as_of="2026-07-31",
        last_refresh=None,
        message="offline: could not reach Yahoo Finance",
    )
    full = status_text(status)
    assert "refreshed —" in full and "source snapshot" in full
    narrow = status_text(status, width=78)
    assert len(narrow) <= 78
    assert narrow.endswith("offline: could not reach Yahoo Finance")
    assert banner_text(status) == "OFFLINE · data as of 2026-07-31"
    assert banner_text(status.with_(state="live")) == ""
