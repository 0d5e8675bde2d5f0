"""An ASCII line chart (plotext) of relative-strength lines, sized to its pane.

The widget receives ready series; it draws them and nothing else. plotext keeps global
state, so drawing happens only here, on the UI thread, one chart at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.widget import Widget


@dataclass(frozen=True)
class Series:
    """One line: dates as ISO strings, values, and how to draw it."""

    label: str
    dates: Sequence[str]
    values: Sequence[float]
    color: str = "cyan"
    marker: str = "braille"


@dataclass(frozen=True)
class ChartData:
    """What a chart pane shows: a title, its lines, and a note when there is nothing."""

    title: str
    series: Sequence[Series] = field(default_factory=tuple)
    note: str = ""
    log: bool = False


def last_value(value: float) -> str:
    """A series' last value for its legend label, with 4 significant figures."""
    return f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


def render_chart(data: ChartData, width: int, height: int) -> Text:
    """Draw `data` as plotext text of `width` × `height` cells."""
    lines = [s for s in data.series if len(s.values) >= 2]
    if width < 20 or height < 5:
        return Text(data.title[: max(0, width)], style="bold")
    if not lines:
        return Text(f"{data.title}\n{data.note or 'no data'}", style="dim")
    import plotext as plt

    plt.clear_figure()
    # The pane, not the terminal, sets the size (plotext would clamp to the terminal's).
    plt.limit_size(False, False)
    plt.plotsize(width, height)
    plt.theme("clear")
    plt.date_form("Y-m-d", "Y-m-d")
    title = data.title
    if data.log:
        if all(v > 0 for line in lines for v in line.values):
            plt.yscale("log")
        else:
            title += " · log n/a (values ≤ 0)"
    plt.title(title)
    for line in lines:
        plt.plot(
            list(line.dates),
            list(line.values),
            label=f"{line.label} {last_value(line.values[-1])}",  # the last value, labelled
            color=line.color,
            marker=line.marker,
        )
    plt.xticks([lines[0].dates[0], lines[0].dates[-1]])
    try:
        built = plt.build()
    finally:
        plt.clear_figure()
    return Text.from_ansi(built, no_wrap=True)


class RSChart(Widget):
    """A chart pane that redraws only when its data or its size changes."""

    DEFAULT_CSS = """
    RSChart {
        height: 1fr;
        min-height: 5;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data = ChartData(title="", note="loading…")
        self._drawn: tuple[ChartData, int, int] | None = None
        self._text = Text()

    def show(self, data: ChartData) -> None:
        """Show new data (no repaint when it equals what is on screen)."""
        if data != self.data:
            self.data = data
            self.refresh()

    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        key = (self.data, width, height)
        if self._drawn != key:
            self._text = render_chart(self.data, width, height)
            self._drawn = key
        return self._text
