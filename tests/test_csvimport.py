"""Tests for importing a user's price CSV."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.data.cache import Cache
from tui.data.csvimport import import_csv, parse_price_csv
from tui.data.snapshot import seed_cache

HEADER = "date,symbol,open,high,low,close,adj_close,volume\n"


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    with Cache(tmp_path / "cache" / "rotmon.sqlite") as c:
        yield c


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
    result = import_csv(cache, path)
    assert result.errors == []
    assert result.symbols == {"SPY", "^IRX", "BRK-B"}
    assert result.rows == [
        ("SPY", "2024-01-02", None, None, None, 476.0, 475.5, 1000.0),
        ("SPY", "2024-01-03", None, None, None, 470.25, 470.25, None),
        ("^IRX", "2020-03-25", None, None, None, None, -0.07, None),
        ("BRK-B", "2024-01-02", None, None, None, None, 400.0, None),
    ]
    assert result.written == 4
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
    assert [r[:2] for r in result.rows] == [("SPY", "2024-01-02"), ("QQQ", "2024-01-11")]
    assert result.written == 2
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
