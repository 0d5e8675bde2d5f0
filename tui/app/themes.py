"""Colour themes from TOML files: the built-in ``themes/`` dir, then the user's.

Each ``*.toml`` file defines one Textual theme. Keys map onto ``textual.theme.Theme``::

    name = "rotmon-dark"        # required: what config, --theme and the palette use
    dark = true                 # required: a dark (true) or light (false) theme
    primary = "#2F6FD0"         # required: cursor, borders, the banner
    success = "#29C7AA"         # required: UP (gains, passing rules)
    error = "#FF6B4A"           # required: DOWN (losses, failing rules)
    # optional colours: secondary accent warning foreground background surface panel boost
    # optional: ansi = true (native 16-colour output), text_alpha, luminosity_spread
    [variables]                 # optional: overrides of Textual's theme variables
    block-cursor-foreground = "#000000"

Colours are anything ``textual.color.Color.parse`` accepts: ``#RGB``, ``#RRGGBB``, ``#RRGGBBAA``,
``rgb()``, ``hsl()``, CSS names such as ``crimson``, and ``ansi_red`` … ``ansi_bright_white`` /
``ansi_default`` for the terminal's own 16 colours. Variables also take ``<colour> NN%`` and
``auto NN%``; ``…-style…`` variables take text-style words (``bold``, ``not underline``).

Every problem — TOML syntax error, unknown key, missing required key, wrong type, invalid
colour, unknown variable — names file, line and key; a file with any problem is skipped and
every other theme still loads. Files are only parsed as TOML, never executed. A theme in a later
dir replaces one of the same name from an earlier dir, so a user can override a built-in theme.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from textual.color import ANSI_COLORS, Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.design import ColorSystem
from textual.theme import Theme

from tui.config import ConfigProblem
from tui.locations import user_themes_dir
from tui.textfile import describe, dotted, key_lines, parse_toml, read_text

__all__ = [
    "DEFAULT_THEME",
    "OPTIONAL_COLOURS",
    "REQUIRED_KEYS",
    "ThemeProblem",
    "builtin_themes_dir",
    "load_themes",
    "theme_dirs",
    "up_down_styles",
    "user_themes_dir",
]

DEFAULT_THEME = "rotmon-dark"
"""The theme used when the config names none, or names one that is missing or broken."""

REQUIRED_KEYS: tuple[str, ...] = ("name", "dark", "primary", "success", "error")
"""Keys every theme file must have; ``success`` is the up colour and ``error`` the down one."""

OPTIONAL_COLOURS: tuple[str, ...] = (
    "secondary",
    "accent",
    "warning",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
"""Optional colour keys; Textual derives a missing one from the others."""

_COLOURS = ("primary", "success", "error", *OPTIONAL_COLOURS)
_BOOLS = ("dark", "ansi")
_FRACTIONS = ("text_alpha", "luminosity_spread")  # numbers from 0 to 1
_KNOWN_KEYS = ("name", *_BOOLS, *_COLOURS, *_FRACTIONS, "variables")

MAX_THEME_BYTES = 100_000
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_VARIABLE_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_ALPHA_SUFFIX_RE = re.compile(r"^(\S+)\s+(\d{1,3}(?:\.\d+)?)%$")

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the installed or checked-out ``tui``
_WHEEL_THEMES = _PACKAGE_DIR / "builtin_themes"  # where pyproject puts themes/ in a wheel
_SOURCE_THEMES = _PACKAGE_DIR.parent / "themes"  # the top-level themes/ of a checkout


@dataclass(frozen=True)
class ThemeProblem(ConfigProblem):
    """One thing wrong in a theme file (``path``) with its line and key; the theme is skipped.

    A ``ConfigProblem`` so the app lists it with the config's problems, in the same form:
    ``mine.toml:4: primary: failed to parse 'blu' as a color; theme skipped``.
    """


def builtin_themes_dir() -> Path:
    """The themes shipped with rotmon.

    In an installed wheel they are package data at ``tui/builtin_themes/``; in a source checkout
    (or an editable install) they are the top-level ``themes/`` dir.
    """
    return _WHEEL_THEMES if _WHEEL_THEMES.is_dir() else _SOURCE_THEMES


def theme_dirs() -> list[Path]:
    """The dirs to load, built-in first so that the user's themes override them by name."""
    return [builtin_themes_dir(), user_themes_dir()]


def load_themes(dirs: Sequence[Path]) -> tuple[list[Theme], list[ThemeProblem]]:
    """Every valid theme in the ``*.toml`` files of ``dirs``, and every problem found.

    Dirs are read in order and the files of each in name order. A theme whose name an earlier
    dir already gave replaces that one (in its place in the list); two files of one dir giving
    the same name is a problem, and the second is skipped. A missing dir is no problem.
    Never raises.
    """
    themes: dict[str, Theme] = {}
    problems: list[ThemeProblem] = []
    for directory in dirs:
        seen_here: dict[str, Path] = {}
        for path in _theme_files(Path(directory), problems):
            theme, found, name_line = _load_file(path)
            problems.extend(found)
            if theme is None:
                continue
            if theme.name in seen_here:
                problems.append(
                    ThemeProblem(
                        path,
                        name_line,
                        "name",
                        f"theme {theme.name!r} is already defined in "
                        f"{seen_here[theme.name].name}; theme skipped",
                    )
                )
                continue
            seen_here[theme.name] = path
            themes[theme.name] = theme
    return list(themes.values()), problems


def up_down_styles(theme: Theme) -> tuple[str, str]:
    """The theme's up (``success``) and down (``error``) colours as Rich style strings.

    Rich cannot parse every Textual colour (``ansi_green``, ``hsl(…)``, ``crimson``,
    ``#RRGGBBAA``), so each is converted: a terminal colour to its Rich name (``green``,
    ``bright_red``), anything else to ``#RRGGBB``. A missing or unparsable colour gives
    ``green`` / ``red``.
    """
    return _rich_colour(theme.success, "green"), _rich_colour(theme.error, "red")


# --- reading files ----------------------------------------------------------------------------


def _theme_files(directory: Path, problems: list[ThemeProblem]) -> Iterator[Path]:
    """The ``*.toml`` entries in ``directory``, sorted; an unreadable dir is one problem. Not
    only regular files: a FIFO or a folder named ``x.toml`` is reported by the reader, never
    opened for a blocking read (tui.textfile)."""
    try:
        paths = sorted(directory.glob("*.toml"))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        problems.append(ThemeProblem(directory, None, None, f"cannot list themes: {reason}"))
        return
    yield from paths


def _read(path: Path) -> tuple[str | None, ThemeProblem | None]:
    """The file's text, or a problem if it cannot be read, is too big or is not UTF-8."""
    text, problem = read_text(path, MAX_THEME_BYTES)
    if problem is not None:
        return None, ThemeProblem(path, problem[0], None, f"{problem[1]}; theme skipped")
    if text is None:
        return None, ThemeProblem(path, None, None, "cannot read: no such file; theme skipped")
    return text, None


def _parse(path: Path, text: str) -> tuple[dict | None, ThemeProblem | None]:
    """tomllib's result, or a problem with the line taken from tomllib's message."""
    data, problem = parse_toml(text)
    if problem is not None:
        return None, ThemeProblem(path, problem[0], None, f"{problem[1]}; theme skipped")
    return data, None


class _Checker:
    """Validates one parsed file, collecting problems that name line and key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = key_lines(text)
        self.problems: list[ThemeProblem] = []

    def add(self, parts: tuple[str, ...], message: str) -> None:
        """Record a problem at key ``parts``, on the line of the key or its nearest parent."""
        found = (parts[:end] for end in range(len(parts), 0, -1) if parts[:end] in self.lines)
        line = self.lines[prefix] if (prefix := next(found, None)) else None
        self.problems.append(
            ThemeProblem(self.path, line, dotted(parts) or None, f"{message}; theme skipped")
        )

    def colour(self, parts: tuple[str, ...], value: object) -> str | None:
        if not isinstance(value, str):
            self.add(parts, f"expected a colour string, got {describe(value)}")
            return None
        error = _colour_error(value)
        if error:
            self.add(parts, error)
            return None
        return value

    def variables(self, value: object) -> dict[str, str] | None:
        if not isinstance(value, dict):
            self.add(("variables",), f"expected a table, got {describe(value)}")
            return None
        known = _known_variables()
        result: dict[str, str] = {}
        for name, item in value.items():
            parts = ("variables", name)
            if not _VARIABLE_RE.match(name) or name not in known:
                hint = _suggest(name, known)
                self.add(parts, "unknown variable" + (f"; did you mean {hint!r}?" if hint else ""))
            elif not isinstance(item, str):
                self.add(parts, f"expected a string, got {describe(item)}")
            elif "style" in name.split("-"):
                bad = [w for w in item.split() if w not in VALID_STYLE_FLAGS]
                if bad or not item.split():
                    allowed = ", ".join(sorted(VALID_STYLE_FLAGS))
                    self.add(parts, f"{item!r} is not a text style (words from: {allowed})")
                else:
                    result[name] = item
            else:
                error = _variable_colour_error(item)
                if error:
                    self.add(parts, error)
                else:
                    result[name] = item
        return result


def _load_file(path: Path) -> tuple[Theme | None, list[ThemeProblem], int | None]:
    """One file's theme (or None), the problems that made it unusable, the line of its name."""
    text, problem = _read(path)
    if text is None:
        return None, [problem] if problem else [], None
    data, problem = _parse(path, text)
    if data is None:
        return None, [problem] if problem else [], None

    check = _Checker(path, text)
    fields: dict[str, object] = {}
    for key, value in data.items():
        if key == "name":
            if not isinstance(value, str):
                check.add(("name",), f"expected a string, got {describe(value)}")
            elif not _NAME_RE.match(value):
                check.add(
                    ("name",),
                    f"{value!r} is not a theme name (1-40 letters, digits, '.', '_' or '-', "
                    "starting with a letter or digit)",
                )
            else:
                fields["name"] = value
        elif key in _BOOLS:
            if isinstance(value, bool):
                fields[key] = value
            else:
                check.add((key,), f"expected true or false, got {describe(value)}")
        elif key in _COLOURS:
            colour = check.colour((key,), value)
            if colour is not None:
                fields[key] = colour
        elif key in _FRACTIONS:
            if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
                fields[key] = float(value)
            else:
                check.add((key,), f"expected a number from 0 to 1, got {describe(value)}")
        elif key == "variables":
            variables = check.variables(value)
            if variables is not None:
                fields["variables"] = variables
        else:
            hint = _suggest(key, _KNOWN_KEYS)
            expected = f"did you mean {hint!r}?" if hint else f"expected: {', '.join(_KNOWN_KEYS)}"
            check.add((key,), f"unknown key ({expected})")
    for key in REQUIRED_KEYS:
        if key not in data:
            check.problems.append(
                ThemeProblem(path, None, key, "required key is missing; theme skipped")
            )
    name_line = check.lines.get(("name",))
    if check.problems:
        return None, sorted(check.problems, key=lambda p: (p.line is None, p.line or 0)), name_line

    theme = Theme(**fields)  # type: ignore[arg-type]
    try:  # what App does on switching to it: a theme that fails here would fail there
        theme.to_color_system().generate()
    except Exception as exc:  # any failure means the theme is unusable
        problem = ThemeProblem(path, None, None, f"unusable theme: {exc}; theme skipped")
        return None, [problem], name_line
    return theme, [], name_line


# --- colours ----------------------------------------------------------------------------------


def _colour_error(text: str) -> str | None:
    """None if Textual parses ``text`` as a colour, else why not (with Textual's suggestion)."""
    try:
        Color.parse(text)
    except ColorParseError as exc:
        return str(exc)
    return None


def _variable_colour_error(text: str) -> str | None:
    """Like ``_colour_error`` but also allowing ``<colour> NN%`` and ``auto NN%``."""
    match = _ALPHA_SUFFIX_RE.match(text.strip())
    if match:
        if float(match.group(2)) > 100:
            return f"{text!r}: alpha above 100%"
        if match.group(1) == "auto":
            return None
        return _colour_error(match.group(1))
    if text in ("auto", "initial"):
        return None
    return _colour_error(text)


def _rich_colour(text: str | None, fallback: str) -> str:
    if not text:
        return fallback
    try:
        colour = Color.parse(text)
    except ColorParseError:
        return fallback
    if colour.ansi is not None:
        return "default" if colour.ansi < 0 else ANSI_COLORS[colour.ansi]
    return f"#{colour.r:02x}{colour.g:02x}{colour.b:02x}"


@cache
def _known_variables() -> frozenset[str]:
    """Every variable Textual's themes define (dark, light and ANSI)."""
    names: set[str] = set()
    for system in (
        ColorSystem(primary="#0178D4", dark=True),
        ColorSystem(primary="#0178D4", dark=False),
        ColorSystem(primary="ansi_blue", ansi=True),
    ):
        names.update(system.generate())
    return frozenset(names)


def _suggest(word: str, choices: Sequence[str] | frozenset[str]) -> str | None:
    from difflib import get_close_matches

    matches = get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return matches[0] if matches else None
