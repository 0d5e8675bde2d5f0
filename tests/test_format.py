"""How figures read: signs that survive NO_COLOR, sparklines, countdowns, the status line."""

from __future__ import annotations

from tui.app.widgets.status_bar import Status, banner_text, status_text
from tui.format import bp, countdown, pct, plain, plain_text, price, sparkline


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


# --- bounded figures (issue 16, finding 5) ---------------------------------------------------


def test_extreme_percentages_are_bounded() -> None:
    assert pct(9.9999) == "+999.99%"  # the widest ordinary figure
    assert pct(9.99996) == ">+999%"  # would round to +1000.00%
    assert pct(1e308) == ">+999%" and pct(float("inf")) == ">+999%"
    assert pct(-10.0) == "<−999%" and pct(float("-inf")) == "<−999%"
    assert pct(-0.999) == "−99.90%"
    assert pct(12.0, digits=1) == ">+999%"


def test_extreme_basis_points_are_bounded() -> None:
    assert bp(99.99) == "+9999bp"
    assert bp(100.0) == ">+9999bp" and bp(float("inf")) == ">+9999bp"
    assert bp(-1e308) == "<−9999bp" and bp(float("-inf")) == "<−9999bp"
    assert bp(float("nan")) == "n/a"


def test_extreme_prices_are_bounded() -> None:
    assert price(9_999_999.4) == "9,999,999"
    assert price(9_999_999.6) == "1.0e7"
    assert price(1e308) == "1.0e308" and price(-1.7e308) == "-1.7e308"
    assert price(123_456_789.0) == "1.2e8"
    assert price(1e-300) == "1.0e-300" and price(0.0004) == "4.0e-4"
    assert price(0.0005) == "0.001" and price(0.0) == "0.000"
    assert price(float("inf")) == "∞" and price(float("-inf")) == "−∞"


def test_sparkline_and_countdown_survive_infinities() -> None:
    inf = float("inf")
    assert sparkline([1.0, inf, 2.0, -inf, 3.0]) == "▁▅█"  # 1, 2, 3: the middle one rounds up (3.5)
    assert countdown(inf) == "in >9999 d" and countdown(float("nan")) == "now"
    assert countdown(9999.5) == "in 9999 d"


# --- user text (issue 16, finding 4) ---------------------------------------------------------


def test_plain_removes_escape_sequences_and_controls() -> None:
    assert plain("Jobs [preliminary] report") == "Jobs [preliminary] report"
    assert plain("CPI \x1b]0;TITLE\x07 release") == "CPI \ufffd release"
    assert plain("a\x1b[31mred\x1b[0m") == "a\ufffdred\ufffd"
    assert plain("tab\there\nnext") == "tab here next"
    assert plain("nul\x00 del\x7f c1\x9b2J") == "nul\ufffd del\ufffd c1\ufffd"
    assert plain("evil\u202egnp.exe") == "evil\ufffdgnp.exe"
    assert plain(42) == "42"


def test_plain_text_renders_verbatim_through_rich_markup() -> None:
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    console = Console(file=out, width=200, color_system=None, soft_wrap=True)
    for name in ("Jobs [preliminary] report", "CPI [/b] release", "VIX [/] calm :smile:"):
        console.print(plain_text(name))
    assert out.getvalue().splitlines() == [
        "Jobs [preliminary] report",
        "CPI [/b] release",
        "VIX [/] calm :smile:",
    ]
