"""Property-based tests (hypothesis) for the analytics and the CSV import.

Analytics: returns of a constant series are 0; RS of a symbol against itself is 0 for every
defined window; a window longer than the history is None; the distance from the 52-week high
is never above 0; cutting at ``as_of`` equals computing on the truncated frame. CSV import: any
garbage line is rejected with its own line number or accepted as a valid row, never a
traceback; a file of valid rows round-trips through the cache exactly. User text: plain() leaves
no control character and Rich shows it verbatim.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tui.analytics.relative import rs_returns, rs_trend
from tui.analytics.returns import HIGH_WINDOW, PERIODS, WINDOWS, from_high, period_returns
from tui.analytics.table import build_table, row_to_dict
from tui.data.cache import Cache
from tui.data.csvimport import import_csv, latest_allowed, parse_price_csv

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------------------- series


@st.composite
def histories(draw: st.DrawFn, max_rows: int = 400, holes: bool = True) -> pd.Series:
    """A positive daily close series on business days, possibly with NaN holes."""
    n = draw(st.integers(0, max_rows))
    start = draw(st.dates(date(2000, 1, 1), date(2030, 1, 1)))
    index = pd.bdate_range(start, periods=n, name="date")
    steps = draw(
        st.lists(st.floats(-0.2, 0.2, allow_nan=False), min_size=n, max_size=n)
        if n <= 60
        else st.just(
            list(np.random.default_rng(draw(st.integers(0, 2**32 - 1))).normal(0, 0.02, n))
        )
    )
    level = draw(st.floats(0.5, 5000.0))
    values = level * np.exp(np.cumsum(np.asarray(steps, dtype="float64")))
    if holes and n:
        mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        values = np.where(np.asarray(mask) & (np.arange(n) % 3 == 0), np.nan, values)
    return pd.Series(values, index=index, dtype="float64")


def defined_rows(s: pd.Series) -> int:
    return int(s.notna().sum())


def has_previous_year_close(s: pd.Series) -> bool:
    s = s.dropna()
    if s.empty:
        return False
    year = s.index[-1].year
    return bool((s.index.year == year - 1).any())


@SETTINGS
@given(
    n=st.integers(0, 300),
    value=st.floats(1e-4, 1e7),
    start=st.dates(date(2000, 1, 1), date(2030, 1, 1)),
)
def test_returns_of_a_constant_series_are_zero(n: int, value: float, start: date) -> None:
    s = pd.Series(value, index=pd.bdate_range(start, periods=n), dtype="float64")
    returns = period_returns(s)
    for period, n_rows in WINDOWS.items():
        assert returns[period] == (0.0 if n >= n_rows + 1 else None), period
    assert returns["YTD"] == (0.0 if has_previous_year_close(s) else None)
    assert from_high(s) == (0.0 if n >= HIGH_WINDOW else None)
    (row,) = build_table(pd.DataFrame({"C": s}), ["C"], "C")
    assert row.ret == returns
    assert row.from_high == from_high(s)


@SETTINGS
@given(histories())
def test_windows_longer_than_the_history_are_none_and_the_rest_are_exact(s: pd.Series) -> None:
    returns = period_returns(s)
    values = s.dropna().to_numpy()
    for period, n in WINDOWS.items():
        if len(values) < n + 1:
            assert returns[period] is None, period
        else:
            assert math.isclose(returns[period], values[-1] / values[-1 - n] - 1, abs_tol=1e-12)
    assert (returns["YTD"] is None) == (not has_previous_year_close(s))
    assert set(returns) == set(PERIODS)


@SETTINGS
@given(histories())
def test_rs_of_a_symbol_against_itself_is_zero_wherever_defined(s: pd.Series) -> None:
    n_rows = defined_rows(s)
    rs = rs_returns(s, s)
    for period, n in WINDOWS.items():
        assert rs[period] == (0.0 if n_rows >= n + 1 else None), period
    assert rs["YTD"] in ((0.0,) if has_previous_year_close(s) else (None,))
    closes = pd.DataFrame({"A": s, "B": s.copy()})
    for row in build_table(closes, ["A", "B"], "A"):
        assert row.rs == rs
        trend = row.rs_trend
        if n_rows >= 60:
            assert (trend.state, trend.ratio, trend.vs_sma, trend.slope) == ("mixed", 1, 0, 0)
        else:
            assert trend.state == "n/a" and trend == rs_trend(s / s)


@SETTINGS
@given(histories(max_rows=600))
def test_distance_from_the_high_is_never_above_zero(s: pd.Series) -> None:
    value = from_high(s)
    values = s.dropna().to_numpy()
    if len(values) < HIGH_WINDOW:
        assert value is None
        return
    assert value is not None and value <= 0.0
    assert (value == 0.0) == (values[-1] >= values[-HIGH_WINDOW:].max())


def rows_equal(a: list, b: list) -> bool:
    def clean(x: object) -> object:
        if isinstance(x, float) and math.isnan(x):
            return "nan"
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    return clean([(row_to_dict(r), r.spark) for r in a]) == clean(
        [(row_to_dict(r), r.spark) for r in b]
    )


@SETTINGS
@given(
    st.lists(histories(max_rows=320), min_size=2, max_size=3),
    st.integers(0, 10_000),
    st.booleans(),
)
def test_as_of_equals_computing_on_the_truncated_frame(
    series: list[pd.Series], cut: int, shuffle: bool
) -> None:
    closes = pd.concat({f"S{i}": s for i, s in enumerate(series)}, axis=1, sort=True)
    assume(len(closes.index) > 0)
    as_of_ts = closes.index[cut % len(closes.index)] + pd.Timedelta(days=cut % 3)
    as_of = as_of_ts.strftime("%Y-%m-%d")
    symbols = list(closes.columns)
    shown = closes.sample(frac=1.0, random_state=cut) if shuffle else closes  # any row order
    got = build_table(shown, symbols, "S0", as_of=as_of)
    truncated = closes.loc[closes.index <= as_of_ts.normalize()]
    want = build_table(truncated, symbols, "S0")
    assert rows_equal(got, want)
    for row in got:
        assert row.last_date is None or row.last_date <= as_of


# ---------------------------------------------------------------------------- CSV import

HEADER = "date,symbol,open,high,low,close,adj_close,volume"
VALID = "2024-01-02,SPY,470,473,468,472.5,472.5,1000000"
SYMBOL_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,14}$")


def check_parse(data: bytes, garbage_lines: set[int], valid_lines: set[int]) -> None:
    """Parse ``data``: no exception; every error is on a garbage line (or the whole file,
    0, for a NUL byte), one line each; valid lines are accepted (unless garbage before them
    happened to be the same symbol and day); accepted rows are sane; importing writes them."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prices.csv"
        path.write_bytes(data)
        result = parse_price_csv(path)
        if b"\x00" in data[:8192]:
            assert [n for n, _ in result.errors] == [0] and result.rows == []
            return
        lines = [n for n, _ in result.errors]
        assert len(lines) == len(set(lines)), result.errors  # one message per line
        assert all(msg and "\n" not in msg for _, msg in result.errors)
        duplicated = 0
        for n, msg in result.errors:
            if n in valid_lines:  # only as a repeat of an earlier garbage line
                match = re.match(r"duplicate of line (\d+) ", msg)
                assert match and int(match.group(1)) in garbage_lines, (n, msg)
                duplicated += 1
            else:
                assert n in garbage_lines, (n, msg, garbage_lines)
        accepted = len(result.rows)
        assert len(valid_lines) - duplicated <= accepted <= len(valid_lines) + len(garbage_lines)
        for row in result.rows:
            symbol, day, *numbers = row
            assert SYMBOL_RE.match(symbol) and date.fromisoformat(day).isoformat() == day
            assert all(v is None or math.isfinite(v) for v in numbers)
            assert numbers[4] is not None  # adj_close, or close in its place
            assert date(1900, 1, 1) <= date.fromisoformat(day) <= latest_allowed()
            assert all(v is None or abs(v) <= 1e9 for v in numbers[:5])
            assert numbers[1] is None or numbers[2] is None or numbers[1] >= numbers[2]
            if not symbol.startswith("^"):
                assert all(v is None or v > 0 for v in numbers[:5])
        if accepted > len(valid_lines) - duplicated:  # garbage passed as a row: it must store
            with Cache(Path(tmp) / "rotmon.sqlite") as cache:
                imported = import_csv(cache, path)
                assert imported.written == len(result.rows)
                assert sum(i.rows for i in cache.symbol_info().values()) == len(result.rows)


garbage_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=120
)
garbage_csvish = st.lists(
    st.one_of(
        st.sampled_from(
            ["", " ", "SPY", "^TNX", "2024-02-30", "2024-01-02", "nan", "-1", "1e999", '"', "0"]
        ),
        st.text(max_size=8).filter(lambda t: "\n" not in t),
        st.floats().map(repr),
    ),
    min_size=0,
    max_size=10,
).map(",".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(garbage_text, garbage_csvish))
def test_any_garbage_text_line_is_rejected_with_its_line_number_or_valid(line: str) -> None:
    data = f"{HEADER}\n{VALID}\n{line}\n2024-01-03,QQQ,,,,400,,\n".encode()
    check_parse(data, garbage_lines={3}, valid_lines={2, 4})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=60), min_size=1, max_size=4), st.integers(0, 3))
def test_any_garbage_bytes_are_rejected_with_their_line_numbers(
    chunks: list[bytes], where: int
) -> None:
    """Raw bytes (invalid UTF-8, NULs, CRs, further newlines) among valid lines."""
    lines = [VALID.encode(), b"2024-01-03,QQQ,,,,400,,"]
    garbage = b"\n".join(chunks)
    at = where % (len(lines) + 1)
    body = [*lines[:at], garbage, *lines[at:]]
    n_garbage = garbage.count(b"\n") + 1
    first_garbage = 2 + at
    garbage_lines = set(range(first_garbage, first_garbage + n_garbage))
    valid_lines = {2 + i if i < at else 2 + i + n_garbage for i in range(len(lines))}
    data = HEADER.encode() + b"\n" + b"\n".join(body) + b"\n"
    check_parse(data, garbage_lines, valid_lines)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200).filter(lambda b: b"\n" not in b))
def test_a_garbage_header_is_rejected_on_line_one(header: bytes) -> None:
    data = header + b"\n" + VALID.encode() + b"\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_bytes(data)
        result = parse_price_csv(path)
    if not result.errors:  # it happened to be a valid header
        return
    assert {n for n, _ in result.errors} <= {0, 1, 2}
    if any(n == 1 for n, _ in result.errors) or b"\x00" in data:
        assert result.rows == []


symbols = st.one_of(
    st.from_regex(r"[A-Z][A-Z0-9.\-=]{0,6}", fullmatch=True),
    st.from_regex(r"\^[A-Z0-9]{1,5}", fullmatch=True),
)
prices = st.floats(1e-6, 1e9, allow_nan=False, allow_infinity=False)
maybe_price = st.one_of(st.none(), prices)


@st.composite
def price_files(draw: st.DrawFn) -> tuple[list[str], list[tuple]]:
    """Unique (symbol, date) rows and a header naming the columns in some order."""
    keys = draw(
        st.lists(
            st.tuples(symbols, st.dates(date(1990, 1, 1), date(2025, 12, 31))),
            min_size=1,
            max_size=40,
            unique_by=lambda k: (k[0].upper(), k[1]),
        )
    )
    rows = []
    for symbol, day in keys:
        close = draw(maybe_price)
        adj = draw(prices if close is None else maybe_price)
        if symbol.startswith("^") and draw(st.booleans()):  # yields can be 0 or negative
            close = draw(st.floats(-5.0, 5.0, allow_nan=False))
        volume = draw(st.one_of(st.none(), st.floats(0, 1e12, allow_nan=False)))
        high, low = draw(maybe_price), draw(maybe_price)
        if high is not None and low is not None and high < low:  # high < low is refused
            high, low = low, high
        rows.append(
            (symbol, day.isoformat(), draw(maybe_price), high, low, close, adj, volume)
        )  # fmt: skip
    columns = ["date", "symbol", "open", "high", "low", "close", "adj_close", "volume"]
    order = draw(st.permutations(columns))
    return order, rows


def cell(value: object) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(price_files(), st.booleans())
def test_a_file_of_valid_rows_round_trips_through_the_cache(
    spec: tuple[list[str], list[tuple]], crlf: bool
) -> None:
    order, rows = spec
    columns = ["date", "symbol", "open", "high", "low", "close", "adj_close", "volume"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(order)
    for row in rows:
        record = {
            "symbol": row[0].lower() if len(row[0]) % 2 else row[0],  # case does not matter
            "date": row[1],
            **dict(zip(columns[2:], row[2:], strict=True)),
        }
        writer.writerow([cell(record[c]) for c in order])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prices.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        with Cache(Path(tmp) / "rotmon.sqlite") as cache:
            result = import_csv(cache, path)
            assert result.errors == []
            assert result.written == len(rows)
        with contextlib.closing(sqlite3.connect(Path(tmp) / "rotmon.sqlite")) as conn:
            stored = conn.execute("SELECT * FROM prices ORDER BY symbol, date").fetchall()
            sources = {r[0] for r in conn.execute("SELECT source FROM symbols")}
    want = sorted(
        (r[0].upper(), r[1], r[2], r[3], r[4], r[5], r[6] if r[6] is not None else r[5], r[7])
        for r in rows
    )
    assert stored == want
    assert sources == {"csv:prices.csv"}


# ------------------------------------------------------------------------------- user text

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.lists(
            st.sampled_from(
                [
                    "[b]",
                    "[/b]",
                    "[/]",
                    "[$accent]",
                    "\\",
                    "[@click=app.quit]",
                    ":smile:",
                    "\x1b]0;T\x07",
                    "\x1b[2J",
                    "\x9b31m",
                    "\x1b",
                    "\x07",
                    "\u202e",
                    "x",
                    " ",
                ]
            )  # fmt: skip
        ).map("".join),
    )
)
def test_plain_leaves_no_control_character_and_rich_shows_it_verbatim(text: str) -> None:
    """Whatever a user writes in a name: no control character or escape survives, the text
    is printable UTF-8, and Rich prints it exactly (no MarkupError, no markup, no emoji)."""
    from rich.console import Console

    from tui.format import plain, plain_text

    shown = plain(text)
    assert not _UNSAFE.search(shown), repr(shown)
    shown.encode("utf-8")  # printable: no lone surrogate left
    assert plain(shown) == shown  # idempotent
    if text.isprintable():
        assert shown == text  # printable text is never changed
    out = io.StringIO()
    console = Console(file=out, width=10_000, color_system=None, soft_wrap=True)
    console.print(plain_text(text), end="")
    assert out.getvalue() == shown
