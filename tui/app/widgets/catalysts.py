"""Catalysts by time: FOMC decisions, macro releases, earnings; the next 7 days stand out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from tui.format import countdown

SOON_DAYS = 7.0


def days_between(iso: str, now: datetime) -> float:
    """Days from `now` to the ISO moment `iso` (negative when past)."""
    return (datetime.fromisoformat(iso) - now).total_seconds() / 86400


def when_cells(item: dict[str, Any], now: datetime) -> tuple[str, str]:
    """(time in ET, time in the user's own zone) for one catalyst."""
    moment = datetime.fromisoformat(item["datetime"])
    if not item.get("time_known", True):
        return moment.strftime("%a %m-%d"), "time TBA"
    local = moment.astimezone()
    same = local.utcoffset() == moment.utcoffset()
    return moment.strftime("%a %m-%d %H:%M ET"), "" if same else local.strftime("%H:%M %Z")


class CatalystsTable(DataTable[Any]):
    """One row per catalyst; countdowns are recomputed from `now`, not stored."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row")
        self.add_column("When", key="when", width=18)
        self.add_column("Local", key="local", width=9)
        self.add_column("In", key="in", width=7)
        self.add_column("Event", key="event")
        self._shown: tuple[Any, ...] = ()

    def show(
        self,
        catalysts: Sequence[dict[str, Any]],
        now: datetime,
        earnings_unknown: Sequence[str] = (),
    ) -> None:
        """Show catalysts as of `now`; nothing repaints if no cell would change. Stocks whose
        next earnings date is unknown close the list with a '?' row."""
        rows = []
        for item in catalysts:
            days = days_between(item["datetime"], now)
            when, local = when_cells(item, now)
            left = countdown(days) if days >= 0 else "past"
            name = item["name"] + (f" · {item['detail']}" if item.get("detail") else "")
            if days < 0:
                style = "dim"
            elif days <= SOON_DAYS:
                style = "bold $warning" if item.get("importance") == "high" else "bold"
            else:
                style = ""
            rows.append((when, local, left, name, style))
        if earnings_unknown:
            rows.append(
                ("?", "", "?", f"earnings date unknown: {' '.join(earnings_unknown)}", "dim")
            )
        state = tuple(rows)
        if state == self._shown:
            return
        self._shown = state
        self.clear()
        for when, local, left, name, style in rows:
            style = style.replace("$warning", self._warning())
            self.add_row(
                Text(when, style=style),
                Text(local, style="dim"),
                Text(left, style=style, justify="right"),
                Text(name, style=style),
            )

    def _warning(self) -> str:
        try:
            return self.app.current_theme.warning or "yellow"
        except Exception:  # no app yet (unit use)
            return "yellow"
