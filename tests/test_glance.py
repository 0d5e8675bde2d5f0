"""tui.glance on the bundled data: the digest between two fixed dates against the engine's
rule evaluations, the RRG and RS moves worked out from the bundled CSV; since resolution;
the one-line headline; the book against a hand computation; the report --json block."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faults_helpers import seeded_copy

import tui.data
from tui.analytics.rrg import rrg
from tui.config import SECTOR_ETFS, Config
from tui.data.cache import Cache
from tui.glance import (
    GlanceError,
    GlanceInputs,
    book,
    book_json,
    digest,
    digest_headline,
    digest_json,
    digest_text,
    no_positions_message,
    resolve,
)
from tui.regime.engine import evaluate
from tui.regime.fomc import load_meetings
from tui.report import policy, shipped_rules

NOW = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)
SINCE, UNTIL = "2026-06-30", "2026-07-31"  # UNTIL: the bundled snapshot's last close
PRICES = Path(tui.data.__file__).parent / "snapshot" / "prices_daily.csv.gz"


def bundled_closes(symbols: set[str]) -> dict[str, dict[str, float]]:
    """symbol -> {date: adj_close} straight from the bundled CSVs (the universe's and the factor
    ETFs'), not through the cache."""
    out: dict[str, dict[str, float]] = {s: {} for s in symbols}
    for path in (PRICES, PRICES.with_name("factors_daily.csv.gz")):
        with gzip.open(path, "rt", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["symbol"] in out and row["adj_close"]:
                    out[row["symbol"]][row["date"]] = float(row["adj_close"])
    return out


def on_or_before(series: dict[str, float], day: str) -> float:
    return series[max(d for d in series if d <= day)]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> GlanceInputs:
    path = seeded_copy(tmp_path_factory.mktemp("glance") / "rotmon.sqlite")
    config = Config()
    with Cache(path) as cache:
        closes = cache.read_closes(config.symbols())
    return GlanceInputs(
        closes=closes,
        symbols=config.table_symbols(),
        benchmark="SPY",
        rules=shipped_rules(),
        decisions=policy(),
        events=[],
        catalysts=[],
        now=NOW,
        last_session=None,
        positions_path=None,
    )


def test_digest_between_two_fixed_dates(inputs: GlanceInputs) -> None:
    d = digest(inputs, SINCE)
    assert (d.since, d.until) == (SINCE, UNTIL)
    # Rule flips: the confirmed status evaluate() reports on each date, rule by rule.
    meetings = load_meetings()
    flips = []
    for rule in inputs.rules:
        [before] = evaluate(
            inputs.closes, [rule], decisions=inputs.decisions, as_of=SINCE, meetings=meetings
        )
        [after] = evaluate(
            inputs.closes, [rule], decisions=inputs.decisions, as_of=UNTIL, meetings=meetings
        )
        known = {"pass", "fail"}
        if before.status in known and after.status in known and before.status != after.status:
            flips.append((rule.id, before.status, after.status))
    got = [(i.subject, i.data["from"], i.data["to"]) for i in d.items if i.kind == "rule_flip"]
    assert got == sorted(flips) and len(got) == 7  # this month has seven
    # Quadrant changes: the table's symbols whose weekly quadrant differs on the two dates.
    symbols = [s for s in inputs.symbols if s != "SPY" and not s.startswith("^")]
    q0 = {p.symbol: p.quadrant for p in rrg(inputs.closes, symbols, "SPY", as_of=SINCE)}
    q1 = {p.symbol: p.quadrant for p in rrg(inputs.closes, symbols, "SPY", as_of=UNTIL)}
    moved = sorted(s for s in symbols if q0[s] and q1[s] and q0[s] != q1[s])
    assert [i.subject for i in d.items if i.kind == "quadrant"] == moved
    assert {"XLK", "XLE", "XLP"} <= set(moved)
    # Biggest RS moves: (sym/SPY on UNTIL) / (sym/SPY on SINCE) - 1 from the bundled CSV.
    raw = bundled_closes({*symbols, "SPY"})

    def change(symbol: str) -> float:
        common = {d: v for d, v in raw[symbol].items() if d in raw["SPY"]}
        spy = raw["SPY"]
        end = on_or_before(common, UNTIL) / spy[max(d for d in common if d <= UNTIL)]
        start = on_or_before(common, SINCE) / spy[max(d for d in common if d <= SINCE)]
        return end / start - 1

    changes = sorted(((s, change(s)) for s in symbols if raw[s]), key=lambda m: -abs(m[1]))
    movers = [i for i in d.items if i.kind == "rs_mover"]
    assert [i.subject for i in movers] == [f"{s}/SPY" for s, _ in changes[:5]]
    for item, (_, value) in zip(movers, changes, strict=False):
        assert item.data["change"] == pytest.approx(value, rel=1e-9)


def test_digest_is_deterministic(inputs: GlanceInputs, tmp_path: Path) -> None:
    # A second viewer: its own copy of the cache, read separately, gives the same digest.
    with Cache(seeded_copy(tmp_path / "other.sqlite")) as cache:
        closes = cache.read_closes(Config().symbols())
    other = dataclasses.replace(inputs, closes=closes, rules=shipped_rules(), decisions=policy())
    first = json.dumps(digest_json(inputs, SINCE), sort_keys=True)
    assert json.dumps(digest_json(inputs, SINCE), sort_keys=True) == first
    assert json.dumps(digest_json(other, SINCE), sort_keys=True) == first


def test_since_is_resolved_on_trading_days(inputs: GlanceInputs) -> None:
    assert resolve(inputs, "yesterday") == ("2026-07-30", UNTIL)
    assert resolve(inputs, "2026-07-04") == ("2026-07-02", UNTIL)  # Saturday, then a holiday
    assert resolve(inputs, UNTIL) == ("2026-07-30", UNTIL)  # today: the previous close
    session = dataclasses.replace(inputs, last_session="2026-07-27")
    assert resolve(session, "last-session") == ("2026-07-27", UNTIL)
    with pytest.raises(GlanceError, match="no earlier session"):
        resolve(inputs, "last-session")
    with pytest.raises(GlanceError, match="expected yesterday, last-session or YYYY-MM-DD"):
        resolve(inputs, "last week")


def test_digest_text_and_headline(inputs: GlanceInputs) -> None:
    text = digest_text(inputs, "yesterday").splitlines()
    d = digest(inputs, "yesterday")
    assert text[0] == f"Since the 2026-07-30 close, to {UNTIL}: {len(d.items)} changes"
    assert "RRG quadrant changes" in text
    phrases = {"1 pending flip", "7 quadrant changes"}
    for width in (40, 60, 80, 120):
        line = digest_headline(d, width)
        assert len(line) <= width and line.startswith("Since 07-30: ")
        # Whole phrases only: each part between the separators is one the digest made.
        parts = line.removeprefix("Since 07-30: ").split(" · ")
        assert all(p in phrases or p in ("…", "w: all") or p.startswith("top RS") for p in parts)
    assert digest_headline(d, 120) == (
        "Since 07-30: 1 pending flip · 7 quadrant changes · top RS move "
        f"{next(i.title for i in d.items if i.kind == 'rs_mover')} · w: all"
    )


def test_book_against_a_hand_computation(inputs: GlanceInputs, tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    path.write_text(
        "symbol,quantity,cost_basis\nXLK,40,212.50\nXLE,30,80\nQQQ,10,\nXLF,ten,50\n",
        encoding="utf-8",
    )
    before = path.read_bytes()
    result, problems = book(dataclasses.replace(inputs, positions_path=path))
    assert problems == ["positions.csv:5: XLF: quantity 'ten' is not a number; row skipped"]
    assert result is not None and path.read_bytes() == before  # only read
    raw = bundled_closes({*SECTOR_ETFS, "QQQ"})
    last = {s: on_or_before(raw[s], UNTIL) for s in raw}
    prev = {s: on_or_before(raw[s], "2026-07-30") for s in raw}
    value = {"XLK": 40 * last["XLK"], "XLE": 30 * last["XLE"], "QQQ": 10 * last["QQQ"]}
    total = sum(value.values())
    assert result.total_value == pytest.approx(total)
    rows = {p.symbol: p for p in result.positions}
    assert rows["XLK"].day_pnl == pytest.approx(40 * (last["XLK"] - prev["XLK"]))
    assert rows["XLK"].total_pnl == pytest.approx(40 * (last["XLK"] - 212.50))
    assert rows["XLE"].total_pct == pytest.approx((last["XLE"] - 80) / 80)
    assert rows["QQQ"].total_pnl is None  # no cost basis
    # SPY's weights of 2025-11-28, drifted by each sector ETF's price since then.
    weights = {}
    with (Path(tui.data.__file__).parent / "snapshot" / "spy_sector_weights.csv").open() as f:
        for row in csv.DictReader(f):
            weights[row["etf"]] = (
                float(row["weight_pct"]) * last[row["etf"]] / raw[row["etf"]][row["as_of"]]
            )
    bench = {s: w / sum(weights.values()) for s, w in weights.items()}
    sectors = {s.sector: s for s in result.sectors}
    assert sectors["XLK"].book_weight == pytest.approx(value["XLK"] / total)
    assert sectors["XLK"].bench_weight == pytest.approx(bench["XLK"])
    assert sectors["XLK"].diff_pts == pytest.approx(100 * (value["XLK"] / total - bench["XLK"]))
    assert sectors["XLF"].book_weight == 0
    [unlooked] = result.not_looked_through
    assert unlooked["symbol"] == "QQQ" and unlooked["weight"] == pytest.approx(value["QQQ"] / total)
    # Each sector carries its weekly quadrant as of the last close.
    q = {p.symbol: p.quadrant for p in rrg(inputs.closes, list(SECTOR_ETFS), "SPY", as_of=UNTIL)}
    assert {s: r.quadrant for s, r in sectors.items()} == q
    block = book_json(dataclasses.replace(inputs, positions_path=path))
    assert block["file"] == str(path) and block["problems"] == problems
    assert [r["symbol"] for r in block["rows"]] == ["XLK", "XLE", "QQQ"]
    label = next(s["label"] for s in block["sectors"] if s["sector"] == "XLK")
    assert label.startswith("overweight XLK +") and f"XLK {q['XLK']}" in label
    json.dumps(block)  # JSON-ready


def test_no_positions_file(inputs: GlanceInputs, tmp_path: Path) -> None:
    assert book(inputs) == (None, [])
    block = book_json(inputs)
    assert block["file"] is None and block["rows"] == []
    assert block["notes"] == [no_positions_message()]
    assert no_positions_message().endswith(str(tmp_path / "config"))
    missing = dataclasses.replace(inputs, positions_path=tmp_path / "nope.csv")
    assert book(missing) == (None, [f"{tmp_path / 'nope.csv'}: no such file"])
