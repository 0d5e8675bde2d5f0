"""Assemble what the dashboard and `rotmon report` show, from the cache, without any UI.

One function, `build_report`, reads the cached closes, runs the analytics, the regime rules
and the catalyst calendar, and returns a `Report`: plain rows, rule results and catalysts
(JSON-ready) plus the wide closes frame the charts use. The dashboard and the `report` command
both call it, so they can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import pandas as pd

    from tui.data.cache import Cache
    from tui.regime.catalysts import Catalyst
    from tui.regime.fed import Decision
    from tui.regime.rules import Rule

ET = ZoneInfo("America/New_York")
SUMMARY_VERSION = 2
CATALYST_HORIZON_DAYS = 60
"""Catalysts listed: the last FOMC decision, then everything in the next 60 days."""


@dataclass
class Report:
    """Everything one screen of figures needs; rows, rules and catalysts are JSON-ready."""

    benchmark: str
    as_of: str | None
    rows: list[dict[str, Any]]
    regime: list[dict[str, Any]]
    regime_summary: dict[str, Any] | None
    catalysts: list[dict[str, Any]]
    next_fomc: dict[str, Any] | None
    missing: list[str] = field(default_factory=list)
    earnings_unknown: list[str] = field(default_factory=list)
    rrg: list[dict[str, Any]] = field(default_factory=list)
    closes: pd.DataFrame | None = None
    transitions: list[dict[str, Any]] = field(default_factory=list)
    """This period's RRG quadrant changes (tui.analytics.rrg.transition_to_dict)."""

    def to_json(self) -> dict[str, Any]:
        """The `report --json` document (no sparklines, no frames)."""
        rows = [{k: v for k, v in row.items() if k != "spark"} for row in self.rows]
        return {
            "as_of": self.as_of,
            "benchmark": self.benchmark,
            "rows": rows,
            "regime_summary": self.regime_summary,
            "regime": self.regime,
            "catalysts": self.catalysts,
            "earnings_unknown": self.earnings_unknown,
            "rrg": self.rrg,
            "next_fomc": self.next_fomc,
            "missing": self.missing,
        }

    def to_summary(self, key: str) -> dict[str, Any]:
        """What the cache keeps so the next start can paint figures before pandas loads."""
        return {"version": SUMMARY_VERSION, "key": key, **self.to_json(), "rows": self.rows}

    @classmethod
    def from_summary(cls, payload: dict[str, Any], key: str) -> Report | None:
        """Rebuild a report from a saved summary, or None if it is for another universe."""
        if payload.get("version") != SUMMARY_VERSION or payload.get("key") != key:
            return None
        try:
            return cls(
                benchmark=str(payload["benchmark"]),
                as_of=payload.get("as_of"),
                rows=list(payload["rows"]),
                regime=list(payload["regime"]),
                regime_summary=payload.get("regime_summary"),
                catalysts=list(payload.get("catalysts", [])),
                next_fomc=payload.get("next_fomc"),
                missing=list(payload.get("missing", [])),
                earnings_unknown=list(payload.get("earnings_unknown", [])),
                rrg=list(payload.get("rrg", [])),
            )
        except (KeyError, TypeError):
            return None


def summary_key(symbols: Sequence[str], benchmark: str) -> str:
    """Identify a universe, so a saved summary is only used for the same symbols."""
    return benchmark + ":" + ",".join(symbols)


def next_fomc(now: datetime) -> dict[str, Any] | None:
    """The next scheduled FOMC decision after `now` (aware), with its countdown in days."""
    from tui.regime.fomc import days_until, load_meetings, next_meeting

    meeting = next_meeting(load_meetings(), now)
    if meeting is None:
        return None
    return {
        "date": meeting.end.isoformat(),
        "datetime": meeting.decision_at.isoformat(),
        "days_until": round(days_until(meeting.decision_at, now), 2),
        "press_conference": meeting.press_conference,
        "sep": meeting.sep,
    }


def as_of_moment(as_of: str) -> datetime:
    """The close of trading day `as_of` (16:00 ET), as the 'now' of a report about the past."""
    return datetime.combine(date.fromisoformat(as_of), time(16, 0), tzinfo=ET)


def rule_symbols(rules: Sequence[Rule] | None = None) -> list[str]:
    """Every symbol the regime rules read (seed and read these whatever the table shows)."""
    if rules is None:
        rules = shipped_rules()
    return list(dict.fromkeys(s for rule in rules for s in rule.symbols))


def seed_bundled(cache: Cache, symbols: Iterable[str]) -> int:
    """Insert-missing the bundled history of ``symbols``: the universe's and the factor ETFs'
    files (:func:`tui.data.snapshot.seed_cache`) and, for the bundled holdings among them (the
    mega caps the concentration rule reads), the holdings' file. Returns rows inserted.

    Seeding the holdings reads their csv.gz once per cache (~0.5 s, recorded as done), in the
    same worker as the rest of the seed; never before the first frame."""
    from tui.data.snapshot import load_holdings, load_spy_holdings, seed_cache, seed_holdings

    wanted = list(dict.fromkeys(symbols))
    inserted = seed_cache(cache, wanted)
    held = {h.symbol for h in load_spy_holdings()}
    held |= {h.symbol for rows in load_holdings().values() for h in rows}
    members = [s for s in wanted if s in held]
    if members:
        inserted += seed_holdings(cache, members)
    return inserted


def shipped_rules() -> list[Rule]:
    """The rules bundled with the package (no user overrides)."""
    from tui.regime.rules import load_rules

    return load_rules(None)[0]


def policy(fetched: Sequence[tuple[date, float, float]] | None = None) -> list[Decision]:
    """The Fed's record the rules read: the bundled target-range changes and scheduled holds,
    and (`fetched`) FRED's target range over the days it covers."""
    from tui.regime.fed import policy_record
    from tui.regime.fomc import load_meetings

    return policy_record(fetched=fetched or None, meetings=load_meetings())


def catalyst_list(
    cache: Cache,
    symbols: Sequence[str],
    now: datetime,
    events: Iterable[Catalyst] = (),
    horizon_days: float = CATALYST_HORIZON_DAYS,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The last FOMC decision (with its move) and every catalyst in the next `horizon_days`:
    FOMC meetings, the user's macro events, and the cached earnings dates of watched stocks;
    and the watched stocks whose next earnings date is unknown ("?")."""
    from tui.data.earnings import cached_earnings
    from tui.regime.catalysts import (
        catalyst_to_dict,
        earnings_catalysts,
        fomc_catalysts,
        is_upcoming,
        sort_catalysts,
        upcoming,
    )
    from tui.regime.fed import load_decisions
    from tui.regime.fomc import load_meetings
    from tui.universe import ETFS

    fomc = fomc_catalysts(load_meetings(), load_decisions(), now)
    past = [c for c in fomc if not is_upcoming(c, now)]
    dates = cached_earnings(cache, symbols, ETFS, now)
    everything = [*fomc, *events, *earnings_catalysts(dates, now)]
    shown = upcoming(everything, now, horizon_days)
    if past:
        shown = [sort_catalysts(past)[-1], *shown]
    unknown = [symbol for symbol, day in dates.items() if day is None]
    return [catalyst_to_dict(c, now) for c in shown], unknown


def build_report(
    cache: Cache,
    symbols: Sequence[str],
    benchmark: str,
    *,
    as_of: str | None = None,
    now: datetime | None = None,
    rules: Sequence[Rule] | None = None,
    events: Iterable[Catalyst] = (),
    spark_points: int = 63,
    decisions: Sequence[Decision] | None = None,
) -> Report:
    """Compute the table, the regime rules and the catalysts from cached data.

    `as_of` limits every figure to rows dated on or before it; catalysts and the FOMC countdown
    are then counted from that day's close, so a report about the past reads as it would have
    that day. `rules` default to the shipped rule file; `events` are the user's macro releases;
    `decisions` the Fed's record (default: the bundled tables, see :func:`policy`).
    """
    from tui.analytics.returns import period_changes
    from tui.analytics.rrg import rrg, rrg_to_dict, transition_to_dict, transitions
    from tui.analytics.table import build_table, row_to_dict
    from tui.regime.engine import evaluate, result_to_dict, summarize, summary_to_dict
    from tui.regime.fomc import load_meetings
    from tui.universe import YIELDS

    if rules is None:
        rules = shipped_rules()
    wanted = list(dict.fromkeys([*symbols, benchmark]))
    extra = [s for s in rule_symbols(rules) if s not in wanted]
    closes = cache.read_closes([*wanted, *extra], end=as_of)
    table = build_table(closes, list(symbols), benchmark, as_of=as_of, spark_points=spark_points)
    rows = []
    for row in table:
        item = row_to_dict(row)
        item["spark"] = [float(v) for v in row.spark]
        if row.symbol in YIELDS and row.symbol in closes.columns:
            # Yield points, not returns: the table shows these as basis points.
            item["chg"] = period_changes(closes[row.symbol])
        rows.append(item)
    last = max((r["last_date"] for r in rows if r["last_date"]), default=None)
    if now is None:
        now = as_of_moment(as_of) if as_of else datetime.now(UTC)
    # One as-of for the table and the rules, even when the rules read other symbols.
    if decisions is None:
        decisions = policy()
    results = evaluate(
        closes, rules, decisions=decisions, as_of=as_of or last, meetings=load_meetings()
    )
    missing = [r["symbol"] for r in rows if r["close"] is None]
    catalysts, earnings_unknown = catalyst_list(cache, list(symbols), now, events)
    # Weekly RRG of every price symbol (yields, index levels and the benchmark have no point).
    graph = []
    points = rrg(closes, [r["symbol"] for r in rows], benchmark, as_of=as_of)
    for point in points:
        item = rrg_to_dict(point)
        item["previous_quadrant"] = point.previous_quadrant
        graph.append(item)
    by_symbol = {g["symbol"]: g for g in graph}
    for row in rows:
        point = by_symbol.get(row["symbol"])
        row["quadrant"] = point["quadrant"] if point else None
        row["previous_quadrant"] = point["previous_quadrant"] if point else None
    return Report(
        benchmark=benchmark,
        as_of=last,
        rows=rows,
        regime=[result_to_dict(r) for r in results],
        regime_summary=summary_to_dict(summarize(results)) if results else None,
        catalysts=catalysts,
        next_fomc=next_fomc(now),
        missing=missing,
        earnings_unknown=earnings_unknown,
        rrg=graph,
        closes=closes,
        transitions=[transition_to_dict(t) for t in transitions(points)],
    )


@dataclass
class RSSeries:
    """A relative-strength line and its moving average, ready to chart."""

    label: str
    dates: list[str]
    values: list[float]
    sma: list[float]


def rs_series(
    closes: pd.DataFrame,
    symbol: str,
    benchmark: str | None,
    days: int | None = 252,
    window: int = 50,
) -> RSSeries | None:
    """The last `days` points (None: all) of symbol/benchmark and of its `window`-day average.

    With no benchmark (or the symbol itself as benchmark) it is the symbol's own close: the
    chart a benchmark, a yield or an index level gets instead of a meaningless ratio.
    """
    from tui.analytics.relative import rs_line

    if symbol not in closes.columns:
        return None
    if benchmark is None or benchmark == symbol:
        line = closes[symbol].dropna()
        label = symbol
    elif benchmark not in closes.columns:
        return None
    else:
        line = rs_line(closes[symbol], closes[benchmark])
        label = f"{symbol}/{benchmark}"
    if len(line) < 2:
        return None
    average = line.rolling(window).mean()
    tail = line.iloc[-days:] if days else line
    avg_tail = average.iloc[-days:] if days else average
    return RSSeries(
        label=label,
        dates=[d.strftime("%Y-%m-%d") for d in tail.index],
        values=[float(v) for v in tail.to_numpy()],
        sma=[float(v) for v in avg_tail.to_numpy()],
    )


DETAIL_WINDOWS: dict[str, int | None] = {
    "1M": 21,
    "3M": 63,
    "6M": 126,
    "1Y": 252,
    "3Y": 756,
    "max": None,
}
"""The drill-down's chart periods in trading-day rows of the symbol (None: its whole history);
the attribution is computed over each, so the chart keys switch it instantly."""


@dataclass
class BreadthSeries:
    """A sector's daily breadth, ready to chart: shares of its holdings (fractions)."""

    dates: list[str]
    above_50: list[float]
    above_200: list[float]
    high_20: list[float]
    basket_vs_etf: list[float]
    n: list[int]


@dataclass
class Detail:
    """One symbol's drill-down: its own row, its RS line, and its holdings' figures.

    For a sector with a bundled holdings list also its breadth (the latest figures,
    :func:`tui.analytics.breadth.breadth_snapshot`, and their history) and the attribution of
    its move against the benchmark over each of :data:`DETAIL_WINDOWS`
    (:func:`tui.analytics.attribution.attribution_to_dict`; None where the window has no data).
    """

    symbol: str
    name: str
    benchmark: str
    row: dict[str, Any] | None
    rs: RSSeries | None
    holdings: list[dict[str, Any]]
    holdings_note: str
    fresh: frozenset[str] = frozenset()  # holdings whose last close is the sector's
    breadth: dict[str, Any] | None = None
    breadth_history: BreadthSeries | None = None
    breadth_caveat: str = ""
    attribution: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    attribution_error: str | None = None


def build_detail(cache: Cache, symbol: str, benchmark: str, *, as_of: str | None = None) -> Detail:
    """Figures for the drill-down of `symbol`: RS vs the benchmark, and its main holdings.

    Holdings come from the bundled State Street list; each holding shows its own returns and its
    3-month RS against the sector ETF and against the benchmark. Holdings without price data
    are listed as such, never with a number.
    """
    from tui.analytics.table import build_table, row_to_dict
    from tui.data.snapshot import load_holdings, seed_holdings
    from tui.universe import NOT_PRICES, STAND_IN_HOLDINGS, name_of

    holdings = load_holdings().get(symbol, [])
    if holdings:
        members = [(h.symbol, h.name, h.weight_pct) for h in holdings]
        note = (
            f"Top {len(holdings)} holdings by weight · State Street, "
            f"as of {holdings[0].as_of} or earlier"
        )
    elif symbol in STAND_IN_HOLDINGS:
        members = [(s, name_of(s), None) for s in STAND_IN_HOLDINGS[symbol]]
        note = (
            f"No holdings list is bundled for {symbol}; "
            f"showing the universe's own names {', '.join(STAND_IN_HOLDINGS[symbol])}"
        )
    else:
        members = []
        note = f"No holdings list for {symbol}"
    member_symbols = [m[0] for m in members]
    if member_symbols:
        seed_holdings(cache, member_symbols)
    closes = cache.read_closes(list(dict.fromkeys([symbol, benchmark, *member_symbols])), end=as_of)
    own = build_table(closes, [symbol], benchmark, as_of=as_of)
    rows: list[dict[str, Any]] = []
    if member_symbols:
        vs_sector = {r.symbol: r for r in build_table(closes, member_symbols, symbol, as_of=as_of)}
        vs_bench = {
            r.symbol: r for r in build_table(closes, member_symbols, benchmark, as_of=as_of)
        }
        for member, member_name, weight in members:
            item = row_to_dict(vs_bench[member])
            item["name"] = member_name
            item["weight_pct"] = weight
            item["rs_sector"] = row_to_dict(vs_sector[member])["rs"]
            item["has_data"] = item["close"] is not None
            rows.append(item)
    own_row = row_to_dict(own[0]) if own else None
    sector_date = own_row["last_date"] if own_row else None
    fresh = frozenset(
        r["symbol"]
        for r in rows
        if r["last_date"] and sector_date and r["last_date"] >= sector_date
    )
    dates = sorted({r["last_date"] for r in rows if r["last_date"]})
    if dates and sector_date and dates[0] < sector_date:
        note += f" · prices to {dates[0]}–{dates[-1]} (* older than {symbol}'s {sector_date})"
    detail = Detail(
        symbol=symbol,
        name=name_of(symbol),
        benchmark=benchmark,
        row=own_row,
        rs=rs_series(closes, symbol, None if symbol in NOT_PRICES else benchmark, days=None),
        holdings=rows,
        holdings_note=note,
        fresh=fresh,
    )
    if holdings:
        _add_breadth(detail, closes, holdings, as_of)
    return detail


def _add_breadth(
    detail: Detail, closes: pd.DataFrame, holdings: Sequence[Any], as_of: str | None
) -> None:
    """The sector's breadth and the attribution of its move, into ``detail``."""
    from tui.analytics.attribution import attribute, attribution_to_dict, window_start
    from tui.analytics.breadth import CAVEAT, breadth, breadth_snapshot

    symbol, benchmark = detail.symbol, detail.benchmark
    members = list(dict.fromkeys(h.symbol for h in holdings))
    group = breadth(closes, {symbol: members}, {symbol: symbol}, as_of=as_of)[symbol]
    frame = group.frame
    detail.breadth = breadth_snapshot(group)
    detail.breadth_caveat = CAVEAT
    detail.breadth_history = BreadthSeries(
        dates=[d.strftime("%Y-%m-%d") for d in frame.index],
        above_50=[float(v) for v in frame["above_50"].to_numpy()],
        above_200=[float(v) for v in frame["above_200"].to_numpy()],
        high_20=[float(v) for v in frame["high_20"].to_numpy()],
        basket_vs_etf=[float(v) for v in frame["basket_vs_etf"].to_numpy()],
        n=[int(v) for v in frame["n"].to_numpy()],
    )
    if symbol not in closes.columns:
        return
    series = closes[symbol].dropna()
    if as_of is not None:
        series = series.loc[:as_of]
    against = None if benchmark == symbol else benchmark
    for period, days in DETAIL_WINDOWS.items():
        rows = len(series) - 1 if days is None else days
        try:
            start = window_start(closes, symbol, rows, end=as_of)
            result = attribute(closes, symbol, holdings, start, as_of, benchmark=against)
        except ValueError as error:  # too short a history, or no benchmark close in it
            detail.attribution[period] = None
            detail.attribution_error = str(error)
            continue
        detail.attribution[period] = attribution_to_dict(result)


@dataclass
class RuleDetail:
    """A regime rule's evidence: its series and threshold over time, and its flip history."""

    rule: dict[str, Any]
    series_name: str
    dates: list[str]
    values: list[float]
    threshold: list[float]
    flips: list[tuple[str, str]]  # (date, new status), newest first


def build_rule_detail(
    closes: pd.DataFrame,
    rule: Rule,
    *,
    as_of: str | None = None,
    days: int | None = None,
    decisions: Sequence[Decision] | None = None,
) -> RuleDetail:
    """The last `days` rows (None: all) of the rule's series and threshold line, and every
    flip."""
    from tui.regime.engine import evaluate, flips, result_to_dict, rule_series
    from tui.regime.fomc import load_meetings

    decisions, meetings = policy() if decisions is None else decisions, load_meetings()
    result = evaluate(closes, [rule], decisions=decisions, as_of=as_of, meetings=meetings)[0]
    frame = rule_series(closes, rule, decisions, as_of=as_of, meetings=meetings)
    tail = frame.iloc[-days:] if days else frame
    return RuleDetail(
        rule=result_to_dict(result),
        series_name=result.series_name,
        dates=[d.strftime("%Y-%m-%d") for d in tail.index],
        values=[float(v) for v in tail["value"].to_numpy()],
        threshold=[float(v) for v in tail["threshold"].to_numpy()],
        flips=list(reversed(flips(frame))),
    )


@dataclass
class TrackRecord:
    """How the checklist has done: the score on every day, its streak, and the forward-return
    study of every rule and of the score (in-sample, see :mod:`tui.regime.study`).

    JSON-ready apart from nothing: the history screen and each rule's evidence show it, and it
    is saved beside the summary so that it is there at the next start before it is recomputed.
    """

    as_of: str | None
    dates: list[str]
    """Every timeline day, oldest first."""
    passed: list[int]
    known: list[int]
    states: list[str]
    """ON / MIXED / OFF / ? of each day (the summary's reading of the confirmed states)."""
    flips: list[tuple[str, str]]
    """(date, new state) of every change of the score's state, oldest first."""
    streak: str | None
    last_high: str | None
    study: dict[str, Any]
    """What :func:`tui.regime.study.backtest` returns (no per-day series)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "dates": self.dates,
            "passed": self.passed,
            "known": self.known,
            "states": self.states,
            "flips": [list(f) for f in self.flips],
            "streak": self.streak,
            "last_high": self.last_high,
            "study": self.study,
        }

    @classmethod
    def from_json(cls, payload: Any) -> TrackRecord | None:
        """A saved record, or None if it is not one (an older version, damaged)."""
        try:
            return cls(
                as_of=payload["as_of"],
                dates=list(payload["dates"]),
                passed=[int(v) for v in payload["passed"]],
                known=[int(v) for v in payload["known"]],
                states=list(payload["states"]),
                flips=[(str(d), str(s)) for d, s in payload["flips"]],
                streak=payload["streak"],
                last_high=payload["last_high"],
                study=dict(payload["study"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def rule_study(self, rule_id: str) -> dict[str, Any] | None:
        """The study of one rule (its flips per year and its pass/fail buckets), or None."""
        return next((r for r in self.study.get("rules", []) if r.get("id") == rule_id), None)


def build_track_record(
    closes: pd.DataFrame,
    rules: Sequence[Rule] | None = None,
    *,
    decisions: Sequence[Decision] | None = None,
    as_of: str | None = None,
    benchmark: str = "SPY",
) -> TrackRecord:
    """The score's history and the forward-return study, from the same closes as a report;
    `benchmark` is the report's (the second leg of the score's pairs, IWM/`benchmark`)."""
    from tui.regime.engine import histories
    from tui.regime.fomc import load_meetings
    from tui.regime.history import last_time_this_high, score_history, score_state
    from tui.regime.history import streak as score_streak
    from tui.regime.study import backtest

    rules = shipped_rules() if rules is None else list(rules)
    decisions = policy() if decisions is None else decisions
    meetings = load_meetings()
    hists = histories(closes, rules, decisions=decisions, as_of=as_of, meetings=meetings)
    score = score_history(hists)
    dates = [str(d) for d in score.dates]
    states = [score_state(int(p), int(k)) for p, k in zip(score.passed, score.known, strict=True)]
    flips = [
        (day, state)
        for i, (day, state) in enumerate(zip(dates, states, strict=True))
        if i > 0 and state != states[i - 1] and state != "?" and states[i - 1] != "?"
    ]
    run = score_streak(score, as_of)
    pair = ("IWM", "SPY" if benchmark == "IWM" else benchmark)
    high = last_time_this_high(score, closes, as_of=as_of, pair=pair)
    study = backtest(
        closes, rules, decisions=decisions, meetings=meetings, end=as_of, benchmark=benchmark
    )
    return TrackRecord(
        as_of=dates[-1] if dates else None,
        dates=dates,
        passed=[int(v) for v in score.passed],
        known=[int(v) for v in score.known],
        states=states,
        flips=flips,
        streak=run.text if run else None,
        last_high=high.text if high else None,
        study=study,
    )


# --- breadth and concentration for `report --json` (called by build_report / the CLI) ----------


def breadth_json(
    closes_with_holdings: pd.DataFrame, *, as_of: str | None = None, benchmark: str = "SPY"
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Each sector's breadth and that of every bundled holding together, for `report --json`.

    ``closes_with_holdings`` is a wide frame of adjusted closes holding the sector ETFs, their
    bundled holdings and ``benchmark``. Returns ``(per_sector, all)``: ``per_sector`` maps each
    sector ETF to ``{"above_50", "above_200", "high_20", "n"}`` (fractions of the ``n``
    holdings with data on the latest day; None without a denominator) and ``all`` is the same
    for every bundled holding, plus ``as_of``, ``no_data`` (holdings without prices) and
    ``caveat`` (top-15 holdings only, membership as of 2025-11-18). From
    :func:`tui.analytics.breadth.breadth` and :func:`~tui.analytics.breadth.breadth_snapshot`.
    """
    from tui.analytics.breadth import ALL, CAVEAT, breadth, breadth_snapshot, sector_groups
    from tui.data.snapshot import load_holdings

    groups, reference = sector_groups(load_holdings(), benchmark=benchmark)
    result = breadth(closes_with_holdings, groups, reference, as_of=as_of)
    keys = ("above_50", "above_200", "high_20", "n")
    per_sector: dict[str, dict[str, Any]] = {}
    for name, group in result.items():
        if name == ALL:
            continue
        snap = breadth_snapshot(group)
        per_sector[name] = {k: snap[k] for k in keys}
    snap = breadth_snapshot(result[ALL])
    everything = {k: snap[k] for k in keys}
    everything.update(as_of=snap["as_of"], no_data=snap["no_data"], caveat=CAVEAT)
    return per_sector, everything


def concentration_json(closes: pd.DataFrame, *, as_of: str | None = None) -> dict[str, Any]:
    """The top-level `concentration` of `report --json`: ``{"mag7_weight", "top10_weight",
    "weights_as_of", "as_of"}`` (fractions of SPY, weights drifted by price from State
    Street's file; :func:`tui.analytics.concentration.concentration_snapshot`), plus
    ``caveat``. ``closes`` must hold SPY's 20 bundled top holdings, SPY and RSP; all figures
    None when SPY has no close on the weights' day."""
    from tui.analytics.concentration import concentration, concentration_snapshot
    from tui.data.snapshot import load_spy_holdings

    holdings = load_spy_holdings()
    try:
        conc = concentration(closes, holdings, as_of=as_of)
    except ValueError:  # no SPY close on the weights' day (e.g. --as-of before it)
        weights_as_of = holdings[0].as_of if holdings else None
        return {
            "mag7_weight": None,
            "top10_weight": None,
            "weights_as_of": weights_as_of,
            "as_of": None,
            "caveat": None,
        }
    out = concentration_snapshot(conc, as_of)
    out["caveat"] = conc.caveat
    return out


# --- the concentration view (the app's ConcentrationScreen; called from its worker) -----------

CONCENTRATION_CAVEAT = "Drifted weights (by price from {as_of}) ignore buybacks and index changes."
"""The caveat the concentration view shows under its charts."""


@dataclass
class ConcentrationView:
    """The mega caps' weight in SPY and their basket, daily, and their part in SPY's move.

    ``dates`` are SPY's trading days over the whole history; ``mag7`` and ``top10`` are
    fractions of SPY, NaN before ``weights_as_of`` (drifted weights start on the weights' day:
    before it they would assume today's membership); ``vs_spy`` and ``vs_rsp`` the
    equal-weight basket of the seven over SPY and RSP (100 on the first day). ``attribution``
    maps each chart period to the mega caps' contribution to SPY's return over it (see
    :func:`build_concentration_view`).
    """

    weights_as_of: str
    as_of: str | None
    dates: list[str]
    mag7: list[float]
    top10: list[float]
    vs_spy: list[float]
    vs_rsp: list[float]
    attribution: dict[str, dict[str, Any]]
    caveat: str


def _attribution_item(closes: pd.DataFrame, holdings: Sequence[Any], start: str) -> dict[str, Any]:
    """SPY's return from ``start`` to its last close split into the mega caps' ``w · r`` (their
    weight at the start, drifted from the weights' day) and the rest of the fund; Alphabet's
    two share classes as one row, ``GOOGL+GOOG`` (weights and contributions added, its return
    the contribution over the weight)."""
    from tui.analytics.attribution import attribute

    result = attribute(closes, "SPY", holdings, start, benchmark=None)
    rows: list[tuple[str, float, float | None, float | None]] = []
    alphabet = [c for c in result.contributions if c.symbol in ("GOOGL", "GOOG")]
    for c in result.contributions:
        if c in alphabet[1:]:
            continue
        if c is (alphabet[0] if len(alphabet) == 2 else None):
            weight = math.fsum(a.weight for a in alphabet)
            parts = [a.contribution for a in alphabet]
            if weight and all(p is not None for p in parts):
                total = math.fsum(p for p in parts if p is not None)
                rows.append(("GOOGL+GOOG", weight, total / weight, total))
            else:
                rows.append(("GOOGL+GOOG", weight, None, None))
            continue
        rows.append((c.symbol, c.weight, c.ret, c.contribution))
    rows.sort(key=lambda row: -(row[3] or 0.0))
    return {
        "start": result.start,
        "end": result.end,
        "spy_return": result.fund_return,
        "mag7": result.explained,
        "other": result.other,
        "rows": rows,
        "no_data": list(result.no_data),
    }


def build_concentration_view(
    closes: pd.DataFrame, periods: dict[str, int | None]
) -> ConcentrationView:
    """The concentration view from closes holding SPY's 20 bundled top holdings, SPY and RSP.

    ``periods`` names windows by trading-day rows (None: the whole history). Each window's
    attribution starts ``rows`` SPY rows before the last close, but never before the weights'
    day (a weight drifted backwards assumes today's membership): such a window is cut to
    start on the weights' day, and its ``start`` says so. Everything ends on the last day
    SPY and all the mega caps have a close (``as_of``). Raises ValueError when SPY has no
    close on the weights' day.
    """
    import numpy as np
    import pandas as pd

    from tui.analytics.concentration import MAG7, concentration
    from tui.data.snapshot import load_spy_holdings

    holdings = load_spy_holdings()
    # Everything ends on the last day SPY and every mega cap have a close: SPY's bar of a
    # session in progress (the table's refresh) with the holdings still at the last final
    # close (theirs keeps final bars only) would put a day of SPY's move on "the rest".
    ends = [closes[s].last_valid_index() for s in ("SPY", *MAG7) if s in closes.columns]
    if ends and None not in ends:
        closes = closes.loc[: min(ends)]
    spy = closes["SPY"].dropna() if "SPY" in closes.columns else closes.iloc[:0, 0]
    if spy.empty:
        raise ValueError("no SPY closes")
    conc = concentration(closes, holdings, start=str(spy.index[0].date()))
    frame = conc.frame
    base = pd.Timestamp(conc.weights_as_of)
    early = frame.index < base
    mag7 = frame["mag7_weight"].where(~early)
    top10 = frame["top10_weight"].where(~early)
    mega = [h for h in holdings if h.symbol in MAG7]
    attribution: dict[str, dict[str, Any]] = {}
    days = spy.index
    for name, rows in periods.items():
        at = 0 if rows is None else max(0, len(days) - 1 - rows)
        start = max(days[at], base)
        try:
            item = _attribution_item(closes, mega, str(start.date()))
        except ValueError:  # no SPY closes in the window: no attribution for it
            continue
        item["cut"] = bool(days[at] < base)
        attribution[name] = item

    def values(series: Any) -> list[float]:
        return [float(v) for v in np.asarray(series, dtype=float)]

    return ConcentrationView(
        weights_as_of=conc.weights_as_of,
        as_of=str(frame.index[-1].date()) if len(frame) else None,
        dates=[str(d.date()) for d in frame.index],
        mag7=values(mag7),
        top10=values(top10),
        vs_spy=values(frame["basket_vs_spy"]),
        vs_rsp=values(frame["basket_vs_rsp"]),
        attribution=attribution,
        caveat=CONCENTRATION_CAVEAT.format(as_of=conc.weights_as_of),
    )
