"""An informatics user uploads the wide sample, maps its unknown column once, watches the
progress and reads the report; the next upload of the same layout asks nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.e2e

SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "extracts" / "wide_weekly_northgate.xlsx"
)
EXTRA = "Contacts (F2F + virtual)"


@pytest.fixture
def wide_with_new_column(tmp_path):
    """The wide sample with one column the tracker has never seen."""
    wb = load_workbook(SAMPLE)
    ws = wb.active
    header_row = next(row[0].row for row in ws.iter_rows() if row[0].value == "Week commencing")
    column = ws.max_column + 1
    ws.cell(row=header_row, column=column, value=EXTRA)
    for row in range(header_row + 1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value not in (None, "Total"):
            ws.cell(row=row, column=column, value=150 + row)
    path = tmp_path / "northgate_weekly.xlsx"
    wb.save(path)
    return path


def upload(page, path: Path) -> None:
    page.get_by_label("Extract file").set_input_files(str(path))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url(re.compile(r"/data/uploads/\d+/$"))


def test_informatics_uploads_maps_once_and_reads_the_report(
    page, demo, login, axe, wide_with_new_column
):
    login(page, "demo-info-ngt")
    assert re.search(r"/sites/NGT/data/upload/$", page.url), page.url
    axe(page)

    upload(page, wide_with_new_column)
    # Queued or processing: a progress bar that htmx refreshes, until the worker has read it.
    page.get_by_role("heading", name="Which measures are these?").wait_for(timeout=60_000)
    axe(page)
    page.get_by_label(EXTRA).select_option(label="Attended contacts (attended_contacts)")
    page.get_by_role("button", name="Remember and read the file again").click()
    # The sample overlaps weeks the demo already holds for Northgate: it stops at the preview.
    page.get_by_role("heading", name="Check before anything changes").wait_for(timeout=60_000)
    assert "would change" in page.locator("#upload-status").inner_text()
    axe(page)
    page.get_by_role("button", name=re.compile(r"^Replace \d+ stored values?$")).click()
    page.get_by_role("heading", name="Report").wait_for(timeout=60_000)
    assert page.locator("progress").count() == 0
    body = page.locator("#upload-status").inner_text()
    assert "new" in body.lower()
    assert "NGT" in body
    axe(page)

    page.get_by_role("link", name="Upload another file").click()
    upload(page, wide_with_new_column)
    page.get_by_role("heading", name="Report").wait_for(timeout=60_000)
    assert page.get_by_role("heading", name="Which measures are these?").count() == 0
    assert "Nothing new" in page.locator("#upload-status").inner_text()
    axe(page)

    page.goto("/sites/NGT/data/")
    assert "Data last arrived" in page.locator("main").inner_text()
    axe(page)
