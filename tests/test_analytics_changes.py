"""Yield changes in points (shown as basis points), worked out by hand and on the bundled ^TNX."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest

from tui.analytics.returns import period_changes
from tui.format import bp

SNAPSHOT = Path(__file__).parent.parent / "tui" / "data" / "snapshot" / "prices_daily.csv.gz"


def test_changes_by_hand() -> None:
    # 300 business days ending 2026-02-13; the yield rises 0.01 points a day from 4.00.
    dates = pd.bdate_range(end="2026-02-13", periods=300)
    s = pd.Series([4.0 + 0.01 * i for i in range(300)], index=dates)
    changes = period_changes(s)
    assert changes["1D"] == pytest.approx(0.01)
    assert changes["1M"] == pytest.approx(0.21)
    assert changes["1Y"] == pytest.approx(2.52)
    last_2025 = max(i for i, d in enumerate(dates) if d.year == 2025)
    assert changes["YTD"] == pytest.approx(0.01 * (299 - last_2025))
    assert changes["52wH"] == pytest.approx(0.0)  # rising: at its high
    short = period_changes(s.iloc[:100])
    assert short["1Y"] is None and short["52wH"] is None and short["3M"] is not None


def test_negative_yields_are_fine() -> None:
    s = pd.Series([0.05, -0.02, -0.105], index=pd.bdate_range("2020-03-24", periods=3))
    assert period_changes(s)["1D"] == pytest.approx(-0.085)
    assert bp(period_changes(s)["1D"]) == "−8bp"  # -8.5 bp rounds half to even


def test_tnx_changes_on_bundled_data() -> None:
    with gzip.open(SNAPSHOT, "rt") as handle:
        rows = [r for r in csv.DictReader(handle) if r["symbol"] == "^TNX"]
    closes = [float(r["adj_close"]) for r in rows]
    s = pd.Series(closes, index=pd.to_datetime([r["date"] for r in rows]))
    changes = period_changes(s)
    assert changes["1D"] == pytest.approx(closes[-1] - closes[-2])
    assert changes["3M"] == pytest.approx(closes[-1] - closes[-64])
    assert changes["52wH"] == pytest.approx(closes[-1] - max(closes[-252:]))
    last_prev_year = [c for r, c in zip(rows, closes, strict=True) if r["date"] < "2026-01-01"][-1]
    assert changes["YTD"] == pytest.approx(closes[-1] - last_prev_year)


def test_bp_format() -> None:
    assert bp(0.123) == "+12bp"
    assert bp(-0.5) == "−50bp"
    assert bp(0.0001) == "0bp"
    assert bp(None) == "n/a"
