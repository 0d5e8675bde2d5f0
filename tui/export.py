"""Exports: the table as CSV (figures as plain fractions, as in `report --json`).

Files are written atomically and exclusively (:mod:`tui.fileio`: a finished temp file linked to
a name nobody holds, so a symlink planted at a predictable name is never followed), each under a
fresh name, and only where the user asked or in their own documents folder.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tui import fileio
from tui.fileio import unique_path

_ATTEMPTS = 100

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
    """`<folder>/rotmon-YYYYmmdd-HHMMSS<suffix>` (the first choice of :func:`write_exports`)."""
    moment = now or datetime.now()
    return folder / f"rotmon-{moment:%Y%m%d-%H%M%S}{suffix}"


def write_exports(
    folder: Path, texts: Mapping[str, str], now: datetime | None = None
) -> list[Path]:
    """Write each ``{suffix: text}`` as a new file `rotmon-YYYYmmdd-HHMMSS[-N]<suffix>` in
    ``folder`` (created 0o700); returns the paths in the order given.

    All files share one name, the first free one for every suffix; each is created
    exclusively, so nothing already there — a file, a symlink planted at a predictable name —
    is overwritten or written through. A name taken between the choice and the write moves on
    to the next number. ``OSError`` (disk full, no permission) propagates; files already
    written in this call stay.
    """
    stem = stamped(folder, "", now).name
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    written: list[Path] = []
    pending = list(texts.items())
    base = unique_path(folder, stem, tuple(texts))
    for _ in range(_ATTEMPTS):
        suffix, text = pending[0]
        try:
            written.append(fileio.write_atomic(f"{base}{suffix}", text, exclusive=True))
        except FileExistsError:
            base = unique_path(folder, stem, tuple(s for s, _ in pending))
            continue
        pending.pop(0)
        if not pending:
            return written
    raise FileExistsError(f"no free export name in {folder} after {_ATTEMPTS} tries")


def write_export(folder: Path, suffix: str, text: str, now: datetime | None = None) -> Path:
    """One export file, as :func:`write_exports` (e.g. ``write_export(dir, ".svg", svg)``)."""
    return write_exports(folder, {suffix: text}, now)[0]


def write_atomic(path: Path, text: str) -> Path:
    """Write a new export file at exactly ``path``: ``FileExistsError`` if anything is there
    (prefer :func:`write_exports`, which picks a free name)."""
    return fileio.write_atomic(path, text, exclusive=True)
