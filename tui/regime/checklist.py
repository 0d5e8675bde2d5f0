"""The regime checklist: a few pass/fail/unknown checks, each with the figure behind it.

Checks (ids are stable; the app keys on them):

- ``fed_easing``: the last target-range change on or before ``as_of`` was a cut (pass), a hike
  (fail), or there is none on record (unknown).
- ``iwm_spy`` / ``eem_spy``: the IWM/SPY (EEM/SPY) RS line is above its 50-day average AND that
  average rose over the last 10 days (pass); otherwise fail; unknown with the reason when a series
  is missing or has fewer than 60 common days.
- ``breadth``: the 3-month (63-row) relative return of RSP vs SPY is above zero.

Only rows dated on or before ``as_of`` are used, so a past date gives the answer known then.
Negative numbers in ``value`` use the Unicode minus sign (U+2212).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from tui.analytics.relative import TREND_SLOPE_DAYS, TREND_WINDOW, rs_line, rs_returns, rs_trend
from tui.analytics.returns import WINDOWS
from tui.regime.fed import Decision, data_end, last_change
from tui.regime.fomc import Meeting

PASS = "pass"
FAIL = "fail"
UNKNOWN = "unknown"
MINUS = "\u2212"


@dataclass(frozen=True)
class Check:
    """One checklist line."""

    id: str
    """Stable identifier, e.g. ``iwm_spy``."""
    name: str
    """What is checked, e.g. ``IWM/SPY above rising 50-day avg``."""
    status: str
    """``pass``, ``fail`` or ``unknown``."""
    value: str
    """The figure behind the status, e.g. ``+1.23%``; empty when unknown for lack of data."""
    detail: str
    """One sentence: why, from what data, and how old it is."""


def check_to_dict(c: Check) -> dict:
    """JSON-ready ``{"id", "name", "status", "value", "detail"}``."""
    return {"id": c.id, "name": c.name, "status": c.status, "value": c.value, "detail": c.detail}


def _signed(number: float, spec: str) -> str:
    """``number`` formatted with an explicit sign, negatives with U+2212."""
    text = format(number, "+" + spec)
    return MINUS + text[1:] if text.startswith("-") else text


def _as_date(as_of: str | date | None) -> date | None:
    """``as_of`` as a date (accepts ISO strings, dates and Timestamps)."""
    if as_of is None:
        return None
    if isinstance(as_of, pd.Timestamp):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    return date.fromisoformat(str(as_of).strip()[:10])


def _closes_upto(closes: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    """Rows of ``closes`` dated on or before ``as_of``, with a naive DatetimeIndex."""
    index = closes.index
    if not isinstance(index, pd.DatetimeIndex):
        index = pd.DatetimeIndex(pd.to_datetime(index))
    if index.tz is not None:
        index = index.tz_localize(None)
    frame = closes.set_axis(index, axis=0)
    if as_of is not None:
        frame = frame.loc[index <= pd.Timestamp(as_of)]
    return frame


def _series(closes: pd.DataFrame, symbol: str) -> pd.Series | None:
    """The non-empty close series of ``symbol``, or None."""
    if symbol not in closes.columns:
        return None
    series = pd.to_numeric(closes[symbol], errors="coerce").dropna()
    return series if len(series) else None


def _fed_check(
    decisions: Sequence[Decision],
    as_of: date | None,
    ref: date | None,
    meetings: Sequence[Meeting] = (),
) -> Check:
    """``fed_easing``: direction of the last target-range change on or before ``as_of``.

    Unknown once scheduled decisions have passed that the policy data does not cover: the last
    known move may no longer be the last move.
    """
    name = "Fed easing cycle"
    end = data_end(decisions)
    if end is None:
        return Check("fed_easing", name, UNKNOWN, "", "no policy data")
    age = f"policy data ends {end.isoformat()}"
    if ref is not None and ref > end:
        age += f", {(ref - end).days} days before {ref.isoformat()}"
    move = last_change(decisions, as_of)
    if move is None:
        first = min(d.date for d in decisions)
        by = f" by {as_of.isoformat()}" if as_of else ""
        detail = f"no target-range change on record{by}; policy data covers {first}–{end}"
        return Check("fed_easing", name, UNKNOWN, "no move on record", detail)
    value = (
        f"last move {_signed(move.change_bp, 'd')} bp on {move.date.isoformat()}"
        f" → {move.lower:.2f}–{move.upper:.2f}%"
    )
    missed = [m for m in meetings if ref is not None and end < m.end <= ref]
    if missed:
        value = (
            f"last known {value.removeprefix('last ')}; {len(missed)} later decision"
            f"{'s' if len(missed) > 1 else ''} not in the data"
        )
        detail = f"{age}; add newer decisions to bring it up to date"
        return Check("fed_easing", name, UNKNOWN, value, detail)
    if move.is_cut:
        return Check("fed_easing", name, PASS, value, f"last move was a cut; {age}")
    return Check("fed_easing", name, FAIL, value, f"last move was a hike; {age}")


def _trend_check(
    check_id: str, closes: pd.DataFrame, symbol: str, benchmark: str, as_of: date | None
) -> Check:
    """RS line of ``symbol`` vs ``benchmark`` above a rising 50-day average."""
    pair = f"{symbol}/{benchmark}"
    name = f"{pair} above rising {TREND_WINDOW}-day avg"
    upto = f" up to {as_of}" if as_of else ""
    sym, bench = _series(closes, symbol), _series(closes, benchmark)
    if sym is None:
        return Check(check_id, name, UNKNOWN, "", f"no {symbol} data{upto}")
    if bench is None:
        return Check(check_id, name, UNKNOWN, "", f"no {benchmark} data{upto}")
    line = rs_line(sym, bench)
    need = TREND_WINDOW + TREND_SLOPE_DAYS
    trend = rs_trend(line, TREND_WINDOW, TREND_SLOPE_DAYS)
    if trend.ratio is None or trend.sma is None:
        detail = (
            f"fewer than {need} common days of {symbol} and {benchmark}{upto} (have {len(line)})"
        )
        return Check(check_id, name, UNKNOWN, "", detail)
    vs = _signed(trend.vs_sma, ".1%") if trend.vs_sma is not None else "n/a"
    slope = _signed(trend.slope, ".1%") if trend.slope is not None else "n/a"
    value = (
        f"{trend.ratio:.4f} vs {TREND_WINDOW}d {trend.sma:.4f} ({vs}), "
        f"{TREND_WINDOW}d slope {slope}/{TREND_SLOPE_DAYS}d"
    )
    above = trend.ratio > trend.sma
    rising = trend.slope is not None and trend.slope > 0
    last = line.index[-1].date().isoformat()
    status = PASS if above and rising else FAIL
    detail = (
        f"{pair} is {'above' if above else 'not above'} its {TREND_WINDOW}-day average, "
        f"which is {'rising' if rising else 'not rising'} over {TREND_SLOPE_DAYS} days "
        f"(closes to {last})"
    )
    return Check(check_id, name, status, value, detail)


def _breadth_check(closes: pd.DataFrame, benchmark: str, as_of: date | None) -> Check:
    """``breadth``: equal-weight RSP beat the cap-weighted benchmark over 3 months."""
    name = f"Breadth: RSP/{benchmark} 3M RS > 0"
    upto = f" up to {as_of}" if as_of else ""
    rsp, bench = _series(closes, "RSP"), _series(closes, benchmark)
    if rsp is None:
        return Check("breadth", name, UNKNOWN, "", f"no RSP data{upto}")
    if bench is None:
        return Check("breadth", name, UNKNOWN, "", f"no {benchmark} data{upto}")
    rs3m = rs_returns(rsp, bench).get("3M")
    if rs3m is None:
        need = WINDOWS["3M"] + 1
        have = len(rs_line(rsp, bench))
        detail = f"fewer than {need} common days of RSP and {benchmark}{upto} (have {have})"
        return Check("breadth", name, UNKNOWN, "", detail)
    last = rs_line(rsp, bench).index[-1].date().isoformat()
    status = PASS if rs3m > 0 else FAIL
    detail = (
        f"equal-weight RSP {'beat' if rs3m > 0 else 'did not beat'} {benchmark} over the last "
        f"{WINDOWS['3M']} trading days (closes to {last})"
    )
    return Check("breadth", name, status, _signed(rs3m, ".2%"), detail)


def evaluate(
    closes: pd.DataFrame,
    decisions: Sequence[Decision],
    *,
    as_of: str | date | None = None,
    benchmark: str = "SPY",
    meetings: Sequence[Meeting] = (),
) -> list[Check]:
    """All checks, in display order, using only data dated on or before ``as_of`` (None = all).

    ``closes`` is a wide frame of adjusted closes (DatetimeIndex, one column per symbol).
    """
    cutoff = _as_date(as_of)
    frame = _closes_upto(closes, cutoff)
    ref = cutoff
    if ref is None and len(frame.index):
        ref = frame.index.max().date()
    return [
        _fed_check(decisions, cutoff, ref, meetings),
        _trend_check("iwm_spy", frame, "IWM", benchmark, cutoff),
        _trend_check("eem_spy", frame, "EEM", benchmark, cutoff),
        _breadth_check(frame, benchmark, cutoff),
    ]
