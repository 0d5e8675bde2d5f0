"""Every write path tells the truth (issue 16, finding 1): when rows cannot reach the cache
file — a read-only dir or file, a cache dir that is a file, a full disk, an in-memory copy —
:attr:`Cache.persisted` is False with the reason, and the writes that must reach the file
(:meth:`Cache.import_rows`, :meth:`Cache.delete_prices`) raise NotSaved. Each test checks the
file afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from faults_helpers import cap_file_growth, tmpfs_wrap

from tui.data.cache import Cache, NotSaved

REPO = Path(__file__).resolve().parents[1]
ROWS = [
    ("SPY", "2024-01-02", 470.0, 473.0, 468.0, 472.5, 472.5, 1_000_000.0),
    ("XLK", "2024-01-02", None, None, None, None, 190.0, None),
]


def many(n: int, symbol: str = "BIG") -> list[tuple]:
    first = 730_000  # 1999-09-..: any run of real days
    from datetime import date

    return [
        (f"{symbol}{i % 60:02d}", date.fromordinal(first + i // 60).isoformat(),
         1.0, 2.0, 0.5, 1.5, 1.5, 100.0)
        for i in range(n)
    ]  # fmt: skip


def dump(path: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT * FROM prices ORDER BY symbol, date").fetchall()


# A child that tries to import into the cache at argv[1] and reports what it was told.
CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tui.data.cache import Cache, NotSaved
    rows = [("QQQ", "2024-01-02", None, None, None, 400.0, 400.0, None)]
    out = {}
    with Cache(Path(sys.argv[1])) as cache:
        out["persisted"] = cache.persisted
        out["reason"] = cache.unsaved_reason
        try:
            cache.import_rows(iter(rows), "csv:x.csv")
            out["raised"] = None
        except NotSaved as exc:
            out["raised"] = str(exc)
    print(json.dumps(out))
    """
)


def as_unprivileged(scratch: Path) -> list[str] | None:
    """argv prefix running a command as a plain user (root's uid mapped to 1000 in a user
    namespace, so file modes apply to it), or None where that is not possible."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    wrap = [unshare, "--user", "--map-user=1000", "--map-group=1000"]
    probe_dir = scratch / "probe-ro"
    probe_dir.mkdir(mode=0o500)
    try:
        probe = subprocess.run([*wrap, "touch", str(probe_dir / "x")], capture_output=True)
    finally:
        with contextlib.suppress(OSError):
            (probe_dir / "x").unlink()
        probe_dir.rmdir()
    return None if probe.returncode == 0 else wrap


def run_child(wrap: list[str], path: Path) -> dict:
    proc = subprocess.run(
        [*wrap, sys.executable, "-c", CHILD, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_read_only_dir(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        wrap = as_unprivileged(tmp_path)
        if wrap is None:
            pytest.skip("cannot run as a plain user here")
        result = run_child(wrap, ro / "rotmon.sqlite")
    finally:
        ro.chmod(0o700)
    assert result["persisted"] is False
    assert "not writable" in result["reason"] and "won't be saved" in result["reason"]
    assert result["raised"] == result["reason"]
    assert list(ro.iterdir()) == []


def test_a_read_only_cache_file(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "rotmon.sqlite"
    with Cache(path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    path.chmod(0o400)
    before = path.read_bytes()
    wrap = as_unprivileged(tmp_path)
    if wrap is None:
        pytest.skip("cannot run as a plain user here")
    result = run_child(wrap, path)
    assert result["persisted"] is False and "readonly" in result["reason"]
    assert result["raised"] and "in-memory copy" in result["raised"]
    assert path.read_bytes() == before and [r[0] for r in dump(path)] == ["SPY", "XLK"]


def test_the_cache_dir_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("not a directory")
    with Cache(blocker / "rotmon.sqlite") as cache:
        assert not cache.persisted
        assert "is a file, not a directory" in (cache.unsaved_reason or "")
        with pytest.raises(NotSaved, match="is a file, not a directory"):
            cache.import_rows(iter(ROWS), "csv:x.csv")
        with pytest.raises(NotSaved):
            cache.delete_prices(["SPY"])
        cache.upsert_prices(ROWS, "yahoo")  # the app's refresh still works, in memory
        assert not cache.persisted
    assert blocker.read_text() == "not a directory"


def test_sqlite_full_during_an_import_keeps_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own SQLITE_FULL (max_page_count): the import raises NotSaved, nothing of it
    is in the file, and the cache is still on its file (a later write that fits is saved)."""
    path = tmp_path / "cache" / "rotmon.sqlite"
    with Cache(path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    before = dump(path)
    cap_file_growth(monkeypatch)
    with Cache(path) as cache:
        assert cache.persisted
        with pytest.raises(NotSaved, match="database or disk is full"):
            cache.import_rows(iter(many(20_000)), "csv:big.csv")
        assert cache.persisted and cache.unsaved_reason is None
        assert cache.max_date() == "2024-01-02"
        assert cache.delete_prices(["XLK"]) == {"XLK": 1}  # frees space: fits, and is saved
    monkeypatch.undo()
    assert dump(path) == [r for r in before if r[0] == "SPY"]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_after_an_in_memory_fallback_nothing_claims_to_be_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh met the full disk and carried on in memory: from then on the cache says
    so, and an import is refused instead of going to memory."""
    path = tmp_path / "cache" / "rotmon.sqlite"
    with Cache(path) as cache:
        cache.upsert_prices(ROWS, "yahoo")
    cap_file_growth(monkeypatch)
    with Cache(path) as cache:
        cache.upsert_prices(many(20_000), "yahoo")  # the fallback: goes to memory
        assert cache.in_memory and not cache.persisted
        assert "disk is full" in (cache.unsaved_reason or "")
        with pytest.raises(NotSaved, match="disk is full"):
            cache.import_rows(iter(ROWS), "csv:x.csv")
    monkeypatch.undo()
    assert [r[0] for r in dump(path)] == ["SPY", "XLK"]


TMPFS_CHILD = textwrap.dedent(
    """
    import json, os, sqlite3, sys
    from datetime import date
    from pathlib import Path
    sys.path.insert(0, os.getcwd())
    from tui.data.cache import Cache, NotSaved
    mount = Path(sys.argv[1])
    path = mount / "rotmon.sqlite"
    with Cache(path) as cache:
        cache.upsert_prices([("SPY", "2024-01-02", None, None, None, 1.0, 1.0, None)], "yahoo")
    with open(mount / "filler", "wb") as f:  # leave about 1 MB free
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        f.write(b"x" * max(0, free - 1_000_000))
    rows = ((f"S{i % 60:02d}", date.fromordinal(730000 + i // 60).isoformat(),
             1.0, 2.0, 0.5, 1.5, 1.5, 100.0) for i in range(150_000))
    out = {}
    with Cache(path) as cache:
        try:
            out["written"] = cache.import_rows(rows, "csv:big.csv")
        except NotSaved as exc:
            out["raised"] = str(exc)
        out["persisted"] = cache.persisted
    with sqlite3.connect(path) as conn:
        out["rows"] = conn.execute("SELECT COUNT(*) FROM prices").fetchone()[0]
        out["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
    print(json.dumps(out))
    """
)


def test_a_real_full_file_system_during_an_import(tmp_path: Path) -> None:
    """The probe's case: 150,000 rows into a tmpfs with about 1 MB left."""
    mount = tmp_path / "small"
    mount.mkdir()
    wrap = tmpfs_wrap(mount, "8m")
    if wrap is None:
        pytest.skip("cannot mount a tmpfs here (no unprivileged user namespaces)")
    proc = subprocess.run(
        [*wrap, sys.executable, "-c", TMPFS_CHILD, str(mount)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert "written" not in result, result
    assert "full" in result["raised"] and str(mount) in result["raised"]
    assert result["rows"] == 1 and result["integrity"] == "ok"
