"""Exports: the table as CSV (figures as plain fractions, as in `report --json`).

Files are written atomically (a temp file in the same folder, then renamed) and only where the
user asked or in their own documents folder.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

PERIODS = ("1D", "1W", "1M", "3M", "6M", "YTD", "1Y")
COLUMNS = (
    "symbol",
    "last_date",
    "close",
    *(f"ret_{p}" for p in PERIODS),
    *(f"rs_{p}" for p in PERIODS),
    "rs_trend",
    "rs_vs_sma50",
    "from_high",
    "quadrant",
)


def table_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as CSV text: one line per symbol, blank where a figure is n/a."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        ret, rs, trend = row.get("ret") or {}, row.get("rs") or {}, row.get("rs_trend") or {}
        values = [
            row["symbol"],
            row.get("last_date"),
            row.get("close"),
            *(ret.get(p) for p in PERIODS),
            *(rs.get(p) for p in PERIODS),
            trend.get("state"),
            trend.get("vs_sma"),
            row.get("from_high"),
            row.get("quadrant"),
        ]
        writer.writerow("" if v is None else v for v in values)
    return out.getvalue()


def stamped(folder: Path, suffix: str, now: datetime | None = None) -> Path:
    """`<folder>/rotmon-YYYYmmdd-HHMMSS<suffix>`."""
    moment = now or datetime.now()
    return folder / f"rotmon-{moment:%Y%m%d-%H%M%S}{suffix}"


def write_atomic(path: Path, text: str) -> Path:
    """Write `text` to `path` via a temp file in the same folder; creates the folder (0o700)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
