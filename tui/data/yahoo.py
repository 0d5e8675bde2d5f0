"""Yahoo Finance provider: one batched ``yfinance.download`` per fetch, failures classified.

Prices come on Yahoo's "auto adjust" basis (``auto_adjust=True``): open, high, low and close are
split- and dividend-adjusted, the same basis as the bundled snapshot. Yahoo's raw close is not
kept: every row stores the adjusted Close as both ``close`` and ``adj_close``.

Nothing from yfinance reaches the terminal: for the length of a fetch its loggers (and those of
bs4, peewee and curl_cffi, which it drives) go to a collecting handler only, warnings are ignored,
and any exception is caught and classified. yfinance 1.7 does not raise for failed tickers; it
logs them (``"['FOO']: possibly delisted; no price data found"``) and returns an empty column, and
it labels network failures as "possibly delisted" too. So the fetch also passes yfinance its own
HTTP session, which records what really happened on the wire, caps every request at ``timeout``
seconds and, once Yahoo proved unreachable or rate-limiting, fails the remaining requests at once
instead of letting each ticker wait out its own timeouts.

yfinance keeps process-wide state (its HTTP session, config and loggers), so fetches are
serialised by a module lock; call :meth:`YahooProvider.fetch` from one worker thread at a time.
"""

from __future__ import annotations

import ast
import json
import logging
import math
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    import pandas as pd

SOURCE = "yahoo"

MAX_BATCH = 50
"""At most this many symbols per ``yf.download`` (and smaller batches after a rate limit)."""

KINDS = ("rate-limited", "timeout", "offline", "yahoo-error", "no-data", "error")
"""Values of :attr:`FetchResult.kinds`: why one symbol failed. "timeout"/"offline" are
network-wide; "yahoo-error" is an HTTP 5xx, a timeout or a dropped connection on that symbol
while Yahoo answered others; "no-data" is Yahoo saying it has nothing (possibly delisted)."""

PROBLEMS = ("offline", "rate-limited", "timeout", "error")
"""Values of :attr:`FetchResult.problem` besides None (some data came back, no network issue)."""

PROBLEM_REASONS = {
    "offline": "offline: could not reach Yahoo Finance",
    "timeout": "timed out: Yahoo Finance did not answer",
    "rate-limited": "rate-limited by Yahoo Finance",
}
"""The per-symbol failure reason used when a symbol failed because of a network-wide problem."""

_CAPTURED_LOGGERS = ("yfinance", "bs4", "peewee", "curl_cffi")
_FETCH_LOCK = threading.Lock()
_API_HOST = re.compile(r"^https?://query\d*\.finance\.yahoo\.com/", re.I)
_CHART_PATH = "/v8/finance/chart/"
_CHART_SYMBOL = re.compile(r"/v8/finance/chart/([^?/#]+)")

# Network-failure wording in exception names and messages (curl_cffi, requests, yfinance).
_RATE_TEXT = re.compile(r"too many requests|rate[ -]?limit|\b429\b", re.I)
_TIMEOUT_TEXT = re.compile(r"timed? ?out|timeout|curl: \(28\)", re.I)
_OFFLINE_TEXT = re.compile(
    r"could ?n[o']t (resolve|connect)|resolve (host|proxy)|failed to connect|connection refused"
    r"|network is unreachable|no route to host|name or service not known|name resolution"
    r"|nodename nor servname|getaddrinfo|connection (reset|aborted)|proxy ?error"
    r"|curl: \((5|6|7|35|52|55|56)\)|\b(connection|dns|proxy|ssl)error\b",
    re.I,
)
_EXC_REPR = re.compile(r"^(\w+)\((['\"].*['\"])\)$", re.S)
_SUMMARY_LINE = re.compile(r"^(\[[^\]]*\]): (.*)$", re.S)
_TICKER_LINE = re.compile(r"^\$([^:\s]+): (.*)$", re.S)
_TZ_LINE = re.compile(r"^Failed to get ticker '([^']+)' reason: (.*)$", re.S)
_REQUEST_CONTEXT = re.compile(r"\s*\((?:\w+ [^()]*->[^()]*|period=[^()]*)\)")
_CURL_NOISE = re.compile(
    r"Failed to perform, (curl: \(\d+\) )?|\s*See https://curl\.se/\S+ first for more details\."
)


@dataclass
class FetchResult:
    """Rows from one fetch, the symbols that got none (with why) and any network-wide problem."""

    rows: list[tuple]
    failed: dict[str, str]
    problem: str | None
    detail: str = ""
    kinds: dict[str, str] = field(default_factory=dict)
    """Failed symbol -> one of :data:`KINDS` (may be empty for providers that do not say)."""
    quotes: dict[str, Quote] = field(default_factory=dict)
    """Symbol (as asked) -> when its bars were current (see :class:`Quote`)."""


def network_kind(error: BaseException | str) -> str | None:
    """Classify an exception or message: "rate-limited", "timeout", "offline" or None."""
    if isinstance(error, BaseException):
        names = {cls.__name__ for cls in type(error).__mro__}
        text = f"{type(error).__name__}: {error}"
        if "YFRateLimitError" in names or _RATE_TEXT.search(text):
            return "rate-limited"
        if names & {"Timeout", "ReadTimeout", "ConnectTimeout", "TimeoutError"}:
            return "timeout"
        if names & {"ConnectionError", "DNSError", "ProxyError", "SSLError", "ConnectTimeout"}:
            return "offline"
        error = text
    if _RATE_TEXT.search(error):
        return "rate-limited"
    if _TIMEOUT_TEXT.search(error):
        return "timeout"
    if _OFFLINE_TEXT.search(error):
        return "offline"
    return None


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(_CURL_NOISE.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_reason(message: str, symbol: str = "") -> str:
    """yfinance's error text for one ticker as one short line (exception wrapper removed)."""
    text = message.strip()
    match = _EXC_REPR.match(text)
    if match:
        try:
            inner = ast.literal_eval(match.group(2))
        except (ValueError, SyntaxError):
            inner = match.group(2)[1:-1]
        name = match.group(1)
        text = str(inner)
        if not name.startswith("YF") and name != "Exception":
            text = f"{name}: {text}"
    prefixes = ["$%ticker%: ", "%ticker%: "] + (
        [f"${symbol.upper()}: ", f"{symbol.upper()}: "] if symbol else []
    )
    for prefix in prefixes:
        if text.upper().startswith(prefix.upper()):
            text = text[len(prefix) :]
    text = _REQUEST_CONTEXT.sub("", text)
    return _one_line(text) or "no data returned"


def short_reason(reason: str) -> str:
    """A few words for a status line ("possibly delisted; no price data" -> "possibly delisted")."""
    head = reason.split(";", 1)[0].strip()
    return head if len(head) <= 40 else head[:39] + "…"


def finite(value: Any) -> float | None:
    """``value`` as a finite float, or None (text, None, NaN and infinities alike)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _positive(value: Any) -> float | None:
    number = finite(value)
    return number if number is not None and number > 0 else None


_FIELDS = ("Open", "High", "Low", "Close", "Adj Close", "Volume")


def rows_from_frame(frame: pd.DataFrame | None, symbols: Sequence[str]) -> dict[str, list[tuple]]:
    """Price rows per requested symbol from a ``yf.download`` frame, sorted by date.

    Accepts the 1.7 layout (MultiIndex columns ``['Price', 'Ticker']``, either level order), a
    single-level frame for a single symbol, a tz-aware or naive index, and an empty frame. Rows
    whose Close is missing, not finite or not positive are dropped; a repeated date keeps its
    last row. Open/high/low must be positive and volume non-negative, else they become None.
    """
    import numpy as np
    import pandas as pd

    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return {}
    wanted = {s.upper(): s for s in symbols}
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex):
        index = pd.DatetimeIndex(pd.to_datetime(index, errors="coerce"))
    if index.tz is not None:
        index = index.tz_localize(None)  # a daily bar's date is its exchange-local date
    days = [None if pd.isna(ts) else ts.strftime("%Y-%m-%d") for ts in index]

    columns: dict[str, dict[str, np.ndarray]] = {}
    labels = frame.columns
    if isinstance(labels, pd.MultiIndex) and labels.nlevels == 2:
        names = list(labels.names)
        if "Price" in names:
            field_level = names.index("Price")
        else:
            first = {str(v) for v in labels.get_level_values(0)}
            field_level = 0 if first & set(_FIELDS) else 1
        for pos, label in enumerate(labels):
            ticker = wanted.get(str(label[1 - field_level]).upper())
            if ticker is not None:
                columns.setdefault(ticker, {})[str(label[field_level])] = _column(frame, pos)
    elif not isinstance(labels, pd.MultiIndex) and len(wanted) == 1:
        (ticker,) = wanted.values()
        columns[ticker] = {str(label): _column(frame, pos) for pos, label in enumerate(labels)}

    result: dict[str, list[tuple]] = {}
    for symbol, fields in columns.items():
        close = fields.get("Close", fields.get("Adj Close"))
        if close is None:
            continue
        blank = np.full(len(close), np.nan)
        opens, highs, lows = (fields.get(k, blank) for k in ("Open", "High", "Low"))
        volumes = fields.get("Volume", blank)
        by_day: dict[str, tuple] = {}
        for i, day in enumerate(days):
            price = _positive(close[i])
            if day is None or price is None:
                continue
            volume = finite(volumes[i])
            by_day[day] = (
                symbol,
                day,
                _positive(opens[i]),
                _positive(highs[i]),
                _positive(lows[i]),
                price,
                price,
                volume if volume is not None and volume >= 0 else None,
            )
        if by_day:
            result[symbol] = [by_day[day] for day in sorted(by_day)]
    return result


def _column(frame: pd.DataFrame, pos: int) -> Any:
    """Column ``pos`` as a float64 array (all-NaN if it holds something else)."""
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(frame.iloc[:, pos], errors="coerce")
    return values.to_numpy(dtype="float64", na_value=np.nan)


# ------------------------------------------------------------------------------ HTTP session


@dataclass
class _Evidence:
    """What the session saw during one fetch."""

    errors: list[tuple[str, BaseException]] = field(default_factory=list)  # (url, error)
    chart_statuses: list[int] = field(default_factory=list)
    tripped: str | None = None
    symbol_status: dict[str, int] = field(default_factory=dict)
    """Upper-case symbol -> HTTP status of its latest chart answer."""
    symbol_errors: dict[str, str] = field(default_factory=dict)
    """Upper-case symbol -> network kind of an exception on its chart request."""
    skipped: set[str] = field(default_factory=set)
    """Symbols whose chart request was not attempted because the session had tripped."""
    quotes: dict[str, Quote] = field(default_factory=dict)
    """Upper-case symbol -> the market time of its latest history answer."""


@dataclass(frozen=True)
class Quote:
    """When Yahoo's answer for a symbol was current: from the chart's ``meta``."""

    market_time: int
    """``regularMarketTime``: the time of the last trade in the bars (Unix seconds)."""
    session_end: int | None = None
    """``currentTradingPeriod.regular.end``: that day's close (Unix seconds), if given."""
    delay_minutes: int | None = None
    """``exchangeDataDelayedBy`` in minutes, when Yahoo gives one."""


def chart_quote(content: bytes | str) -> Quote | None:
    """The :class:`Quote` of a v8 chart answer (only its ``meta`` object is parsed)."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    at = text.find('"meta":')
    if at < 0:
        return None
    try:
        start = at + len('"meta":')
        while start < len(text) and text[start] in " \t\r\n":
            start += 1
        meta, _ = json.JSONDecoder().raw_decode(text, start)
        market = int(meta["regularMarketTime"])
    except (ValueError, KeyError, TypeError):
        return None
    end = None
    with suppress(KeyError, TypeError, ValueError):
        end = int(meta["currentTradingPeriod"]["regular"]["end"])
    delay = None
    with suppress(KeyError, TypeError, ValueError):
        delay = int(meta["exchangeDataDelayedBy"])
    return Quote(market, end, delay)


def chart_symbol(url: str) -> str | None:
    """The upper-case symbol of a v8 chart URL (``%5EVIX`` -> ``^VIX``), else None."""
    match = _CHART_SYMBOL.search(url)
    return unquote(match.group(1)).upper() if match else None


def _cap_timeout(value: Any, limit: float) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return min(float(value), limit)
    if isinstance(value, tuple):
        return tuple(min(float(v), limit) if isinstance(v, int | float) else limit for v in value)
    return limit


_session_class: type | None = None


def _guarded_session_class() -> type | None:
    """A curl_cffi Session subclass that records, caps and short-circuits (None if unusable)."""
    global _session_class
    if _session_class is not None:
        return _session_class
    try:
        from curl_cffi import requests as curl_requests
        from yfinance import _http
        from yfinance.exceptions import YFRateLimitError
    except Exception:
        return None
    if not getattr(_http, "HAS_CURL_CFFI", False):  # yfinance fell back to requests
        return None

    class GuardedSession(curl_requests.Session):  # type: ignore[misc,name-defined]
        """yfinance's HTTP session for rotmon: see the module docstring."""

        def __init__(self, limit: float) -> None:
            super().__init__(impersonate="chrome")
            self.limit = limit
            self.guard_lock = threading.Lock()
            self.evidence = _Evidence()
            self.chart_answered = False

        def reset(self, limit: float) -> _Evidence:
            with self.guard_lock:
                self.limit = limit
                self.evidence = _Evidence()
                self.chart_answered = False
                return self.evidence

        def request(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
            symbol = chart_symbol(url) if _API_HOST.match(url) else None
            with self.guard_lock:
                tripped = self.evidence.tripped
                kwargs["timeout"] = _cap_timeout(kwargs.get("timeout"), self.limit)
                if tripped is not None and symbol is not None:
                    self.evidence.skipped.add(symbol)
            if tripped == "rate-limited":
                raise YFRateLimitError()
            if tripped is not None:
                error = curl_requests.exceptions.Timeout if tripped == "timeout" else None
                error = error or curl_requests.exceptions.ConnectionError
                raise error(f"not attempted: Yahoo Finance unreachable ({tripped})")
            try:
                response = self.send(method, url, *args, **kwargs)
            except Exception as exc:
                kind = network_kind(exc)
                with self.guard_lock:
                    self.evidence.errors.append((url, exc))
                    if symbol is not None and kind is not None:
                        self.evidence.symbol_errors[symbol] = kind
                    api = bool(_API_HOST.match(url))
                    if kind == "rate-limited" or (
                        kind in ("offline", "timeout") and api and not self.chart_answered
                    ):
                        self.evidence.tripped = self.evidence.tripped or kind
                raise
            if _API_HOST.match(url) and _CHART_PATH in url:
                status = int(getattr(response, "status_code", 0) or 0)
                with self.guard_lock:
                    self.evidence.chart_statuses.append(status)
                    if symbol is not None:
                        self.evidence.symbol_status[symbol] = status
                        self.evidence.symbol_errors.pop(symbol, None)
                    self.chart_answered = True
                    if status == 429 and self.evidence.chart_statuses.count(429) >= 2:
                        self.evidence.tripped = self.evidence.tripped or "rate-limited"
                params = kwargs.get("params") or {}
                if status == 200 and symbol is not None and "period1" in params:
                    quote = chart_quote(getattr(response, "content", b""))
                    if quote is not None:
                        with self.guard_lock:
                            self.evidence.quotes[symbol] = quote
            return response

        def send(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
            """The actual transfer (tests replace this to play recorded responses)."""
            return super().request(method, url, *args, **kwargs)

    _session_class = GuardedSession
    return _session_class


# ---------------------------------------------------------------------------- log capture


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _silenced() -> Iterator[list[logging.LogRecord]]:
    """Route yfinance's loggers to a list and ignore warnings for the duration."""
    collector = _Collector()
    saved = []
    for name in _CAPTURED_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.handlers[:], logger.propagate, logger.level))
        logger.handlers = [collector]
        logger.propagate = False
    logging.getLogger("yfinance").setLevel(logging.WARNING)  # errors kept, no debug flood
    try:
        # record=True: a warning that some filter still lets through is kept, never printed.
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("ignore")
            yield collector.records
    finally:
        for logger, handlers, propagate, level in saved:
            logger.handlers = handlers
            logger.propagate = propagate
            logger.setLevel(level)


def _messages_by_symbol(
    records: Sequence[logging.LogRecord], symbols: Sequence[str]
) -> dict[str, list[str]]:
    """yfinance's log lines about each requested symbol, oldest first; the summary line last."""
    upper = {s.upper(): s for s in symbols}
    found: dict[str, list[str]] = {}
    summary: dict[str, str] = {}
    for record in records:
        try:
            text = record.getMessage().strip()
        except Exception:
            continue
        match = _SUMMARY_LINE.match(text)
        if match:
            try:
                tickers = ast.literal_eval(match.group(1))
            except (ValueError, SyntaxError):
                tickers = []
            for ticker in tickers if isinstance(tickers, list) else []:
                symbol = upper.get(str(ticker).strip().upper())
                if symbol:
                    summary[symbol] = match.group(2)
            continue
        match = _TICKER_LINE.match(text) or _TZ_LINE.match(text)
        if match and match.group(1).upper() in upper:
            found.setdefault(upper[match.group(1).upper()], []).append(match.group(2))
    for symbol, message in summary.items():
        found.setdefault(symbol, []).append(message)
    return found


# -------------------------------------------------------------------------------- provider


class YahooProvider:
    """Daily prices from Yahoo Finance through yfinance (imported on first fetch).

    Symbols are asked for in batches of at most :attr:`batch_size` (one ``yf.download`` each).
    Every symbol is judged on its own: a symbol that got rows keeps them whatever happened to
    the others. A rate-limited symbol is asked again after a back-off (``backoff`` seconds,
    doubling) in smaller batches, up to ``retries`` times; an HTTP 5xx or a timeout on one
    symbol while Yahoo answers the others is a "Yahoo error" for that symbol, never "possibly
    delisted". A timeout before anything answered is checked once with the symbols that were
    not even attempted, so one slow symbol cannot pass for Yahoo being unreachable.
    """

    name = SOURCE

    def __init__(
        self,
        timeout: float = 10.0,
        tz_cache_dir: Path | None = None,
        *,
        batch_size: int = MAX_BATCH,
        retries: int = 2,
        backoff: float = 2.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.timeout = float(timeout)
        self.tz_cache_dir = tz_cache_dir
        self.batch_size = max(1, min(int(batch_size), MAX_BATCH))
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.sleep = sleep or time.sleep
        self._session: Any = None

    def fetch(self, symbols: Sequence[str], start: date, end: date | None = None) -> FetchResult:
        """Daily rows of ``symbols`` from ``start`` to ``end`` (inclusive; None = today).

        Never raises: failures come back in :class:`FetchResult` (see the module docstring).
        """
        requested = list(dict.fromkeys(s.strip() for s in symbols if s and s.strip()))
        if not requested:
            return FetchResult([], {}, None, "no symbols requested")
        with _FETCH_LOCK, _silenced() as records:
            try:
                import yfinance as yf
                from yfinance import shared

                warnings.simplefilter("ignore")  # yfinance's import adds a filter of its own
            except Exception as exc:  # broken install: say so, never crash
                reason = f"yfinance unavailable: {_one_line(repr(exc))}"
                return FetchResult(
                    [], dict.fromkeys(requested, reason), "error", reason,
                    kinds=dict.fromkeys(requested, "error"),
                )  # fmt: skip
            self._point_caches(yf)
            with suppress(Exception):  # a past range is memoised per process: ask again
                yf.data.YfData.cache_get.cache_clear()
            return self._fetch_all(yf, shared, records, requested, start, end)

    # ------------------------------------------------------------------------- batching

    def _fetch_all(
        self,
        yf: Any,
        shared: Any,
        records: list[logging.LogRecord],
        requested: list[str],
        start: date,
        end: date | None,
    ) -> FetchResult:
        got: dict[str, list[tuple]] = {}
        verdicts: dict[str, tuple[str, str]] = {}  # symbol -> (kind, reason)
        network: str | None = None  # offline / timeout for every request
        network_detail = ""
        pending, size = requested, self.batch_size
        hit: set[str] = set()  # answered HTTP 429 themselves
        quotes: dict[str, Quote] = {}
        for attempt in range(self.retries + 1):
            again: list[str] = []
            for first in range(0, len(pending), size):
                chunk = pending[first : first + size]
                if network is not None:
                    verdicts.update(dict.fromkeys(chunk, (network, PROBLEM_REASONS[network])))
                    continue
                if again:  # rate-limited earlier in this round: do not hammer, wait first
                    again.extend(chunk)
                    continue
                part = self._download(yf, shared, records, chunk, start, end)
                if part.skipped and part.tripped in ("timeout", "offline"):
                    # One symbol timing out first trips the session for the rest: ask the
                    # ones not attempted once more before calling Yahoo unreachable.
                    probe = self._download(yf, shared, records, part.skipped, start, end)
                    part.merge(probe, self.timeout)
                got.update(part.rows)
                quotes.update(part.quotes)
                hit.update(part.limited)
                if part.network is not None:
                    network, network_detail = part.network, part.detail
                for symbol, verdict in part.verdicts.items():
                    if verdict[0] == "rate-limited":
                        again.append(symbol)
                    else:
                        verdicts[symbol] = verdict
            if not again:
                break
            # Symbols Yahoo really answered 429 go last, so that those only held back behind
            # them (not attempted, deferred) are asked first when the limit lifts.
            again = [s for s in again if s not in hit] + [s for s in again if s in hit]
            if attempt == self.retries or network is not None:
                reason = PROBLEM_REASONS["rate-limited"]
                verdicts.update(dict.fromkeys(again, ("rate-limited", reason)))
                break
            self.sleep(self.backoff * 2**attempt)
            pending, size = again, max(1, min(size, len(again)) // 2)

        rows = [row for symbol in requested for row in got.get(symbol, [])]
        failed = {s: verdicts[s][1] for s in requested if s not in got and s in verdicts}
        failed.update(
            {s: "no data returned" for s in requested if s not in got and s not in failed}
        )
        kinds = {s: verdicts.get(s, ("no-data", ""))[0] for s in failed}
        problem: str | None = None
        if failed and "rate-limited" in kinds.values():
            problem = "rate-limited"
        elif failed and not rows:
            problem = network if network is not None else "error"
        detail = self._detail(problem, requested, rows, failed, network_detail)
        return FetchResult(rows, failed, problem, detail, kinds=kinds, quotes=quotes)

    def _download(
        self,
        yf: Any,
        shared: Any,
        records: list[logging.LogRecord],
        chunk: list[str],
        start: date,
        end: date | None,
    ) -> _Part:
        """One ``yf.download`` of ``chunk``; every symbol judged on its own evidence."""
        session = self._prepare_session()
        evidence = session.evidence if session is not None else _Evidence()
        mark = len(records)
        frame: Any = None
        raised: BaseException | None = None
        with suppress(Exception):
            shared._ERRORS.clear()
        try:
            frame = yf.download(
                chunk,
                start=_day(start),
                end=_day(end + timedelta(days=1)) if end is not None else None,
                interval="1d",
                auto_adjust=True,
                actions=False,
                progress=False,
                threads=True,
                group_by="column",
                multi_level_index=True,
                timeout=self.timeout,
                session=session,
            )
        except Exception as exc:
            raised = exc
        legacy = dict(getattr(shared, "_ERRORS", None) or {})  # yfinance < 1.x fills this
        try:
            by_symbol = rows_from_frame(frame, chunk)
        except Exception as exc:  # an unexpected frame layout is an error, not a crash
            by_symbol, raised = {}, raised or exc
        messages = _messages_by_symbol(records[mark:], chunk)
        return self._judge(chunk, by_symbol, messages, legacy, evidence, raised)

    def _judge(
        self,
        chunk: list[str],
        by_symbol: dict[str, list[tuple]],
        messages: dict[str, list[str]],
        legacy: dict[str, Any],
        evidence: _Evidence,
        raised: BaseException | None,
    ) -> _Part:
        missing = [s for s in chunk if s not in by_symbol]
        upper_legacy = {str(k).upper(): str(v) for k, v in legacy.items()}
        answered = any(s != 429 for s in evidence.chart_statuses)
        seen = [network_kind(e) for _, e in evidence.errors]
        seen += [evidence.tripped, network_kind(raised) if raised is not None else None]

        texts_of: dict[str, list[str]] = {}
        for symbol in missing:
            texts = messages.get(symbol) or []
            if not texts and symbol.upper() in upper_legacy:
                texts = [upper_legacy[symbol.upper()]]
            if not texts and raised is not None:
                texts = [f"{type(raised).__name__}({str(raised)!r})"]
            texts_of[symbol] = texts
            seen += [network_kind(t) for t in texts]

        network: str | None = None
        if missing and not by_symbol and not answered:
            if "offline" in seen:
                network = "offline"
            elif "timeout" in seen:
                network = "timeout"

        verdicts: dict[str, tuple[str, str]] = {}
        for symbol in missing:
            key = symbol.upper()
            status = evidence.symbol_status.get(key)
            texts = texts_of[symbol]
            text_kind = next((k for k in map(network_kind, texts) if k), None)
            error_kind = evidence.symbol_errors.get(key)
            if (
                status == 429
                or "rate-limited" in (error_kind, text_kind)
                or (key in evidence.skipped and evidence.tripped == "rate-limited")
            ):
                verdicts[symbol] = ("rate-limited", PROBLEM_REASONS["rate-limited"])
            elif network is not None:
                verdicts[symbol] = (network, PROBLEM_REASONS[network])
            elif status is not None and status >= 500:
                verdicts[symbol] = ("yahoo-error", f"Yahoo error: HTTP {status}")
            elif (error_kind or text_kind) == "timeout":
                verdicts[symbol] = (
                    "yahoo-error",
                    f"Yahoo error: timed out after {self.timeout:g} s",
                )
            elif (error_kind or text_kind) == "offline":
                verdicts[symbol] = ("yahoo-error", "Yahoo error: connection failed")
            elif texts:
                verdicts[symbol] = ("no-data", clean_reason(texts[-1], symbol))
            else:
                verdicts[symbol] = ("no-data", "no data returned")
        # After the session tripped, every symbol without an answer or an error of its own
        # was held back (its chart request, or the cookie/crumb before it, was refused).
        skipped = [
            s
            for s in missing
            if evidence.tripped is not None
            and (
                s.upper() in evidence.skipped
                or (
                    s.upper() not in evidence.symbol_status
                    and s.upper() not in evidence.symbol_errors
                )
            )
        ]
        limited = {s for s in missing if evidence.symbol_status.get(s.upper()) == 429}
        detail = self._network_detail(network, evidence, raised)
        quotes = {s: evidence.quotes[s.upper()] for s in by_symbol if s.upper() in evidence.quotes}
        part = _Part(by_symbol, verdicts, network, detail, skipped, limited, evidence.tripped)
        part.quotes = quotes
        return part

    # ---------------------------------------------------------------------------- helpers

    def _point_caches(self, yf: Any) -> None:
        """Keep yfinance's tz/cookie caches in our cache dir (effective before its first use)."""
        directory = self.tz_cache_dir
        if directory is None:
            from tui.locations import cache_dir

            directory = cache_dir() / "yfinance"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            current = yf.cache._TzDBManager.get_location()
        except Exception:
            current = None
        if current != str(directory):
            with suppress(Exception):
                yf.set_tz_cache_location(str(directory))

    def _prepare_session(self) -> Any:
        if self._session is None:
            cls = _guarded_session_class()
            if cls is None:
                return None
            try:
                self._session = cls(self.timeout)
            except Exception:
                return None
        self._session.reset(self.timeout)
        return self._session

    def _network_detail(
        self, problem: str | None, evidence: _Evidence, raised: BaseException | None
    ) -> str:
        if problem == "offline":
            causes = [
                e for url, e in sorted(evidence.errors, key=lambda ue: not _API_HOST.match(ue[0]))
            ]
            cause = next((e for e in causes if network_kind(e) == "offline"), raised)
            suffix = f": {_one_line(str(cause), 160)}" if cause is not None else ""
            return f"could not reach Yahoo Finance{suffix}"
        if problem == "timeout":
            return f"Yahoo Finance did not answer within {self.timeout:g} s"
        return ""

    def _detail(
        self,
        problem: str | None,
        requested: list[str],
        rows: list[tuple],
        failed: dict[str, str],
        network_detail: str,
    ) -> str:
        got = len(requested) - len(failed)
        if problem in ("offline", "timeout"):
            return network_detail
        if problem == "rate-limited":
            return (
                "Yahoo Finance is rate-limiting requests (HTTP 429 Too Many Requests); "
                f"got {got} of {len(requested)} symbols"
            )
        if problem == "error":
            first = next(iter(failed.items()))
            return f"no data for any of {len(requested)} symbols ({first[0]}: {first[1]})"
        text = f"{got} of {len(requested)} symbols, {len(rows)} rows"
        if failed:
            listed = ", ".join(f"{s} ({short_reason(r)})" for s, r in list(failed.items())[:3])
            more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
            text += f"; no data for {listed}{more}"
        return text


@dataclass
class _Part:
    """What one ``yf.download`` of a batch gave."""

    rows: dict[str, list[tuple]]
    verdicts: dict[str, tuple[str, str]]
    network: str | None
    detail: str
    skipped: list[str]
    limited: set[str] = field(default_factory=set)
    tripped: str | None = None
    quotes: dict[str, Quote] = field(default_factory=dict)

    def merge(self, probe: _Part, timeout: float) -> None:
        """Fold in a second try of the skipped symbols: its answers replace their verdicts."""
        self.rows.update(probe.rows)
        self.quotes.update(probe.quotes)
        self.limited |= probe.limited
        for symbol in probe.rows:
            self.verdicts.pop(symbol, None)
        self.verdicts.update(probe.verdicts)
        if self.rows:  # Yahoo answered some: each timeout was that one symbol's
            self.network = None
            for symbol, (kind, _) in list(self.verdicts.items()):
                if kind in ("timeout", "offline"):
                    label = f"timed out after {timeout:g} s" if kind == "timeout" else ""
                    label = label or "connection failed"
                    self.verdicts[symbol] = ("yahoo-error", f"Yahoo error: {label}")
        else:
            self.network = probe.network or self.network
        self.skipped = []


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")
