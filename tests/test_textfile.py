"""Config, rules, events and theme paths that are not regular files (a FIFO, a directory, a
device) are reported and skipped, never opened for a read that blocks (issue 16, finding 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.textfile import read_text

REPO = Path(__file__).resolve().parents[1]

LOADER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tui.config import load_config
    from tui.regime.rules import load_rules
    from tui.regime.events import load_events
    from tui.textfile import read_text
    folder = Path(sys.argv[1])
    out = {
        "config": [p.message for p in load_config(folder / "config.toml")[1]],
        "rules": [p.message for p in load_rules(folder / "rules.toml")[1]],
        "events": [p.message for p in load_events(folder / "events.toml")[1]],
        "theme": read_text(folder / "themes" / "mine.toml", 100_000)[1],
    }
    print(json.dumps(out))
    """
)


def test_fifos_in_place_of_every_file_are_reported_not_read(tmp_path: Path) -> None:
    """A real process loads all four with FIFOs (no writer: a blocking open would hang)."""
    (tmp_path / "themes").mkdir()
    for name in ("config.toml", "rules.toml", "events.toml", "themes/mine.toml"):
        os.mkfifo(tmp_path / name)
    proc = subprocess.run(
        [sys.executable, "-c", LOADER, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["config"] == ["is a FIFO (named pipe), not a regular file; using the defaults"]
    assert (
        len(result["rules"]) == 1
        and "is a FIFO (named pipe), not a regular file" in (result["rules"][0])
    )
    assert result["events"] == ["is a FIFO (named pipe), not a regular file; no events loaded"]
    assert result["theme"] == [None, "is a FIFO (named pipe), not a regular file"]


def test_a_directory_and_a_device_are_reported(tmp_path: Path) -> None:
    (tmp_path / "config.toml").mkdir()
    assert read_text(tmp_path / "config.toml", 1000) == (
        None,
        (None, "is a directory, not a regular file"),
    )
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    # /dev/zero would never end a read; it is refused before any read.
    assert read_text(Path("/dev/zero"), 1000) == (None, (None, "is a device, not a regular file"))


def test_a_symlink_to_a_regular_file_is_still_read(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles-config.toml"
    real.write_text("\ufefftitle = 'x'\n", encoding="utf-8")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    assert read_text(link, 1000) == ("title = 'x'\n", None)
    assert read_text(tmp_path / "missing.toml", 1000) == (None, None)
