"""Alerts that reach you: the session runs the config's notify command for confirmed rule flips
and near catalysts, once each, through a real program that records its arguments."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from faults_helpers import seeded_copy

from tui.config import Config, load_config
from tui.notify import NotifySettings, QuietHours
from tui.session import Monitor

RECORDER = """\
import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps(sys.argv[2:]) + "\\n")
"""
HOSTILE = "x; touch pwned $(touch pwned2) `touch pwned3`"
NOON = datetime(2026, 8, 1, 16, 0, tzinfo=UTC)


def calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def recorder(tmp_path: Path) -> tuple[list[str], Path]:
    script = tmp_path / "record.py"
    script.write_text(RECORDER, encoding="utf-8")
    log = tmp_path / "calls.jsonl"
    return [sys.executable, str(script), str(log), HOSTILE], log


def make_monitor(tmp_path: Path, command: list[str], **settings: object) -> Monitor:
    settings.setdefault("kinds", frozenset({"rule_flips", "catalysts"}))
    config = Config(notify=NotifySettings(command=tuple(command), timeout=10.0, **settings))
    cache = tmp_path / "cache" / "rotmon.sqlite"
    if not cache.exists():  # a copy of what seed() writes in a new cache (~1.2 s saved)
        seeded_copy(cache)
    monitor = Monitor(config, cache, clock=lambda: NOON)
    monitor.load_inputs()
    monitor.open()
    monitor.seed()
    return monitor


def flips_on(report: object, day: str) -> set[str]:
    return {r["id"] for r in report.regime if r["since"] == day and r["status"] == "pass"}  # type: ignore[attr-defined]


def test_each_new_flip_runs_the_command_once_with_its_arguments_verbatim(
    tmp_path: Path, recorder: tuple[list[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    command, log = recorder
    monkeypatch.chdir(tmp_path)
    monitor = make_monitor(tmp_path, command)
    # The first look (as of 2026-07-27) adopts what is current: a flip of 07-24 is not news.
    assert monitor.notify_command(monitor.build(as_of="2026-07-27")) == []
    later = monitor.build(as_of="2026-07-31")
    new = flips_on(later, "2026-07-28")
    assert new == {"value", "breadth"}  # the bundled data: both turned on 2026-07-28
    sent = monitor.notify_command(later)
    assert {a.id.split("|")[1] for a in sent} == new
    assert monitor.notifier.join(10)
    got = calls(log)
    assert len(got) == 2
    for argv in got:
        assert argv[0] == HOSTILE  # one argument, exactly as configured: no shell ran
        title, text = argv[1], argv[2]
        assert title.startswith("rotmon: ") and "flipped to PASS" in title
        assert "since 2026-07-28" in text
    assert not any((tmp_path / name).exists() for name in ("pwned", "pwned2", "pwned3"))
    # Again, and after a restart on the same cache: nothing is sent twice.
    assert monitor.notify_command(later) == []
    restarted = make_monitor(tmp_path, command)
    assert restarted.notify_command(restarted.build(as_of="2026-07-31")) == []
    assert len(calls(log)) == 2


def test_quiet_hours_hold_alerts_back_until_they_end(
    tmp_path: Path, recorder: tuple[list[str], Path]
) -> None:
    command, log = recorder
    quiet = QuietHours(time(15, 0), time(17, 0), UTC)  # NOON (16:00 UTC) is inside
    monitor = make_monitor(tmp_path, command, quiet_hours=quiet)
    monitor.notify_command(monitor.build(as_of="2026-07-27"))
    later = monitor.build(as_of="2026-07-31")
    assert monitor.notify_command(later) == []
    monitor.clock = lambda: datetime(2026, 8, 1, 17, 30, tzinfo=UTC)
    assert len(monitor.notify_command(later)) == 2
    assert monitor.notifier.join(10) and len(calls(log)) == 2


def test_a_missing_program_is_reported_once_and_nothing_waits(tmp_path: Path) -> None:
    monitor = make_monitor(tmp_path, [str(tmp_path / "no-such-program")])
    monitor.notify_command(monitor.build(as_of="2026-07-27"))
    started = datetime.now()
    monitor.notify_command(monitor.build(as_of="2026-07-31"))
    assert (datetime.now() - started).total_seconds() < 5
    monitor.notifier.join(10)
    failures = monitor.notify_failures()
    assert len(failures) == 1 and "no-such-program" in failures[0]
    assert monitor.notify_failures() == []


def test_a_viewer_never_runs_the_command(tmp_path: Path, recorder: tuple[list[str], Path]) -> None:
    command, log = recorder
    writer = make_monitor(tmp_path, command)
    writer.notify_command(writer.build(as_of="2026-07-27"))
    config = Config(notify=NotifySettings(command=tuple(command)))
    viewer = Monitor(config, writer.cache_path, read_only=True, clock=lambda: NOON)
    viewer.load_inputs()
    viewer.open()
    assert viewer.notify_command(viewer.build(as_of="2026-07-31")) == []
    assert calls(log) == []


def test_the_config_file_gives_the_command_as_an_argv_list(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[alerts]\nnotify_command = ["notify-send", "-a", "rotmon"]\n'
        'quiet_hours = "22:00-07:00"\nnotify_command_x = 1\n',
        encoding="utf-8",
    )
    config, problems = load_config(path)
    assert config.notify.command == ("notify-send", "-a", "rotmon")
    assert config.notify.quiet_hours is not None
    assert [str(p) for p in problems] == [
        "config.toml:4: alerts.notify_command_x: unknown key (expected one of: notify, bell, "
        "notify_command, notify_timeout, quiet_hours, quiet_zone, kinds, symbols); ignored"
    ]
    path.write_text('[alerts]\nnotify_command = "notify-send hello"\n', encoding="utf-8")
    config, problems = load_config(path)
    assert config.notify.command == () and "config.toml:2: alerts.notify_command" in str(
        problems[0]
    )


def test_quadrant_alerts_come_from_the_digest_for_the_chosen_symbols(
    tmp_path: Path, recorder: tuple[list[str], Path]
) -> None:
    """kinds = quadrants, symbols = the sectors: each weekly quadrant change since the previous
    close of a chosen symbol is sent once, with the digest's own id."""
    from tui.glance import digest_json

    command, log = recorder
    sectors = frozenset({"XLK", "XLU", "XLY", "XLF"})  # XLU and XLY changed on 2026-07-31
    monitor = make_monitor(tmp_path, command, kinds=frozenset({"quadrants"}), symbols=sectors)
    monitor.notify_command(monitor.build(as_of="2026-07-24"))  # the first look adopts
    report = monitor.build(as_of="2026-07-31")
    items = digest_json(monitor.glance_inputs(report, end="2026-07-31"), "yesterday")["items"]
    expected = {i["id"] for i in items if i["alert_kind"] == "quadrants" and i["symbol"] in sectors}
    sent = monitor.notify_command(report)
    assert {a.symbol for a in sent} == {"XLU", "XLY"} and {a.id for a in sent} == expected
    assert monitor.notifier.join(10) and len(calls(log)) == 2
    assert monitor.notify_command(report) == []  # once
