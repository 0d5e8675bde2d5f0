"""Shared fixtures: every test runs with its own config and cache dirs, never the user's.

Also: the kind of each test (a marker, so ``pytest -m unit`` runs the fast part alone; see
MODULE_KINDS) and the seeded templates behind ``faults_helpers.seeded_copy``.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterator
from pathlib import Path

import faults_helpers
import pytest

KINDS = ("unit", "app", "faults", "snapshots")
"""Every test has exactly one of these markers (registered in pyproject.toml)."""

MODULE_KINDS = {
    "test_snapshots": "snapshots",  # pictures of the real app (pytest-textual-snapshot)
    "test_faults": "faults",  # damaged/full caches, killed and concurrent processes
    "test_viewer": "faults",  # one refresher and many read-only viewers of one cache file
    "test_app": "app",  # the dashboard driven by Textual's pilot
    "test_rrg_screen": "app",
    "test_first_frame": "app",
    "test_serve": "app",  # `rotmon serve`: a real server process and a browser's websocket
}
"""The kind of a module's tests, by the start of its name (``test_faults`` covers
test_faults_app.py, test_faults_cache.py, ...). In any other module a test that takes
``snap_compare`` is ``snapshots``, an ``async`` one (it drives the app with Textual's pilot)
is ``app``, and the rest are ``unit``."""


def kind_of(item: pytest.Item) -> str:
    module = item.path.stem
    for prefix, kind in MODULE_KINDS.items():
        if module == prefix or module.startswith(prefix + "_"):
            return kind
    if "snap_compare" in getattr(item, "fixturenames", ()):
        return "snapshots"
    function = getattr(item, "function", None)
    return "app" if inspect.iscoroutinefunction(function) else "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(kind_of(item))


@pytest.fixture(scope="session", autouse=True)
def _seeded_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The folder where ``seeded_copy`` builds its templates, each on first use (so a run
    that never asks for one never seeds)."""
    faults_helpers.TEMPLATES_DIR = tmp_path_factory.mktemp("seeded-templates")
    yield
    faults_helpers.TEMPLATES_DIR = None


@pytest.fixture
def seeded_cache(tmp_path: Path) -> Path:
    """The default cache file under the isolated dirs (``tmp_path/cache/rotmon.sqlite``),
    already seeded as the app's first start seeds it: a copy of a template seeded once."""
    return faults_helpers.seeded_copy(tmp_path / "cache" / "rotmon.sqlite")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every platformdirs path at a temp dir and keep yfinance off the network."""
    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ROTMON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ROTMON_EXPORT_DIR", str(tmp_path / "exports"))
    # The market clock shows the user's zone beside ET: one zone for every machine.
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("ROTMON_CONFIG", raising=False)
    # Any accidental real request fails fast instead of reaching the network.
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)


@pytest.fixture(autouse=True)
def _same_picture_everywhere(request: pytest.FixtureRequest) -> Iterator[None]:
    """For snapshot tests (those taking ``snap_compare``): UTC as local time (the catalysts'
    'Local' column, the status line, the market clock) and colours on, whatever the
    developer's zone and NO_COLOR; restored afterwards."""
    if "snap_compare" not in request.fixturenames:
        yield
        return
    if not hasattr(time, "tzset"):  # Windows: no way to change the local zone in-process
        pytest.skip("snapshots need time.tzset to show local times in UTC")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        patch.delenv("NO_COLOR", raising=False)
        time.tzset()
        yield
    time.tzset()
