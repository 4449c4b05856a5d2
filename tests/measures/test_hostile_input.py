"""Hostile but legal files: each refused in words naming the limit and the figure found,
within a minute and 1 GB, and nothing of it stored.

The quick tests set each limit low and send the smallest file past it. The tests marked
`slow` build a file of the size that once held a worker for minutes and read it in a fresh
process, measuring its time and peak memory there (deselect them with -m "not slow").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction

from measures import services
from measures.ingest import ParseOptions, parse_extract
from measures.models import DataPoint, Upload

from . import hostile
from .conftest import tidy

ROOT = Path(__file__).resolve().parents[2]
MINUTE = 60
GIGABYTE_MB = 1024


def parse(data: bytes, name: str, **limits):
    return parse_extract(data, name, ParseOptions(site_aliases={}, measure_aliases={}, **limits))


def only(result, code: str) -> str:
    assert [p.code for p in result.problems] == [code], result.problems
    reason = result.problems[0].reason
    assert "Error" not in reason
    assert "None" not in reason
    return reason


# ---------------------------------------------------------------- quick: limits set low


def test_csv_cell_larger_than_the_limit_is_refused_naming_row_column_and_size():
    reason = only(
        parse(hostile.huge_field_csv(3000), "big.csv", max_field_bytes=1024), "cell_too_large"
    )
    assert reason.startswith("row 3, column C: a cell of 3 KB; the largest cell accepted is 1 KB")


def test_csv_cell_of_40_mb_is_refused_under_the_default_limit_without_a_traceback():
    reason = only(parse(hostile.huge_field_csv(40 * 1024 * 1024), "big.csv"), "cell_too_large")
    assert reason.startswith(
        "row 3, column C: a cell of 40.0 MB; the largest cell accepted is 128 KB"
    )


def test_csv_with_more_columns_than_the_limit_is_refused_naming_both():
    reason = only(parse(hostile.wide_csv(120), "wide.csv", max_columns=100), "too_many_columns")
    assert reason.startswith("the header has 120 columns; at most 100 are read")


def test_csv_columns_are_counted_as_a_spreadsheet_would_with_quoted_commas():
    """Commas inside quotes are one cell, not a column each."""
    text = 'site_code,week_commencing,measure,value,note\nAAA,06/01/2025,x,1,"' + "a," * 200 + '"\n'
    result = parse(text.encode(), "notes.csv", max_columns=100)
    assert "too_many_columns" not in [p.code for p in result.problems]


def test_csv_row_wider_than_the_limit_below_the_header_is_named_by_its_row():
    data = b"a,b,c\n1,2,3\n" + b",".join([b"1"] * 150) + b"\n"
    reason = only(parse(data, "wide.csv", max_columns=100), "too_many_columns")
    assert reason.startswith("row 3 has 150 columns; at most 100 are read")


def test_csv_row_far_below_the_header_wider_than_the_limit_is_refused_when_read():
    """Past the lines where the header is looked for, a wide row is counted by the reader."""
    head = "site_code,week_commencing,measure,value\n"
    body = "EBK,02/01/2023,closures,1\n" * 80
    data = (head + body + ",".join(["1"] * 150) + "\n").encode()
    reason = only(parse(data, "wide.csv", max_columns=100), "too_many_columns")
    assert reason.startswith("row 82 has 150 columns; at most 100 are read")


def test_csv_cell_just_over_the_limit_is_found_wherever_it_lies():
    for size in (1025, 1600, 2047, 5000):
        data = b"a,b\n" + b"1,2\n" * 7 + b"1," + b"y" * size + b"\n3,4\n"
        reason = only(parse(data, "c.csv", max_field_bytes=1024), "cell_too_large")
        assert reason.startswith("row 9, column B: a cell of"), (size, reason)
    ok = b"a,b\n1," + b"y" * 1024 + b"\n" + b"3,4\n" * 2000
    assert "cell_too_large" not in [
        p.code for p in parse(ok, "c.csv", max_field_bytes=1024).problems
    ]


def test_workbook_with_more_cells_than_the_limit_is_refused_before_it_is_parsed():
    reason = only(
        parse(hostile.numbers_workbook(100, 20), "many.xlsx", max_cells=1000), "too_many_cells"
    )
    assert "has at least 2,000 cells; at most 1,000 are read" in reason


def test_workbook_row_wider_than_the_column_limit_is_refused():
    reason = only(
        parse(hostile.numbers_workbook(3, 30), "wide.xlsx", max_columns=20), "too_many_columns"
    )
    assert "row 1 has 30 columns; at most 20 are read" in reason


@pytest.mark.parametrize("make", [hostile.xxe_workbook, hostile.laughs_workbook])
def test_workbook_with_xml_entities_is_refused_in_plain_words(make):
    reason = only(parse(make(), "evil.xlsx"), "unsafe_file")
    assert "DTD or entities" in reason
    assert "most probably" not in reason
    assert "root:" not in reason


def test_real_samples_pass_the_default_limits():
    for name in (
        "long_weekly_all_sites.csv",
        "wide_weekly_northgate.xlsx",
        "monthly_eastbrook.csv",
    ):
        result = parse((ROOT / "tests/fixtures/extracts" / name).read_bytes(), name)
        codes = {p.code for p in result.problems}
        assert not codes & {"cell_too_large", "too_many_columns", "too_many_cells"}, name


def test_million_row_tidy_csv_is_within_the_default_limits():
    rows = [("AAA", "06/01/2025", "referrals_received", 1)] * 1_000_000
    data = tidy(rows).encode()
    result = parse(data, "long.csv")
    codes = {p.code for p in result.problems}
    assert not codes & {"cell_too_large", "too_many_columns", "too_many_cells", "too_many_rows"}


# ---------------------------------------------------------------- through the service


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (hostile.huge_field_csv(3000), "big.csv", "cell_too_large"),
        (hostile.wide_csv(120), "wide.csv", "too_many_columns"),
        (hostile.numbers_workbook(100, 20), "many.xlsx", "too_many_cells"),
        (hostile.xxe_workbook(), "evil.xlsx", "unsafe_file"),
    ],
)
def test_upload_of_a_hostile_file_fails_with_its_reason_and_stores_nothing(
    world, send, settings, content, name, code
):
    settings.UPLOAD_MAX_FIELD_BYTES = 1024
    settings.UPLOAD_MAX_COLUMNS = 100
    settings.UPLOAD_MAX_CELLS = 1000
    upload = send(world.a.info, world.a.site, content, name)
    assert upload.status == Upload.Status.FAILED
    assert [p["code"] for p in upload.problems] == [code]
    assert DataPoint.objects.count() == 0


@pytest.mark.django_db
def test_upload_past_the_time_limit_while_reading_fails_in_words_and_stores_nothing(
    world, send, settings, monkeypatch
):
    settings.UPLOAD_TIME_LIMIT_SECONDS = 60

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "parse_extract", too_slow)
    upload = send(
        world.a.info, world.a.site, tidy([("AAA", "06/01/2025", "referrals_received", 1)])
    )
    assert upload.status == Upload.Status.FAILED
    assert upload.problems[0]["code"] == "too_slow"
    assert "took longer than 60 s to read" in upload.problems[0]["reason"]
    assert DataPoint.objects.count() == 0


@pytest.mark.django_db
def test_upload_past_the_time_limit_while_storing_keeps_nothing(world, send, monkeypatch):
    """The limit lands inside the store's atomic block: it is rolled back, the upload failed."""
    real_store = services._store

    def store_then_stop(**kwargs):
        with transaction.atomic():
            real_store(**kwargs)
            assert DataPoint.objects.exists()
            raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_store", store_then_stop)
    upload = send(
        world.a.info, world.a.site, tidy([("AAA", "06/01/2025", "referrals_received", 1)])
    )
    assert upload.status == Upload.Status.FAILED
    assert upload.problems[0]["code"] == "too_slow"
    assert DataPoint.objects.count() == 0


@pytest.mark.django_db
def test_a_time_limit_landing_after_the_store_committed_leaves_the_upload_done(
    world, send, monkeypatch
):
    """Its figures are stored: failing it would say "nothing was stored" of stored figures."""
    real_store = services._store

    def store_then_stop(**kwargs):
        real_store(**kwargs)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_store", store_then_stop)
    upload = send(
        world.a.info, world.a.site, tidy([("AAA", "06/01/2025", "referrals_received", 1)])
    )
    assert upload.status == Upload.Status.DONE
    assert DataPoint.objects.count() == 1


def test_ingest_task_has_a_soft_time_limit_from_settings():
    from django.conf import settings

    from measures.tasks import ingest_upload

    assert ingest_upload.soft_time_limit == settings.UPLOAD_TIME_LIMIT_SECONDS
    assert ingest_upload.time_limit > ingest_upload.soft_time_limit


# ---------------------------------------------------------------- realistic sizes, measured

MEASURE = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])


def peak_kb():
    # VmHWM starts afresh at exec; ru_maxrss keeps the forking parent's peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


from measures.ingest import ParseOptions, parse_extract
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
result = parse_extract(data, sys.argv[1].rsplit("/", 1)[-1],
                       ParseOptions(site_aliases={}, measure_aliases={}))
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "peak_mb": peak_kb() / 1024,
    "codes": [p.code for p in result.problems],
    "reasons": [p.reason for p in result.problems],
}))
"""


def measured(path: Path) -> dict:
    """parse_extract of the file in a fresh process (a worker's view): time, peak RSS."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(out.stdout)
    print(path.name, round(figures["seconds"], 1), "s", round(figures["peak_mb"]), "MB")
    return figures


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("workbook_470mb", "too_many_cells"),
        ("csv_field_40mb", "cell_too_large"),
        ("csv_million_columns", "too_many_columns"),
        ("xxe", "unsafe_file"),
        ("billion_laughs", "unsafe_file"),
    ],
)
def test_realistic_hostile_file_is_refused_within_a_minute_and_a_gigabyte(tmp_path, kind, code):
    path = tmp_path / f"{kind}.{'csv' if kind.startswith('csv') else 'xlsx'}"
    if kind == "workbook_470mb":
        # 640,000 rows of 26 cells: ~470 MB of sheet XML, under the 500 MB expansion cap.
        path.write_bytes(hostile.numbers_workbook(640_000, 26))
    elif kind == "csv_field_40mb":
        path.write_bytes(hostile.huge_field_csv(40 * 1024 * 1024))
    elif kind == "csv_million_columns":
        path.write_bytes(hostile.wide_csv(1_000_000))
    elif kind == "xxe":
        path.write_bytes(hostile.xxe_workbook())
    else:
        path.write_bytes(hostile.laughs_workbook())
    figures = measured(path)
    assert figures["codes"] == [code], figures["reasons"]
    assert figures["seconds"] < MINUTE
    assert figures["peak_mb"] < GIGABYTE_MB


# ---------------------------------------------------------------- found by Hypothesis


def test_csv_with_a_quote_never_closed_is_refused_naming_its_row():
    """Found by Hypothesis: pandas' "EOF inside string" escaped the parser as an exception."""
    data = b'site_code,week_commencing,measure,value\nEBK,02/01/2023,"closures,1\nEBK,09/01/2023,closures,2\n'
    result = parse(data, "q.csv")
    reason = only(result, "unclosed_quote")
    assert reason.startswith('a quote mark (") opens a cell at row 2 and is never closed')
