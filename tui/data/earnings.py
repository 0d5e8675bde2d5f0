"""Next earnings date of each watched stock, from Yahoo Finance, cached and asked at most daily.

Source: ``yfinance.Ticker(symbol).calendar`` (one quoteSummary ``calendarEvents`` request per
symbol). In yfinance 1.7 that property returns a plain dict:

- a stock: ``{'Dividend Date': date, 'Ex-Dividend Date': date, 'Earnings Date': [date, ...],
  'Earnings High': float, 'Earnings Low': float, 'Earnings Average': float,
  'Revenue High': int, 'Revenue Low': int, 'Revenue Average': int}`` — ``Earnings Date`` holds
  one date, or two when Yahoo only estimates a window (first and last possible day); the
  dividend keys are absent for a stock that pays none;
- a fund, or a stock with no date announced: the same keys with ``'Earnings Date': []`` and the
  estimates None, or ``{}`` when Yahoo has no ``earnings`` block at all;
- ``{}`` too when Yahoo answers with an HTTP error (404 "Quote not found for symbol: X", 401
  "Invalid Crumb", …): yfinance logs ``"HTTP Error 404: …"`` on its logger and does not raise.

It raises for network failures: curl_cffi's ``ConnectionError``/``ProxyError`` when offline,
``Timeout`` when Yahoo does not answer, and ``YFRateLimitError`` on HTTP 429.

What this module does with that:

- The next earnings date is the earliest ``Earnings Date`` on or after today (New York date);
  none → None, shown as "?" (unknown). Of an estimated window that is its first day.
- Yahoo gives no time of day through ``calendar``, so
  :func:`tui.regime.catalysts.earnings_catalysts` makes *date-only* catalysts at 00:00 New
  York time with "time not announced".
- Caveat: yfinance turns Yahoo's timestamp into a date with ``datetime.fromtimestamp(ts)``, i.e.
  in the machine's local zone. Yahoo stamps the announcement time (an after-the-close report is
  ~20:00-21:00 UTC), so on a machine far east of New York (e.g. Asia/Tokyo) such a date reads one
  day late. This module cannot undo that without bypassing yfinance's public API.
- ETFs are never asked for (the caller passes the universe's ETFs); nor are indices (``^VIX``)
  and currency/futures symbols (``EURUSD=X``, ``CL=F``), which have no earnings.
- Failures never raise and print nothing: as in :mod:`tui.data.yahoo`, yfinance's loggers and
  warnings are silenced for the fetch, its HTTP session is the guarded one (timeouts capped,
  fails fast once Yahoo proved unreachable), and the result names a problem kind (``offline``,
  ``timeout``, ``rate-limited``, ``error``) with a one-line detail. After a network-wide failure
  the remaining symbols are not asked.

Cache: the dates live in the cache's ``meta`` table under ``earnings`` as JSON
``{symbol: {"date": "2026-10-15" | null, "fetched_at": "2026-08-03T12:00:00Z"}}``.
:func:`refresh_earnings` asks only for stocks whose entry is missing or at least a day old;
a symbol that failed for a network reason keeps its entry as it was (asked again next time);
one that failed for another reason keeps its date and is stamped, so it is retried tomorrow.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from tui.data.yahoo import (
    _FETCH_LOCK,
    PROBLEM_REASONS,
    YahooProvider,
    _one_line,
    _silenced,
    clean_reason,
    network_kind,
    short_reason,
)

if TYPE_CHECKING:
    from tui.data.cache import Cache

__all__ = [
    "META_KEY",
    "REFRESH_AFTER",
    "EarningsProvider",
    "EarningsResult",
    "EarningsUpdate",
    "cached_earnings",
    "is_stock",
    "next_earnings_date",
    "refresh_earnings",
]

NEW_YORK = ZoneInfo("America/New_York")

META_KEY = "earnings"
"""Key of the earnings JSON in the cache's meta table."""

REFRESH_AFTER = timedelta(days=1)
"""A symbol's cached date is asked for again once it is this old."""

EARNINGS_DETAIL = "date from Yahoo Finance; time not announced (before the open or after the close)"
"""``detail`` of every earnings catalyst."""

_JSON_DESCRIPTION = re.compile(r'"description"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclass
class EarningsResult:
    """What one fetch found: dates for the symbols Yahoo answered, and what failed."""

    dates: dict[str, date | None]
    """Next earnings date per answered symbol; None when Yahoo has none (a fund, not announced)."""
    failed: dict[str, str]
    """Symbols that got no answer, with a one-line reason."""
    problem: str | None
    """``offline``, ``timeout``, ``rate-limited``, ``error`` or None (see tui.data.yahoo)."""
    detail: str = ""
    """One line for the status bar."""


class EarningsSource(Protocol):
    """What :func:`refresh_earnings` needs from a provider."""

    def fetch(self, symbols: Sequence[str], today: date | None = None) -> EarningsResult: ...


def is_stock(symbol: str, etfs: Iterable[str] = ()) -> bool:
    """True unless ``symbol`` is a listed ETF, an index (``^VIX``) or a ``=X``/``=F`` symbol."""
    upper = symbol.strip().upper()
    funds = {s.strip().upper() for s in etfs}
    return bool(upper) and upper not in funds and not upper.startswith("^") and "=" not in upper


def _as_date(value: Any) -> date:
    """A date from a date, datetime, pandas Timestamp or ISO string; ValueError otherwise."""
    if isinstance(value, datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip()[:10])
    raise ValueError(f"not a date: {value!r}")


def next_earnings_date(calendar: Any, today: date) -> date | None:
    """The earliest ``Earnings Date`` in a 1.7 ``Ticker.calendar`` dict on or after ``today``.

    ``{}``, a missing key or an empty list give None. ValueError for anything that is not such
    a dict (an older yfinance's DataFrame, say).
    """
    if not isinstance(calendar, Mapping):
        raise ValueError(f"expected a dict, got {type(calendar).__name__}")
    value = calendar.get("Earnings Date")
    if value is None:
        return None
    items = [value] if isinstance(value, date | str) else list(value)
    days = [_as_date(item) for item in items if item is not None]
    return min((d for d in days if d >= today), default=None)


def _logged_reason(text: str) -> str:
    """yfinance's logged HTTP error as one short line ("Quote not found for symbol: X")."""
    match = _JSON_DESCRIPTION.search(text)
    if match:
        try:
            return json.loads(f'"{match.group(1)}"')
        except ValueError:
            return match.group(1)
    return _one_line(text, 120)


class EarningsProvider:
    """Next earnings dates from Yahoo Finance through yfinance (imported on first fetch).

    ``prices``: the app's :class:`~tui.data.yahoo.YahooProvider`, to share its HTTP session and
    cookie (yfinance keeps one session process-wide; switching sessions costs a new crumb).
    Without it a private one is made with ``timeout`` and ``tz_cache_dir``.
    """

    name = "yahoo"

    def __init__(
        self,
        timeout: float = 10.0,
        tz_cache_dir: Path | None = None,
        prices: YahooProvider | None = None,
    ) -> None:
        self._yahoo = prices if prices is not None else YahooProvider(timeout, tz_cache_dir)

    @property
    def timeout(self) -> float:
        """Seconds each request may take."""
        return self._yahoo.timeout

    def fetch(self, symbols: Sequence[str], today: date | None = None) -> EarningsResult:
        """Next earnings date of each symbol on or after ``today`` (default: New York today).

        Never raises and prints nothing; see the module docstring.
        """
        requested = list(dict.fromkeys(s.strip().upper() for s in symbols if s and s.strip()))
        if not requested:
            return EarningsResult({}, {}, None, "no symbols requested")
        today = today or datetime.now(NEW_YORK).date()
        with _FETCH_LOCK, _silenced() as records:
            try:
                import yfinance as yf

                warnings.simplefilter("ignore")  # yfinance's import adds a filter of its own
            except Exception as exc:  # broken install: say so, never crash
                reason = f"yfinance unavailable: {_one_line(repr(exc))}"
                return EarningsResult({}, dict.fromkeys(requested, reason), "error", reason)
            self._yahoo._point_caches(yf)
            session = self._yahoo._prepare_session()
            return self._ask(yf, session, requested, today, records)

    def _ask(
        self,
        yf: Any,
        session: Any,
        requested: list[str],
        today: date,
        records: list[logging.LogRecord],
    ) -> EarningsResult:
        dates: dict[str, date | None] = {}
        failed: dict[str, str] = {}
        stopped: str | None = None  # network-wide problem: ask no more
        cause: BaseException | str | None = None
        for symbol in requested:
            if stopped is not None:
                failed[symbol] = PROBLEM_REASONS[stopped]
                continue
            seen = len(records)
            try:
                ticker = (
                    yf.Ticker(symbol, session=session) if session is not None else yf.Ticker(symbol)
                )
                calendar = ticker.calendar
            except Exception as exc:
                kind = network_kind(exc)
                if kind is not None:
                    stopped, cause = kind, exc
                    failed[symbol] = PROBLEM_REASONS[kind]
                else:
                    failed[symbol] = clean_reason(f"{type(exc).__name__}({str(exc)!r})", symbol)
                continue
            errors = [r.getMessage() for r in records[seen:] if r.levelno >= logging.ERROR]
            if not calendar and errors:  # yfinance logged an HTTP error and returned {}
                kind = network_kind(errors[-1])
                if kind is not None:
                    stopped, cause = kind, errors[-1]
                    failed[symbol] = PROBLEM_REASONS[kind]
                else:
                    failed[symbol] = _logged_reason(errors[-1])
                continue
            try:
                dates[symbol] = next_earnings_date(calendar, today)
            except (TypeError, ValueError) as exc:
                failed[symbol] = f"unexpected calendar from yfinance: {_one_line(str(exc), 80)}"
        return self._result(requested, dates, failed, stopped, cause)

    def _result(
        self,
        requested: list[str],
        dates: dict[str, date | None],
        failed: dict[str, str],
        stopped: str | None,
        cause: BaseException | str | None,
    ) -> EarningsResult:
        problem: str | None = None
        if stopped == "rate-limited" or (stopped is not None and not dates):
            problem = stopped
        elif failed and not dates:
            problem = "error"
        got, total = len(dates), len(requested)
        if problem == "offline":
            suffix = f": {_one_line(str(cause), 160)}" if cause is not None else ""
            detail = f"could not reach Yahoo Finance{suffix}"
        elif problem == "timeout":
            detail = f"Yahoo Finance did not answer within {self.timeout:g} s"
        elif problem == "rate-limited":
            detail = (
                "Yahoo Finance is rate-limiting requests (HTTP 429 Too Many Requests); "
                f"got earnings dates for {got} of {total} symbols"
            )
        elif problem == "error":
            first = next(iter(failed.items()))
            detail = f"no earnings dates for any of {total} symbols ({first[0]}: {first[1]})"
        else:
            detail = f"earnings dates for {got} of {total} symbols"
            if failed:
                listed = ", ".join(f"{s} ({short_reason(r)})" for s, r in list(failed.items())[:3])
                more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
                detail += f"; none for {listed}{more}"
        return EarningsResult(dates, failed, problem, detail)


# --- cache ------------------------------------------------------------------------------------


@dataclass
class EarningsUpdate:
    """What :func:`refresh_earnings` did."""

    dates: dict[str, date | None]
    """Every stock asked about, in order: its next earnings date, None when unknown ("?")."""
    requested: list[str] = field(default_factory=list)
    """Symbols sent to the provider this time (empty: everything was fresh)."""
    failed: dict[str, str] = field(default_factory=dict)
    """Requested symbols the provider could not answer, with why."""
    problem: str | None = None
    """The provider's problem kind, or ``error`` when the cache could not be written."""
    detail: str = ""
    """One line for the status bar ('' when nothing was requested)."""


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_stamp(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _parse_day(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _read_entries(cache: Cache) -> dict[str, dict[str, Any]]:
    """The cached JSON, keeping only well-formed entries (a damaged value reads as empty)."""
    try:
        raw = cache.get_meta(META_KEY)
        data = json.loads(raw) if raw else {}
    except Exception:
        return {}
    if not isinstance(data, dict):
        return {}
    entries: dict[str, dict[str, Any]] = {}
    for symbol, entry in data.items():
        if not isinstance(entry, dict) or _parse_stamp(entry.get("fetched_at")) is None:
            continue
        day = entry.get("date")
        if day is not None and _parse_day(day) is None:
            continue
        entries[str(symbol).upper()] = {"date": day, "fetched_at": entry["fetched_at"]}
    return entries


def _is_due(entry: dict[str, Any] | None, now: datetime) -> bool:
    if entry is None:
        return True
    fetched = _parse_stamp(entry.get("fetched_at"))
    if fetched is None or fetched > now + timedelta(minutes=5):  # clock went back: ask again
        return True
    return now - fetched >= REFRESH_AFTER


def _upcoming_day(entry: dict[str, Any] | None, today: date) -> date | None:
    day = _parse_day(entry.get("date")) if entry else None
    return day if day is not None and day >= today else None


def cached_earnings(
    cache: Cache, symbols: Sequence[str], etfs: Iterable[str], now: datetime
) -> dict[str, date | None]:
    """The cached next earnings date of each stock in ``symbols``, without asking anyone.

    A date already past (New York date of ``now``) reads as None until the next refresh.
    """
    today = now.astimezone(NEW_YORK).date()
    etf_set = {s.strip().upper() for s in etfs}
    stocks = [s for s in dict.fromkeys(x.strip().upper() for x in symbols) if is_stock(s, etf_set)]
    entries = _read_entries(cache)
    return {s: _upcoming_day(entries.get(s), today) for s in stocks}


def refresh_earnings(
    cache: Cache,
    provider: EarningsSource,
    symbols: Sequence[str],
    etfs: Iterable[str],
    now: datetime,
) -> EarningsUpdate:
    """Ask ``provider`` about the stocks whose cached date is missing or a day old; store it.

    ``symbols``: the watched symbols (ETFs in ``etfs``, indices and ``=`` symbols are skipped).
    ``now``: aware. Never raises for provider or cache failures: they come back in the result,
    and the cached dates stay as they were. Blocking (network, SQLite): run it in a worker.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    today = now.astimezone(NEW_YORK).date()
    etf_set = {s.strip().upper() for s in etfs}
    stocks = [s for s in dict.fromkeys(x.strip().upper() for x in symbols) if is_stock(s, etf_set)]
    entries = _read_entries(cache)
    due = [s for s in stocks if _is_due(entries.get(s), now)]
    update = EarningsUpdate({}, due)
    if due:
        try:
            result = provider.fetch(due, today=today)
        except Exception as exc:  # a provider must not raise; if one does, it is an error
            reason = _one_line(f"{type(exc).__name__}: {exc}", 160)
            result = EarningsResult({}, dict.fromkeys(due, reason), "error", reason)
        stamp = _utc_stamp(now)
        for symbol, day in result.dates.items():
            if symbol in due:
                entries[symbol] = {"date": day.isoformat() if day else None, "fetched_at": stamp}
        network = set(PROBLEM_REASONS.values())
        for symbol, reason in result.failed.items():
            if symbol in due and reason not in network and result.problem not in PROBLEM_REASONS:
                old = entries.get(symbol) or {}
                entries[symbol] = {"date": old.get("date"), "fetched_at": stamp}
        update.failed, update.problem, update.detail = result.failed, result.problem, result.detail
        try:
            cache.set_meta(META_KEY, json.dumps(entries, sort_keys=True, separators=(",", ":")))
        except Exception as exc:
            update.problem = update.problem or "error"
            update.detail = f"{update.detail}; earnings cache not saved ({_one_line(str(exc), 80)})"
    update.dates = {s: _upcoming_day(entries.get(s), today) for s in stocks}
    return update
