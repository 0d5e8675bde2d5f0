"""What deserves an alert: a rule that flipped, a catalyst less than a day away. Pure functions.

The caller keeps what was already seen (the cache's meta), so an alert fires once — not on every
refresh, and not again after a restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MARK = {"pass": "✓", "fail": "✗", "unknown": "?"}


def rule_flips(
    seen: Mapping[str, str] | None, regime: Sequence[Mapping[str, Any]]
) -> tuple[list[str], dict[str, str]]:
    """Alerts for rules whose status went pass ↔ fail since `seen`, and the statuses to keep.

    A rule going to or from "unknown" is a data problem, not a flip: no alert, and its last
    known status is kept so the flip is still caught when the data comes back. With nothing
    seen yet (the first run) there is nothing to compare with: no alerts.
    """
    keep = dict(seen or {})
    messages = []
    for rule in regime:
        status = rule["status"]
        if status not in ("pass", "fail"):
            continue
        before = keep.get(rule["id"])
        keep[rule["id"]] = status
        if seen is not None and before in ("pass", "fail") and before != status:
            messages.append(
                f"{MARK[status]} {rule['name']} flipped to {status.upper()} "
                f"(was {before}): {rule['value_text']}"
            )
    return messages, keep


def catalyst_key(item: Mapping[str, Any]) -> str:
    """A stable identity for a catalyst: kind, name and time."""
    return f"{item['kind']}|{item['name']}|{item['datetime']}"


def catalysts_due(
    notified: Iterable[str], catalysts: Sequence[Mapping[str, Any]], within_days: float = 1.0
) -> tuple[list[str], list[str]]:
    """Alerts for catalysts less than `within_days` away not alerted before, and the keys to
    keep (only those still upcoming, so the list never grows)."""
    done = set(notified)
    upcoming = [c for c in catalysts if c["days_until"] >= 0]
    messages = []
    for item in upcoming:
        key = catalyst_key(item)
        if item["days_until"] <= within_days and key not in done:
            done.add(key)
            hours = item["days_until"] * 24
            when = f"in {hours:.0f} h" if hours >= 1 else "within the hour"
            messages.append(f"{item['name']} {when} ({item['datetime'][:16].replace('T', ' ')} ET)")
    keep = sorted(k for k in done if k in {catalyst_key(c) for c in upcoming})
    return messages, keep
