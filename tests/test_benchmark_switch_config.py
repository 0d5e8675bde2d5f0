"""The `benchmarks` key of the config, the rules' `$benchmark`, and the CLI's --benchmark.

The CLI's figures are checked against pandas straight from the bundled csv.gz.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faults_helpers import seeded_copy
from test_benchmark_switch import closes, rs

from tui.cli import main
from tui.config import DEFAULT_BENCHMARKS, Config, load_config
from tui.regime.rules import load_rules, with_benchmark


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- config ------------------------------------------------------------------------------------


def test_default_choices() -> None:
    assert Config().benchmarks == DEFAULT_BENCHMARKS == ("SPY", "RSP", "QQQ", "DIA")
    assert Config().benchmark_choices() == ("SPY", "RSP", "QQQ", "DIA")


def test_a_valid_list_is_normalized_and_kept_in_order(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, 'benchmarks = [" qqq", "SPY", "iwm"]\n'))
    assert problems == []
    assert config.benchmarks == ("QQQ", "SPY", "IWM")
    assert config.benchmark_choices() == ("QQQ", "SPY", "IWM")


def test_the_default_benchmark_is_always_a_choice(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, 'benchmark = "VTI"\nbenchmarks = ["RSP"]\n'))
    assert problems == []
    assert config.benchmark_choices() == ("VTI", "RSP")


def test_bad_entries_are_reported_with_their_line_and_the_rest_kept(tmp_path: Path) -> None:
    text = 'theme = "rotmon-dark"\nbenchmarks = ["SPY", "S P", 3, "spy", "DIA"]\n'
    config, problems = load_config(write(tmp_path, text))
    assert config.benchmarks == ("SPY", "DIA")
    assert [(p.line, p.key) for p in problems] == [(2, "benchmarks")] * 3
    messages = [p.message for p in problems]
    assert "'S P' is not a ticker symbol; ignored" in messages
    assert "expected symbols as strings, got an integer (3); ignored" in messages
    assert "'SPY' is listed twice; duplicate ignored" in messages
    assert str(problems[0]) == "config.toml:2: benchmarks: 'S P' is not a ticker symbol; ignored"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"SPY"', "expected an array of symbols, got a string ('SPY'); using SPY, RSP, QQQ, DIA"),
        ("[]", "no usable benchmarks; using SPY, RSP, QQQ, DIA"),
        ('["?"]', "no usable benchmarks; using SPY, RSP, QQQ, DIA"),
    ],
)
def test_an_unusable_list_gives_the_defaults(tmp_path: Path, value: str, message: str) -> None:
    config, problems = load_config(write(tmp_path, f"benchmarks = {value}\n"))
    assert config.benchmarks == DEFAULT_BENCHMARKS
    assert (problems[-1].line, problems[-1].key, problems[-1].message) == (1, "benchmarks", message)


def test_too_many_choices(tmp_path: Path) -> None:
    symbols = [f"A{i}" for i in range(14)]
    config, problems = load_config(write(tmp_path, f"benchmarks = {json.dumps(symbols)}\n"))
    assert config.benchmarks == tuple(symbols[:12])
    assert [p.message for p in problems] == [
        "more than 12 benchmarks; 'A12' ignored",
        "more than 12 benchmarks; 'A13' ignored",
    ]


# --- rules -------------------------------------------------------------------------------------


def test_spy_resolves_to_the_rules_as_they_were() -> None:
    """The default gives the same rules as before the placeholder (ids, series, text)."""
    rules = {r.id: r for r in load_rules(None)[0]}
    assert rules["small_caps"].series.name == "IWM/SPY"
    assert "EEM beating SPY in trend" in rules["emerging"].why
    assert "$benchmark" not in repr(list(rules.values()))


def test_templates_follow_the_benchmark_and_fund_rules_keep_their_symbols() -> None:
    templates = load_rules(None, benchmark=None)[0]
    rules = {r.id: r for r in with_benchmark(templates, "QQQ")}
    for rule_id, a in (("small_caps", "IWM"), ("emerging", "EEM"), ("value", "VBR")):
        assert rules[rule_id].series.name == f"{a}/QQQ"
        assert all(c.series.symbols[-1] == "QQQ" for c in rules[rule_id].conditions)
    assert "KRE beating QQQ" in rules["regional_banks"].why
    assert rules["small_caps"].why.endswith("Measured here against QQQ, the benchmark picked.")
    assert rules["breadth"].series.name == "RSP/SPY"
    # A benchmark that is a rule's own symbol: that rule keeps SPY rather than IWM/IWM.
    iwm = {r.id: r for r in with_benchmark(templates, "IWM")}
    assert iwm["small_caps"].series.name == "IWM/SPY"
    assert iwm["emerging"].series.name == "EEM/IWM"


def test_a_user_rule_may_name_the_benchmark(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        """
[rules.tech]
name = "Tech leading"
group = "Rotation"
why = "XLK beating $benchmark."
series = { kind = "ratio", a = "XLK", b = "$BENCHMARK" }
all = [{ test = "window_return_above", window = 63, threshold = 0.0 }]
""",
        encoding="utf-8",
    )
    templates, problems = load_rules(path, benchmark=None)
    assert problems == []
    tech = {r.id: r for r in with_benchmark(templates, "DIA")}["tech"]
    assert (tech.series.name, tech.why) == ("XLK/DIA", "XLK beating DIA.")


# --- the command line --------------------------------------------------------------------------


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_report_json_against_rsp(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "config"))
    seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    common = ["--cache-dir", str(tmp_path / "cache")]
    doc = run_json(capsys, "report", "--json", *common, "--benchmark", "rsp")
    assert doc["benchmark"] == "RSP"
    rows = {r["symbol"]: r for r in doc["rows"]}
    for symbol in ("XLK", "XLF", "IWM"):
        for period, n in (("1M", 21), ("3M", 63)):
            assert rows[symbol]["rs"][period] == pytest.approx(rs(symbol, "RSP", n), abs=1e-9)
    rules = {r["id"]: r for r in doc["regime"]}
    assert rules["small_caps"]["value_text"].startswith("IWM/RSP ")
    assert rules["breadth"]["value_text"].startswith("RSP/SPY ")
    assert {item["symbol"] for item in doc["rrg"]} >= {"XLK", "XLF"}
    # The default is SPY, and says so.
    plain = run_json(capsys, "report", "--json", *common)
    assert plain["benchmark"] == "SPY"
    xlk = {r["symbol"]: r for r in plain["rows"]}["XLK"]
    assert xlk["rs"]["3M"] == pytest.approx(rs("XLK", "SPY", 63), abs=1e-9)
    assert xlk["rs"]["3M"] != pytest.approx(rows["XLK"]["rs"]["3M"], abs=1e-6)


def test_backtest_json_against_dia(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "config"))
    seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    args = ["backtest", "--json", "--horizon", "3M", "--cache-dir", str(tmp_path / "cache")]
    doc = run_json(capsys, *args, "--series", "--benchmark", "DIA")
    assert doc["score"]["pairs"] == ["IWM/DIA", "EEM/DIA", "VBR/DIA"]
    rules = {r["id"]: r for r in doc["rules"]}
    assert rules["small_caps"]["pair"] == "IWM/DIA"
    assert rules["curve"]["pair_note"] == "no pair of its own: judged on IWM/DIA"
    assert rules["breadth"]["pair"] == "RSP/SPY"
    # From pandas alone: the rule's value is IWM/DIA, and the study's mean after the days it
    # passed is the mean forward 63-row return of IWM/DIA over those days.
    pair = closes()[["IWM", "DIA"]].dropna()
    line = pair["IWM"] / pair["DIA"]
    days = rules["small_caps"]["series"]
    assert days[-1]["value"] == pytest.approx(line.iloc[-1], rel=1e-9)
    forward = (line.shift(-63) / line - 1).dropna()
    passed = [d["date"] for d in days if d["state"] == "pass" and d["date"] in forward.index]
    study = rules["small_caps"]["study"]["3M"]["pass"]
    assert study["days"] == len(passed) > 100
    assert study["mean"] == pytest.approx(float(forward.loc[passed].mean()), abs=1e-6)
    plain = run_json(capsys, *args)
    assert plain["score"]["pairs"] == ["IWM/SPY", "EEM/SPY", "VBR/SPY"]
    assert {r["id"]: r for r in plain["rules"]}["small_caps"]["pair"] == "IWM/SPY"


def test_a_bad_benchmark_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    code = main(["report", "--cache-dir", str(tmp_path / "cache"), "--benchmark", "S P"])
    assert code != 0
    assert "--benchmark: not a ticker symbol: 'S P'" in capsys.readouterr().err


# --- the session -------------------------------------------------------------------------------


def test_a_switch_is_no_rule_flip_to_alert_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small caps passes against SPY on 2026-07-31 and fails against RSP: picking RSP changes
    the rule's state, but no market moved, so no alert; back on SPY, none either."""
    from datetime import UTC, datetime

    from tui.session import Monitor

    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "config"))
    path = seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    monitor = Monitor(Config(), path, offline=True, clock=lambda: datetime(2026, 8, 3, tzinfo=UTC))
    monitor.load_inputs()
    monitor.open()
    status = {}
    for benchmark in ("SPY", "RSP", "SPY"):
        monitor.set_benchmark(benchmark)
        report = monitor.compute()
        assert report.benchmark == benchmark
        status[benchmark] = {r["id"]: r["status"] for r in report.regime}["small_caps"]
        assert monitor.alerts(report) == []
    assert (status["SPY"], status["RSP"]) == ("pass", "fail")
    # ...while a real flip under a benchmark is still caught: its memory says "pass".
    monitor.cache.set_meta("alerts.rules|RSP", json.dumps({"small_caps": "pass"}))
    monitor.set_benchmark("RSP")
    flips = monitor.alerts(monitor.compute())
    assert [f for f in flips if "Small caps leading flipped to FAIL" in f]


def test_an_edit_of_the_configs_benchmark_is_no_flip_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config said SPY (small caps passes); it now says RSP (small caps fails against it):
    the rule's memory is kept per benchmark, so the edit alerts nothing — and a real flip
    under RSP afterwards still alerts. A rule's evidence is read against the benchmark its
    report was scored with, even after another is picked."""
    from datetime import UTC, datetime

    from tui.session import Monitor

    monkeypatch.setenv("ROTMON_CONFIG_DIR", str(tmp_path / "config"))
    path = seeded_copy(tmp_path / "cache" / "rotmon.sqlite")
    clock = lambda: datetime(2026, 8, 3, tzinfo=UTC)  # noqa: E731
    before = Monitor(Config(), path, offline=True, clock=clock)
    before.load_inputs()
    before.open()
    spy_report = before.compute()
    assert {r["id"]: r["status"] for r in spy_report.regime}["small_caps"] == "pass"
    assert before.alerts(spy_report) == []
    before.set_benchmark("RSP")
    detail = before.rule_detail("small_caps", spy_report)
    assert detail is not None and detail.series_name == "IWM/SPY"

    after = Monitor(Config(benchmark="RSP"), path, offline=True, clock=clock)
    after.load_inputs()
    after.open()
    report = after.compute()
    assert report.benchmark == "RSP"
    assert {r["id"]: r["status"] for r in report.regime}["small_caps"] == "fail"
    assert after.alerts(report) == []
    after.cache.set_meta("alerts.rules|RSP", json.dumps({"small_caps": "pass"}))
    flips = after.alerts(after.compute())
    assert [f for f in flips if "Small caps leading flipped to FAIL" in f]
