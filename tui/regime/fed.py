"""Federal funds target-range changes, from the bundled ``fed_target_range.csv``.

One row per change (``decision_date,lower_pct,upper_pct,change_bp``; negative change = cut). The
range is unchanged between rows. The bundled history covers 2022-03-16 to 2025-12-10; anything
later must come from elsewhere, so callers should show :func:`data_end`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import tui.data

DECISIONS_CSV = Path(tui.data.__file__).parent / "snapshot" / "fed_target_range.csv"
"""The bundled target-range history."""


@dataclass(frozen=True)
class Decision:
    """An FOMC decision that changed the target range."""

    date: date
    """Day of the decision (announced 14:00 ET)."""
    lower: float
    """Lower bound of the new range, percent."""
    upper: float
    """Upper bound of the new range, percent."""
    change_bp: int
    """Change in basis points; negative = cut."""

    @property
    def is_cut(self) -> bool:
        """True when the range was lowered."""
        return self.change_bp < 0

    @property
    def is_hike(self) -> bool:
        """True when the range was raised."""
        return self.change_bp > 0


def load_decisions(path: Path | None = None) -> list[Decision]:
    """Decisions from the CSV (default: the bundled one), sorted by date.

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
