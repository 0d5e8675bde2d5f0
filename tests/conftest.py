"""Shared fixtures: every test runs with its own config and cache dirs, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every platformdirs path at a temp dir and keep yfinance off the network."""
    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ROTMON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ROTMON_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.delenv("ROTMON_CONFIG", raising=False)
    # Any accidental real request fails fast instead of reaching the network.
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
