"""Property-based tests of the extract parser: random and mutated files.

Each file is either accepted, with the values that were written (for generated valid files),
or refused with problems in plain words; the parser never raises, and through the upload
service a refused file stores nothing. Examples per test: 60 by default, more with
HYPOTHESIS_PROFILE=long (profiles in tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from measures.ingest import ParseResult, parse_extract
from measures.models import DataPoint, FigureSeries, Upload
from tests.factories import SiteFactory

from .test_ingest import COUNTS, SITE_ALIASES, options

SITES = sorted(set(SITE_ALIASES.values()))
MEASURES = sorted(COUNTS)
FIRST_MONDAY = dt.date(2023, 1, 2)
# Words that only a programmer would understand: a Python exception's name, a traceback, a
# missing value printed as None, a type's repr.
NOT_PLAIN = re.compile(
    r"Traceback|\b\w*(Error|Exception)\b|\bNone\b|\bnan\b|<class |object at 0x|Errno"
)


QUOTED = re.compile(r"'[^']*'")  # what the file itself holds, quoted back to the reader


def assert_plain(result: ParseResult) -> None:
    for problem in result.problems:
        text = str(problem)
        # A cell may hold "nan" or "None" itself (Hypothesis tries such words): only the words
        # of the message around the quoted cells must be plain.
        assert not NOT_PLAIN.search(QUOTED.sub("''", text)), text
        assert problem.reason.strip(), problem


# ---------------------------------------------------------------- generated files

rows = st.lists(
    st.tuples(
        st.sampled_from(SITES),
        st.integers(0, 150),  # weeks after FIRST_MONDAY
        st.sampled_from(MEASURES),
        st.integers(0, 10**9),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda r: (r[0], r[1], r[2]),
)
date_styles = st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d-%b-%Y", "%d %B %Y"])
delimiters = st.sampled_from([",", ";", "\t"])


def tidy_text(records, style: str, delimiter: str) -> str:
    lines = [delimiter.join(["site_code", "week_commencing", "measure", "value"])]
    for site, week, measure, value in records:
        date = (FIRST_MONDAY + dt.timedelta(weeks=week)).strftime(style)
        lines.append(delimiter.join([site, date, measure, str(value)]))
    return "\n".join(lines) + "\n"


def wide_text(records, style: str) -> tuple[str, str, dict[int, dict[str, int]]]:
    """One site: a week column and a column per measure."""
    site = records[0][0]
    table: dict[int, dict[str, int]] = {}
    for _site, week, measure, value in records:
        table.setdefault(week, {})[measure] = value
    measures = sorted({m for row in table.values() for m in row})
    lines = [",".join(["site_code", "week_commencing", *measures])]
    for week in sorted(table):
        date = (FIRST_MONDAY + dt.timedelta(weeks=week)).strftime(style)
        cells = [str(table[week].get(m, "")) for m in measures]
        lines.append(",".join([site, date, *cells]))
    return "\n".join(lines) + "\n", site, table


def observed(result: ParseResult) -> dict[tuple[str, dt.date, str], float]:
    obs = result.observations
    return {
        (s, pd.Timestamp(p).date(), m): v
        for s, p, m, v in zip(obs.site, obs.period, obs.measure, obs.value, strict=True)
    }


@given(records=rows, style=date_styles, delimiter=delimiters)
def test_valid_tidy_csv_is_read_with_the_values_written(records, style, delimiter):
    result = parse_extract(tidy_text(records, style, delimiter).encode(), "t.csv", options())
    assert result.ok, [str(p) for p in result.problems]
    expected = {(s, FIRST_MONDAY + dt.timedelta(weeks=w), m): float(v) for s, w, m, v in records}
    assert observed(result) == expected


@given(records=rows, style=date_styles)
def test_valid_wide_csv_is_read_with_the_values_written(records, style):
    text, site, table = wide_text(records, style)
    result = parse_extract(text.encode(), "w.csv", options())
    assert result.ok, [str(p) for p in result.problems]
    expected = {
        (site, FIRST_MONDAY + dt.timedelta(weeks=w), m): float(v)
        for w, row in table.items()
        for m, v in row.items()
    }
    assert observed(result) == expected


# ---------------------------------------------------------------- random and mutated files

ODD = [
    "",
    ",",
    ";",
    "\t",
    '"',
    '""',
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "\ufeff",
    "1e308",
    "-1e308",
    "1e999",
    "nan",
    "inf",
    "-0",
    "9" * 40,
    "0x1F",
    "1,234",
    "=1+1",
    "31/02/2025",
    "00/00/0000",
    "29/02/2023",
    "9999-99-99",
    "1900-01-00",
    "13/13/13",
    "week 53",
    "Σ",
    "\u202e",
    "😀",
    "\udcff",
    "NULL",
    "None",
    "#N/A",
    " ",
    "\u00a0",
]


@st.composite
def mutated(draw) -> bytes:
    records = draw(rows)
    text = tidy_text(records, draw(date_styles), draw(delimiters))
    for _ in range(draw(st.integers(1, 6))):
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["flip", "delete", "duplicate", "insert", "odd", "cut"]))
        if action == "flip":
            text = text[:at] + draw(st.characters()) + text[at + 1 :]
        elif action == "delete":
            text = text[:at] + text[at + 1 :]
        elif action == "duplicate":
            text = text[:at] + text[at] * draw(st.integers(2, 50)) + text[at + 1 :]
        elif action == "insert":
            text = text[:at] + draw(st.text(max_size=20)) + text[at:]
        elif action == "odd":
            text = text[:at] + draw(st.sampled_from(ODD)) + text[at:]
        else:
            text = text[:at]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


@example(data="week,²,³\n2026-01-05,1,2\n".encode())  # digits to str.isdigit, not to float()
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_accepted_or_refused_in_words(data):
    result = parse_extract(data, "random.csv", options())
    assert_plain(result)
    assert result.ok or result.problems or result.unmapped


@example(
    data=b"site_code,week_commencing,measure,value\nnan:BK,2025-05-26,closures,3\n", name="m.csv"
)  # a cell reading "nan" is quoted back, not mistaken for pandas' NaN
@given(data=mutated(), name=st.sampled_from(["m.csv", "m.txt", "m.xlsx", "m.xls", "m"]))
def test_mutated_csv_is_accepted_or_refused_in_words(data, name):
    result = parse_extract(data, name, options())
    assert_plain(result)
    # Accepted, refused, or waiting for labels to be mapped to sites or measures
    assert result.ok or result.problems or result.unmapped
    if result.ok:
        assert result.observations["value"].notna().all()


# ---------------------------------------------------------------- through the upload service


@pytest.fixture
def sites(world):
    return [SiteFactory(programme=world.programme, code=code) for code in SITES]


@pytest.mark.django_db
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    max_examples=max(25, settings().max_examples // 4),
)
@given(data=mutated())
def test_mutated_upload_is_stored_whole_or_not_at_all(world, sites, send, data):
    FigureSeries.objects.all().delete()
    Upload.objects.all().delete()
    upload = send(world.lead, sites[0], data, "m.csv")
    assert upload.status in Upload.FINISHED, upload.status
    for problem in upload.problems:
        assert not NOT_PLAIN.search(problem["reason"]), problem
    stored = DataPoint.objects.count()
    if upload.status == Upload.Status.DONE:
        assert stored == sum(s["values"] for s in upload.report["read"]["per_site"])
    else:
        assert stored == 0
