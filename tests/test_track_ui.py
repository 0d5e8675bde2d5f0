"""The track record in the app: the history screen (h), the k keys, a rule's evidence with its
track record, and the pending flip in the regime pane — the real app on the bundled data.

Figures on screen are checked against build_track_record / backtest called here, and the ones a
trader reads first (the streak, the last-high return, the k study's days and mean, the pending
flip) against arithmetic on the bundled CSV written out in this file.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import analytics_reference
import pytest
from faults_helpers import settle
from test_app import cell_text, make_app
from textual.widgets import DataTable, Static

from tui.app.screens.history import (
    HistoryScreen,
    bucket_row,
    decimate,
    pair_plot,
    render_plot,
    score_plot,
)
from tui.app.screens.rule import RuleScreen
from tui.app.widgets.regime import RegimePane, pending_text
from tui.format import Palette
from tui.regime.fomc import load_meetings
from tui.regime.study import backtest
from tui.report import TrackRecord, build_track_record

MINUS = "\u2212"


def text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def fresh_record(app: Any) -> TrackRecord:
    """The record recomputed here from the app's own figures (what the worker should show)."""
    return build_track_record(app.report.closes, app.monitor.rules, decisions=app.monitor.policy())


def iwm_spy() -> list[tuple[str, float]]:
    """IWM/SPY on the days both have a close, from the bundled CSV (plain Python)."""
    data = analytics_reference.snapshot()
    spy = dict(data["SPY"])
    return [(d, c / spy[d]) for d, c in data["IWM"] if d in spy]


def forward(line: list[tuple[str, float]], rows: int) -> dict[str, float]:
    """Date -> the line's return over the next ``rows`` rows (only where they exist)."""
    return {line[i][0]: line[i + rows][1] / line[i][1] - 1.0 for i in range(len(line) - rows)}


async def open_history(app: Any, pilot: Any) -> HistoryScreen:
    await settle(app)
    await pilot.press("h")
    await settle(app)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


async def test_history_screen_shows_the_streak_last_high_and_study(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(app, pilot)
        record = fresh_record(app)
        assert app.track_record is not None and app.track_record.as_of == "2026-07-31"

        streak = text_of(screen, "#history-streak")
        assert streak == f"Streak: {record.streak}"
        # Worked out from the record's daily counts: the run of days scoring at least today's
        # share, back from the last day.
        share = [p / k if k else math.nan for p, k in zip(record.passed, record.known, strict=True)]
        run = 0
        while run < len(share) and share[-1 - run] >= share[-1] - 1e-12:
            run += 1
        since = record.dates[-1 - run + 1]
        state = record.states[-1]
        expected = (
            f"Streak: {state} {record.passed[-1]}/{record.known[-1]} or better for {run} "
            f"day{'s' if run != 1 else ''}, since {since}"
        )
        assert streak == expected, (streak, expected)

        high = text_of(screen, "#history-high")
        assert record.last_high is not None
        assert high == record.last_high[:1].upper() + record.last_high[1:]
        # The latest day before the run with a share at least today's, and IWM/SPY's return
        # over the 63 pair rows after it, from the CSV.
        before = len(share) - run
        day = next(
            record.dates[i] for i in range(before - 1, -1, -1) if share[i] >= share[-1] - 1e-12
        )
        ahead = forward(iwm_spy(), 63)[day]
        figure = f"{ahead * 100:+.1f} %".replace("-", MINUS)
        assert high == (
            f"Last time the score was this high: {day} — IWM/SPY over the next 3 months: {figure}"
        )

        study = text_of(screen, "#history-study")
        assert "In-sample and descriptive: thresholds were chosen with hindsight." in study
        assert f"Sample: {record.study['from']} – {record.study['to']}" in study
        assert f"{record.study['days']} trading days" in study
        assert "k = 0.6" in study and "score ≥ 0.6 vs < 0.6" in study
        for pair in ("IWM/SPY", "EEM/SPY", "VBR/SPY"):
            by_horizon = record.study["score"]["study"][pair]
            assert set(by_horizon) == {"1M", "3M", "6M"}
            for horizon, buckets in by_horizon.items():
                assert bucket_row(horizon, "≥ 0.6", buckets["pass"]) in study
                assert bucket_row("", "< 0.6", buckets["fail"]) in study
        # One row in full, so the format itself is pinned: IWM/SPY 3M, score >= 0.6.
        row = record.study["score"]["study"]["IWM/SPY"]["3M"]["pass"]
        lo, hi = row["ci90"]
        assert (
            f"3M ≥ 0.6  {row['days']:>5} {row['episodes']:>4}" in study
            and f"[{lo * 100:+.1f}%, {hi * 100:+.1f}%]".replace("-", MINUS) in study
        )
        flips = text_of(screen, "#history-flips")
        assert flips.startswith(f"{len(record.flips)} flips of the score's state")
        assert f"{record.flips[-1][0]} → {record.flips[-1][1]}" in flips

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)


async def test_history_says_computing_until_the_record_arrives(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        record = app.track_record
        assert record is not None
        app.track_record = None
        app.push_screen(HistoryScreen(app.palette))
        await pilot.pause()
        screen = app.screen
        assert text_of(screen, "#history-streak") == "computing…"
        assert text_of(screen, "#history-study") == "computing…"
        assert "computing" in text_of(screen, "#history-title")
        app.track_record = record
        await pilot.pause()
        assert text_of(screen, "#history-streak") == f"Streak: {record.streak}"
        assert "computing" not in text_of(screen, "#history-study")


async def test_k_keys_recompute_the_score_study_in_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.regime.study

    threads: list[str] = []

    def recording_backtest(*args: Any, **kwargs: Any) -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        return backtest(*args, **kwargs)

    monkeypatch.setattr(tui.regime.study, "backtest", recording_backtest)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(app, pilot)
        record = app.track_record
        assert record is not None and screen.study is record.study
        default_row = bucket_row(
            "1M", "≥ 0.6", record.study["score"]["study"]["IWM/SPY"]["1M"]["pass"]
        )

        threads.clear()
        await pilot.press("plus")
        assert screen.k == 0.7
        await settle(app)
        await pilot.pause()
        # Computed once, off the UI thread (in the screen's worker).
        assert len(threads) == 1 and threads[0] != threading.main_thread().name
        study = screen.study
        assert study is not None and study is not record.study and study["score"]["k"] == 0.7
        expected = backtest(
            app.report.closes,
            app.monitor.rules,
            decisions=app.monitor.policy(),
            meetings=load_meetings(),
            k=0.7,
        )
        assert study["score"]["study"] == expected["score"]["study"]

        # IWM/SPY 1M after days scoring >= 0.7, worked out from the daily counts and the CSV.
        ahead = forward(iwm_spy(), 21)
        picked = [
            ahead[d]
            for d, p, k in zip(record.dates, record.passed, record.known, strict=True)
            if k and p / k >= 0.7 - 1e-12 and d in ahead
        ]
        shown = study["score"]["study"]["IWM/SPY"]["1M"]["pass"]
        assert shown["days"] == len(picked)
        assert abs(shown["mean"] - sum(picked) / len(picked)) < 1e-6
        assert abs(shown["hit_rate"] - sum(r > 0 for r in picked) / len(picked)) < 1e-4

        text = text_of(screen, "#history-study")
        assert "score ≥ 0.7 vs < 0.7" in text
        assert bucket_row("1M", "≥ 0.7", shown) in text
        assert default_row not in text

        await pilot.press("minus", "minus")
        await settle(app)
        await pilot.pause()
        assert screen.k == 0.5 and screen.study is not None
        assert screen.study["score"]["k"] == 0.5
        assert "score ≥ 0.5 vs < 0.5" in text_of(screen, "#history-study")

        threads.clear()
        await pilot.press("0")  # back to the ON level: the record's own study, no worker
        await settle(app)
        await pilot.pause()
        assert threads == []
        assert screen.k == 0.6 and screen.study is record.study
        assert default_row in text_of(screen, "#history-study")


async def test_rule_evidence_shows_its_track_record_and_h_opens_history(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        record = app.track_record
        assert record is not None
        app.action_open_rule("small_caps")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RuleScreen)
        entry = record.rule_study("small_caps")
        assert entry is not None and entry["pair_own"]
        track = text_of(screen, "#rule-track")
        assert "in-sample and descriptive: thresholds were chosen with hindsight" in track.lower()
        assert (
            f"Confirm {entry['confirm_days']} days, no band · flips/yr "
            f"{entry['flips_per_year_raw']:.1f} raw → {entry['flips_per_year']:.1f} confirmed · "
            f"mean confirmation delay {entry['mean_confirm_delay_days']:.1f} days"
        ) in track
        assert "Forward IWM/SPY return after the days it passed vs failed" in track
        assert "no pair of its own" not in track
        for horizon, buckets in entry["study"].items():
            assert bucket_row(horizon, "pass", buckets["pass"]) in track
            assert bucket_row("", "fail", buckets["fail"]) in track
        facts = text_of(screen, "#rule-facts")
        assert "Pending     ✓ → ✗ pending, 1 of 4 days" in facts

        await pilot.press("h")
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen

        await pilot.press("escape")
        await pilot.pause()
        app.action_open_rule("curve")  # judged on IWM/SPY: it has no pair of its own
        await settle(app)
        await pilot.pause()
        track = text_of(app.screen, "#rule-track")
        assert "(no pair of its own: judged on IWM/SPY)" in track
        curve = record.rule_study("curve")
        assert curve is not None and curve["band"] == [0.1]
        assert "Confirm 3 days, band 0.1" in track


async def test_regime_pane_marks_the_pending_flip_and_repaints_only_on_change(
    tmp_path: Path,
) -> None:
    # From the CSV: IWM/SPY closes above its 50-day average on 2026-07-30 and below it on
    # 2026-07-31, the snapshot's last day: one day of the four the rule needs to flip.
    line = iwm_spy()
    dates = [d for d, _ in line]
    last = dates.index("2026-07-31")

    def above_average(i: int) -> bool:
        window = [v for _, v in line[i - 49 : i + 1]]
        return line[i][1] > sum(window) / len(window)

    assert above_average(last - 1) and not above_average(last)

    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app)
        await pilot.pause()
        pane = app.screen.query_one(RegimePane)
        rules = pane.query_one("#rules", DataTable)
        assert cell_text(rules, "small_caps", "mark") == "✓"  # the confirmed state
        text = cell_text(rules, "small_caps", "rule")
        assert "\n  ✓ → ✗ pending, 1 of 4 days\n" in text
        # No other rule is pending on the bundled data.
        others = [r.key.value for r in rules.ordered_rows if r.key.value != "small_caps"]
        assert all("pending" not in cell_text(rules, key, "rule") for key in others)

        regime = [dict(r) for r in app.report.regime]
        summary = app.report.regime_summary
        cleared = []
        original = rules.clear

        def counting_clear(*args: Any, **kwargs: Any) -> Any:
            cleared.append(1)
            return original(*args, **kwargs)

        rules.clear = counting_clear  # type: ignore[method-assign]
        pane.show(regime, summary)
        assert cleared == []  # nothing changed: nothing repaints
        small = next(r for r in regime if r["id"] == "small_caps")
        small["pending"] = dict(small["pending"], days=2)
        pane.show(regime, summary)
        assert cleared == [1]
        assert "✓ → ✗ pending, 2 of 4 days" in cell_text(rules, "small_caps", "rule")


def test_pending_text_reads_each_case() -> None:
    base = {"status": "pass", "pending": None}
    assert pending_text(base) is None
    assert (
        pending_text({**base, "pending": {"to": "fail", "days": 1, "of": 3, "inside_band": False}})
        == "✓ → ✗ pending, 1 of 3 days"
    )
    assert (
        pending_text(
            {"status": "fail", "pending": {"to": "pass", "days": 0, "of": 1, "inside_band": True}}
        )
        == "✗ → ✓ inside the band, not counted yet"
    )
    assert (
        pending_text({"status": "fail", "pending": {"to": "pass", "days": 1, "of": 1}})
        == "✗ → ✓ pending, 1 of 1 day"
    )


def test_decimate_keeps_each_buckets_low_and_high_in_order() -> None:
    days = list(range(1000))
    values = [((i * 37) % 101) / 100 for i in days]
    kept_days, kept = decimate(days, values, 50)
    assert len(kept) <= 100 and kept_days == sorted(kept_days)
    for b in range(50):  # every bucket of 20 days keeps its own lowest and highest value
        chunk = values[b * 20 : (b + 1) * 20]
        inside = [v for d, v in zip(kept_days, kept, strict=True) if b * 20 <= d < (b + 1) * 20]
        assert sorted(inside) == sorted({min(chunk), max(chunk)})
    assert decimate(days[:80], values[:80], 50) == (days[:80], values[:80])  # few: all kept


def test_the_two_charts_share_one_time_axis() -> None:
    """Score and IWM/SPY drawn at one width: the plot areas start and end in the same columns,
    and both axes run from the timeline's first day to its last."""
    from tui.data.snapshot import load_closes

    closes = load_closes()
    record = build_track_record(closes)
    palette = Palette()
    for period in ("max", "1Y"):
        score = render_plot(score_plot(record, 0.6, period, palette), 100, 12).plain.splitlines()
        pair = render_plot(pair_plot(record, closes, period, palette), 100, 9).plain.splitlines()
        top = [next(line for line in chart if "┌" in line) for chart in (score, pair)]
        assert top[0].index("┌") == top[1].index("┌") and top[0].index("┐") == top[1].index("┐")
        first = record.dates[0] if period == "max" else record.dates[-252]
        for chart in (score, pair):
            assert chart[-1].split() == [first, record.dates[-1]]
