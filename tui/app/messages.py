"""Messages the workers send to the UI: small, typed, and safe to post from a thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tui.data.refresh import RefreshOutcome
    from tui.report import Detail, Report, RuleDetail, TrackRecord


@dataclass
class ReportReady(Message):
    """New figures for the dashboard. `from_summary` is the fast path saved by the last run."""

    report: Report
    from_summary: bool = False

    def can_replace(self, message: Message) -> bool:
        # Only the newest figures matter: a burst of refreshes cannot flood the queue.
        return isinstance(message, ReportReady)


@dataclass
class CacheOpened(Message):
    """The cache is open; `notice` explains anything unusual (moved aside, in memory)."""

    notice: str | None
    source: str | None
    last_success_at: str | None


@dataclass
class RefreshStarted(Message):
    """A refresh began (shown in the status bar)."""


@dataclass
class RefreshDone(Message):
    """A refresh ended, well or not; the outcome says which."""

    outcome: RefreshOutcome


@dataclass
class DetailReady(Message):
    """The figures for one drill-down screen."""

    detail: Detail


@dataclass
class SymbolHighlighted(Message):
    """The cursor in a table moved onto a symbol."""

    symbol: str


@dataclass
class OpenSymbol(Message):
    """The user asked to drill into a symbol."""

    symbol: str


@dataclass
class OpenRule(Message):
    """The user asked for a regime rule's evidence."""

    rule_id: str


@dataclass
class RuleReady(Message):
    """The evidence of one rule, computed in a worker."""

    detail: RuleDetail


@dataclass
class Alerts(Message):
    """Rule flips and imminent catalysts to tell the user about (each once)."""

    messages: list[str]


@dataclass
class LayoutWidth(Message):
    """A screen was resized (or shown again): the app picks the layout for this width."""

    width: int


@dataclass
class EditGroup(Message):
    """The user asked to add (`change` "add") or remove a symbol of a group in the config."""

    change: str
    group: str
    symbol: str


@dataclass
class TrackRecordReady(Message):
    """The score's history and the forward-return study, computed in a worker."""

    record: TrackRecord

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrackRecordReady)


@dataclass
class ClockReady(Message):
    """The exchange calendar is loaded (off the UI thread): the market clock can tick."""
