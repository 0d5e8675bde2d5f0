"""A footer that never cuts a key at the edge: the keys that do not fit whole are hidden.

Textual's Footer is a row of keys that scrolls sideways when they do not fit, so on an
80-column terminal its last key shows in part ("r Refres"). This one shows the keys, in
their order, while they fit whole beside the command palette's key, and hides the rest;
every key of every screen is in the key list (``?``) anyway.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Footer


class FittedFooter(Footer):
    """Footer showing only the keys that fit whole (the others are listed under ``?``)."""

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self.fit_keys)

    def on_resize(self) -> None:
        self.fit_keys()

    def fit_keys(self) -> None:
        """Show the keys, in order, while they fit whole; hide every key after the first
        that does not (so the footer never skips a key to show a later one)."""
        if not self.size.width:
            return
        palette = [c for c in self.children if c.has_class("-command-palette")]
        room = self.size.width - sum(self._outer_width(c) for c in palette)
        for child in self.children:
            if child in palette:
                continue
            width = self._outer_width(child)
            fits = 0 <= width <= room
            child.display = fits
            room = room - width if fits else -1

    def _outer_width(self, widget: Widget) -> int:
        """Cells ``widget`` takes in the row: content, padding, border and margin."""
        styles = widget.styles
        content = widget.get_content_width(self.size, self.app.size)
        return content + styles.gutter.width + styles.margin.width
