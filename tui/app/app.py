"""The Textual application: wiring. Workers call the session layer and post what it returns.

The work — opening and seeding the cache, computing the figures, asking Yahoo, remembering
alerts — lives in :class:`tui.session.Monitor`, which the CLI uses too. Each worker here is a
call into it and a message; the screens read the app's state through reactives (`status`,
`report`, `chart_settings`, `compact`) and send messages up. The first frame never waits for
pandas or the network: it paints the figures the last run saved, then fresh ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import BindingType
from textual.reactive import var
from textual.screen import Screen

from tui.app.charts import ChartSettings
from tui.app.keys import APP_BINDINGS
from tui.app.messages import (
    DetailReady,
    EditGroup,
    LayoutWidth,
    OpenRule,
    OpenSymbol,
    RuleReady,
)
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.detail import DetailScreen
from tui.app.screens.rule import RuleScreen
from tui.app.session_app import SessionApp
from tui.app.themes import DEFAULT_THEME, load_themes, theme_dirs, up_down_styles
from tui.app.widgets.sector_table import SectorTable
from tui.config import Config, ConfigProblem
from tui.format import Palette
from tui.session import Monitor

COMPACT_WIDTH = 140


class RotmonApp(SessionApp):
    """Rotation Monitor: the screens, keys and commands over one session (SessionApp)."""

    CSS_PATH = "app.tcss"
    TITLE = "Rotation Monitor"
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    chart_settings: var[ChartSettings] = var(ChartSettings())
    """How every chart is drawn (period, scale, averages, overlay): one setting for all panes."""
    compact: var[bool] = var(False)
    """The 80-column layout (under COMPACT_WIDTH columns)."""

    def __init__(
        self,
        config: Config,
        problems: Sequence[ConfigProblem | str] = (),
        *,
        cache_path: Path,
        provider: Any = None,
        earnings_provider: Any = None,
        offline: bool = False,
        read_only: bool = False,
        clock: Callable[[], datetime] | None = None,
        theme: str | None = None,
        config_path: Path | None = None,
    ) -> None:
        monitor = Monitor(
            config,
            cache_path,
            read_only=read_only,
            offline=offline,
            provider=provider,
            earnings_provider=earnings_provider,
        )
        if clock is not None:
            monitor.clock = clock
        super().__init__(monitor, config_path)
        self.problems = [str(p) for p in problems]
        self.theme_override = theme
        self.palette = Palette()
        self._start_theme: str | None = None
        self._dashboard = DashboardScreen(
            self.groups,
            config.benchmark,
            clock=self.now,
            glance_inputs=monitor.glance_inputs,
            sector_breadth=lambda: monitor.market_breadth()["per_sector"],
        )

    @property
    def groups(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(g.name, g.symbols) for g in self.config.groups]

    @property
    def dashboard(self) -> DashboardScreen:
        return self._dashboard

    # -- start-up ------------------------------------------------------------------------

    def on_load(self) -> None:
        """Before the terminal is taken over: the theme and the saved figures, so that the
        dashboard is styled once, with the right theme, and its first frame shows figures."""
        themes, theme_problems = load_themes(theme_dirs())
        for theme in themes:
            self.register_theme(theme)
        self.problems.extend(str(p) for p in theme_problems)
        wanted = self.theme_override or self.monitor.remembered_theme() or self.config.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.problems.append(f"unknown or broken theme {wanted!r}; using {DEFAULT_THEME}")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self._start_theme = self.theme
        self.monitor.restore_benchmark()  # the pick of the last session: its summary next
        saved = self.monitor.peek_summary()  # a few ms of SQLite and JSON, no pandas
        if saved is not None:
            self.report = saved
            self.status = self.status.with_(as_of=saved.as_of)

    def refresh_css(self, animate: bool = True) -> None:
        """Textual re-parses every stylesheet when the theme changes; for the theme set in
        on_load nothing is parsed or styled yet, so its colours are all that is needed."""
        if not self.screen_stack:
            self.stylesheet.set_variables(self.get_css_variables())
            return
        super().refresh_css(animate=animate)

    def get_default_screen(self) -> Screen[Any]:
        # The dashboard is the bottom of the stack: composed with the app, painted once
        # (pushed over Textual's blank default screen it was painted twice, once unseen).
        return self._dashboard

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.compact = self.size.width < COMPACT_WIDTH
        self._apply_palette()
        self._problems_notice(self.problems, "Config problems", "Using defaults for these.")
        self.set_interval(3600, self.dashboard.show_catalysts)  # countdowns tick hourly
        # After the first frame: the worker's imports (pandas) would compete with its render.
        self.call_after_refresh(self.load_data)
        self.call_after_refresh(self._watch_files)
        self.call_after_refresh(self.load_calendar)

    def on_layout_width(self, message: LayoutWidth) -> None:
        self.compact = message.width < COMPACT_WIDTH

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")
        self.dashboard.set_compact(compact)

    def _theme_changed(self, _theme: object) -> None:
        self._apply_palette()
        if self._start_theme is not None and self.theme == self._start_theme:
            return  # the start-up choice being applied, not the user's
        self._start_theme = None
        self._remember_theme(self.theme)

    def _apply_palette(self) -> None:
        up, down = up_down_styles(self.current_theme)
        self.palette = Palette(up=up, down=down)
        self.dashboard.set_palette(self.palette)

    # -- messages ------------------------------------------------------------------------

    def on_open_symbol(self, message: OpenSymbol) -> None:
        self.action_open_symbol(message.symbol)

    def on_open_rule(self, message: OpenRule) -> None:
        self.action_open_rule(message.rule_id)

    def on_rule_ready(self, message: RuleReady) -> None:
        screen = self.screen
        if isinstance(screen, RuleScreen) and screen.rule_id == message.detail.rule["id"]:
            screen.show_detail(message.detail)

    def on_detail_ready(self, message: DetailReady) -> None:
        screen, detail = self.screen, message.detail
        if isinstance(screen, DetailScreen) and screen.shows(detail):
            screen.show_detail(detail)

    # -- actions -------------------------------------------------------------------------

    def action_open_symbol(self, symbol: str, benchmark: str | None = None) -> None:
        """Open the drill-down of `symbol`, against the benchmark or any other symbol."""
        if self.cache is None:
            self.notify("Still loading the cache…", timeout=3)
            return
        against = benchmark or self.benchmark_shown
        self.push_screen(DetailScreen(symbol, against, self.palette), callback=lambda _: None)
        self.load_detail(symbol, against)

    def action_chart_period(self, period: str) -> None:
        self.chart_settings = self.chart_settings.with_(period=period)

    def action_chart_log(self) -> None:
        self.chart_settings = self.chart_settings.with_(log=not self.chart_settings.log)

    def action_chart_averages(self) -> None:
        self.chart_settings = self.chart_settings.with_(averages=not self.chart_settings.averages)

    def action_chart_overlay(self) -> None:
        """Add the highlighted symbol's RS line to the overlay (or take it out again)."""
        symbol = self.dashboard.query_one(SectorTable).selected_symbol
        if symbol is None:
            return
        overlay = list(self.chart_settings.overlay)
        if symbol in overlay:
            overlay.remove(symbol)
        else:
            overlay.append(symbol)
        self.chart_settings = self.chart_settings.with_(overlay=tuple(overlay))

    def action_chart_overlay_clear(self) -> None:
        self.chart_settings = self.chart_settings.with_(overlay=())

    def action_compare(self) -> None:
        """Ask for two symbols, then chart the first against the second."""
        from tui.app.screens.prompts import ComparePrompt

        def open_pair(pair: tuple[str, str] | None) -> None:
            if pair:
                self.action_open_symbol(pair[0], benchmark=pair[1])

        self.push_screen(ComparePrompt(), callback=open_pair)

    def action_reload(self) -> None:
        """Read the config, rules, events and themes again; report problems like at start."""
        if self.config_path is not None:
            config, problems = self.monitor.read_config(Path(self.config_path))
            tail = "Using defaults for these." if config else "Kept the running config."
            self._problems_notice(problems, "Config problems", tail)
            if config is not None:  # a half-typed edit must not throw the running layout away
                self.apply_config(config)
        themes, theme_problems = load_themes(theme_dirs())
        for theme in themes:
            self.register_theme(theme)
        self._problems_notice([str(p) for p in theme_problems], "Theme problems")
        if self.theme in {t.name for t in themes}:
            self.refresh_css()
            self._apply_palette()
        self.recompute()

    def apply_config(self, config: Config, old: Config | None = None) -> None:
        """Use a new config now: groups, benchmark, theme and refresh cadence."""
        old = old or self.config
        self.monitor.config = config
        if self.monitor.benchmark not in config.benchmark_choices():
            self.monitor.set_benchmark(None)  # no longer offered: back to the config's
        self.dashboard.set_universe(self.groups, config.benchmark)
        if config.theme != old.theme and config.theme in self.available_themes:
            self.theme = config.theme
        if (config.refresh_open, config.refresh_closed) != (old.refresh_open, old.refresh_closed):
            self._schedule_refresh()

    def on_edit_group(self, message: EditGroup) -> None:
        """Save a group edit to config.toml (comments kept), then use the new config."""
        change, group, symbol = message.change, message.group, message.symbol
        if self.config_path is None:
            self.notify("No config file to save to", severity="warning")
            return
        old = self.config
        try:
            config = self.monitor.edit_group(Path(self.config_path), change, group, symbol)
        except ValueError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.files.note()  # our own write: no second reload
        self.apply_config(config, old)
        done, where = ("Added", "to") if change == "add" else ("Removed", "from")
        self.notify(f"{done} {symbol} {where} {group} in {self.config_path}", markup=False)
        self.recompute()
        if change == "add":
            self.call_later(self.action_refresh)  # fetches the new symbol's history online

    def action_export(self) -> None:
        """The table as CSV and the current screen as SVG, in the export dir; says where.
        Both are new files (never written over, nor through a link planted at the name)."""
        from tui.export import table_csv, write_exports
        from tui.locations import export_dir

        texts = {".csv": table_csv(self.report.rows)} if self.report is not None else {}
        texts[".svg"] = self.export_screenshot()
        try:
            written = write_exports(export_dir(), texts, self.now().astimezone())
        except OSError as error:
            self.notify(f"Export failed: {error}", severity="error", markup=False)
            return
        self.notify("Exported " + " and ".join(str(p) for p in written), markup=False, timeout=8)

    def action_rrg(self) -> None:
        """Open the relative rotation graph (Esc closes it)."""
        from tui.app.screens.rrg import RRGScreen

        if isinstance(self.screen, RRGScreen):
            return
        closes = self.report.closes if self.report else None
        groups = [(n, list(s)) for n, s in self.groups]
        self.push_screen(
            RRGScreen(
                closes,
                groups,
                self.benchmark_shown,
                holdings_closes=self.monitor.holdings_closes,
            )
        )

    def action_history(self) -> None:
        """The track record: the score over the whole history, its streak and its study."""
        from tui.app.screens.history import HistoryScreen

        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(self.palette, self.monitor.score_study))

    def action_digest(self) -> None:
        """What changed since the previous close and since the last session."""
        from tui.app.screens.digest import DigestScreen

        if not isinstance(self.screen, DigestScreen):
            self.push_screen(DigestScreen(self.palette, self.monitor.glance_inputs))

    def action_book(self) -> None:
        """The positions file against the rotation: P&L and sector exposure vs SPY."""
        from tui.app.screens.positions import PositionsScreen

        if not isinstance(self.screen, PositionsScreen):
            self.push_screen(PositionsScreen(self.palette, self.monitor.glance_inputs))

    def action_heatmap(self) -> None:
        """Sectors and their holdings, coloured by the window's return or RS."""
        from tui.app.screens.heatmap import HeatmapScreen

        if not isinstance(self.screen, HeatmapScreen):
            self.push_screen(
                HeatmapScreen(
                    self.palette, self.monitor.holdings_closes, benchmark=self.benchmark_shown
                )
            )

    def action_concentration(self) -> None:
        """The mega caps' weight in SPY, their basket against RSP and SPY, and their part in
        SPY's move (computed in the screen's worker)."""
        from tui.app.screens.concentration import ConcentrationScreen

        if not isinstance(self.screen, ConcentrationScreen):
            self.push_screen(ConcentrationScreen(self.monitor.concentration_view))

    def action_open_rule(self, rule_id: str) -> None:
        """Open a regime rule's evidence screen."""
        report = self.report
        if report is None or report.closes is None:
            self.notify("Still computing the figures…", timeout=3)
            return
        name = next((r["name"] for r in report.regime if r["id"] == rule_id), rule_id)
        self.push_screen(RuleScreen(rule_id, name, self.palette))
        self.load_rule(rule_id)

    def action_help(self) -> None:
        from tui.app.commands import key_rows
        from tui.app.screens.help import HelpScreen, help_sections

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(key_rows(help_sections(self.BINDINGS))))

    @property
    def benchmark_shown(self) -> str:
        """The benchmark of the figures on screen (the one picked, once they are computed)."""
        return self.report.benchmark if self.report is not None else self.monitor.benchmark

    def action_cycle_benchmark(self) -> None:
        """Measure against the next of the config's benchmarks (after the last, the first)."""
        choices = self.config.benchmark_choices()
        current = self.monitor.benchmark
        at = choices.index(current) if current in choices else -1
        self.action_set_benchmark(choices[(at + 1) % len(choices)])

    def action_set_benchmark(self, symbol: str) -> None:
        """Measure RS, the charts, the RRG and the rules that compare with the market against
        `symbol`: the figures are computed again in a worker (the ones on screen stay until
        then) and the pick is remembered for the next start."""
        if not self.monitor.set_benchmark(symbol):
            self.notify(f"Already measuring against {symbol}", timeout=3, markup=False)
            return
        self.notify(f"Benchmark: {symbol} · computing…", timeout=4, markup=False)
        self.recompute_benchmark()

    def action_sort(self, column: str) -> None:
        table = self.dashboard.query_one(SectorTable)
        table.sort_by(None if column == "config" else column, reverse=column not in ("symbol",))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from tui.app.commands import rotmon_commands

        yield from super().get_system_commands(screen)
        yield from rotmon_commands(
            self.report,
            self.config.symbols(),
            refresh=self.action_refresh,
            rrg=self.action_rrg,
            history=self.action_history,
            digest=self.action_digest,
            book=self.action_book,
            heatmap=self.action_heatmap,
            sort=self.action_sort,
            open_rule=self.action_open_rule,
            open_symbol=self.action_open_symbol,
            benchmarks=self.config.benchmark_choices(),
            benchmark=self.monitor.benchmark,
            set_benchmark=self.action_set_benchmark,
        )
        yield SystemCommand(
            "Mega-cap concentration",
            "The mag-7's weight in SPY, their basket vs RSP and SPY, their part in SPY's move (C)",
            self.action_concentration,
        )
