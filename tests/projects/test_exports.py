"""Exports neutralise spreadsheet formulas in CSV and .xlsx and keep numbers as numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from projects.exports import csv_response, safe_cell, xlsx_bytes

INJECTIONS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_text_that_would_run_as_a_formula_is_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_numbers_dates_and_plain_text_are_left_alone():
    assert safe_cell(-3) == -3
    assert safe_cell(2.5) == 2.5
    assert safe_cell(dt.date(2025, 1, 6)) == dt.date(2025, 1, 6)
    assert safe_cell("Referrals received") == "Referrals received"
    assert safe_cell(None) == ""


def test_formula_injection_round_trips_safely_through_csv():
    response = csv_response(
        name="Measures", header=["measure", "value"], rows=[['=HYPERLINK("http://x")', -3]]
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ['\'=HYPERLINK("http://x")', "-3"]
    assert response["Content-Disposition"] == 'attachment; filename="measures.csv"'


def test_formula_injection_round_trips_safely_through_xlsx():
    data = xlsx_bytes(
        sheet="Measures",
        header=["measure", "value", "week"],
        rows=[['=HYPERLINK("http://x")', -3, dt.date(2025, 1, 6)], ["@cmd", 4, None]],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x")'
    assert sheet["B2"].value == -3
    assert sheet["C2"].value.date() == dt.date(2025, 1, 6)
    assert sheet["A3"].value == "'@cmd"
    # No cell in the workbook holds a formula.
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


SEPARATED = "Foo;=1+2;@SUM(1),+3, -4"


def test_csv_quotes_text_and_neutralises_formulas_after_separators():
    """A spreadsheet splitting on ';' or ',' (and ignoring the quotes) still finds no cell that
    starts a formula."""
    response = csv_response(name="People", header=["name", "count"], rows=[[SEPARATED, 3]])
    line = response.content.decode("utf-8-sig").splitlines()[1]
    assert line.startswith('"')
    assert line.endswith(",3")
    for separator in (";", ","):
        for cell in line.split(separator):
            assert not cell.strip().strip('"').lstrip().startswith(("=", "+", "-", "@")), line
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "Foo;'=1+2;'@SUM(1),'+3, '-4"


@pytest.mark.django_db
def test_stakeholder_csv_has_no_formula_after_a_separator(world, client_as):
    from tests.phases.factories import StakeholderFactory

    StakeholderFactory(project=world.a.project, name=SEPARATED, role="Lead;=cmd|' /C calc'!A0")
    response = client_as(world.a.stakeholder).get(
        f"/sites/AAA/projects/{world.a.project.pk}/stakeholders/?format=csv"
    )
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    for line in body.splitlines()[1:]:
        for separator in (";", ","):
            for cell in line.split(separator):
                assert not cell.strip().strip('"').startswith(("=", "+", "-", "@")), line
