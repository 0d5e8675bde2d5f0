"""The digest on the bundled data between two fixed dates, fed as its docstring says, against
the rule history and the RRG computed separately."""

from __future__ import annotations

import pandas as pd
import pytest

from tui.analytics.relative import rs_line
from tui.analytics.rrg import rrg
from tui.config import SECTOR_ETFS
from tui.data.cache import Cache
from tui.regime.digest import build_digest
from tui.regime.engine import flips, rule_series
from tui.regime.fed import load_decisions
from tui.regime.fomc import load_meetings
from tui.report import rule_symbols, seed_bundled, shipped_rules

SINCE, UNTIL = "2025-11-28", "2025-12-31"


@pytest.fixture(scope="module")
def closes(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    rules = shipped_rules()
    symbols = list(dict.fromkeys(["SPY", "IWM", "EEM", *SECTOR_ETFS, *rule_symbols(rules)]))
    cache = Cache(tmp_path_factory.mktemp("digest") / "cache.sqlite")
    seed_bundled(cache, symbols)  # as the app seeds: the mega caps from the holdings' file
    return cache.read_closes(symbols)


def test_flips_transitions_and_movers_match_the_history(closes: pd.DataFrame) -> None:
    rules = shipped_rules()
    frames = {
        r.id: rule_series(closes, r, load_decisions(), as_of=UNTIL, meetings=load_meetings())
        for r in rules
    }
    before = {p.symbol: p.quadrant for p in rrg(closes, list(SECTOR_ETFS), "SPY", as_of=SINCE)}
    after = {p.symbol: p.quadrant for p in rrg(closes, list(SECTOR_ETFS), "SPY", as_of=UNTIL)}
    lines = {f"{s}/SPY": rs_line(closes[s], closes["SPY"]) for s in ["IWM", "EEM", *SECTOR_ETFS]}
    digest = build_digest(
        SINCE,
        UNTIL,
        rules=[{"id": r.id, "name": r.name, "history": frames[r.id]} for r in rules],
        quadrants_since=before,
        quadrants_until=after,
        rs_lines=lines,
        watched=["IWM/SPY", "EEM/SPY"],
        movers=3,
    )

    # Rule flips: the engine's (confirmed) status on SINCE vs UNTIL, dated by its last flip.
    expected = []
    for r in rules:
        status = frames[r.id]["status"]
        known = status[status != "unknown"]
        if known.loc[:SINCE].empty:  # unknown all along (the concentration rule is known
            assert known.loc[:UNTIL].empty, r.id  # from 2026-02-20): nothing to flip
            continue
        old, new = known.loc[:SINCE].iloc[-1], known.loc[:UNTIL].iloc[-1]
        if old != new:
            last_flip = [d for d, s in flips(known) if s == new][-1]
            expected.append((r.id, old, new, last_flip))
    got = [
        (i.subject, i.data["from"], i.data["to"], i.date)
        for i in digest.items
        if i.kind == "rule_flip"
    ]
    assert got == sorted(expected) and got  # this window has flips
    # Pending: the rules whose last row counts days against their confirmed state.
    pending = sorted(r.id for r in rules if frames[r.id]["pending"].iloc[-1] > 0)
    assert [i.subject for i in digest.items if i.kind == "rule_pending"] == pending
    for item in (i for i in digest.items if i.kind == "rule_pending"):
        assert item.data["days"] == frames[item.subject]["pending"].iloc[-1]

    # Quadrant transitions: exactly the sectors whose weekly quadrant differs.
    moved = sorted(s for s in SECTOR_ETFS if before[s] and after[s] and before[s] != after[s])
    assert [i.subject for i in digest.items if i.kind == "quadrant"] == moved and moved

    # Movers: (sym/SPY on UNTIL) / (sym/SPY on SINCE) − 1 from the closes, largest three.
    def change(symbol: str) -> float:
        c = closes[[symbol, "SPY"]].dropna()
        a, b = c.loc[:SINCE].iloc[-1], c.loc[:UNTIL].iloc[-1]
        return (b[symbol] / b["SPY"]) / (a[symbol] / a["SPY"]) - 1

    changes = sorted(
        ((f"{s}/SPY", change(s)) for s in ["IWM", "EEM", *SECTOR_ETFS]),
        key=lambda m: (-abs(m[1]), m[0]),
    )[:3]
    got_movers = [(i.subject, i.data["change"]) for i in digest.items if i.kind == "rs_mover"]
    assert [m[0] for m in got_movers] == [m[0] for m in changes]
    assert [m[1] for m in got_movers] == pytest.approx([m[1] for m in changes], rel=1e-9)
