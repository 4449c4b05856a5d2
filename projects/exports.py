"""Tables as CSV and .xlsx downloads, safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some programs
strip before such a character) would be run as a formula by Excel or LibreOffice: such text is
prefixed with an apostrophe, as OWASP recommends. Numbers stay numbers (a negative number is not
text and is not a formula).
https://owasp.org/www-community/attacks/CSV_Injection

In CSV every text cell is quoted, and a formula start after a `;` or `,` inside the text gets
the apostrophe too: a spreadsheet that splits on another separator than ours (`;` is common
outside the UK) or ignores the quotes would otherwise find a cell starting with `=` or `@`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,][ \t\r\n]*)(?=[=+\-@])")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should receive it: text that could run is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _filename(name: str, extension: str) -> str:
    return f"{slugify(name) or 'export'}.{extension}"


def csv_response(
    *, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "csv")}"'
    # A BOM lets Excel read UTF-8 (names with accents) correctly.
    response.write("\ufeff")
    # The header is ours (plain names); every text cell below it is quoted.
    csv.writer(response).writerow([_csv_value(safe_cell(h)) for h in header])
    writer = csv.writer(response, quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow([_csv_value(safe_cell(cell)) for cell in row])
    return response


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    return value


def xlsx_bytes(*, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31] or "Export")
    bold = Font(bold=True)
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(worksheet, value=safe_cell(text))
        cell.font = bold
        header_cells.append(cell)
    worksheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                # Stored as a string cell, never parsed as a formula by openpyxl.
                cell.data_type = "s"
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    *, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(sheet=name, header=header, rows=rows), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "xlsx")}"'
    return response


def table_response(
    *, fmt: str, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """`fmt` is "csv" or "xlsx"."""
    if fmt == "xlsx":
        return xlsx_response(name=name, header=header, rows=rows)
    return csv_response(name=name, header=header, rows=rows)
