"""The one atomic writer (tui.fileio): never through a symlink, never over a non-file,
exclusive when asked, nothing half-written; and the non-blocking check for regular files."""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest

from tui import fileio
from tui.fileio import UnsafeTarget, create_exclusive, open_regular, unique_path, write_atomic


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_a_new_file_private_and_creates_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    assert write_atomic(target, "héllo\n") == target
    assert target.read_bytes() == "héllo\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert _leftovers(target.parent) == []


def test_replaces_a_regular_file_and_can_keep_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    target.write_text("old")
    target.chmod(0o644)
    write_atomic(target, b"new", mode=None)
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o644
    write_atomic(target, "newer")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_refuses_a_symlink_at_the_target_and_leaves_both_ends(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    link = tmp_path / "out" / "file.txt"
    link.parent.mkdir()
    link.symlink_to(outside)
    with pytest.raises(UnsafeTarget, match="symbolic link"):
        write_atomic(link, "attack")
    assert outside.read_text() == "precious" and link.is_symlink()
    with pytest.raises(FileExistsError):
        write_atomic(link, "attack", exclusive=True)
    assert outside.read_text() == "precious" and link.is_symlink()
    assert _leftovers(link.parent) == []


def test_a_dangling_symlink_is_not_followed_to_create_a_file(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"  # does not exist: a link pointing at it would create it
    link = tmp_path / "export.svg"
    link.symlink_to(victim)
    with pytest.raises(FileExistsError):
        write_atomic(link, "x", exclusive=True)
    with pytest.raises(UnsafeTarget):
        write_atomic(link, "x")
    assert not victim.exists()


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_refuses_a_target_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "thing"
    if kind == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)
    with pytest.raises(UnsafeTarget, match="directory" if kind == "directory" else "FIFO"):
        write_atomic(target, "x")
    assert target.is_dir() if kind == "directory" else stat.S_ISFIFO(target.lstat().st_mode)


def test_exclusive_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "once.csv"
    write_atomic(target, "first", exclusive=True)
    with pytest.raises(FileExistsError):
        write_atomic(target, "second", exclusive=True)
    assert target.read_text() == "first"


def test_a_failing_check_leaves_the_target_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    target.write_text("good")
    seen: list[bytes] = []

    def check(temp: Path) -> None:
        seen.append(temp.read_bytes())
        raise ValueError("that edit would break it")

    with pytest.raises(ValueError, match="break"):
        write_atomic(target, "bad", check=check)
    assert seen == [b"bad"] and target.read_text() == "good"
    assert _leftovers(tmp_path) == []


def test_without_hard_links_exclusive_still_refuses_a_planted_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system without link(2) (FAT, some network mounts) O_EXCL|O_NOFOLLOW is used."""

    def no_link(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(fileio.os, "link", no_link)
    fresh = tmp_path / "fresh.csv"
    write_atomic(fresh, "data", exclusive=True)
    assert fresh.read_text() == "data" and not fresh.is_symlink()
    outside = tmp_path / "outside"
    outside.write_text("precious")
    planted = tmp_path / "planted.csv"
    # Planted after the name check, just before the publish: the race O_EXCL must win.
    real_check = fileio._check_target

    def plant_then_check(path: Path) -> os.stat_result | None:
        result = real_check(path)
        if path == planted and not planted.is_symlink():
            planted.symlink_to(outside)
        return result

    monkeypatch.setattr(fileio, "_check_target", plant_then_check)
    with pytest.raises(FileExistsError):
        write_atomic(planted, "attack", exclusive=True)
    assert outside.read_text() == "precious"
    assert _leftovers(tmp_path) == []


def test_a_link_planted_during_the_write_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.write_text("precious")
    target = tmp_path / "export.svg"
    real_write = fileio._write_fd

    def write_then_plant(fd: int, data: bytes) -> None:
        real_write(fd, data)
        target.symlink_to(outside)

    monkeypatch.setattr(fileio, "_write_fd", write_then_plant)
    with pytest.raises(FileExistsError):
        write_atomic(target, "attack", exclusive=True)
    assert outside.read_text() == "precious" and target.is_symlink()


def test_create_exclusive_and_unique_path(tmp_path: Path) -> None:
    fd = create_exclusive(tmp_path / "a.svg")
    os.close(fd)
    with pytest.raises(FileExistsError):
        create_exclusive(tmp_path / "a.svg")
    (tmp_path / "b-2.csv").symlink_to(tmp_path / "nowhere")
    assert unique_path(tmp_path, "a", (".svg",)) == tmp_path / "a-2"
    assert unique_path(tmp_path, "b", (".csv", ".svg")) == tmp_path / "b"
    (tmp_path / "b.svg").write_text("")
    assert unique_path(tmp_path, "b", (".csv", ".svg")) == tmp_path / "b-3"


def test_open_regular_reads_files_and_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    good = tmp_path / "rules.toml"
    good.write_text("x = 1")
    with open_regular(good) as handle:
        assert handle.read() == b"x = 1"
    fifo = tmp_path / "events.toml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    worker = threading.Thread(target=lambda: _capture(outcome, fifo), daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "opening a FIFO blocked"
    assert isinstance(outcome[0], UnsafeTarget) and "FIFO" in str(outcome[0])
    with pytest.raises(UnsafeTarget, match="directory"):
        open_regular(tmp_path)
    with pytest.raises(UnsafeTarget, match="device"):
        open_regular("/dev/null")
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "missing")


def _capture(outcome: list[BaseException], path: Path) -> None:
    try:
        open_regular(path).close()
    except BaseException as exc:  # noqa: BLE001 - the test inspects it
        outcome.append(exc)
