"""The session layer (tui.session.Monitor) that the app's workers and the CLI both call.

Real caches in temp dirs, the real bundled snapshot, FRED's CSV format with only its HTTP call
replaced; nothing here imports Textual.
"""

from __future__ import annotations

import csv
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tui.config import Config
from tui.data import fred
from tui.data.snapshot import SNAPSHOT_DIR
from tui.session import FileWatch, Monitor, run_with_deadline

AFTER = datetime(2026, 8, 5, 21, 0, tzinfo=UTC)  # Wednesday 17:00 New York: Aug 3-5 closed


@pytest.fixture
def monitor(tmp_path: Path) -> Monitor:
    m = Monitor(Config(), tmp_path / "cache" / "rotmon.sqlite", clock=lambda: AFTER)
    assert m.load_inputs() == []
    m.open()
    return m


def fred_answers(last: date) -> dict[str, str]:
    """DFEDTARL and DFEDTARU as FRED serves them: one row a calendar day from 2024-01-01 to
    `last`, each day's range the bundled table's (FRED dates a change the day after the
    decision)."""
    with (SNAPSHOT_DIR / "fed_target_range.csv").open(encoding="utf-8") as handle:
        changes = [
            (date.fromisoformat(r["decision_date"]) + timedelta(days=1), r)
            for r in csv.DictReader(handle)
        ]
    out = {}
    for series, column in (("DFEDTARL", "lower_pct"), ("DFEDTARU", "upper_pct")):
        lines = [f"observation_date,{series}"]
        day = date(2024, 1, 1)
        while day <= last:
            value = [r[column] for effective, r in changes if effective <= day][-1]
            lines.append(f"{day.isoformat()},{float(value):.2f}")
            day += timedelta(days=1)
        out[series] = "\n".join(lines) + "\n"
    return out


@pytest.mark.usefixtures("seeded_cache")  # set up before `monitor` opens it
def test_the_fed_rule_says_it_reads_fred_once_a_refresh_fetched_it(
    monitor: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = fred_answers(date(2026, 8, 4))
    asked: list[str] = []

    def http_get(url: str, timeout: float) -> tuple[int, bytes]:
        series = "DFEDTARL" if "DFEDTARL" in url else "DFEDTARU"
        asked.append(series)
        return 200, answers[series].encode()

    monkeypatch.setattr(fred, "_http_get", http_get)
    monitor.seed()
    before = next(r for r in monitor.build().regime if r["id"] == "fed_easing")
    assert "bundled table" in before["value_text"]
    fetched = monitor.refresh_policy()
    assert fetched is not None and fetched.fetched_now and sorted(asked) == ["DFEDTARL", "DFEDTARU"]
    after = next(r for r in monitor.build().regime if r["id"] == "fed_easing")
    assert after["status"] == "pass"  # the last move is the cut of 2025-12-10
    assert "FRED" in after["value_text"] and "3.50–3.75%" in after["value_text"]
    assert monitor.refresh_policy() is not None and len(asked) == 2  # at most daily


@pytest.mark.usefixtures("seeded_cache")  # set up before `monitor` opens it
def test_a_failed_fred_answer_keeps_the_bundled_record(
    monitor: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fred, "_http_get", lambda url, timeout: (500, b"<html>Oops</html>"))
    monitor.seed()
    result = monitor.refresh_policy()
    assert result is not None and result.problem == "http" and not result.fetched_now
    rule = next(r for r in monitor.build().regime if r["id"] == "fed_easing")
    assert rule["status"] == "pass" and "bundled table" in rule["value_text"]


@pytest.mark.usefixtures("seeded_cache")  # set up before `monitor` opens it
def test_the_track_record_is_saved_and_given_back_for_the_same_report(monitor: Monitor) -> None:
    report = monitor.compute(seed=True)
    first = monitor.track_record(report)
    assert first is not None and first.as_of == report.as_of == "2026-07-31"
    assert first.dates[0] == "2016-01-04" and len(first.dates) == len(first.passed)
    assert first.streak and first.streak.startswith(("ON", "MIXED", "OFF"))
    assert "in-sample" in first.study["label"]
    again = monitor.track_record(report)
    assert again is not None and again.to_json() == first.to_json()
    reopened = Monitor(Config(), monitor.cache_path, clock=lambda: AFTER)
    reopened.load_inputs()
    reopened.open()
    saved = reopened.saved_track_record()
    assert saved is not None and saved.to_json() == first.to_json()


@pytest.mark.usefixtures("seeded_cache")  # set up before `monitor` opens it
def test_the_summary_a_viewer_paints_is_what_the_report_computed(monitor: Monitor) -> None:
    report = monitor.compute(seed=True)
    viewer = Monitor(Config(), monitor.cache_path, read_only=True, clock=lambda: AFTER)
    peeked = viewer.peek_summary()
    assert peeked is not None and peeked.as_of == report.as_of
    assert [r["symbol"] for r in peeked.rows] == [r["symbol"] for r in report.rows]
    assert peeked.regime_summary == report.regime_summary


def test_sessions_behind_and_the_market_clock_use_the_nyse_calendar(monitor: Monitor) -> None:
    assert monitor.market_clock() == "" or monitor.market_clock()  # loaded or not: no block
    monitor.load_calendar()
    assert monitor.sessions_behind("2026-07-31") == 3  # Aug 3, 4 and 5 have closed
    assert monitor.sessions_behind("2026-08-05") == 0
    assert monitor.market_clock().startswith("CLOSED · opens Thu 09:30 ET")


@pytest.mark.usefixtures("seeded_cache")  # set up before `monitor` opens it
def test_a_viewer_writes_no_ui_memory_beside_a_shared_cache(monitor: Monitor) -> None:
    monitor.compute(seed=True)
    state = monitor.state_path.read_text(encoding="utf-8")
    viewer = Monitor(Config(), monitor.cache_path, read_only=True, clock=lambda: AFTER)
    viewer.load_inputs()
    viewer.open()
    assert viewer.last_session == "2026-07-31"
    viewer.compute()
    assert not viewer.remember_theme("rotmon-light")
    assert monitor.state_path.read_text(encoding="utf-8") == state


def test_file_watch_sees_a_change_once(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('benchmark = "SPY"\n', encoding="utf-8")
    watch = FileWatch(config)
    watch.note()
    assert not watch.changed()
    config.write_text('benchmark = "RSP"\n', encoding="utf-8")
    assert watch.changed() and not watch.changed()


def test_run_with_deadline_gives_up_on_cancel_and_on_time() -> None:
    import threading

    gate = threading.Event()
    assert run_with_deadline(gate.wait, 5.0, cancelled=lambda: True) is None
    with pytest.raises(TimeoutError):
        run_with_deadline(gate.wait, 0.2)
    gate.set()
    assert run_with_deadline(lambda: 42, 5.0) == 42
    with pytest.raises(ZeroDivisionError):
        run_with_deadline(lambda: 1 / 0, 5.0)


def test_the_session_layer_imports_no_textual() -> None:
    import subprocess

    code = "import sys, tui.session, tui.cli; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
