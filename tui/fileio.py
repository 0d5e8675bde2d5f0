"""Writing and opening the user's files safely: one atomic writer for every file rotmon writes.

- :func:`write_atomic` writes a temp file in the target's folder, fsyncs it, renames it into
  place and fsyncs the folder. It never writes through a symlink: a target that is a symlink
  (even a dangling one) or not a regular file is refused with :class:`UnsafeTarget`, and so is
  a file owned by another user. With ``exclusive=True`` it fails with ``FileExistsError`` when
  anything exists at the target (``link(2)``, which never follows a link at its destination,
  publishes the finished temp file; ``O_CREAT|O_EXCL|O_NOFOLLOW`` where hard links are not
  supported).
- :func:`create_exclusive` creates a new file with ``O_CREAT|O_EXCL|O_NOFOLLOW``.
- :func:`unique_path` finds a free name (``name``, ``name-2``, ...) for exclusive writes.
- :func:`open_regular` opens a file for reading only if it is a regular file, without blocking
  on a FIFO and without reading a device.

Only the standard library is used; nothing here imports textual or pandas.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# link(2) failures that mean "this file system has no hard links", not "the name is taken".
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK})


class UnsafeTarget(OSError):
    """The path names something rotmon will not write over or read (a symlink, a FIFO,
    a directory, a device, another user's file); ``str()`` says what it is."""

    def __str__(self) -> str:
        return str(self.strerror)


def kind_of(mode: int) -> str:
    """What a ``st_mode`` is, in words: 'a directory', 'a FIFO (named pipe)', ..."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"


def _check_target(path: Path) -> os.stat_result | None:
    """The target's lstat if it is a regular file of ours; None if absent; else raise."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeTarget(errno.EEXIST, f"{path} is {kind_of(info.st_mode)}, not written")
    uid = getattr(os, "getuid", None)
    if uid is not None and info.st_uid != uid():
        raise UnsafeTarget(errno.EPERM, f"{path} belongs to another user, not written")
    return info


def sync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable where the platform allows it (best effort)."""
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_fd(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def write_atomic(
    path: Path | str,
    data: str | bytes,
    *,
    exclusive: bool = False,
    mode: int | None = 0o600,
    check: Callable[[Path], None] | None = None,
    make_dirs: bool = True,
) -> Path:
    """Write ``data`` (str is UTF-8, newlines as given) to ``path`` atomically; returns ``path``.

    A reader sees the old file or the new one, never half of one. ``mode`` is the new file's
    permissions (None keeps an existing file's, else 0o600). ``check(temp_path)`` runs on the
    finished temp file before it is published and may raise to abandon the write (the target
    is then untouched). ``make_dirs`` creates missing parent folders with mode 0o700.

    Raises :class:`UnsafeTarget` for a symlink, non-regular file or another user's file at
    ``path``; ``FileExistsError`` with ``exclusive`` if anything is there; ``OSError`` for the
    disk's own failures (the temp file is removed in every case).
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    folder = target.parent
    if make_dirs:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if exclusive and os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, f"{target} already exists", str(target))
    existing = _check_target(target)
    if mode is None:
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o600

    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            _write_fd(fd, payload)
        finally:
            os.close(fd)
        if check is not None:
            check(temp)
        if exclusive:
            _publish_exclusive(temp, target, payload, mode)
        else:
            _check_target(target)  # again, just before the rename: nothing was planted since
            os.replace(temp, target)  # replaces a name; never writes through a link
    finally:
        with suppress(OSError):
            temp.unlink()
    sync_dir(folder)
    return target


def _publish_exclusive(temp: Path, target: Path, payload: bytes, mode: int) -> None:
    try:
        os.link(temp, target)  # EEXIST for anything at target, a dangling symlink included
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    # No hard links here (FAT, some network file systems): create the name exclusively.
    fd = create_exclusive(target, mode)
    try:
        _write_fd(fd, payload)
    except BaseException:
        os.close(fd)
        with suppress(OSError):
            os.unlink(target)
        raise
    os.close(fd)


def create_exclusive(path: Path | str, mode: int = 0o600) -> int:
    """A new file at ``path`` opened for writing (a raw fd): ``FileExistsError`` if anything,
    a symlink included, is already there. The caller writes and closes it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY | _CLOEXEC
    return os.open(path, flags, mode)


def unique_path(folder: Path, stem: str, suffixes: tuple[str, ...] = ("",)) -> Path:
    """``folder/stem`` with the first of '', '-2', '-3', ... for which no ``stem+suffix`` of
    ``suffixes`` exists (a dangling symlink counts as existing). Returns the path without a
    suffix; the caller still writes exclusively, as another process may take the name."""
    n = 1
    while True:
        name = stem if n == 1 else f"{stem}-{n}"
        if not any(os.path.lexists(folder / f"{name}{s}") for s in suffixes):
            return folder / name
        n += 1


def open_regular(path: Path | str) -> BinaryIO:
    """``path`` opened for binary reading if it is a regular file (a symlink to one is fine).

    Raises ``FileNotFoundError`` if absent and :class:`UnsafeTarget` for a directory, FIFO,
    device or socket — which are never opened for a read that could block (a FIFO is opened
    non-blocking only to be checked, a device not at all).
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeTarget(errno.EINVAL, f"is {kind_of(info.st_mode)}, not a regular file")
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY | _CLOEXEC)
    try:
        info = os.fstat(fd)  # the same file we checked, not one swapped in since
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeTarget(errno.EINVAL, f"is {kind_of(info.st_mode)}, not a regular file")
        if _NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
