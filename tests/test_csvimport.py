"""Tests for importing a user's price CSV."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tui.data.cache import Cache, NotSaved
from tui.data.csvimport import Progress, import_csv, latest_allowed, parse_price_csv, prune
from tui.data.snapshot import seed_cache

HEADER = "date,symbol,open,high,low,close,adj_close,volume\n"


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    with Cache(tmp_path / "cache" / "rotmon.sqlite") as c:
        yield c


def _stored(cache: Cache) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(cache.path)) as conn:
        return conn.execute("SELECT * FROM prices ORDER BY symbol, date").fetchall()


def _write(tmp_path: Path, text: str | bytes, name: str = "prices.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def test_good_file(tmp_path: Path, cache: Cache) -> None:
    path = _write(
        tmp_path,
        "\ufeffSymbol, Adj Close ,date,close,volume\r\n"  # BOM, CRLF, free order, loose names
        "spy,475.5,2024-01-02,476.0,1000\r\n"
        "SPY,,2024-01-03,470.25,\r\n"  # adj_close falls back to close
        "\r\n"
        ",,,,\r\n"  # spreadsheet filler row
        "^irx,-0.07,2020-03-25,,\r\n"  # yields may be negative
        "BRK-B,400,2024-01-02,,\r\n",
    )
    want = [
        ("SPY", "2024-01-02", None, None, None, 476.0, 475.5, 1000.0),
        ("SPY", "2024-01-03", None, None, None, 470.25, 470.25, None),
        ("^IRX", "2020-03-25", None, None, None, None, -0.07, None),
        ("BRK-B", "2024-01-02", None, None, None, None, 400.0, None),
    ]
    assert parse_price_csv(path).rows == want
    result = import_csv(cache, path)
    assert result.errors == [] and result.saved and result.why is None
    assert result.symbols == {"SPY", "^IRX", "BRK-B"}
    assert result.rows == []  # an import streams: it keeps no rows
    assert result.written == result.valid == 4
    assert _stored(cache) == sorted(want)
    info = cache.symbol_info()
    assert info["SPY"].source == "csv:prices.csv" and info["SPY"].rows == 2
    assert cache.read_overlap("SPY", "2024-01-01") == {"2024-01-02": 475.5, "2024-01-03": 470.25}
    # Importing the same file again changes nothing.
    assert import_csv(cache, path).written == 4
    assert cache.symbol_info()["SPY"].rows == 2


def test_bad_rows_are_reported_with_line_numbers(tmp_path: Path, cache: Cache) -> None:
    lines = [
        HEADER.strip(),  # 1
        "2024-01-02,SPY,1,2,0.5,1.5,1.5,100",  # 2 good
        "2024/01/03,SPY,,,,1.5,,",  # 3 bad date format
        "2024-02-30,SPY,,,,1.5,,",  # 4 no such day
        ",SPY,,,,1.5,,",  # 5 missing date
        "2024-01-04,S P Y,,,,1.5,,",  # 6 bad symbol
        "2024-01-04,SPY,abc,,,1.5,,",  # 7 non-numeric
        "2024-01-05,SPY,,,,nan,,",  # 8 NaN
        "2024-01-06,SPY,,,,1.5,inf,",  # 9 inf
        "2024-01-07,SPY,,,,0,,",  # 10 zero price
        "2024-01-08,SPY,,,,1.5,,-5",  # 11 negative volume
        "2024-01-09,SPY,1,2,1,,,100",  # 12 neither close nor adj_close
        "2024-01-10,SPY,,,,1.5",  # 13 wrong field count
        "2024-01-02,spy,,,,9,,",  # 14 duplicate of line 2
        "",  # 15 blank: skipped
        "2024-01-11,QQQ,,,,-3,,",  # 16 negative price
        "2024-01-11,QQQ,,,,400,,",  # 17 good
        ",,,,,,,",  # 18 empty cells: skipped
        "2024-01-12,,,,,400,,",  # 19 missing symbol
    ]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    result = import_csv(cache, path)
    got = dict(result.errors)
    assert sorted(got) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 19]
    assert "bad date '2024/01/03'" in got[3]
    assert "no such day" in got[4]
    assert got[5] == "missing date"
    assert "bad symbol" in got[6]
    assert "open 'abc' is not a number" in got[7]
    assert "close 'nan' is not a finite number" in got[8]
    assert "adj_close 'inf' is not a finite number" in got[9]
    assert "must be positive" in got[10]
    assert "volume must not be negative" in got[11]
    assert "needs close or adj_close" in got[12]
    assert got[13] == "expected 8 fields, found 6"
    assert got[14] == "duplicate of line 2 (SPY 2024-01-02)"
    assert "must be positive" in got[16]
    assert got[19] == "missing symbol"
    assert [r[:2] for r in _stored(cache)] == [("QQQ", "2024-01-11"), ("SPY", "2024-01-02")]
    assert result.written == 2 and result.error_count == 14
    assert parse_price_csv(path).errors == result.errors
    assert cache.read_prices("SPY")["adj_close"].tolist() == [1.5]  # not line 14's 9


def test_several_problems_on_one_line_are_joined(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "20240102,$$$,x,,,,,-1\n")
    ((line, message),) = parse_price_csv(path).errors
    assert line == 2
    for part in ("bad date", "bad symbol", "open 'x' is not a number", "volume must not"):
        assert part in message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("date,symbol,close,price\n2024-01-02,SPY,1,2\n", "unknown column(s) 'price'"),
        ("date,close\n2024-01-02,1\n", "header lacks symbol"),
        ("date,symbol,open\n2024-01-02,SPY,1\n", "header lacks close or adj_close"),
        ("date,symbol,close,close\n", "named twice: close"),
        ("\n2024-01-02,SPY,1\n", "header line is empty"),
    ],
)
def test_bad_header_rejects_file(tmp_path: Path, text: str, needle: str) -> None:
    result = parse_price_csv(_write(tmp_path, text))
    assert result.rows == []
    assert len(result.errors) == 1 and result.errors[0][0] == 1
    assert needle in result.errors[0][1]


def test_garbage_bytes(tmp_path: Path, cache: Cache) -> None:
    junk = os.urandom(4096) + b"\x00"
    result = import_csv(cache, _write(tmp_path, junk, "junk.csv"))
    assert result.rows == [] and result.written == 0 and result.errors
    assert cache.symbol_info() == {}


def test_non_utf8_without_nul(tmp_path: Path) -> None:
    header_bad = parse_price_csv(_write(tmp_path, b"\xff\xfe\xfa garbage\n1,2\n", "a.csv"))
    assert header_bad.rows == [] and header_bad.errors[0][0] == 1
    assert "not UTF-8" in header_bad.errors[0][1]

    latin1 = (HEADER + "2024-01-02,SPY,,,,1,,\n2024-01-03,SP\xc9,,,,1,,\n").encode("latin-1")
    result = parse_price_csv(_write(tmp_path, latin1, "b.csv"))
    assert [r[:2] for r in result.rows] == [("SPY", "2024-01-02")]
    assert result.errors == [(3, "not UTF-8 text (byte 0xc9)")]


def test_utf16_and_empty_and_missing_files(tmp_path: Path) -> None:
    utf16 = parse_price_csv(_write(tmp_path, HEADER.encode("utf-16"), "u.csv"))
    assert utf16.rows == [] and utf16.errors[0][0] == 0 and "UTF-16" in utf16.errors[0][1]
    empty = parse_price_csv(_write(tmp_path, b"", "e.csv"))
    assert empty.errors == [(0, "file is empty (a header line is required)")]
    missing = parse_price_csv(tmp_path / "nope.csv")
    assert missing.rows == [] and missing.errors[0][0] == 0
    assert "cannot read" in missing.errors[0][1]
    folder = parse_price_csv(tmp_path)
    assert folder.rows == [] and folder.errors[0][0] == 0


def test_import_keeps_prior_cached_rows(tmp_path: Path, cache: Cache) -> None:
    seed_cache(cache, ["SPY", "XLK"])
    before_spy = cache.read_prices("SPY")
    before_xlk = cache.read_prices("XLK")
    path = _write(
        tmp_path,
        "date,symbol,adj_close\n2026-07-31,SPY,999\n2026-08-03,SPY,1000\n2026-08-03,MYFUND,10\n",
        "mine.csv",
    )
    result = import_csv(cache, path)
    assert result.errors == [] and result.written == 3
    after_spy = cache.read_prices("SPY")
    assert len(after_spy) == len(before_spy) + 1
    assert after_spy.loc["2026-07-31", "adj_close"] == 999.0
    assert after_spy.loc["2026-08-03", "adj_close"] == 1000.0
    unchanged = after_spy.drop(index=after_spy.index[-2:])
    assert unchanged.equals(before_spy.drop(index=before_spy.index[-1:]))
    assert cache.read_prices("XLK").equals(before_xlk)
    assert cache.last_dates()["MYFUND"] == "2026-08-03"
    assert cache.symbol_info()["XLK"].source == "snapshot"
    # Blank fields in the file keep the cached open/high/low/close/volume of that day.
    for column in ("open", "high", "low", "close", "volume"):
        assert after_spy.loc["2026-07-31", column] == before_spy.loc["2026-07-31", column]
    assert before_spy.loc["2026-07-31", "open"] > 0  # SPY has full OHLCV in the snapshot


# --- issue 16: dates, absurd prices, saved, progress, prune ----------------------------------

TODAY = date(2026, 7, 31)  # a Friday: the next session is Monday 2026-08-03


def test_dates_after_the_next_session_or_before_1900_are_rejected(
    tmp_path: Path, cache: Cache
) -> None:
    assert latest_allowed(TODAY) == date(2026, 8, 3)
    assert latest_allowed(date(2026, 8, 3)) == date(2026, 8, 4)
    lines = [
        HEADER.strip(),
        "2026-08-03,SPY,,,,1.5,,",  # 2 the next session: allowed (a time zone ahead)
        "2026-08-04,SPY,,,,1.5,,",  # 3 after it
        "2099-12-31,SPY,,,,1.5,,",  # 4 the probe's row
        "1900-01-01,SPY,,,,1.5,,",  # 5 allowed
        "1899-12-31,SPY,,,,1.5,,",  # 6
        "0001-01-01,SPY,,,,1.5,,",  # 7
    ]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    result = import_csv(cache, path, today=TODAY)
    got = dict(result.errors)
    assert sorted(got) == [3, 4, 6, 7]
    assert got[3] == "date 2026-08-04 is in the future (after 2026-08-03)"
    assert got[4] == "date 2099-12-31 is in the future (after 2026-08-03)"
    assert got[6] == "date 1899-12-31 is before 1900-01-01"
    assert got[7] == "date 0001-01-01 is before 1900-01-01"
    assert cache.max_date() == "2026-08-03" and result.written == 2


def test_absurd_prices_and_high_below_low_are_rejected(tmp_path: Path, cache: Cache) -> None:
    lines = [
        HEADER.strip(),
        "2024-01-02,SPY,1e308,,,1.5,,",  # 2
        "2024-01-03,SPY,,,,1e-300,,",  # 3
        "2024-01-04,SPY,,12,13,12.5,,",  # 4 high < low
        "2024-01-05,SPY,,,,-0.0,,",  # 5 non-positive
        "2024-01-08,^TNX,,,,-2e9,,",  # 6 an index can be negative, not -2e9
        "2024-01-09,SPY,,,,1.5,,1e16",  # 7 absurd volume
        "2024-01-10,SPY,9,13,12,12.5,12.5,100",  # 8 open outside high/low: accepted as given
        "2024-01-10,^IRX,,,,0,,",  # 9 a zero yield: fine
        "2024-01-11,BRK-A,700000,710000,690000,705000,705000,10",  # 10 a big real price
        "2024-01-11,SHIB-USD,,,,0.00001,,",  # 11 a tiny real price
    ]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    result = import_csv(cache, path, today=TODAY)
    got = dict(result.errors)
    assert sorted(got) == [2, 3, 4, 5, 6, 7]
    assert got[2] == "open 1e308 is too large to be a price (over 1e+09)"
    assert got[3] == "close 1e-300 is too small to be a price (under 1e-08)"
    assert got[4] == "high 12 is below low 13"
    assert got[5] == "close must be positive, got -0.0"
    assert got[6] == "close -2e9 is too large to be a price (over 1e+09)"
    assert got[7] == "volume 1e16 is too large (over 1e+15)"
    assert result.written == 4
    assert [r[:2] for r in _stored(cache)] == [
        ("BRK-A", "2024-01-11"),
        ("SHIB-USD", "2024-01-11"),
        ("SPY", "2024-01-10"),
        ("^IRX", "2024-01-10"),
    ]


def test_only_the_first_messages_are_kept_but_all_are_counted(tmp_path: Path) -> None:
    from tui.data import csvimport

    bad = [f"2024-01-02,S{i},,,,abc,," for i in range(csvimport.MAX_ERRORS + 50)]
    path = _write(tmp_path, HEADER + "\n".join(bad) + "\n")
    result = parse_price_csv(path)
    assert result.error_count == csvimport.MAX_ERRORS + 50
    assert len(result.errors) == csvimport.MAX_ERRORS and result.errors[0][0] == 2


def test_duplicates_far_apart_name_the_first_valid_line(tmp_path: Path) -> None:
    lines = [HEADER.strip()]
    lines += [f"2024-01-{d:02d},SPY,,,,{d},," for d in range(2, 29)]  # lines 2..28
    lines += ["2024-01-05,QQQ,,,,x,,", "2024-01-05,QQQ,,,,5,,", "2024-01-05,qqq,,,,6,,"]
    lines += ["2024-01-03,SPY,,,,99,,"]  # line 32 repeats line 3
    result = parse_price_csv(_write(tmp_path, "\n".join(lines) + "\n"), today=TODAY)
    got = dict(result.errors)
    assert got[32] == "duplicate of line 3 (SPY 2024-01-03)"
    assert got[31] == "duplicate of line 30 (QQQ 2024-01-05)"  # 29 was not valid
    assert "not a number" in got[29]


def test_an_in_memory_cache_reads_the_file_but_says_not_saved(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache dir should be")
    path = _write(tmp_path, HEADER + "2024-01-02,SPY,,,,1.5,,\n2024-01-03,SPY,,,,x,,\n")
    with Cache(blocker / "rotmon.sqlite") as cache:
        result = import_csv(cache, path)
        assert cache.max_date() is None  # nothing went to memory either
    assert not result.saved and result.written == 0 and result.valid == 1
    assert result.why and "is a file, not a directory" in result.why
    assert [n for n, _ in result.errors] == [3]  # bad rows are still reported


def test_a_full_disk_during_the_import_says_not_saved_and_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from faults_helpers import cap_file_growth

    db = tmp_path / "cache" / "rotmon.sqlite"
    with Cache(db) as cache:
        import_csv(cache, _write(tmp_path, HEADER + "2024-01-02,SPY,,,,1.5,,\n", "a.csv"))
    before = _stored_at(db)
    start = date(2000, 1, 3)
    rows = [f"{start + timedelta(days=i // 50)},S{i % 50},1,2,0.5,1.5,1.5,9" for i in range(30_000)]
    path = _write(tmp_path, HEADER + "\n".join(rows) + "\n", "big.csv")
    cap_file_growth(monkeypatch)
    with Cache(db) as cache:
        result = import_csv(cache, path, today=TODAY)
        assert cache.persisted  # the import failed; the cache did not move to memory
    assert not result.saved and result.written == 0 and result.valid == 30_000
    assert result.why and "database or disk is full" in result.why
    monkeypatch.undo()
    assert _stored_at(db) == before


def _stored_at(db: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT * FROM prices ORDER BY symbol, date").fetchall()


def test_a_fifo_given_as_the_file_is_refused_not_read(tmp_path: Path, cache: Cache) -> None:
    fifo = tmp_path / "prices.csv"
    os.mkfifo(fifo)
    result = import_csv(cache, fifo)
    assert not result.saved and result.errors == [(0, result.why)]
    assert "FIFO" in (result.why or "")


def test_progress_reports_rows_rate_and_eta(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.data import csvimport

    monkeypatch.setattr(csvimport, "PROGRESS_EVERY", 0.0)  # every check (4096 lines)
    rows = [f"{date(2000, 1, 3) + timedelta(days=i // 2)},S{i % 2},,,,1.5,," for i in range(10_000)]
    path = _write(tmp_path, HEADER + "\n".join(rows) + "\n")
    seen: list[Progress] = []
    result = import_csv(cache, path, today=TODAY, progress=seen.append)
    assert result.written == 10_000
    assert [p.lines for p in seen[:-1]] == [4096, 8192]
    assert [p.done for p in seen] == [False, False, True]
    assert seen[0].rows == 4094  # line 4096 read, not yet taken
    assert 0 < seen[0].bytes_read < seen[0].bytes_total
    assert seen[-1].rows == 10_000 and seen[-1].fraction == 1.0 and seen[-1].eta == 0.0
    assert seen[0].eta is not None and seen[0].eta >= 0
    moment = Progress(rows=1_234_567, lines=0, bytes_read=45, bytes_total=100, seconds=10.0)
    assert moment.rate == 123_456.7 and moment.eta == pytest.approx(10.0 * 55 / 45)
    assert moment.line() == "1,234,567 rows · 123,457 rows/s · 45% · ETA 0:12"
    assert (
        Progress(10, 1, 100, 100, 83.0, done=True).line() == "10 rows · 0 rows/s · 100% · in 1:23"
    )


def test_prune_removes_rows_after_a_date_transactionally(tmp_path: Path, cache: Cache) -> None:
    """The bad file of finding 6: a row dated 2099 moved the dashboard's as-of; prune it."""
    seed_cache(cache, ["SPY", "XLK"])
    cache.upsert_prices([("SPY", "2099-12-31", None, None, None, 1.0, 1.0, None)], "csv:x")
    cache.upsert_prices([("BAD", "2099-12-31", None, None, None, 1.0, 1.0, None)], "csv:x")
    cache.save_summary("dashboard", {"as_of": "2099-12-31"})
    spy_before = _stored(cache)
    assert cache.max_date() == "2099-12-31"

    removed = prune(cache, after=date(2026, 7, 31))

    assert removed == {"BAD": 1, "SPY": 1}
    assert cache.max_date() == "2026-07-31"
    assert "BAD" not in cache.symbol_info()  # nothing left of it
    assert cache.load_summary("dashboard") is None  # would show 2099 in the first frame
    assert _stored(cache) == [r for r in spy_before if r[1] <= "2026-07-31"]
    closes = cache.read_closes(["SPY"])  # the packed closes follow
    assert closes.index.max() == pd.Timestamp("2026-07-31")


def test_prune_symbols_and_both(tmp_path: Path, cache: Cache) -> None:
    seed_cache(cache, ["SPY", "XLK", "QQQ"])
    n_xlk = cache.symbol_info()["XLK"].rows
    assert prune(cache, symbols=["xlk"]) == {"XLK": n_xlk}
    assert set(cache.symbol_info()) == {"SPY", "QQQ"} and cache.read_closes(["XLK"]).empty
    assert prune(cache, after=date(2026, 7, 29), symbols=["QQQ"]) == {"QQQ": 2}
    assert cache.last_dates() == {"QQQ": "2026-07-29", "SPY": "2026-07-31"}
    assert prune(cache, after=date(2026, 7, 29), symbols=["NOPE"]) == {}
    with pytest.raises(ValueError):
        prune(cache)
    with pytest.raises(ValueError):
        prune(cache, symbols=[" "])


def test_prune_on_a_cache_that_cannot_save_removes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "cache" / "rotmon.sqlite"
    with Cache(db) as cache:
        seed_cache(cache, ["SPY"])
    before = _stored_at(db)
    with Cache(db, read_only=True) as viewer, pytest.raises(NotSaved, match="read-only"):
        prune(viewer, after=date(2026, 1, 1))
    assert _stored_at(db) == before
