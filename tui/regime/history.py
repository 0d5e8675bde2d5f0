"""The rules' track record over the whole history: flips, confirmation delays, the rotation score.

Pure functions over :func:`tui.regime.engine.histories` (every rule's raw, banded and confirmed
state on every trading day of the frame). Nothing here reads a file or the clock.

Definitions (the figures the backtest and the history screen print):

- A *flip* is a change between pass and fail from one known day to the next known day; days on
  which the state is unknown are skipped (pass, unknown, pass is no flip; pass, unknown, fail is
  one, dated on the fail day).
- *Flips per year* = flips dated in the window / the window's length in years, where the
  window runs from the first to the last known day of the state inside ``[start, end]``
  (calendar days / 365.25).
- The *confirmation delay* of a confirmed flip to a side is the number of trading days
  (timeline rows) from the start of the raw state's latest run on that side, on or before the
  confirmed flip, to the confirmed flip. Without a band it is ``confirm_days - 1``; a band adds
  the days the value takes to cross it.
- The *score* on a day = rules whose confirmed state passes / rules whose confirmed state is
  known that day (rules in :data:`tui.regime.engine.SUMMARY_GROUPS`); None when none is known.
  The rotation reads ON from :data:`tui.regime.engine.ON_AT`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tui.regime.engine import MIXED_AT, ON_AT, SUMMARY_GROUPS, RuleHistory

__all__ = [
    "FlipStats",
    "LastHigh",
    "ScoreHistory",
    "Streak",
    "flip_stats",
    "last_time_this_high",
    "pair_line",
    "score_history",
    "score_state",
    "streak",
]

YEAR_DAYS = 365.25


def _day(value: str | date | None) -> np.datetime64 | None:
    """An ISO date / date as ``datetime64[D]`` (None stays None)."""
    if value is None:
        return None
    return np.datetime64(str(value)[:10], "D")


def _window(dates: np.ndarray, start: str | date | None, end: str | date | None) -> np.ndarray:
    """Boolean mask of the dates inside ``[start, end]``."""
    keep = np.ones(len(dates), dtype=bool)
    lo, hi = _day(start), _day(end)
    if lo is not None:
        keep &= dates >= lo
    if hi is not None:
        keep &= dates <= hi
    return keep


@dataclass(frozen=True)
class FlipStats:
    """How often a rule flipped, raw and confirmed, and how late the confirmed flips came."""

    flips_raw: int
    """Flips of the raw (plain) state in the window."""
    flips: int
    """Flips of the confirmed state in the window."""
    years: float
    """Length of the window in years (first to last known day)."""
    delays: tuple[int, ...]
    """Confirmation delay of each confirmed flip, trading days."""

    @property
    def flips_per_year_raw(self) -> float | None:
        """Raw flips per year (None for a window under a day)."""
        return self.flips_raw / self.years if self.years > 0 else None

    @property
    def flips_per_year(self) -> float | None:
        """Confirmed flips per year."""
        return self.flips / self.years if self.years > 0 else None

    @property
    def mean_delay_days(self) -> float | None:
        """Mean confirmation delay, trading days (None without confirmed flips)."""
        return float(np.mean(self.delays)) if self.delays else None


def _flip_rows(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Known-day positions and the rows (of ``codes``) on which the known state changed."""
    known = np.flatnonzero(codes >= 0)
    values = codes[known]
    changed = np.flatnonzero(values[1:] != values[:-1]) + 1
    return known, known[changed]


def flip_stats(
    h: RuleHistory, start: str | date | None = None, end: str | date | None = None
) -> FlipStats:
    """Flips of ``h`` (raw and confirmed) dated in ``[start, end]``, and the delays."""
    inside = _window(h.dates, start, end)
    known_rows = np.flatnonzero(inside & (h.state >= 0))
    if len(known_rows) < 2:
        return FlipStats(0, 0, 0.0, ())
    span = (h.dates[known_rows[-1]] - h.dates[known_rows[0]]).astype(int)
    years = float(span) / YEAR_DAYS
    _, raw_flips = _flip_rows(h.raw)
    _, state_flips = _flip_rows(h.state)
    raw_flips = raw_flips[inside[raw_flips]]
    state_flips = state_flips[inside[state_flips]]
    # start of every raw run, per side
    raw_known = np.flatnonzero(h.raw >= 0)
    values = h.raw[raw_known]
    starts = raw_known[np.r_[True, values[1:] != values[:-1]]] if len(values) else raw_known
    delays = []
    for row in state_flips:
        side = h.state[row]
        candidates = starts[(h.raw[starts] == side) & (starts <= row)]
        if len(candidates):
            delays.append(int(row - candidates[-1]))
    return FlipStats(len(raw_flips), len(state_flips), years, tuple(delays))


@dataclass(frozen=True)
class ScoreHistory:
    """The rotation score on every timeline day."""

    dates: np.ndarray
    """``datetime64[D]``."""
    passed: np.ndarray
    """Counted rules whose confirmed state passes."""
    known: np.ndarray
    """Counted rules whose confirmed state is known."""

    @property
    def score(self) -> np.ndarray:
        """passed / known (NaN where no rule is known)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.known > 0, self.passed / np.maximum(self.known, 1), np.nan)

    def frame(self) -> pd.DataFrame:
        """Indexed by date: ``passed``, ``known``, ``score``."""
        index = pd.DatetimeIndex(self.dates.astype("datetime64[ns]"), name="date")
        return pd.DataFrame(
            {"passed": self.passed, "known": self.known, "score": self.score}, index=index
        )


def score_history(
    hists: Sequence[RuleHistory], groups: Sequence[str] = SUMMARY_GROUPS, *, raw: bool = False
) -> ScoreHistory:
    """Count the confirmed states (``raw``: the plain ones) of the rules in ``groups``."""
    counted = [h for h in hists if h.rule.group in groups]
    if not hists:
        empty = np.zeros(0, dtype=np.int64)
        return ScoreHistory(np.array([], dtype="datetime64[D]"), empty, empty)
    dates = hists[0].dates
    if not counted:
        zero = np.zeros(len(dates), dtype=np.int64)
        return ScoreHistory(dates, zero, zero)
    block = np.vstack([h.raw if raw else h.state for h in counted])
    return ScoreHistory(
        dates, (block == 1).sum(axis=0).astype(np.int64), (block >= 0).sum(axis=0).astype(np.int64)
    )


def score_state(passed: int, known: int) -> str:
    """``ON`` / ``MIXED`` / ``OFF`` as :func:`tui.regime.engine.summarize` reads the count
    (``?`` when nothing is known)."""
    if known <= 0:
        return "?"
    share = passed / known
    return "ON" if share >= ON_AT else "MIXED" if share >= MIXED_AT else "OFF"


@dataclass(frozen=True)
class Streak:
    """How long the score has been where it is on its last day.

    Reads: ``{state} {passed}/{known} or {better_or_worse} for {days} days, since {since}`` —
    ``ON 6/10 or better for 23 days, since 2026-07-09``. "Or better" (ON and MIXED): every day
    of the run scored at least ``passed/known`` (as a share; on days with another number of
    known rules the share is compared); "or worse" (OFF): at most. Days on which no rule is
    known break the run. ``state_days`` / ``state_since``: the run of days in the same state.
    """

    state: str
    passed: int
    known: int
    better_or_worse: str
    """``better`` or ``worse``."""
    days: int
    """Trading days in the run, the last day included."""
    since: str
    """ISO date of the run's first day."""
    state_days: int
    state_since: str

    @property
    def text(self) -> str:
        """``ON 6/10 or better for 23 days, since 2026-07-09``."""
        plural = "s" if self.days != 1 else ""
        return (
            f"{self.state} {self.passed}/{self.known} or {self.better_or_worse} "
            f"for {self.days} day{plural}, since {self.since}"
        )


def _run_back(ok: np.ndarray) -> int:
    """Length of the run of True ending at the last element."""
    bad = np.flatnonzero(~ok)
    return len(ok) - (int(bad[-1]) + 1 if len(bad) else 0)


def streak(score: ScoreHistory, as_of: str | date | None = None) -> Streak | None:
    """The streak of the score's last day on or before ``as_of`` (None: no known score then)."""
    keep = _window(score.dates, None, as_of)
    dates, passed, known = score.dates[keep], score.passed[keep], score.known[keep]
    if not len(dates) or known[-1] <= 0:
        return None
    share = passed / np.maximum(known, 1)
    now = share[-1]
    state = score_state(int(passed[-1]), int(known[-1]))
    eps = 1e-12
    if state == "OFF":
        ok, word = (known > 0) & (share <= now + eps), "worse"
    else:
        ok, word = (known > 0) & (share >= now - eps), "better"
    days = _run_back(ok)
    states = np.array([score_state(int(p), int(k)) for p, k in zip(passed, known, strict=True)])
    state_days = _run_back(states == state)
    return Streak(
        state,
        int(passed[-1]),
        int(known[-1]),
        word,
        days,
        str(dates[len(dates) - days]),
        state_days,
        str(dates[len(dates) - state_days]),
    )


def pair_line(closes: pd.DataFrame, a: str, b: str) -> pd.Series:
    """``a/b`` on the rows both have a close (NaN-free, by date)."""
    if a not in closes.columns or b not in closes.columns:
        return pd.Series(dtype=float)
    both = closes[[a, b]].apply(pd.to_numeric, errors="coerce").dropna()
    ratio = both[a] / both[b]
    ratio = ratio[np.isfinite(ratio.to_numpy())]
    index = pd.DatetimeIndex(ratio.index)
    return pd.Series(ratio.to_numpy(), index=index.tz_localize(None) if index.tz else index)


@dataclass(frozen=True)
class LastHigh:
    """The last earlier day the score was this high, and what the pair did next."""

    date: str
    """ISO date: the latest day before the current streak with a score at least today's."""
    passed: int
    known: int
    pair: str
    """``IWM/SPY``."""
    horizon: int
    """Rows of the forward window (63 = 3 months)."""
    forward: float | None
    """The pair's return over the next ``horizon`` rows of its own data (fraction); None when
    the data does not reach that far yet."""

    @property
    def text(self) -> str:
        """``last time the score was this high: 2025-10-02 — IWM/SPY over the next 3 months:
        +4.1 %`` (``not 3 months of data yet`` when the window is not over)."""
        months = {21: "1 month", 63: "3 months", 126: "6 months"}.get(
            self.horizon, f"{self.horizon} trading days"
        )
        if self.forward is None:
            figure = f"not {months} of data yet"
        else:
            figure = f"{self.forward * 100:+.1f} %".replace("-", "\u2212")
        return (
            f"last time the score was this high: {self.date} — {self.pair} over the next "
            f"{months}: {figure}"
        )


def last_time_this_high(
    score: ScoreHistory,
    closes: pd.DataFrame,
    *,
    pair: tuple[str, str] = ("IWM", "SPY"),
    horizon: int = 63,
    as_of: str | date | None = None,
) -> LastHigh | None:
    """The latest day before the current run of "this score or better" whose share of passing
    rules was at least the last day's, and the pair's return over the ``horizon`` rows after
    it (rows of the pair on or before ``as_of`` only). None when there is no such day."""
    run = streak(score, as_of)
    if run is None:
        return None
    keep = _window(score.dates, None, as_of)
    dates, passed, known = score.dates[keep], score.passed[keep], score.known[keep]
    share = passed / np.maximum(known, 1)
    now = run.passed / run.known
    before = len(dates) - run.days
    hits = np.flatnonzero((known[:before] > 0) & (share[:before] >= now - 1e-12))
    if not len(hits):
        return None
    i = int(hits[-1])
    line = pair_line(closes, *pair)
    if as_of is not None:
        line = line[line.index <= pd.Timestamp(str(as_of)[:10])]
    day = pd.Timestamp(str(dates[i]))
    at = int(line.index.searchsorted(day, side="right")) - 1
    forward = None
    if at >= 0 and at + horizon < len(line):
        forward = float(line.iloc[at + horizon] / line.iloc[at] - 1.0)
    return LastHigh(str(dates[i]), int(passed[i]), int(known[i]), "/".join(pair), horizon, forward)
