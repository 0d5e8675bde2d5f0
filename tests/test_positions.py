"""Positions: parsing with file:line problems, P&L and sector exposure against hand figures."""

from __future__ import annotations

import csv
import gzip
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from tui.analytics.exposure import (
    SectorExposure,
    book_exposure,
    book_to_dict,
    drift_weights,
    sector_label,
    spy_book,
    tag_sectors,
)
from tui.data.positions import (
    Position,
    load_positions,
    parse_positions_csv,
    positions_from_table,
)
from tui.data.sectors import (
    SECTOR_NAMES,
    SPY_WEIGHTS_FILE,
    load_spy_sector_weights,
    stock_sectors,
)
from tui.data.snapshot import HOLDINGS_FILE, PRICES_FILE

BOOK_CSV = "symbol,quantity,cost_basis\nXLK,10,200\nAAPL,5,150\nSPY,2,500\n"


def closes_frame() -> pd.DataFrame:
    index = pd.DatetimeIndex(["2026-07-29", "2026-07-30", "2026-07-31"])
    return pd.DataFrame(
        {
            "XLK": [240.0, 245.0, 250.0],
            "AAPL": [225.0, 228.0, 230.0],
            "SPY": [580.0, 590.0, 600.0],
            "QQQ": [500.0, 505.0, 510.0],
        },
        index=index,
    )


def three_line_book(tmp_path: Path) -> list[Position]:
    path = tmp_path / "positions.csv"
    path.write_text(BOOK_CSV, encoding="utf-8")
    positions, problems = load_positions(path)
    assert problems == []
    return positions


def test_three_line_book_pnl_against_hand_figures(tmp_path: Path) -> None:
    positions = three_line_book(tmp_path)
    book = book_exposure(
        positions,
        closes_frame(),
        stock_sectors={"AAPL": "XLK"},
        bench_weights={"XLK": 0.4, "XLF": 0.6},
        sector_names={"XLK": "Technology", "XLF": "Financials"},
    )
    # By hand: XLK 10 × 250 = 2500, AAPL 5 × 230 = 1150, SPY 2 × 600 = 1200; book 4850.
    rows = {p.symbol: p for p in book.positions}
    assert [rows[s].value for s in ("XLK", "AAPL", "SPY")] == [2500.0, 1150.0, 1200.0]
    assert book.total_value == 4850.0
    # Day: 10 × 5 = 50, 5 × 2 = 10, 2 × 10 = 20 -> 80 on a prior value of 2450 + 1140 + 1180.
    assert [rows[s].day_pnl for s in ("XLK", "AAPL", "SPY")] == [50.0, 10.0, 20.0]
    assert book.day_pnl == 80.0
    assert book.day_pct == pytest.approx(80 / 4770)
    assert rows["XLK"].day_pct == pytest.approx(5 / 245)
    # Total: 10 × 50 = 500, 5 × 80 = 400, 2 × 100 = 200 -> 1100 on a cost of 3750.
    assert [rows[s].total_pnl for s in ("XLK", "AAPL", "SPY")] == [500.0, 400.0, 200.0]
    assert book.total_pnl == 1100.0 and book.cost == 3750.0
    assert book.total_pct == pytest.approx(1100 / 3750)
    assert rows["AAPL"].total_pct == pytest.approx(80 / 150)
    assert rows["SPY"].weight == pytest.approx(1200 / 4850)
    assert book.as_of == "2026-07-31" and book.missing == [] and book.not_looked_through == []


def test_three_line_book_exposure_against_hand_figures(tmp_path: Path) -> None:
    book = book_exposure(
        three_line_book(tmp_path),
        closes_frame(),
        stock_sectors={"AAPL": "XLK"},
        bench_weights={"XLK": 0.4, "XLF": 0.6},
        sector_names={"XLK": "Technology", "XLF": "Financials"},
    )
    tech, fin = book.sectors
    # XLK: all of XLK, all of AAPL (held by XLK), 40 % of SPY: (2500 + 1150 + 480) / 4850.
    assert tech.book_weight == pytest.approx(4130 / 4850)
    assert tech.diff_pts == pytest.approx((4130 / 4850 - 0.4) * 100)
    assert round(tech.diff_pts, 2) == 45.15
    # XLF: 60 % of SPY only: 720 / 4850.
    assert fin.book_weight == pytest.approx(720 / 4850)
    assert round(fin.diff_pts, 2) == -45.15
    assert (tech.stance, fin.stance) == ("overweight", "underweight")
    tagged = tag_sectors(book.sectors, {"XLK": "Lagging"}, {"XLK": "down", "XLF": "up"})
    assert sector_label(tagged[0]) == "overweight XLK +45.2 pts · XLK Lagging ▼"
    assert sector_label(tagged[1]) == "underweight XLF −45.2 pts · XLF ▲"


def test_what_cannot_be_looked_through_is_listed_not_guessed() -> None:
    positions = [Position("QQQ", 4, None, (2,)), Position("XLK", 4, 100.0, (3,))]
    book = book_exposure(
        positions,
        closes_frame(),
        stock_sectors={},
        bench_weights={"XLK": 1.0},
        sector_names={"XLK": "Technology"},
    )
    # QQQ 2040, XLK 1000: QQQ's 2040 / 3040 is not in any sector.
    assert book.not_looked_through == [
        {
            "symbol": "QQQ",
            "weight": pytest.approx(2040 / 3040),
            "reason": "no bundled holdings or sector for it",
        }
    ]
    assert book.sectors[0].book_weight == pytest.approx(1000 / 3040)
    qqq = book.positions[0]
    assert qqq.total_pnl is None and qqq.total_pct is None and qqq.day_pnl == 20.0


def test_missing_and_stale_prices() -> None:
    frame = closes_frame()
    frame.loc[pd.Timestamp("2026-07-31"), "AAPL"] = float("nan")
    positions = [
        Position("AAPL", 1, 100.0, ()),
        Position("XLK", 1, None, ()),
        Position("ZZZ", 1, 1.0, ()),
    ]
    book = book_exposure(
        positions,
        frame,
        stock_sectors={"AAPL": "XLK"},
        bench_weights={"XLK": 1.0},
        sector_names={"XLK": "Technology"},
    )
    aapl, xlk, zzz = book.positions
    assert aapl.stale and aapl.last_date == "2026-07-30" and aapl.close == 228.0
    assert not xlk.stale
    assert zzz.value is None and book.missing == ["ZZZ"]
    assert book.total_value == 228.0 + 250.0


def test_short_position_pnl_signs() -> None:
    book = book_exposure(
        [Position("SPY", -2, 610.0, ())],
        closes_frame(),
        stock_sectors={},
        bench_weights={"XLK": 1.0},
        sector_names={"XLK": "Technology"},
        look_through={},
    )
    short = book.positions[0]
    # Short 2 at 610, now 600 (prev 590): value −1200, day −20 (−10/590), total +20 (+10/610).
    assert short.value == -1200.0 and short.day_pnl == -20.0 and short.total_pnl == 20.0
    assert short.day_pct == pytest.approx(-20 / 1180)
    assert short.total_pct == pytest.approx(20 / 1220)


def test_a_broken_csv_gives_file_line_messages_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    text = (
        "# my book\n"
        "Symbol, Quantity, Cost Basis\n"
        "XLK,10,200\n"
        "AAPL,ten,150\n"
        "\n"
        "X Y,3,1\n"
        "MSFT,0,300\n"
        "NVDA,4,-5\n"
        "AMD\n"
        "SPY,2,  # cost unknown\n"
        "JPM,3,abc\n"
        "XLK,10,300\n"
        '"KRE","1,000",$50.5\n'
    )
    path.write_bytes(text.encode("utf-8"))
    before = path.read_bytes()
    positions, problems = load_positions(path)
    assert [str(p) for p in problems] == [
        "positions.csv:4: AAPL: quantity 'ten' is not a number; row skipped",
        "positions.csv:6: 'X Y' is not a ticker symbol; row skipped",
        "positions.csv:7: MSFT: quantity is 0; row skipped",
        "positions.csv:8: NVDA: cost basis '-5' is negative; row skipped",
        "positions.csv:9: expected at least 2 fields, got 1; row skipped",
        "positions.csv:11: JPM: cost basis 'abc' is not a number; row skipped",
    ]
    # Two XLK lots: 20 shares at (10 × 200 + 10 × 300) / 20 = 250.
    assert positions == [
        Position("XLK", 20.0, 250.0, (3, 12)),
        Position("SPY", 2.0, None, (10,)),
        Position("KRE", 1000.0, 50.5, (13,)),
    ]
    assert path.read_bytes() == before  # read, never written


def test_a_header_without_a_quantity_column_reads_nothing(tmp_path: Path) -> None:
    positions, problems = parse_positions_csv("symbol,price\nXLK,3\n", tmp_path / "p.csv")
    assert positions == []
    assert [str(p) for p in problems] == [
        "p.csv:1: the header needs a quantity column (symbol, quantity, cost_basis); "
        "no positions read"
    ]


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    assert load_positions(tmp_path / "none.csv") == ([], [])
    bad = tmp_path / "positions.csv"
    bad.write_bytes(b"symbol,quantity\nXLK,1\n\xff\n")
    positions, problems = load_positions(bad)
    assert positions == []
    assert [str(p) for p in problems] == [
        "positions.csv:3: not UTF-8 text (byte 0xff); no positions read"
    ]


def test_a_positions_table_in_toml_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'benchmark = "SPY"\n'
        "\n"
        "[positions]\n"
        "XLK = { quantity = 40, cost_basis = 212.5 }\n"
        "SPY = 10\n"
        'AAPL = "lots"\n'
        "MSFT = { quantity = 3, cost = 1 }\n"
        '"BRK-B" = { cost_basis = 400 }\n'
        "NVDA = { quantity = 2.5 }\n"
        "\n"
        "[alerts]\n"
        "notify = true\n",
        encoding="utf-8",
    )
    positions, problems = load_positions(path)
    assert positions == [
        Position("XLK", 40.0, 212.5, (4,)),
        Position("SPY", 10.0, None, (5,)),
        Position("NVDA", 2.5, None, (9,)),
    ]
    assert [str(p) for p in problems] == [
        "config.toml:6: positions.AAPL: AAPL: quantity 'lots' is not a number; row skipped",
        "config.toml:7: positions.MSFT: unknown key 'cost' (expected quantity, cost_basis); "
        "row skipped",
        "config.toml:8: positions.BRK-B: no quantity; row skipped",
    ]


def test_a_positions_value_that_is_not_a_table(tmp_path: Path) -> None:
    positions, problems = positions_from_table([1, 2], tmp_path / "config.toml", None, 3)
    assert positions == []
    assert [str(p) for p in problems] == [
        "config.toml:3: positions: expected a table; no positions read"
    ]


def test_invalid_toml_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "book.toml"
    path.write_text("[positions]\nXLK = \n", encoding="utf-8")
    positions, problems = load_positions(path)
    assert positions == [] and len(problems) == 1
    assert str(problems[0]).startswith("book.toml:2: invalid TOML")


# --- the bundled data ----------------------------------------------------------------------


def test_spy_weights_file_agrees_with_the_bundled_holdings() -> None:
    """The published sector weights against an independent estimate from two bundled State
    Street files: for an uncapped stock, SPY's weight / its sector ETF's weight = the sector's
    share of SPY. JPM gives Financials, LLY and JNJ Health Care (within 0.3 points)."""
    spy_top = {  # State Street SPY holdings, 18-Nov-2025 (data README: spy_top_holdings.csv)
        "JPM": 1.456508,
        "LLY": 1.448668,
        "JNJ": 0.852046,
    }
    with open(HOLDINGS_FILE, encoding="utf-8", newline="") as handle:
        sector_weight = {
            (r["etf"], r["symbol"]): float(r["weight_pct"]) for r in csv.DictReader(handle)
        }
    with open(SPY_WEIGHTS_FILE, encoding="utf-8", newline="") as handle:
        published = {r["etf"]: float(r["weight_pct"]) for r in csv.DictReader(handle)}
    assert abs(100 * spy_top["JPM"] / sector_weight[("XLF", "JPM")] - published["XLF"]) < 0.3
    assert abs(100 * spy_top["LLY"] / sector_weight[("XLV", "LLY")] - published["XLV"]) < 0.3
    assert abs(100 * spy_top["JNJ"] / sector_weight[("XLV", "JNJ")] - published["XLV"]) < 0.3
    assert sorted(published) == sorted(SECTOR_NAMES)
    loaded = load_spy_sector_weights()
    assert loaded.as_of == "2025-11-28" and loaded.raw_total_pct == pytest.approx(100.2)
    assert math.fsum(loaded.weights.values()) == pytest.approx(1.0)
    assert loaded.weights["XLK"] == pytest.approx(34.6 / 100.2)


def test_stocks_map_to_the_sector_etf_that_holds_them() -> None:
    mapping, as_of = stock_sectors()
    assert as_of == "2025-11-18"
    assert (mapping["AAPL"], mapping["JPM"], mapping["XOM"], mapping["GOOGL"]) == (
        "XLK",
        "XLF",
        "XLE",
        "XLC",
    )
    assert mapping["CFG"] == "XLF" and mapping["ROAD"] == "XLI"
    assert "QQQ" not in mapping


def _bundled_closes(symbols: set[str]) -> pd.DataFrame:
    data: dict[str, dict[str, float]] = {}
    with gzip.open(PRICES_FILE, "rt", encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle):
            if rec["symbol"] in symbols and rec["adj_close"]:
                data.setdefault(rec["symbol"], {})[rec["date"]] = float(rec["adj_close"])
    frame = pd.DataFrame(data)
    frame.index = pd.DatetimeIndex(frame.index)
    return frame.sort_index()


def test_a_spy_only_book_matches_spy_and_the_weights_drift_by_price() -> None:
    closes = _bundled_closes({"SPY", *SECTOR_NAMES})
    book = spy_book([Position("SPY", 3, 500.0, (2,))], closes, as_of="2026-07-31")
    assert all(abs(s.diff_pts) < 1e-9 for s in book.sectors)
    # Drift by hand: w × P(2026-07-31) / P(2025-11-28), rescaled.
    weights = load_spy_sector_weights().weights
    moved = {
        etf: w * closes[etf].loc["2026-07-31"] / closes[etf].loc["2025-11-28"]
        for etf, w in weights.items()
    }
    total = sum(moved.values())
    xlk = next(s for s in book.sectors if s.sector == "XLK")
    assert xlk.bench_weight == pytest.approx(moved["XLK"] / total)
    assert "drifted to 2026-07-31" in book.notes[0] and "2025-11-28" in book.notes[0]
    assert "as of 2025-11-18 or earlier" in book.notes[1]
    drifted, at = drift_weights(weights, closes, "2025-11-28", "2026-07-31")
    assert at == "2026-07-31" and drifted["XLE"] == pytest.approx(moved["XLE"] / total)
    # Without every sector's closes the weights stay as published, and the note says so.
    same, none = drift_weights(weights, closes.drop(columns=["XLB"]), "2025-11-28")
    assert same == weights and none is None


def test_json_block_shape(tmp_path: Path) -> None:
    book = book_exposure(
        three_line_book(tmp_path),
        closes_frame(),
        stock_sectors={"AAPL": "XLK"},
        bench_weights={"XLK": 0.4, "XLF": 0.6},
        sector_names={"XLK": "Technology", "XLF": "Financials"},
    )
    block = json.loads(json.dumps(book_to_dict(book)))
    assert sorted(block) == sorted(
        [
            "as_of", "benchmark", "total_value", "day_pnl", "day_pct", "total_pnl",
            "total_pct", "cost", "rows", "sectors", "not_looked_through", "missing", "notes",
        ]
    )  # fmt: skip
    assert block["total_value"] == 4850.0 and block["total_pnl"] == 1100.0
    assert block["rows"][2]["sectors"] == {"XLF": 0.6, "XLK": 0.4}
    assert block["sectors"][0] == {
        "sector": "XLK",
        "name": "Technology",
        "book_weight": round(4130 / 4850, 6),
        "bench_weight": 0.4,
        "diff_pts": 45.15,
        "stance": "overweight",
        "quadrant": None,
        "rs_trend": None,
        "label": "overweight XLK +45.2 pts",
    }


def test_in_line_label() -> None:
    row = SectorExposure("XLU", "Utilities", 0.027, 0.024, 0.3)
    assert sector_label(row) == "XLU in line with SPY (+0.3 pts)"
