"""Layering, checked in a fresh interpreter: no textual outside tui.app, no pandas on frame 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

NON_UI_MODULES = [
    "tui.locations",
    "tui.config",
    "tui.data.cache",
    "tui.analytics.returns",
    "tui.analytics.relative",
    "tui.analytics.table",
    "tui.regime.fed",
    "tui.regime.fomc",
    "tui.regime.engine",
    "tui.regime.rules",
    "tui.regime.catalysts",
    "tui.regime.events",
    "tui.data.earnings",
    "tui.analytics.rrg",
    "tui.data.yahoo",
    "tui.data.refresh",
    "tui.data.snapshot",
    "tui.data.csvimport",
    "tui.report",
    "tui.format",
    "tui.universe",
    "tui.cli",
    "tui.config_edit",
    "tui.data.watchlist",
]
"""Modules that must never pull in textual."""

FIRST_FRAME_MODULES = [
    "tui.locations",
    "tui.config",
    "tui.data.cache",
    "tui.report",
    "tui.cli",
    "tui.app.app",
]
"""Modules on the app's first-frame path: they must not import pandas at import time."""


def _exists(module: str) -> bool:
    """True if the module's source file is in the repo (some are written by other helpers)."""
    return (ROOT / Path(*module.split("."))).with_suffix(".py").is_file()


def _loaded_after_import(module: str) -> set[str]:
    """Names in sys.modules after importing ``module`` in a fresh interpreter."""
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", NON_UI_MODULES)
def test_no_textual_outside_the_app(module: str) -> None:
    if not _exists(module):
        pytest.skip(f"{module} not written yet")
    loaded = _loaded_after_import(module)
    assert module in loaded
    assert "textual" not in loaded, f"{module} imports textual"


@pytest.mark.parametrize("module", FIRST_FRAME_MODULES)
def test_first_frame_modules_do_not_import_pandas(module: str) -> None:
    if not _exists(module):
        pytest.skip(f"{module} not written yet")
    loaded = _loaded_after_import(module)
    assert "pandas" not in loaded, f"{module} imports pandas at import time"


def test_first_frame_path_leaves_heavy_modules_to_workers() -> None:
    """The app module paints its first frame without pandas, numpy, yfinance or plotext."""
    loaded = _loaded_after_import("tui.app.app")
    assert "textual" in loaded
    for heavy in ("pandas", "numpy", "yfinance", "plotext"):
        assert heavy not in loaded, f"tui.app.app imports {heavy} before the first frame"
