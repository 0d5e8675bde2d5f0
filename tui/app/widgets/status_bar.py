"""The status line: data source, data as-of date, last good refresh, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from tui.data.refresh import RefreshOutcome


@dataclass(frozen=True)
class Status:
    """What the status line says. `state` is live / cached / stale / offline / rate-limited /
    read-only (a viewer of a cache another process refreshes)."""

    state: str = "cached"
    source: str = "cache"
    as_of: str | None = None
    last_refresh: str | None = None  # ISO time of the last refresh that succeeded
    refreshing: bool = False
    message: str = ""

    def with_(self, **changes: object) -> Status:
        return replace(self, **changes)  # type: ignore[arg-type]


def status_after(status: Status, outcome: RefreshOutcome) -> Status:
    """What the status line says after a refresh: never a refresh time for a failed one."""
    if outcome.problem is None:
        return status.with_(
            state="live",
            source="yahoo",
            last_refresh=outcome.finished_at,
            refreshing=False,
            message="" if not outcome.failed else outcome.message,
        )
    state = {"offline": "offline", "rate-limited": "rate-limited"}.get(outcome.problem, "stale")
    return status.with_(state=state, refreshing=False, message=outcome.message)


def local_time(iso: str | None) -> str:
    """An ISO timestamp as local 'YYYY-MM-DD HH:MM', or '—'."""
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def banner_text(status: Status) -> str:
    """The banner over the dashboard; empty while data is live."""
    as_of = status.as_of or "—"
    if status.state == "offline":
        return f"OFFLINE · data as of {as_of}"
    if status.state == "read-only":  # a viewer: another process refreshes the cache
        return f"READ-ONLY · data as of {as_of}"
    if status.state == "rate-limited":
        return f"RATE-LIMITED · data as of {as_of}"
    if status.state == "stale":
        return f"STALE · data as of {as_of}"
    if status.state == "cached":
        return f"CACHED · data as of {as_of}" + (" · refreshing…" if status.refreshing else "")
    return ""


def status_text(status: Status, width: int | None = None) -> str:
    """The one-line status bar, dropping the least useful parts to fit `width`."""
    state = status.state.upper()
    message = status.message
    if message.lower().startswith(status.state):
        state = ""  # 'offline: could not reach…' already says it
    optional = [
        f"source {status.source}",
        f"as of {status.as_of or '—'}",
    ]
    core_head = [state] if state else []
    core_tail = [f"refreshed {local_time(status.last_refresh)}"]
    if status.refreshing:
        core_tail.append("refreshing…")
    if message:
        core_tail.append(message)
    for keep in (2, 1, 0):
        text = " · ".join([*core_head, *optional[:keep], *core_tail])
        if width is None or len(text) <= width:
            return text
    return text


class StatusBar(Static):
    """Shows a `Status`; repaints only when the text changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.status = Status()
        self._text = ""

    def show(self, status: Status) -> None:
        self.status = status
        self._update_text()

    def on_resize(self) -> None:
        self._update_text()

    def _update_text(self) -> None:
        width = self.content_size.width or None
        text = status_text(self.status, width)
        if text != self._text:
            self._text = text
            self.update(text)
