"""What each chart pane draws, under the user's chart settings (period, log, averages,
overlay). Pure builders from ready series to `ChartData`; the panes only draw."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tui.app.widgets.rs_chart import ChartData, Series
from tui.universe import NOT_PRICES

if TYPE_CHECKING:
    import pandas as pd

    from tui.report import RSSeries, RuleDetail

PERIODS: dict[str, int | None] = {
    "1M": 21,
    "3M": 63,
    "6M": 126,
    "1Y": 252,
    "3Y": 756,
    "max": None,
}
"""Chart periods in trading-day rows (None: the whole history)."""
THESIS = ("IWM", "EEM")
OVERLAY_STYLES = (
    ("cyan", "braille"),
    ("magenta", "dot"),
    ("green", "hd"),
    ("yellow", "fhd"),
    ("blue", "sd"),
)


@dataclass(frozen=True)
class ChartSettings:
    """How every chart is drawn; changed by keys, shared by all panes."""

    period: str = "1Y"
    log: bool = False
    averages: bool = True
    overlay: tuple[str, ...] = ()

    def with_(self, **changes: object) -> ChartSettings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def describe(self) -> str:
        return " · ".join(
            [self.period] + (["log"] if self.log else []) + (["50d"] if self.averages else [])
        )


def finite_lines(
    dates: Sequence[str],
    lines: Sequence[tuple[str, Sequence[float], str, str]],
    *,
    scale: float = 1.0,
    rebase: bool = False,
) -> tuple[Series, ...]:
    """A line per ``(label, values, color, marker)`` over ``dates``: the points that have a
    figure (NaN and infinities left out), values times ``scale`` — or, with ``rebase``, as
    100 at the first of them — and only the lines with two points or more to draw."""
    out = []
    for label, values, color, marker in lines:
        kept = [(d, v) for d, v in zip(dates, values, strict=True) if math.isfinite(v)]
        if len(kept) < 2 or (rebase and not kept[0][1]):
            continue
        factor = 100.0 / kept[0][1] if rebase else scale
        out.append(
            Series(label, [d for d, _ in kept], [factor * v for _, v in kept], color, marker)
        )
    return tuple(out)


def cut(values: Sequence[float], period: str) -> Sequence[float]:
    """The last rows of a sequence for the period."""
    rows = PERIODS.get(period)
    return values[-rows:] if rows else values


def with_average(line: RSSeries, settings: ChartSettings) -> tuple[Series, ...]:
    """A line over the period and, if averages are on, its 50-day average."""
    dates, values = cut(line.dates, settings.period), cut(line.values, settings.period)
    lines = [Series(line.label, dates, values, color="cyan")]
    if settings.averages:
        sma = cut(line.sma, settings.period)
        start = next((i for i, v in enumerate(sma) if v == v), len(sma))
        lines.append(Series("50d", dates[start:], sma[start:], color="orange", marker="dot"))
    return tuple(lines)


def rebased(line: RSSeries, settings: ChartSettings, style: tuple[str, str]) -> Series | None:
    """A line over the period, rebased to 100 at its first point (to overlay unlike scales)."""
    values = cut(line.values, settings.period)
    if not values or not values[0]:
        return None
    base = values[0]
    return Series(
        line.label,
        cut(line.dates, settings.period),
        [100 * v / base for v in values],
        *style,
    )


def line_chart(
    closes: pd.DataFrame | None, symbol: str, benchmark: str, settings: ChartSettings
) -> ChartData:
    """The highlighted symbol's RS line vs the benchmark, with its 50-day average — or, with an
    overlay set, every overlaid RS line and the highlighted one rebased to 100.

    The benchmark itself, yields and index levels get their own line instead: a ratio of a
    yield to a price means nothing.
    """
    from tui.report import rs_series

    own = symbol == benchmark or symbol in NOT_PRICES
    if settings.overlay:
        title = f"RS vs {benchmark} · rebased to 100 · {settings.period}"
        if closes is None:
            return ChartData(title=title, note="loading figures…")
        symbols = list(dict.fromkeys([*settings.overlay, symbol]))
        lines = []
        for name, style in zip(symbols, OVERLAY_STYLES * 4, strict=False):
            if name == benchmark or name in NOT_PRICES:
                continue
            line = rs_series(closes, name, benchmark, days=None)
            series = rebased(line, settings, style) if line else None
            if series is not None:
                lines.append(series)
        return ChartData(title=title, series=tuple(lines), log=settings.log, note="no data")
    name = symbol if own else f"{symbol}/{benchmark}"
    title = f"{name} · {settings.describe()}"
    if closes is None:
        return ChartData(title=title, note="loading figures…")
    line = rs_series(closes, symbol, None if own else benchmark, days=None)
    if line is None:
        return ChartData(title=title, note=f"no common data for {symbol} and {benchmark}")
    return ChartData(title=title, series=with_average(line, settings), log=settings.log)


def thesis_chart(closes: pd.DataFrame | None, benchmark: str, settings: ChartSettings) -> ChartData:
    """IWM/SPY and EEM/SPY — the two lines the rotation thesis watches — rebased to 100."""
    from tui.report import rs_series

    title = f"{' & '.join(f'{s}/{benchmark}' for s in THESIS)} · {settings.period} rebased to 100"
    if closes is None:
        return ChartData(title=title, note="loading figures…")
    lines = []
    for symbol, style in zip(THESIS, OVERLAY_STYLES, strict=False):
        line = rs_series(closes, symbol, benchmark, days=None)
        series = rebased(line, settings, style) if line else None
        if series is not None:
            lines.append(series)
    return ChartData(
        title=title, series=tuple(lines), log=settings.log, note="no data for the thesis lines"
    )


def detail_chart(line: RSSeries | None, symbol: str, settings: ChartSettings) -> ChartData:
    """A drill-down's RS line (computed in its worker) under the chart settings."""
    title = f"{line.label if line else symbol} · {settings.describe()}"
    if line is None:
        return ChartData(title=title, note="no common data with the benchmark")
    return ChartData(title=title, series=with_average(line, settings), log=settings.log)


def evidence_chart(detail: RuleDetail, settings: ChartSettings) -> ChartData:
    """A rule's main series and, where the rule has one, its threshold line."""
    title = f"{detail.series_name} · {settings.period}"
    dates = cut(detail.dates, settings.period)
    pairs = [
        (d, v)
        for d, v in zip(dates, cut(detail.values, settings.period), strict=True)
        if math.isfinite(v)
    ]
    if len(pairs) < 2:
        return ChartData(title=title, note=detail.rule["reason"] or "no data to chart")
    lines = [Series(detail.series_name, [d for d, _ in pairs], [v for _, v in pairs], "cyan")]
    limit = [
        (d, t)
        for d, t in zip(dates, cut(detail.threshold, settings.period), strict=True)
        if math.isfinite(t)
    ]
    if len(limit) >= 2:
        lines.append(
            Series("threshold", [d for d, _ in limit], [t for _, t in limit], "orange", "dot")
        )
    return ChartData(title=title, series=tuple(lines), log=settings.log)
