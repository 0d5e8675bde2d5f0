"""The rule file: the shipped rules, user overrides, and every kind of bad input with its line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.config import DEFAULT_GROUPS
from tui.data.snapshot import load_spy_holdings
from tui.regime.rules import (
    GROUPS,
    SHIPPED_RULES,
    TESTS,
    Condition,
    Rule,
    RuleProblem,
    SeriesSpec,
    load_rules,
)

ROOT = Path(__file__).resolve().parents[1]

SHIPPED_IDS = [
    "fed_easing",
    "curve",
    "small_caps",
    "emerging",
    "value",
    "cyclicals",
    "regional_banks",
    "value_growth",
    "breadth",
    "concentration",
    "volatility",
    "high_beta",
    "credit",
    "dollar",
]


def write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    """Write ``text`` as a user rules file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_id(rules: list[Rule]) -> dict[str, Rule]:
    return {r.id: r for r in rules}


def where(problems: list[RuleProblem]) -> list[tuple[int | None, str | None]]:
    """(line, key) of each problem, in order."""
    return [(p.line, p.key) for p in problems]


# --- the shipped file -------------------------------------------------------------------------


def test_shipped_rules_load_without_problems() -> None:
    rules, problems = load_rules(None)
    assert problems == []
    assert [r.id for r in rules] == SHIPPED_IDS
    for rule in rules:
        assert rule.group in GROUPS
        assert rule.name and rule.why and len(rule.why) > 40, rule.id
        assert "\n" not in rule.why
        assert rule.conditions, rule.id
        assert rule.source == SHIPPED_RULES and rule.line is not None
        assert all(c.test in TESTS for c in rule.conditions)
    assert {r.group for r in rules} == set(GROUPS)


def test_shipped_rules_read_only_the_bundled_universe() -> None:
    universe = {s for group in DEFAULT_GROUPS for s in group.symbols}
    rules, _ = load_rules(None)
    for rule in rules:
        if rule.id == "concentration":  # the mega caps: SPY's bundled top holdings
            top = {h.symbol for h in load_spy_holdings()}
            assert set(rule.symbols) - {"SPY", "RSP"} <= top
            assert {"SPY", "RSP"} <= universe
            continue
        assert set(rule.symbols) <= universe, rule.id


def test_shipped_rules_exactly() -> None:
    """The thresholds the README and the report promise."""
    rules = by_id(load_rules(None)[0])
    irx = SeriesSpec("level", ("^IRX",))
    fed = SeriesSpec("fed")
    assert rules["fed_easing"].conditions == (
        Condition("last_move_cut", fed),
        Condition("change_below", irx, window=63, threshold=0.15, band=0.1),
    )
    assert rules["curve"].series == SeriesSpec("spread", ("^TNX",), ("^IRX",))
    assert rules["curve"].conditions[0].threshold == 0.0
    leading = (("above_rising_sma", 50, 10, None), ("window_return_above", 63, None, 0.0))
    for rule_id, pair in [
        ("small_caps", ("IWM", "SPY")),
        ("emerging", ("EEM", "SPY")),
        ("value", ("VBR", "SPY")),
        ("regional_banks", ("KRE", "SPY")),
    ]:
        rule = rules[rule_id]
        assert (rule.group, rule.series) == ("Rotation", SeriesSpec("ratio", *[(s,) for s in pair]))
        assert [(c.test, c.window, c.slope_days, c.threshold) for c in rule.conditions] == list(
            leading
        )
    cyc = rules["cyclicals"]
    assert cyc.series == SeriesSpec("basket_ratio", ("XLI", "XLF", "XLE"), ("XLU", "XLP", "XLV"))
    assert cyc.series.name == "XLI+XLF+XLE / XLU+XLP+XLV"
    assert [(c.test, c.window, c.threshold) for c in rules["volatility"].conditions] == [
        ("level_below", None, 20.0),
        ("change_below", 21, 5.0),
    ]
    assert rules["breadth"].series.name == "RSP/SPY"
    # The factor pairs (bundled factors_daily.csv.gz): style and risk appetite.
    assert rules["value_growth"].series.name == "IWD/IWF"
    assert rules["high_beta"].series.name == "SPHB/SPLV"
    for rule_id in ("value_growth", "high_beta"):
        assert [(c.test, c.window) for c in rules[rule_id].conditions] == [
            ("above_rising_sma", 50),
            ("window_return_above", 63),
        ]
        assert rules[rule_id].confirm_days == 4
    assert rules["credit"].series.name == "HYG/IEF"
    assert [(c.test, c.window) for c in rules["dollar"].conditions] == [("below_sma", 200)]
    assert "falling dollar" in rules["dollar"].why


def test_shipped_whipsaw_control() -> None:
    """The defaults chosen on the bundled 2016-2026 data (figures in benchmarks/backtest.py)."""
    rules = by_id(load_rules(None)[0])
    confirm = {rule_id: rule.confirm_days for rule_id, rule in rules.items()}
    assert confirm == {
        "fed_easing": 1,  # a Fed move counts on its day
        "curve": 3,
        "small_caps": 4,
        "emerging": 4,
        "value": 4,
        "cyclicals": 4,
        "regional_banks": 4,
        "value_growth": 4,  # raw 9.2 -> 3.4 flips a year (benchmarks/backtest.py)
        "breadth": 4,
        "volatility": 3,
        "high_beta": 4,  # raw 14.0 -> 5.4
        "concentration": 4,  # as the rotation rules (known only from 2026-02-20)
        "credit": 3,
        "dollar": 3,
    }
    bands = {rule_id: [c.band for c in rule.conditions] for rule_id, rule in rules.items()}
    assert bands["fed_easing"] == [0.0, 0.1]  # 10 bp on the ^IRX change
    assert bands["curve"] == [0.1]
    assert bands["volatility"] == [1.0, 1.0]
    assert bands["credit"] == [0.005] and bands["dollar"] == [0.005]
    plain = ("small_caps", "emerging", "value", "cyclicals", "regional_banks", "breadth")
    for rule_id in (*plain, "value_growth", "high_beta"):
        assert set(bands[rule_id]) == {0.0}, rule_id


def test_confirm_days_and_band_from_a_user_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[rules.small_caps]
confirm_days = 1

[rules.breadth]
all = [ { test = "window_return_above", window = 63, threshold = 0.0, band = 0.02 } ]
""",
    )
    rules, problems = load_rules(path)
    assert problems == []
    found = by_id(rules)
    assert found["small_caps"].confirm_days == 1
    assert found["breadth"].conditions[0].band == 0.02
    assert found["breadth"].confirm_days == 4  # the shipped key it did not name is kept


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("confirm_days = 0", "rules.small_caps.confirm_days", "0 is out of range (1 to 63 days)"),
        ("confirm_days = 2.5", "rules.small_caps.confirm_days", "expected an integer"),
        ("confirm_days = true", "rules.small_caps.confirm_days", "expected an integer"),
        (
            'all = [ { test = "above_sma", window = 50, band = -0.01 } ]',
            "rules.small_caps.all[1].band",
            "-0.01 is negative",
        ),
        (
            'all = [ { test = "above_sma", window = 50, band = 1.5 } ]',
            "rules.small_caps.all[1].band",
            "not a fraction of the average",
        ),
        (
            'all = [ { test = "level_above", threshold = 0, band = "wide" } ]',
            "rules.small_caps.all[1].band",
            "expected a number",
        ),
    ],
)
def test_bad_whipsaw_settings_keep_the_shipped_rule(
    tmp_path: Path, text: str, key: str, message: str
) -> None:
    path = write(tmp_path, f"[rules.small_caps]\n{text}\n")
    rules, problems = load_rules(path)
    (problem,) = problems
    assert problem.key == key and message in problem.message
    assert problem.message.endswith("; the shipped rule is kept")
    assert by_id(rules)["small_caps"] == by_id(load_rules(None)[0])["small_caps"]


def test_fed_move_takes_no_band(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[rules.fed_easing]\nall = [ { test = "last_move_cut", band = 1 } ]\n',
    )
    _, problems = load_rules(path)
    (problem,) = problems
    assert problem.key == "rules.fed_easing.all[1].band"
    assert "takes no band" in problem.message


def test_missing_user_file_is_not_a_problem(tmp_path: Path) -> None:
    assert load_rules(tmp_path / "absent.toml") == load_rules(None)


def test_empty_user_file_changes_nothing(tmp_path: Path) -> None:
    assert load_rules(write(tmp_path, "# nothing\n")) == load_rules(None)


# --- overrides --------------------------------------------------------------------------------


def test_override_disable_and_add_by_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
[rules.value]
series = { kind = "ratio", a = "iwd", b = "IWF" }

[rules.dollar]
enabled = false

[rules.volatility]
all = [{ test = "level_below", threshold = 25 }]

[rules.tech_lagging]
name = "Tech lagging"
group = "rotation"
why = "Money leaving the largest tech names is the other side of the rotation."
series = { kind = "ratio", a = "XLK", b = "SPY" }
all = [
  { test = "below_falling_sma", window = 50, slope_days = 10 },
]
""",
    )
    rules, problems = load_rules(path)
    assert problems == []
    ids = [r.id for r in rules]
    assert ids == [i for i in SHIPPED_IDS if i != "dollar"] + ["tech_lagging"]
    got = by_id(rules)
    shipped = by_id(load_rules(None)[0])
    value = got["value"]
    assert value.series == SeriesSpec("ratio", ("IWD",), ("IWF",))
    assert value.source == path and value.line == 1
    # the conditions kept from the shipped file now read the new series
    assert [c.series for c in value.conditions] == [value.series, value.series]
    assert [c.test for c in value.conditions] == [c.test for c in shipped["value"].conditions]
    assert (value.name, value.why) == (shipped["value"].name, shipped["value"].why)
    assert got["volatility"].conditions == (
        Condition("level_below", SeriesSpec("level", ("^VIX",)), threshold=25.0),
    )
    tech = got["tech_lagging"]
    assert (tech.group, tech.line, tech.source) == ("Rotation", 10, path)
    assert got["small_caps"] == shipped["small_caps"]


def test_enabled_true_keeps_a_rule(tmp_path: Path) -> None:
    rules, problems = load_rules(write(tmp_path, "[rules.dollar]\nenabled = true\n"))
    assert problems == [] and [r.id for r in rules] == SHIPPED_IDS


def test_bad_override_keeps_the_shipped_rule(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
[rules.breadth]
all = [{ test = "window_return_above", window = "63", threshold = 0.0 }]

[rules.curve]
enabled = "no"
""",
    )
    rules, problems = load_rules(path)
    assert [r.id for r in rules] == SHIPPED_IDS
    assert by_id(rules) == by_id(load_rules(None)[0])
    assert [str(p) for p in problems] == [
        "rules.toml:2: rules.breadth.all[1].window: expected an integer number of rows, "
        "got a string ('63'); the shipped rule is kept",
        "rules.toml:5: rules.curve.enabled: expected true or false, got a string ('no'); "
        "the shipped rule is kept",
    ]


# --- bad files --------------------------------------------------------------------------------

BAD = """\
[rules.good]
name = "Good"
group = "Risk"
why = "A valid rule between broken ones."
series = { kind = "level", symbol = "^VIX" }
all = [{ test = "level_below", threshold = 30 }]

[rules.unknown_test]
name = "Unknown test"
group = "Risk"
why = "x"
series = { kind = "level", symbol = "^VIX" }
all = [
  { test = "level_below", threshold = 30 },
  { test = "crosses_above", threshold = 30 },
]

[rules.unknown_kind]
name = "Unknown kind"
group = "Risk"
why = "x"
series = { kind = "zscore", a = "IWM" }
all = [{ test = "level_below", threshold = 30 }]

[rules.missing_field]
name = "Missing field"
group = "Risk"
why = "x"
series = { kind = "ratio", a = "IWM", b = "SPY" }
all = [
  { test = "above_rising_sma", window = 50 },
]

[rules.wrong_type]
name = "Wrong type"
group = "Risk"
why = "x"
series = { kind = "ratio", a = "IWM", b = "SPY" }
all = [
  { test = "window_return_above", window = 63, threshold = "zero" },
]

[rules.no_why]
name = "No why"
group = "Risk"
series = { kind = "level", symbol = "^VIX" }
all = [{ test = "level_below", threshold = 30 }]

[rules.extra_field]
name = "Extra field"
group = "Risk"
why = "x"
series = { kind = "level", symbol = "^VIX" }
all = [{ test = "level_below", threshold = 30, window = 5 }]
expression = "__import__('os')"

[rules.bad_group]
name = "Bad group"
group = "Macro"
why = "x"
series = { kind = "level", symbol = "^VIX" }
all = [{ test = "level_below", threshold = 30 }]

[rules.bad_symbol]
name = "Bad symbol"
group = "Risk"
why = "x"
series = { kind = "ratio", a = "IWM", b = "S P Y" }
all = [{ test = "level_below", threshold = 30 }]

[rules.fed_misuse]
name = "Fed misuse"
group = "Policy"
why = "x"
series = { kind = "fed" }
all = [{ test = "level_below", threshold = 3 }]

[rules.return_on_yield]
name = "Return on a yield"
group = "Policy"
why = "x"
series = { kind = "spread", a = "^TNX", b = "^IRX" }
all = [{ test = "window_return_above", window = 21, threshold = 0 }]
"""


def test_bad_rules_are_reported_with_line_and_key_and_the_rest_loads(tmp_path: Path) -> None:
    rules, problems = load_rules(write(tmp_path, BAD))
    assert [r.id for r in rules] == [*SHIPPED_IDS, "good"]
    assert all(p.path.name == "rules.toml" for p in problems)
    assert where(problems) == [
        (15, "rules.unknown_test.all[2].test"),
        (22, "rules.unknown_kind.series.kind"),
        (31, "rules.missing_field.all[1].slope_days"),  # the condition's own line
        (40, "rules.wrong_type.all[1].threshold"),
        (43, "rules.no_why"),  # the rule's table
        (55, "rules.extra_field.expression"),
        (59, "rules.bad_group.group"),
        (68, "rules.bad_symbol.series.b"),
        (76, "rules.fed_misuse.all[1].test"),
        (83, "rules.return_on_yield.all[1].test"),
    ]
    messages = [p.message for p in problems]
    assert messages[0].startswith("unknown test (test 'crosses_above'); expected one of: ")
    assert messages[1].startswith("unknown series kind (kind 'zscore'); expected one of: ratio")
    assert messages[2] == "missing: above_rising_sma needs window, slope_days; rule skipped"
    assert messages[3] == "expected a number, got a string ('zero'); rule skipped"
    assert messages[4] == "missing why; rule skipped"
    assert messages[5].startswith("unknown field (expected: name, group, why, series, all")
    assert messages[6].startswith("unknown group 'Macro'; expected one of: Policy, Rotation")
    assert messages[7] == "'S P Y' is not a ticker symbol; rule skipped"
    assert messages[8] == "a fed series takes only last_move_cut, not level_below; rule skipped"
    assert "use change_above or change_below" in messages[9]
    assert all(m.endswith("; rule skipped") for m in messages)


def test_unknown_field_in_a_condition(tmp_path: Path) -> None:
    text = "\n".join(BAD.splitlines()[:6]).replace("threshold = 30 }", "threshold = 30, n = 5 }")
    rules, problems = load_rules(write(tmp_path, text.replace("[rules.good]", "[rules.x]")))
    assert [r.id for r in rules] == SHIPPED_IDS
    assert where(problems) == [(6, "rules.x.all[1].n")]
    assert (
        problems[0].message == "unknown field for level_below (it takes: threshold); rule skipped"
    )


def test_toml_syntax_error_names_the_line_and_keeps_the_shipped_rules(tmp_path: Path) -> None:
    path = write(tmp_path, '[rules.dollar]\nenabled = false\nname = "unterminated\n')
    rules, problems = load_rules(path)
    assert [r.id for r in rules] == SHIPPED_IDS  # not even the valid first lines apply
    assert len(problems) == 1
    assert (problems[0].line, problems[0].key) == (3, None)
    assert problems[0].message.startswith("invalid TOML: ")
    assert problems[0].message.endswith("; using the shipped rules")
    assert str(problems[0]).startswith("rules.toml:3: invalid TOML: ")


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_bytes(b'[rules.x]\nname = "caf\xe9"\n')
    rules, problems = load_rules(path)
    assert [r.id for r in rules] == SHIPPED_IDS
    assert [(p.line, p.message) for p in problems] == [
        (2, "not UTF-8 text (byte 0xe9); using the shipped rules")
    ]


def test_unknown_top_level_keys_and_bad_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
version = 2
[rules."bad id!"]
name = "x"
[rules.fine]
enabled = false
[rules]
scalar = 3
""",
    )
    rules, problems = load_rules(path)
    assert [r.id for r in rules] == SHIPPED_IDS
    assert where(problems) == [
        (1, "version"),
        (2, 'rules."bad id!"'),
        (7, "rules.scalar"),
    ]
    assert problems[0].message == "unknown key (expected only [rules.<id>] tables); ignored"
    assert problems[1].message.startswith("a rule id is 1-40 letters")
    assert problems[2].message == "expected a table, got an integer (3); rule skipped"


def test_rules_not_a_table(tmp_path: Path) -> None:
    rules, problems = load_rules(write(tmp_path, "rules = [1, 2]\n"))
    assert [r.id for r in rules] == SHIPPED_IDS
    assert where(problems) == [(1, "rules")]


def test_new_rule_missing_several_fields(tmp_path: Path) -> None:
    rules, problems = load_rules(write(tmp_path, '\n\n[rules.half]\nname = "Half"\n'))
    assert [r.id for r in rules] == SHIPPED_IDS
    assert [str(p) for p in problems] == [
        "rules.toml:3: rules.half: missing group, why, series, all; rule skipped"
    ]


def test_array_of_tables_form_and_its_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
[rules.calm]
name = "Calm"
group = "Risk"
why = "Written with [[...]] tables."
series = { kind = "level", symbol = "^VIX" }

[[rules.calm.all]]
test = "level_below"
threshold = 20

[[rules.calm.all]]
test = "change_below"
window = 21
threshold = "5"
""",
    )
    rules, problems = load_rules(path)
    assert "calm" not in by_id(rules)
    assert where(problems) == [(11, "rules.calm.all[2].threshold")]
    rules, problems = load_rules(write(tmp_path, path.read_text().replace('"5"', "5")))
    assert problems == []
    assert [c.test for c in by_id(rules)["calm"].conditions] == ["level_below", "change_below"]


def test_condition_series_overrides_the_rules(tmp_path: Path) -> None:
    tnx = '{ kind = "level", symbol = "^TNX" }'
    path = write(
        tmp_path,
        f"""\
[rules.fed_easing]
all = [
  {{ test = "last_move_cut" }},
  {{ test = "change_below", series = {tnx}, window = 21, threshold = 0.25 }},
]
""",
    )
    rules, problems = load_rules(path)
    assert problems == []
    fed = by_id(rules)["fed_easing"]
    assert fed.conditions[1] == Condition(
        "change_below", SeriesSpec("level", ("^TNX",)), window=21, threshold=0.25
    )
    assert fed.symbols == ("^TNX",)


@pytest.mark.parametrize(
    ("condition", "key", "message"),
    [
        ("{ test = 'above_sma', window = 0 }", "window", "0 is out of range (1 to 2520 rows)"),
        ("{ test = 'above_sma', window = true }", "window", "expected an integer number of rows"),
        ("{ test = 'above_sma', window = 5.5 }", "window", "expected an integer number of rows"),
        ("{ test = 'level_above', threshold = nan }", "threshold", "expected a number"),
        ("'level_above'", None, "expected a table such as"),
        ("{ window = 5 }", "test", "unknown test (no test)"),
        ("{ test = 'last_move_cut' }", "test", "last_move_cut reads only a fed series"),
    ],
)
def test_bad_condition_values(
    tmp_path: Path, condition: str, key: str | None, message: str
) -> None:
    text = f"""\
[rules.x]
name = "X"
group = "Risk"
why = "x"
series = {{ kind = "level", symbol = "UUP" }}
all = [{condition}]
"""
    rules, problems = load_rules(write(tmp_path, text))
    assert "x" not in by_id(rules)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.line == 6
    assert problem.key == "rules.x.all[1]" + (f".{key}" if key else "")
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    ("series", "key", "message"),
    [
        ('"IWM"', "rules.x.series", "expected a table such as"),
        ("{ a = 'IWM' }", "rules.x.series.kind", "unknown series kind (no kind)"),
        ("{ kind = 'ratio', a = 'IWM' }", "rules.x.series.b", "missing: a ratio series needs a, b"),
        ("{ kind = 'ratio', a = 'IWM', b = 'IWM' }", "rules.x.series", "a and b are the same"),
        ("{ kind = 'level', a = 'IWM' }", "rules.x.series.a", "unknown field for a level series"),
        ("{ kind = 'basket_ratio', a = 'XLI', b = ['XLU'] }", "rules.x.series.a", "expected a non"),
        ("{ kind = 'basket_ratio', a = ['XLI'], b = ['XLI'] }", "rules.x.series", "a symbol appe"),
        ("{ kind = 'fed', symbol = 'FF' }", "rules.x.series.symbol", "unknown field for a fed"),
    ],
)
def test_bad_series(tmp_path: Path, series: str, key: str, message: str) -> None:
    text = f"""\
[rules.x]
name = "X"
group = "Risk"
why = "x"
series = {series}
all = [{{ test = "above_sma", window = 5 }}]
"""
    rules, problems = load_rules(write(tmp_path, text))
    assert "x" not in by_id(rules)
    assert [(p.line, p.key) for p in problems] == [(5, key)]
    assert problems[0].message.startswith(message)


def test_series_units_and_names() -> None:
    assert SeriesSpec("spread", ("^TNX",), ("^IRX",)).unit == "pp"
    assert SeriesSpec("spread", ("^TNX",), ("^IRX",)).name == "^TNX \u2212 ^IRX"
    assert SeriesSpec("level", ("^IRX",)).unit == "yield"
    assert SeriesSpec("level", ("^VIX",)).unit == "points"
    assert SeriesSpec("level", ("UUP",)).unit == "price"
    assert SeriesSpec("ratio", ("IWM",), ("SPY",)).unit == "ratio"
    assert SeriesSpec("fed").name == "Fed target range"


def test_rules_module_is_light() -> None:
    """Loading rules must not pull in pandas or textual (it may run before the first frame)."""
    code = "import json, sys; import tui.regime.rules; print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert "pandas" not in loaded and "textual" not in loaded and "numpy" not in loaded
    code = code.replace("tui.regime.rules", "tui.regime.engine")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert "textual" not in set(json.loads(result.stdout))


def test_shipped_keys_that_no_longer_fit_an_override_are_the_users_problem(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, '\n[rules.small_caps]\nseries = { kind = "spread", a = "^TNX", b = "^IRX" }\n'
    )
    rules, problems = load_rules(path)
    assert by_id(rules)["small_caps"] == by_id(load_rules(None)[0])["small_caps"]
    assert [str(p) for p in problems] == [
        "rules.toml:2: rules.small_caps.all[2].test: window_return_above on ^TNX \u2212 ^IRX is "
        "meaningless: for yields, spreads and index levels use change_above or change_below "
        "(the shipped value does not fit this override); the shipped rule is kept"
    ]
    assert problems[0].path == path
