"""Config loading: defaults, a valid file, and every kind of bad input reported with its line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.config import (
    DEFAULT_GROUPS,
    SECTOR_ETFS,
    Config,
    ConfigProblem,
    Group,
    load_config,
    normalize_symbol,
    parse_duration,
)


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    """Write ``text`` as a config file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def only(problems: list[ConfigProblem]) -> ConfigProblem:
    """The single problem in the list."""
    assert len(problems) == 1, problems
    return problems[0]


# --- defaults ---------------------------------------------------------------------------------


def test_default_groups_exactly() -> None:
    assert [(g.name, g.symbols) for g in DEFAULT_GROUPS] == [
        ("Benchmarks", ("SPY", "QQQ", "RSP", "DIA")),
        ("Size/Style/Intl", ("IWM", "VBR", "EEM", "EEMV", "DFAT")),
        (
            "Sectors",
            ("XLK", "XLF", "XLE", "XLI", "XLU", "XLV", "XLY", "XLP", "XLB", "XLRE", "XLC"),
        ),
        ("Themes", ("KRE", "CFG", "RF", "ZION", "AAON", "ROAD")),
        (
            "Factors",
            ("MTUM", "QUAL", "USMV", "VLUE", "SIZE", "IWD", "IWF", "SPHB", "SPLV", "MGK"),
        ),
        ("Macro", ("^VIX", "^TNX", "^IRX", "HYG", "IEF", "TLT", "UUP")),
    ]
    assert len(SECTOR_ETFS) == 11 and set(SECTOR_ETFS) == set(DEFAULT_GROUPS[2].symbols)
    config = Config()
    assert (config.benchmark, config.refresh_open, config.refresh_closed) == ("SPY", 300, 3600)
    assert config.theme == "rotmon-dark"
    assert len(config.symbols()) == 43


def test_missing_file_gives_defaults_without_problem(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml") == (Config(), [])


def test_default_path_comes_from_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path))
    assert load_config() == (Config(), [])
    write(tmp_path, 'benchmark = "QQQ"\n')
    config, problems = load_config()
    assert config.benchmark == "QQQ" and problems == []


def test_empty_file_is_fine(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "# nothing set\n")) == (Config(), [])


# --- a valid file -----------------------------------------------------------------------------

VALID = """\
benchmark = " qqq "
theme = "nord"

[refresh]
market_hours = "30s"
off_hours = 7200

[groups]
"Mega caps" = ["AAPL", "msft", "BRK-B"]
Rates = [
    "^TNX",   # ten-year yield
    "TLT",
]
FX = ["EURUSD=X"]
"""


def test_valid_custom_file_is_applied(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, VALID))
    assert problems == []
    assert config == Config(
        groups=(
            Group("Mega caps", ("AAPL", "MSFT", "BRK-B")),
            Group("Rates", ("^TNX", "TLT")),
            Group("FX", ("EURUSD=X",)),
        ),
        benchmark="QQQ",
        refresh_open=30,
        refresh_closed=7200,
        theme="nord",
    )
    # the benchmark is appended because no group lists it
    assert config.symbols() == ["AAPL", "MSFT", "BRK-B", "^TNX", "TLT", "EURUSD=X", "QQQ"]


def test_partial_file_keeps_other_defaults(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, '[refresh]\noff_hours = "2h"\n'))
    assert problems == []
    assert config == Config(refresh_closed=7200)


def test_symbols_benchmark_in_a_group_is_not_repeated() -> None:
    config = Config(groups=(Group("A", ("IWM", "SPY")), Group("B", ("EEM",))), benchmark="SPY")
    assert config.symbols() == ["IWM", "SPY", "EEM"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbfbenchmark = "DIA"\n')
    assert load_config(path) == (Config(benchmark="DIA"), [])


# --- broken files: all defaults, one problem with the line ------------------------------------


def test_toml_syntax_error_gives_defaults_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'benchmark = "QQQ"\n\n[refresh]\nmarket_hours = 5m\n')
    config, problems = load_config(path)
    assert config == Config()  # even the valid benchmark line is not applied
    problem = only(problems)
    assert (problem.path, problem.line, problem.key) == (path, 4, None)
    assert "invalid TOML" in problem.message and "(at line" not in problem.message
    assert str(problem).startswith("config.toml:4: invalid TOML: ")


def test_unclosed_table_header_line(tmp_path: Path) -> None:
    problem = only(load_config(write(tmp_path, "x = 1\n\n\n[groups\n"))[1])
    assert problem.line == 4


def test_error_at_end_of_document_points_at_last_line(tmp_path: Path) -> None:
    problem = only(load_config(write(tmp_path, "[groups]\nA = [\n  'SPY',\n"))[1])
    assert problem.line == 3 and "end of file" in problem.message


def test_duplicate_key_is_a_syntax_error(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, 'theme = "a"\ntheme = "b"\n'))
    assert config == Config()
    assert only(problems).line == 2


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'benchmark = "SPY"\ntheme = "caf\xe9"\n')
    config, problems = load_config(path)
    assert config == Config()
    problem = only(problems)
    assert problem.line == 2 and "UTF-8" in problem.message


def test_unreadable_path_does_not_raise(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)  # a directory: never opened for reading
    assert config == Config()
    problem = only(problems)
    assert problem.line is None and "not a regular file" in problem.message


# --- per-key problems: that value ignored, the rest applied -----------------------------------


def test_unknown_top_level_and_nested_keys(tmp_path: Path) -> None:
    text = 'benchmark = "DIA"\ncolour = "red"\n\n[refresh]\nmarket_hours = "10m"\nweekend = "1h"\n'
    config, problems = load_config(write(tmp_path, text))
    assert config == Config(benchmark="DIA", refresh_open=600)
    assert [(p.line, p.key) for p in problems] == [(2, "colour"), (6, "refresh.weekend")]
    assert all("unknown key" in p.message for p in problems)
    assert "market_hours, off_hours" in problems[1].message


def test_unknown_table(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, '[groups]\nA = ["SPY"]\n\n[notices]\nx = 1\n'))
    assert config.groups == (Group("A", ("SPY",)),)
    problem = only(problems)
    assert (problem.line, problem.key) == (4, "notices")


def test_bad_ticker(tmp_path: Path) -> None:
    text = '[groups]\nBenchmarks = ["SPY"]\n\n\n\n\nSectors = ["XLK", "X?Y", "XLF"]\n'
    config, problems = load_config(write(tmp_path, text))
    assert config.groups == (Group("Benchmarks", ("SPY",)), Group("Sectors", ("XLK", "XLF")))
    problem = only(problems)
    assert (problem.line, problem.key) == (7, "groups.Sectors")
    assert str(problem) == "config.toml:7: groups.Sectors: 'X?Y' is not a ticker symbol; ignored"


def test_bad_benchmark(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, 'benchmark = "S&P 500"\n'))
    assert config == Config()
    assert (only(problems).line, only(problems).key) == (1, "benchmark")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ('"10s"', "minimum of 30 s"),
        ("5", "minimum of 30 s"),
        ('"5 fortnights"', "not a duration"),
        ('"soon"', "not a duration"),
        ('"-5m"', "not a duration"),
        ("true", "got a boolean"),
        ('"30d"', "not a duration"),
        ('"8 days"', "not a duration"),
        ("900000", "maximum"),
    ],
)
def test_bad_duration(tmp_path: Path, value: str, fragment: str) -> None:
    text = f'[refresh]\noff_hours = "2h"\nmarket_hours = {value}\n'
    config, problems = load_config(write(tmp_path, text))
    assert config == Config(refresh_closed=7200)  # the good sibling still applies
    problem = only(problems)
    assert (problem.line, problem.key) == (3, "refresh.market_hours")
    assert fragment in problem.message and "using the default (5m)" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "key", "fragment"),
    [
        ("benchmark = 5\n", 1, "benchmark", "expected a string, got an integer (5)"),
        ('theme = ["nord"]\n', 1, "theme", "expected a string, got an array"),
        ('theme = ""\n', 1, "theme", "is empty"),
        ('refresh = "5m"\n', 1, "refresh", "expected a table, got a string"),
        ('groups = ["SPY"]\n', 1, "groups", "expected a table, got an array"),
        ('[groups]\nA = "SPY"\n', 2, "groups.A", "expected an array of symbols, got a string"),
        ("[groups]\nA = [1, 2]\n", 2, "groups.A", "expected symbols as strings"),
        ("[refresh]\nmarket_hours = [300]\n", 2, "refresh.market_hours", "got an array"),
        ("[refresh]\nmarket_hours = 1979-05-27\n", 2, "refresh.market_hours", "got a date"),
    ],
)
def test_wrong_type(tmp_path: Path, text: str, line: int, key: str, fragment: str) -> None:
    config, problems = load_config(write(tmp_path, text))
    assert config == Config()
    assert any(p.line == line and p.key == key and fragment in p.message for p in problems), [
        str(p) for p in problems
    ]


def test_empty_group_and_duplicates(tmp_path: Path) -> None:
    text = '[groups]\nA = ["SPY", "spy", "QQQ"]\nB = []\nC = ["IWM", "QQQ"]\n'
    config, problems = load_config(write(tmp_path, text))
    assert config.groups == (Group("A", ("SPY", "QQQ")), Group("C", ("IWM",)))
    assert [str(p) for p in problems] == [
        "config.toml:2: groups.A: 'SPY' is already in this group; duplicate ignored",
        "config.toml:3: groups.B: empty group; ignored",
        "config.toml:4: groups.C: 'QQQ' is already in group 'A'; duplicate ignored",
    ]


def test_no_usable_group_falls_back_to_defaults(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, '[groups]\nA = []\nB = ["??"]\n'))
    assert config.groups == DEFAULT_GROUPS
    # sorted by line: the summary sits on the [groups] header line
    assert [(p.line, p.key) for p in problems] == [(1, "groups"), (2, "groups.A"), (3, "groups.B")]
    assert "default groups" in problems[0].message


def test_quoted_and_inline_keys_get_lines(tmp_path: Path) -> None:
    text = (
        "# comment\n"
        'refresh = { market_hours = "1s" }\n'
        "[groups]\n"
        "'Size/Style/Intl' = [\n"
        '  "IWM",\n'
        '  "b@d",\n'
        "]\n"
    )
    config, problems = load_config(write(tmp_path, text))
    assert config.groups == (Group("Size/Style/Intl", ("IWM",)),)
    assert [(p.line, p.key) for p in problems] == [
        (2, "refresh.market_hours"),  # inline table: the line of its parent key
        (4, 'groups."Size/Style/Intl"'),
    ]


def test_keys_inside_multiline_strings_are_not_mistaken(tmp_path: Path) -> None:
    text = 'theme = """\nbogus = 1\n[groups]\n"""\n[groups]\nA = ["X X"]\n'
    config, problems = load_config(write(tmp_path, text))
    assert config.theme.startswith("bogus")
    # the [groups] inside the string (line 3) is not taken for the real header (line 5)
    assert [(p.line, p.key) for p in problems] == [(5, "groups"), (6, "groups.A")]


def test_several_problems_at_once(tmp_path: Path) -> None:
    text = """\
benchmark = "IWM"
theme = 3
colour = "red"

[refresh]
market_hours = "1s"
off_hours = "90m"

[groups]
Good = ["SPY", "IWM"]
Bad = ["SP Y"]
Empty = []
"""
    config, problems = load_config(write(tmp_path, text))
    assert config == Config(
        groups=(Group("Good", ("SPY", "IWM")),), benchmark="IWM", refresh_closed=5400
    )
    assert [(p.line, p.key) for p in problems] == [
        (2, "theme"),
        (3, "colour"),
        (6, "refresh.market_hours"),
        (11, "groups.Bad"),
        (12, "groups.Empty"),
    ]
    assert all(p.path == tmp_path / "config.toml" for p in problems)


def test_problem_str_format() -> None:
    path = Path("/home/u/.config/rotmon/config.toml")
    assert (
        str(ConfigProblem(path, 7, "groups.Sectors", "bad")) == "config.toml:7: groups.Sectors: bad"
    )
    assert str(ConfigProblem(path, 3, None, "bad")) == "config.toml:3: bad"
    assert str(ConfigProblem(path, None, None, "bad")) == "config.toml: bad"
    assert str(ConfigProblem(path, None, "theme", "bad")) == "config.toml: theme: bad"


def test_custom_file_name_in_messages(tmp_path: Path) -> None:
    problem = only(load_config(write(tmp_path, "oops = 1\n", name="work.toml"))[1])
    assert str(problem).startswith("work.toml:1: oops: unknown key")


# --- helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("spy", "SPY"),
        ("  ^vix ", "^VIX"),
        ("brk-b", "BRK-B"),
        ("BRK.B", "BRK.B"),
        ("EURUSD=X", "EURUSD=X"),
        ("es=f", "ES=F"),
        ("", None),
        ("X?Y", None),
        ("S P Y", None),
        ("-SPY", None),
        ("ABCDEFGHIJKLMNOP", None),  # 16 characters
        ("$SPY", None),
    ],
)
def test_normalize_symbol(text: str, expected: str | None) -> None:
    assert normalize_symbol(text) == expected


def test_normalize_symbol_rejects_non_strings() -> None:
    assert normalize_symbol(5) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30),
        (300, 300),
        (90.0, 90),
        ("30s", 30),
        ("5m", 300),
        ("1h", 3600),
        ("1.5h", 5400),
        (" 2 hours ", 7200),
        ("90 sec", 90),
        ("600", 600),
        ("10M", 600),
    ],
)
def test_parse_duration(value: object, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", [29, "29s", "0m", True, None, [5], "5x", "", float("nan")])
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_load_config_never_raises(content: bytes | str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "config.toml"
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        config, problems = load_config(path)
    assert isinstance(config, Config)
    assert config.groups and config.symbols()
    assert all(isinstance(p, ConfigProblem) and str(p) for p in problems)


# printable characters TOML accepts unescaped inside a basic string
_CHARS = st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f")


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(_CHARS, min_size=1, max_size=8),
        st.lists(st.text(_CHARS, max_size=6), max_size=5)
        | st.integers()
        | st.text(_CHARS, max_size=6),
        max_size=5,
    )
)
def test_arbitrary_groups_never_raise(groups: dict) -> None:
    def toml(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["[groups]"] + [f"{toml(k)} = {toml(v)}" for k, v in groups.items()]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "config.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        config, problems = load_config(path)
    assert config.groups
    assert len(config.symbols()) == len(set(config.symbols()))
    for problem in problems:
        assert problem.line is not None and problem.key is not None


def test_alerts_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[alerts]\nnotify = true\nbell = "loud"\nflash = true\n')
    config, problems = load_config(path)
    assert config.alerts is True and config.alert_bell is True  # the bad value is ignored
    assert [(p.line, p.key) for p in problems] == [(3, "alerts.bell"), (4, "alerts.flash")]
    path.write_text("[alerts]\nbell = false\n")
    config, problems = load_config(path)
    assert (config.alerts, config.alert_bell, problems) == (True, False, [])
