"""The digest: what changed between two dates, on small hand-made inputs."""

from __future__ import annotations

import json
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from tui.regime.digest import (
    build_digest,
    confirmed_status,
    digest_lines,
    digest_to_dict,
    resolve_since,
)

DAYS = [f"2026-07-{d:02d}" for d in (20, 21, 22, 23, 24, 27, 28, 29, 30, 31)]


def history(statuses: str) -> list[tuple[str, str]]:
    """'PPPFF?F' -> pairs on DAYS (P pass, F fail, ? unknown)."""
    code = {"P": "pass", "F": "fail", "?": "unknown"}
    return [(DAYS[i], code[c]) for i, c in enumerate(statuses)]


def test_confirmed_status_skips_unknown_days() -> None:
    pairs = history("PPPPFF?F")
    assert confirmed_status(pairs, DAYS[7], 3) == ("fail", DAYS[4], "fail")
    assert confirmed_status(pairs, DAYS[5], 3) == ("pass", DAYS[0], "fail")
    assert confirmed_status(pairs, DAYS[5], 1) == ("fail", DAYS[4], "fail")
    assert confirmed_status(history("PF"), DAYS[1], 3) == (None, None, "fail")


def test_confirmed_flip_pending_flip_and_no_flip() -> None:
    rules = [
        # Confirmed flip: pass through the 24th, fail from the 27th for 3 known days (one '?').
        {"id": "small_caps", "name": "Small caps", "history": history("PPPPPF?FF")},
        # Pending: fail for 2 days only; still confirmed pass.
        {"id": "breadth", "name": "Breadth", "history": history("PPPPPPPFF")},
        # Whipsaw inside the window, back to pass: nothing to report.
        {"id": "credit", "name": "Credit", "history": history("PPPPPFPPP")},
        # Unknown at the end: not a flip.
        {"id": "vix", "name": "Volatility", "history": history("PPPPPP???")},
    ]
    d = build_digest(DAYS[4], DAYS[8], rules=rules)
    assert [(i.kind, i.subject, i.date) for i in d.items] == [
        ("rule_flip", "small_caps", DAYS[5]),
        ("rule_pending", "breadth", DAYS[7]),
    ]
    flip, pending = d.items
    assert flip.title == "✗ Small caps flipped to FAIL"
    assert flip.text == "Small caps: pass → fail since 2026-07-27"
    assert flip.id == "rule_flip|small_caps|2026-07-27|fail"
    assert flip.alert_kind == "rule_flips"
    assert pending.text == (
        "Breadth: ✗ fail since 2026-07-29 (2 of 3 days to confirm; confirmed pass)"
    )
    assert pending.alert_kind is None
    # The flip's id does not depend on `since`: a later digest names the same flip.
    later = build_digest(DAYS[3], DAYS[8], rules=rules[:1])
    assert later.items[0].id == flip.id


def test_a_flip_confirmed_after_since_is_reported_once_confirmed() -> None:
    rules = [{"id": "r", "name": "R", "history": history("PPPPFFF")}]
    # On the 27th (day 5) the fail run is 2 days old: pending; on the 28th it is confirmed.
    assert [i.kind for i in build_digest(DAYS[3], DAYS[5], rules=rules).items] == ["rule_pending"]
    assert [i.kind for i in build_digest(DAYS[5], DAYS[6], rules=rules).items] == ["rule_flip"]


def test_rule_history_as_a_series() -> None:
    series = pd.Series(["pass"] * 5 + ["fail"] * 4, index=pd.DatetimeIndex(DAYS[:9]), name="status")
    d = build_digest(DAYS[2], DAYS[8], rules=[{"id": "x", "name": "X", "history": series}])
    assert [(i.kind, i.date) for i in d.items] == [("rule_flip", DAYS[5])]


def test_quadrant_transitions() -> None:
    d = build_digest(
        DAYS[0],
        DAYS[4],
        quadrants_since={"XLK": "Weakening", "XLE": "Lagging", "IWM": None, "XLF": "Leading"},
        quadrants_until={"XLK": "Lagging", "XLE": "Lagging", "IWM": "Improving", "XLU": "Leading"},
    )
    assert [(i.subject, i.text) for i in d.items] == [("XLK", "XLK: Weakening → Lagging")]
    assert d.items[0].alert_kind == "quadrants" and d.items[0].symbol == "XLK"


def rs(values: list[float], end: str = "2026-07-31") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(end=end, periods=len(values)))


def test_52_week_highs_and_lows_on_a_short_window() -> None:
    # window 5: a day is a new high when above each of the 4 rows before it.
    up = rs([1.0, 1.1, 1.05, 1.0, 1.02, 1.2, 1.3, 1.25])  # highs on rows 5 and 6
    down = rs([2.0, 1.9, 1.95, 2.0, 1.98, 1.8, 1.85, 1.7])  # lows on rows 5 and 7
    flat = rs([1.0] * 8)
    dates = [d.date().isoformat() for d in up.index]
    d = build_digest(
        dates[4],
        dates[7],
        rs_lines={"IWM/SPY": up, "EEM/SPY": down, "XLU/SPY": flat},
        watched={"IWM/SPY", "EEM/SPY", "XLU/SPY"},
        extreme_window=5,
        movers=0,
    )
    assert [(i.kind, i.subject, i.date, i.data["days"]) for i in d.items] == [
        ("rs_high", "IWM/SPY", dates[6], 2),
        ("rs_low", "EEM/SPY", dates[7], 2),
    ]
    assert d.items[0].text == f"IWM/SPY new 52-week high 1.3000 on {dates[6]} (2 days)"
    assert d.items[1].symbol == "EEM" and d.items[1].alert_kind == "rs_extremes"


def test_a_line_too_short_for_the_window_is_noted_not_judged() -> None:
    short = rs([1.0, 2.0, 3.0])
    dates = [d.date().isoformat() for d in short.index]
    d = build_digest(dates[0], dates[2], rs_lines={"KRE/SPY": short}, movers=0)
    assert d.items == []
    assert d.notes == ["KRE/SPY: fewer than 252 rows, no 52-week test"]


def test_biggest_movers_by_size_ties_by_label() -> None:
    index = pd.DatetimeIndex(["2026-07-29", "2026-07-30", "2026-07-31"])
    lines = {
        "XLE/SPY": pd.Series([1.0, 1.01, 1.03], index=index),  # +3 %
        "XLK/SPY": pd.Series([2.0, 1.98, 1.92], index=index),  # −4 %
        "XLF/SPY": pd.Series([1.0, 1.0, 1.03], index=index),  # +3 % (tie with XLE)
        "XLU/SPY": pd.Series([1.0, 1.0, 1.001], index=index),  # +0.1 %
        "NEW/SPY": pd.Series([None, None, 1.0], index=index),  # no value on `since`
    }
    d = build_digest("2026-07-29", "2026-07-31", rs_lines=lines, watched=[], movers=3)
    assert [(i.subject, i.data["rank"], i.data["change"]) for i in d.items] == [
        ("XLK/SPY", 1, pytest.approx(-0.04)),
        ("XLE/SPY", 2, pytest.approx(0.03)),
        ("XLF/SPY", 3, pytest.approx(0.03)),
    ]
    assert d.items[0].text == "XLK/SPY −4.00% (2026-07-29 → 2026-07-31)"


def test_catalysts_in_the_next_48_hours() -> None:
    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 7, 31, 16, 0, tzinfo=ny)
    catalysts = [
        {"kind": "macro", "name": "Jobs report", "datetime": "2026-08-03T08:30:00-04:00"},
        {"kind": "fomc", "name": "FOMC decision", "datetime": "2026-08-01T14:00:00-04:00"},
        {"kind": "macro", "name": "CPI", "datetime": "2026-08-02T10:00:00-04:00"},
        {"kind": "fomc", "name": "Last FOMC", "datetime": "2026-07-29T14:00:00-04:00"},
    ]
    d = build_digest("2026-07-30", "2026-07-31", catalysts=catalysts, now=now)
    assert [(i.subject, i.data["hours"], i.alert_kind) for i in d.items] == [
        ("FOMC decision", 22.0, "catalysts"),
        ("CPI", 42.0, None),
    ]
    assert d.items[0].text == "FOMC decision · Sat 14:00 ET · in 22 h"
    assert d.items[0].id == "catalyst|fomc|FOMC decision|2026-08-01T14:00:00-04:00"


def full_inputs() -> dict:
    index = pd.DatetimeIndex(DAYS)
    return {
        "rules": [
            {"id": "b", "name": "B", "history": history("PPPPPFFFFF")},
            {"id": "a", "name": "A", "history": history("FFFFFPPPPP")},
        ],
        "quadrants_since": {"XLK": "Leading", "XLE": "Lagging"},
        "quadrants_until": {"XLK": "Weakening", "XLE": "Improving"},
        "rs_lines": {
            "IWM/SPY": pd.Series(range(1, 11), index=index, dtype=float),
            "EEM/SPY": pd.Series(range(10, 0, -1), index=index, dtype=float),
        },
        "extreme_window": 5,
    }


def test_deterministic_whatever_the_input_order() -> None:
    inputs = full_inputs()
    first = digest_to_dict(build_digest(DAYS[3], DAYS[9], **inputs))
    rng = random.Random(7)
    for _ in range(5):
        shuffled = dict(inputs)
        shuffled["rules"] = rng.sample(inputs["rules"], 2)
        shuffled["quadrants_since"] = dict(rng.sample(list(inputs["quadrants_since"].items()), 2))
        shuffled["rs_lines"] = dict(rng.sample(list(inputs["rs_lines"].items()), 2))
        assert digest_to_dict(build_digest(DAYS[3], DAYS[9], **shuffled)) == first
    assert [(i["kind"], i["subject"]) for i in first["items"]] == [
        ("rule_flip", "a"),
        ("rule_flip", "b"),
        ("quadrant", "XLE"),
        ("quadrant", "XLK"),
        ("rs_high", "IWM/SPY"),
        ("rs_low", "EEM/SPY"),
        ("rs_mover", "IWM/SPY"),
        ("rs_mover", "EEM/SPY"),
    ]
    movers = [i for i in first["items"] if i["kind"] == "rs_mover"]
    # IWM/SPY 4 -> 10 is +150 %, EEM/SPY 7 -> 1 is −85.7 %: ranked by size.
    assert [(m["subject"], m["data"]["change"]) for m in movers] == [
        ("IWM/SPY", 1.5),
        ("EEM/SPY", pytest.approx(1 / 7 - 1)),
    ]
    high = first["items"][4]
    assert (high["date"], high["data"]["days"]) == (DAYS[9], 6)
    json.dumps(first)  # JSON-ready


def test_json_and_text_shapes() -> None:
    d = build_digest(DAYS[3], DAYS[9], **full_inputs())
    block = digest_to_dict(d)
    assert sorted(block) == ["confirm_days", "counts", "items", "notes", "since", "until"]
    assert block["counts"] == {
        "rule_flip": 2,
        "rule_pending": 0,
        "quadrant": 2,
        "rs_high": 1,
        "rs_low": 1,
        "rs_mover": 2,
        "catalyst": 0,
    }
    assert sorted(block["items"][0]) == [
        "alert_kind", "data", "date", "id", "kind", "subject", "symbol", "text", "title",
    ]  # fmt: skip
    lines = digest_lines(d)
    assert lines[0] == "Since the 2026-07-23 close, to 2026-07-31: 8 changes"
    assert lines[1:4] == [
        "Rule flips",
        "  A: fail → pass since 2026-07-27",
        "  B: pass → fail since 2026-07-27",
    ]
    assert "RRG quadrant changes" in lines and "  XLE: Lagging → Improving" in lines
    assert digest_lines(build_digest(DAYS[3], DAYS[9])) == [
        "Since the 2026-07-23 close, to 2026-07-31: 0 changes",
        "  nothing changed",
    ]


def test_resolve_since() -> None:
    days = list(reversed(DAYS))  # any order
    assert resolve_since("yesterday", days) == (DAYS[-2], None)
    assert resolve_since("last-session", days, "2026-07-25T09:12:00+00:00") == (DAYS[4], None)
    assert resolve_since("2026-07-26", days) == (DAYS[4], None)  # a Sunday -> Friday
    assert resolve_since("2026-07-31", days) == (DAYS[-2], None)
    assert resolve_since("last-session", days, None) == (
        None,
        "no earlier session is recorded yet; use --since yesterday or a date",
    )
    assert resolve_since("2026-01-01", days)[1] == (
        "--since 2026-01-01: before the first date in the cache (2026-07-20)"
    )
    assert resolve_since("soon", days)[1] == (
        "--since 'soon': expected yesterday, last-session or YYYY-MM-DD"
    )
    with pytest.raises(ValueError):
        build_digest(DAYS[5], DAYS[1])


def test_the_new_modules_stay_below_the_session_layer() -> None:
    """Importing them pulls in no textual and none of tui.app, tui.report, tui.session."""
    import subprocess
    import sys

    code = (
        "import sys, tui.regime.digest, tui.notify, tui.data.positions, tui.data.sectors, "
        "tui.analytics.exposure; "
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith(('textual.', "
        "'tui.app', 'tui.report', 'tui.session'))]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_the_engine_frame_is_taken_as_confirmed_with_its_pending_count() -> None:
    index = pd.DatetimeIndex(DAYS[:8])
    frame = pd.DataFrame(
        {
            # Confirmed state flips to fail on the 27th; raw went fail two days earlier.
            "status": ["pass"] * 5 + ["fail"] * 3,
            "raw_status": ["pass"] * 3 + ["fail"] * 4 + ["pass"],
            "pending": [0, 0, 0, 1, 2, 0, 0, 1],
        },
        index=index,
    )
    rules = [{"id": "r", "name": "R", "history": frame, "confirm_days": 3}]
    d = build_digest(DAYS[2], DAYS[7], rules=rules, confirm_days=9)
    assert [(i.kind, i.date) for i in d.items] == [
        ("rule_flip", DAYS[5]),
        ("rule_pending", DAYS[7]),
    ]
    assert d.items[1].text == (
        "R: ✓ pass since 2026-07-29 (1 of 3 days to confirm; confirmed fail)"
    )
    # On the 24th the confirmed state was still pass, with 2 days pending toward fail.
    early = build_digest(DAYS[2], DAYS[4], rules=rules)
    assert [(i.kind, i.data["latest"], i.data["days"]) for i in early.items] == [
        ("rule_pending", "fail", 2)
    ]
