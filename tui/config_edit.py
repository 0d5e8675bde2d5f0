"""Add and remove symbols in the ``[groups]`` of the user's config.toml, keeping all else as is.

The file is edited with tomlkit, so the user's comments, key order, quoting and layout survive; only
the array (or group key) that changes is touched. When the file has no ``[groups]`` table (the
user runs on the default groups), the groups the caller shows (``current.groups``) are first
written into a new ``[groups]`` table at the end of the file, then the edit is made. The file is
only parsed as TOML, never executed.

Rules, the same as ``tui.config.load_config``'s: symbols are normalized Yahoo symbols; a symbol is
in one group only; a group is never empty (removing its last symbol removes the group).

Safety:

- A file tomllib cannot parse (or that is not UTF-8, or over 1 MB) is never rewritten: ValueError
  naming the file and line. So is a ``[groups]`` that is not a table, or has no usable group.
- Writes are atomic: a temp file in the same directory, flushed and fsynced, then ``os.replace``.
  The temp file is checked with ``load_config`` *before* it replaces the config: an edit that would
  add a config problem is refused and the file is left as it was.
- Symlinks: ``path`` may be a symlink only if its target resolves inside the directory that holds
  ``path`` (e.g. ``config.toml -> profiles/work.toml``); the target is then edited in place and the
  link kept. A link that leads anywhere else (``~/dotfiles/...``, ``/etc/...``) is refused.
- An existing file keeps its permission bits; a new one is created 0600, and a missing config
  directory 0700.

Every failure the user can cause or fix is a ValueError with a one-line message, and the file is
then unchanged. No textual, no pandas: the app imports this lazily when a symbol is added.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import AbstractTable, Array

from tui.config import MAX_CONFIG_BYTES, Config, ConfigProblem, load_config, normalize_symbol

__all__ = ["add_symbol", "add_symbols", "remove_symbol"]

MAX_GROUP_NAME = 60
_SEED_COMMENT = "Groups in display order; this table replaces rotmon's default groups."
_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_BOM = "\ufeff"


# --- public API -----------------------------------------------------------------------------


def add_symbol(path: Path, group: str, symbol: str, *, current: Config) -> Config:
    """Append ``symbol`` to ``group`` (created at the end if new) and return the reloaded Config.

    ValueError if the symbol is invalid or already in a group (this one or another), or the file
    cannot be edited safely; the file is then unchanged.
    """
    wanted = _symbol(symbol)
    name = _group_name(group)

    def change(groups: _Groups) -> bool:
        owner = groups.owner(wanted)
        if owner is not None:
            if owner == groups.key_of(name):
                raise ValueError(f"{wanted} is already in group {name!r}")
            raise ValueError(
                f"{wanted} is already in group {owner.strip()!r}; a symbol can be in one group "
                "only (remove it there first)"
            )
        groups.append(name, [wanted])
        return True

    config, _ = _edit(Path(path), current, change)
    return config


def add_symbols(
    path: Path, group: str, symbols: Iterable[str], *, current: Config
) -> tuple[Config, list[str]]:
    """Append the ``symbols`` not yet in any group to ``group``; the Config and those added.

    Symbols already in this or another group are skipped (a symbol is in one group only), as are
    repeats in ``symbols``. Nothing is written when nothing is added. ValueError if any symbol is
    invalid (nothing is written then) or the file cannot be edited safely.
    """
    wanted = list(dict.fromkeys(_symbol(s) for s in symbols))
    name = _group_name(group)
    added: list[str] = []

    def change(groups: _Groups) -> bool:
        added.extend(s for s in wanted if groups.owner(s) is None)
        if added:
            groups.append(name, added)
        return bool(added)

    config, _ = _edit(Path(path), current, change)
    return config, added


def remove_symbol(path: Path, group: str, symbol: str, *, current: Config) -> Config:
    """Remove ``symbol`` from ``group`` (the whole group if it was the last); the reloaded Config.

    ValueError if the symbol is not in that group, if it is the last symbol of the last group
    (the config would fall back to the default groups), or the file cannot be edited safely.
    """
    wanted = _symbol(symbol)
    name = _group_name(group)

    def change(groups: _Groups) -> bool:
        groups.remove(name, wanted)
        return True

    config, _ = _edit(Path(path), current, change)
    return config


# --- validation of the arguments ------------------------------------------------------------


def _symbol(text: str) -> str:
    symbol = normalize_symbol(text)
    if symbol is None:
        shown = repr(text if len(str(text)) <= 30 else str(text)[:27] + "...")
        raise ValueError(f"{shown} is not a ticker symbol (Yahoo symbols: BRK-B, ^VIX, EURUSD=X)")
    return symbol


def _group_name(text: str) -> str:
    name = text.strip() if isinstance(text, str) else ""
    if not name:
        raise ValueError("a group name cannot be empty")
    if len(name) > MAX_GROUP_NAME:
        raise ValueError(f"group name is longer than {MAX_GROUP_NAME} characters")
    if not name.isprintable():
        raise ValueError(f"group name {name!r} has control characters")
    return name


# --- the groups table -----------------------------------------------------------------------


class _Groups:
    """The ``[groups]`` table of a tomlkit document, with the symbol -> group index kept current."""

    def __init__(self, table: AbstractTable, path: Path, problems: list[ConfigProblem]) -> None:
        self.table = table
        self.path = path
        self.problems = problems  # load_config's, to name the line in messages
        self.owners: dict[str, str] = {}  # normalized symbol -> key of the first group with it
        self._index()

    def _index(self) -> None:
        self.owners.clear()
        for key, items in self.table.items():
            if isinstance(items, list):
                for item in items:
                    symbol = normalize_symbol(item) if isinstance(item, str) else None
                    if symbol is not None:
                        self.owners.setdefault(symbol, key)

    def usable(self) -> bool:
        """True if some group has a valid symbol (else load_config uses the default groups)."""
        return bool(self.owners)

    def key_of(self, name: str) -> str | None:
        """The key of group ``name`` as written (load_config strips names), or None."""
        if name in self.table:
            return name
        return next((k for k in self.table if k.strip() == name), None)

    def owner(self, symbol: str) -> str | None:
        """The key of the group that has ``symbol``, or None."""
        return self.owners.get(symbol)

    def _array(self, key: str) -> Array:
        value = self.table[key]
        if not isinstance(value, Array):
            dotted = f"groups.{_quoted(key)}"
            where = _where(self.path, self.problems, dotted)
            raise ValueError(f"{where}: {dotted} is not an array of symbols; fix it first")
        return value

    def append(self, name: str, symbols: list[str]) -> None:
        key = self.key_of(name)
        if key is None:
            self.table[name] = list(symbols)  # a new key at the end, quoted if it needs to be
            key = name
        else:
            array = self._array(key)
            for symbol in symbols:
                array.append(symbol)
        for symbol in symbols:
            self.owners.setdefault(symbol, key)

    def remove(self, name: str, symbol: str) -> None:
        key = self.key_of(name)
        if key is None:
            raise ValueError(f"there is no group {name!r} in {self.path}")
        array = self._array(key)
        hits = [i for i, item in enumerate(array) if _same(item, symbol)]
        if not hits:
            raise ValueError(f"{symbol} is not in group {name!r}")
        if len(hits) == len(array):  # nothing else in it: the group goes (never left empty)
            if set(self.owners.values()) <= {key}:
                raise ValueError(
                    f"{symbol} is the last symbol of the last group; add another group first"
                )
            del self.table[key]
        else:
            for i in reversed(hits):
                del array[i]
        self._index()


def _same(item: object, symbol: str) -> bool:
    return isinstance(item, str) and normalize_symbol(item) == symbol


def _where(path: Path, problems: list[ConfigProblem], key: str) -> str:
    """``path:line`` of load_config's problem with ``key``, or just ``path``."""
    line = next((p.line for p in problems if p.key == key and p.line is not None), None)
    return f"{path}:{line}" if line is not None else str(path)


def _quoted(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace('"', '\\"') + '"'


# --- reading, checking and writing the file -------------------------------------------------


def _target(path: Path) -> Path:
    """The file to edit: ``path``, or its symlink target if that stays in ``path``'s directory."""
    try:
        if not path.is_symlink():
            return path
        real = path.resolve(strict=False)
        home = path.parent.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before Python 3.13
        raise ValueError(f"cannot follow the symlink {path}: {exc}") from None
    if not real.is_relative_to(home):
        raise ValueError(
            f"{path} is a symlink to {real}, outside {home}; rotmon does not edit files "
            "through such links (edit the file by hand, or pass it with --config)"
        )
    return real


def _read(path: Path) -> tuple[str | None, os.stat_result | None]:
    """The file's text (BOM kept) and its stat, or (None, None) if it does not exist."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{path} is not a regular file")
    if info.st_size > MAX_CONFIG_BYTES:
        raise ValueError(f"{path} is larger than {MAX_CONFIG_BYTES // 1_000_000} MB; not edited")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8"), info
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); fix it first, "
            "the file was not changed"
        ) from None


def _parse(path: Path, text: str) -> tomlkit.TOMLDocument:
    """The tomlkit document of ``text``; ValueError naming the line if it is not valid TOML."""
    body = text.removeprefix(_BOM)
    try:
        tomllib.loads(body)  # the same parser as load_config: its verdict is the one that counts
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION_RE.search(message)
        line = position.group(1) if position else str(body.count("\n") + 1)
        message = message[: position.start()] if position else message
        raise ValueError(
            f"{path}:{line}: invalid TOML ({message}); fix it first, the file was not changed"
        ) from None
    try:
        doc = tomlkit.parse(body)
    except ParseError as exc:
        raise ValueError(
            f"{path}:{exc.line}: cannot edit this TOML ({exc}); the file was not changed"
        ) from None
    if doc.as_string() != body:
        raise ValueError(f"cannot edit {path} without reformatting it; edit it by hand")
    return doc


def _groups_of(
    doc: tomlkit.TOMLDocument, path: Path, current: Config, problems: list[ConfigProblem]
) -> _Groups:
    """The document's ``[groups]``; written from ``current.groups`` first if there is none."""
    if "groups" not in doc:
        table = tomlkit.table()
        table.add(tomlkit.comment(_SEED_COMMENT))
        for group in current.groups:
            table[_group_name(group.name)] = [_symbol(s) for s in group.symbols]
        if doc.as_string().strip():
            doc.add(tomlkit.nl())
        doc["groups"] = table
    value = doc["groups"]
    if not isinstance(value, AbstractTable):
        raise ValueError(f"{_where(path, problems, 'groups')}: groups is not a table; fix it first")
    groups = _Groups(value, path, problems)
    if not groups.usable():
        where = _where(path, problems, "groups")
        raise ValueError(f"{where}: [groups] has no usable group; fix it first")
    return groups


def _edit(path: Path, current: Config, change: Callable[[_Groups], bool]) -> tuple[Config, bool]:
    """Apply ``change`` to the groups of the config at ``path``; write and reload if it changed."""
    target = _target(path)
    text, info = _read(target)
    doc = _parse(target, text) if text is not None else tomlkit.document()
    before = load_config(target)[1] if text is not None else []
    groups = _groups_of(doc, target, current, before)
    if not change(groups):
        return load_config(path)[0], False

    new_text = doc.as_string()
    old = text.removeprefix(_BOM) if text is not None else ""
    if "\r\n" in old and old.count("\n") == old.count("\r\n"):  # keep Windows line ends
        new_text = re.sub(r"(?<!\r)\n", "\r\n", new_text)
    _check_only_groups_changed(target, old, new_text, groups)
    if text is not None and text.startswith(_BOM):
        new_text = _BOM + new_text
    mode = stat.S_IMODE(info.st_mode) if info is not None else None
    _replace(target, new_text.encode("utf-8"), mode, before)

    # The bytes just written were checked by load_config before the replace (see _replace), so
    # the reload cannot show a problem the edit made.
    return load_config(path)[0], True


def _check_only_groups_changed(path: Path, old: str, new: str, groups: _Groups) -> None:
    """Guard against a serializer surprise: every other key parses as before."""
    before = tomllib.loads(old)
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(
            f"editing {path} would break it ({exc}); the file was not changed"
        ) from None
    before.pop("groups", None)
    edited = after.pop("groups", None)
    if before != after or edited != _plain(groups.table):
        raise ValueError(f"editing {path} would change other settings; the file was not changed")


def _plain(value: Any) -> Any:
    """A tomlkit item as plain Python values, as tomllib would give them."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def _new_problems(before: list[ConfigProblem], after: list[ConfigProblem]) -> list[ConfigProblem]:
    """Problems in ``after`` that ``before`` lacks (not comparing lines: edits shift them)."""
    seen = Counter((p.key, p.message) for p in before)
    new = []
    for problem in after:
        if seen[(problem.key, problem.message)]:
            seen[(problem.key, problem.message)] -= 1
        else:
            new.append(problem)
    return new


def _replace(path: Path, data: bytes, mode: int | None, before: list[ConfigProblem]) -> None:
    """Write ``data`` beside ``path``, check it loads without new problems, and move it over
    ``path`` (tui.fileio.write_atomic: fsync, rename, never through a symlink)."""
    from tui.fileio import write_atomic

    def check(temp: Path) -> None:
        new = _new_problems(before, load_config(temp)[1])
        if new:
            problem = new[0]
            where = f"{problem.key}: " if problem.key else ""
            raise _Rejected(f"that edit would make {where}{problem.message}; not written")

    try:
        write_atomic(path, data, mode=mode, check=check)
    except _Rejected as rejected:
        raise ValueError(str(rejected)) from None
    except OSError as exc:
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}; not changed") from None


class _Rejected(Exception):
    """The edited file would bring a new config problem: it is not written."""
