"""The forward-return study against a computation written here from the bundled CSV.

Prices come from the csv module (not pandas), forward returns, episodes, means, medians, hit
rates and the worst case are computed with plain Python loops; only the day's confirmed state
is read from the engine (rule_series, itself checked against plain arithmetic in
test_regime_engine.py and against evaluate() in test_regime_history.py).
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tui.data
from tui.regime.engine import rule_series
from tui.regime.fed import Decision, policy_record
from tui.regime.fomc import load_meetings
from tui.regime.rules import Rule, load_rules
from tui.regime.study import (
    HORIZONS,
    LABEL,
    backtest,
    backtest_lines,
    bucket_stats,
    episodes,
    rule_pair,
)

SNAPSHOT = Path(tui.data.__file__).parent / "snapshot"
Raw = dict[str, dict[str, float]]
STATS = ["days", "episodes", "mean", "median", "hit_rate", "worst", "ci90"]


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    # The universe and the factor ETFs (the value/growth and high-beta rules read those), and
    # the mega caps from the holdings' file (the concentration rule reads those).
    frame = pd.concat(
        pd.read_csv(SNAPSHOT / name, parse_dates=["date"])
        for name in ("prices_daily.csv.gz", "factors_daily.csv.gz")
    )
    held = pd.read_csv(SNAPSHOT / "holdings_prices_daily.csv.gz", parse_dates=["date"])
    mega = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA"]
    frame = pd.concat([frame, held[held["symbol"].isin(mega)]])
    return frame.pivot(index="date", columns="symbol", values="adj_close").astype(float)


@pytest.fixture(scope="module")
def raw() -> Raw:
    out: Raw = {}
    with gzip.open(SNAPSHOT / "prices_daily.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["adj_close"]:
                out.setdefault(row["symbol"], {})[row["date"]] = float(row["adj_close"])
    return out


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return load_rules(None)[0]


@pytest.fixture(scope="module")
def record() -> list[Decision]:
    return policy_record()


@pytest.fixture(scope="module")
def result(closes: pd.DataFrame, rules: list[Rule], record: list[Decision]) -> dict:
    return backtest(closes, rules, decisions=record, meetings=load_meetings())


@pytest.fixture(scope="module")
def states(closes: pd.DataFrame, rules: list[Rule], record: list[Decision]) -> dict:
    """rule id -> ISO date -> confirmed status, from the engine."""
    out = {}
    for rule in rules:
        frame = rule_series(closes, rule, record, meetings=load_meetings())
        out[rule.id] = dict(
            zip((d.date().isoformat() for d in frame.index), frame["status"], strict=True)
        )
    return out


def by_hand(samples: list[tuple[int, float]], horizon: int) -> dict:
    """days, episodes, mean, median, hit rate and worst of (pair row, forward return) pairs."""
    values = [r for _, r in samples]
    count, last = 0, None
    for row, _ in samples:
        if last is None or row >= last + horizon:
            count, last = count + 1, row
    ordered = sorted(values)
    n = len(values)
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return {
        "days": n,
        "episodes": count,
        "mean": sum(values) / n,
        "median": middle,
        "hit_rate": sum(1 for v in values if v > 0) / n,
        "worst": min(values),
    }


def pair_buckets(
    raw: Raw, a: str, b: str, bucket_of: dict[str, str], horizon: int
) -> dict[str, list[tuple[int, float]]]:
    """Forward returns of a/b over ``horizon`` rows of its common dates, by the day's bucket."""
    days = sorted(set(raw[a]) & set(raw[b]))
    line = [raw[a][d] / raw[b][d] for d in days]
    out: dict[str, list[tuple[int, float]]] = {"pass": [], "fail": []}
    for j in range(len(days) - horizon):
        bucket = bucket_of.get(days[j])
        if bucket in out:
            out[bucket].append((j, line[j + horizon] / line[j] - 1))
    return out


def check(found: dict, expected: dict) -> None:
    assert found["days"] == expected["days"]
    assert found["episodes"] == expected["episodes"]
    for key in ("mean", "median", "worst"):
        assert found[key] == pytest.approx(expected[key], abs=1e-6), key
    assert found["hit_rate"] == pytest.approx(expected["hit_rate"], abs=1e-4)


@pytest.mark.parametrize(
    ("rule_id", "a", "b"), [("small_caps", "IWM", "SPY"), ("credit", "HYG", "IEF")]
)
@pytest.mark.parametrize("horizon", ["1M", "3M"])
def test_rule_study_equals_a_computation_by_hand(
    result: dict, raw: Raw, states: dict, rule_id: str, a: str, b: str, horizon: str
) -> None:
    h = HORIZONS[horizon]
    (entry,) = [e for e in result["rules"] if e["id"] == rule_id]
    assert (entry["pair"], entry["pair_own"]) == (f"{a}/{b}", True)
    buckets = pair_buckets(raw, a, b, states[rule_id], h)
    for side in ("pass", "fail"):
        assert len(buckets[side]) > 100
        check(entry["study"][horizon][side], by_hand(buckets[side], h))


def test_score_study_equals_a_computation_by_hand(result: dict, raw: Raw, states: dict) -> None:
    bucket_of = {}
    for day in states["small_caps"]:
        codes = [states[rule_id][day] for rule_id in states]
        known = sum(c != "unknown" for c in codes)
        if known:
            passed = sum(c == "pass" for c in codes)
            bucket_of[day] = "pass" if passed / known >= 0.6 else "fail"
    score = result["score"]
    assert score["k"] == 0.6 and score["pairs"] == ["IWM/SPY", "EEM/SPY", "VBR/SPY"]
    for pair in ("IWM/SPY", "VBR/SPY"):
        a, b = pair.split("/")
        buckets = pair_buckets(raw, a, b, bucket_of, 63)
        for side in ("pass", "fail"):
            check(score["study"][pair]["3M"][side], by_hand(buckets[side], 63))


def test_rules_without_a_pair_say_so(result: dict, rules: list[Rule]) -> None:
    own = {e["id"]: e["pair_own"] for e in result["rules"]}
    assert [r for r, o in own.items() if not o] == [
        "fed_easing",
        "curve",
        "concentration",
        "volatility",
        "dollar",
    ]
    for entry in result["rules"]:
        if not entry["pair_own"]:
            assert entry["pair"] == "IWM/SPY"
            assert entry["pair_note"] == "no pair of its own: judged on IWM/SPY"
    cyclicals = next(r for r in rules if r.id == "cyclicals")
    assert rule_pair(cyclicals) == (cyclicals.series, True)


def test_the_json_shape(result: dict) -> None:
    assert (
        result["label"]
        == LABEL
        == ("in-sample and descriptive: thresholds were chosen with hindsight")
    )
    assert (result["from"], result["to"]) == ("2016-01-04", "2026-07-31")
    assert result["horizons"] == {"1M": 21, "3M": 63, "6M": 126}
    for entry in result["rules"]:
        for key in (
            "id",
            "confirm_days",
            "band",
            "flips_per_year_raw",
            "flips_per_year",
            "mean_confirm_delay_days",
            "study",
        ):
            assert key in entry
        assert list(entry["study"]) == ["1M", "3M", "6M"]
        for buckets in entry["study"].values():
            assert list(buckets) == ["pass", "fail"]
            for stats in buckets.values():
                assert list(stats) == STATS
                if stats["ci90"] is None:
                    # too few days for the bootstrap: only the concentration rule, known from
                    # 2026-02-20 (63 rows after its weights' date, 2025-11-18)
                    assert entry["id"] == "concentration" and stats["days"] < 63, entry
                    continue
                lo, hi = stats["ci90"]
                assert lo <= stats["mean"] <= hi
    assert list(result["score"]["study"]["EEM/SPY"]) == ["1M", "3M", "6M"]
    json.dumps(result, allow_nan=False)  # plain JSON: no NaN


def test_flips_fall_by_more_than_half(result: dict) -> None:
    entries = result["rules"]
    raw = sum(e["flips_per_year_raw"] for e in entries)
    confirmed = sum(e["flips_per_year"] for e in entries)
    assert confirmed <= raw / 2
    small = next(e for e in entries if e["id"] == "small_caps")
    assert small["confirm_days"] == 4 and small["mean_confirm_delay_days"] == 3.0


def test_series_per_day(closes: pd.DataFrame, rules: list[Rule], record: list[Decision]) -> None:
    found = backtest(
        closes, rules[:3], decisions=record, horizons="3M", start="2026-07-01", series=True
    )
    curve = found["rules"][1]
    assert curve["id"] == "curve" and list(curve["study"]) == ["3M"]
    assert curve["series"][0]["date"] == "2026-07-01"
    assert set(curve["series"][0]) == {"date", "raw", "state", "value"}
    frame = rule_series(closes, rules[1], record)
    last = curve["series"][-1]
    assert (last["date"], last["state"], last["raw"]) == (
        "2026-07-31",
        frame["status"].iloc[-1],
        frame["raw_status"].iloc[-1],
    )
    assert last["value"] == pytest.approx(frame["value"].iloc[-1])
    assert set(found["score"]["series"][-1]) == {"date", "score", "known"}
    assert found["score"]["series"][-1]["known"] == 3


def test_nothing_after_the_end_is_read(
    closes: pd.DataFrame, rules: list[Rule], record: list[Decision]
) -> None:
    end = "2025-06-30"
    base = backtest(closes, rules, decisions=record, end=end, horizons=["3M"])
    noisy = closes.copy()
    noisy.loc["2025-07-01":] *= np.random.default_rng(1).uniform(
        0.5, 2.0, noisy.loc["2025-07-01":].shape
    )
    assert backtest(noisy, rules, decisions=record, end=end, horizons=["3M"]) == base
    assert base["to"] == "2025-06-30"


def test_bad_arguments(closes: pd.DataFrame, rules: list[Rule], record: list[Decision]) -> None:
    with pytest.raises(ValueError, match="unknown horizon '2Y'; choose from 1M, 3M, 6M"):
        backtest(closes, rules, decisions=record, horizons=["2Y"])
    with pytest.raises(ValueError, match="k must be a share between 0 and 1"):
        backtest(closes, rules, decisions=record, k=6)


# --- episodes and the bootstrap ---------------------------------------------------------------


def test_episodes_are_non_overlapping_windows() -> None:
    rows = np.array([0, 1, 2, 5, 6, 9, 10, 30])
    # horizon 5: picks 0, 5, 10 (>= 5 after 5), 30 -> 4
    assert episodes(rows, 5) == 4
    assert episodes(rows, 1) == len(rows)
    assert episodes(np.array([], dtype=np.int64), 21) == 0


def test_bootstrap_is_reproducible_and_seeded() -> None:
    rng = np.random.default_rng(0)
    returns = rng.normal(0.01, 0.05, 500)
    rows = np.arange(500)
    first = bucket_stats(returns, rows, 21)
    assert bucket_stats(returns, rows, 21) == first
    assert bucket_stats(returns, rows, 21, seed=1)["ci90"] != first["ci90"]
    lo, hi = first["ci90"]
    assert lo < returns.mean() < hi


def test_bootstrap_by_hand() -> None:
    # constant returns: every replicate has the same mean
    assert bucket_stats(np.full(30, 0.02), np.arange(30), 5)["ci90"] == [0.02, 0.02]
    # one block as long as the data: each replicate is the series rotated, so its mean
    values = np.array([0.1, -0.2, 0.3, 0.05])
    stats = bucket_stats(values, np.arange(4), 4)
    assert stats["ci90"] == [pytest.approx(0.0625), pytest.approx(0.0625)]
    assert stats["median"] == pytest.approx(0.075) and stats["hit_rate"] == 0.75
    # fewer days than one block: no interval
    assert bucket_stats(values, np.arange(4), 21)["ci90"] is None
    empty = bucket_stats(np.array([]), np.array([], dtype=np.int64), 21)
    assert empty == dict.fromkeys(STATS) | {"days": 0, "episodes": 0}


def test_text_lines(result: dict) -> None:
    lines = backtest_lines(result)
    assert all(isinstance(line, str) for line in lines)
    assert lines[0] == "Track record 2016-01-04 – 2026-07-31 (2691 trading days)"
    assert lines[1] == "In-sample and descriptive: thresholds were chosen with hindsight."
    small = lines.index("Small caps leading (small_caps) · IWM/SPY")
    assert lines[small + 1].startswith("  confirm 4 days · flips/yr 12.0 raw → 4.9 confirmed")
    assert "Yield curve positive (curve) · IWM/SPY (no pair of its own)" in lines
    assert lines[small + 2].startswith("  1M  pass  days ")
