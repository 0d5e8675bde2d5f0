"""The "Mega-cap concentration falling" rule against an independent pandas computation.

The reference reads the bundled CSVs (the same files as ../shared/data: ``spy_top_holdings.csv``,
``holdings_prices_daily.csv.gz``, ``prices_daily.csv.gz``) with pandas and works the rule out
with plain frame arithmetic and a loop for the confirmation — no code of the engine's:

- mag-7 weight ``w_t = sum_i w_i,0 * (P_i,t / P_i,0) / (SPY_t / SPY_0)`` from 2025-11-18 on the
  days all eight share classes and SPY have a close; its 63-row change must be below 0;
- an equal-weight basket of the seven companies (GOOGL for Alphabet), rebalanced daily, over
  RSP, on the days all eight have a close, must be below its 50-row average;
- the confirmed state changes on the 4th consecutive known day on the other side.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tui.regime.engine import evaluate, flips, rule_series
from tui.regime.fed import policy_record
from tui.regime.rules import Rule, SeriesSpec, load_rules

SNAP = Path(__file__).resolve().parent.parent / "tui" / "data" / "snapshot"
CLASSES = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA"]
COMPANIES = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA"]
BASE = pd.Timestamp("2025-11-18")
MINUS = "\u2212"


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    """SPY, RSP and the eight share classes as a wide frame, straight from the CSVs."""
    prices = pd.read_csv(SNAP / "prices_daily.csv.gz", parse_dates=["date"])
    held = pd.read_csv(SNAP / "holdings_prices_daily.csv.gz", parse_dates=["date"])
    frame = pd.concat(
        [prices[prices["symbol"].isin(["SPY", "RSP"])], held[held["symbol"].isin(CLASSES)]]
    )
    return frame.pivot(index="date", columns="symbol", values="adj_close").astype(float)


@pytest.fixture(scope="module")
def rule() -> Rule:
    rules, problems = load_rules(None)
    assert problems == []
    return next(r for r in rules if r.id == "concentration")


@pytest.fixture(scope="module")
def reference(closes: pd.DataFrame) -> pd.DataFrame:
    """Per date: weight, its 63-row change, basket/RSP, its 50-row average, raw, confirmed."""
    top = pd.read_csv(SNAP / "spy_top_holdings.csv")
    w0 = top.set_index("symbol")["weight_pct"] / 100.0
    assert (top["as_of"] == "2025-11-18").all()

    both = closes[[*CLASSES, "SPY"]].dropna()
    both = both.loc[BASE:]
    rel = both[CLASSES].div(both[CLASSES].loc[BASE])
    spy = both["SPY"] / both["SPY"].loc[BASE]
    weight = rel.mul(w0[CLASSES]).sum(axis=1) / spy
    change = weight - weight.shift(63)

    pair = closes[[*COMPANIES, "RSP"]].dropna()
    basket = (1.0 + pair[COMPANIES].pct_change().mean(axis=1)).cumprod()
    ratio = basket / (pair["RSP"] / pair["RSP"].iloc[0])
    ratio.iloc[0] = 1.0
    sma = ratio.rolling(50).mean()

    frame = pd.DataFrame({"weight": weight, "change": change}).join(
        pd.DataFrame({"ratio": ratio, "sma": sma}), how="outer"
    )
    known = frame["change"].notna() & frame["sma"].notna()
    raw = ((frame["change"] < 0) & (frame["ratio"] < frame["sma"])).astype(int).where(known)
    frame["raw"] = raw
    # confirmation, day by day: the first known day as it is, then 4 in a row to change
    state, run_side, run = None, None, 0
    confirmed = []
    for value in raw:
        if pd.isna(value):
            confirmed.append(None)
            continue
        if state is None:
            state = int(value)
        elif value != state:
            run = run + 1 if run_side == value else 1
            run_side = value
            if run >= 4:
                state, run = int(value), 0
        else:
            run, run_side = 0, None
        confirmed.append(state)
    frame["confirmed"] = confirmed
    return frame


def signed(number: float, spec: str) -> str:
    text = format(number, "+" + spec)
    return MINUS + text[1:] if text.startswith("-") else text


@pytest.mark.parametrize(
    ("day", "raw", "status"),
    [("2026-07-31", "pass", "pass"), ("2026-05-15", "fail", "fail")],
)
def test_status_and_figures_on_two_dates(
    closes: pd.DataFrame, rule: Rule, reference: pd.DataFrame, day: str, raw: str, status: str
) -> None:
    """On two dates the status and the evidence's figures equal the pandas reference."""
    row = reference.loc[day]
    assert {1: "pass", 0: "fail"}[int(row["raw"])] == raw
    assert {1: "pass", 0: "fail"}[int(row["confirmed"])] == status
    result = evaluate(closes, [rule], decisions=policy_record(), as_of=day)[0]
    assert (result.raw_status, result.status) == (raw, status)
    assert result.value == pytest.approx(row["change"], abs=1e-12)
    expected = (
        f"Mag-7 weight in SPY {row['weight'] * 100:.1f}%, 3M change "
        f"{signed(row['change'] * 100, '.2f')} pts; Mag-7/RSP {row['ratio']:.4f} vs 50d "
        f"{row['sma']:.4f} ({signed(row['ratio'] / row['sma'] - 1, '.1%')})"
    )
    assert result.value_text == expected
    assert result.threshold == "3M change below 0 pts and Mag-7/RSP below its 50-day average"
    assert result.reason == ""


def test_worked_figures_on_the_last_close(reference: pd.DataFrame) -> None:
    """The reference itself, written out: 33.2 % of SPY, −0.60 pts in 63 days (34.7 % on the
    weights' day, as the data README says), the basket 2.2 % under its 50-day average."""
    assert reference.loc["2025-11-18", "weight"] == pytest.approx(0.347, abs=0.0005)
    last = reference.loc["2026-07-31"]
    assert round(last["weight"] * 100, 1) == 33.2
    assert round(last["change"] * 100, 2) == -0.60
    assert round((last["ratio"] / last["sma"] - 1) * 100, 1) == -2.2


def test_every_day_and_the_flips_match_the_reference(
    closes: pd.DataFrame, rule: Rule, reference: pd.DataFrame
) -> None:
    """Over the whole history (as the track record and the backtest read it): unknown on every
    day before the 64th row from 2025-11-18, then the reference's confirmed state every day,
    so the flips and `since` are the reference's."""
    frame = rule_series(closes, rule, policy_record())
    ref = reference["confirmed"].reindex(frame.index)
    labels = ref.map({1: "pass", 0: "fail"}).fillna("unknown")
    assert (frame["status"] == labels).all()
    first = frame.index[frame["status"] != "unknown"][0]
    assert str(first.date()) == "2026-02-20"
    assert (frame.loc[:"2026-02-19", "status"] == "unknown").all()
    changes = labels[labels != labels.shift()].iloc[1:]
    assert flips(frame) == [(str(d.date()), s) for d, s in changes.items()]
    result = evaluate(closes, [rule], decisions=policy_record())[0]
    assert result.since == flips(frame)[-1][0]


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2025-06-02", "drifted weights start on 2025-11-18, the date of SPY's holdings file"),
        (
            "2026-02-10",
            "fewer than 64 common days of AAPL, MSFT, NVDA, AMZN, GOOGL, GOOG, META, TSLA and "
            "SPY (have 57)",
        ),
    ],
)
def test_unknown_where_the_weight_is_not_defined(
    closes: pd.DataFrame, rule: Rule, reference: pd.DataFrame, day: str, reason: str
) -> None:
    """Before the weights' date there is no drifted weight (no backcast with today's
    membership), and for 63 rows after it no 63-day change: the rule says "?" and why."""
    have = len(reference.loc[BASE:day, "weight"].dropna())
    assert day < "2025-11-18" or have == 57
    result = evaluate(closes, [rule], decisions=policy_record(), as_of=day)[0]
    assert (result.status, result.reason, result.value) == ("unknown", reason, None)


def test_missing_mega_cap_makes_it_unknown(closes: pd.DataFrame, rule: Rule) -> None:
    """Without one share class's closes the weight is not a partial sum: unknown."""
    result = evaluate(closes.drop(columns=["GOOG"]), [rule], decisions=policy_record())[0]
    assert (result.status, result.reason) == ("unknown", "no GOOG data")


def test_the_series_as_the_rules_file_gives_it(rule: Rule) -> None:
    """The drifted weight reads SPY's bundled holdings; the second test its own named basket."""
    assert rule.series == SeriesSpec(
        "drifted_weight", tuple(CLASSES), ("SPY",), "Mag-7 weight in SPY"
    )
    assert rule.series.unit == "weight"
    basket = rule.conditions[1].series
    assert (basket.kind, basket.a, basket.b, basket.name) == (
        "basket_ratio",
        tuple(COMPANIES),
        ("RSP",),
        "Mag-7/RSP",
    )
    assert (rule.group, rule.confirm_days) == ("Breadth", 4)


def test_a_holding_the_fund_does_not_list_says_so(closes: pd.DataFrame, tmp_path: Path) -> None:
    """A user's drifted weight of a symbol outside the fund's bundled file: unknown, named."""
    path = tmp_path / "rules.toml"
    path.write_text(
        '[rules.odd]\nname = "Odd"\ngroup = "Breadth"\nwhy = "A weight that cannot be known '
        'because RSP is not in the file of SPY holdings."\n'
        'series = { kind = "drifted_weight", a = ["AAPL", "RSP"], b = "SPY" }\n'
        'all = [{ test = "level_above", threshold = 0.1 }]\n',
        encoding="utf-8",
    )
    rules, problems = load_rules(path)
    assert problems == []
    odd = next(r for r in rules if r.id == "odd")
    assert odd.series.name == "AAPL+RSP weight in SPY"
    result = evaluate(closes, [odd], decisions=policy_record())[0]
    assert result.reason == "RSP not in SPY's bundled holdings of 2025-11-18"


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (
            '{ kind = "drifted_weight", a = [], b = "SPY" }',
            "rules.odd.series.a: expected a non-empty array of symbols, got an array",
        ),
        (
            '{ kind = "drifted_weight", a = ["AAPL", "SPY"], b = "SPY" }',
            "rules.odd.series: a symbol appears twice in the holdings and the fund",
        ),
        (
            '{ kind = "drifted_weight", a = ["AAPL"] }',
            "rules.odd.series.b: missing: a drifted_weight series needs a, b",
        ),
        (
            '{ kind = "drifted_weight", a = ["AAPL"], b = "SPY", name = "' + "x" * 41 + '" }',
            "rules.odd.series.name: 41 characters: a series name is at most 40",
        ),
    ],
)
def test_a_bad_drifted_weight_series_is_reported(tmp_path: Path, series: str, message: str) -> None:
    """Each mistake in a drifted_weight series names the file, line and key; the rule is
    skipped and the shipped rules load as before."""
    path = tmp_path / "rules.toml"
    path.write_text(
        f'[rules.odd]\nname = "Odd"\ngroup = "Breadth"\nwhy = "{"w" * 45}"\nseries = {series}\n'
        'all = [{ test = "level_above", threshold = 0.1 }]\n',
        encoding="utf-8",
    )
    rules, problems = load_rules(path)
    assert [str(p) for p in problems] == [f"rules.toml:5: {message}; rule skipped"]
    assert "odd" not in {r.id for r in rules} and "concentration" in {r.id for r in rules}
