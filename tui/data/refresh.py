"""Incremental refresh of the price cache from a provider, and when to refresh next.

A refresh asks only for the days the cache lacks. Symbols with cached data are fetched together
from their earliest last date minus a few overlap days; symbols without data get full history in
a second fetch. The overlap detects re-adjusted history: Yahoo's adjusted prices move after every
split or dividend, so if its adjusted closes on the overlap differ from the cached ones, the
cached history is rescaled by the same ratio and the whole series stays on one basis.

Refresh status is kept in the cache's meta table: ``last_attempt_at``, ``last_success_at``
(set only by a refresh that got data without a network-wide problem), ``last_problem`` ("" when
none), ``last_message`` and ``consecutive_failures``.

Only the standard library is imported here; the provider brings its own dependencies.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from tui.data.yahoo import PROBLEM_REASONS, FetchResult, short_reason

if TYPE_CHECKING:
    from tui.data.cache import Cache

NEW_YORK = ZoneInfo("America/New_York")
READJUST_TOLERANCE = 1e-4
"""A median overlap ratio further than this from 1 means the provider re-adjusted history."""

NETWORK_PROBLEMS = ("rate-limited", "offline", "timeout")

META_KEYS = (
    "last_attempt_at",
    "last_success_at",
    "last_problem",
    "last_message",
    "consecutive_failures",
)


def _dates(*days: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in days)


# From the NYSE holiday calendar, incl. the national day of mourning of 2025-01-09.
NYSE_HOLIDAYS = _dates(
    "2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19",
    "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25",
    "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26",
    "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25",
    "2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19",
    "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25",
    "2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18",
    "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24",
)  # fmt: skip
"""Days the NYSE is closed all day, 2024-2027 (other years: only weekends count)."""

NYSE_EARLY_CLOSES = _dates(
    "2024-07-03", "2024-11-29", "2024-12-24", "2025-07-03", "2025-11-28", "2025-12-24",
    "2026-11-27", "2026-12-24", "2027-11-26",
)  # fmt: skip
"""Days the NYSE closes at 13:00 (2024-2027)."""

_OPEN = time(9, 30)
_CLOSE = time(16, 0)
_EARLY_CLOSE = time(13, 0)


class Provider(Protocol):
    """What run_refresh needs from a provider (YahooProvider, or a test double)."""

    name: str

    def fetch(
        self, symbols: Sequence[str], start: date, end: date | None = None
    ) -> FetchResult: ...


@dataclass
class RefreshOutcome:
    """What one refresh did; ``message`` is one line for the status bar or the CLI."""

    started_at: str
    finished_at: str
    rows_written: int
    updated: list[str]
    failed: dict[str, str]
    problem: str | None
    message: str
    readjusted: list[str]
    new_rows: int = 0
    """Rows dated after the symbol's previous last cached date (all rows for new symbols)."""
    failure_kinds: dict[str, str] = field(default_factory=dict)
    """Failed symbol -> why, in a word: "rate-limited", "timeout", "offline" (network-wide),
    "yahoo-error" (HTTP 5xx or a timeout on that symbol), "no-data" (possibly delisted),
    "error" (anything else). Same keys as :attr:`failed`."""

    @property
    def ok(self) -> bool:
        """True when every symbol was refreshed without a problem."""
        return self.problem is None and not self.failed


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _safe_fetch(provider: Provider, symbols: list[str], start: date) -> FetchResult:
    """provider.fetch, with any exception turned into an "error" result (never raised)."""
    try:
        return provider.fetch(symbols, start)
    except Exception as exc:  # a provider bug must not take the app down
        reason = f"{type(exc).__name__}: {exc}"
        return FetchResult([], dict.fromkeys(symbols, reason), "error", reason)


def _blocked(blocked: FetchResult, symbols: Sequence[str]) -> FetchResult:
    """The result for symbols not asked for because ``blocked`` hit a network-wide problem."""
    reason = PROBLEM_REASONS.get(blocked.problem or "", blocked.detail)
    problem = blocked.problem or "error"
    return FetchResult(
        [], dict.fromkeys(symbols, reason), blocked.problem, kinds=dict.fromkeys(symbols, problem)
    )


def _kind_of(result: FetchResult, symbol: str) -> str:
    """Why ``symbol`` failed in ``result``, for providers that say (and those that do not)."""
    kind = result.kinds.get(symbol)
    if kind:
        return kind
    if result.problem in NETWORK_PROBLEMS:
        return result.problem or "error"
    reason = result.failed.get(symbol, "")
    return "no-data" if "delisted" in reason or "no data" in reason else "error"


def _readjustment(
    fetched: dict[str, float], cached: dict[str, float], newest_cached: str
) -> float | None:
    """Median fetched/cached adj_close ratio on common dates, excluding the newest cached one."""
    ratios = [
        fetched[day] / value
        for day, value in cached.items()
        if day != newest_cached
        and day in fetched
        and value is not None
        and value > 0
        and math.isfinite(value)
        and math.isfinite(fetched[day])
    ]
    return statistics.median(ratios) if ratios else None


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clean_row(row: Sequence[Any]) -> tuple | None:
    """A provider row fit to store, or None: eight fields, an ISO date, a finite close (above 0
    except for ^ yields/indices), NaN fields as None. The cache never loses a good close to a
    provider's NaN."""
    if len(row) != 8 or not isinstance(row[0], str) or not isinstance(row[1], str):
        return None
    try:
        date.fromisoformat(row[1])
    except ValueError:
        return None
    numbers = [_finite(v) for v in row[2:]]
    close = numbers[4] if numbers[4] is not None else numbers[3]
    if close is None or (close <= 0 and not row[0].startswith("^")):
        return None
    numbers[4] = close
    return (row[0], row[1], *numbers)


BEHIND_DAYS = 30
"""A symbol whose last cached day is this far behind the freshest gets a batch of its own."""


def _batches(have: Sequence[str], last: dict[str, str]) -> list[list[str]]:
    """Cached symbols in one batch — or two, so that one stale symbol (delisted, imported
    from an old CSV) does not make every refresh re-download months for all the others."""
    if not have:
        return []
    newest = date.fromisoformat(max(last[s] for s in have))
    cutoff = (newest - timedelta(days=BEHIND_DAYS)).isoformat()
    current = [s for s in have if last[s] >= cutoff]
    behind = [s for s in have if last[s] < cutoff]
    return [batch for batch in (current, behind) if batch]


def run_refresh(
    cache: Cache,
    provider: Provider,
    symbols: Sequence[str],
    *,
    now: datetime | None = None,
    overlap_days: int = 10,
    history_years: int = 10,
    record: bool = True,
) -> RefreshOutcome:
    """Fetch what the cache lacks for ``symbols``, rescale re-adjusted history, write, record.

    Never raises for provider or network failures (those are in the outcome and the cache's
    meta); cache errors do propagate. ``record=False`` leaves the status meta alone: for side
    refreshes (a drill-down's holdings) that must not change what the status line says.
    """
    clock = now
    moment = _aware(now)
    started_at = _iso(moment)
    wanted = list(dict.fromkeys(s.strip() for s in symbols if s and s.strip()))
    last = cache.last_dates()
    have = [s for s in wanted if s in last]
    new = [s for s in wanted if s not in last]
    today = moment.astimezone(NEW_YORK).date()

    results: list[FetchResult] = []
    for batch in _batches(have, last):
        if any(r.problem in NETWORK_PROBLEMS for r in results):
            blocked = next(r for r in results if r.problem in NETWORK_PROBLEMS)
            results.append(_blocked(blocked, batch))
            continue
        start = date.fromisoformat(min(last[s] for s in batch)) - timedelta(days=overlap_days)
        results.append(_safe_fetch(provider, batch, start))
    if new:
        blocked = next((r for r in results if r.problem in NETWORK_PROBLEMS), None)
        if blocked is None:
            start = _years_before(today, history_years)
            results.append(_safe_fetch(provider, new, start))
        else:  # no point asking again while Yahoo is unreachable or rate-limiting
            results.append(_blocked(blocked, new))

    wanted_set = set(wanted)
    by_symbol: dict[str, dict[str, tuple]] = {}
    failed: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for result in results:
        for row in result.rows:
            clean = _clean_row(row)
            if clean is not None and clean[0] in wanted_set:
                by_symbol.setdefault(clean[0], {})[clean[1]] = clean  # the last one delivered
        failed.update({s: r for s, r in result.failed.items() if s in wanted_set})
        kinds.update({s: _kind_of(result, s) for s in result.failed if s in wanted_set})
    for symbol in wanted:
        if symbol not in by_symbol:
            failed.setdefault(symbol, "no data returned")
            kinds.setdefault(symbol, "no-data")
        else:
            failed.pop(symbol, None)
            kinds.pop(symbol, None)

    # Re-adjustment: compare on the overlap before anything is written.
    readjusted: list[str] = []
    for symbol in have:
        rows = list(by_symbol.get(symbol, {}).values())
        if not rows:
            continue
        first = min(r[1] for r in rows)
        fetched = {r[1]: float(r[6]) for r in rows if r[6] is not None}
        ratio = _readjustment(fetched, cache.read_overlap(symbol, first), last[symbol])
        if ratio is not None and abs(ratio - 1.0) > READJUST_TOLERANCE:
            cache.rescale(symbol, ratio, before=first)
            readjusted.append(symbol)

    finished = _aware(clock) if clock is not None else datetime.now(UTC)
    finished_at = _iso(finished)
    all_rows = [
        row
        for symbol in wanted
        for row in sorted(by_symbol.get(symbol, {}).values(), key=lambda r: r[1])
    ]
    source = getattr(provider, "name", "yahoo")
    rows_written = cache.upsert_prices(all_rows, source=source, fetched_at=finished_at)
    new_rows = sum(1 for r in all_rows if r[0] not in last or r[1] > last[r[0]])
    updated = [s for s in wanted if s in by_symbol]
    for symbol in updated:
        cache.record_error(symbol, None)
    for symbol, reason in failed.items():
        cache.record_error(symbol, reason)

    problem = _overall_problem(results, updated)
    message = _message(wanted, problem, updated, new_rows, failed, readjusted, results)
    outcome = RefreshOutcome(
        started_at=started_at,
        finished_at=finished_at,
        rows_written=rows_written,
        updated=updated,
        failed=failed,
        problem=problem,
        message=message,
        readjusted=readjusted,
        new_rows=new_rows,
        failure_kinds={s: kinds.get(s, "error") for s in failed},
    )
    if record:
        _record_status(cache, outcome, bool(wanted))
    return outcome


def _overall_problem(results: list[FetchResult], updated: list[str]) -> str | None:
    """A network-wide problem wins; "error" only when no symbol got data at all."""
    problems = [r.problem for r in results if r.problem]
    for problem in NETWORK_PROBLEMS:
        if problem in problems:
            return problem
    if problems and not updated:
        return "error"
    return None


def _listing(failed: dict[str, str], limit: int = 3) -> str:
    """'FOO (possibly delisted), BAR (…) and 2 more'."""
    listed = ", ".join(f"{s} ({short_reason(r)})" for s, r in list(failed.items())[:limit])
    return listed + (f" and {len(failed) - limit} more" if len(failed) > limit else "")


def _message(
    wanted: list[str],
    problem: str | None,
    updated: list[str],
    new_rows: int,
    failed: dict[str, str],
    readjusted: list[str],
    results: list[FetchResult],
) -> str:
    if not wanted:
        return "nothing to refresh: no symbols"
    if problem == "offline":
        head = "offline: could not reach Yahoo Finance"
    elif problem == "timeout":
        head = "timeout: Yahoo Finance did not answer in time"
    elif problem == "rate-limited":
        head = "rate-limited by Yahoo Finance"
    elif problem == "error":
        detail = next((r.detail for r in results if r.problem == "error" and r.detail), "")
        return f"refresh failed: no data for {_listing(failed)}" if failed else detail
    else:
        head = ""
    parts = [head] if head else []
    if updated:
        plural = "s" if len(updated) != 1 else ""
        if new_rows:
            parts.append(f"updated {len(updated)} symbol{plural} ({new_rows} new rows)")
        else:
            parts.append(f"up to date: {len(updated)} symbol{plural}, no new rows")
    if readjusted:
        parts.append("re-adjusted history of " + ", ".join(readjusted))
    if failed and problem is None:
        plural = "s" if len(failed) != 1 else ""
        parts.append(f"{len(failed)} symbol{plural} failed: {_listing(failed)}")
    elif failed and updated:
        parts.append(f"{len(failed)} not updated")
    return "; ".join(parts)


def _record_status(cache: Cache, outcome: RefreshOutcome, attempted: bool) -> None:
    """Persist the refresh status in the cache's meta table (see the module docstring)."""
    cache.set_meta("last_attempt_at", outcome.started_at)
    cache.set_meta("last_problem", outcome.problem or "")
    cache.set_meta("last_message", outcome.message)
    if not attempted:
        return
    success = outcome.problem is None and bool(outcome.updated)
    if success:
        cache.set_meta("last_success_at", outcome.finished_at)
        cache.set_meta("consecutive_failures", "0")
    else:
        cache.set_meta("consecutive_failures", str(consecutive_failures(cache) + 1))


def consecutive_failures(cache: Cache) -> int:
    """Refreshes in a row that failed, from the cache's meta (0 if unknown)."""
    try:
        return max(0, int(cache.get_meta("consecutive_failures") or 0))
    except ValueError:
        return 0


def market_is_open(now: datetime) -> bool:
    """True during the NYSE regular session (Mon-Fri 09:30-16:00 New York time, holidays off).

    A naive ``now`` is taken as UTC. Early-close days end at 13:00.
    """
    local = _aware(now).astimezone(NEW_YORK)
    day = local.date()
    if local.weekday() >= 5 or day in NYSE_HOLIDAYS:
        return False
    close = _EARLY_CLOSE if day in NYSE_EARLY_CLOSES else _CLOSE
    return _OPEN <= local.time() < close


def next_interval(config_open: int, config_closed: int, now: datetime, failures: int) -> float:
    """Seconds until the next refresh: the open/closed cadence, sooner while failures back off.

    After ``failures`` failed refreshes in a row: min(base, 60 * 2**(failures - 1)), so retries
    come after 1, 2, 4, ... minutes until they reach the normal cadence.
    """
    base = float(max(1, config_open if market_is_open(now) else config_closed))
    if failures <= 0:
        return base
    return min(base, 60.0 * 2.0 ** (min(failures, 32) - 1))
