"""Alerts that reach you when you are not looking: a command of yours, run without a shell.

The config names a program and its fixed arguments as an argv list; each alert's title and
text are appended as two more arguments and the program is started directly (``shell=False``),
so nothing in an alert — a rule name, an event name from your events file — is ever
interpreted::

    [alerts]
    notify_command = ["notify-send", "--app-name=rotmon"]      # desktop notification
    # notify_command = ["curl", "-s", "-H", "Title: rotmon", "-d", "https://ntfy.sh/my-topic"]
    notify_timeout = 10            # seconds (or "10s"); the program is killed after it
    quiet_hours = "22:00-07:00"    # nothing is sent in this window (it may wrap midnight) ...
    quiet_zone = "Europe/Paris"    # ... read in this IANA zone (default: this machine's zone)
    kinds = ["rule_flips", "catalysts", "quadrants", "rs_extremes"]   # default: all four
    symbols = ["XLK", "IWM"]       # quadrant and RS alerts only for these (default: all)

With curl the title and text become the last two arguments: ``curl … -d URL TITLE TEXT`` would
post the wrong thing, so for ntfy wrap it in a small script of your own that takes
``"$1"`` (title) and ``"$2"`` (text). rotmon never builds a command line from text.

The pieces, all free of Textual:

- :class:`Notifier` runs the command in one background thread: :meth:`Notifier.send` returns at
  once; the program gets ``notify_timeout`` seconds and is then killed with its process group.
  A failure (program missing, not executable, non-zero exit, timeout) is reported once — by
  :meth:`Notifier.failures` and the optional ``on_failure`` callback — not for every alert,
  until a later send succeeds.
- :class:`AlertMemory` remembers which alert ids were sent (JSON for the cache's meta table), so
  an alert is sent once, not again after a restart.
- :func:`due_alerts` picks what to send now: the selected kinds and symbols, not sent before,
  nothing during quiet hours (held alerts are not marked sent, so those still current when the
  quiet hours end are sent then). :func:`dispatch` sends them and marks them sent.
- :func:`parse_notify_settings` validates the ``[alerts]`` values and returns every problem with
  its dotted key, for the config loader to report with file and line.

Only the standard library is imported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "ALERT_KINDS",
    "DEFAULT_TIMEOUT",
    "Alert",
    "AlertMemory",
    "NotifySettings",
    "Notifier",
    "QuietHours",
    "dispatch",
    "due_alerts",
    "parse_notify_settings",
    "parse_quiet_hours",
]

ALERT_KINDS: tuple[str, ...] = ("rule_flips", "catalysts", "quadrants", "rs_extremes")
"""What can be sent: confirmed rule flips, catalysts < 24 h away, RRG quadrant transitions of
the chosen symbols, RS new 52-week highs/lows of the watched ratios."""

DEFAULT_TIMEOUT = 10.0
"""Seconds a notify command may run before it is killed."""
MAX_TIMEOUT = 300.0
MAX_ARG_CHARS = 4000
"""Title and text are cut to this many characters (an argv has a size limit)."""
MAX_QUEUE = 100
"""Alerts waiting for the command beyond this are dropped (and that is reported once)."""
MEMORY_KEEP_DAYS = 45
"""Sent ids older than this are forgotten by :meth:`AlertMemory.prune`."""

SETTING_KEYS: tuple[str, ...] = (
    "notify_command",
    "notify_timeout",
    "quiet_hours",
    "quiet_zone",
    "kinds",
    "symbols",
)
"""The ``[alerts]`` keys this module reads (``notify`` and ``bell`` stay with the config)."""


# --- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """A daily window in which nothing is sent; ``start > end`` wraps midnight."""

    start: time
    end: time
    zone: ZoneInfo | None = None
    """IANA zone the times are read in; None: the machine's local zone."""

    def contains(self, moment: datetime) -> bool:
        """True if ``moment`` (aware; naive is taken as local) falls in the window.

        The window includes its start and excludes its end: ``22:00-07:00`` is quiet at 22:00
        and 06:59, not at 07:00.
        """
        local = moment.astimezone(self.zone) if self.zone else moment.astimezone()
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def label(self) -> str:
        """``22:00-07:00 Europe/Paris``."""
        zone = self.zone.key if self.zone else "local time"
        return f"{self.start:%H:%M}-{self.end:%H:%M} {zone}"


_HHMM = r"([01]?\d|2[0-3]):([0-5]\d)"
_QUIET_RE = re.compile(rf"^\s*{_HHMM}\s*-\s*{_HHMM}\s*$")


def parse_quiet_hours(text: str, zone: str | None = None) -> QuietHours:
    """``"22:00-07:00"`` in ``zone`` (IANA name; None: local) as QuietHours; ValueError if bad."""
    match = _QUIET_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f'{text!r} is not a time window; use e.g. "22:00-07:00"')
    start = time(int(match.group(1)), int(match.group(2)))
    end = time(int(match.group(3)), int(match.group(4)))
    if start == end:
        raise ValueError(f"{text!r} starts and ends at the same time")
    info = None
    if zone is not None:
        try:
            info = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f'{zone!r} is not a time zone; use e.g. "Europe/Paris"') from exc
    return QuietHours(start, end, info)


@dataclass(frozen=True)
class NotifySettings:
    """The validated ``[alerts]`` values for the notify command."""

    command: tuple[str, ...] = ()
    """Program and fixed arguments; empty: no command is run."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds before the program is killed."""
    quiet_hours: QuietHours | None = None
    """When nothing is sent; None: never quiet."""
    kinds: frozenset[str] = frozenset(ALERT_KINDS)
    """Which of :data:`ALERT_KINDS` are sent."""
    symbols: frozenset[str] | None = None
    """Quadrant and RS alerts only for these symbols; None: every symbol."""

    def quiet(self, now: datetime) -> bool:
        """True if ``now`` is within the quiet hours."""
        return self.quiet_hours is not None and self.quiet_hours.contains(now)


Problem = tuple[tuple[str, ...], str]
"""(dotted key as parts, e.g. ``("alerts", "notify_command")``, message)."""


def _type_name(value: object) -> str:
    for kind, name in (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        (list, "an array"),
        (dict, "a table"),
    ):
        if isinstance(value, kind):
            return name
    return f"a {type(value).__name__}"


def _parse_timeout(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f'expected seconds such as 10 or "10s", got {_type_name(value)}')
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?)?\s*", value.lower())
        if match is None:
            raise ValueError(f'{value!r} is not a number of seconds; use e.g. 10 or "10s"')
        seconds = float(match.group(1))
    else:
        seconds = float(value)
    if not (0 < seconds <= MAX_TIMEOUT):
        raise ValueError(f"{value!r} must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    return seconds


def parse_notify_settings(
    table: Mapping[str, object], section: str = "alerts"
) -> tuple[NotifySettings, list[Problem]]:
    """Validate the notify keys of the ``[alerts]`` table; keys not in :data:`SETTING_KEYS`
    are left to the caller. Each bad value gives one problem and its default is used instead;
    nothing raises. Problems come in key order of :data:`SETTING_KEYS`."""
    problems: list[Problem] = []
    fields: dict[str, object] = {}

    def bad(key: str, message: str) -> None:
        problems.append(((section, key), message))

    if "notify_command" in table:
        value = table["notify_command"]
        if isinstance(value, str):
            bad(
                "notify_command",
                f'expected an array such as ["notify-send"], got a string ({value[:40]!r}); '
                "it is not split or given to a shell; no command is run",
            )
        elif not isinstance(value, list) or not value:
            bad(
                "notify_command",
                f'expected a non-empty array such as ["notify-send"], got {_type_name(value)}; '
                "no command is run",
            )
        elif not all(isinstance(part, str) for part in value):
            bad("notify_command", "every element must be a string; no command is run")
        elif not value[0].strip():
            bad("notify_command", "the program name is empty; no command is run")
        elif any("\x00" in part for part in value):
            bad("notify_command", "an element contains a NUL character; no command is run")
        else:
            fields["command"] = tuple(value)

    if "notify_timeout" in table:
        try:
            fields["timeout"] = _parse_timeout(table["notify_timeout"])
        except ValueError as exc:
            bad("notify_timeout", f"{exc}; using {DEFAULT_TIMEOUT:g} s")

    zone: str | None = None
    zone_ok = True
    if "quiet_zone" in table:
        raw = table["quiet_zone"]
        if not isinstance(raw, str) or not raw.strip():
            bad(
                "quiet_zone",
                f'expected a zone name such as "Europe/Paris", got '
                f"{_type_name(raw)}; quiet hours are off",
            )
            zone_ok = False
        else:
            try:
                ZoneInfo(raw.strip())
                zone = raw.strip()
            except (ZoneInfoNotFoundError, ValueError):
                bad("quiet_zone", f"{raw!r} is not a time zone; quiet hours are off")
                zone_ok = False
    if "quiet_hours" in table:
        raw = table["quiet_hours"]
        if not isinstance(raw, str):
            bad(
                "quiet_hours",
                f'expected a string such as "22:00-07:00", got '
                f"{_type_name(raw)}; quiet hours are off",
            )
        elif zone_ok:
            try:
                fields["quiet_hours"] = parse_quiet_hours(raw, zone)
            except ValueError as exc:
                bad("quiet_hours", f"{exc}; quiet hours are off")

    if "kinds" in table:
        raw = table["kinds"]
        if not isinstance(raw, list):
            bad(
                "kinds",
                f"expected an array of {', '.join(ALERT_KINDS)}, got "
                f"{_type_name(raw)}; sending all kinds",
            )
        else:
            kinds = set()
            for item in raw:
                if isinstance(item, str) and item.strip() in ALERT_KINDS:
                    kinds.add(item.strip())
                else:
                    shown = repr(item) if isinstance(item, str) else _type_name(item)
                    bad("kinds", f"{shown} is not one of {', '.join(ALERT_KINDS)}; ignored")
            fields["kinds"] = frozenset(kinds)

    if "symbols" in table:
        raw = table["symbols"]
        if not isinstance(raw, list):
            bad(
                "symbols",
                f"expected an array of symbols, got {_type_name(raw)}; alerting on every symbol",
            )
        else:
            symbols = set()
            for item in raw:
                symbol = item.strip().upper() if isinstance(item, str) else ""
                if re.fullmatch(r"[A-Z0-9^][A-Z0-9.\-=^]{0,14}", symbol):
                    symbols.add(symbol)
                else:
                    shown = repr(item) if isinstance(item, str) else _type_name(item)
                    bad("symbols", f"{shown} is not a ticker symbol; ignored")
            fields["symbols"] = frozenset(symbols)

    return NotifySettings(**fields), problems  # type: ignore[arg-type]


# --- what to send -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """One thing worth telling you, with a stable id so it is sent only once."""

    id: str
    """Stable identity, e.g. ``rule_flip|small_caps|2026-07-30|pass``; the memory's key."""
    kind: str
    """One of :data:`ALERT_KINDS`."""
    title: str
    """Short first argument, e.g. ``rotmon: Small caps flipped to FAIL``."""
    text: str
    """Second argument: the figures."""
    symbol: str | None = None
    """The symbol it is about (quadrant and RS alerts), for the ``symbols`` filter."""

    @classmethod
    def from_dict(cls, item: Mapping[str, object]) -> Alert:
        """From a digest item's JSON (``id``, ``alert_kind``, ``title``, ``text``, ``symbol``)."""
        return cls(
            id=str(item["id"]),
            kind=str(item.get("alert_kind") or item.get("kind")),
            title=str(item.get("title", "")),
            text=str(item.get("text", "")),
            symbol=(str(item["symbol"]) if item.get("symbol") else None),
        )


class AlertMemory:
    """Which alert ids were sent and when (ISO date), kept across restarts as JSON."""

    def __init__(self, sent: Mapping[str, str] | None = None, damaged: bool = False) -> None:
        self._sent: dict[str, str] = dict(sent or {})
        self.damaged = damaged
        """True when :meth:`from_json` could not read what was stored (it then starts empty;
        the caller may :meth:`adopt` what is current rather than send it all again)."""

    def __contains__(self, alert_id: object) -> bool:
        return alert_id in self._sent

    def __len__(self) -> int:
        return len(self._sent)

    def mark(self, alert_id: str, when: datetime) -> None:
        """Remember ``alert_id`` as sent on ``when``'s date (the first date is kept)."""
        self._sent.setdefault(alert_id, when.date().isoformat())

    def adopt(self, alert_ids: Iterable[str], when: datetime) -> None:
        """Mark ids as sent without sending them (a first run, or a damaged memory)."""
        for alert_id in alert_ids:
            self.mark(alert_id, when)

    def prune(self, now: datetime, keep_days: int = MEMORY_KEEP_DAYS) -> int:
        """Forget ids sent more than ``keep_days`` ago; returns how many were forgotten.

        Digest ids carry their own dates, so an old id never comes back to be resent."""
        cutoff = (now - timedelta(days=keep_days)).date().isoformat()
        old = [k for k, day in self._sent.items() if day < cutoff]
        for key in old:
            del self._sent[key]
        return len(old)

    def to_json(self) -> str:
        """``{"version": 1, "sent": {id: "YYYY-MM-DD", ...}}`` with sorted keys."""
        return json.dumps({"version": 1, "sent": self._sent}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> AlertMemory:
        """The stored memory; None gives an empty one; unreadable text an empty, damaged one."""
        if text is None:
            return cls()
        try:
            payload = json.loads(text)
            sent = payload["sent"]
            if payload.get("version") != 1 or not isinstance(sent, dict):
                raise ValueError("unexpected layout")
            clean = {str(k): str(v) for k, v in sent.items() if isinstance(v, str)}
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls(damaged=True)
        return cls(clean)


def due_alerts(
    alerts: Iterable[Alert], settings: NotifySettings, memory: AlertMemory, now: datetime
) -> list[Alert]:
    """The alerts to send now, in the given order: of a selected kind, about a selected symbol
    (alerts without a symbol always pass that filter), not sent before, one per id. During quiet
    hours: none (and nothing is marked, so they are still due afterwards)."""
    if settings.quiet(now):
        return []
    out: list[Alert] = []
    seen: set[str] = set()
    for alert in alerts:
        if alert.kind not in settings.kinds or alert.id in memory or alert.id in seen:
            continue
        if settings.symbols is not None and alert.symbol and alert.symbol not in settings.symbols:
            continue
        seen.add(alert.id)
        out.append(alert)
    return out


def dispatch(
    alerts: Iterable[Alert],
    settings: NotifySettings,
    notifier: Notifier | None,
    memory: AlertMemory,
    now: datetime,
) -> list[Alert]:
    """Send the due alerts through ``notifier`` (None: no command configured) and mark them
    sent; returns them, for the caller's notice and bell. Never waits for the command."""
    due = due_alerts(alerts, settings, memory, now)
    for alert in due:
        if notifier is not None:
            notifier.send(alert.title, alert.text)
        memory.mark(alert.id, now)
    return due


# --- running the command ----------------------------------------------------------------------


def _clean_arg(text: str) -> str:
    """An argument the OS accepts: no NUL, at most MAX_ARG_CHARS characters."""
    text = str(text).replace("\x00", "")
    return text if len(text) <= MAX_ARG_CHARS else text[: MAX_ARG_CHARS - 1] + "…"


@dataclass
class _Stats:
    sent: int = 0
    failed: int = 0
    dropped: int = 0


@dataclass(eq=False)
class Notifier:
    """Runs ``argv + [title, text]`` for each alert, one at a time, in a background thread.

    ``on_failure`` (optional) is called from that thread with each failure message; the app
    should hop to its own thread (``call_from_thread``) there. :meth:`failures` returns the same
    messages to a caller that polls.
    """

    argv: Sequence[str]
    timeout: float = DEFAULT_TIMEOUT
    on_failure: Callable[[str], None] | None = None
    max_queue: int = MAX_QUEUE
    stats: _Stats = field(default_factory=_Stats)

    def __post_init__(self) -> None:
        if not self.argv or not all(isinstance(a, str) for a in self.argv):
            raise ValueError("argv must be a non-empty list of strings")
        self.argv = tuple(self.argv)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queue: deque[tuple[str, str]] = deque()
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._messages: list[str] = []
        self._reported: set[str] = set()  # failure kinds already reported since the last success
        self._closed = False

    @property
    def program(self) -> str:
        """The program as configured (for messages)."""
        return self.argv[0]

    def check(self) -> str | None:
        """A message if the program cannot be found now (``shutil.which``), else None."""
        if shutil.which(self.program) is None:
            return f"notify_command: program {self.program!r} not found; alerts are not sent"
        return None

    def send(self, title: str, text: str) -> None:
        """Queue one alert and return at once; the command runs in the background thread."""
        with self._lock:
            if self._closed:
                return
            if len(self._queue) >= self.max_queue:
                self.stats.dropped += 1
                self._report_locked(
                    "queue",
                    f"notify_command: {self.max_queue} alerts are waiting for {self.program!r}; "
                    "further alerts are dropped",
                )
                return
            self._queue.append((_clean_arg(title), _clean_arg(text)))
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="rotmon-notify", daemon=True)
                self._thread.start()

    def failures(self) -> list[str]:
        """Failure messages not yet collected (each kind of failure once until a success)."""
        with self._lock:
            out, self._messages = self._messages, []
        return out

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every queued alert has been handled; False if ``timeout`` ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        """Accept no more alerts (those queued are still run)."""
        with self._lock:
            self._closed = True

    # the background thread

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._thread = None
                    return
                title, text = self._queue.popleft()
            try:
                kind, message = self._execute([*self.argv, title, text])
            except Exception as exc:  # never let the thread die silently
                kind, message = "error", f"notify_command: {self.program!r} failed: {exc}"
            with self._idle:
                if kind == "ok":
                    self.stats.sent += 1
                    self._reported.clear()
                else:
                    self.stats.failed += 1
                    self._report_locked(kind, message)
                self._pending -= 1
                self._idle.notify_all()

    def _report_locked(self, kind: str, message: str) -> None:
        if kind in self._reported:
            return
        self._reported.add(kind)
        self._messages.append(message)
        if self.on_failure is not None:
            with contextlib.suppress(Exception):
                self.on_failure(message)

    def _execute(self, argv: list[str]) -> tuple[str, str]:
        """Run once: ("ok", "") or (failure kind, message)."""
        posix = os.name == "posix"
        with tempfile.TemporaryFile() as err:
            try:
                proc = subprocess.Popen(  # noqa: S603 - argv from the user's config, no shell
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    shell=False,
                    start_new_session=posix,
                    close_fds=True,
                )
            except FileNotFoundError:
                return "missing", (
                    f"notify_command: program {self.program!r} not found; alerts are not sent "
                    "to it (they still show here)"
                )
            except PermissionError:
                return "permission", (
                    f"notify_command: {self.program!r} cannot be run (permission denied)"
                )
            except OSError as exc:
                return "oserror", (
                    f"notify_command: {self.program!r} cannot be run: "
                    f"{exc.strerror or type(exc).__name__}"
                )
            try:
                code = proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self._kill(proc, posix)
                return "timeout", (
                    f"notify_command: {self.program!r} did not finish within "
                    f"{self.timeout:g} s and was stopped"
                )
            if code != 0:
                err.seek(0)
                detail = err.read(400).decode("utf-8", "replace").strip().splitlines()
                said = f": {detail[0][:200]}" if detail else ""
                status = f"signal {-code}" if code < 0 else f"status {code}"
                return "exit", f"notify_command: {self.program!r} exited with {status}{said}"
        return "ok", ""

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes], posix: bool) -> None:
        """Kill the program and (POSIX) everything in its process group, then reap it."""
        with contextlib.suppress(OSError):
            if posix:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
