"""The status line: data source, data as-of date, last good refresh, and what went wrong;
and the hint that covers a screen too small to show the dashboard (:class:`SizeHint`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from tui.data.refresh import RefreshOutcome

MIN_WIDTH = 80
MIN_HEIGHT = 24
"""The smallest screen the dashboard is laid out for; under it, a hint instead."""


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


def size_hint_text(width: int, height: int) -> str:
    """What a screen smaller than MIN_WIDTH×MIN_HEIGHT says instead of a half table."""
    return (
        f"The window is {width}×{height}: too small for the dashboard.\n"
        f"Make the window larger (at least {MIN_WIDTH}×{MIN_HEIGHT}).\n"
        "q quits."
    )


class SizeHint(Static):
    """Covers its screen with :func:`size_hint_text` while the screen is smaller than
    MIN_WIDTH×MIN_HEIGHT (a half table with cut columns tells nothing); hidden otherwise.

    It sets the class ``-too-small`` on its screen and its (unscoped) CSS does the rest:
    docked over the whole screen, the screen's own scrolling off. A StatusBar mounts one on
    its screen, so a screen with a status line needs nothing else.
    """

    SCOPED_CSS = False
    DEFAULT_CSS = """
    SizeHint { display: none; }
    Screen.-too-small { overflow: hidden hidden; }
    Screen.-too-small SizeHint {
        display: block;
        dock: top;
        width: 100%;
        height: 100%;
        padding: 0 1;
        background: $background;
        color: $text-warning;
        content-align: center middle;
        text-align: center;
        text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False, id="size-hint")
        self._checked: tuple[int, int] | None = None

    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self._check)
        self._check(self.screen)

    def _check(self, screen: Screen[object]) -> None:
        width, height = screen.size
        if not width or (width, height) == self._checked:
            return
        self._checked = (width, height)
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        if small:
            self.update(size_hint_text(width, height))
        screen.set_class(small, "-too-small")


class StatusBar(Static):
    """Shows a `Status`; repaints only when the text changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.status = Status()
        self._text = ""

    def on_mount(self) -> None:
        if not self.screen.query(SizeHint):
            self.screen.mount(SizeHint())

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
