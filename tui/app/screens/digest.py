"""What changed: the whole digest, since the previous close or since the last session (t)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.app.widgets.footer import FittedFooter
from tui.format import Palette

if TYPE_CHECKING:
    from tui.regime.digest import Digest

SPANS = ("yesterday", "last-session")
TITLES = {"yesterday": "since the previous close", "last-session": "since your last session"}


class DigestScreen(Screen[None]):
    """The digest (tui.glance.digest), computed in a thread from the session's glance inputs;
    `t` switches between the previous close and the last session; Esc goes back."""

    DEFAULT_CSS = """
    DigestScreen #digest-title { height: 1; padding: 0 1; background: $primary-muted;
        text-style: bold; }
    DigestScreen #digest-body { height: 1fr; }
    DigestScreen #digest-text { padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the dashboard"),
        Binding("t", "toggle", "Since…", tooltip="Previous close / last session"),
    ]

    def __init__(self, palette: Palette, glance_inputs: Callable[[], Any]) -> None:
        super().__init__()
        self.palette = palette
        self.glance_inputs = glance_inputs
        self.span = "yesterday"
        self.results: dict[str, Digest | str] = {}
        """span -> its digest, or the reason there is none."""

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="digest-title", markup=False)
        with VerticalScroll(id="digest-body"):
            yield Static("computing…", id="digest-text", markup=False)
        yield FittedFooter()

    def on_mount(self) -> None:
        self.run_worker(self._compute, thread=True, exclusive=True, exit_on_error=False)

    def _title(self) -> str:
        return f"What changed {TITLES[self.span]}  (t: {TITLES[self._other()]})"

    def _other(self) -> str:
        return SPANS[1 - SPANS.index(self.span)]

    def _compute(self) -> None:
        from tui.glance import GlanceError, digest

        try:
            inputs = self.glance_inputs()
        except Exception as error:  # the cache went away: say so, never a traceback
            self.app.call_from_thread(self._ready, {s: f"no data: {error}" for s in SPANS})
            return
        results: dict[str, Digest | str] = {}
        for span in SPANS:
            try:
                results[span] = digest(inputs, span)
            except GlanceError as error:
                results[span] = str(error)
        self.app.call_from_thread(self._ready, results)

    def _ready(self, results: dict[str, Digest | str]) -> None:
        self.results = results
        self._show()

    def _show(self) -> None:
        from tui.regime.digest import digest_lines

        self.query_one("#digest-title", Static).update(self._title())
        result = self.results.get(self.span)
        if result is None:
            text = "computing…"
        elif isinstance(result, str):
            text = result
        else:
            text = "\n".join(digest_lines(result))
        self.query_one("#digest-text", Static).update(text)

    def action_toggle(self) -> None:
        self.span = self._other()
        self._show()

    def action_back(self) -> None:
        self.app.pop_screen()
