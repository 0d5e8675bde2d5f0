"""What changed between two dates: rule flips, quadrant moves, RS extremes and movers, catalysts.

Pure: the caller computes the state and passes plain data; the same inputs always give the same
list, in the same order, so two viewers of one cache see the same digest for the same dates.

Inputs of :func:`build_digest`
------------------------------
``since``, ``until``
    ISO dates (trading days): the digest covers changes after the close of ``since`` up to and
    including ``until``. :func:`resolve_since` turns ``yesterday`` / ``last-session`` / a date
    into ``since``.
``rules``
    One mapping per rule: ``{"id": str, "name": str, "history": H, "confirm_days": int}``
    (``confirm_days`` optional, default the argument). ``H`` is either the engine's frame,
    ``engine.rule_series(closes, rule, decisions, as_of=until)`` — its ``status`` column is
    then taken as the confirmed state and its last ``pending`` as the pending count, so the
    digest agrees with the dashboard — or a plain daily status (a Series of
    ``pass``/``fail``/``unknown`` indexed by date, or ``(iso_date, status)`` pairs) that the
    digest confirms itself as below. Rows after ``until`` are ignored.
``quadrants_since``, ``quadrants_until``
    Symbol -> weekly RRG quadrant (``Leading``/``Weakening``/``Lagging``/``Improving``, or
    None) as of each date: ``{p.symbol: p.quadrant for p in rrg(closes, symbols, bench,
    as_of=day)}``.
``rs_lines``
    Label -> the daily RS line (a Series indexed by date, e.g. ``"IWM/SPY"`` ->
    ``rs_line(closes["IWM"], closes["SPY"])``). All of them are ranked for the biggest movers;
    those in ``watched`` (default: all) are checked for 52-week highs and lows.
``catalysts``
    ``catalyst_to_dict`` dicts (``kind``, ``name``, ``datetime`` ISO with offset, ...);
    those from ``now`` to ``now + catalyst_hours`` are listed.
``now``
    Aware datetime the catalysts are counted from; default 16:00 New York time on ``until``.

What counts
-----------
- **Rule flips** are judged on *confirmed* statuses. From the engine's frame, its ``status``
  (already confirmed, banded) is used as is. From a plain status, a status is confirmed once it
  has held for ``confirm_days`` known days in a row (unknown days are skipped, neither breaking nor
  extending a run). A ``rule_flip`` is a confirmed status on ``until`` different from the one
  on ``since`` (dated by the day the confirmed state changed, for the engine's frame; by the
  first day of the new run for a plain status); a ``rule_pending`` is a rule whose
  latest known status differs from its confirmed one (it flipped less than ``confirm_days``
  days ago and may still flip back). With ``confirm_days=1`` every flip is confirmed at once.
- **Quadrant transitions**: a symbol whose quadrant on ``until`` differs from ``since`` (both
  known).
- **RS 52-week highs/lows**: a day in (since, until] whose value is above (below) every one of
  the previous ``extreme_window − 1`` rows; a line shorter than ``extreme_window`` rows on
  that day is not judged. The latest such day is reported, with how many there were.
- **Biggest movers**: the RS lines' change from their last row on or before ``since`` to the
  last on or before ``until``, the ``movers`` largest by size (ties by label).
- **Catalysts** within ``catalyst_hours`` (48) of ``now``, by time.

Each item carries an ``id`` that is the same whatever ``since`` was (a flip is identified by
its rule, day and new status), so alert memory (:mod:`tui.notify`) can key on it, and an
``alert_kind`` (``rule_flips``, ``catalysts`` (< 24 h only), ``quadrants``, ``rs_extremes``,
or None for items that are not alerts).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from tui.format import MARKS, pct

__all__ = [
    "KIND_ORDER",
    "Digest",
    "DigestItem",
    "build_digest",
    "confirmed_status",
    "digest_lines",
    "digest_to_dict",
    "resolve_since",
]

NEW_YORK = ZoneInfo("America/New_York")
KIND_ORDER: tuple[str, ...] = (
    "rule_flip",
    "rule_pending",
    "quadrant",
    "rs_high",
    "rs_low",
    "rs_mover",
    "catalyst",
)
"""Items come in this order of kinds."""
_ALERT_KIND = {
    "rule_flip": "rule_flips",
    "quadrant": "quadrants",
    "rs_high": "rs_extremes",
    "rs_low": "rs_extremes",
}
_HEADINGS = {
    "rule_flip": "Rule flips",
    "rule_pending": "Pending flips",
    "quadrant": "RRG quadrant changes",
    "rs_high": "RS new 52-week highs",
    "rs_low": "RS new 52-week lows",
    "rs_mover": "Biggest RS moves",
    "catalyst": "Catalysts in the next 48 h",
}
KNOWN = ("pass", "fail")


@dataclass(frozen=True)
class DigestItem:
    """One change."""

    kind: str
    """One of :data:`KIND_ORDER`."""
    subject: str
    """Rule id, symbol, RS line label or catalyst name."""
    date: str
    """ISO date it happened (a catalyst: its ISO datetime)."""
    title: str
    """Short headline (a notify command's first argument)."""
    text: str
    """The figures, one line."""
    id: str
    """Stable identity, independent of ``since``."""
    alert_kind: str | None = None
    """Which :data:`tui.notify.ALERT_KINDS` it belongs to; None: not an alert."""
    symbol: str | None = None
    """The symbol it is about, when one."""
    data: dict[str, Any] = field(default_factory=dict)
    """The figures as JSON-ready values."""


@dataclass(frozen=True)
class Digest:
    """The changes from ``since`` to ``until``."""

    since: str
    until: str
    items: list[DigestItem]
    confirm_days: int
    notes: list[str] = field(default_factory=list)
    """Things the digest could not judge (a line too short for a 52-week test, ...)."""


# --- helpers ----------------------------------------------------------------------------------


def _pairs(history: Any, until: str) -> list[tuple[str, str]]:
    """(iso, status) pairs on or before ``until``, oldest first."""
    if isinstance(history, pd.Series):
        index = pd.DatetimeIndex(history.index)
        pairs = [
            (d.date().isoformat(), str(v)) for d, v in zip(index, history.to_numpy(), strict=True)
        ]
    else:
        pairs = [(str(d)[:10], str(s)) for d, s in history]
    pairs.sort(key=lambda p: p[0])
    return [p for p in pairs if p[0] <= until]


def _runs(pairs: Sequence[tuple[str, str]], day: str) -> list[tuple[str, str, int]]:
    """Runs of one known status up to ``day``: (status, first day, known days), oldest first."""
    runs: list[list[Any]] = []
    for iso, status in pairs:
        if iso > day:
            break
        if status not in KNOWN:
            continue
        if runs and runs[-1][0] == status:
            runs[-1][2] += 1
        else:
            runs.append([status, iso, 1])
    return [(r[0], r[1], r[2]) for r in runs]


def confirmed_status(
    pairs: Sequence[tuple[str, str]], day: str, confirm_days: int
) -> tuple[str | None, str | None, str | None]:
    """(confirmed status, first day of its run, latest known status) on ``day``.

    The confirmed status is that of the latest run of one known status at least
    ``confirm_days`` known days long (the current run counts up to ``day``).
    """
    runs = _runs(pairs, day)
    latest = runs[-1][0] if runs else None
    for status, start, length in reversed(runs):
        if length >= confirm_days:
            return status, start, latest
    return None, None, latest


def _series(line: pd.Series, until: str) -> pd.Series:
    s = line.dropna()
    s.index = pd.DatetimeIndex(s.index)
    return s.loc[: pd.Timestamp(until)].sort_index()


def _value_on(s: pd.Series, day: str) -> tuple[str, float] | None:
    part = s.loc[: pd.Timestamp(day)]
    if part.empty:
        return None
    return part.index[-1].date().isoformat(), float(part.iloc[-1])


def _num(value: float) -> float:
    return float(f"{value:.10g}")


def _first_symbol(label: str) -> str:
    return label.split("/")[0].strip()


# --- building ---------------------------------------------------------------------------------


def _rule_state(
    history: Any, since: str, until: str, confirm_days: int
) -> tuple[str | None, str | None, str | None, tuple[str, str, int] | None]:
    """(confirmed on since, confirmed on until, first day of that state, pending) where
    pending is (status it may flip to, first day, known days so far) or None."""
    if isinstance(history, pd.DataFrame):
        # The engine's rule_series frame: "status" is already the confirmed state.
        pairs = _pairs(history["status"], until)
        before, _, _ = confirmed_status(pairs, since, 1)
        after, start, _ = confirmed_status(pairs, until, 1)
        pending = None
        rows = history.loc[: pd.Timestamp(until)] if "pending" in history.columns else None
        days = int(rows["pending"].iloc[-1]) if rows is not None and len(rows) else 0
        known = [iso for iso, st in pairs if st in KNOWN]
        if days > 0 and after in KNOWN and len(known) >= days:
            pending = ("fail" if after == "pass" else "pass", known[-days], days)
        return before, after, start, pending
    pairs = _pairs(history, until)
    before, _, _ = confirmed_status(pairs, since, confirm_days)
    after, start, latest = confirmed_status(pairs, until, confirm_days)
    pending = None
    if latest in KNOWN and after in KNOWN and latest != after:
        _, first, held = _runs(pairs, until)[-1]
        pending = (latest, first, held)
    return before, after, start, pending


def _rule_items(
    rules: Sequence[Mapping[str, Any]], since: str, until: str, confirm_days: int
) -> list[DigestItem]:
    out = []
    for rule in sorted(rules, key=lambda r: str(r["id"])):
        rid, name = str(rule["id"]), str(rule.get("name") or rule["id"])
        confirm = int(rule.get("confirm_days") or confirm_days)
        before, after, start, pending = _rule_state(rule["history"], since, until, confirm)
        if before in KNOWN and after in KNOWN and before != after and start is not None:
            out.append(
                DigestItem(
                    kind="rule_flip",
                    subject=rid,
                    date=start,
                    title=f"{MARKS[after]} {name} flipped to {after.upper()}",
                    text=f"{name}: {before} → {after} since {start}",
                    id=f"rule_flip|{rid}|{start}|{after}",
                    alert_kind="rule_flips",
                    data={"rule": rid, "name": name, "from": before, "to": after, "since": start},
                )
            )
        if pending is not None and after in KNOWN:
            to, first, held = pending
            out.append(
                DigestItem(
                    kind="rule_pending",
                    subject=rid,
                    date=first,
                    title=f"{name} may flip to {to.upper()}",
                    text=(
                        f"{name}: {MARKS[to]} {to} since {first} "
                        f"({held} of {confirm} days to confirm; confirmed {after})"
                    ),
                    id=f"rule_pending|{rid}|{first}|{to}",
                    data={
                        "rule": rid,
                        "name": name,
                        "confirmed": after,
                        "latest": to,
                        "since": first,
                        "days": held,
                        "confirm_days": confirm,
                    },
                )
            )
    return out


def _quadrant_items(
    before: Mapping[str, str | None], after: Mapping[str, str | None], until: str
) -> list[DigestItem]:
    out = []
    for symbol in sorted(set(before) | set(after)):
        q0, q1 = before.get(symbol), after.get(symbol)
        if q0 and q1 and q0 != q1:
            out.append(
                DigestItem(
                    kind="quadrant",
                    subject=symbol,
                    date=until,
                    title=f"{symbol} now {q1}",
                    text=f"{symbol}: {q0} → {q1}",
                    id=f"quadrant|{symbol}|{until}|{q0}>{q1}",
                    alert_kind="quadrants",
                    symbol=symbol,
                    data={"symbol": symbol, "from": q0, "to": q1},
                )
            )
    return out


def _extreme_items(
    rs_lines: Mapping[str, pd.Series],
    watched: Collection[str] | None,
    since: str,
    until: str,
    window: int,
    notes: list[str],
) -> list[DigestItem]:
    out = []
    labels = sorted(rs_lines if watched is None else [w for w in watched if w in rs_lines])
    for label in labels:
        s = _series(rs_lines[label], until)
        values = s.to_numpy(dtype=float)
        dates = [d.date().isoformat() for d in s.index]
        first = next((i for i, d in enumerate(dates) if d > since), len(dates))
        judged = [i for i in range(max(first, window - 1), len(dates))]
        if first < len(dates) and not judged:
            notes.append(f"{label}: fewer than {window} rows, no 52-week test")
            continue
        highs = [i for i in judged if values[i] > values[i - window + 1 : i].max()]
        lows = [i for i in judged if values[i] < values[i - window + 1 : i].min()]
        for kind, hits, word in (("rs_high", highs, "high"), ("rs_low", lows, "low")):
            if not hits:
                continue
            i = hits[-1]
            times = f" ({len(hits)} days)" if len(hits) > 1 else ""
            out.append(
                DigestItem(
                    kind=kind,
                    subject=label,
                    date=dates[i],
                    title=f"{label} at a 52-week {word}",
                    text=f"{label} new 52-week {word} {values[i]:.4f} on {dates[i]}{times}",
                    id=f"{kind}|{label}|{dates[i]}",
                    alert_kind="rs_extremes",
                    symbol=_first_symbol(label),
                    data={
                        "line": label,
                        "value": _num(values[i]),
                        "date": dates[i],
                        "days": len(hits),
                        "window": window,
                    },
                )
            )
    return out


def _mover_items(
    rs_lines: Mapping[str, pd.Series], since: str, until: str, count: int
) -> list[DigestItem]:
    moves = []
    for label in sorted(rs_lines):
        s = _series(rs_lines[label], until)
        start, end = _value_on(s, since), _value_on(s, until)
        if start is None or end is None or start[0] >= end[0] or start[1] == 0:
            continue
        moves.append((label, end[1] / start[1] - 1, start, end))
    moves.sort(key=lambda m: (-abs(m[1]), m[0]))
    out = []
    for rank, (label, change, start, end) in enumerate(moves[:count], start=1):
        out.append(
            DigestItem(
                kind="rs_mover",
                subject=label,
                date=end[0],
                title=f"{label} {pct(change)}",
                text=f"{label} {pct(change)} ({start[0]} → {end[0]})",
                id=f"rs_mover|{label}|{start[0]}|{end[0]}",
                symbol=_first_symbol(label),
                data={
                    "line": label,
                    "change": _num(change),
                    "from": start[0],
                    "to": end[0],
                    "rank": rank,
                },
            )
        )
    return out


def _catalyst_items(
    catalysts: Sequence[Mapping[str, Any]], now: datetime, hours: float
) -> list[DigestItem]:
    found = []
    for c in catalysts:
        at = datetime.fromisoformat(str(c["datetime"]))
        left = (at - now).total_seconds() / 3600
        if 0 <= left <= hours:
            found.append((at, str(c["name"]), left, c))
    found.sort(key=lambda f: (f[0], f[1]))
    out = []
    for at, name, left, c in found:
        ny = at.astimezone(NEW_YORK)
        when = f"{ny:%a %Y-%m-%d}" if c.get("time_known") is False else f"{ny:%a %H:%M} ET"
        out.append(
            DigestItem(
                kind="catalyst",
                subject=name,
                date=at.isoformat(),
                title=f"{name} in {left:.0f} h" if left >= 1 else f"{name} within the hour",
                text=f"{name} · {when} · in {left:.0f} h",
                id=f"catalyst|{c.get('kind')}|{name}|{c['datetime']}",
                alert_kind="catalysts" if left <= 24 else None,
                symbol=c.get("symbol") or None,
                data={
                    "kind": c.get("kind"),
                    "name": name,
                    "datetime": str(c["datetime"]),
                    "hours": round(left, 2),
                },
            )
        )
    return out


def build_digest(
    since: str,
    until: str,
    *,
    rules: Sequence[Mapping[str, Any]] = (),
    quadrants_since: Mapping[str, str | None] | None = None,
    quadrants_until: Mapping[str, str | None] | None = None,
    rs_lines: Mapping[str, pd.Series] | None = None,
    watched: Collection[str] | None = None,
    catalysts: Sequence[Mapping[str, Any]] = (),
    now: datetime | None = None,
    confirm_days: int = 3,
    movers: int = 5,
    extreme_window: int = 252,
    catalyst_hours: float = 48.0,
) -> Digest:
    """The changes after the close of ``since`` through ``until`` (see the module docstring)."""
    if since > until:
        raise ValueError(f"since {since} is after until {until}")
    if now is None:
        now = datetime.combine(date.fromisoformat(until), time(16, 0), tzinfo=NEW_YORK)
    notes: list[str] = []
    lines = dict(rs_lines or {})
    items = [
        *_rule_items(rules, since, until, max(1, confirm_days)),
        *_quadrant_items(quadrants_since or {}, quadrants_until or {}, until),
        *_extreme_items(lines, watched, since, until, extreme_window, notes),
        *_mover_items(lines, since, until, movers),
        *_catalyst_items(catalysts, now, catalyst_hours),
    ]
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    # Stable: within a kind the builders already sorted (by id/label, rank, or time).
    items.sort(key=lambda item: order[item.kind])
    return Digest(since, until, items, confirm_days, notes)


# --- since ------------------------------------------------------------------------------------


def resolve_since(
    spec: str, dates: Sequence[str], last_session: str | None = None
) -> tuple[str | None, str | None]:
    """``since`` for ``--since yesterday|last-session|YYYY-MM-DD``, or (None, message).

    ``dates`` are the trading days known (ISO, any order); ``until`` is their last.
    ``yesterday`` is the trading day before it; ``last-session`` the last trading day on or
    before ``last_session`` (an ISO date or datetime the caller kept); a date is moved back to
    the last trading day on or before it and must be before ``until``.
    """
    days = sorted(set(dates))
    if len(days) < 2:
        return None, "not enough trading days in the cache for a digest"
    until = days[-1]
    spec = spec.strip().lower()
    if spec == "yesterday":
        return days[-2], None
    if spec in ("last-session", "last_session"):
        if not last_session:
            return None, "no earlier session is recorded yet; use --since yesterday or a date"
        target = str(last_session)[:10]
    else:
        try:
            target = date.fromisoformat(spec).isoformat()
        except ValueError:
            return None, f"--since {spec!r}: expected yesterday, last-session or YYYY-MM-DD"
    earlier = [d for d in days if d <= target]
    if not earlier:
        return None, f"--since {target}: before the first date in the cache ({days[0]})"
    if earlier[-1] >= until:
        return days[-2], None  # since today or later: compare with the previous close
    return earlier[-1], None


# --- output -----------------------------------------------------------------------------------


def digest_to_dict(d: Digest) -> dict[str, Any]:
    """``{"since", "until", "confirm_days", "counts": {kind: n}, "items": [{"kind",
    "subject", "date", "title", "text", "id", "alert_kind", "symbol", "data"}], "notes"}``."""
    counts = {kind: sum(1 for i in d.items if i.kind == kind) for kind in KIND_ORDER}
    return {
        "since": d.since,
        "until": d.until,
        "confirm_days": d.confirm_days,
        "counts": counts,
        "items": [
            {
                "kind": i.kind,
                "subject": i.subject,
                "date": i.date,
                "title": i.title,
                "text": i.text,
                "id": i.id,
                "alert_kind": i.alert_kind,
                "symbol": i.symbol,
                "data": i.data,
            }
            for i in d.items
        ],
        "notes": d.notes,
    }


def digest_lines(d: Digest) -> list[str]:
    """Plain text: a header, then each kind's heading and its items, indented."""
    n = len(d.items)
    out = [f"Since the {d.since} close, to {d.until}: {n} change{'s' if n != 1 else ''}"]
    if not n:
        out.append("  nothing changed")
    for kind in KIND_ORDER:
        items = [i for i in d.items if i.kind == kind]
        if items:
            out.append(_HEADINGS[kind])
            out.extend(f"  {i.text}" for i in items)
    out.extend(f"note: {note}" for note in d.notes)
    return out
