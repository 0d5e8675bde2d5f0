"""Theme files: the shipped ones load, apply, read well; broken ones are reported and skipped."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faults_helpers import seeded_copy
from rich.color import Color as RichColor
from rich.console import Console
from rich.style import Style
from setuptools import find_namespace_packages
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import Theme
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import WorkerFailed, WorkerState

from tui.app.app import RotmonApp
from tui.app.themes import (
    DEFAULT_THEME,
    ThemeProblem,
    builtin_themes_dir,
    load_themes,
    theme_dirs,
    up_down_styles,
    user_themes_dir,
)
from tui.config import Config, ConfigProblem

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["rotmon-dark", "rotmon-light", "rotmon-high-contrast", "rotmon-16"]
CLOCK = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)

GOOD = """\
name = "good"
dark = true
primary = "#336699"
success = "#29C7AA"
error = "#FF6B4A"
"""


def shipped() -> dict[str, Theme]:
    themes, problems = load_themes([builtin_themes_dir()])
    assert problems == []
    return {theme.name: theme for theme in themes}


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# --- WCAG contrast and colour-blindness, worked out here from Color objects -----------------------


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: Color) -> float:
    """WCAG 2 relative luminance."""
    r, g, b = (_linear(v) for v in (color.r, color.g, color.b))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(Color.parse(a)), luminance(Color.parse(b))), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
CVD = {
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
}


def _lab(linear: tuple[float, ...]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a linear-RGB triple."""
    r, g, b = (min(max(v, 0.0), 1.0) for v in linear)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def cvd_distance(a: str, b: str, kind: str) -> float:
    """CIE76 ΔE between two colours as seen with the given colour-vision deficiency."""
    labs = []
    for text in (a, b):
        color = Color.parse(text)
        linear = [_linear(v) for v in (color.r, color.g, color.b)]
        seen = tuple(sum(m * v for m, v in zip(row, linear, strict=True)) for row in CVD[kind])
        labs.append(_lab(seen))
    return sum((p - q) ** 2 for p, q in zip(*labs, strict=True)) ** 0.5


def test_contrast_helpers_match_known_values() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # WCAG's AA grey
    assert contrast("#123456", "#123456") == pytest.approx(1.0)
    # Textual's default up/down pair and pure green/red collapse for deuteranopes.
    assert cvd_distance("#4EBF71", "#BA3C5B", "deuteranopia") < 30
    assert cvd_distance("#00FF00", "#FF0000", "deuteranopia") < 30


# --- the shipped themes -------------------------------------------------------------------------


def test_shipped_themes_load_without_problems() -> None:
    themes = shipped()
    assert set(SHIPPED) <= set(themes)
    assert DEFAULT_THEME == "rotmon-dark" and themes[DEFAULT_THEME].dark
    assert themes["rotmon-light"].dark is False
    for theme in themes.values():
        assert theme.success and theme.error  # up and down come from every theme


def test_builtin_dir_is_the_checkouts_themes_dir() -> None:
    assert builtin_themes_dir() == ROOT / "themes"
    assert theme_dirs() == [ROOT / "themes", user_themes_dir()]


def test_user_themes_dir_follows_config_dir(tmp_path: Path) -> None:
    assert user_themes_dir() == tmp_path / "config" / "themes"  # conftest sets ROTMON_CONFIG_DIR


class ThemeProbe(App[None]):
    """Widgets that use most theme variables: a table with a cursor, an input, a footer."""

    BINDINGS = [("x", "bell", "Bell")]

    def compose(self) -> ComposeResult:
        yield Static("banner", id="banner")
        yield DataTable()
        yield Input("text")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("symbol", "1D")
        table.add_row("SPY", "+1.00%")


@pytest.mark.parametrize("name", SHIPPED)
async def test_shipped_theme_registers_and_applies(name: str) -> None:
    theme = shipped()[name]
    app = ThemeProbe()
    app.register_theme(theme)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = name
        await pilot.pause()
        assert app.current_theme is theme
        variables = app.theme_variables
        for role in ("success", "error"):  # Textual's shade maths may move a channel by 1
            applied, wanted = Color.parse(variables[role]), Color.parse(getattr(theme, role))
            assert applied.ansi == wanted.ansi
            assert all(abs(p - q) <= 1 for p, q in zip(applied.rgb, wanted.rgb, strict=True))
        # The stylesheet was rebuilt with the theme: the screen is painted in its background.
        if not theme.ansi:
            assert theme.background
            painted, wanted = app.screen.styles.background, Color.parse(theme.background)
            assert all(abs(p - q) <= 1 for p, q in zip(painted.rgb, wanted.rgb, strict=True))


@pytest.mark.parametrize(
    ("name", "minimum"),
    [("rotmon-dark", 4.5), ("rotmon-light", 4.5), ("rotmon-high-contrast", 7.0)],
)
def test_text_and_up_down_contrast(name: str, minimum: float) -> None:
    theme = shipped()[name]
    assert theme.foreground and theme.background
    for role in ("foreground", "success", "error"):
        ratio = contrast(getattr(theme, role), theme.background)
        assert ratio >= minimum, f"{name}: {role} on background is {ratio:.2f}:1"


@pytest.mark.parametrize("name", ["rotmon-dark", "rotmon-light", "rotmon-high-contrast"])
@pytest.mark.parametrize("kind", ["deuteranopia", "protanopia"])
def test_up_and_down_stay_apart_for_red_green_colour_blindness(name: str, kind: str) -> None:
    theme = shipped()[name]
    assert theme.success and theme.error
    distance = cvd_distance(theme.success, theme.error, kind)
    assert distance >= 30, f"{name}: up/down only ΔE {distance:.1f} apart with {kind}"


def test_high_contrast_text_is_opaque() -> None:
    theme = shipped()["rotmon-high-contrast"]
    assert theme.text_alpha == 1.0
    assert theme.variables["text"] == "#FFFFFF"


def test_16_colour_theme_uses_only_ansi_colours() -> None:
    path = builtin_themes_dir() / "rotmon-16.toml"
    data = tomllib.loads(path.read_text("utf-8"))
    assert data["ansi"] is True  # Textual emits ANSI codes instead of converting to truecolor
    colours = {k: v for k, v in data.items() if k not in ("name", "dark", "ansi", "variables")}
    colours.update({f"variables.{k}": v for k, v in data["variables"].items() if "style" not in k})
    assert len(colours) > 20
    for key, value in colours.items():
        assert Color.parse(value).ansi is not None, f"{key} = {value!r} is not an ANSI colour"


# --- the real app -------------------------------------------------------------------------------


def make_app(tmp_path: Path, theme: str) -> RotmonApp:
    """The real app on the bundled snapshot (a copy of a seeded cache), offline, with the
    shipped themes registered."""
    app = RotmonApp(
        Config(theme=theme),
        cache_path=seeded_copy(tmp_path / "cache" / "rotmon.sqlite"),
        offline=True,
        clock=lambda: CLOCK,
    )
    for loaded in shipped().values():  # what on_mount does once the loader is wired in
        app.register_theme(loaded)
    return app


async def settle(app: App) -> None:
    for _ in range(500):
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await asyncio.sleep(0.02)
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return
    raise AssertionError("workers did not finish")


def rendered_segments(app: App) -> list:
    update = app.screen._compositor.render_full_update()
    return [segment for chop in update.strips for strip in chop for segment in strip]


def same_colour(seen: RichColor | None, wanted: RichColor) -> bool:
    if seen is None:
        return False
    if wanted.triplet is None:  # a terminal colour: compare the ANSI number
        return seen.number == wanted.number and seen.triplet is None
    return seen.get_truecolor() == wanted.get_truecolor() and seen.triplet is not None


async def test_app_paints_up_and_down_in_each_themes_colours(tmp_path: Path) -> None:
    """Switching theme re-colours the signed figures with that theme's success/error."""
    app = make_app(tmp_path, DEFAULT_THEME)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        for name in SHIPPED:
            app.theme = name
            await pilot.pause()
            await pilot.pause()
            theme = app.current_theme
            assert theme.name == name
            up_style, down_style = up_down_styles(theme)
            up = Style.parse(up_style).color
            down = Style.parse(down_style).color
            assert up is not None and down is not None
            signed = [s for s in rendered_segments(app) if re.match(r"\s*[+−]\d", s.text)]
            rises = [s for s in signed if "+" in s.text]
            falls = [s for s in signed if "−" in s.text]
            assert rises and falls
            hint = "RotmonApp._apply_palette must take up/down from up_down_styles(current_theme)"
            assert any(same_colour(s.style.color if s.style else None, up) for s in rises), (
                f"{name}: no rise painted {up_style}; {hint}"
            )
            assert any(same_colour(s.style.color if s.style else None, down) for s in falls), (
                f"{name}: no fall painted {down_style}; {hint}"
            )


async def test_16_colour_theme_writes_only_16_colour_codes(tmp_path: Path) -> None:
    """The whole dashboard in rotmon-16 emits SGR 30-37/90-97/40-47/100-107 only, no 38;2/38;5."""
    app = make_app(tmp_path, "rotmon-16")
    app.theme = "rotmon-16"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.pause()
        assert app.theme == "rotmon-16" and app.native_ansi_color
        colours = [
            c
            for s in rendered_segments(app)
            if s.style
            for c in (s.style.color, s.style.bgcolor)
            if c is not None
        ]
        assert colours and all(c.triplet is None for c in colours)  # standard or default only
        console = Console(
            file=io.StringIO(), force_terminal=True, color_system="truecolor", width=120
        )
        output = app.screen._compositor.render_full_update().render_segments(console)
        codes = re.findall(r"\x1b\[([0-9;]*)m", output)
        assert codes
        assert not [c for c in codes if re.search(r"(^|;)[34]8;[25];", c)]


# --- broken files -------------------------------------------------------------------------------


def test_broken_files_are_reported_and_skipped_good_ones_load(tmp_path: Path) -> None:
    themes_dir = tmp_path / "themes"
    write(themes_dir, "a-good.toml", GOOD)
    syntax = write(themes_dir, "syntax.toml", GOOD.replace('"good"', '"syntax"') + "accent = \n")
    unknown = write(
        themes_dir, "unknown.toml", GOOD.replace('"good"', '"unknown"') + 'primry = "#123456"\n'
    )
    colour = write(
        themes_dir,
        "colour.toml",
        GOOD.replace('"good"', '"colour"').replace('"#FF6B4A"', '"redish"'),
    )
    missing = write(themes_dir, "missing.toml", GOOD.replace('error = "#FF6B4A"\n', ""))
    wrong = write(themes_dir, "wrong.toml", GOOD.replace("dark = true", 'dark = "yes"'))

    themes, problems = load_themes([themes_dir])

    assert [t.name for t in themes] == ["good"]
    by_file = {p.path: p for p in problems}
    assert len(problems) == 5 and set(by_file) == {syntax, unknown, colour, missing, wrong}
    assert all(isinstance(p, ThemeProblem) and isinstance(p, ConfigProblem) for p in problems)

    assert by_file[syntax].line == 6 and by_file[syntax].key is None
    assert str(by_file[syntax]).startswith("syntax.toml:6: invalid TOML: ")
    assert str(by_file[unknown]) == (
        "unknown.toml:6: primry: unknown key (did you mean 'primary'?); theme skipped"
    )
    assert (by_file[colour].line, by_file[colour].key) == (5, "error")
    assert "failed to parse 'redish' as a color" in by_file[colour].message
    assert str(by_file[missing]) == "missing.toml: error: required key is missing; theme skipped"
    assert str(by_file[wrong]) == (
        "wrong.toml:2: dark: expected true or false, got a string ('yes'); theme skipped"
    )


def test_every_problem_in_a_file_is_reported_in_line_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "many.toml",
        'name = "bad name!"\ndark = 1\nprimary = "#12"\nsuccess = 5\nerror = "red"\n'
        'text_alpha = 2\n\n[variables]\nboarder = "red"\nborder = "red 50%"\n'
        'link-style = "blinking"\nblock-cursor-foreground = "ansi_nope"\n',
    )
    themes, problems = load_themes([tmp_path])
    assert themes == []
    assert [(p.line, p.key) for p in problems] == [
        (1, "name"),
        (2, "dark"),
        (3, "primary"),
        (4, "success"),
        (6, "text_alpha"),
        (9, "variables.boarder"),
        (11, "variables.link-style"),
        (12, "variables.block-cursor-foreground"),
    ]
    assert all(p.path == path for p in problems)
    assert "did you mean 'border'?" in problems[5].message


def test_not_utf8_and_missing_dir(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes(b'name = "caf\xe9"\n')
    themes, problems = load_themes([tmp_path / "absent", tmp_path])
    assert themes == []
    assert [str(p) for p in problems] == [
        "latin1.toml:1: not UTF-8 text (byte 0xe9); theme skipped"
    ]


def test_file_is_only_parsed_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    write(tmp_path, "evil.toml", f"import os; os.mknod({str(marker)!r})\n")
    themes, problems = load_themes([tmp_path])
    assert themes == [] and not marker.exists()
    assert problems[0].line == 1 and "invalid TOML" in problems[0].message


def test_user_theme_overrides_builtin_by_name(tmp_path: Path) -> None:
    user = tmp_path / "user"
    write(user, "mine.toml", GOOD.replace('"good"', '"rotmon-dark"').replace("#336699", "#AA0000"))
    write(user, "extra.toml", GOOD.replace('"good"', '"extra"'))
    themes, problems = load_themes([builtin_themes_dir(), user])
    assert problems == []
    names = [t.name for t in themes]
    assert names.count("rotmon-dark") == 1 and "extra" in names and "rotmon-light" in names
    assert {t.name: t for t in themes}["rotmon-dark"].primary == "#AA0000"


def test_same_name_twice_in_one_dir_keeps_the_first(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD)
    write(tmp_path, "b.toml", "# copy\n" + GOOD.replace("#336699", "#000000"))
    themes, problems = load_themes([tmp_path])
    assert [(t.name, t.primary) for t in themes] == [("good", "#336699")]
    assert [str(p) for p in problems] == [
        "b.toml:2: name: theme 'good' is already defined in a.toml; theme skipped"
    ]


def test_optional_keys_and_variables_reach_the_theme(tmp_path: Path) -> None:
    write(
        tmp_path,
        "full.toml",
        GOOD
        + "ansi = false\ntext_alpha = 1\nluminosity_spread = 0.2\n"
        + 'surface = "hsl(210,20%,10%)"\n'
        + '[variables]\ntext-muted = "auto 70%"\nborder = "crimson"\n'
        + 'link-style-hover = "bold not underline"\n',
    )
    themes, problems = load_themes([tmp_path])
    assert problems == []
    (theme,) = themes
    assert theme.text_alpha == 1.0 and theme.luminosity_spread == 0.2
    assert theme.surface == "hsl(210,20%,10%)"
    assert theme.variables == {
        "text-muted": "auto 70%",
        "border": "crimson",
        "link-style-hover": "bold not underline",
    }


# --- up/down styles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("success", "error", "expected"),
    [
        ("ansi_green", "ansi_bright_red", ("green", "bright_red")),
        ("#29C7AA", "#ff6b4a", ("#29c7aa", "#ff6b4a")),
        ("hsl(120,100%,25%)", "crimson", ("#008000", "#dc143c")),
        ("#29C7AA80", "ansi_default", ("#29c7aa", "default")),
        (None, "not a colour", ("green", "red")),
    ],
)
def test_up_down_styles_are_rich_styles(
    success: str | None, error: str, expected: tuple[str, str]
) -> None:
    theme = Theme(name="t", primary="#000000", success=success, error=error)
    styles = up_down_styles(theme)
    assert styles == expected
    for style in styles:
        Style.parse(style)  # Rich must be able to draw it (it cannot parse "ansi_green")


# --- packaging ----------------------------------------------------------------------------------


def test_pyproject_ships_the_themes_dir_inside_the_package() -> None:
    """themes/ is mapped to tui.builtin_themes, and no tui subpackage is missing from the list."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert setuptools.get("package-dir", {}).get("tui.builtin_themes") == "themes"
    found = find_namespace_packages(where=str(ROOT), include=["tui*"], exclude=["*__pycache__*"])
    assert sorted(setuptools["packages"]) == sorted({*found, "tui.builtin_themes"})
    assert "*.toml" in setuptools["package-data"]["*"]
