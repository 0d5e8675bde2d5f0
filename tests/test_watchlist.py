"""Watchlist files: plain lists and CSVs, every bad line reported; the import-watchlist command."""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.cli import UsageError, run_import_watchlist
from tui.config import DEFAULT_GROUPS, Group, load_config, normalize_symbol
from tui.data.watchlist import MAX_WATCHLIST_BYTES, read_watchlist


def write(tmp_path: Path, data: str | bytes, name: str = "list.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- plain lists ------------------------------------------------------------------------------


def test_plain_list_one_per_line(tmp_path: Path) -> None:
    path = write(tmp_path, "aapl\nMSFT\n  nvda  \n")
    assert read_watchlist(path) == (["AAPL", "MSFT", "NVDA"], [])


def test_plain_list_mixed_separators_comments_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "# my watchlist\n"  # 1
        "AAPL, msft  NVDA # megacaps\n"  # 2
        "\n"  # 3
        '"TSLA";BRK-B\t^VIX\n'  # 4
        "   # indented comment\n"  # 5
        "eurusd=x,,  ,\n"  # 6
        "x?y AMD $SPX\n"  # 7
        "NASDAQ:AMZN"  # 8, no final newline
    )
    symbols, errors = read_watchlist(write(tmp_path, text))
    assert symbols == ["AAPL", "MSFT", "NVDA", "TSLA", "BRK-B", "^VIX", "EURUSD=X", "AMD"]
    assert errors == [
        (7, "'x?y' is not a ticker symbol; '$SPX' is not a ticker symbol"),
        (
            8,
            "'NASDAQ:AMZN' is not a ticker symbol "
            "(drop the exchange prefix; Yahoo symbols look like AAPL, RY.TO, ^VIX)",
        ),
    ]


def test_duplicates_are_kept_once_and_reported_once(tmp_path: Path) -> None:
    text = "AAPL\nMSFT\naapl\nNVDA, MSFT\nAAPL\n\nAAPL\n"
    symbols, errors = read_watchlist(write(tmp_path, text))
    assert symbols == ["AAPL", "MSFT", "NVDA"]
    assert errors == [
        (3, "duplicate AAPL (first on line 1; again on lines 5, 7)"),
        (4, "duplicate MSFT (first on line 2)"),
    ]


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfSPY\r\nQQQ\r\nbad!\r\n")
    assert read_watchlist(path) == (["SPY", "QQQ"], [(3, "'bad!' is not a ticker symbol")])


def test_empty_file_and_only_comments(tmp_path: Path) -> None:
    expected: tuple[list[str], list[tuple[int, str]]] = ([], [(0, "no symbols in the file")])
    assert read_watchlist(write(tmp_path, "", "empty.txt")) == expected
    assert read_watchlist(write(tmp_path, "# nothing\n\n  \n", "comments.txt")) == expected


# --- CSV --------------------------------------------------------------------------------------


def test_csv_with_a_symbol_column(tmp_path: Path) -> None:
    text = (
        "Name,Symbol,Weight\r\n"  # 1
        '"Apple, Inc.",aapl,5\r\n'  # 2
        ",,\r\n"  # 3: an empty spreadsheet row
        "Nothing here,,1\r\n"  # 4
        "Bad,bad!,1\r\n"  # 5
        "# a comment row,,\r\n"  # 6
        "Microsoft,MSFT,3\r\n"  # 7
        "Short row\r\n"  # 8
        "Apple again, AAPL ,1\r\n"  # 9
    )
    symbols, errors = read_watchlist(write(tmp_path, text, "list.csv"))
    assert symbols == ["AAPL", "MSFT"]
    assert errors == [
        (4, "no symbol in column 'Symbol'"),
        (5, "'bad!' is not a ticker symbol"),
        (8, "no symbol in column 'Symbol'"),
        (9, "duplicate AAPL (first on line 2)"),
    ]


def test_csv_names_are_not_read_as_symbols(tmp_path: Path) -> None:
    """Without the header, "Apple Inc" would give APPLE and INC; with it only the column counts."""
    text = "# exported 2026-07-31\nticker,name\nAAPL,Apple Inc\nMSFT,Microsoft Corp\n"
    assert read_watchlist(write(tmp_path, text, "list.csv")) == (["AAPL", "MSFT"], [])


@pytest.mark.parametrize(
    "data",
    [
        "Ticker;Name\nNESN.SW;Nestl\xe9\nAAPL;Apple\n".encode("cp1252"),
        "Name\tTICKER\nNestl\xe9\tNESN.SW\nApple\tAAPL\n".encode("cp1252"),
    ],
    ids=["semicolons", "tabs"],
)
def test_csv_semicolons_tabs_and_latin1_in_other_columns(tmp_path: Path, data: bytes) -> None:
    """A cp1252 export: the accent in the name column is ignored with the rest of that column."""
    assert read_watchlist(write(tmp_path, data, "list.csv")) == (["NESN.SW", "AAPL"], [])


def test_a_bad_byte_in_a_symbol_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"Symbol\nAAPL\nNESN\xe9\nMSFT\n", "list.csv")
    assert read_watchlist(path) == (["AAPL", "MSFT"], [(3, "not UTF-8 text (byte 0xe9)")])


# --- garbage ----------------------------------------------------------------------------------


def test_binary_file_gives_one_error_and_no_symbols(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(random.Random(1).randbytes(500))
    assert read_watchlist(write(tmp_path, png, "chart.png")) == (
        [],
        [(0, "a binary file, not a list of symbols")],
    )
    xlsx = b"PK\x03\x04\x14\x00\x06\x00" + b"AAPL\nMSFT\n"
    assert read_watchlist(write(tmp_path, xlsx, "list.xlsx")) == (
        [],
        [(0, "a binary file, not a list of symbols (a spreadsheet? save it as CSV)")],
    )


def test_garbage_without_nul_bytes_gives_no_symbols(tmp_path: Path) -> None:
    """High bytes and control characters that happen to contain symbol-like runs."""
    garbage = b"\n".join(bytes(range(0x80, 0x100)) + b" AB CD\x1b" for _ in range(20))
    assert read_watchlist(write(tmp_path, garbage, "junk.txt")) == (
        [],
        [(0, "not a text file (mostly not UTF-8 text, or control characters)")],
    )


def test_a_few_bad_bytes_are_reported_per_line(tmp_path: Path) -> None:
    data = b"AAPL\n\x80\x81\n# caf\xe9 is fine in a comment\nMS\xc3\x28FT\nA\x1b[31mB\nNVDA\n"
    symbols, errors = read_watchlist(write(tmp_path, data))
    assert symbols == ["AAPL", "NVDA"]
    assert errors == [
        (2, "not UTF-8 text (byte 0x80)"),
        (4, "not UTF-8 text (byte 0xc3)"),
        (5, r"'A\x1b[31mB' is not a ticker symbol"),  # escaped: no terminal escapes in output
    ]


def test_utf16_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "AAPL\nMSFT\n".encode("utf-16"))
    assert read_watchlist(path) == ([], [(0, "UTF-16 text; save it as UTF-8 (or CSV UTF-8)")])


def test_size_limit(tmp_path: Path) -> None:
    at_limit = write(tmp_path, b"A\n" * (MAX_WATCHLIST_BYTES // 2), "ok.txt")
    assert read_watchlist(at_limit)[0] == ["A"]
    over = write(tmp_path, b"A\n" * (MAX_WATCHLIST_BYTES // 2) + b"B", "big.txt")
    assert read_watchlist(over) == ([], [(0, "larger than 1 MB; not read")])


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert read_watchlist(tmp_path / "absent.txt") == ([], [(0, "no such file")])
    assert read_watchlist(tmp_path) == ([], [(0, "not a regular file")])


def test_at_most_100_bad_lines_are_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "".join(f"bad{i}!\n" for i in range(150)) + "AAPL\n")
    symbols, errors = read_watchlist(path)
    assert symbols == ["AAPL"]
    assert len(errors) == 101
    assert errors[0] == (1, "'bad0!' is not a ticker symbol")
    assert errors[99] == (100, "'bad99!' is not a ticker symbol")
    assert errors[100] == (0, "... and 50 more bad lines")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_never_raises_and_returns_only_valid_symbols(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "list.txt"
        path.write_bytes(data)
        symbols, errors = read_watchlist(path)
    assert all(normalize_symbol(s) == s for s in symbols)
    assert len(set(symbols)) == len(symbols)
    for line, message in errors:
        assert isinstance(line, int) and 0 <= line <= data.count(b"\n") + 1
        assert message.isprintable()


# --- the command ------------------------------------------------------------------------------


def run(argv: list[str]) -> int:
    """What tui.cli.main does around a command, with tui.cli's own parser: a UsageError is
    one line and exit 2."""
    from tui.cli import build_parser

    try:
        args = build_parser().parse_args(argv)
        assert args.command == "import-watchlist"
        return run_import_watchlist(args)
    except UsageError as error:
        print(f"rotmon: error: {error}", file=sys.stderr)
        return 2


def test_command_adds_the_good_symbols_and_lists_the_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = write(tmp_path, "NVDA\nbad!\nAMD, SPY\n")
    config_file = tmp_path / "config" / "config.toml"  # ROTMON_CONFIG_DIR (conftest)
    assert run(["import-watchlist", str(listing)]) == 1
    out, err = capsys.readouterr()
    assert out == f"added 2 symbols to group Watchlist in {config_file}\n"
    assert err == (
        f"{listing}:2: 'bad!' is not a ticker symbol\n"
        "rotmon: not added, in another group: SPY (Benchmarks)\n"
    )
    config, problems = load_config(config_file)
    assert problems == []
    assert config.groups == (*DEFAULT_GROUPS, Group("Watchlist", ("NVDA", "AMD")))


def test_command_with_group_and_config_exits_0_when_all_lines_are_good(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file = tmp_path / "elsewhere.toml"
    config_file.write_text('# mine\n[groups]\nTech = ["XLK"]\n', encoding="utf-8")
    listing = write(tmp_path, "Symbol,Name\nSMH,Semis\nXLK,Tech\nIGV,Software\n", "list.csv")
    code = run(["--config", str(config_file), "import-watchlist", str(listing), "--group", "Tech"])
    assert code == 0
    out, err = capsys.readouterr()
    assert out == f"added 2 symbols to group Tech in {config_file}\n"
    assert err == "rotmon: already in Tech: XLK\n"
    assert config_file.read_text() == '# mine\n[groups]\nTech = ["XLK", "SMH", "IGV"]\n'
    assert not (tmp_path / "config").exists()  # the default config was not touched


def test_command_missing_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["import-watchlist", str(tmp_path / "nope.txt")]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"rotmon: error: no such file: {tmp_path / 'nope.txt'}\n")


def test_command_broken_config_is_a_usage_error_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file = tmp_path / "config" / "config.toml"
    config_file.parent.mkdir()
    config_file.write_bytes(b'[groups]\nTech = ["XLK"\n')
    listing = write(tmp_path, "NVDA\n")
    assert run(["import-watchlist", str(listing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"rotmon: error: {config_file}:3: invalid TOML (")
    assert err.count("\n") == 1
    assert config_file.read_bytes() == b'[groups]\nTech = ["XLK"\n'


def test_command_binary_file_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = write(tmp_path, b"\x00\x01garbage", "list.bin")
    assert run(["import-watchlist", str(listing), "--group", "X"]) == 1
    out, err = capsys.readouterr()
    config_file = tmp_path / "config" / "config.toml"
    assert out == f"added 0 symbols to group X in {config_file}\n"
    assert err == f"{listing}: a binary file, not a list of symbols\n"
    assert not config_file.exists()


def test_command_bad_group_name_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = write(tmp_path, "NVDA\n")
    assert run(["import-watchlist", str(listing), "--group", "  "]) == 2
    assert capsys.readouterr().err == "rotmon: error: a group name cannot be empty\n"
