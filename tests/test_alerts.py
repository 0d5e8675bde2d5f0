"""Alerts fire once: on a pass/fail flip, and for a catalyst less than a day away."""

from __future__ import annotations

from tui.regime.alerts import catalyst_key, catalysts_due, rule_flips


def rule(rule_id: str, status: str) -> dict:
    return {"id": rule_id, "name": rule_id.title(), "status": status, "value_text": "x"}


def test_first_run_only_remembers() -> None:
    messages, seen = rule_flips(None, [rule("a", "pass"), rule("b", "fail")])
    assert messages == [] and seen == {"a": "pass", "b": "fail"}


def test_a_flip_alerts_once() -> None:
    _, seen = rule_flips(None, [rule("a", "pass")])
    messages, seen = rule_flips(seen, [rule("a", "fail")])
    assert messages == ["✗ A flipped to FAIL (was pass): x"]
    again, seen = rule_flips(seen, [rule("a", "fail")])
    assert again == []


def test_unknown_is_not_a_flip_and_keeps_the_last_known_status() -> None:
    _, seen = rule_flips(None, [rule("a", "pass")])
    messages, seen = rule_flips(seen, [rule("a", "unknown")])
    assert messages == [] and seen == {"a": "pass"}
    messages, _ = rule_flips(seen, [rule("a", "fail")])
    assert len(messages) == 1  # the flip across the gap is still caught


def catalyst(name: str, days: float) -> dict:
    return {
        "kind": "macro",
        "name": name,
        "datetime": "2026-12-10T08:30:00-05:00",
        "days_until": days,
    }


def test_catalyst_within_a_day_alerts_once() -> None:
    items = [catalyst("CPI", 0.5), catalyst("Jobs", 3.0), catalyst("Past", -0.2)]
    messages, keep = catalysts_due([], items)
    assert messages == ["CPI in 12 h (2026-12-10 08:30 ET)"]
    assert keep == [catalyst_key(items[0])]
    again, keep = catalysts_due(keep, items)
    assert again == []
    # Once it is past it is forgotten, so the kept list never grows.
    _, keep = catalysts_due(keep, [catalyst("CPI", -0.1)])
    assert keep == []
