"""Rule histories: confirmation and bands on hand-made series, every day equal to evaluate(as_of),
no lookahead, the Fed record (held vs not on record, the hike, fetched data), score and streak.

Expected values on hand-made series are worked out by hand in the comments; on the bundled
data the reference is evaluate(as_of=D) itself, one call per day (the slow way the history
replaces), and plain arithmetic.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tui.data
from tui.regime.engine import confirm, evaluate, histories, rule_series
from tui.regime.fed import (
    Decision,
    from_target_ranges,
    load_decisions,
    load_fomc_decisions,
    policy_record,
    record_text,
)
from tui.regime.fomc import load_meetings
from tui.regime.history import (
    ScoreHistory,
    flip_stats,
    last_time_this_high,
    score_history,
    streak,
)
from tui.regime.rules import Condition, Rule, SeriesSpec, load_rules

SNAPSHOT = Path(tui.data.__file__).parent / "snapshot"
MINUS = "\u2212"
P, F, U = 1, 0, -1


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
def rules() -> list[Rule]:
    loaded, problems = load_rules(None)
    assert problems == []
    return loaded


@pytest.fixture(scope="module")
def record() -> list[Decision]:
    return policy_record()


# --- confirmation on hand-made signals --------------------------------------------------------


def test_confirmation_needs_n_consecutive_days() -> None:
    signal = np.array([P, P, F, F, P, F, F, F, P], dtype=np.int8)
    state, pending = confirm(signal, 3)
    # two fails, then a pass: no flip; three fails: the state turns on the third (row 7)
    assert state.tolist() == [P, P, P, P, P, P, P, F, F]
    assert pending.tolist() == [0, 0, 1, 2, 0, 1, 2, 0, 1]


def test_unknown_days_are_unknown_and_skipped_by_the_count() -> None:
    signal = np.array([P, F, U, F, F], dtype=np.int8)
    state, pending = confirm(signal, 3)
    # the unknown day neither breaks the run of fails nor counts: the flip comes on row 4
    assert state.tolist() == [P, P, U, P, F]
    assert pending.tolist() == [0, 1, 0, 2, 0]


def test_first_known_day_is_taken_as_it_is() -> None:
    state, _ = confirm(np.array([U, U, F, P, P], dtype=np.int8), 2)
    assert state.tolist() == [U, U, F, F, P]
    state, pending = confirm(np.array([P, F, P, F], dtype=np.int8), 1)
    assert state.tolist() == [P, F, P, F] and pending.tolist() == [0, 0, 0, 0]
    state, pending = confirm(np.array([U, U], dtype=np.int8), 3)
    assert state.tolist() == [U, U] and pending.tolist() == [0, 0]


def test_confirmation_matches_a_day_by_day_loop() -> None:
    """The run-based vectorised form against the plain state machine, on random signals."""
    rng = random.Random(7)
    for _ in range(200):
        days = rng.randint(1, 6)
        signal = [rng.choice([P, P, F, F, U]) for _ in range(rng.randint(0, 60))]
        memory, run, expected = None, 0, []
        for x in signal:
            if x == U:
                expected.append(U)
                continue
            if memory is None:
                memory = x
            elif x != memory:
                run += 1
                if run >= days:
                    memory, run = x, 0
            else:
                run = 0
            expected.append(memory)
        state, _ = confirm(np.array(signal, dtype=np.int8), days)
        assert state.tolist() == expected, (signal, days)


# --- bands on hand-made series ----------------------------------------------------------------


def hand_rule(condition: Condition, confirm_days: int = 1) -> Rule:
    spec = SeriesSpec("level", ("X",))
    return Rule("hand", "Hand", "Risk", "why", spec, (condition,), Path("h.toml"), 1, confirm_days)


def frame(values: list[float]) -> pd.DataFrame:
    index = pd.bdate_range("2026-01-05", periods=len(values))
    return pd.DataFrame({"X": values}, index=index)


def codes(series: pd.Series) -> list[int]:
    return [{"pass": P, "fail": F, "unknown": U}[s] for s in series]


def test_level_band_holds_its_side_inside_the_band() -> None:
    spec = SeriesSpec("level", ("X",))
    rule = hand_rule(Condition("level_above", spec, threshold=0.0, band=1.0))
    history = rule_series(frame([2, 0.5, -0.5, -1.5, -0.5, 0.5, 1.5]), rule, [])
    # plain: above 0; banded: pass from > 1, fail from <= -1, else the side it was on
    assert codes(history["raw_status"]) == [P, P, F, F, F, P, P]
    assert codes(history["status"]) == [P, P, P, F, F, F, P]
    below = hand_rule(Condition("level_below", spec, threshold=20.0, band=1.0))
    history = rule_series(frame([18, 19.5, 20.5, 21, 20.5, 19.5, 18.9]), below, [])
    assert codes(history["raw_status"]) == [P, P, F, F, F, P, P]
    assert codes(history["status"]) == [P, P, P, F, F, F, P]


def test_a_first_day_inside_the_band_reads_plainly() -> None:
    spec = SeriesSpec("level", ("X",))
    rule = hand_rule(Condition("level_above", spec, threshold=0.0, band=1.0))
    assert codes(rule_series(frame([0.5, -0.5, 1.5]), rule, [])["status"]) == [P, P, P]
    assert codes(rule_series(frame([-0.5, 0.5]), rule, [])["status"]) == [F, F]


def test_average_band_is_a_fraction_of_the_average() -> None:
    spec = SeriesSpec("level", ("X",))
    rule = hand_rule(Condition("above_sma", spec, window=2, band=0.02))
    values = [10, 10, 10.5, 10.3, 10.0, 9.5, 9.8, 10.5]
    # 2-day averages: -, 10, 10.25, 10.4, 10.15, 9.75, 9.65, 10.15; pass from > 1.02 x, fail
    # from <= 0.98 x: row 1 inside -> plain 10 > 10 fails; row 2 10.5 > 10.455 passes; rows
    # 3-4 inside (10.3 vs 10.192..10.608; 10.0 vs 9.947..10.353) hold; row 5 9.5 <= 9.555
    # fails; row 6 9.8 < 9.843 holds; row 7 10.5 > 10.353 passes
    history = rule_series(frame(values), rule, [])
    assert codes(history["raw_status"]) == [U, F, P, F, F, F, P, P]
    assert codes(history["status"]) == [U, F, P, P, P, F, F, P]
    (result,) = evaluate(frame(values[:4]), [rule], decisions=[])
    assert (result.status, result.raw_status) == ("pass", "fail")
    assert result.pending == {"to": "fail", "days": 0, "of": 1, "inside_band": True}


def test_band_and_confirmation_together_with_the_pending_count() -> None:
    spec = SeriesSpec("level", ("X",))
    rule = hand_rule(Condition("level_above", spec, threshold=0.0, band=1.0), confirm_days=3)
    values = [2, -2, -2, 2, -2, -2, -2, 0.5]
    history = rule_series(frame(values), rule, [])
    assert codes(history["status"]) == [P, P, P, P, P, P, F, F]
    assert history["pending"].tolist() == [0, 1, 2, 0, 1, 2, 0, 0]
    (result,) = evaluate(frame(values[:3]), [rule], decisions=[])
    assert (result.status, result.raw_status, result.since) == ("pass", "fail", None)
    assert result.pending == {"to": "fail", "days": 2, "of": 3, "inside_band": False}
    (result,) = evaluate(frame(values), [rule], decisions=[])
    # 0.5 is inside the band: the state stays fail while the plain test passes
    assert (result.status, result.raw_status) == ("fail", "pass")
    assert result.since == "2026-01-13"  # the third fail of the run, row 6
    assert result.pending == {"to": "pass", "days": 0, "of": 3, "inside_band": True}


def test_flip_stats_and_delay_by_hand() -> None:
    spec = SeriesSpec("level", ("X",))
    rule = hand_rule(Condition("level_above", spec, threshold=0.0), confirm_days=2)
    values = [1, -1, 1, -1, -1, 1, 1, 1]  # raw P F P F F P P P
    (h,) = histories(frame(values), [rule], decisions=[])
    stats = flip_stats(h)
    # raw flips: rows 1, 2, 3, 5 -> 4; confirmed P P P P F F P P: flips at rows 4 and 6
    # delays: the fail run starts at row 3 -> 1 day; the pass run at row 5 -> 1 day
    assert (stats.flips_raw, stats.flips, stats.delays) == (4, 2, (1, 1))
    assert stats.years == pytest.approx(9 / 365.25)  # 2026-01-05 to 2026-01-14
    assert stats.flips_per_year == pytest.approx(2 / (9 / 365.25))


# --- every day equals evaluate(as_of=D) --------------------------------------------------------


def compare_days(
    closes: pd.DataFrame,
    rules: list[Rule],
    record: list[Decision],
    days: dict[str, set[str]],
    meetings: list,
) -> None:
    hists = {h.rule.id: h for h in histories(closes, rules, decisions=record, meetings=meetings)}
    labels = {1: "pass", 0: "fail", -1: "unknown"}
    for day in sorted(set().union(*days.values())):
        results = evaluate(closes, rules, decisions=record, as_of=day, meetings=meetings)
        for r in results:
            if day not in days[r.id]:
                continue
            h = hists[r.id]
            row = int(np.searchsorted(h.dates, np.datetime64(day), side="right")) - 1
            assert labels[int(h.state[row])] == r.status, (r.id, day)
            assert labels[int(h.raw[row])] == r.raw_status, (r.id, day)
            changes = np.flatnonzero(h.state[1 : row + 1] != h.state[:row])
            since = str(h.dates[changes[-1] + 1]) if len(changes) else None
            assert since == r.since, (r.id, day)
            if r.pending is not None and not r.pending["inside_band"]:
                assert r.pending["days"] == int(h.pending[row]), (r.id, day)


def test_history_equals_evaluate_on_every_sampled_day(
    closes: pd.DataFrame, rules: list[Rule], record: list[Decision]
) -> None:
    meetings = load_meetings()
    hists = histories(closes, rules, decisions=record, meetings=meetings)
    rng = random.Random(12)
    shared = {str(d) for d in rng.sample(list(hists[0].dates), 16)}
    shared |= {"2025-12-25", "2026-07-04", "2026-07-03"}  # holidays: the day before counts
    days: dict[str, set[str]] = {}
    for h in hists:
        known = np.flatnonzero(h.state >= 0)
        flips = np.flatnonzero(h.state[1:] != h.state[:-1]) + 1
        pending = np.flatnonzero(h.pending > 0)
        edges = {int(known[0]) - 1, int(known[0]), int(known[0]) + 1}  # the first valid day
        edges |= {int(flips[-1]) - 1, int(flips[-1])} if len(flips) else set()
        edges |= {int(pending[-1])} if len(pending) else set()
        picked = {str(h.dates[i]) for i in edges if 0 <= i < len(h.dates)}
        days[h.rule.id] = shared | picked
        assert len(days[h.rule.id]) >= 20
    compare_days(closes, rules, record, days, meetings)


def test_history_equals_evaluate_when_a_series_goes_stale(
    closes: pd.DataFrame, rules: list[Rule], record: list[Decision]
) -> None:
    """^VIX stops on 2026-06-30: sessions 07-01, 07-02, (Fri 07-03 is the Independence Day
    holiday), 07-06, 07-07, 07-08 -> still fresh on the 8th (5), unknown on the 9th (6)."""
    cut = closes.copy()
    cut.loc["2026-07-01":, "^VIX"] = np.nan
    volatility = [r for r in rules if r.id == "volatility"]
    (h,) = histories(cut, volatility, decisions=record)
    state = dict(zip((str(d) for d in h.dates), h.state.tolist(), strict=True))
    assert state["2026-07-08"] != -1 and state["2026-07-09"] == -1
    july = {str(d) for d in h.dates if str(d) >= "2026-06-24"}
    assert len(july) >= 20
    compare_days(cut, volatility, record, {"volatility": july}, [])
    (result,) = evaluate(cut, volatility, decisions=record)
    assert result.status == "unknown" and result.pending is None
    assert "^VIX last close 2026-06-30" in result.reason


def test_no_lookahead_future_rows_change_no_past_day(
    closes: pd.DataFrame, rules: list[Rule], record: list[Decision]
) -> None:
    before = histories(closes, rules, decisions=record, meetings=load_meetings())
    rng = np.random.default_rng(3)
    future = pd.bdate_range("2026-08-03", periods=60)
    shocks = np.exp(np.cumsum(rng.normal(0, 0.05, (60, closes.shape[1])), axis=0))
    extra = pd.DataFrame(closes.iloc[-1].to_numpy() * shocks, index=future, columns=closes.columns)
    after = histories(pd.concat([closes, extra]), rules, decisions=record, meetings=load_meetings())
    n = len(before[0].dates)
    for b, a in zip(before, after, strict=True):
        assert (a.dates[:n] == b.dates).all()
        for field in ("raw", "signal", "state", "pending"):
            assert (getattr(a, field)[:n] == getattr(b, field)).all(), (b.rule.id, field)
        assert np.array_equal(a.value[:n], b.value, equal_nan=True), b.rule.id


# --- the Fed record ---------------------------------------------------------------------------


def fed_rule(rules: list[Rule]) -> list[Rule]:
    return [r for r in rules if r.id == "fed_easing"]


def extended(closes: pd.DataFrame, until: str) -> pd.DataFrame:
    """The frame carried forward flat (every close repeated) on weekdays to ``until``."""
    days = pd.bdate_range("2026-08-03", until)
    flat = pd.DataFrame(
        [closes.iloc[-1].to_numpy()] * len(days), index=days, columns=closes.columns
    )
    return pd.concat([closes, flat])


def test_fed_rule_passes_on_2025_12_11_and_names_its_record(
    closes: pd.DataFrame, rules: list[Rule], record: list[Decision]
) -> None:
    (result,) = evaluate(
        closes, fed_rule(rules), decisions=record, as_of="2025-12-11", meetings=load_meetings()
    )
    assert result.status == "pass"
    assert result.value == -25.0
    assert result.value_text.startswith(
        f"last move {MINUS}25 bp on 2025-12-10 → 3.50–3.75% (bundled table to 2026-09-16); "
    )


def test_a_hike_fails_the_easing_rule_with_the_hike_as_evidence(
    closes: pd.DataFrame, rules: list[Rule], record: list[Decision]
) -> None:
    wide = extended(closes, "2026-09-30")
    meetings = load_meetings()
    (day_before,) = evaluate(
        wide, fed_rule(rules), decisions=record, as_of="2026-09-15", meetings=meetings
    )
    assert day_before.status == "pass"
    assert ", held 2026-07-29 (bundled table to 2026-09-16)" in day_before.value_text
    (hike,) = evaluate(
        wide, fed_rule(rules), decisions=record, as_of="2026-09-16", meetings=meetings
    )
    assert (hike.status, hike.since, hike.value) == ("fail", "2026-09-16", 25.0)
    assert hike.value_text.startswith("last move +25 bp on 2026-09-16 → 3.75–4.00%")


def test_after_the_last_decision_on_record_the_rule_is_unknown(
    closes: pd.DataFrame, rules: list[Rule], record: list[Decision]
) -> None:
    wide = extended(closes, "2026-11-30")
    meetings = load_meetings()
    (h,) = histories(wide, fed_rule(rules), decisions=record, meetings=meetings)
    state = dict(zip((str(d) for d in h.dates), h.state.tolist(), strict=True))
    assert state["2026-10-27"] == F  # after the hike, before the next scheduled meeting
    assert {state[d] for d in state if d >= "2026-10-28"} == {U}  # 10-28 is not on record
    (result,) = evaluate(wide, fed_rule(rules), decisions=record, meetings=meetings)
    assert result.status == "unknown"
    assert result.reason == (
        "1 scheduled FOMC decision after 2026-09-16 not on record (from 2026-10-28)"
    )


def test_held_is_not_the_same_as_not_on_record(closes: pd.DataFrame, rules: list[Rule]) -> None:
    """Changes only to 2025-12-10: the 2026 meetings are unknown, unless the decisions table
    says they held."""
    changes = [d for d in load_decisions() if d.date <= date(2025, 12, 10)]
    holds = [d for d in load_fomc_decisions() if d.date <= date(2026, 7, 29)]
    meetings = load_meetings()
    (blind,) = evaluate(closes, fed_rule(rules), decisions=changes, meetings=meetings)
    assert blind.status == "unknown"
    assert blind.reason.startswith("5 scheduled FOMC decisions after 2025-12-10 not on record")
    both = policy_record(changes, holds)
    assert [d.date for d in both if d.is_hold][-5:] == [
        date(2026, 1, 28),
        date(2026, 3, 18),
        date(2026, 4, 29),
        date(2026, 6, 17),
        date(2026, 7, 29),
    ]
    (held,) = evaluate(closes, fed_rule(rules), decisions=both, meetings=meetings)
    assert held.status == "pass" and held.reason == ""
    assert ", held 2026-07-29 (bundled table to 2026-07-29, 2 days before 2026-07-31);" in (
        held.value_text
    )


def test_before_the_first_row_the_rule_is_unknown(closes: pd.DataFrame, rules: list[Rule]) -> None:
    late = [d for d in load_decisions() if d.date >= date(2016, 12, 14)]
    (h,) = histories(closes, fed_rule(rules), decisions=late)
    state = dict(zip((str(d) for d in h.dates), h.state.tolist(), strict=True))
    assert {state[d] for d in state if d < "2016-12-14"} == {U}
    assert state["2016-12-14"] == F  # a hike


def test_the_bundled_decisions_table() -> None:
    held = load_fomc_decisions()
    assert len(held) == 22 and held[0].date == date(2024, 1, 31) and held[0].is_hold
    assert [(d.date, d.change_bp) for d in held if not d.is_hold] == [
        (date(2024, 9, 18), -50),
        (date(2024, 11, 7), -25),
        (date(2024, 12, 18), -25),
        (date(2025, 9, 17), -25),
        (date(2025, 10, 29), -25),
        (date(2025, 12, 10), -25),
        (date(2026, 9, 16), 25),
    ]
    record = policy_record()
    assert record_text(record) == "bundled table to 2026-09-16"
    assert record_text([]) == "no policy data"
    # 32 changes + the holds of 2024-2026 not already a change (22 - 7)
    assert len(record) == 32 + 15


def test_a_bad_decisions_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "fomc_decisions.csv"
    path.write_text(
        "decision_date,action,lower_pct,upper_pct\n"
        "2026-01-28,hold,3.50,3.75\n"
        "2026-03-18,hold,3.25,3.50\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"fomc_decisions.csv:3: hold on 2026-03-18"):
        load_fomc_decisions(path)
    path.write_text("decision_date,action,lower_pct,upper_pct\n2026-01-28,pause,3.5,3.75\n")
    with pytest.raises(ValueError, match="fomc_decisions.csv:2: bad row"):
        load_fomc_decisions(path)


def test_fetched_fred_ranges_extend_the_record(closes: pd.DataFrame, rules: list[Rule]) -> None:
    """FRED's DFEDTARU/DFEDTARL take effect the day after the decision."""
    fred = [
        (date(2026, 9, 1), 3.50, 3.75),
        (date(2026, 9, 17), 3.75, 4.00),  # the 09-16 hike, effective the 17th
        (date(2026, 10, 29), 3.75, 4.00),  # the 10-28 meeting held
        (date(2026, 11, 2), 3.75, 4.00),
    ]
    meetings = load_meetings()
    fetched = from_target_ranges(fred, meetings=meetings)
    assert fetched == [
        Decision(date(2026, 9, 16), 3.75, 4.00, 25, "FRED"),
        Decision(date(2026, 10, 28), 3.75, 4.00, 0, "FRED"),
    ]
    record = policy_record(fetched=fred, meetings=meetings)
    assert record_text(record) == "FRED to 2026-10-28"
    assert [d for d in record if d.date < date(2026, 9, 1)] == [
        d for d in policy_record() if d.date < date(2026, 9, 1)
    ]
    wide = extended(closes, "2026-11-30")
    (h,) = histories(wide, fed_rule(rules), decisions=record, meetings=meetings)
    state = dict(zip((str(d) for d in h.dates), h.state.tolist(), strict=True))
    assert state["2026-10-28"] == F
    assert state["2026-11-30"] == F  # the next meeting (12-09) is not reached yet


# --- score, streak, last time this high -------------------------------------------------------


def hand_score(passed: list[int], known: list[int]) -> ScoreHistory:
    dates = np.array(pd.bdate_range("2026-07-01", periods=len(passed)), dtype="datetime64[D]")
    return ScoreHistory(dates, np.array(passed), np.array(known))


def test_streak_by_hand() -> None:
    # shares: 7/10 6/10 5/10 6/10 7/11 6/10 8/10 6/10 -> today 6/10 = 0.6, ON
    score = hand_score([7, 6, 5, 6, 7, 6, 8, 6], [10, 10, 10, 10, 11, 10, 10, 10])
    run = streak(score)
    assert run is not None
    # from row 3 (2026-07-06) on every share >= 0.6; row 2 (0.5) breaks it
    assert (run.state, run.passed, run.known, run.days, run.since) == ("ON", 6, 10, 5, "2026-07-06")
    assert run.text == "ON 6/10 or better for 5 days, since 2026-07-06"
    assert (run.state_days, run.state_since) == (5, "2026-07-06")
    off = streak(hand_score([7, 3, 2, 3], [10, 10, 10, 10]))
    assert off is not None and off.text == "OFF 3/10 or worse for 3 days, since 2026-07-02"
    assert streak(hand_score([5, 0], [10, 0])) is None  # nothing known today


def test_last_time_this_high_and_the_pair_after_it() -> None:
    score = hand_score([8, 4, 4, 8, 7], [10, 10, 10, 10, 10])
    dates = pd.bdate_range("2026-07-01", periods=5)
    closes = pd.DataFrame(
        {"IWM": [100.0, 101.0, 99.0, 104.0, 103.0], "SPY": [100.0, 100.0, 100.0, 100.0, 103.0]},
        index=dates,
    )
    # today 7/10; the run of >= 0.7 is rows 3-4; before it, row 0 (8/10) is the last this high
    high = last_time_this_high(score, closes, horizon=3)
    assert high is not None and high.date == "2026-07-01"
    assert high.forward == pytest.approx(1.04 / 1.0 - 1)  # IWM/SPY row 3 / row 0
    assert high.text == (
        "last time the score was this high: 2026-07-01 — IWM/SPY over the next 3 trading days: "
        "+4.0 %"
    )
    late = last_time_this_high(score, closes, horizon=63)
    assert late is not None and late.forward is None
    assert late.text.endswith("over the next 3 months: not 3 months of data yet")
    assert last_time_this_high(hand_score([4, 8], [10, 10]), closes) is None


def test_score_counts_confirmed_states(
    closes: pd.DataFrame, rules: list[Rule], record: list[Decision]
) -> None:
    hists = histories(closes, rules, decisions=record, meetings=load_meetings())
    score = score_history(hists)
    block = np.vstack([h.state for h in hists])
    day = int(np.searchsorted(score.dates, np.datetime64("2026-07-31")))
    results = evaluate(closes, rules, decisions=record, meetings=load_meetings())
    assert (
        score.passed[day] == sum(r.status == "pass" for r in results) == (block[:, day] == 1).sum()
    )
    assert score.known[day] == sum(r.status != "unknown" for r in results)
    assert score.frame().index[-1] == pd.Timestamp("2026-07-31")
