"""Tests for the bundled snapshot: parsing, seeding the cache, holdings, last date."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from tui.data import snapshot
from tui.data.cache import Cache
from tui.data.snapshot import (
    FACTOR_SYMBOLS,
    HOLDINGS_PRICES_FILE,
    PRICES_FILE,
    SNAPSHOT_DIR,
    Holding,
    iter_price_rows,
    load_holdings,
    seed_cache,
    seed_holdings,
    snapshot_last_date,
)

UNIVERSE = [
    "SPY",
    "QQQ",
    "RSP",
    "DIA",
    "IWM",
    "VBR",
    "EEM",
    "EEMV",
    "DFAT",
    "XLK",
    "XLF",
    "XLE",
    "XLI",
    "XLU",
    "XLV",
    "XLY",
    "XLP",
    "XLB",
    "XLRE",
    "XLC",
    "KRE",
    "CFG",
    "RF",
    "ZION",
    "AAON",
    "ROAD",
    "HYG",
    "IEF",
    "TLT",
    "UUP",
    "^VIX",
    "^TNX",
    "^IRX",
]


def _count_rows(path: Path, symbols: set[str]) -> int:
    """Rows for ``symbols`` counted straight from the file, independently of the parser."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return sum(1 for line in handle if line.split(",", 2)[1] in symbols)


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    with Cache(tmp_path / "cache" / "rotmon.sqlite") as c:
        yield c


def _forbid_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the snapshot file was read again")

    monkeypatch.setattr(snapshot, "iter_price_rows", boom)


def test_bundled_files_are_in_the_package() -> None:
    assert Path(snapshot.__file__).parent / "snapshot" == SNAPSHOT_DIR
    for name in ("prices_daily.csv.gz", "holdings_prices_daily.csv.gz", "sector_holdings.csv"):
        assert (SNAPSHOT_DIR / name).is_file()


def test_iter_price_rows_blank_is_none() -> None:
    first = next(iter_price_rows(PRICES_FILE))
    assert first == ("AAON", "2016-01-04", None, None, None, None, 13.8465, None)
    spy = [r for r in iter_price_rows(PRICES_FILE, {"SPY"})]
    assert len(spy) == 2659 and {r[0] for r in spy} == {"SPY"}
    assert all(len(r) == 8 and r[6] is not None for r in spy)
    assert spy[-1][1] == "2026-07-31"
    assert all(r[5] == r[6] for r in spy if r[5] is not None)  # auto-adjusted basis


def test_iter_price_rows_column_order_free(tmp_path: Path) -> None:
    path = tmp_path / "p.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write("symbol,adj_close,date,volume,open,high,low,close\nSPY,2.5,2024-01-02,,,,,\n")
    assert list(iter_price_rows(path)) == [("SPY", "2024-01-02", None, None, None, None, 2.5, None)]


FACTOR_ROWS = 10 * 2659
"""The ten factor ETFs of factors_daily.csv.gz, seeded with the universe (2,659 rows each)."""


def test_seed_cache_real_snapshot(cache: Cache, monkeypatch: pytest.MonkeyPatch) -> None:
    assert seed_cache(cache) == 85_200 + FACTOR_ROWS
    info = cache.symbol_info()
    assert sorted(info) == sorted([*UNIVERSE, *FACTOR_SYMBOLS])
    assert sum(i.rows for i in info.values()) == 85_200 + FACTOR_ROWS
    assert {(i.source, i.fetched_at) for i in info.values()} == {("snapshot", "2026-08-03")}
    assert info["SPY"].first_date == "2016-01-04" and info["SPY"].last_date == "2026-07-31"
    assert cache.max_date() == "2026-07-31" == snapshot_last_date()

    closes = cache.read_closes(UNIVERSE)
    assert list(closes.columns) == UNIVERSE
    assert closes.index.is_monotonic_increasing and closes.index.name == "date"
    assert int(closes.notna().sum().sum()) == 85_200
    assert closes.loc["2020-03-25", "^IRX"] == -0.07  # yields may be negative
    assert closes.loc["2016-01-04", "AAON"] == 13.8465

    _forbid_reading(monkeypatch)  # a later start must not decompress the file again
    assert seed_cache(cache) == 0
    assert seed_cache(cache, ["SPY", "XLK"]) == 0


def test_seed_keeps_newer_data(cache: Cache) -> None:
    newer = [
        ("SPY", "2026-07-31", 1.0, 1.0, 1.0, 1.0, 1.0, 5.0),  # same day, new basis
        ("SPY", "2026-08-03", 2.0, 2.0, 2.0, 2.0, 2.0, 5.0),  # after the snapshot
    ]
    cache.upsert_prices(newer, "yahoo", "2026-08-04T21:00:00Z")
    inserted = seed_cache(cache, ["SPY"])
    assert inserted == 2659 - 1
    spy = cache.read_prices("SPY")
    assert spy.loc["2026-07-31", "adj_close"] == 1.0
    assert spy.loc["2026-08-03", "adj_close"] == 2.0
    assert len(spy) == 2659 + 1
    info = cache.symbol_info()["SPY"]
    assert (info.source, info.fetched_at) == ("yahoo", "2026-08-04T21:00:00Z")


def test_seed_subset_then_rest(cache: Cache, monkeypatch: pytest.MonkeyPatch) -> None:
    assert seed_cache(cache, ["SPY", "QQQ", "NOT-IN-SNAPSHOT"]) == 2 * 2659
    assert set(cache.last_dates()) == {"SPY", "QQQ"}
    assert seed_cache(cache) == 85_200 + FACTOR_ROWS - 2 * 2659
    _forbid_reading(monkeypatch)
    assert seed_cache(cache, ["NOT-IN-SNAPSHOT", "SPY"]) == 0


def test_seed_state_survives_reopen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c" / "rotmon.sqlite"
    with Cache(path) as c:
        seed_cache(c, ["XLK"])
    _forbid_reading(monkeypatch)
    with Cache(path) as c:
        assert seed_cache(c, ["XLK"]) == 0


def test_changed_snapshot_file_reseeds(cache: Cache) -> None:
    seed_cache(cache, ["XLE"])
    key = "snapshot.seeded.prices_daily.csv.gz"
    state = cache.get_meta(key)
    assert state is not None and '"XLE"' in state
    cache.set_meta(key, state.replace('"size": ', '"size": 1'))  # as if the file changed
    assert seed_cache(cache, ["XLE"]) == 0  # re-read, but nothing missing to insert
    assert cache.get_meta(key) == state


def test_seed_holdings(cache: Cache) -> None:
    wanted = {"AAPL", "NVDA", "BRK-B", "UNH"}  # UNH is not in the snapshot
    expected = _count_rows(HOLDINGS_PRICES_FILE, wanted)
    assert expected > 3 * 2000
    assert seed_holdings(cache, wanted) == expected
    assert set(cache.last_dates()) == {"AAPL", "NVDA", "BRK-B"}
    assert cache.last_dates()["AAPL"] == "2026-07-31"
    assert seed_holdings(cache, wanted) == 0
    aapl = cache.read_prices("AAPL")
    assert aapl["open"].isna().all() and aapl["adj_close"].notna().all()


def test_load_holdings() -> None:
    holdings = load_holdings()
    etfs = ["XLK", "XLF", "XLE", "XLI", "XLU", "XLV", "XLY", "XLP", "XLB", "XLRE", "XLC"]
    assert sorted(holdings) == sorted(etfs)
    with open(SNAPSHOT_DIR / "sector_holdings.csv", encoding="utf-8", newline="") as handle:
        assert sum(len(v) for v in holdings.values()) == sum(1 for _ in csv.DictReader(handle))
    for etf, items in holdings.items():
        weights = [h.weight_pct for h in items]
        assert weights == sorted(weights, reverse=True), etf
        assert all(h.etf == etf and h.as_of == "2025-11-18" for h in items)
    assert holdings["XLK"][0] == Holding("XLK", "NVDA", "NVIDIA CORP", 14.6, "2025-11-18")
    assert "BRK-B" in {h.symbol for h in holdings["XLF"]}


def test_snapshot_last_date() -> None:
    snapshot_last_date.cache_clear()
    assert snapshot_last_date() == "2026-07-31"
    last = max(r[1] for r in iter_price_rows(PRICES_FILE))
    assert snapshot_last_date() == last
