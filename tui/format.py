"""How figures and user text read on screen: signed percentages, prices, arrows, sparklines,
and :func:`plain` for anything a user wrote.

Direction never depends on colour alone: every return carries its sign and every trend an
arrow, so the table still reads with NO_COLOR or on a monochrome terminal.

Every formatter here is bounded: whatever the value (1e308, 1e-300, inf), the text is at most
a few characters wider than an ordinary figure (``>+999%``, ``1.0e308``), so a column sized for
ordinary figures never cuts one.

User text (event, rule, group and theme names, symbols, file paths) is shown with
:func:`plain` or :func:`plain_text`. The decision: user text is **never put into a markup
string** — Rich and Textual parse markup differently (Textual expands ``[$accent]``, Rich a
trailing backslash), so no escaping is right for both. :func:`plain` returns a ``str`` with
every control character and escape sequence replaced, to be shown as it is: in a Rich
``Text``, ``console.print(..., markup=False)``, ``notify(..., markup=False)`` or Textual's
``Content(...)``. :func:`plain_text` returns that as a Rich ``Text`` (which ``console.print``
and every Textual widget render verbatim, with no markup and no ``:emoji:`` codes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

NA = "n/a"
SPARK_CHARS = "▁▂▃▄▅▆▇█"
TREND_ARROWS = {"up": "▲", "down": "▼", "mixed": "◆", "n/a": "·"}
MARKS = {"pass": "✓", "fail": "✗", "unknown": "?"}
MINUS = "−"  # U+2212: the same width as '+', reads as a minus in any font
REPLACEMENT = "\ufffd"  # shown in place of a control character or an escape sequence

PCT_LIMIT = 999
"""Percentages of ±1000% or more (after rounding) read ``>+999%`` / ``<−999%``."""
BP_LIMIT = 9999
"""Basis points of ±10,000 or more (after rounding) read ``>+9999bp`` / ``<−9999bp``."""
PRICE_SCIENTIFIC = 1e7
"""Prices of this size or more (and non-zero ones that would round to 0.000) read ``1.2e7``,
``1.0e-5``."""

# Terminal escape sequences, whole: OSC (title, hyperlink, clipboard) up to BEL or ST, CSI,
# DCS/SOS/PM/APC strings, and two-character ESC sequences; the C1 forms of each. A sequence
# cut short (no terminator) is taken to the end of the text.
_ESCAPE_RE = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Line breaks and tabs become a space; every other C0/C1 control, DEL, the bidi overrides
# and isolates (which reorder what follows them) and lone surrogates (unprintable) the
# replacement character.
_SPACE_RE = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def plain(text: object) -> str:
    """``text`` (any object, via ``str``) safe to show on a terminal, verbatim otherwise.

    Escape sequences (``ESC ] 0;title BEL``, colours, cursor moves) become one ``�`` each,
    tabs and line breaks a space, any other control character ``�``. Never parse the result
    as markup: see the module docstring.
    """
    value = text if isinstance(text, str) else str(text)
    if value.isprintable():  # the common case: nothing to replace
        return value
    value = _ESCAPE_RE.sub(REPLACEMENT, value)
    value = _SPACE_RE.sub(" ", value)
    return _CONTROL_RE.sub(REPLACEMENT, value)


def plain_text(text: object, style: str = "") -> Text:
    """:func:`plain` as a Rich ``Text``: rendered verbatim, never as markup or emoji codes."""
    return Text(plain(text), style=style)


def _finite(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def pct(value: float | None, digits: int = 2) -> str:
    """A fraction as a signed percentage: 0.0123 -> '+1.23%'; None -> 'n/a'.

    Bounded: 10 (1000%) or more reads '>+999%', -10 or less '<−999%' (inf included).
    """
    if not _finite(value):
        return NA
    assert value is not None
    scaled = abs(value) * 100
    if round(scaled, digits) >= PCT_LIMIT + 1:
        return f">+{PCT_LIMIT}%" if value > 0 else f"<{MINUS}{PCT_LIMIT}%"
    if round(scaled, digits) == 0:
        return f"{0:.{digits}f}%"
    return ("+" if value > 0 else MINUS) + f"{scaled:.{digits}f}%"


def bp(points: float | None) -> str:
    """A change in yield points as signed basis points: 0.123 -> '+12bp'.

    Bounded: 100 points (10,000bp) or more reads '>+9999bp', inf included.
    """
    if not _finite(points):
        return NA
    assert points is not None
    if abs(points) * 100 >= BP_LIMIT + 0.5:
        return f">+{BP_LIMIT}bp" if points > 0 else f"<{MINUS}{BP_LIMIT}bp"
    value = round(points * 100)
    if value == 0:
        return "0bp"
    return ("+" if value > 0 else MINUS) + f"{abs(value)}bp"


def _scientific(value: float) -> str:
    """1.234e8 -> '1.2e8', 1e-300 -> '1.0e-300': no '+', no leading zeros in the exponent."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def price(value: float | None) -> str:
    """A price with as many decimals as its size deserves.

    Bounded: at most 9 characters ('9,999,999'); from 1e7 up, and for non-zero values that
    would read 0.000, scientific ('1.0e308', '1.0e-300'); infinities read '∞' / '−∞'.
    """
    if not _finite(value):
        return NA
    assert value is not None
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    size = abs(value)
    if round(size) >= PRICE_SCIENTIFIC or (0 < size < 0.0005):
        return _scientific(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 10:
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
    points = [v for v in values if v is not None and math.isfinite(v)]
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
    """Days until an event: 'in 15 d', 'in 5 h', 'now'; bounded at 'in >9999 d'."""
    if math.isnan(days) or days <= 0:
        return "now"
    if days < 1:
        return f"in {max(1, round(days * 24))} h"
    if days >= 10_000:
        return "in >9999 d"
    return f"in {math.floor(days)} d"


def et_time(iso: str) -> str:
    """An aware ISO timestamp in New York time: '2026-12-09 14:00 ET'."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo("America/New_York"))
    return moment.strftime("%Y-%m-%d %H:%M ET")
