"""The dashboard summary of the bundled snapshot, shipped precomputed so that the very first
start — empty cache, no pandas yet — paints real figures in its first frame.

Regenerate after changing the snapshot, the analytics or the shipped rules:

    python -m tui.bundled_summary

tests/test_bundled_summary.py recomputes it and fails if the shipped file is stale.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

PATH = Path(__file__).parent / "data" / "snapshot" / "summary.json"
TIME_DEPENDENT = ("catalysts", "next_fomc", "earnings_unknown")
"""Left empty in the file: they depend on the clock and the user's files; the app's worker
fills them a moment later."""


def compute() -> dict[str, Any]:
    """The default universe's summary, computed from the bundled snapshot in a temp cache."""
    from tui.config import Config
    from tui.data.cache import Cache
    from tui.report import build_report, rule_symbols, seed_bundled, summary_key

    config = Config()
    symbols = config.table_symbols()
    with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "rotmon.sqlite") as cache:
        seed_bundled(cache, [*config.symbols(), *rule_symbols()])
        report = build_report(cache, symbols, config.benchmark)
    summary = report.to_summary(summary_key(config.symbols(), config.benchmark))
    for field in TIME_DEPENDENT:
        summary[field] = None if field == "next_fomc" else []
    return summary


def load() -> dict[str, Any] | None:
    """The shipped summary, or None if it is missing or unreadable."""
    try:
        value = json.loads(PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def main() -> int:
    PATH.write_text(json.dumps(compute(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
