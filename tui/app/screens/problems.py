"""The problems screen (`!`): every config, rules, events or theme problem, scrollable, so a
long list never runs off a small screen; and the one-line notice that points to it.

Each problem is shown as plain text: the lines carry user text (file paths, names, keys), so
they are never parsed as markup and their control characters are replaced (tui.format.plain).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.format import plain

PROBLEMS_KEY = "!"
"""The key that opens the problems screen (the notice names it)."""


def short_notice(problems: Sequence[str], kind: str = "config") -> str:
    """One line for a notice: how many problems of this kind, and the key that shows them
    ('3 config problems — press ! to see them'); empty when there are none."""
    count = len(problems)
    if not count:
        return ""
    noun = "problem" if count == 1 else "problems"
    them = "it" if count == 1 else "them"
    return f"{count} {plain(kind)} {noun} — press {PROBLEMS_KEY} to see {them}"


class ProblemsScreen(ModalScreen[None]):
    """A modal list of problems under a title; scrolls when it is longer than the screen.
    Esc (or !) closes it, q quits as everywhere."""

    DEFAULT_CSS = """
    ProblemsScreen {
        align: center middle;
    }
    ProblemsScreen > #problems {
        width: 100%;
        max-width: 110;
        height: auto;
        max-height: 100%;
        border: round $warning;
        background: $surface;
    }
    ProblemsScreen #problems-title {
        height: auto;
        padding: 0 1;
        text-style: bold;
        color: $text-warning;
    }
    ProblemsScreen #problems-list {
        height: auto;
        max-height: 1fr;
        padding: 0 1;
    }
    ProblemsScreen .problem {
        height: auto;
        margin-bottom: 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,exclamation_mark", "dismiss", "Close", show=False),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, problems: Sequence[str], title: str = "Problems") -> None:
        super().__init__()
        self.problems = [plain(p) for p in problems]
        self.title_text = plain(title)

    def compose(self) -> ComposeResult:
        count = len(self.problems)
        heading = f"{self.title_text} · {count} · ↑↓ to scroll · Esc to close"
        with Vertical(id="problems"):
            yield Static(Text(heading), id="problems-title")
            with VerticalScroll(id="problems-list"):
                for index, problem in enumerate(self.problems, 1):
                    yield Static(Text(f"{index}. {problem}"), classes="problem")

    def on_mount(self) -> None:
        self.query_one("#problems-list").focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss()
