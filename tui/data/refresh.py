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

import contextlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from tui.data.yahoo import MAX_BATCH, PROBLEM_REASONS, FetchResult, Quote, finite, short_reason

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


_OPEN = time(9, 30)
_CLOSE = time(16, 0)


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
    adjustments: dict[str, list[str]] = field(default_factory=dict)
    """Re-adjusted symbol -> what moved, newest last ("dividend of 2026-07-16", "split
    2-for-1 of 2026-08-03"); the keys are :attr:`readjusted`."""
    in_progress: dict[str, InProgress] = field(default_factory=dict)
    """Every cached bar still in progress after this refresh (see :func:`in_progress`)."""
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


def _safe_fetch(
    provider: Provider, symbols: list[str], start: date, end: date | None = None
) -> FetchResult:
    """provider.fetch, with any exception turned into an "error" result (never raised)."""
    try:
        return (
            provider.fetch(symbols, start) if end is None else provider.fetch(symbols, start, end)
        )
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


def _ratios(
    fetched: dict[str, float], cached: dict[str, float], newest_cached: str
) -> list[tuple[str, float]]:
    """(date, fetched/cached adj_close) on common dates, oldest first, except the newest
    cached date (it may have been an in-progress bar)."""
    out = []
    for day in sorted(cached):
        value = cached[day]
        new = fetched.get(day)
        if day == newest_cached or new is None or value is None:
            continue
        if value > 0 and math.isfinite(value) and math.isfinite(new) and new > 0:
            out.append((day, new / value))
    return out


def _moved(ratios: list[tuple[str, float]]) -> bool:
    return any(abs(r - 1.0) > READJUST_TOLERANCE for _, r in ratios)


def _fetched_closes(rows: dict[str, tuple]) -> dict[str, float]:
    return {d: float(r[6]) for d, r in rows.items() if r[6] is not None}


def _changed_basis(
    cache: Cache, have: list[str], by_symbol: dict[str, dict[str, tuple]], last: dict[str, str]
) -> set[str]:
    """Symbols whose fetched overlap differs from the cache on any day."""
    changed = set()
    for symbol in have:
        rows = by_symbol.get(symbol)
        if not rows:
            continue
        cached = cache.read_overlap(symbol, min(rows))
        if _moved(_ratios(_fetched_closes(rows), cached, last[symbol])):
            changed.add(symbol)
    return changed


def _anchor_due(cache: Cache) -> dict[str, str]:
    try:
        value = json.loads(cache.get_meta(ANCHOR_META) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _note_anchors(cache: Cache, symbols: list[str], today: date) -> None:
    checked = _anchor_due(cache)
    checked.update(dict.fromkeys(symbols, today.isoformat()))
    cache.set_meta(ANCHOR_META, json.dumps(checked, sort_keys=True, separators=(",", ":")))


def _anchor_checks(
    cache: Cache,
    provider: Provider,
    have: list[str],
    by_symbol: dict[str, dict[str, tuple]],
    changed: set[str],
    today: date,
    every: int,
    last: dict[str, str],
    starts: dict[str, str],
) -> list[str]:
    """Fetch the oldest cached days of symbols not checked for ``every`` days and add those
    whose basis moved there to ``changed``; returns the symbols checked."""
    checked = _anchor_due(cache)
    cutoff = (today - timedelta(days=every)).isoformat()
    info = cache.symbol_info()
    groups: dict[str, list[str]] = {}
    for symbol in have:
        rows = by_symbol.get(symbol)
        first = info[symbol].first_date if symbol in info else None
        if not rows or symbol in changed or first is None or checked.get(symbol, "") > cutoff:
            continue
        if first >= starts.get(symbol, first):  # the overlap reached the oldest day already
            continue
        groups.setdefault(first, []).append(symbol)
    done: list[str] = []
    for first, symbols in sorted(groups.items()):
        start = date.fromisoformat(first)
        result = _safe_fetch(provider, symbols, start, start + timedelta(days=ANCHOR_SPAN))
        if result.problem in NETWORK_PROBLEMS:
            break
        got: dict[str, dict[str, tuple]] = {}
        for row in result.rows:
            clean = _clean_row(row)
            if clean is not None and clean[0] in symbols:
                got.setdefault(clean[0], {})[clean[1]] = clean
        for symbol in symbols:
            if symbol not in got:
                continue
            done.append(symbol)
            window_end = max(got[symbol])
            cached = {d: v for d, v in cache.read_overlap(symbol, first).items() if d <= window_end}
            if _moved(_ratios(_fetched_closes(got[symbol]), cached, last[symbol])):
                changed.add(symbol)
    return done


def _refetch(
    cache: Cache,
    provider: Provider,
    symbols: list[str],
    by_symbol: dict[str, dict[str, tuple]],
    last: dict[str, str],
) -> tuple[dict[str, tuple[dict[str, tuple], list[str]]], dict[str, tuple[str, str]]]:
    """Whole histories of re-adjusted symbols, on Yahoo's new basis, with what moved."""
    info = cache.symbol_info()
    groups: dict[str, list[str]] = {}
    for symbol in symbols:
        groups.setdefault(info[symbol].first_date or last[symbol], []).append(symbol)
    fresh: dict[str, tuple[dict[str, tuple], list[str]]] = {}
    failed: dict[str, tuple[str, str]] = {}
    for first, group in sorted(groups.items()):
        result = _safe_fetch(provider, group, date.fromisoformat(first))
        got: dict[str, dict[str, tuple]] = {}
        for row in result.rows:
            clean = _clean_row(row)
            if clean is not None and clean[0] in group:
                got.setdefault(clean[0], {})[clean[1]] = clean
        for symbol in group:
            rows = got.get(symbol)
            if not rows:
                reason = result.failed.get(symbol) or result.detail or "no data returned"
                failed[symbol] = (_kind_of(result, symbol), reason)
                continue
            merged = dict(by_symbol.get(symbol, {}))
            merged.update(rows)  # the full fetch wins where both have a day
            fresh[symbol] = _rebased(cache, symbol, merged, last[symbol])
    return fresh, failed


def _rebased(
    cache: Cache, symbol: str, fresh: dict[str, tuple], newest_cached: str
) -> tuple[dict[str, tuple], list[str]]:
    """``fresh`` plus the cached days it lacks, rescaled by the ratio of the nearest later
    fresh day (of the nearest earlier one after the last); and what moved."""
    frame = cache.read_prices(symbol)
    cached_rows = {
        ts.strftime("%Y-%m-%d"): tuple(None if v != v else float(v) for v in values)
        for ts, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True)
    }
    closes = {d: r[4] for d, r in cached_rows.items() if r[4] is not None}
    ratios = _ratios(_fetched_closes(fresh), closes, newest_cached)
    days = sorted(fresh)
    out = dict(fresh)
    ratio_of = dict(ratios)
    known = sorted(ratio_of)
    for day, values in cached_rows.items():
        if day in fresh or not known:
            continue
        later = [d for d in known if d > day]
        factor = ratio_of[later[0]] if later else ratio_of[known[-1]]
        o, h, lo, c, a, v = values
        out[day] = (
            symbol, day,
            *(None if x is None else x * factor for x in (o, h, lo, c, a)),
            v,
        )  # fmt: skip
    named = list(ratios)
    newest = closes.get(newest_cached)
    fetched_newest = fresh.get(newest_cached)
    if newest and fetched_newest is not None and fetched_newest[6] and ratios:
        # The newest cached day is left out of the comparison (it may have been a live bar);
        # when it sits on the same old basis as the day before, the step came after it.
        ratio = float(fetched_newest[6]) / newest
        if abs(ratio / ratios[-1][1] - 1.0) <= READJUST_TOLERANCE:
            named.append((newest_cached, ratio))
    return out, describe_steps(named, days)


_SPLITS = {k: f"split {k}-for-1" for k in range(2, 21)}


def describe_steps(ratios: list[tuple[str, float]], fresh_days: list[str]) -> list[str]:
    """What changed Yahoo's basis, oldest first: each step of the new/old ratio over time.

    A step between two compared days is named by the first fresh day after it — the
    ex-date — and by its size: about 1/k or k is a split (or reverse split), a little under or
    over 1 a dividend (or a revised one). A step after the last compared day lies somewhere
    in the days the cache did not hold yet, all on the new basis, so adjusted closes cannot
    tell which: it is named by that span ("dividend between 2026-08-03 and 2026-08-07"), or by
    the day when only one is new."""
    out: list[str] = []
    for i, (day, ratio) in enumerate(ratios):
        last = i + 1 == len(ratios)
        following = 1.0 if last else ratios[i + 1][1]
        factor = ratio / following
        if abs(factor - 1.0) <= READJUST_TOLERANCE:
            continue
        after = [d for d in fresh_days if d > day]
        if not after:
            when = f" after {day}"
        elif last and len(after) > 1:
            when = f" between {after[0]} and {after[-1]}"
        else:
            when = f" of {after[0]}"
        out.append(_step_name(factor) + when)
    return out or ["adjustment"]


def _step_name(factor: float) -> str:
    for k, name in _SPLITS.items():
        if abs(factor * k - 1.0) < 0.01:
            return name
        if abs(factor / k - 1.0) < 0.01:
            return f"reverse split 1-for-{k}"
    if 0.7 <= factor < 1.0:
        return "dividend"
    if 1.0 < factor <= 1.05:
        return "revised dividend"
    return "adjustment"


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
    numbers = [finite(v) for v in row[2:]]
    close = numbers[4] if numbers[4] is not None else numbers[3]
    if close is None or (close <= 0 and not row[0].startswith("^")):
        return None
    numbers[4] = close
    return (row[0], row[1], *numbers)


INTRADAY_META = "intraday"
"""Meta key: JSON {symbol: {"day", "as_of", "delay"}} of the cached bars still in progress."""


@dataclass(frozen=True)
class InProgress:
    """A cached bar of today's session that is not final yet (Yahoo's live daily bar)."""

    symbol: str
    day: str
    """The bar's date (New York)."""
    as_of: datetime
    """Yahoo's ``regularMarketTime`` for it (aware, UTC)."""
    delay_minutes: int | None = None
    """Yahoo's ``exchangeDataDelayedBy``, when it gives one."""

    def label(self) -> str:
        """'as of 15:42 ET' or 'as of 15:42 ET, 15 min delayed'."""
        text = f"as of {self.as_of.astimezone(NEW_YORK):%H:%M} ET"
        if self.delay_minutes:
            text += f", {self.delay_minutes} min delayed"
        return text

    def age(self, now: datetime) -> float:
        """Seconds between the bar's time and ``now``."""
        return (_aware(now) - self.as_of).total_seconds()


def in_progress(cache: Cache) -> dict[str, InProgress]:
    """The cached bars flagged as still in progress (symbol -> bar), from the cache's meta."""
    try:
        raw = json.loads(cache.get_meta(INTRADAY_META) or "{}")
    except ValueError:
        return {}
    out: dict[str, InProgress] = {}
    for symbol, item in raw.items() if isinstance(raw, dict) else ():
        try:
            moment = datetime.fromisoformat(str(item["as_of"]).replace("Z", "+00:00"))
            delay = item.get("delay")
            out[str(symbol)] = InProgress(
                str(symbol), str(item["day"]), _aware(moment), int(delay) if delay else None
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


def is_live(bars: dict[str, InProgress], now: datetime, max_age: float) -> bool:
    """True when some in-progress bar is at most ``max_age`` seconds old: the status may say
    LIVE. A delayed feed's bar counts from its own time (so 15 min late is 15 min old)."""
    return any(0 <= bar.age(now) <= max_age for bar in bars.values())


def _bar_in_progress(quote: Quote, day: str) -> bool:
    """Yahoo's last bar ``day`` is still being traded: its market time is that day, before
    the session's end (Yahoo's, else 16:00 New York)."""
    moment = datetime.fromtimestamp(quote.market_time, UTC)
    if moment.astimezone(NEW_YORK).date().isoformat() != day:
        return False
    end = quote.session_end
    if end is None:
        close = datetime.combine(date.fromisoformat(day), _CLOSE, NEW_YORK)
        end = int(close.timestamp())
    return quote.market_time < end


def _save_in_progress(cache: Cache, bars: dict[str, InProgress]) -> None:
    payload = {
        s: {"day": b.day, "as_of": _iso(b.as_of), "delay": b.delay_minutes}
        for s, b in sorted(bars.items())
    }
    cache.set_meta(INTRADAY_META, json.dumps(payload, separators=(",", ":")))


ANCHOR_DAYS = 7
"""Compare each symbol's oldest cached days with Yahoo at most this often (0: never)."""
ANCHOR_META = "anchor_checked"
"""Meta key: JSON {symbol: ISO date of the last anchor check}."""
ANCHOR_SPAN = 10
"""Calendar days fetched from the oldest cached date for an anchor check."""


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
    anchor_days: int = ANCHOR_DAYS,
    through: date | None = None,
) -> RefreshOutcome:
    """Fetch what the cache lacks for ``symbols``, rescale re-adjusted history, write, record.

    Never raises for provider or network failures (those are in the outcome and the cache's
    meta); cache errors do propagate. ``record=False`` leaves the status meta alone: for side
    refreshes (a drill-down's holdings) that must not change what the status line says.

    Re-adjusted history: Yahoo's adjusted closes move back in time after every split or
    dividend, sometimes days after the ex-date. The fetched overlap is compared with the cache
    day by day (not by a median, so a change seen on one day counts), and every
    ``anchor_days`` the oldest cached days of each symbol are fetched again and compared too.
    A symbol whose basis moved is fetched again from its oldest cached day and its history
    replaced in the same transaction as the rest of the refresh (days Yahoo no longer has
    are rescaled by the ratio of the nearest later day); if that fetch fails, none of its new
    rows are written and it is listed as failed, so one series never holds two bases.

    ``through``: rows dated after it are not kept (the holdings refresh keeps final bars only,
    up to the last closed session, so a bar still in progress never stands for a day).
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
    starts: dict[str, str] = {}  # symbol -> first day asked for
    for batch in _batches(have, last):
        if any(r.problem in NETWORK_PROBLEMS for r in results):
            blocked = next(r for r in results if r.problem in NETWORK_PROBLEMS)
            results.append(_blocked(blocked, batch))
            continue
        start = date.fromisoformat(min(last[s] for s in batch)) - timedelta(days=overlap_days)
        starts.update(dict.fromkeys(batch, start.isoformat()))
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

    # Re-adjustment: compare every overlap day (and, now and then, the oldest cached days)
    # before anything is written; a symbol whose basis moved gets its whole history again.
    network_hit = any(r.problem in NETWORK_PROBLEMS for r in results)
    changed = _changed_basis(cache, have, by_symbol, last)
    anchored: list[str] = []
    if anchor_days > 0 and not network_hit:
        anchored = _anchor_checks(
            cache, provider, have, by_symbol, changed, today, anchor_days, last, starts
        )
    adjustments: dict[str, list[str]] = {}
    replace: list[str] = []
    if changed:
        fresh, refetch_failed = _refetch(cache, provider, sorted(changed), by_symbol, last)
        for symbol in [s for s in have if s in changed]:
            if symbol in fresh:
                by_symbol[symbol], adjustments[symbol] = fresh[symbol]
                replace.append(symbol)
            else:  # never write new-basis rows over an old-basis history
                by_symbol.pop(symbol, None)
                kind, why = refetch_failed.get(symbol, ("error", "no data returned"))
                failed[symbol] = f"history re-adjusted by Yahoo; re-fetch failed: {why}"
                kinds[symbol] = kind
    if through is not None:
        cut = through.isoformat()
        for symbol in list(by_symbol):
            kept = {d: r for d, r in by_symbol[symbol].items() if d <= cut}
            if kept:
                by_symbol[symbol] = kept
            else:  # only a bar still in progress came: nothing final to keep
                del by_symbol[symbol]
                adjustments.pop(symbol, None)
        replace = [s for s in replace if s in by_symbol]
    readjusted = list(replace)

    finished = _aware(clock) if clock is not None else datetime.now(UTC)
    finished_at = _iso(finished)
    all_rows = [
        row
        for symbol in wanted
        for row in sorted(by_symbol.get(symbol, {}).values(), key=lambda r: r[1])
    ]
    source = getattr(provider, "name", "yahoo")
    rows_written = cache.replace_prices(
        all_rows, source=source, fetched_at=finished_at, replace=replace
    )
    new_rows = sum(1 for r in all_rows if r[0] not in last or r[1] > last[r[0]])
    updated = [s for s in wanted if s in by_symbol]
    for symbol in updated:
        cache.record_error(symbol, None)
    for symbol, reason in failed.items():
        cache.record_error(symbol, reason)
    if anchored:
        _note_anchors(cache, anchored, today)
    bars = in_progress(cache)
    flagged = dict(bars)
    quotes = {s: q for r in results for s, q in r.quotes.items()}
    for symbol in updated:
        newest_day = max(by_symbol[symbol])
        quote = quotes.get(symbol)
        if quote is not None and _bar_in_progress(quote, newest_day):
            moment = datetime.fromtimestamp(quote.market_time, UTC)
            bars[symbol] = InProgress(symbol, newest_day, moment, quote.delay_minutes)
        elif symbol in bars and bars[symbol].day <= newest_day:
            del bars[symbol]  # the final bar (or a later day) replaced it
    if bars != flagged:
        _save_in_progress(cache, bars)

    problem = _overall_problem(results, updated)
    message = _message(wanted, problem, updated, new_rows, failed, adjustments, results)
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
        adjustments=adjustments,
        in_progress=bars,
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
    adjustments: dict[str, list[str]],
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
    shown = list(adjustments.items())[:3]
    parts += [f"re-adjusted {symbol} history: {' and '.join(what)}" for symbol, what in shown]
    if len(adjustments) > 3:
        parts.append(f"{len(adjustments) - 3} more re-adjusted")
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


def market_is_open(now: datetime, *, wait: bool = True) -> bool:
    """True during the NYSE regular session, from exchange_calendars' XNYS (holidays and
    early closes included). A naive ``now`` is taken as UTC.

    The first call loads the calendar (about a second: see tui.data.market_clock); if it
    cannot be loaded — or, with ``wait=False`` (the UI thread), is not loaded yet or does not
    cover ``now`` — Monday-Friday 09:30-16:00 New York time is assumed.
    """
    from tui.data import market_clock

    local = _aware(now).astimezone(NEW_YORK)
    with contextlib.suppress(Exception):  # exchange_calendars missing or broken: weekdays only
        schedule = (
            market_clock.schedule_for(local.date()) if wait else market_clock.loaded_schedule()
        )
        if schedule is not None and schedule.first <= local.date() <= schedule.last:
            return market_clock.is_open(local, schedule)
    return local.weekday() < 5 and _OPEN <= local.time() < _CLOSE


def next_interval(
    config_open: int, config_closed: int, now: datetime, failures: int, *, wait: bool = True
) -> float:
    """Seconds until the next refresh: the open/closed cadence, sooner while failures back off.

    After ``failures`` failed refreshes in a row: min(base, 60 * 2**(failures - 1)), so retries
    come after 1, 2, 4, ... minutes until they reach the normal cadence.
    """
    base = float(max(1, config_open if market_is_open(now, wait=wait) else config_closed))
    if failures <= 0:
        return base
    return min(base, 60.0 * 2.0 ** (min(failures, 32) - 1))


# ------------------------------------------------------------------------- holdings refresh

HOLDINGS_META = "holdings_refresh"
"""Meta key: JSON of the last holdings refresh that reached Yahoo: ``at`` (UTC ISO time it
finished), ``session`` (the last NYSE session closed by then: its bars were the newest kept),
``updated`` and ``failed`` (symbols), ``problem`` (a network problem of some batch, or null)."""

HOLDINGS_BATCH = MAX_BATCH
"""At most this many holdings per refresh batch (Yahoo rate-limits larger requests)."""


@dataclass(frozen=True)
class HoldingsState:
    """The last holdings refresh, as remembered in the cache's meta (:data:`HOLDINGS_META`)."""

    at: datetime
    session: str
    updated: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    problem: str | None = None


@dataclass
class HoldingsOutcome:
    """What one holdings refresh did: one :class:`RefreshOutcome` per batch."""

    batches: list[list[str]]
    outcomes: list[RefreshOutcome]
    session: str
    """The last closed NYSE session: no bar after it was kept."""
    recorded: bool
    """True when it counted as the day's holdings refresh (False: Yahoo was unreachable)."""

    @property
    def updated(self) -> list[str]:
        return [s for o in self.outcomes for s in o.updated]

    @property
    def failed(self) -> dict[str, str]:
        return {s: why for o in self.outcomes for s, why in o.failed.items()}

    @property
    def rows_written(self) -> int:
        return sum(o.rows_written for o in self.outcomes)

    @property
    def readjusted(self) -> list[str]:
        return [s for o in self.outcomes for s in o.readjusted]

    @property
    def problem(self) -> str | None:
        """The first network problem of a batch (None when every batch reached Yahoo)."""
        return next((o.problem for o in self.outcomes if o.problem), None)

    @property
    def message(self) -> str:
        """One line: 'holdings: updated 163 of 165 symbols (815 new rows); 2 not updated: …'."""
        asked = sum(len(b) for b in self.batches)
        if not asked:
            return "holdings: up to date, none asked"
        new_rows = sum(o.new_rows for o in self.outcomes)
        if not self.updated:
            head = f"holdings: no symbol updated of {asked}"
            reason = next((o.message for o in self.outcomes if o.problem), "")
            return f"{head}: {reason}" if reason else head
        text = f"holdings: updated {len(self.updated)} of {asked} symbols ({new_rows} new rows)"
        failed = self.failed
        if failed:
            text += f"; {len(failed)} not updated: {_listing(failed)}"
        return text


def holdings_state(cache: Cache) -> HoldingsState | None:
    """The last holdings refresh from the cache's meta (None: never, or unreadable)."""
    try:
        raw = json.loads(cache.get_meta(HOLDINGS_META) or "null")
        at = datetime.fromisoformat(str(raw["at"]).replace("Z", "+00:00"))
        return HoldingsState(
            at=_aware(at),
            session=str(raw["session"]),
            updated=tuple(str(s) for s in raw.get("updated") or ()),
            failed=tuple(str(s) for s in raw.get("failed") or ()),
            problem=raw.get("problem") or None,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def closed_session(now: datetime | None = None) -> date:
    """The latest NYSE session that has closed by ``now``: its bars are final.

    From exchange_calendars' XNYS (holidays, early closes; loads the calendar on first use,
    about a second: call it off the UI thread); without it, the latest weekday whose 16:00
    New York has passed.
    """
    from tui.data import market_clock

    moment = _aware(now)
    local = moment.astimezone(NEW_YORK)
    with contextlib.suppress(Exception):  # exchange_calendars missing or broken: weekdays
        schedule = market_clock.schedule_for(local.date())
        day = market_clock.last_session(schedule, moment)
        if day is not None:
            return day
    day = local.date() if local.time() >= _CLOSE else local.date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def holdings_due(cache: Cache, now: datetime | None = None) -> bool:
    """True when the holdings should be asked again: never asked yet, or a NYSE session has
    closed since the last time, so a new final bar exists — at most once per session. A
    weekend, a holiday or a second refresh after the same close asks nothing; a refresh in
    the morning (which brings the previous session) does not keep the day's close from
    being asked after 16:00."""
    state = holdings_state(cache)
    if state is None:
        return True
    return closed_session(_aware(now)).isoformat() > state.session


def holdings_batches(symbols: Sequence[str], size: int = HOLDINGS_BATCH) -> list[list[str]]:
    """``symbols`` (duplicates and blanks dropped, order kept) in batches of at most ``size``."""
    wanted = list(dict.fromkeys(s.strip() for s in symbols if s and s.strip()))
    size = max(1, min(int(size), HOLDINGS_BATCH))
    return [wanted[i : i + size] for i in range(0, len(wanted), size)]


def run_holdings_refresh(
    cache: Cache,
    provider: Provider,
    symbols: Sequence[str],
    *,
    now: datetime | None = None,
    batch_size: int = HOLDINGS_BATCH,
    force: bool = False,
) -> HoldingsOutcome | None:
    """Refresh the sector holdings' prices in batches of at most ``batch_size`` symbols, each
    batch a :func:`run_refresh` of its own (re-adjustment reconcile, per-symbol isolation, and
    the provider's lock released between batches, so the table's refresh never waits for all
    of them); None when not due (see :func:`holdings_due`) unless ``force``.

    Only final bars are kept (through :func:`closed_session`); holdings that already have
    that session's bar are not asked. The status meta of the main refresh is left alone. A
    batch that Yahoo rate-limits, or answers 5xx for, loses only its own symbols (their older
    rows stay); when Yahoo is unreachable (offline or timeout) the batches after it are not
    asked and the refresh does not count, so the next one tries again.
    """
    moment = _aware(now)
    if not force and not holdings_due(cache, moment):
        return None
    session = closed_session(moment)
    # A holding the table's own refresh already brought to that session's close (AAPL in a
    # watchlist, say) is not asked twice — unless that bar is still flagged in progress (a
    # drill-down fetched it during the session): it is not final.
    last = cache.last_dates()
    live = in_progress(cache)
    pending = [s for s in symbols if last.get(s, "") < session.isoformat() or s in live]
    batches = holdings_batches(pending, batch_size)
    outcomes: list[RefreshOutcome] = []
    unreachable = False
    for batch in batches:
        outcome = run_refresh(cache, provider, batch, now=now, record=False, through=session)
        outcomes.append(outcome)
        if outcome.problem in ("offline", "timeout") and not outcome.updated:
            unreachable = True
            break
    result = HoldingsOutcome(batches, outcomes, session.isoformat(), not unreachable)
    if unreachable:
        return result
    finished = _aware(now) if now is not None else datetime.now(UTC)
    state = {
        "at": _iso(finished),
        "session": session.isoformat(),
        "updated": result.updated,
        "failed": sorted(result.failed),
        "problem": result.problem,
    }
    cache.set_meta(HOLDINGS_META, json.dumps(state, separators=(",", ":")))
    return result


def holdings_label(
    latest: dict[str, tuple[str, str]], symbols: Sequence[str], state: HoldingsState | None
) -> str:
    """Where the holdings' figures come from, for the screens that show them:
    'holdings prices as of 2026-07-31 (bundled)', 'holdings prices as of 2026-08-07 (Yahoo
    2026-08-07 17:30 ET)' (the time of the last holdings refresh, New York), with
    '· 12 of 163 older' when some lag the newest, 'holdings prices: no data' when none has any.
    ``latest``: symbol -> (its last cached date, the source that wrote it: "snapshot",
    "yahoo", …), as :meth:`tui.data.cache.Cache.symbol_info` gives them."""
    dated = {s: latest[s] for s in dict.fromkeys(symbols) if s in latest and latest[s][0]}
    if not dated:
        return "holdings prices: no data"
    newest = max(day for day, _ in dated.values())
    fetched = any(day == newest and src.startswith("yahoo") for day, src in dated.values())
    if fetched and state is not None:
        source = f"Yahoo {state.at.astimezone(NEW_YORK):%Y-%m-%d %H:%M} ET"
    elif fetched:
        source = "Yahoo"
    else:
        source = "bundled"
    text = f"holdings prices as of {newest} ({source})"
    older = sum(1 for day, _ in dated.values() if day < newest)
    if older:
        text += f" · {older} of {len(dated)} older"
    return text
