"""Pure analytics over adjusted closes: period returns, relative strength and the monitor table."""

from __future__ import annotations

from tui.analytics.relative import Trend, rs_line, rs_returns, rs_trend
from tui.analytics.returns import PERIODS, WINDOWS, from_high, period_returns, ytd_return
from tui.analytics.table import Row, build_table, row_to_dict

__all__ = [
    "PERIODS",
    "WINDOWS",
    "Row",
    "Trend",
    "build_table",
    "from_high",
    "period_returns",
    "row_to_dict",
    "rs_line",
    "rs_returns",
    "rs_trend",
    "ytd_return",
]
