"""The events file: TOML and CSV, bad entries reported at their lines, DST-correct times."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tui.regime.catalysts import Catalyst, catalyst_to_dict, when_text
from tui.regime.events import EXAMPLE_PATH, EventProblem, default_events_path, load_events

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def where(problems: list[EventProblem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.key) for p in problems]


# --- TOML ---------------------------------------------------------------------------------------

GOOD_AND_BAD_TOML = """
# macro releases
[[event]]
date = 2026-12-10
time = "08:30"
tz = "America/New_York"
name = "CPI (Nov)"
importance = "high"

[[event]]
date = 2026-12-04
time = "8:30"
name = "Jobs report (Nov)"
importance = "High"

[[event]]
date = "2026-13-01"
time = "08:30"
name = "bad date"

[[event]]
date = 2026-12-15
time = "25:00"
name = "bad time"

[[event]]
date = 2026-12-16
time = "10:00"
tz = "America/NewYork"
name = "unknown zone"

[[event]]
date = 2026-12-17
time = "10:00"
importance = "high"

[[event]]
date = 2026-12-18
time = "10:00"
name = "bad importance"
importance = "urgent"

[[event]]
date = 2026-12-23
name = "GDP (Q3, third)"
importance = "low"
detail = "BEA"
"""


def test_toml_good_entries_load_and_bad_ones_are_reported_at_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "events.toml", GOOD_AND_BAD_TOML)
    events, problems = load_events(path)

    assert [e.name for e in events] == ["Jobs report (Nov)", "CPI (Nov)", "GDP (Q3, third)"]
    assert where(problems) == [
        (16, "date"),  # date = "2026-13-01"
        (22, "time"),  # time = "25:00"
        (28, "tz"),  # tz = "America/NewYork"
        (31, "name"),  # the [[event]] without a name: its header line
        (40, "importance"),  # importance = "urgent"
    ]
    assert all(p.message.endswith("; event skipped") for p in problems)
    assert str(problems[0]) == (
        "events.toml:16: date: '2026-13-01' is not a date; use YYYY-MM-DD, e.g. 2026-12-10; "
        "event skipped"
    )
    assert str(problems[1]).startswith("events.toml:22: time: '25:00' is not a time")
    assert "unknown time zone 'America/NewYork'" in str(problems[2])
    assert str(problems[3]) == "events.toml:31: name: missing name; event skipped"
    assert "'urgent' is not high, medium or low" in str(problems[4])


def test_toml_fields_and_defaults(tmp_path: Path) -> None:
    events, _ = load_events(write(tmp_path, "events.toml", GOOD_AND_BAD_TOML))
    jobs, cpi, gdp = events
    assert cpi == Catalyst(
        "macro", "CPI (Nov)", datetime(2026, 12, 10, 8, 30, tzinfo=NEW_YORK), "high"
    )
    # "8:30" and "High" are accepted; tz defaults to New York
    assert jobs.at == datetime(2026, 12, 4, 8, 30, tzinfo=NEW_YORK)
    assert jobs.importance == "high" and jobs.time_known
    # no time: a date-only event at 00:00 in its zone
    assert (gdp.time_known, gdp.at, gdp.detail, gdp.importance) == (
        False,
        datetime(2026, 12, 23, 0, 0, tzinfo=NEW_YORK),
        "BEA",
        "low",
    )
    assert cpi.symbol is None and cpi.kind == "macro"


def test_toml_syntax_error_is_one_problem_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.toml",
        """
        [[event]]
        date = 2026-12-10
        time = "08:30
        name = "CPI (Nov)"
        """,
    )
    events, problems = load_events(path)
    assert events == []
    assert len(problems) == 1
    assert problems[0].line == 3
    assert problems[0].message.startswith("invalid TOML: ")
    assert problems[0].message.endswith("; no events loaded")


def test_toml_unknown_keys_are_reported_and_the_event_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.toml",
        """
        title = "my events"

        [[event]]
        date = 2026-12-10
        time = 08:30:00
        name = "CPI (Nov)"
        importnce = "high"
        """,
    )
    events, problems = load_events(path)
    assert [(e.name, e.importance, e.at.hour, e.at.minute) for e in events] == [
        ("CPI (Nov)", "medium", 8, 30)  # a TOML local time works; the typo'd key is ignored
    ]
    assert where(problems) == [(1, "title"), (7, "importnce")]
    assert problems[1].message.startswith("unknown key (known: date, time, tz, name,")


def test_toml_type_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.toml",
        """
        [[event]]
        date = 2026-12-10T08:30:00-05:00
        name = "offset date-time"

        [[event]]
        date = 2026-12-11
        time = 830
        name = 42
        """,
    )
    events, problems = load_events(path)
    assert events == []
    assert where(problems) == [(2, "date"), (8, "name"), (7, "time")]
    assert "expected a date such as 2026-12-10, got a date-time" in problems[0].message
    assert "expected a string, got an integer (42)" in problems[1].message
    assert "an integer (830) is not a time" in problems[2].message


def test_inline_event_array_falls_back_to_the_key_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.toml",
        """
        # inline form
        event = [
          { date = 2026-12-10, time = "08:30", name = "CPI (Nov)" },
          { date = 2026-12-11, time = "8h30", name = "PPI" },
        ]
        """,
    )
    events, problems = load_events(path)
    assert [e.name for e in events] == ["CPI (Nov)"]
    assert where(problems) == [(2, "time")]


def test_event_must_be_tables(tmp_path: Path) -> None:
    events, problems = load_events(write(tmp_path, "events.toml", 'event = "CPI"\n'))
    assert events == [] and where(problems) == [(1, "event")]


# --- time zones and DST ---------------------------------------------------------------------------


def test_event_times_follow_each_zones_dst(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.toml",
        """
        [[event]]
        date = 2026-03-06
        time = "08:30"
        name = "NY before the switch"

        [[event]]
        date = 2026-03-10
        time = "08:30"
        name = "NY after the switch"

        [[event]]
        date = 2026-03-27
        time = "09:30"
        tz = "Europe/London"
        name = "London before the switch"

        [[event]]
        date = 2026-03-30
        time = "09:30"
        tz = "Europe/London"
        name = "London after the switch"

        [[event]]
        date = 2026-11-06
        time = "08:30"
        name = "NY back on EST"
        """,
    )
    events, problems = load_events(path)
    assert problems == []
    utc = {e.name: e.at.astimezone(UTC).replace(tzinfo=None) for e in events}
    assert utc == {
        "NY before the switch": datetime(2026, 3, 6, 13, 30),  # EST, UTC-5
        "NY after the switch": datetime(2026, 3, 10, 12, 30),  # EDT since 03-08, UTC-4
        "London before the switch": datetime(2026, 3, 27, 9, 30),  # GMT
        "London after the switch": datetime(2026, 3, 30, 8, 30),  # BST since 03-29
        "NY back on EST": datetime(2026, 11, 6, 13, 30),
    }
    after = next(e for e in events if e.name == "NY after the switch")
    assert when_text(after, LONDON) == "Tue 2026-03-10 08:30 ET · 12:30 GMT"
    london = next(e for e in events if e.name == "London after the switch")
    assert when_text(london, LONDON) == "Mon 2026-03-30 04:30 ET · 09:30 BST"
    assert catalyst_to_dict(london, datetime(2026, 3, 1, tzinfo=UTC))["datetime"] == (
        "2026-03-30T04:30:00-04:00"
    )


def test_a_time_skipped_by_dst_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.toml",
        """
        [[event]]
        date = 2026-03-08
        time = "02:30"
        name = "does not exist in New York"
        """,
    )
    events, problems = load_events(path)
    assert events == []
    assert where(problems) == [(3, "time")]
    assert "02:30 does not exist on 2026-03-08 in America/New_York" in problems[0].message


def test_fixed_offset_lookalikes_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.toml",
        """
        [[event]]
        date = 2026-07-10
        time = "08:30"
        tz = "EST"
        name = "summer CPI in EST"
        """,
    )
    events, problems = load_events(path)
    assert events == []
    assert where(problems) == [(4, "tz")]
    assert "use America/New_York" in problems[0].message


# --- CSV ----------------------------------------------------------------------------------------

GOOD_AND_BAD_CSV = """
# macro releases, one per line
date,time,tz,name,importance
2026-12-10,08:30,America/New_York,CPI (Nov),high
2026-12-04,08:30,,Jobs report (Nov),high

2026-12-15,8.30,America/New_York,PPI (Nov),medium
2026-12-16,10:00,Mars/Olympus,Bad zone,low
2026-12-17,10:00,America/New_York,,high
2026-12-18,10:00,America/New_York,Bad importance,critical
12/19/2026,10:00,America/New_York,US date,high
2026-12-23,,Europe/London,"Retail sales, UK",low
2026-12-24,08:30,America/New_York,too,many,fields
"""


def test_csv_good_lines_load_and_bad_lines_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "events.csv", GOOD_AND_BAD_CSV)
    events, problems = load_events(path)
    assert [e.name for e in events] == ["Jobs report (Nov)", "CPI (Nov)", "Retail sales, UK"]
    assert where(problems) == [
        (6, "time"),
        (7, "tz"),
        (8, "name"),
        (9, "importance"),
        (10, "date"),
        (12, None),
    ]
    assert str(problems[0]).startswith("events.csv:6: time: '8.30' is not a time")
    assert str(problems[5]) == "events.csv:12: 6 fields, expected at most 5; event skipped"
    uk = events[2]
    assert (uk.at, uk.time_known, uk.importance) == (
        datetime(2026, 12, 23, 0, 0, tzinfo=LONDON),
        False,
        "low",
    )
    assert events[0].at == datetime(2026, 12, 4, 8, 30, tzinfo=NEW_YORK)


def test_csv_header_order_is_free_and_quoted_newlines_keep_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.csv",
        """
        name,date,time,importance,detail,source
        "CPI (Nov)",2026-12-10,08:30,high,"two
        lines",bls
        Broken,2026-12-11,99:00,high,,
        "Also broken",2026-12-12,08:30,urgent,"a note
        on two lines",
        """,
    )
    events, problems = load_events(path)
    assert [(e.name, e.detail) for e in events] == [("CPI (Nov)", "two\nlines")]
    # a row is reported at its first line, even when a quoted field runs over several
    assert where(problems) == [(1, "source"), (4, "time"), (5, "importance")]
    assert problems[0].message.startswith("unknown column")


def test_csv_without_header_uses_the_default_column_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.csv",
        """
        2026-12-10,08:30,America/New_York,CPI (Nov),high
        2026-12-11,08:30
        """,
    )
    events, problems = load_events(path)
    assert [e.name for e in events] == ["CPI (Nov)"]
    assert where(problems) == [(2, "name")]


# --- files ----------------------------------------------------------------------------------------


def test_missing_file_is_not_an_error(tmp_path: Path) -> None:
    assert load_events(tmp_path / "events.toml") == ([], [])
    assert load_events(tmp_path / "events.csv") == ([], [])


def test_unsupported_and_unreadable_files(tmp_path: Path) -> None:
    events, problems = load_events(write(tmp_path, "events.json", "{}"))
    assert events == [] and "unsupported file type '.json'" in problems[0].message
    bad = tmp_path / "events.toml"
    bad.write_bytes(b'[[event]]\nname = "caf\xe9"\n')
    events, problems = load_events(bad)
    assert events == [] and where(problems) == [(2, None)]
    assert problems[0].message.startswith("not UTF-8 text")
    directory = tmp_path / "dir.toml"
    directory.mkdir()
    events, problems = load_events(directory)
    # A directory is never opened for reading (nor a FIFO: tests/test_textfile.py).
    assert events == [] and problems[0].message.startswith("is a directory, not a regular file")


def test_default_path_is_in_the_config_dir(tmp_path: Path) -> None:
    """conftest points ROTMON_CONFIG_DIR at tmp_path / "config"."""
    config = tmp_path / "config"
    assert default_events_path() == config / "events.toml"
    config.mkdir()
    (config / "events.csv").write_text("date,name\n2026-12-10,CPI\n", encoding="utf-8")
    assert default_events_path() == config / "events.csv"
    events, problems = load_events()
    assert [e.name for e in events] == ["CPI"] and problems == []
    (config / "events.toml").write_text("", encoding="utf-8")
    assert default_events_path() == config / "events.toml"
    assert load_events() == ([], [])


def test_the_shipped_example_loads_cleanly() -> None:
    events, problems = load_events(EXAMPLE_PATH)
    assert problems == []
    assert len(events) == 12
    for e in events:
        local = e.at.astimezone(NEW_YORK)
        assert (local.hour, local.minute) == (8, 30) and e.time_known
        assert local.weekday() < 5  # BLS releases on weekdays
    jobs = [e.at.date() for e in events if e.name.startswith("Jobs report")]
    assert jobs == [date(2026, 9, 4), date(2026, 10, 2), date(2026, 11, 6), date(2026, 12, 4)]
    assert all(d.weekday() == 4 for d in jobs)  # the jobs report comes out on Fridays
    cpi = next(e for e in events if e.name == "CPI (Nov)")
    assert cpi.at.astimezone(UTC) == datetime(2026, 12, 10, 13, 30, tzinfo=UTC)  # EST


@pytest.mark.parametrize("suffix", [".toml", ".csv"])
def test_problems_never_raise_on_garbage(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"events{suffix}"
    path.write_text('[[event]\n"\x00,,,\n= = =\n', encoding="utf-8")
    events, problems = load_events(path)
    assert events == [] and problems
