"""Chart controls: period, log, averages, overlay, the last value labelled; small panes."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tui.app.charts import ChartSettings, cut, with_average
from tui.app.screens.prompts import parse_pair
from tui.app.widgets.rs_chart import ChartData, Series, render_chart
from tui.report import RSSeries

DATES = [f"2026-0{1 + i // 28}-{1 + i % 28:02d}" for i in range(200)]


def line(values: list[float]) -> RSSeries:
    sma = [float("nan")] * 49 + [sum(values[i - 49 : i + 1]) / 50 for i in range(49, len(values))]
    return RSSeries("AAA/SPY", DATES[: len(values)], values, sma)


def test_period_cuts_the_last_rows() -> None:
    values = list(range(300))
    assert cut(values, "1M") == values[-21:]
    assert cut(values, "1Y") == values[-252:]
    assert cut(values, "max") == values


def test_averages_toggle() -> None:
    series = line([1.0 + i / 100 for i in range(200)])
    shown = with_average(series, ChartSettings(period="3M"))
    assert [s.label for s in shown] == ["AAA/SPY", "50d"]
    assert len(shown[0].values) == 63 and shown[0].values[-1] == pytest.approx(2.99)
    only = with_average(series, ChartSettings(period="3M", averages=False))
    assert [s.label for s in only] == ["AAA/SPY"]


def test_last_value_is_labelled_and_log_is_refused_for_non_positive_values() -> None:
    data = ChartData("t", (Series("A", DATES[:3], [1.0, 2.0, 3.25]),), log=True)
    text = render_chart(data, 60, 12).plain
    assert "A 3.25" in text
    negative = ChartData("spread", (Series("S", DATES[:3], [1.0, -0.5, 0.2]),), log=True)
    assert "log n/a" in render_chart(negative, 60, 12).plain


@pytest.mark.parametrize(("width", "height"), [(0, 0), (5, 2), (19, 4), (20, 5), (200, 60)])
def test_any_pane_size_draws_without_error(width: int, height: int) -> None:
    data = ChartData("t", (Series("A", DATES[:50], [1 + i % 7 for i in range(50)]),))
    text = render_chart(data, width, height).plain  # never raises
    lines = text.splitlines()
    if width < 20 or height < 5:  # no room for a chart: the title alone, cut to the width
        assert text == "t"[:width]
    else:  # the chart fills the pane exactly, its legend naming the last value (1)
        assert len(lines) == height
        assert [cell_len(line) for line in lines] == [width] * height
        assert "A 1" in text


def test_parse_pair() -> None:
    assert parse_pair("iwm spy") == ("IWM", "SPY")
    assert parse_pair("XLF/XLK") == ("XLF", "XLK")
    assert parse_pair("EEM vs EFA") == ("EEM", "EFA")
    assert parse_pair("IWM") == "type two symbols, e.g. IWM SPY or XLF/XLK"
    assert parse_pair("SPY SPY") == "pick two different symbols"
    assert "not a ticker" in str(parse_pair("SPY x?y"))
