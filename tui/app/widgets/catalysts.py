"""Catalysts by time: FOMC decisions, macro releases, earnings; the next 7 days stand out.

Event names are never cut: the name is wrapped at word boundaries to the pane's width (a row
grows a line), and its detail (the Fed's move, the release's full title) fills at most the
rest of two lines, shortened at a word boundary with '…' when longer. Under MIN_LOCAL_EVENT
cells for the event the Local column (the time in the user's zone) is dropped first. A date in
another year than now's shows its year.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from tui.format import countdown

SOON_DAYS = 7.0
LOCAL_WIDTH = 9
IN_WIDTH = 7
MIN_EVENT_WIDTH = 12
MIN_LOCAL_EVENT = 30
"""Below this many cells for the event, the Local column is dropped to give it room."""
DETAIL_LINES = 2
CELL_PADDING = 2
SCROLLBAR = 2


def days_between(iso: str, now: datetime) -> float:
    """Days from `now` to the ISO moment `iso` (negative when past)."""
    return (datetime.fromisoformat(iso) - now).total_seconds() / 86400


def when_cells(item: dict[str, Any], now: datetime) -> tuple[str, str]:
    """(time in ET, time in the user's own zone) for one catalyst."""
    moment = datetime.fromisoformat(item["datetime"])
    other_year = moment.year != now.year
    if not item.get("time_known", True):
        return moment.strftime("%Y-%m-%d" if other_year else "%a %m-%d"), "time TBA"
    local = moment.astimezone()
    same = local.utcoffset() == moment.utcoffset()
    day = "%Y-%m-%d" if other_year else "%a %m-%d"
    return moment.strftime(f"{day} %H:%M ET"), "" if same else local.strftime("%H:%M %Z")


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(1, width), break_long_words=False, break_on_hyphens=False)


def wrap_event(name: str, detail: str, width: int | None) -> list[str]:
    """The event in lines of at most ``width`` cells, broken between words only: the whole
    name (a word longer than the width keeps a line of its own), then ' · detail' while the
    whole fits DETAIL_LINES lines, else as much of the detail as fits them, ending in '…' at
    a word boundary (nothing of it if not even one word fits). ``width`` None: one line."""
    full = f"{name} · {detail}" if detail else name
    if width is None:
        return [full]
    lines = _wrap(full, width) or [""]
    name_lines = _wrap(name, width) or [""]
    if len(lines) <= max(DETAIL_LINES, len(name_lines)):
        return lines
    words = detail.split()
    for n in range(len(words) - 1, 0, -1):
        shorter = _wrap(f"{name} · {' '.join(words[:n])}…", width)
        if len(shorter) <= max(DETAIL_LINES, len(name_lines)):
            return shorter
    return name_lines


class CatalystsTable(DataTable[Any]):
    """One row per catalyst; countdowns are recomputed from `now`, not stored."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row")
        self._shown: tuple[Any, ...] = ()
        self._columns: tuple[int, bool, int | None] | None = None
        self._last: tuple[Sequence[dict[str, Any]], datetime, Sequence[str]] | None = None

    def _layout(self, when_width: int) -> tuple[bool, int | None]:
        """(show the Local column, cells for the event) in this pane; the event's width is
        None before the pane is laid out (then nothing is wrapped)."""
        if not self.size.width:
            return True, None
        fixed = when_width + IN_WIDTH + 3 * CELL_PADDING + SCROLLBAR
        with_local = self.size.width - fixed - LOCAL_WIDTH - CELL_PADDING
        if with_local >= MIN_LOCAL_EVENT:
            return True, with_local
        return False, max(MIN_EVENT_WIDTH, self.size.width - fixed)

    def _set_columns(self, when_width: int, local: bool, event_width: int | None) -> None:
        if self._columns == (when_width, local, event_width):
            return
        self._columns = (when_width, local, event_width)
        self.clear(columns=True)
        self.add_column("When", key="when", width=when_width)
        if local:
            self.add_column("Local", key="local", width=LOCAL_WIDTH)
        self.add_column("In", key="in", width=IN_WIDTH)
        self.add_column("Event", key="event", width=event_width)

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def show(
        self,
        catalysts: Sequence[dict[str, Any]],
        now: datetime,
        earnings_unknown: Sequence[str] = (),
    ) -> None:
        """Show catalysts as of `now`; nothing repaints if no cell would change. Stocks whose
        next earnings date is unknown close the list with a '?' row."""
        self._last = (catalysts, now, earnings_unknown)
        rows = []
        for item in catalysts:
            days = days_between(item["datetime"], now)
            when, local = when_cells(item, now)
            left = countdown(days) if days >= 0 else "past"
            name = (str(item["name"]), str(item.get("detail") or ""))
            if days < 0:
                style = "dim"
            elif days <= SOON_DAYS:
                style = "bold $warning" if item.get("importance") == "high" else "bold"
            else:
                style = ""
            rows.append((when, local, left, name, style))
        if earnings_unknown:
            unknown = ("earnings date unknown: " + " ".join(earnings_unknown), "")
            rows.append(("?", "", "?", unknown, "dim"))
        when_width = max([18, *(len(row[0]) for row in rows)])
        show_local, event_width = self._layout(when_width)
        state = (tuple(rows), when_width, show_local, event_width)
        if state == self._shown:
            return
        self._shown = state
        self._set_columns(when_width, show_local, event_width)
        self.clear()
        for when, local, left, (name, detail), style in rows:
            style = style.replace("$warning", self._warning())
            lines = wrap_event(name, detail, event_width)
            cells = [Text(when, style=style)]
            if show_local:
                cells.append(Text(local, style="dim"))
            cells += [
                Text(left, style=style, justify="right"),
                Text("\n".join(lines), style=style),
            ]
            self.add_row(*cells, height=len(lines))

    def _warning(self) -> str:
        try:
            return self.app.current_theme.warning or "yellow"
        except Exception:  # no app yet (unit use)
            return "yellow"
