"""How figures read on screen: signed percentages, prices, arrows and sparklines.

Direction never depends on colour alone: every return carries its sign and every trend an
arrow, so the table still reads with NO_COLOR or on a monochrome terminal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

NA = "n/a"
SPARK_CHARS = "▁▂▃▄▅▆▇█"
TREND_ARROWS = {"up": "▲", "down": "▼", "mixed": "◆", "n/a": "·"}
MARKS = {"pass": "✓", "fail": "✗", "unknown": "?"}
MINUS = "−"  # U+2212: the same width as '+', reads as a minus in any font


def pct(value: float | None, digits: int = 2) -> str:
    """A fraction as a signed percentage: 0.0123 -> '+1.23%'; None -> 'n/a'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    text = f"{abs(value) * 100:.{digits}f}%"
    if round(abs(value) * 100, digits) == 0:
        return f"{0:.{digits}f}%"
    return ("+" if value > 0 else MINUS) + text


def bp(points: float | None) -> str:
    """A change in yield points as signed basis points: 0.123 -> '+12bp'."""
    if points is None or (isinstance(points, float) and math.isnan(points)):
        return NA
    value = round(points * 100)
    if value == 0:
        return "0bp"
    return ("+" if value > 0 else MINUS) + f"{abs(value)}bp"


def price(value: float | None) -> str:
    """A price with as many decimals as its size deserves."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.2f}"
    return f"{value:.3f}"


@dataclass(frozen=True)
class Palette:
    """Up/down styles, resolved from the current theme by the widget that draws."""

    up: str = "green"
    down: str = "red"


def signed_text(value: float | None, palette: Palette = Palette(), digits: int = 2) -> Text:
    """A percentage as rich Text, styled up or down."""
    text = pct(value, digits)
    if value is None or text == NA:
        return Text(text, style="dim", justify="right")
    if text.startswith("+"):
        style = palette.up
    elif text.startswith(MINUS):
        style = palette.down
    else:
        style = ""
    return Text(text, style=style, justify="right")


def signed_bp_text(points: float | None, palette: Palette = Palette()) -> Text:
    """A yield change in basis points as rich Text, styled up or down."""
    text = bp(points)
    if text == NA:
        return Text(text, style="dim", justify="right")
    style = palette.up if text.startswith("+") else palette.down if text[0] == MINUS else ""
    return Text(text, style=style, justify="right")


def trend_text(state: str | None, palette: Palette = Palette()) -> Text:
    """The RS-trend arrow: ▲ above a rising average, ▼ below a falling one, ◆ mixed."""
    state = state or "n/a"
    style = {"up": palette.up, "down": palette.down}.get(state, "dim")
    return Text(TREND_ARROWS.get(state, "·"), style=style, justify="center")


def sparkline(values: Sequence[float], width: int = 12) -> str:
    """A block-character sparkline of the last `width` points, scaled to their own range."""
    points = [v for v in values if v is not None and not math.isnan(v)]
    if len(points) > width:
        # Sample evenly so the line spans the whole period, always ending on the last point.
        step = (len(points) - 1) / (width - 1)
        points = [points[round(i * step)] for i in range(width)]
    if not points:
        return ""
    low, high = min(points), max(points)
    if high == low:
        return SPARK_CHARS[3] * len(points)
    scale = (len(SPARK_CHARS) - 1) / (high - low)
    return "".join(SPARK_CHARS[round((v - low) * scale)] for v in points)


def countdown(days: float) -> str:
    """Days until an event: 'in 15 d', 'in 5 h', 'now'."""
    if days <= 0:
        return "now"
    if days < 1:
        return f"in {max(1, round(days * 24))} h"
    return f"in {math.floor(days)} d"


def et_time(iso: str) -> str:
    """An aware ISO timestamp in New York time: '2026-12-09 14:00 ET'."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo("America/New_York"))
    return moment.strftime("%Y-%m-%d %H:%M ET")
