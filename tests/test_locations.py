"""Paths come from env overrides first, platformdirs (app name "rotmon") otherwise."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from tui import locations


def test_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("ROTMON_CACHE_DIR", str(tmp_path / "cache"))
    assert locations.config_dir() == tmp_path / "cfg"
    assert locations.config_path() == tmp_path / "cfg" / "config.toml"
    assert locations.cache_dir() == tmp_path / "cache"
    assert locations.cache_path() == tmp_path / "cache" / "rotmon.sqlite"


def test_config_file_override_wins_over_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("ROTMON_CONFIG", str(tmp_path / "elsewhere" / "mine.toml"))
    assert locations.config_path() == tmp_path / "elsewhere" / "mine.toml"
    assert locations.config_dir() == tmp_path / "cfg"


def test_platform_defaults_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ROTMON_CONFIG_DIR", "ROTMON_CONFIG", "ROTMON_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    config_dir = Path(platformdirs.user_config_dir("rotmon", appauthor=False))
    cache_dir = Path(platformdirs.user_cache_dir("rotmon", appauthor=False))
    assert locations.config_dir() == config_dir
    assert locations.config_path() == config_dir / "config.toml"
    assert locations.cache_dir() == cache_dir
    assert locations.cache_path() == cache_dir / "rotmon.sqlite"
    assert "rotmon" in str(config_dir) and "rotmon" in str(cache_dir)


def test_empty_env_var_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROTMON_CONFIG_DIR", "")
    monkeypatch.setenv("ROTMON_CONFIG", "  ")
    assert locations.config_dir() == Path(platformdirs.user_config_dir("rotmon", appauthor=False))
    assert locations.config_path() == locations.config_dir() / "config.toml"


def test_tilde_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ROTMON_CACHE_DIR", "~/rc")
    assert locations.cache_dir() == tmp_path / "rc"


def test_cache_path_with_explicit_dir(tmp_path: Path) -> None:
    assert locations.cache_path(tmp_path) == tmp_path / "rotmon.sqlite"


def test_nothing_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("ROTMON_CACHE_DIR", str(tmp_path / "cache"))
    locations.config_path()
    locations.cache_path()
    assert not (tmp_path / "cfg").exists()
    assert not (tmp_path / "cache").exists()
