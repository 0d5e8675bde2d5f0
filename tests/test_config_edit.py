"""Editing the groups in config.toml: the user's text survives, writes are atomic and checked."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tui.config import DEFAULT_GROUPS, Config, Group, load_config
from tui.config_edit import add_symbol, add_symbols, remove_symbol

ROOT = Path(__file__).resolve().parents[1]

USER_CONFIG = """\
# My rotmon setup -- keep these notes!
benchmark = "SPY"   # the yardstick

[refresh]
market_hours = "5m"

[groups]  # my groups, my order
# index proxies first
Core = ["SPY", "QQQ"]  # the big two
"Size/Style" = [
    "IWM",   # small caps
    'vbr',   # value, lower-case on purpose
]
Macro = [ "^VIX" ]

[experimental]   # not a rotmon key: must be kept as is
answer = 42
"""


def files_in(directory: Path) -> dict[str, bytes]:
    """Every file in ``directory`` with its bytes (temp files would show up here)."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.fixture
def user_config(tmp_path: Path) -> Path:
    return write(tmp_path / "config" / "config.toml", USER_CONFIG)


def current(path: Path) -> Config:
    return load_config(path)[0]


# --- adding -----------------------------------------------------------------------------------


def test_add_keeps_every_other_byte(user_config: Path) -> None:
    config = add_symbol(user_config, "Size/Style", "eem", current=current(user_config))
    expected = USER_CONFIG.replace(
        "    'vbr',   # value, lower-case on purpose\n",
        "    'vbr',   # value, lower-case on purpose\n    \"EEM\",\n",
    )
    assert user_config.read_text(encoding="utf-8") == expected
    assert Group("Size/Style", ("IWM", "VBR", "EEM")) in config.groups


def test_add_to_an_inline_array_keeps_its_comment(user_config: Path) -> None:
    add_symbol(user_config, "Core", "DIA", current=current(user_config))
    text = user_config.read_text(encoding="utf-8")
    assert 'Core = ["SPY", "QQQ", "DIA"]  # the big two\n' in text
    assert text.replace('"QQQ", "DIA"]', '"QQQ"]') == USER_CONFIG


def test_new_group_is_appended_with_its_name_quoted(user_config: Path) -> None:
    config = add_symbol(user_config, "My Watch", "nvda", current=current(user_config))
    text = user_config.read_text(encoding="utf-8")
    assert text == USER_CONFIG.replace(
        'Macro = [ "^VIX" ]\n', 'Macro = [ "^VIX" ]\n"My Watch" = ["NVDA"]\n'
    )
    assert [g.name for g in config.groups] == ["Core", "Size/Style", "Macro", "My Watch"]
    assert [p.key for p in load_config(user_config)[1]] == ["experimental"]  # as before


def test_add_on_defaults_writes_the_default_groups_then_the_symbol(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "config.toml"  # neither the file nor its dir exists
    config = add_symbol(path, "Themes", "smh", current=Config())
    assert path.read_text(encoding="utf-8") == (
        "[groups]\n"
        "# Groups in display order; this table replaces rotmon's default groups.\n"
        'Benchmarks = ["SPY", "QQQ", "RSP", "DIA"]\n'
        '"Size/Style/Intl" = ["IWM", "VBR", "EEM", "EEMV", "DFAT"]\n'
        'Sectors = ["XLK", "XLF", "XLE", "XLI", "XLU", "XLV", "XLY", "XLP", "XLB", "XLRE", "XLC"]\n'
        'Themes = ["KRE", "CFG", "RF", "ZION", "AAON", "ROAD", "SMH"]\n'
        'Factors = ["MTUM", "QUAL", "USMV", "VLUE", "SIZE", "IWD", "IWF", "SPHB", "SPLV", "MGK"]\n'
        'Macro = ["^VIX", "^TNX", "^IRX", "HYG", "IEF", "TLT", "UUP"]\n'
    )
    themes = Group("Themes", ("KRE", "CFG", "RF", "ZION", "AAON", "ROAD", "SMH"))
    assert config.groups == (*DEFAULT_GROUPS[:3], themes, *DEFAULT_GROUPS[4:])
    assert load_config(path) == (config, [])
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_add_on_defaults_keeps_the_rest_of_an_existing_file(tmp_path: Path) -> None:
    before = '# mine\nbenchmark = "QQQ"  # tech-heavy\n'
    path = write(tmp_path / "config.toml", before)
    seeded = Config(groups=(Group("Only", ("AAA",)),), benchmark="QQQ")
    config = add_symbol(path, "Only", "BBB", current=seeded)
    assert path.read_text(encoding="utf-8") == (
        before + "\n[groups]\n"
        "# Groups in display order; this table replaces rotmon's default groups.\n"
        'Only = ["AAA", "BBB"]\n'
    )
    assert config == Config(groups=(Group("Only", ("AAA", "BBB")),), benchmark="QQQ")


def test_add_symbols_skips_present_ones_and_reports_what_it_added(user_config: Path) -> None:
    config, added = add_symbols(
        user_config, "Watch", ["nvda", "SPY", "vbr", "NVDA", "amd"], current=current(user_config)
    )
    assert added == ["NVDA", "AMD"]
    assert user_config.read_text(encoding="utf-8") == USER_CONFIG.replace(
        'Macro = [ "^VIX" ]\n', 'Macro = [ "^VIX" ]\nWatch = ["NVDA", "AMD"]\n'
    )
    assert config.groups[-1] == Group("Watch", ("NVDA", "AMD"))
    again, added = add_symbols(user_config, "Watch", ["NVDA"], current=config)
    assert (again, added) == (config, [])


def test_add_symbols_with_nothing_new_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config, added = add_symbols(path, "Watch", ["SPY", "XLK"], current=Config())
    assert (config, added) == (Config(), [])
    assert not path.exists()  # the defaults were not written out for nothing


def test_add_symbols_refuses_the_whole_batch_if_one_is_invalid(user_config: Path) -> None:
    with pytest.raises(ValueError, match=r"'BAD\?' is not a ticker symbol"):
        add_symbols(user_config, "Watch", ["NVDA", "BAD?"], current=current(user_config))
    assert user_config.read_text(encoding="utf-8") == USER_CONFIG


def test_a_group_name_written_with_spaces_is_found(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", '[groups]\n" Tech " = ["XLK"]\n')
    config = add_symbol(path, "Tech", "SMH", current=current(path))
    assert path.read_text() == '[groups]\n" Tech " = ["XLK", "SMH"]\n'
    assert config.groups == (Group("Tech", ("XLK", "SMH")),)


def test_dotted_and_inline_groups_are_edited_in_place(tmp_path: Path) -> None:
    dotted = write(tmp_path / "a.toml", 'groups.Tech = ["XLK"]\ntheme = "rotmon-light"\n')
    add_symbol(dotted, "Tech", "SMH", current=current(dotted))
    assert dotted.read_text() == 'groups.Tech = ["XLK", "SMH"]\ntheme = "rotmon-light"\n'
    inline = write(tmp_path / "b.toml", 'groups = { Tech = ["XLK"] }\n')
    config = add_symbol(inline, "Tech", "SMH", current=current(inline))
    assert inline.read_text() == 'groups = { Tech = ["XLK", "SMH"] }\n'
    assert config.groups == (Group("Tech", ("XLK", "SMH")),)


def test_windows_line_ends_and_bom_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbf# hi\r\n[groups]\r\nA = [\r\n  "X",\r\n]\r\n')
    add_symbol(path, "B", "Y", current=current(path))
    assert (
        path.read_bytes()
        == b'\xef\xbb\xbf# hi\r\n[groups]\r\nA = [\r\n  "X",\r\n]\r\nB = ["Y"]\r\n'
    )


def test_an_existing_file_keeps_its_permissions(user_config: Path) -> None:
    user_config.chmod(0o640)
    add_symbol(user_config, "Core", "DIA", current=current(user_config))
    assert stat.S_IMODE(user_config.stat().st_mode) == 0o640


# --- refusals ---------------------------------------------------------------------------------


def test_a_symbol_in_another_group_is_refused(user_config: Path) -> None:
    with pytest.raises(ValueError) as caught:
        add_symbol(user_config, "Core", "vbr", current=current(user_config))
    assert str(caught.value) == (
        "VBR is already in group 'Size/Style'; a symbol can be in one group only "
        "(remove it there first)"
    )
    assert user_config.read_text(encoding="utf-8") == USER_CONFIG


def test_a_symbol_already_in_the_group_is_refused(user_config: Path) -> None:
    with pytest.raises(ValueError, match=r"^QQQ is already in group 'Core'$"):
        add_symbol(user_config, "Core", "qqq", current=current(user_config))
    assert user_config.read_text(encoding="utf-8") == USER_CONFIG


@pytest.mark.parametrize("symbol", ["", "  ", "A B", "X?Y", "$SPX", "A" * 16, "NASDAQ:AAPL"])
def test_an_invalid_ticker_is_refused(tmp_path: Path, symbol: str) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ValueError, match="is not a ticker symbol"):
        add_symbol(path, "Watch", symbol, current=Config())
    assert not path.exists()


@pytest.mark.parametrize("name", ["", "   ", "tab\there", "x" * 61])
def test_a_bad_group_name_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ValueError, match="group name"):
        add_symbol(path, name, "NVDA", current=Config())
    assert not path.exists()


def test_a_broken_config_is_not_rewritten(tmp_path: Path) -> None:
    text = '# note\n[groups]\nCore = ["SPY", "QQQ"\nTech = ["XLK"]\n'
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ValueError) as caught:
        add_symbol(path, "Core", "DIA", current=Config())
    message = str(caught.value)
    assert message.startswith(f"{path}:4: invalid TOML (")
    assert message.endswith("fix it first, the file was not changed")
    assert "\n" not in message
    assert files_in(tmp_path) == {"config.toml": text.encode()}


def test_a_config_that_is_not_utf8_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    data = b'[groups]\n# caf\xe9\nCore = ["SPY"]\n'
    path.write_bytes(data)
    with pytest.raises(ValueError, match=rf"^{path}:2: not UTF-8 text \(byte 0xe9\)"):
        remove_symbol(path, "Core", "SPY", current=Config())
    assert path.read_bytes() == data


def test_groups_that_are_not_a_table_are_not_touched(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", '# mine\ngroups = ["SPY"]\n')
    with pytest.raises(ValueError, match=rf"^{path}:2: groups is not a table; fix it first$"):
        add_symbol(path, "Core", "DIA", current=Config())
    assert path.read_text() == '# mine\ngroups = ["SPY"]\n'


def test_a_group_that_is_not_an_array_is_not_touched(tmp_path: Path) -> None:
    text = '[groups]\nCore = ["SPY"]\nOdd = "QQQ"\n'
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ValueError, match=rf"^{path}:3: groups.Odd is not an array of symbols"):
        add_symbol(path, "Odd", "DIA", current=current(path))
    assert path.read_text() == text


def test_groups_without_a_usable_group_are_not_touched(tmp_path: Path) -> None:
    text = '[groups]\nCore = ["x?y"]\n'
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ValueError, match=rf"^{path}:1: \[groups\] has no usable group"):
        add_symbol(path, "Core", "DIA", current=current(path))
    assert path.read_text() == text


def test_an_edit_that_would_add_a_config_problem_is_not_written(tmp_path: Path) -> None:
    # The only usable symbol goes; the group keeps an invalid entry, so load_config would fall
    # back to the default groups: a new problem, so nothing is written.
    text = '[groups]\nCore = ["SPY", "x?y"]\n'
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ValueError, match="no usable groups; .*not written"):
        remove_symbol(path, "Core", "SPY", current=current(path))
    assert files_in(tmp_path) == {"config.toml": text.encode()}


# --- removing ---------------------------------------------------------------------------------


def test_remove_a_symbol(user_config: Path) -> None:
    config = remove_symbol(user_config, "Size/Style", "VBR", current=current(user_config))
    assert user_config.read_text(encoding="utf-8") == USER_CONFIG.replace(
        "    'vbr',   # value, lower-case on purpose\n", ""
    )
    assert Group("Size/Style", ("IWM",)) in config.groups


def test_removing_the_last_symbol_removes_the_group(user_config: Path) -> None:
    config = remove_symbol(user_config, "Macro", "^vix", current=current(user_config))
    assert user_config.read_text(encoding="utf-8") == USER_CONFIG.replace(
        'Macro = [ "^VIX" ]\n', ""
    )
    assert [g.name for g in config.groups] == ["Core", "Size/Style"]


def test_the_last_symbol_of_the_last_group_stays(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", '[groups]\nOnly = ["SPY"]\n')
    with pytest.raises(ValueError, match="last symbol of the last group"):
        remove_symbol(path, "Only", "SPY", current=current(path))
    assert path.read_text() == '[groups]\nOnly = ["SPY"]\n'


def test_remove_on_defaults_writes_the_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = remove_symbol(path, "Benchmarks", "RSP", current=Config())
    assert config.groups[0] == Group("Benchmarks", ("SPY", "QQQ", "DIA"))
    assert config.groups[1:] == DEFAULT_GROUPS[1:]


@pytest.mark.parametrize(
    ("group", "symbol", "message"),
    [("Core", "XLK", "XLK is not in group 'Core'"), ("Nope", "SPY", "there is no group 'Nope'")],
)
def test_remove_what_is_not_there(user_config: Path, group: str, symbol: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        remove_symbol(user_config, group, symbol, current=current(user_config))
    assert user_config.read_text(encoding="utf-8") == USER_CONFIG


# --- atomic writes and symlinks ---------------------------------------------------------------


def test_no_temp_file_is_left_behind(user_config: Path) -> None:
    config = current(user_config)
    config = add_symbol(user_config, "Core", "DIA", current=config)
    config = remove_symbol(user_config, "Core", "DIA", current=config)
    assert files_in(user_config.parent) == {"config.toml": USER_CONFIG.encode()}


def test_a_failed_replace_leaves_the_file_as_it_was(
    user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str]] = []

    def failing_replace(src: str, dst: str) -> None:
        calls.append((str(src), str(dst)))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(ValueError, match="cannot write .*No space left on device; not changed"):
        add_symbol(user_config, "Core", "DIA", current=current(user_config))
    assert len(calls) == 1 and Path(calls[0][1]) == user_config
    assert Path(calls[0][0]).parent == user_config.parent  # the temp file was a sibling
    assert files_in(user_config.parent) == {"config.toml": USER_CONFIG.encode()}


def test_a_symlink_inside_the_config_dir_edits_its_target(tmp_path: Path) -> None:
    directory = tmp_path / "config"
    target = write(directory / "profiles" / "work.toml", '[groups]\nCore = ["SPY"]\n')
    link = directory / "config.toml"
    link.symlink_to(Path("profiles") / "work.toml")
    config = add_symbol(link, "Core", "QQQ", current=current(link))
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text() == '[groups]\nCore = ["SPY", "QQQ"]\n'
    assert config.groups == (Group("Core", ("SPY", "QQQ")),)
    assert sorted(p.name for p in (directory / "profiles").iterdir()) == ["work.toml"]


def test_a_symlink_out_of_the_config_dir_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path / "dotfiles" / "rotmon.toml", '[groups]\nCore = ["SPY"]\n')
    link = tmp_path / "config" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(outside)
    with pytest.raises(ValueError, match="is a symlink to .*outside"):
        add_symbol(link, "Core", "QQQ", current=current(link))
    assert outside.read_text() == '[groups]\nCore = ["SPY"]\n'
    assert link.is_symlink()
    assert [p.name for p in link.parent.iterdir()] == ["config.toml"]


def test_a_symlink_loop_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "config.toml"
    link.symlink_to(link)
    with pytest.raises(ValueError):
        add_symbol(link, "Core", "QQQ", current=Config())
    assert link.is_symlink()


def test_a_directory_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.toml").mkdir()
    with pytest.raises(ValueError, match="not a regular file"):
        add_symbol(tmp_path / "config.toml", "Core", "QQQ", current=Config())


def test_no_textual_and_no_pandas() -> None:
    code = (
        "import json, sys; import tui.config_edit, tui.data.watchlist; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert "tomlkit" in loaded
    assert not {"textual", "pandas"} & loaded
