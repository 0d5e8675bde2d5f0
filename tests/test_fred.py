"""FRED's target-range CSVs: the parser on both header forms, and refresh_fed_range against a
real cache with only the HTTP call (fred._http_get) replaced by answers in FRED's format."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tui.data import fred
from tui.data.cache import Cache
from tui.data.fred import Change, FredFormatError, changes_of, parse_csv, refresh_fed_range

# FRED's target range, 2025-09-15 .. 2025-12-12, one row per calendar day: cut to 4.00-4.25
# effective 09-18, to 3.75-4.00 on 10-30 and to 3.50-3.75 on 12-11 (the day after each
# decision). 12-12 not published yet (".").
STEPS = [(date(2025, 9, 15), 4.25, 4.50), (date(2025, 9, 18), 4.00, 4.25),
         (date(2025, 10, 30), 3.75, 4.00), (date(2025, 12, 11), 3.50, 3.75)]  # fmt: skip
LAST = date(2025, 12, 11)


def fred_csv(series: str, header: str = "observation_date", last: date = LAST) -> str:
    column = 1 if series == "DFEDTARL" else 2
    lines = [f"{header},{series}"]
    day = STEPS[0][0]
    while day <= last:
        value = [s for s in STEPS if s[0] <= day][-1][column]
        lines.append(f"{day.isoformat()},{value:.2f}")
        day += timedelta(days=1)
    lines.append(f"{(last + timedelta(days=1)).isoformat()},.")
    return "\n".join(lines) + "\n"


def test_parse_current_header() -> None:
    values = parse_csv(fred_csv("DFEDTARU"), "DFEDTARU")
    assert len(values) == 88  # 2025-09-15 .. 2025-12-11 inclusive; 12-12 is "."
    assert values[date(2025, 9, 17)] == 4.50 and values[date(2025, 9, 18)] == 4.25
    assert values[date(2025, 12, 11)] == 3.75
    assert date(2025, 12, 12) not in values


def test_parse_older_date_header_and_bom_and_crlf() -> None:
    text = "\ufeff" + fred_csv("DFEDTARL", header="DATE").replace("\n", "\r\n")
    values = parse_csv(text, "DFEDTARL")
    assert values[date(2025, 10, 29)] == 4.00 and values[date(2025, 10, 30)] == 3.75


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty answer"),
        ("<!DOCTYPE html><html><body>Error</body></html>", "not FRED's CSV"),
        ("observation_date,DGS10\n2025-12-01,4.1\n", "answer is for 'DGS10', not DFEDTARU"),
        ("observation_date,DFEDTARU\n2025-12-01,4.1,9\n", "line 2: expected 2 fields"),
        ("observation_date,DFEDTARU\n2025-12-1x,4.1\n", "line 2: bad date"),
        ("observation_date,DFEDTARU\n2025-12-01,abc\n", "line 2: bad value"),
        ("observation_date,DFEDTARU\n2025-12-01,400\n", "not a plausible rate"),
        ("observation_date,DFEDTARU\n2025-12-02,4\n2025-12-01,4\n", "is not after"),
        ("observation_date,DFEDTARU\n2025-12-01,.\n", "no values"),
    ],
)
def test_bad_answers_are_named(text: str, message: str) -> None:
    with pytest.raises(FredFormatError, match=message):
        parse_csv(text, "DFEDTARU")


def test_changes_worked_by_hand() -> None:
    lower = parse_csv(fred_csv("DFEDTARL"), "DFEDTARL")
    upper = parse_csv(fred_csv("DFEDTARU"), "DFEDTARU")
    assert changes_of(lower, upper) == [Change(d, lo, hi) for d, lo, hi in STEPS]
    with pytest.raises(FredFormatError, match="above upper"):
        changes_of({date(2025, 1, 2): 5.0}, {date(2025, 1, 2): 4.0})


# --------------------------------------------------------------------- refresh and cache


class FakeFred:
    """Answers fred._http_get: ``answers`` maps series -> (status, body) or an exception."""

    def __init__(self, answers: dict[str, tuple[int, str] | BaseException]) -> None:
        self.answers = answers
        self.urls: list[str] = []

    def __call__(self, url: str, timeout: float) -> tuple[int, bytes]:
        self.urls.append(url)
        series = url.rsplit("=", 1)[1]
        answer = self.answers[series]
        if isinstance(answer, BaseException):
            raise answer
        return answer[0], answer[1].encode()


GOOD = {"DFEDTARL": (200, fred_csv("DFEDTARL")), "DFEDTARU": (200, fred_csv("DFEDTARU"))}
NOW = datetime(2025, 12, 12, 15, 0, tzinfo=UTC)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with Cache(tmp_path / "rotmon.sqlite") as c:
        yield c


def use(monkeypatch: pytest.MonkeyPatch, answers: dict) -> FakeFred:
    fake = FakeFred(answers)
    monkeypatch.setattr(fred, "_http_get", fake)
    return fake


def test_fetch_store_and_ask_at_most_daily(cache: Cache, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = use(monkeypatch, GOOD)
    got = refresh_fed_range(cache, NOW)
    assert got.problem is None and got.fetched_now
    assert got.as_tuples() == STEPS
    assert got.through == LAST
    assert got.source == "FRED DFEDTARL/DFEDTARU to 2025-12-11 (fetched 2025-12-12)"
    assert fake.urls == [
        "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DFEDTARL",
        "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DFEDTARU",
    ]
    stored = json.loads(cache.get_meta(fred.META_KEY) or "")
    assert stored["changes"][-1] == ["2025-12-11", 3.5, 3.75]

    again = refresh_fed_range(cache, NOW + timedelta(hours=23))
    assert not again.fetched_now and again.as_tuples() == STEPS and len(fake.urls) == 2
    later = refresh_fed_range(cache, NOW + timedelta(hours=25))
    assert later.fetched_now and len(fake.urls) == 4


@pytest.mark.parametrize(
    ("answers", "problem", "detail"),
    [
        ({"DFEDTARL": (500, ""), "DFEDTARU": GOOD["DFEDTARU"]}, "http", "HTTP 500"),
        (
            {"DFEDTARL": (200, "<html>maintenance</html>"), "DFEDTARU": GOOD["DFEDTARU"]},
            "format",
            "not FRED's CSV",
        ),
        (
            {
                "DFEDTARL": GOOD["DFEDTARL"],
                "DFEDTARU": (200, fred_csv("DFEDTARU")[:-40]),
            },
            "format",
            "expected 2 fields",  # cut off mid-line
        ),
        ({"DFEDTARL": TimeoutError("timed out"), "DFEDTARU": GOOD["DFEDTARU"]}, "timeout", ""),
        (
            {"DFEDTARL": urllib.error.URLError(ConnectionRefusedError(111, "refused"))},
            "offline",
            "",
        ),
    ],
    ids=["500", "html", "truncated", "timeout", "offline"],
)
def test_a_bad_answer_keeps_the_last_good_data(
    cache: Cache, monkeypatch: pytest.MonkeyPatch, answers: dict, problem: str, detail: str
) -> None:
    use(monkeypatch, GOOD)
    refresh_fed_range(cache, NOW)
    before = cache.get_meta(fred.META_KEY)
    fake = use(monkeypatch, answers)
    got = refresh_fed_range(cache, NOW + timedelta(days=2))
    assert got.problem == problem and detail in got.detail and not got.fetched_now
    assert got.as_tuples() == STEPS
    assert got.source == "FRED DFEDTARL/DFEDTARU to 2025-12-11 (fetched 2025-12-12)"
    assert (
        json.loads(cache.get_meta(fred.META_KEY) or "")["changes"]
        == json.loads(before or "")["changes"]
    )
    # a failed attempt is not repeated within the hour, then it is
    refresh_fed_range(cache, NOW + timedelta(days=2, minutes=30))
    asked = len(fake.urls)
    refresh_fed_range(cache, NOW + timedelta(days=2, minutes=61))
    assert len(fake.urls) > asked


def test_nothing_cached_and_offline(cache: Cache) -> None:
    """conftest's dead proxy: the real urllib call fails at once; nothing to fall back on."""
    got = refresh_fed_range(cache, NOW, timeout=2.0)
    assert got.problem == "offline" and got.changes == [] and got.source == ""
    assert got.detail.startswith("FRED: ")
