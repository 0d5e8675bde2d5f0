"""The status line: data source, data as-of date, last good refresh, and what went wrong;
and the hint that covers a screen too small to show the dashboard (:class:`SizeHint`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.timer import Timer

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
    intraday: str = ""
    """The New York time ('14:05') of today's in-progress bar, when the figures include one:
    shown as 'as of 2026-08-03 14:05 ET'. Empty once the day's final bar is in."""
    live_until: str | None = None
    """Aware ISO time until which 'live' data counts as fresh (the last refresh plus the
    refresh cadence and some grace). Past it a 'live' status reads CACHED: a refresher that
    stopped never leaves LIVE on screen. None: live stays live (the old behaviour)."""
    behind: int = 0
    """Market sessions the cache is behind the calendar (closed sessions whose bars are
    missing). Above 0 the banner says 'STALE · 3 sessions behind · data as of …'."""

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


def shown_state(status: Status, now: datetime | None = None) -> str:
    """The state the banner and the status line show: 'live' only while the data is fresh
    (before ``live_until``, and not behind the calendar); 'stale' for cached or live data
    that is sessions behind; otherwise ``status.state``. ``now``: aware, default the clock."""
    state = status.state
    if state in ("live", "cached") and status.behind > 0:
        return "stale"
    if state == "live" and status.live_until:
        try:
            until = datetime.fromisoformat(status.live_until)
        except ValueError:
            return "cached"  # unreadable: never claim live
        moment = now or datetime.now(UTC)
        if until.tzinfo is None or moment >= until:
            return "cached"
    return state


def as_of_text(status: Status) -> str:
    """'2026-07-31', or with today's in-progress bar '2026-08-03 14:05 ET'."""
    as_of = status.as_of or "—"
    return f"{as_of} {status.intraday} ET" if status.intraday and status.as_of else as_of


def _behind_text(status: Status) -> str:
    if status.behind <= 0:
        return ""
    return f"{status.behind} session{'s' if status.behind != 1 else ''} behind · "


def banner_text(status: Status, now: datetime | None = None) -> str:
    """The banner over the dashboard; empty while data is live (see shown_state)."""
    state = shown_state(status, now)
    data = f"{_behind_text(status)}data as of {as_of_text(status)}"
    if state == "offline":
        return f"OFFLINE · {data}"
    if state == "read-only":  # a viewer: another process refreshes the cache
        return f"READ-ONLY · {data}"
    if state == "rate-limited":
        return f"RATE-LIMITED · {data}"
    if state == "stale":
        return f"STALE · {data}"
    if state == "cached":
        return f"CACHED · {data}" + (" · refreshing…" if status.refreshing else "")
    return ""


def status_text(status: Status, width: int | None = None, now: datetime | None = None) -> str:
    """The one-line status bar, dropping the least useful parts to fit `width`."""
    shown = shown_state(status, now)
    state = shown.upper()
    message = status.message
    if message.lower().startswith(shown):
        state = ""  # 'offline: could not reach…' already says it
    optional = [
        f"source {status.source}",
        f"as of {as_of_text(status)}",
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
    """Shows a `Status`; repaints only when the text changes, and once more when live data
    stops being fresh (a one-shot timer at ``live_until``, never a ticking one)."""

    def __init__(
        self,
        *,
        id: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__("", id=id, markup=False)
        self.status = Status()
        self.clock = clock
        self._text = ""
        self._expiry: Timer | None = None

    def on_mount(self) -> None:
        if not self.screen.query(SizeHint):
            self.screen.mount(SizeHint())

    def show(self, status: Status) -> None:
        self.status = status
        self._update_text()
        if self._expiry is not None:
            self._expiry.stop()
            self._expiry = None
        if shown_state(status, self.clock()) == "live" and status.live_until:
            until = datetime.fromisoformat(status.live_until)  # readable: shown_state checked
            delay = (until - self.clock()).total_seconds()
            self._expiry = self.set_timer(max(delay, 0) + 0.05, self._update_text)

    def on_resize(self) -> None:
        self._update_text()

    def _update_text(self) -> None:
        width = self.content_size.width or None
        text = status_text(self.status, width, self.clock())
        if text != self._text:
            self._text = text
            self.update(text)
