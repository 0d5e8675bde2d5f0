"""The notify command: real programs, run without a shell, never waited on; settings; memory."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui.notify import (
    ALERT_KINDS,
    Alert,
    AlertMemory,
    Notifier,
    NotifySettings,
    dispatch,
    due_alerts,
    parse_notify_settings,
    parse_quiet_hours,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="uses /bin/sh scripts")


def script(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def recorder(tmp_path: Path) -> tuple[list[str], Path]:
    """A real program that writes the arguments it got, as JSON, to a file."""
    out = tmp_path / "args.json"
    prog = script(
        tmp_path / "record.py",
        "import json, sys\n"
        "with open(sys.argv[1], 'a', encoding='utf-8') as f:\n"
        "    f.write(json.dumps(sys.argv[2:]) + '\\n')\n",
    )
    return [sys.executable, str(prog), str(out)], out


def recorded(out: Path) -> list[list[str]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_title_and_text_are_appended_as_two_arguments(recorder) -> None:
    argv, out = recorder
    notifier = Notifier([*argv, "--fixed"], timeout=10)
    notifier.send("rotmon: Small caps flipped", "IWM/SPY 0.3898 vs 50d 0.3927")
    notifier.send("second", "two")
    assert notifier.join(timeout=20)
    assert recorded(out) == [
        ["--fixed", "rotmon: Small caps flipped", "IWM/SPY 0.3898 vs 50d 0.3927"],
        ["--fixed", "second", "two"],
    ]
    assert notifier.failures() == []
    assert notifier.stats.sent == 2


def test_no_shell_ever_sees_the_text(recorder, tmp_path: Path, monkeypatch) -> None:
    argv, out = recorder
    monkeypatch.chdir(tmp_path)
    nasty = "a; touch pwned1 $(touch pwned2) `touch pwned3` && touch pwned4 | x > pwned5"
    title = "$(touch pwned6); echo hi"
    notifier = Notifier(argv)
    notifier.send(title, nasty)
    assert notifier.join(timeout=20)
    assert recorded(out) == [[title, nasty]]
    assert sorted(p.name for p in tmp_path.glob("pwned*")) == []


def test_nul_characters_are_dropped_not_fatal(recorder) -> None:
    argv, out = recorder
    notifier = Notifier(argv)
    notifier.send("ti\x00tle", "te\x00xt")
    assert notifier.join(timeout=20)
    assert recorded(out) == [["title", "text"]]


@posix_only
def test_a_hanging_program_is_killed_with_its_children_and_reported_once(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    hang = script(
        tmp_path / "hang.sh",
        f'#!/bin/sh\nsleep 60 &\necho "$$ $!" > "{pids}"\nwait\n',
    )
    notifier = Notifier([str(hang)], timeout=0.5)
    notifier.send("a", "1")
    assert notifier.join(timeout=0) is False  # send() returned before the program finished
    notifier.send("b", "2")
    assert notifier.join(timeout=30)
    messages = notifier.failures()
    assert messages == [
        f"notify_command: {str(hang)!r} did not finish within 0.5 s and was stopped"
    ]
    assert notifier.stats.failed == 2
    for pid in map(int, pids.read_text().split()):
        assert not _alive(pid), f"process {pid} survived"


def _alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie waiting for a reaper counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                state = next(x for x in status.read_text().splitlines() if x.startswith("State"))
            except (FileNotFoundError, StopIteration):
                return False
            if "Z" in state.split()[1]:
                return False
            time.sleep(0.05)
    return True


def test_a_missing_program_is_reported_once_and_never_raises(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-notifier")
    seen: list[str] = []
    notifier = Notifier([missing, "-x"], on_failure=seen.append)
    assert notifier.check() == (
        f"notify_command: program {missing!r} not found; alerts are not sent"
    )
    for i in range(3):
        notifier.send("t", str(i))
    assert notifier.join(timeout=20)
    expected = (
        f"notify_command: program {missing!r} not found; alerts are not sent to it "
        "(they still show here)"
    )
    assert notifier.failures() == [expected]
    assert seen == [expected]
    assert notifier.failures() == []  # collected once
    assert notifier.stats.failed == 3


@posix_only
def test_a_failing_program_is_reported_with_its_status_and_first_stderr_line(
    tmp_path: Path,
) -> None:
    bad = script(
        tmp_path / "bad.sh", '#!/bin/sh\necho "no route to ntfy" >&2\necho more >&2\nexit 3\n'
    )
    notifier = Notifier([str(bad)])
    notifier.send("t", "x")
    notifier.send("t", "y")
    assert notifier.join(timeout=20)
    assert notifier.failures() == [
        f"notify_command: {str(bad)!r} exited with status 3: no route to ntfy"
    ]


@posix_only
def test_a_success_rearms_the_one_time_message(tmp_path: Path) -> None:
    flag = tmp_path / "ok"
    prog = script(tmp_path / "flaky.sh", f'#!/bin/sh\n[ -e "{flag}" ] && exit 0\nexit 1\n')
    notifier = Notifier([str(prog)])
    notifier.send("t", "1")
    assert notifier.join(timeout=20)
    assert len(notifier.failures()) == 1
    flag.touch()
    notifier.send("t", "2")
    assert notifier.join(timeout=20)
    flag.unlink()
    notifier.send("t", "3")
    assert notifier.join(timeout=20)
    assert len(notifier.failures()) == 1  # reported again after the success in between


@posix_only
def test_a_full_queue_drops_and_says_so_once(tmp_path: Path) -> None:
    hang = script(tmp_path / "slow.sh", "#!/bin/sh\nsleep 60\n")
    notifier = Notifier([str(hang)], timeout=0.3, max_queue=2)
    for i in range(6):
        notifier.send("t", str(i))
    # The thread may already have taken the first one off the queue: 3 or 4 dropped.
    assert notifier.stats.dropped in (3, 4)
    assert notifier.failures()[0].endswith("further alerts are dropped")
    assert notifier.join(timeout=30)


def test_quiet_hours_wrap_midnight_in_their_zone() -> None:
    quiet = parse_quiet_hours("22:00-07:00", "Europe/Paris")
    paris = ZoneInfo("Europe/Paris")
    assert quiet.contains(datetime(2026, 7, 1, 22, 0, tzinfo=paris))
    assert quiet.contains(datetime(2026, 7, 1, 23, 59, tzinfo=paris))
    assert quiet.contains(datetime(2026, 7, 2, 6, 59, tzinfo=paris))
    assert not quiet.contains(datetime(2026, 7, 2, 7, 0, tzinfo=paris))
    assert not quiet.contains(datetime(2026, 7, 2, 12, 0, tzinfo=paris))
    # 21:30 UTC is 23:30 in Paris in summer (UTC+2): quiet; 04:30 UTC is 06:30: quiet;
    # 05:30 UTC is 07:30: not quiet.
    assert quiet.contains(datetime(2026, 7, 1, 21, 30, tzinfo=UTC))
    assert quiet.contains(datetime(2026, 7, 2, 4, 30, tzinfo=UTC))
    assert not quiet.contains(datetime(2026, 7, 2, 5, 30, tzinfo=UTC))
    day = parse_quiet_hours("12:00-13:30", "America/New_York")
    ny = ZoneInfo("America/New_York")
    assert day.contains(datetime(2026, 1, 5, 13, 29, tzinfo=ny))
    assert not day.contains(datetime(2026, 1, 5, 13, 30, tzinfo=ny))
    assert not day.contains(datetime(2026, 1, 5, 11, 59, tzinfo=ny))
    assert day.label() == "12:00-13:30 America/New_York"


@pytest.mark.parametrize("text", ["22-07", "25:00-07:00", "22:00-22:00", "", "22:00 07:00"])
def test_bad_quiet_hours_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quiet_hours(text)


def test_settings_from_a_good_table() -> None:
    settings, problems = parse_notify_settings(
        {
            "notify": True,  # not ours: left to the config loader
            "notify_command": ["notify-send", "--app-name=rotmon"],
            "notify_timeout": "2.5s",
            "quiet_hours": "22:00-07:00",
            "quiet_zone": "Europe/Paris",
            "kinds": ["rule_flips", "catalysts"],
            "symbols": ["xlk", " IWM "],
        }
    )
    assert problems == []
    assert settings.command == ("notify-send", "--app-name=rotmon")
    assert settings.timeout == 2.5
    assert settings.quiet_hours is not None and settings.quiet_hours.label() == (
        "22:00-07:00 Europe/Paris"
    )
    assert settings.kinds == {"rule_flips", "catalysts"}
    assert settings.symbols == {"XLK", "IWM"}


def test_defaults_when_nothing_is_set() -> None:
    settings, problems = parse_notify_settings({})
    assert problems == [] and settings == NotifySettings()
    assert settings.command == () and settings.timeout == 10.0
    assert settings.kinds == set(ALERT_KINDS) and settings.symbols is None


def test_every_bad_value_is_one_problem_with_its_key() -> None:
    settings, problems = parse_notify_settings(
        {
            "notify_command": "notify-send -u critical",
            "notify_timeout": 0,
            "quiet_hours": "late",
            "kinds": ["rule_flips", "everything", 3],
            "symbols": ["XLK", "X Y"],
        }
    )
    keys = [".".join(parts) for parts, _ in problems]
    assert keys == [
        "alerts.notify_command",
        "alerts.notify_timeout",
        "alerts.quiet_hours",
        "alerts.kinds",
        "alerts.kinds",
        "alerts.symbols",
    ]
    assert "not split or given to a shell" in problems[0][1]
    assert problems[1][1] == "0 must be more than 0 and at most 300 seconds; using 10 s"
    assert problems[3][1] == (
        "'everything' is not one of rule_flips, catalysts, quadrants, rs_extremes; ignored"
    )
    assert "an integer is not one of" in problems[4][1]
    # The bad values fell back; the good parts were kept.
    assert settings.command == () and settings.timeout == 10.0 and settings.quiet_hours is None
    assert settings.kinds == {"rule_flips"} and settings.symbols == {"XLK"}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [([], "non-empty array"), (["notify-send", 3], "every element"), ([" "], "empty")],
)
def test_bad_commands(value: object, fragment: str) -> None:
    settings, problems = parse_notify_settings({"notify_command": value})
    assert settings.command == ()
    assert len(problems) == 1 and fragment in problems[0][1]


def test_a_bad_zone_turns_quiet_hours_off_with_one_problem() -> None:
    settings, problems = parse_notify_settings(
        {"quiet_hours": "22:00-07:00", "quiet_zone": "Mars/Olympus"}
    )
    assert settings.quiet_hours is None
    assert problems == [
        (("alerts", "quiet_zone"), "'Mars/Olympus' is not a time zone; quiet hours are off")
    ]


def alert(alert_id: str, kind: str = "rule_flips", symbol: str | None = None) -> Alert:
    return Alert(alert_id, kind, f"title {alert_id}", f"text {alert_id}", symbol)


NOON = datetime(2026, 7, 31, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
NIGHT = datetime(2026, 7, 31, 23, 0, tzinfo=ZoneInfo("Europe/Paris"))


def test_due_alerts_filter_kinds_symbols_memory_and_duplicates() -> None:
    settings = NotifySettings(
        kinds=frozenset({"rule_flips", "quadrants"}), symbols=frozenset({"XLK"})
    )
    memory = AlertMemory({"old": "2026-07-30"})
    items = [
        alert("old"),
        alert("flip"),
        alert("flip"),
        alert("cat", "catalysts"),
        alert("q-xlk", "quadrants", "XLK"),
        alert("q-xle", "quadrants", "XLE"),
    ]
    assert [a.id for a in due_alerts(items, settings, memory, NOON)] == ["flip", "q-xlk"]


def test_dispatch_sends_once_even_after_a_restart(recorder) -> None:
    argv, out = recorder
    settings = NotifySettings(command=tuple(argv))
    memory = AlertMemory()
    notifier = Notifier(argv)
    items = [alert("a"), alert("b", "catalysts")]
    sent = dispatch(items, settings, notifier, memory, NOON)
    assert [a.id for a in sent] == ["a", "b"]
    stored = memory.to_json()
    # A restart: a new memory from what the cache kept, a new notifier; nothing goes again.
    again = AlertMemory.from_json(stored)
    assert dispatch(items, settings, Notifier(argv), again, NOON) == []
    assert notifier.join(timeout=20)
    assert recorded(out) == [["title a", "text a"], ["title b", "text b"]]


def test_quiet_hours_hold_alerts_without_marking_them() -> None:
    settings = NotifySettings(quiet_hours=parse_quiet_hours("22:00-07:00", "Europe/Paris"))
    memory = AlertMemory()
    assert dispatch([alert("a")], settings, None, memory, NIGHT) == []
    assert "a" not in memory
    assert [a.id for a in dispatch([alert("a")], settings, None, memory, NOON)] == ["a"]
    assert "a" in memory


def test_memory_json_round_trip_prune_and_damage() -> None:
    memory = AlertMemory()
    memory.mark("x", datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    memory.mark("x", datetime(2026, 7, 1, 9, 0, tzinfo=UTC))  # first date kept
    memory.mark("y", datetime(2026, 7, 30, 9, 0, tzinfo=UTC))
    assert json.loads(memory.to_json()) == {
        "version": 1,
        "sent": {"x": "2026-06-01", "y": "2026-07-30"},
    }
    assert memory.prune(datetime(2026, 7, 31, tzinfo=UTC), keep_days=45) == 1
    assert "x" not in memory and "y" in memory
    for text in ("{not json", '{"version": 2, "sent": {}}', "[]", '{"sent": 3, "version": 1}'):
        damaged = AlertMemory.from_json(text)
        assert damaged.damaged and len(damaged) == 0
    assert not AlertMemory.from_json(None).damaged


def test_alert_from_a_digest_item() -> None:
    item = {
        "id": "quadrant|XLK|2026-07-31|Lagging",
        "kind": "quadrant",
        "alert_kind": "quadrants",
        "title": "XLK → Lagging",
        "text": "was Weakening",
        "symbol": "XLK",
    }
    assert Alert.from_dict(item) == Alert(
        "quadrant|XLK|2026-07-31|Lagging", "quadrants", "XLK → Lagging", "was Weakening", "XLK"
    )
