"""The command line: report/import/refresh headless, and errors as one line with an exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from faults_helpers import seeded_copy

from tui import __version__
from tui.cli import main


def business_days(start: date, count: int) -> list[date]:
    days = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


@pytest.fixture
def imported_cache(tmp_path: Path) -> tuple[Path, list[date]]:
    """A cache holding only an imported CSV: AAA grows 0.1 % a day, BBB is flat at 50.

    AAA's raw `close` is a constant 200 (as if unadjusted) while its `adj_close` grows: the
    figures must follow adj_close. BBB has no adj_close at all: it falls back to close.
    """
    days = business_days(date(2025, 1, 1), 300)
    lines = ["date,symbol,open,high,low,close,adj_close,volume"]
    for i, day in enumerate(days):
        lines.append(f"{day},AAA,,,,200,{100 * 1.001**i!r},1000")
        lines.append(f"{day},BBB,,,,50,,")
    csv_path = tmp_path / "prices.csv"
    csv_path.write_text("\n".join(lines) + "\n")
    cache_dir = tmp_path / "c"
    assert main(["import", str(csv_path), "--cache-dir", str(cache_dir)]) == 0
    return cache_dir, days


def report_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    code = main(["report", "--json", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_report_json_on_imported_csv_follows_the_definitions(
    imported_cache: tuple[Path, list[date]], capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir, days = imported_cache
    doc = report_json(
        capsys, "--cache-dir", str(cache_dir), "--symbols", "AAA", "--benchmark", "BBB"
    )
    assert doc["as_of"] == days[-1].isoformat()
    (row,) = doc["rows"]
    assert row["symbol"] == "AAA"
    t = len(days) - 1
    assert row["close"] == pytest.approx(100 * 1.001**t)
    for period, n in {"1D": 1, "1W": 5, "1M": 21, "3M": 63, "6M": 126, "1Y": 252}.items():
        assert row["ret"][period] == pytest.approx(1.001**n - 1, rel=1e-9), period
        # BBB is flat, so RS equals the return.
        assert row["rs"][period] == pytest.approx(1.001**n - 1, rel=1e-9), period
    # YTD: from the last close of 2025 (the last 2025 business day in the file).
    last_2025 = max(i for i, d in enumerate(days) if d.year == 2025)
    assert days[-1].year == 2026
    assert row["ret"]["YTD"] == pytest.approx(1.001 ** (t - last_2025) - 1, rel=1e-9)
    # A steadily rising series sits at its 52-week high and its RS line above a rising average.
    assert row["from_high"] == pytest.approx(0.0, abs=1e-12)
    assert row["rs_trend"]["state"] == "up"
    assert set(row) >= {"symbol", "last_date", "close", "ret", "rs", "rs_trend", "from_high"}


def test_report_as_of_uses_only_earlier_rows(
    imported_cache: tuple[Path, list[date]], capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir, days = imported_cache
    as_of = days[200]
    doc = report_json(
        capsys,
        "--cache-dir",
        str(cache_dir),
        "--symbols",
        "AAA",
        "--benchmark",
        "BBB",
        "--as-of",
        as_of.isoformat(),
    )
    (row,) = doc["rows"]
    assert row["last_date"] == as_of.isoformat()
    assert row["close"] == pytest.approx(100 * 1.001**200)
    assert row["ret"]["1Y"] is None  # 200 rows of history: a 252-row window is n/a
    assert row["ret"]["6M"] == pytest.approx(1.001**126 - 1, rel=1e-9)
    assert row["ret"]["YTD"] is None  # no close in the year before 2025
    assert row["from_high"] is None


def test_report_default_universe_on_bundled_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = report_json(capsys, "--cache-dir", str(tmp_path / "c"))
    assert doc["as_of"] == "2026-07-31"
    symbols = [r["symbol"] for r in doc["rows"]]
    assert symbols[:4] == ["SPY", "QQQ", "RSP", "DIA"] and "XLC" in symbols
    spy = doc["rows"][0]
    assert spy["close"] == pytest.approx(747.03, abs=0.01)
    assert spy["ret"]["1D"] == pytest.approx(747.03 / 741.69 - 1, abs=2e-5)
    regime = {r["id"]: r for r in doc["regime"]}
    assert set(regime) >= {"fed_easing", "small_caps", "emerging", "breadth", "curve", "credit"}
    for rule in regime.values():
        assert {"id", "status", "value", "threshold", "since"} <= set(rule)
        assert rule["status"] in ("pass", "fail", "unknown")
    assert doc["regime_summary"]["label"].startswith("Rotation ")
    graph = {p["symbol"]: p for p in doc["rrg"]}
    quadrants = {"Leading", "Weakening", "Lagging", "Improving"}
    for etf in ("XLK", "XLF", "XLE", "XLU"):
        point = graph[etf]
        assert point["quadrant"] in quadrants and len(point["tail"]) == 8
        assert point["tail"][-1][1:] == [point["rs_ratio"], point["rs_momentum"]]
    assert graph["SPY"]["quadrant"] is None  # the benchmark has no point against itself
    for item in doc["catalysts"]:
        assert {"kind", "name", "datetime", "days_until"} <= set(item)
        assert datetime.fromisoformat(item["datetime"]).utcoffset() is not None
    # Counted from the real clock: the first decision in the bundled calendar after now.
    calendar = (Path(__file__).parent.parent / "tui/data/snapshot/fomc_meetings.csv").read_text()
    ends = [line.split(",")[1] for line in calendar.splitlines()[1:]]
    now = datetime.now(ZoneInfo("America/New_York"))
    upcoming = [
        e for e in ends if datetime.fromisoformat(e + "T14:00").replace(tzinfo=now.tzinfo) > now
    ]
    assert (doc["next_fomc"] or {}).get("date") == (upcoming[0] if upcoming else None)


def test_report_as_of_fomc_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeded_copy(tmp_path / "c" / "rotmon.sqlite")  # what the report's own seeding writes
    doc = report_json(capsys, "--cache-dir", str(tmp_path / "c"), "--as-of", "2025-12-10")
    assert doc["as_of"] == "2025-12-10"
    fed = next(c for c in doc["regime"] if c["id"] == "fed_easing")
    assert fed["status"] == "pass" and "2025-12-10" in fed["value_text"]
    # The catalysts as they stood that evening: the day's decision with its move, then the next.
    kinds = [(c["kind"], c["datetime"][:10]) for c in doc["catalysts"]]
    assert kinds[0] == ("fomc", "2025-12-10")
    assert "cut 25 bp" in doc["catalysts"][0]["detail"]
    assert ("fomc", "2026-01-28") in kinds
    # Counted from that day's close: the next decision is the 2026-01-28 meeting.
    assert doc["next_fomc"]["date"] == "2026-01-28"
    assert doc["next_fomc"]["days_until"] == pytest.approx(48.92, abs=0.01)


def test_report_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--cache-dir", str(tmp_path / "c"), "--symbols", "XLK,IWM"]) == 0
    out = capsys.readouterr().out
    assert "XLK" in out and "IWM" in out and "FOMC decision" in out
    assert "Fed easing cycle" in out and "Rotation " in out


def test_report_unknown_symbol_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "--json", "--cache-dir", str(tmp_path / "c"), "--symbols", "XLK,ZZZZ"])
    captured = capsys.readouterr()
    assert code == 0
    assert "no data for ZZZZ" in captured.err
    rows = {r["symbol"]: r for r in json.loads(captured.out)["rows"]}
    assert rows["ZZZZ"]["close"] is None and rows["XLK"]["close"] is not None


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["report", "--as-of", "31/07/2026"], "--as-of must be a date"),
        (["report", "--symbols", "X?Y"], "not a ticker symbol"),
        (["report", "--as-of", "2010-01-01"], "no cached data on or before 2010-01-01"),
        (["import", "nope.csv"], "no such file"),
        (["frobnicate"], "invalid choice"),
        (["--config", "missing.toml", "report"], "config file not found"),
    ],
)
def test_usage_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    code = main([*argv, "--cache-dir", str(tmp_path / "c")] if argv[0] != "frobnicate" else argv)
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_import_reports_bad_rows_and_keeps_good_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = tmp_path / "mixed.csv"
    csv_path.write_text(
        "date,symbol,open,high,low,close,adj_close,volume\n"
        "2026-01-02,AAA,,,,10,,\n"
        "2026-13-02,AAA,,,,10,,\n"
        "2026-01-05,AAA,,,,abc,,\n"
        "2026-01-06,AAA,,,,11,,\n"
    )
    code = main(["import", str(csv_path), "--cache-dir", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert code == 1
    assert f"{csv_path}:3:" in captured.err and f"{csv_path}:4:" in captured.err
    assert "imported 2 rows for 1 symbols" in captured.out
    from tui.data.cache import Cache

    with Cache(tmp_path / "c" / "rotmon.sqlite") as cache:
        assert cache.last_dates()["AAA"] == "2026-01-06"


def test_broken_config_is_named_and_defaults_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('benchmark = "SPY"\n[groups\nSectors = ["XLK"]\n')
    seeded_copy(tmp_path / "c" / "rotmon.sqlite")  # what the default universe's seeding writes
    code = main(["report", "--json", "--config", str(config), "--cache-dir", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert code == 0
    assert "config.toml:2" in captured.err
    assert len(json.loads(captured.out)["rows"]) == 43  # the default universe, factors included


def test_version_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"rotmon {__version__}"
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "report" in result.stdout and "import" in result.stdout


def test_refresh_every_runs_until_stopped_and_logs_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """yfinance itself fails (no network): each cycle is logged with a UTC stamp, the next
    retry backs off, Ctrl+C (here: during the first sleep) stops it cleanly."""
    import re

    import tui.cli

    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr(tui.cli, "_sleep", sleep)
    seeded_copy(tmp_path / "c" / "rotmon.sqlite")  # what the refresh's own seeding writes
    code = main(["refresh", "--every", "5m", "--cache-dir", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert code == 0 and captured.out == ""
    lines = captured.err.strip().splitlines()
    stamp = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ rotmon refresh: "
    assert all(re.match(stamp, line) for line in lines), lines
    assert "could not reach Yahoo Finance" in captured.err
    assert lines[-1].endswith("stopped")
    assert sleeps == [60.0]  # one failure so far: retry after a minute, not 5 (or 60)


def test_refresh_every_rejects_a_bad_duration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["refresh", "--every", "soon", "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("rotmon: error: --every:") and len(err.splitlines()) == 1


def test_refresh_every_stops_when_the_disk_cannot_take_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A headless refresher whose cache file cannot grow (a full disk) would fetch into memory
    for nobody: it logs why and exits 1 (systemd's Restart=on-failure tries again later)."""
    from faults_helpers import cap_file_growth

    import tui.cli

    monkeypatch.setattr(tui.cli, "_sleep", lambda _s: pytest.fail("must not sleep"))
    cap_file_growth(monkeypatch)
    code = main(["refresh", "--every", "5m", "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert "disk is full" in last and "stopping" in last, err


def test_refresh_saves_the_dashboard_summary_for_read_only_viewers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer never writes, so the refresher saves the figures a viewer's first frame paints:
    the same summary, under the same key, that a dashboard with this config saves."""
    from faults_helpers import NEW_DAYS, RecordedDays

    import tui.data.yahoo
    from tui.config import Config
    from tui.data.cache import peek_summary
    from tui.locations import cache_path
    from tui.report import Report, summary_key

    monkeypatch.setattr(tui.data.yahoo, "YahooProvider", lambda **_kw: RecordedDays())
    cache_dir = tmp_path / "c"
    seeded_copy(cache_path(cache_dir))  # what the refresh's own seeding writes
    assert main(["refresh", "--cache-dir", str(cache_dir)]) == 0
    assert "rows" in capsys.readouterr().out
    payload = peek_summary(cache_path(cache_dir), "dashboard")
    assert payload is not None
    config = Config()
    report = Report.from_summary(payload, summary_key(config.symbols(), config.benchmark))
    assert report is not None and report.as_of == NEW_DAYS[-1]
    assert [row["symbol"] for row in report.rows][:3] == list(config.groups[0].symbols)[:3]
