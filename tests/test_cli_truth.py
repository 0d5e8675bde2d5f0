"""Commands that write say what reached the file: `import`, `prune`, `refresh`, `backtest`.

Every test runs the real command (`tui.cli.main`) on a real cache file and looks at the file
afterwards: a command that says "imported" must have put the rows there, and one that could not
must say "not saved" and exit non-zero, whatever the cause.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from yahoo_fakes import FakeYahoo, Listing, clean_yfinance, install, sessions

from tui.cli import main

__all__ = ["clean_yfinance"]

CSV = "date,symbol,open,high,low,close,adj_close,volume\n"


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(CSV + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def rows_in(cache_dir: Path, symbol: str) -> int:
    """Price rows of `symbol` in the cache file itself (0 if there is no file)."""
    path = cache_dir / "rotmon.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM prices WHERE symbol = ?", (symbol,)).fetchone()[0]


GOOD = ["2026-07-30,TEST,10,11,9,10.5,10.5,100", "2026-07-31,TEST,10,11,9,10.7,10.7,100"]


def test_an_import_that_reaches_the_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "p.csv", GOOD)
    code = main(["import", str(source), "--cache-dir", str(tmp_path / "c")])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("imported 2 rows for 1 symbols")
    assert rows_in(tmp_path / "c", "TEST") == 2


def test_a_cache_dir_that_is_a_file_is_not_saved_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "p.csv", GOOD)
    blocker = tmp_path / "c"
    blocker.write_text("not a folder", encoding="utf-8")
    code = main(["import", str(source), "--cache-dir", str(blocker)])
    captured = capsys.readouterr()
    assert code == 1
    assert "imported" not in captured.out
    assert "not saved:" in captured.err and "2 valid rows" in captured.err
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_full_disk_import_is_not_saved_and_the_file_holds_none_of_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own SQLITE_FULL (max_page_count) in the middle of a 20,000-row import."""
    from faults_helpers import cap_file_growth

    days = sessions("2016-01-04", "2026-07-31")
    rows = [f"{d},S{i % 8},10,11,9,10.5,10.5,100" for i, d in enumerate(days * 8)]
    source = write_csv(tmp_path / "big.csv", rows)
    cache_dir = tmp_path / "c"
    assert (
        main(["import", str(write_csv(tmp_path / "one.csv", GOOD)), "--cache-dir", str(cache_dir)])
        == 0
    )
    capsys.readouterr()
    cap_file_growth(monkeypatch)
    code = main(["import", str(source), "--cache-dir", str(cache_dir)])
    captured = capsys.readouterr()
    assert code == 1 and "imported" not in captured.out
    assert "not saved:" in captured.err and "full" in captured.err
    assert all(rows_in(cache_dir, f"S{i}") == 0 for i in range(8))
    assert rows_in(cache_dir, "TEST") == 2  # what was there before is kept


def test_a_newer_schema_cache_is_not_written_by_an_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older rotmon meeting a newer one's cache opens it read-only: the import says so."""
    cache_dir = tmp_path / "c"
    assert (
        main(["import", str(write_csv(tmp_path / "one.csv", GOOD)), "--cache-dir", str(cache_dir)])
        == 0
    )
    with sqlite3.connect(cache_dir / "rotmon.sqlite") as db:
        db.execute("PRAGMA user_version = 999")
    capsys.readouterr()
    more = write_csv(tmp_path / "more.csv", ["2026-07-29,OTHER,10,11,9,10.5,10.5,100"])
    code = main(["import", str(more), "--cache-dir", str(cache_dir)])
    captured = capsys.readouterr()
    assert code == 1 and "not saved:" in captured.err
    assert rows_in(cache_dir, "OTHER") == 0 and rows_in(cache_dir, "TEST") == 2
    assert (cache_dir / "rotmon.sqlite").exists()  # never moved aside


def test_prune_removes_rows_after_a_date_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir = tmp_path / "c"
    assert (
        main(["import", str(write_csv(tmp_path / "one.csv", GOOD)), "--cache-dir", str(cache_dir)])
        == 0
    )
    capsys.readouterr()
    code = main(
        ["prune", "--after", "2026-07-30", "--symbols", "test", "--cache-dir", str(cache_dir)]
    )
    assert code == 0 and capsys.readouterr().out.startswith("removed 1 rows of 1 symbols")
    assert rows_in(cache_dir, "TEST") == 1


def test_prune_without_a_selection_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["prune", "--cache-dir", str(tmp_path / "c")])
    assert code == 2 and "--after" in capsys.readouterr().err


@pytest.mark.usefixtures("clean_yfinance")
def test_a_refresh_with_a_failing_symbol_exits_1_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """yfinance's real code against Yahoo-shaped answers: AAA is served, BBB answers HTTP 500.
    AAA's rows are stored; BBB is named as a Yahoo error (not "delisted"); the exit code is 1."""
    days = sessions("2026-07-01", "2026-07-31")
    fake = FakeYahoo(
        {
            "AAA": Listing({d: 100.0 + i for i, d in enumerate(days)}),
            "BBB": Listing({d: 50.0 for d in days}, status=500),
        }
    )
    install(monkeypatch, fake)
    code = main(["refresh", "--symbols", "AAA,BBB", "--cache-dir", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert code == 1
    assert rows_in(tmp_path / "c", "AAA") == len(days) and rows_in(tmp_path / "c", "BBB") == 0
    named = [line for line in captured.err.splitlines() if line.startswith("rotmon: BBB:")]
    assert named and "Yahoo error" in named[0] and "delisted" not in named[0], captured.err


def test_backtest_json_has_the_documented_shape_and_is_reproducible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["backtest", "--json", "--horizon", "3M", "--cache-dir", str(tmp_path / "c")]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == first  # a fixed bootstrap seed
    rule = next(r for r in first["rules"] if r["id"] == "small_caps")
    for key in ("confirm_days", "band", "flips_per_year_raw", "flips_per_year"):
        assert key in rule
    assert rule["flips_per_year"] < rule["flips_per_year_raw"] / 2
    bucket = rule["study"]["3M"]["pass"]
    assert set(bucket) == {"days", "episodes", "mean", "median", "hit_rate", "worst", "ci90"}
    assert bucket["episodes"] <= bucket["days"] and len(bucket["ci90"]) == 2
    assert "in-sample" in first["label"]


def test_backtest_text_says_in_sample_and_rejects_bad_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backtest", "--horizon", "1M", "--cache-dir", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "In-sample and descriptive" in out and "Small caps leading" in out
    code = main(["backtest", "--from", "2026-07-31", "--to", "2020-01-01"])
    assert code == 2 and "is after" in capsys.readouterr().err
