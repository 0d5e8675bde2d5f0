"""The Fed's policy record: target-range changes and FOMC decisions, bundled or fetched.

Two bundled tables, both by the date of the FOMC decision (announced 14:00 ET, before the close):

- ``fed_target_range.csv`` (``decision_date,lower_pct,upper_pct,change_bp``; negative change =
  cut): every change of the federal funds target range from 2015-12-16 to 2026-09-16, the 2020
  emergency cuts included. The range is unchanged between rows, so every decision up to the
  last row is on record: one without a row held the range.
- ``fomc_decisions.csv`` (``decision_date,action,lower_pct,upper_pct``; action hold / cut /
  hike): the outcome of every scheduled meeting from 2024-01-31 to 2026-09-16. It tells "held"
  (a decision on record with no change) from "not on record" (a meeting that could not be
  sourced: its outcome is unknown, and so is every later one until a newer record).

:func:`policy_record` merges them — and, when given, a fetched target-range history such as
FRED's DFEDTARL/DFEDTARU — into one sorted list of :class:`Decision`: the changes, plus a
``change_bp == 0`` row for each decision on record that held the range. That list is what the
rules engine reads; its newest row is how far the record reaches (:func:`data_end`) and each row
names its :attr:`Decision.source` (:func:`record_text`: ``bundled table to 2026-09-16``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import tui.data

DECISIONS_CSV = Path(tui.data.__file__).parent / "snapshot" / "fed_target_range.csv"
"""The bundled target-range history (every change)."""

FOMC_DECISIONS_CSV = Path(tui.data.__file__).parent / "snapshot" / "fomc_decisions.csv"
"""The bundled outcomes of scheduled FOMC meetings (hold / cut / hike)."""

BUNDLED = "bundled table"
""":attr:`Decision.source` of the bundled tables."""

FETCHED = "FRED"
"""Default :attr:`Decision.source` of a fetched history (:func:`from_target_ranges`)."""

ACTIONS = ("hold", "cut", "hike")
"""Values of the ``action`` column of ``fomc_decisions.csv``."""


@dataclass(frozen=True)
class Decision:
    """An FOMC decision on record: a change of the target range, or a hold (``change_bp == 0``)."""

    date: date
    """Day of the decision (announced 14:00 ET)."""
    lower: float
    """Lower bound of the range after the decision, percent."""
    upper: float
    """Upper bound of the range after the decision, percent."""
    change_bp: int
    """Change in basis points; negative = cut, 0 = held."""
    source: str = BUNDLED
    """Where the record comes from: ``bundled table``, ``FRED``."""

    @property
    def is_cut(self) -> bool:
        """True when the range was lowered."""
        return self.change_bp < 0

    @property
    def is_hike(self) -> bool:
        """True when the range was raised."""
        return self.change_bp > 0

    @property
    def is_hold(self) -> bool:
        """True when the decision left the range where it was."""
        return self.change_bp == 0


def _bp(value: float) -> int:
    """Percent -> whole basis points."""
    return round(value * 100.0)


def load_decisions(path: Path | None = None) -> list[Decision]:
    """Target-range changes from the CSV (default: the bundled one), sorted by date.

    Raises ValueError naming the file and line for a malformed row, OSError if unreadable.
    """
    path = path or DECISIONS_CSV
    decisions: list[Decision] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                decisions.append(
                    Decision(
                        date=date.fromisoformat(row["decision_date"].strip()),
                        lower=float(row["lower_pct"]),
                        upper=float(row["upper_pct"]),
                        change_bp=int(row["change_bp"]),
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"{path.name}:{reader.line_num}: bad row {row!r}: {exc}") from exc
    decisions.sort(key=lambda d: d.date)
    return decisions


def load_fomc_decisions(path: Path | None = None) -> list[Decision]:
    """Outcomes of scheduled meetings from the CSV (default: the bundled one), sorted by date.

    A hold has ``change_bp == 0``; a cut or hike carries its move, worked out from the range of
    the row before (0 for the first row, whose move the table does not give: pair it with
    :func:`load_decisions`, as :func:`policy_record` does). Raises ValueError naming the file and
    line for a malformed row (an action other than hold / cut / hike, a hold that moved the
    range, a cut that raised it), OSError if unreadable.
    """
    path = path or FOMC_DECISIONS_CSV
    rows: list[tuple[int, date, str, float, float]] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                action = row["action"].strip().lower()
                if action not in ACTIONS:
                    raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
                rows.append(
                    (
                        reader.line_num,
                        date.fromisoformat(row["decision_date"].strip()),
                        action,
                        float(row["lower_pct"]),
                        float(row["upper_pct"]),
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"{path.name}:{reader.line_num}: bad row {row!r}: {exc}") from exc
    rows.sort(key=lambda r: r[1])
    out: list[Decision] = []
    for i, (line, day, action, lower, upper) in enumerate(rows):
        change = _bp(upper - rows[i - 1][4]) if i else 0
        wrong = (
            (action == "hold" and change != 0)
            or (action == "cut" and change > 0)
            or (action == "hike" and change < 0)
        )
        if wrong:
            raise ValueError(
                f"{path.name}:{line}: {action} on {day.isoformat()} but the range moved "
                f"{change:+d} bp from the row before"
            )
        out.append(Decision(day, lower, upper, 0 if action == "hold" else change))
    return out


def from_target_ranges(
    ranges: Iterable[tuple[date, float, float]],
    *,
    effective: bool = True,
    source: str = FETCHED,
    meetings: Iterable[object] = (),
) -> list[Decision]:
    """Decisions from a fetched target-range history: ``(date, lower, upper)`` observations.

    With ``effective`` (FRED's DFEDTARL/DFEDTARU: the new range takes effect the day after the
    decision, 2020-03-16 for the Sunday 2020-03-15 cut), each change is dated the calendar day
    before its first observation; otherwise the dates are decision dates. Every scheduled
    meeting of ``meetings`` (:class:`tui.regime.fomc.Meeting`) that the observations cover
    without a change becomes a hold, so the record reaches the last observation.
    """
    points = sorted((d, float(lo), float(hi)) for d, lo, hi in ranges)
    shift = timedelta(days=1 if effective else 0)
    out: list[Decision] = []
    for (_, _, before), (day, lower, upper) in zip(points, points[1:], strict=False):
        change = _bp(upper - before)
        if change:
            out.append(Decision(day - shift, lower, upper, change, source))
    changed = {d.date for d in out}
    for meeting in meetings:
        day = getattr(meeting, "end", None)
        if not isinstance(day, date) or day in changed or not points:
            continue
        seen = day + shift  # the first observation that reflects the decision
        if not points[0][0] <= seen <= points[-1][0]:
            continue
        _, lower, upper = [p for p in points if p[0] <= seen][-1]
        out.append(Decision(day, lower, upper, 0, source))
    out.sort(key=lambda d: d.date)
    return out


def policy_record(
    changes: Sequence[Decision] | None = None,
    held: Sequence[Decision] | None = None,
    fetched: Sequence[Decision] | Iterable[tuple[date, float, float]] | None = None,
    *,
    meetings: Iterable[object] = (),
) -> list[Decision]:
    """Every decision on record, sorted by date: changes, and holds (``change_bp == 0``).

    ``changes`` (default: the bundled target-range table) and ``held`` (default: the bundled
    FOMC decisions) are merged by date; a change wins over a hold of the same day. ``fetched``
    — a list of :class:`Decision`, or FRED-style ``(effective date, lower, upper)``
    observations (converted with :func:`from_target_ranges`, ``meetings`` giving the holds) —
    overrides the bundled rows on the days it covers and extends the record past them.
    """
    changes = load_decisions() if changes is None else list(changes)
    held = load_fomc_decisions() if held is None else list(held)
    by_day: dict[date, Decision] = {}
    for d in held:
        by_day[d.date] = d
    for d in changes:
        by_day[d.date] = d
    if fetched is not None:
        items = list(fetched)
        if items and not isinstance(items[0], Decision):
            items = from_target_ranges(items, meetings=meetings)  # type: ignore[arg-type]
        fetched_rows = [d for d in items if isinstance(d, Decision)]
        if fetched_rows:
            start = min(d.date for d in fetched_rows)
            for day in [day for day in by_day if day >= start]:
                del by_day[day]
            for d in fetched_rows:
                by_day[d.date] = d
    return sorted(by_day.values(), key=lambda d: d.date)


def last_change(decisions: Sequence[Decision], on_or_before: date | None = None) -> Decision | None:
    """The latest decision that moved the range, on or before the given day (None = any)."""
    moves = [
        d
        for d in decisions
        if d.change_bp != 0 and (on_or_before is None or d.date <= on_or_before)
    ]
    return max(moves, key=lambda d: d.date, default=None)


def data_end(decisions: Sequence[Decision]) -> date | None:
    """Date of the newest decision on record: how far the policy data reaches."""
    return max((d.date for d in decisions), default=None)


def record_text(decisions: Sequence[Decision]) -> str:
    """Which record the rule read, and how far it reaches: ``bundled table to 2026-09-16``
    (``FRED to 2026-10-29``; ``no policy data`` when empty)."""
    if not decisions:
        return "no policy data"
    newest = max(decisions, key=lambda d: d.date)
    return f"{newest.source} to {newest.date.isoformat()}"
