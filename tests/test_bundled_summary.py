"""The precomputed first-start summary is exactly what the app would compute on the snapshot."""

from __future__ import annotations

import json
import math
from typing import Any

from tui import bundled_summary


def same(a: Any, b: Any) -> bool:
    """Equal, with floats compared to 1e-12 (another numpy may round the last bit apart)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_shipped_summary_is_current() -> None:
    shipped = bundled_summary.load()
    assert shipped is not None, "run: python -m tui.bundled_summary"
    fresh = json.loads(json.dumps(bundled_summary.compute()))  # the same JSON round trip
    assert shipped.keys() == fresh.keys()
    for key in fresh:
        assert same(shipped[key], fresh[key]), f"{key} is stale: run python -m tui.bundled_summary"


def test_first_start_summary_leaves_time_dependent_parts_to_the_worker() -> None:
    shipped = bundled_summary.load()
    assert shipped["catalysts"] == [] and shipped["next_fomc"] is None
    assert shipped["as_of"] == "2026-07-31" and len(shipped["rows"]) == 43
