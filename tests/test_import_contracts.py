"""The layer contracts in pyproject.toml hold, and they catch what they are there to catch.

`lint-imports` (import-linter) checks them statically, function-level imports included. The
second half breaks a copy of the tree on purpose and checks that the tool says so: a contract
that cannot fail would prove nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` run in `cwd` (it reads cwd's pyproject.toml and imports `tui` from cwd)."""
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    return subprocess.run(
        [exe, "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_repository_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout, result.stdout


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The package and its pyproject, copied where they can be broken."""
    shutil.copytree(ROOT / "tui", tmp_path / "tui", ignore=shutil.ignore_patterns("*.gz"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_data_importing_the_cli_breaks_the_layers(tree_copy: Path) -> None:
    add_line(tree_copy / "tui" / "data" / "watchlist.py", "from tui.cli import UsageError")
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "Layers: entry points" in result.stdout and "BROKEN" in result.stdout
    assert "tui.data.watchlist -> tui.cli" in result.stdout, result.stdout


def test_textual_in_the_session_layer_is_forbidden(tree_copy: Path) -> None:
    add_line(tree_copy / "tui" / "session.py", "import textual")
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "Textual only in the app" in result.stdout and "BROKEN" in result.stdout


def test_a_cycle_between_app_packages_is_caught(tree_copy: Path) -> None:
    """Screens import widgets; a widget importing a screen back makes a cycle."""
    add_line(
        tree_copy / "tui" / "app" / "widgets" / "status_bar.py",
        "from tui.app.screens import help as _help",
    )
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "No import cycles" in result.stdout and "BROKEN" in result.stdout, result.stdout
