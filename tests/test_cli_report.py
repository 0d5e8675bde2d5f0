"""`rotmon report --json` carries breadth, concentration, transitions and the book;
`rotmon report --since` prints the digest. Real caches seeded from the bundled snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.data.snapshot import load_holdings

HOLDINGS_PRICES = Path(__file__).resolve().parents[1] / "tui/data/snapshot"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["report", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_report_json_adds_breadth_concentration_transitions_and_positions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "positions.csv").write_text(
        "symbol,quantity,cost_basis\nXLK,10,250\nIWM,20,200\nAAPL,5,150\n", encoding="utf-8"
    )
    doc = run_json(capsys, "--cache-dir", str(tmp_path / "c"))
    xlk = next(r for r in doc["rows"] if r["symbol"] == "XLK")
    holdings_with_data = [h for h in load_holdings()["XLK"] if h.symbol not in ("UNH", "ED")]
    assert set(xlk["breadth"]) == {"above_50", "above_200", "high_20", "n"}
    assert xlk["breadth"]["n"] == len(holdings_with_data)
    assert 0 <= xlk["breadth"]["above_50"] <= 1
    assert "breadth" not in next(r for r in doc["rows"] if r["symbol"] == "SPY")
    assert doc["breadth"]["no_data"] == ["ED", "UNH"] and "top-15" in doc["breadth"]["caveat"]
    conc = doc["concentration"]
    assert conc["weights_as_of"] == "2025-11-18" and conc["as_of"] == "2026-07-31"
    assert 0.2 < conc["mag7_weight"] < conc["top10_weight"] < 0.6
    for item in doc["transitions"]:
        rrg = next(p for p in doc["rrg"] if p["symbol"] == item["symbol"])
        assert (item["from"], item["to"]) == (rrg["previous_quadrant"], rrg["quadrant"])
    assert {"heading", "velocity", "tail_length"} <= set(doc["rrg"][1])
    book = doc["positions"]
    assert book["file"] == str(config_dir / "positions.csv") and book["problems"] == []
    assert sorted(r["symbol"] for r in book["rows"]) == ["AAPL", "IWM", "XLK"]


def test_report_since_prints_the_digest_the_same_way_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "--since", "2026-07-24", "--cache-dir", str(tmp_path / "c")]
    assert main([*args, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert (first["since"], first["until"]) == ("2026-07-24", "2026-07-31")
    flips = {i["subject"] for i in first["items"] if i["kind"] == "rule_flip"}
    assert flips == {"breadth", "value"}  # both confirmed on 2026-07-28 (the rule history)
    assert main(args) == 0
    text = capsys.readouterr().out
    assert text.startswith("Since the 2026-07-24 close, to 2026-07-31")
    assert "1 of 4 days" in text  # small caps' pending flip, with its own confirmation


def test_report_since_rejects_what_it_cannot_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", "--since", "someday", "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("rotmon: error:") and len(err.splitlines()) == 1
