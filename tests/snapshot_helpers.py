"""What every snapshot module shares: one picture on every machine, and the app it photographs.

`snap` builds the app of screenshots/generate.py on a seeded cache copy and compares it at a
size. The same picture on every machine (UTC as local time, colours on) comes from the autouse
fixture `_same_picture_everywhere` in tests/conftest.py, for every test that takes
`snap_compare`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from faults_helpers import seeded_copy

from screenshots.generate import Step, make_app

SnapCompare = Callable[..., bool]


def snap(
    snap_compare: SnapCompare,
    tmp_path: Path,
    step: Step,
    size: tuple[int, int],
    theme: str | None = None,
) -> bool:
    """The app on a seeded cache copy, brought to its screen by `step`, compared at `size`."""
    app = make_app(seeded_copy(tmp_path / "cache" / "rotmon.sqlite"), theme)
    return snap_compare(app, terminal_size=size, run_before=step)
