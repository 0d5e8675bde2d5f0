"""Independent reference figures for the analytics tests: csv, gzip and plain lists, no pandas.

Every formula here is written out again from the definitions, on purpose without sharing code
with ``tui.analytics``, so a test comparing the two checks the numbers rather than the plumbing.
"""

from __future__ import annotations

import csv
import functools
import gzip
from pathlib import Path

SNAPSHOT_PRICES = (
    Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot" / "prices_daily.csv.gz"
)

Series = list[tuple[str, float]]
"""(ISO date, adjusted close) pairs in date order."""


def load_adj_closes(path: Path = SNAPSHOT_PRICES) -> dict[str, Series]:
    """Symbol -> [(date, adj_close), ...] sorted by date, blank closes skipped."""
    out: dict[str, Series] = {}
    with gzip.open(path, "rt", newline="") as fh:
        for rec in csv.DictReader(fh):
            text = rec["adj_close"].strip()
            if not text:
                continue
            out.setdefault(rec["symbol"], []).append((rec["date"], float(text)))
    for rows in out.values():
        rows.sort()
    return out


@functools.cache
def snapshot() -> dict[str, Series]:
    """The bundled snapshot, parsed once per test session (treat it as read-only)."""
    return load_adj_closes()


def upto(series: Series, as_of: str | None) -> Series:
    """The rows dated on or before ``as_of`` (ISO strings compare like dates)."""
    if as_of is None:
        return list(series)
    return [(d, c) for d, c in series if d <= as_of]


def ret_n(series: Series, n: int) -> float | None:
    """c[t] / c[t-n] - 1 counted in rows; None without n+1 rows."""
    if len(series) < n + 1:
        return None
    return series[-1][1] / series[-1 - n][1] - 1


def ytd(series: Series) -> float | None:
    """Last close over the last close dated in the previous calendar year, minus one."""
    if not series:
        return None
    prev_year = str(int(series[-1][0][:4]) - 1)
    base = [c for d, c in series if d[:4] == prev_year]
    if not base:
        return None
    return series[-1][1] / base[-1] - 1


def from_high(series: Series, window: int = 252) -> float | None:
    """Last close over the highest of the last ``window`` closes, minus one."""
    if len(series) < window:
        return None
    return series[-1][1] / max(c for _, c in series[-window:]) - 1


def common(sym: Series, bench: Series) -> tuple[Series, Series]:
    """Both series restricted to the dates they share."""
    bench_dates = {d for d, _ in bench}
    sym_dates = {d for d, _ in sym}
    return (
        [(d, c) for d, c in sym if d in bench_dates],
        [(d, c) for d, c in bench if d in sym_dates],
    )


def rs_window(sym: Series, bench: Series, n: int) -> float | None:
    """(1 + r_sym) / (1 + r_bench) - 1 over n rows of the shared dates."""
    s, b = common(sym, bench)
    rs, rb = ret_n(s, n), ret_n(b, n)
    if rs is None or rb is None:
        return None
    return (1 + rs) / (1 + rb) - 1


def rs_ytd(sym: Series, bench: Series) -> float | None:
    """YTD of the ratio line sym / bench on the shared dates."""
    s, b = common(sym, bench)
    return ytd([(d, cs / cb) for (d, cs), (_, cb) in zip(s, b, strict=True)])


def rs_trend(sym: Series, bench: Series, window: int = 50, slope_days: int = 10) -> dict:
    """state, ratio, sma, vs_sma, slope of the ratio line against its simple moving average."""
    s, b = common(sym, bench)
    line = [cs / cb for (_, cs), (_, cb) in zip(s, b, strict=True)]
    if len(line) < window + slope_days:
        return {"state": "n/a", "ratio": None, "sma": None, "vs_sma": None, "slope": None}
    sma = sum(line[-window:]) / window
    sma_then = sum(line[-window - slope_days : -slope_days]) / window
    ratio = line[-1]
    slope = sma / sma_then - 1
    if ratio > sma and slope > 0:
        state = "up"
    elif ratio < sma and slope < 0:
        state = "down"
    else:
        state = "mixed"
    return {"state": state, "ratio": ratio, "sma": sma, "vs_sma": ratio / sma - 1, "slope": slope}


def wide_frame(data: dict[str, Series]):  # -> pd.DataFrame (pandas only builds the input)
    """The input of the code under test: a wide frame of the same floats, NaN where no row."""
    import pandas as pd

    columns = {
        sym: pd.Series(
            [c for _, c in rows], index=pd.DatetimeIndex([d for d, _ in rows]), dtype=float
        )
        for sym, rows in data.items()
    }
    frame = pd.DataFrame(columns).sort_index()
    frame.index.name = "date"
    return frame
