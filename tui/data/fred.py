"""The Fed's target range online: FRED's DFEDTARL and DFEDTARU from its keyless CSV download.

``https://fred.stlouisfed.org/graph/fredgraph.csv?id=DFEDTARU`` answers a two-column CSV, one
row per calendar day since 2008-12-16::

    observation_date,DFEDTARU
    2008-12-16,0.25

(downloads before 2024 head the first column ``DATE``; a missing value is ``.``). Both series
are asked for at most once a day (after a failure, again after an hour); the changes they
hold — every day the range differs from the day before — are kept as JSON in the cache's meta
table, so a bad or missing answer keeps the last good data. Nothing here raises for network
or format problems: they come back in :class:`FedRange`'s ``problem``/``detail``.

Only the standard library is used (urllib); tests replace :func:`_http_get`, the one call that
reaches the network.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.data.cache import Cache

URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={series}"
LOWER, UPPER = "DFEDTARL", "DFEDTARU"
META_KEY = "fred_target_range"
"""Meta key: JSON {"fetched_at", "attempted_at", "through", "changes": [[day, lower, upper]]}."""
MAX_AGE = timedelta(hours=24)
RETRY_AFTER = timedelta(hours=1)
MAX_BYTES = 2_000_000
_USER_AGENT = "rotmon (https://github.com/; Fed target range for the regime rules)"


class FredFormatError(ValueError):
    """The answer is not FRED's CSV for the series asked for (the message says how)."""


@dataclass(frozen=True)
class Change:
    """The target range in force from ``day`` (percent)."""

    day: date
    lower: float
    upper: float


@dataclass
class FedRange:
    """What is known of the target range, and where it came from."""

    changes: list[Change] = field(default_factory=list)
    """Every change, oldest first (the first entry is the range on the first day)."""
    through: date | None = None
    """The last day the series had a value for."""
    fetched_at: datetime | None = None
    """When FRED last answered with good data (UTC)."""
    fetched_now: bool = False
    """True if this call fetched (False: from the cache, or nothing)."""
    problem: str | None = None
    """None, "timeout", "offline", "http", "format": why the last attempt failed."""
    detail: str = ""

    @property
    def source(self) -> str:
        """'FRED DFEDTARL/DFEDTARU to 2026-11-30 (fetched 2026-12-01)' or '' if none."""
        if not self.changes or self.through is None:
            return ""
        fetched = f" (fetched {self.fetched_at:%Y-%m-%d})" if self.fetched_at else ""
        return f"FRED {LOWER}/{UPPER} to {self.through.isoformat()}{fetched}"

    def as_tuples(self) -> list[tuple[date, float, float]]:
        """The changes as (day, lower, upper)."""
        return [(c.day, c.lower, c.upper) for c in self.changes]


# ----------------------------------------------------------------------------- parsing


def parse_csv(text: str, series: str) -> dict[date, float]:
    """Day -> value of one FRED series CSV (header ``observation_date,ID`` or ``DATE,ID``).

    Missing values (``.`` or empty) are skipped. Raises :class:`FredFormatError` for anything
    else that is not FRED's format: another header, a bad date or number, a value outside
    0-25 %, dates out of order, or no value at all.
    """
    lines = [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        raise FredFormatError("empty answer")
    header = [h.strip().strip('"') for h in lines[0].split(",")]
    if len(header) != 2 or header[0].lower() not in ("observation_date", "date"):
        raise FredFormatError(f"not FRED's CSV (header {lines[0][:60]!r})")
    if header[1].upper() != series.upper():
        raise FredFormatError(f"answer is for {header[1][:20]!r}, not {series}")
    values: dict[date, float] = {}
    previous: date | None = None
    for number, line in enumerate(lines[1:], start=2):
        cells = [c.strip().strip('"') for c in line.split(",")]
        if len(cells) != 2:
            raise FredFormatError(f"line {number}: expected 2 fields, got {len(cells)}")
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            raise FredFormatError(f"line {number}: bad date {cells[0][:20]!r}") from None
        if previous is not None and day <= previous:
            raise FredFormatError(f"line {number}: {day} is not after {previous}")
        previous = day
        if cells[1] in (".", ""):
            continue
        try:
            value = float(cells[1])
        except ValueError:
            raise FredFormatError(f"line {number}: bad value {cells[1][:20]!r}") from None
        if not (math.isfinite(value) and 0.0 <= value <= 25.0):
            raise FredFormatError(f"line {number}: {value} is not a plausible rate")
        values[day] = value
    if not values:
        raise FredFormatError("no values")
    return values


def changes_of(lower: dict[date, float], upper: dict[date, float]) -> list[Change]:
    """The days (both series known) on which the range differs from the day before."""
    out: list[Change] = []
    for day in sorted(set(lower) & set(upper)):
        low, high = lower[day], upper[day]
        if low > high:
            raise FredFormatError(f"{day}: lower bound {low} above upper bound {high}")
        if not out or (out[-1].lower, out[-1].upper) != (low, high):
            out.append(Change(day, low, high))
    if not out:
        raise FredFormatError("the two series have no day in common")
    return out


# ------------------------------------------------------------------------------ network


def _http_get(url: str, timeout: float) -> tuple[int, bytes]:
    """GET ``url``: (status, body). The one call that reaches the network."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (https)
            return int(answer.status), answer.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        return int(error.code), b""


def _kind(error: BaseException) -> str:
    text = f"{type(error).__name__} {error}".lower()
    if isinstance(error, TimeoutError) or "timed out" in text or "timeout" in text:
        return "timeout"
    return "offline"


def _fetch(series: str, timeout: float) -> dict[date, float]:
    """One series; raises FredFormatError, or _Failed for the network and HTTP statuses."""
    try:
        status, body = _http_get(URL.format(series=series), timeout)
    except Exception as exc:  # urllib's URLError, socket timeouts, proxies refusing
        reason = getattr(exc, "reason", exc)
        raise _Failed(_kind(reason if isinstance(reason, BaseException) else exc), exc) from exc
    if status != 200:
        raise _Failed("http", f"HTTP {status} for {series}")
    if len(body) > MAX_BYTES:
        raise FredFormatError(f"answer for {series} larger than {MAX_BYTES} bytes")
    return parse_csv(body.decode("utf-8", "replace"), series)


class _Failed(Exception):
    def __init__(self, kind: str, cause: object) -> None:
        super().__init__(str(cause))
        self.kind = kind


# -------------------------------------------------------------------------------- cache


def cached_range(cache: Cache) -> FedRange:
    """The last good data from the cache's meta (empty :class:`FedRange` if none)."""
    stored = _stored(cache)
    try:
        changes = [
            Change(date.fromisoformat(d), float(lo), float(hi)) for d, lo, hi in stored["changes"]
        ]
        through = date.fromisoformat(stored["through"])
        fetched = _parse_time(stored.get("fetched_at"))
    except (KeyError, TypeError, ValueError):
        return FedRange()
    return FedRange(changes, through, fetched)


def _stored(cache: Cache) -> dict:
    try:
        value = json.loads(cache.get_meta(META_KEY) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refresh_fed_range(
    cache: Cache, now: datetime | None = None, *, timeout: float = 10.0, force: bool = False
) -> FedRange:
    """The target range, fetched from FRED if the cached copy is over a day old (an hour
    after a failed attempt; ``force`` asks anyway); the last good data otherwise or on any
    failure, with ``problem``/``detail`` saying what went wrong. Never raises for network
    or format problems."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    stored = _stored(cache)
    known = cached_range(cache)
    fetched = known.fetched_at
    attempted = _parse_time(stored.get("attempted_at"))
    if not force:
        if fetched is not None and moment - fetched < MAX_AGE:
            return known
        if attempted is not None and moment - attempted < RETRY_AFTER:
            return known
    try:
        lower = _fetch(LOWER, timeout)
        upper = _fetch(UPPER, timeout)
        changes = changes_of(lower, upper)
    except (_Failed, FredFormatError) as exc:
        kind = exc.kind if isinstance(exc, _Failed) else "format"
        stored["attempted_at"] = _stamp(moment)
        cache.set_meta(META_KEY, json.dumps(stored, separators=(",", ":")))
        detail = " ".join(f"FRED: {exc}".split())[:200]
        return FedRange(known.changes, known.through, known.fetched_at, False, kind, detail)
    through = max(set(lower) & set(upper))
    payload = {
        "fetched_at": _stamp(moment),
        "attempted_at": _stamp(moment),
        "through": through.isoformat(),
        "changes": [[c.day.isoformat(), c.lower, c.upper] for c in changes],
    }
    cache.set_meta(META_KEY, json.dumps(payload, separators=(",", ":")))
    return FedRange(changes, through, moment, True)
