"""Forward-return study of the regime rules and the rotation score: what a reading has meant.

Pure: closes, rules and the policy record in, a JSON-ready dict out (:func:`backtest`), and its
plain-text lines (:func:`backtest_lines`). In-sample and descriptive: the thresholds were chosen
with hindsight on the same data, so none of this is a forecast.

Definitions:

- **Pair.** A rule is judged on its own pair: a ``ratio`` rule on A/B (``small_caps``:
  IWM/SPY), a ``basket_ratio`` rule on its baskets' ratio (``cyclicals``: XLI+XLF+XLE /
  XLU+XLP+XLV, rebalanced daily as the rule reads it). Rules on a level, a spread or the Fed
  (``fed_easing``, ``curve``, ``volatility``, ``dollar``) have no pair of their own: they are
  judged on IWM/SPY, the rotation's core line, and say so (``pair_own: false``). The score is
  judged on IWM/SPY, EEM/SPY and VBR/SPY.
- **Forward return** over a horizon of ``h`` rows (1M = 21, 3M = 63, 6M = 126) from day ``t``:
  ``P[j + h] / P[j] − 1`` where ``P`` is the pair on its own rows (the days both legs have a
  close) and ``j`` is ``t``'s row. A day counts only if the pair has a row on it and ``h`` more
  rows follow by the end of the window (so the last ``h`` rows never count).
- **Buckets.** Per rule: the days its confirmed state passes vs fails (unknown days are in
  neither). Per score: the days the share of passing rules is ``>= k`` ("pass") vs ``< k``
  ("fail"), days with no known rule in neither.
- **Episodes** (independent observations): the bucket's days in date order, picked greedily —
  the first day, then the first day at least ``h`` pair rows after the last one picked, and so
  on; the count of picks is the number of non-overlapping forward windows.
- **ci90**: the 5th and 95th percentiles of the bucket's mean return over
  :data:`BOOTSTRAP_REPLICATES` circular block-bootstrap replicates (blocks of ``h`` consecutive
  bucket days, wrapped around the end, drawn with a fixed seed, so two runs print the same).
  None when the bucket has fewer days than one block.
- ``mean``, ``median``, ``worst`` (the lowest) are of the forward returns, as fractions;
  ``hit_rate`` is the share above 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tui.regime.engine import (
    ON_AT,
    SUMMARY_GROUPS,
    RuleHistory,
    _as_date,
    _Data,
    _Line,
    _make_line,
    histories,
)
from tui.regime.history import flip_stats, score_history
from tui.regime.rules import Rule, SeriesSpec

if TYPE_CHECKING:
    from tui.regime.fed import Decision
    from tui.regime.fomc import Meeting

__all__ = [
    "BOOTSTRAP_REPLICATES",
    "HORIZONS",
    "LABEL",
    "SCORE_PAIRS",
    "SEED",
    "backtest",
    "backtest_lines",
    "bucket_stats",
    "episodes",
    "rule_pair",
]

LABEL = "in-sample and descriptive: thresholds were chosen with hindsight"
"""Printed with every figure of the study."""

HORIZONS: dict[str, int] = {"1M": 21, "3M": 63, "6M": 126}
"""Horizon name -> trading rows."""

SCORE_PAIRS: tuple[tuple[str, str], ...] = (("IWM", "SPY"), ("EEM", "SPY"), ("VBR", "SPY"))
"""The lines the score is judged on."""

DEFAULT_PAIR = ("IWM", "SPY")
"""The pair of a rule that has none of its own."""

SEED = 20260731
"""Seed of the bootstrap (fixed: two runs print the same)."""

BOOTSTRAP_REPLICATES = 2000
"""Bootstrap replicates per bucket."""

MINUS = "\u2212"

EPISODES_TEXT = (
    "non-overlapping forward windows, picked greedily from the first day of the bucket: "
    "a day opens a new episode when it is at least one horizon of rows after the last one"
)
CI_TEXT = (
    "90 % interval of the mean: circular block bootstrap, block = horizon, "
    f"{BOOTSTRAP_REPLICATES} replicates, seed {SEED}"
)


def score_pairs(benchmark: str = "SPY") -> tuple[tuple[str, str], ...]:
    """:data:`SCORE_PAIRS` against ``benchmark`` (the session's; SPY where a pair would be a
    symbol against itself)."""
    return tuple((a, "SPY" if a == benchmark else benchmark) for a, _ in SCORE_PAIRS)


def rule_pair(rule: Rule, benchmark: str = "SPY") -> tuple[SeriesSpec, bool]:
    """The series a rule's forward returns are read on, and whether it is the rule's own
    (a rule without one is judged on IWM against ``benchmark``)."""
    if rule.series.kind in ("ratio", "basket_ratio"):
        return rule.series, True
    (a, b), *_ = score_pairs(benchmark)
    return SeriesSpec("ratio", (a,), (b,)), False


def episodes(rows: np.ndarray, horizon: int) -> int:
    """Non-overlapping windows among ascending pair rows, picked greedily (see the module)."""
    if len(rows) == 0:
        return 0
    count, at = 0, 0
    while at < len(rows):
        count += 1
        at = int(np.searchsorted(rows, rows[at] + horizon, side="left"))
    return count


def _bootstrap_means(x: np.ndarray, block: int, replicates: int, seed: int) -> np.ndarray:
    """Means of circular block-bootstrap replicates of ``x`` (blocks of ``block`` values)."""
    n = len(x)
    block = max(1, min(block, n))
    blocks = math.ceil(n / block)
    tail = n - (blocks - 1) * block  # length of the last, partial block
    extended = np.r_[x, x[: block - 1]]
    sums = np.r_[0.0, np.cumsum(extended)]
    starts = np.arange(n)
    full = sums[starts + block] - sums[starts]
    partial = sums[starts + tail] - sums[starts]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(replicates, blocks))
    total = full[picks[:, :-1]].sum(axis=1) + partial[picks[:, -1]]
    return total / n


def _round(value: float | None, places: int = 6) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), places)


def bucket_stats(
    returns: np.ndarray,
    rows: np.ndarray,
    horizon: int,
    *,
    seed: int = SEED,
    replicates: int = BOOTSTRAP_REPLICATES,
    benchmark: str = "SPY",
) -> dict[str, Any]:
    """``{"days", "episodes", "mean", "median", "hit_rate", "worst", "ci90"}`` of one bucket:
    its forward ``returns`` in date order and their pair ``rows`` (for the episodes)."""
    n = len(returns)
    if n == 0:
        return {
            "days": 0,
            "episodes": 0,
            "mean": None,
            "median": None,
            "hit_rate": None,
            "worst": None,
            "ci90": None,
        }
    ci = None
    if n >= horizon:
        means = _bootstrap_means(returns, horizon, replicates, seed)
        lo, hi = np.percentile(means, [5.0, 95.0])
        ci = [_round(lo), _round(hi)]
    return {
        "days": int(n),
        "episodes": episodes(rows, horizon),
        "mean": _round(float(returns.mean())),
        "median": _round(float(np.median(returns))),
        "hit_rate": _round(float((returns > 0).mean()), 4),
        "worst": _round(float(returns.min())),
        "ci90": ci,
    }


def _forward(line: _Line, n_timeline: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Per timeline row: the forward return (NaN where none) and the pair row (-1 where none)."""
    pair_row = np.full(n_timeline, -1, dtype=np.int64)
    pair_row[line.rows] = np.arange(len(line.rows))
    values = line.values
    forward = np.full(len(values), np.nan)
    if len(values) > horizon:
        forward[: len(values) - horizon] = values[horizon:] / values[:-horizon] - 1.0
    out = np.where(pair_row >= 0, forward[np.maximum(pair_row, 0)], np.nan)
    return out, pair_row


def _study(
    line: _Line | str,
    n_timeline: int,
    buckets: dict[str, np.ndarray],
    horizons: dict[str, int],
    seed: int,
    replicates: int,
) -> dict[str, dict[str, Any]]:
    """``{horizon: {bucket: stats}}`` for boolean day masks ``buckets`` on the timeline."""
    out: dict[str, dict[str, Any]] = {}
    for name, h in horizons.items():
        if isinstance(line, str):
            forward = np.full(n_timeline, np.nan)
            pair_row = np.full(n_timeline, -1, dtype=np.int64)
        else:
            forward, pair_row = _forward(line, n_timeline, h)
        has = np.isfinite(forward)
        out[name] = {
            bucket: bucket_stats(
                forward[mask & has], pair_row[mask & has], h, seed=seed, replicates=replicates
            )
            for bucket, mask in buckets.items()
        }
    return out


def _horizons(names: Sequence[str] | str | None) -> dict[str, int]:
    """The requested horizons by name (ValueError naming the choices otherwise)."""
    if names is None:
        return dict(HORIZONS)
    if isinstance(names, str):
        names = [names]
    out = {}
    for name in names:
        key = str(name).strip().upper()
        if key not in HORIZONS:
            raise ValueError(f"unknown horizon {name!r}; choose from {', '.join(HORIZONS)}")
        out[key] = HORIZONS[key]
    return out


_LABELS = np.array(["unknown", "fail", "pass"], dtype=object)


def _rule_series(h: RuleHistory, inside: np.ndarray) -> list[dict[str, Any]]:
    rows = np.flatnonzero(inside)
    raw = _LABELS[h.raw[rows].astype(np.int64) + 1]
    state = _LABELS[h.state[rows].astype(np.int64) + 1]
    return [
        {
            "date": str(h.dates[r]),
            "raw": str(raw[i]),
            "state": str(state[i]),
            "value": _round(float(h.value[r]), 10),
        }
        for i, r in enumerate(rows)
    ]


def backtest(
    closes: pd.DataFrame,
    rules: Sequence[Rule],
    *,
    decisions: Sequence[Decision],
    meetings: Sequence[Meeting] = (),
    horizons: Sequence[str] | str | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    k: float | None = None,
    series: bool = False,
    stale_days: int = 5,
    seed: int = SEED,
    replicates: int = BOOTSTRAP_REPLICATES,
    benchmark: str = "SPY",
) -> dict[str, Any]:
    """The study as JSON-ready data (the shape ``rotmon backtest --json`` prints).

    Only rows of ``closes`` dated on or before ``end`` are read (states, and forward windows
    too: a window must end by ``end``); days before ``start`` are read as history (the rules'
    warm-up) but not counted. ``k`` is the score threshold as a share of known rules passing
    (default: the engine's ON level). ``horizons``: names from :data:`HORIZONS` (default all).
    Raises ValueError for an unknown horizon or a ``k`` outside 0..1. ``benchmark`` is the
    second leg of the score's pairs and of the pair of a rule without its own (the session's
    benchmark: the rules' ``$benchmark`` is resolved to the same).
    """
    wanted = _horizons(horizons)
    k = ON_AT if k is None else float(k)
    if not 0.0 <= k <= 1.0:
        raise ValueError(f"k must be a share between 0 and 1, got {k:g}")
    as_of = _as_date(end)
    lo = _as_date(start)
    data = _Data(closes, as_of)
    hists = histories(
        closes, rules, decisions=decisions, as_of=as_of, stale_days=stale_days, meetings=meetings
    )
    n = len(data)
    inside = np.ones(n, dtype=bool)
    if lo is not None:
        inside &= data.dates >= np.datetime64(lo, "D")
    lines: dict[SeriesSpec, _Line | str] = {}

    def line_of(spec: SeriesSpec) -> _Line | str:
        if spec not in lines:
            lines[spec] = _make_line(data, spec)
        return lines[spec]

    rule_rows = []
    for h in hists:
        rule = h.rule
        spec, own = rule_pair(rule, benchmark)
        stats = flip_stats(h, lo, as_of)
        buckets = {"pass": inside & (h.state == 1), "fail": inside & (h.state == 0)}
        entry: dict[str, Any] = {
            "id": rule.id,
            "name": rule.name,
            "group": rule.group,
            "pair": spec.name,
            "pair_own": own,
            "confirm_days": rule.confirm_days,
            "band": [c.band for c in rule.conditions],
            "flips_per_year_raw": _round(stats.flips_per_year_raw, 2),
            "flips_per_year": _round(stats.flips_per_year, 2),
            "mean_confirm_delay_days": _round(stats.mean_delay_days, 2),
            "study": _study(line_of(spec), n, buckets, wanted, seed, replicates),
        }
        if not own:
            entry["pair_note"] = f"no pair of its own: judged on {spec.name}"
        if series:
            entry["series"] = _rule_series(h, inside)
        rule_rows.append(entry)

    score = score_history(hists, SUMMARY_GROUPS)
    pairs = score_pairs(benchmark)
    share = score.score
    known = score.known > 0
    score_buckets = {
        "pass": inside & known & (share >= k - 1e-12),
        "fail": inside & known & (share < k - 1e-12),
    }
    on = np.where(known, (share >= k - 1e-12).astype(np.int8), -1).astype(np.int8)
    score_flips = _score_flips(on, score.dates, inside)
    score_entry: dict[str, Any] = {
        "k": k,
        "buckets": {"pass": f"score >= {k:g}", "fail": f"score < {k:g}"},
        "groups": list(SUMMARY_GROUPS),
        "pairs": [f"{a}/{b}" for a, b in pairs],
        "flips_per_year": score_flips,
        "study": {
            f"{a}/{b}": _study(
                line_of(SeriesSpec("ratio", (a,), (b,))), n, score_buckets, wanted, seed, replicates
            )
            for a, b in pairs
        },
    }
    if series:
        rows = np.flatnonzero(inside)
        score_entry["series"] = [
            {
                "date": str(score.dates[r]),
                "score": _round(float(share[r])) if known[r] else None,
                "known": int(score.known[r]),
            }
            for r in rows
        ]
    counted = np.flatnonzero(inside)
    return {
        "label": LABEL,
        "from": str(data.dates[counted[0]]) if len(counted) else None,
        "to": str(data.dates[counted[-1]]) if len(counted) else None,
        "days": int(len(counted)),
        "horizons": wanted,
        "method": {"episodes": EPISODES_TEXT, "ci90": CI_TEXT, "seed": seed},
        "rules": rule_rows,
        "score": score_entry,
    }


def _score_flips(on: np.ndarray, dates: np.ndarray, inside: np.ndarray) -> float | None:
    """Crossings of ``k`` per year (known days only), in the counted window."""
    rows = np.flatnonzero(inside & (on >= 0))
    if len(rows) < 2:
        return None
    values = on[rows]
    count = int((values[1:] != values[:-1]).sum())
    years = float((dates[rows[-1]] - dates[rows[0]]).astype(int)) / 365.25
    return _round(count / years, 2) if years > 0 else None


# --- text ---------------------------------------------------------------------------------------


def _pct(value: float | None, places: int = 1) -> str:
    if value is None:
        return "n/a"
    text = f"{value * 100:+.{places}f}%"
    return text.replace("-", MINUS)


def _number(value: float | None, spec: str = ".1f") -> str:
    return "n/a" if value is None else format(value, spec)


def _bucket_line(label: str, stats: dict[str, Any]) -> str:
    if not stats["days"]:
        return f"{label:<6}no days"
    ci = stats["ci90"]
    interval = f"[{_pct(ci[0])}, {_pct(ci[1])}]" if ci else "n/a (fewer days than one block)"
    hit = stats["hit_rate"]
    return (
        f"{label:<6}days {stats['days']:>5}  episodes {stats['episodes']:>3}  "
        f"mean {_pct(stats['mean']):>7}  median {_pct(stats['median']):>7}  "
        f"hit {'n/a' if hit is None else f'{hit * 100:.0f}%':>4}  worst {_pct(stats['worst']):>7}  "
        f"90% CI {interval}"
    )


def backtest_lines(result: dict[str, Any]) -> list[str]:
    """The study as plain-text lines (no markup), for ``rotmon backtest``."""
    horizons = result["horizons"]
    names = ", ".join(f"{k} = {v} trading days" for k, v in horizons.items())
    lines = [
        f"Track record {result['from']} – {result['to']} ({result['days']} trading days)",
        f"{result['label'][0].upper()}{result['label'][1:]}.",
        f"Forward relative return of each rule's pair after the days it passed vs failed; {names}.",
        f"Episodes: {result['method']['episodes']}.",
        f"{result['method']['ci90'][0].upper()}{result['method']['ci90'][1:]}.",
        "",
    ]
    for entry in result["rules"]:
        bands = [b for b in entry["band"] if b]
        band = f", band {'/'.join(f'{b:g}' for b in entry['band'])}" if bands else ""
        pair = entry["pair"] if entry["pair_own"] else f"{entry['pair']} (no pair of its own)"
        lines.append(f"{entry['name']} ({entry['id']}) · {pair}")
        lines.append(
            f"  confirm {entry['confirm_days']} day{'s' if entry['confirm_days'] != 1 else ''}"
            f"{band} · flips/yr {_number(entry['flips_per_year_raw'])} raw → "
            f"{_number(entry['flips_per_year'])} confirmed · mean delay "
            f"{_number(entry['mean_confirm_delay_days'])} days"
        )
        for horizon, buckets in entry["study"].items():
            lines.append(f"  {horizon:<3} " + _bucket_line("pass", buckets["pass"]))
            lines.append("      " + _bucket_line("fail", buckets["fail"]))
        lines.append("")
    score = result["score"]
    lines.append(
        f"Rotation score (rules passing / rules known) >= {score['k']:g} vs below · "
        f"crossings/yr {_number(score['flips_per_year'])}"
    )
    for pair, by_horizon in score["study"].items():
        lines.append(f"  {pair}")
        for horizon, buckets in by_horizon.items():
            lines.append(f"  {horizon:<3} " + _bucket_line(">= k", buckets["pass"]))
            lines.append("      " + _bucket_line("< k", buckets["fail"]))
    return lines
