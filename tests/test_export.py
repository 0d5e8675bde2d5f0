"""Exports: new files only, under a fresh name, never through a link planted at the name."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest

from tui.export import stamped, table_csv, write_atomic, write_export, write_exports

NOW = datetime(2026, 8, 3, 11, 0, 5)
ROWS = [{"symbol": "SPY", "last_date": "2026-07-31", "close": 630.5, "ret": {"1D": 0.01}}]
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><text>rotmon</text></svg>\n'


def test_csv_and_svg_share_one_stamped_name(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    csv_path, svg_path = write_exports(folder, {".csv": table_csv(ROWS), ".svg": SVG}, NOW)
    assert csv_path == folder / "rotmon-20260803-110005.csv"
    assert svg_path == folder / "rotmon-20260803-110005.svg"
    assert csv_path.read_text().splitlines()[1].startswith("SPY,2026-07-31,630.5,0.01,")
    assert svg_path.read_text() == SVG
    assert stamped(folder, ".svg", NOW) == svg_path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(svg_path.stat().st_mode) == 0o600


@pytest.mark.parametrize("planted", [".csv", ".svg"])
def test_links_planted_at_the_predictable_names_are_never_followed(
    tmp_path: Path, planted: str
) -> None:
    """The attack of issue 16: a link at `rotmon-<stamp>.svg` pointing outside the export
    dir. Both the existing target and a not-yet-existing one are left alone."""
    folder = tmp_path / "exports"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    never = tmp_path / "never-created.txt"
    (folder / f"rotmon-20260803-110005{planted}").symlink_to(victim)
    (folder / f"rotmon-20260803-110005-2{planted}").symlink_to(never)  # dangling

    paths = write_exports(folder, {".csv": "a,b\n", ".svg": SVG}, NOW)

    assert [p.name for p in paths] == [
        "rotmon-20260803-110005-3.csv",
        "rotmon-20260803-110005-3.svg",
    ]
    assert victim.read_text() == "precious" and not never.exists()
    assert all(p.is_file() and not p.is_symlink() for p in paths)
    assert paths[1].read_text() == SVG


def test_a_second_export_in_the_same_second_gets_a_new_name(tmp_path: Path) -> None:
    first = write_export(tmp_path, ".svg", "one", NOW)
    second = write_export(tmp_path, ".svg", "two", NOW)
    assert (first.name, second.name) == (
        "rotmon-20260803-110005.svg",
        "rotmon-20260803-110005-2.svg",
    )
    assert (first.read_text(), second.read_text()) == ("one", "two")


def test_a_name_taken_during_the_write_moves_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process takes the chosen name after it was picked: the next number is used."""
    from tui import export

    victim = tmp_path / "victim"
    victim.write_text("precious")
    real = export.unique_path
    calls: list[Path] = []

    def racing(folder: Path, stem: str, suffixes: tuple[str, ...] = ("",)) -> Path:
        base = real(folder, stem, suffixes)
        if not calls:
            Path(f"{base}.svg").symlink_to(victim)
        calls.append(base)
        return base

    monkeypatch.setattr(export, "unique_path", racing)
    path = write_export(tmp_path, ".svg", SVG, NOW)
    assert path.name == "rotmon-20260803-110005-2.svg" and path.read_text() == SVG
    assert victim.read_text() == "precious"


def test_write_atomic_never_replaces_an_export(tmp_path: Path) -> None:
    target = tmp_path / "rotmon-x.csv"
    target.write_text("kept")
    with pytest.raises(FileExistsError):
        write_atomic(target, "new")
    assert target.read_text() == "kept"
