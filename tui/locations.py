"""Where rotmon keeps its files: config and cache paths, each overridable by an env var.

``ROTMON_CONFIG_DIR``, ``ROTMON_CONFIG`` (the config file itself) and ``ROTMON_CACHE_DIR`` win over
the platform defaults from platformdirs (app name ``rotmon``). Empty variables count as unset.
Nothing here creates directories; callers do that when they write.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "rotmon"
CONFIG_FILE_NAME = "config.toml"
CACHE_FILE_NAME = "rotmon.sqlite"


def _env_path(name: str) -> Path | None:
    """The path in env var ``name`` (``~`` expanded), or None when unset or empty."""
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """Directory of the config file: ``$ROTMON_CONFIG_DIR`` or the platform config dir."""
    return _env_path("ROTMON_CONFIG_DIR") or Path(
        platformdirs.user_config_dir(APP_NAME, appauthor=False)
    )


def config_path() -> Path:
    """The config file: ``$ROTMON_CONFIG`` or ``config_dir() / "config.toml"``."""
    return _env_path("ROTMON_CONFIG") or config_dir() / CONFIG_FILE_NAME


def cache_dir() -> Path:
    """Directory of the price cache: ``$ROTMON_CACHE_DIR`` or the platform cache dir."""
    return _env_path("ROTMON_CACHE_DIR") or Path(
        platformdirs.user_cache_dir(APP_NAME, appauthor=False)
    )


_default_cache_dir = cache_dir  # cache_path's parameter shadows the function name


def cache_path(cache_dir: Path | None = None) -> Path:
    """The SQLite cache file ``rotmon.sqlite`` inside ``cache_dir`` (default: ``cache_dir()``)."""
    directory = cache_dir if cache_dir is not None else _default_cache_dir()
    return Path(directory) / CACHE_FILE_NAME


RULES_FILE_NAME = "rules.toml"


def rules_path() -> Path:
    """The user's regime-rule overrides: <config dir>/rules.toml (optional)."""
    return config_dir() / RULES_FILE_NAME


def export_dir() -> Path:
    """Where `e` writes CSV and SVG exports: $ROTMON_EXPORT_DIR, else <Documents>/rotmon."""
    return _env_path("ROTMON_EXPORT_DIR") or Path(platformdirs.user_documents_dir()) / APP_NAME


def user_themes_dir() -> Path:
    """The user's own themes: ``themes/`` in the config dir (``$ROTMON_CONFIG_DIR`` moves it)."""
    return config_dir() / "themes"
