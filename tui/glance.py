"""At a glance: what changed (the digest) and your book against the rotation (positions).

Pure over what :class:`GlanceInputs` carries (the cache's closes and the session's rules,
decisions, events and paths), so that the dashboard's screens, `rotmon report --since` and
`report --json` compute the same thing from the same data: two viewers of one shared cache see
the same digest for the same dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from tui.regime.catalysts import Catalyst
    from tui.regime.fed import Decision
    from tui.regime.rules import Rule


@dataclass(frozen=True)
class GlanceInputs:
    """Everything the digest and the book read (built by the session's `glance_inputs`)."""

    closes: pd.DataFrame
    """Wide adjusted closes of the watched symbols, the rules' and the sector ETFs."""
    symbols: Sequence[str]
    """The table's symbols, in the config's order."""
    benchmark: str
    rules: Sequence[Rule]
    decisions: Sequence[Decision]
    events: Sequence[Catalyst]
    catalysts: Sequence[dict[str, Any]]
    """The report's catalysts (JSON-ready, as the dashboard shows them)."""
    now: datetime
    last_session: str | None
    """The data date the user's previous session ended on (None: no previous session)."""
    positions_path: Path | None
    """The positions file to read (None: none configured)."""
    extra: dict[str, Any] | None = None
