"""Recognise a file by its content and read each sheet into a grid of raw cells."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .context import column_letter

PREAMBLE_ROWS = 30
# Formatting applied to whole columns makes Excel store thousands of empty rows; a run this
# long means the data has ended.
MAX_EMPTY_RUN = 5_000
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024
# openpyxl holds a workbook's whole shared-strings table in memory, several times its size.
MAX_SHARED_STRINGS_BYTES = 100 * 1024 * 1024
# Excel's own limits: a sheet has at most 16,384 columns and a cell at most 32,767 characters.
DEFAULT_MAX_COLUMNS = 16_384
DEFAULT_MAX_FIELD_BYTES = 128 * 1024
DEFAULT_MAX_CELLS = 3_000_000


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one file may cause, checked while it is read (before frames)."""

    max_rows: int = 2_000_000
    max_uncompressed: int = 500 * 1024 * 1024
    max_cells: int = DEFAULT_MAX_CELLS  # workbook cells across all sheets
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES


class FileRefused(Exception):
    """The file cannot be read at all; carries a problem code and a plain-English reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class Sheet:
    name: str | None
    preamble: list[list[object]]  # first rows, for finding the header
    hidden: bool = False
    # Excel: every row (trimmed); CSV: the decoded text read lazily by body()
    rows: list[list[object]] | None = None
    text: str | None = None
    delimiter: str = ","
    line_of_record: list[int] = field(default_factory=list)  # CSV: last line of each record
    truncated: bool = False  # more rows than max_rows were present
    raw_lengths: list[int] = field(default_factory=list)  # CSV: fields per preamble record
    utf8: bytes | None = None  # CSV: text as UTF-8, when the upload already held exactly that
    max_columns: int = DEFAULT_MAX_COLUMNS  # CSV: a wider row is refused when read

    def body(
        self,
        header_index: int,
        width: int,
        max_rows: int,
        number_column: int | None = None,
        label_columns: tuple[int, ...] = (),
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Rows below the header as columns 0..width-1, with their 1-based row numbers.

        number_column: a CSV column expected to hold only plain numbers (a tidy value
        column); it is read straight to float64 when every cell is a plain number, and as
        text like the other columns otherwise.
        label_columns: CSV columns of repeated labels (sites, measures, weeks), read as
        categoricals of their texts; other cells are text (object) or blank.
        """
        if self.rows is not None:
            rows = self.rows[header_index + 1 :]
            width = max([width, *map(len, rows)])
            padded = [r + [None] * (width - len(r)) if len(r) < width else r for r in rows]
            frame = pd.DataFrame(padded, columns=list(range(width)), dtype=object)
            numbers = np.arange(header_index + 2, header_index + 2 + len(frame))
            return frame, numbers
        return self._csv_body(header_index, width, max_rows, number_column, label_columns)

    def _csv_body(
        self,
        header_index: int,
        width: int,
        max_rows: int,
        number_column: int | None,
        label_columns: tuple[int, ...],
    ) -> tuple[pd.DataFrame, np.ndarray]:
        assert self.text is not None
        header_line = self.line_of_record[header_index]  # 1-based last line of the header
        width = max(width, *self.raw_lengths, 1)
        # The C parser reads bytes; handing it UTF-8 saves it re-encoding the text.
        encoded = self.utf8
        if encoded is None:
            with contextlib.suppress(UnicodeEncodeError):
                encoded = self.text.encode("utf-8")

        def read(w: int, number_column: int | None, label_columns) -> pd.DataFrame:
            dtype: dict[int, object] = dict.fromkeys(range(w), object)
            dtype.update(dict.fromkeys(label_columns, "category"))
            if number_column is not None:
                dtype[number_column] = "float64"
            return pd.read_csv(
                io.BytesIO(encoded) if encoded is not None else io.StringIO(self.text),
                sep=self.delimiter,
                header=None,
                names=list(range(w)),
                index_col=False,  # surplus fields must not become an index
                skiprows=header_line,
                dtype=dtype,
                na_filter=False,
                skip_blank_lines=False,
                nrows=max_rows + 1,
                engine="c",
                quotechar='"',
                encoding_errors="replace",
            )

        def read_all(number_column: int | None, label_columns=()) -> pd.DataFrame:
            try:
                return read(width, number_column, label_columns)
            except pd.errors.ParserError:
                widest, widest_line = width, 0
                # A giant or malformed field ends the count; the second read reports it.
                reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter)
                with contextlib.suppress(csv.Error):
                    for record in reader:
                        if len(record) > widest:
                            widest, widest_line = len(record), reader.line_num
                if widest > self.max_columns:
                    raise _too_wide(
                        f"row {widest_line:,} has", widest, Limits(max_columns=self.max_columns)
                    ) from None
                try:
                    return read(widest, number_column, label_columns)
                except pd.errors.ParserError as exc:
                    raise _unparsable(exc, header_line) from exc
            except pd.errors.EmptyDataError:
                return pd.DataFrame(columns=list(range(width)), dtype=object)

        def attempt(number_column: int | None) -> pd.DataFrame | None:
            try:
                frame = read_all(number_column, label_columns)
            except Exception:  # any failure: read the file the plain way, below
                return None
            if number_column is not None and not plain_numbers(frame[number_column]):
                return None
            return frame

        frame = None
        if number_column is not None:
            # Fast path: numbers converted while parsing. Any cell that is not a plain
            # number (blank, "1,234", "n/a", a short row) fails it, and the column is read
            # as text and converted cell by cell as before.
            frame = attempt(number_column)
        if frame is None and label_columns:
            frame = attempt(None)
        if frame is None:
            frame = read_all(None)
        if len(frame) > max_rows:
            self.truncated = True
        # Short rows come back as NaN, which later counts as blank.
        numbers = np.arange(header_line + 1, header_line + 1 + len(frame))
        return frame, numbers


def _unparsable(exc: Exception, header_line: int) -> FileRefused:
    """The parser's failure in words: almost always a quote mark that is never closed."""
    opened = re.search(r"EOF inside string starting at row (\d+)", str(exc))
    if opened:
        return FileRefused(
            "unclosed_quote",
            f'a quote mark (") opens a cell at row {header_line + int(opened[1]):,} and is '
            "never closed, so the rest of the file runs together into that cell. Remove the "
            'stray quote mark (or double each quote inside a quoted cell: "") and send the '
            "file again.",
        )
    return FileRefused(
        "unreadable_file",
        "the rows of the file could not be split into cells; check it opens in a "
        "spreadsheet, save it again as CSV and send it again.",
    )


def plain_numbers(col: pd.Series) -> bool:
    """A float64 column whose every cell reads the same as the text converter would read it.

    Rules out missing cells (NaN) and the two cases where converting the text as a whole
    column can differ: -0 (read as 0 when the column holds whole numbers only) and magnitudes
    of 2**53 and more (whole numbers beyond float precision, and infinity).
    """
    if col.dtype != np.float64:
        return False
    values = col.to_numpy()
    if np.isnan(values).any():
        return False
    if (np.abs(values) >= 2.0**53).any():
        return False
    return not ((values == 0) & np.signbit(values)).any()


@dataclass
class Workbook:
    kind: str  # "csv" | "xlsx" | "xls"
    sheets: list[Sheet]
    encoding: str | None = None


# ---------------------------------------------------------------- content sniffing

_EXPECTED = {
    ".xlsx": "an Excel workbook",
    ".xlsm": "an Excel workbook",
    ".xls": "an Excel workbook",
    ".csv": "a CSV file",
    ".tsv": "a tab-separated text file",
    ".txt": "a text file",
}


def _expected(filename: str) -> str:
    lower = filename.lower()
    for ext, what in _EXPECTED.items():
        if lower.endswith(ext):
            return what
    return "a spreadsheet or CSV file"


def _refuse_as(filename: str, looks_like: str) -> FileRefused:
    return FileRefused(
        "not_a_spreadsheet",
        f"{filename} is not {_expected(filename)}: it looks like {looks_like}. "
        "Upload the extract as .xlsx, .xls or .csv.",
    )


_SIGNATURES = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"MZ", "a Windows program"),
]


_BLANK_BYTES = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
_NOT_BLANK = re.compile(b"[^" + re.escape(_BLANK_BYTES) + b"]")


def read_workbook(
    data: bytes,
    filename: str,
    max_rows: int,
    max_uncompressed: int,
    limits: Limits | None = None,
) -> Workbook:
    limits = limits or Limits()
    limits = Limits(
        max_rows,
        max_uncompressed,
        limits.max_cells,
        limits.max_columns,
        limits.max_field_bytes,
    )
    if not _NOT_BLANK.search(data):  # only blank bytes (stops at the first other byte)
        raise FileRefused("empty_file", f"{filename} is empty: it contains no data at all.")
    head = data[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _read_xlsx(data, filename, limits)
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _read_xls(data, filename, limits)
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise _refuse_as(filename, what)
    text, encoding = _decode(data, filename)
    probe = text[:2000].lstrip().lower()
    if probe.startswith(("<!doctype html", "<html", "<table")) or "<html" in probe[:200]:
        raise _refuse_as(
            filename,
            "a web page (HTML) saved with a spreadsheet name; open it in Excel and "
            "save it as .xlsx",
        )
    if probe.startswith("<?xml"):
        what = (
            "an Excel 2003 XML spreadsheet; open it in Excel and save it as .xlsx"
            if "urn:schemas-microsoft-com:office:spreadsheet" in text[:5000]
            else "an XML document"
        )
        raise _refuse_as(filename, what)
    # Text decoded strictly from UTF-8 is those very bytes again (no BOM: see _decode).
    return _read_text(text, encoding, data if encoding == "utf-8" else None, limits)


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export
        return data.decode("utf-16"), "utf-16"
    sample = data[:4000]
    if sample.count(b"\x00") > len(sample) // 4:
        for enc, zeros_at in (("utf-16-le", 1), ("utf-16-be", 0)):
            if sample[zeros_at::2].count(b"\x00") > len(sample) // 3:
                return data.decode(enc, errors="replace"), enc
        raise _refuse_as(filename, "a binary file of an unknown kind")
    with contextlib.suppress(UnicodeDecodeError):
        return data.decode("utf-8"), "utf-8"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff_delimiter(lines: list[str]) -> str:
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts: list[int] = []
        # A malformed or very long field ends the count for that delimiter, as in the preview.
        with contextlib.suppress(csv.Error):
            counts.extend(len(r) for r in csv.reader(lines, delimiter=delim) if r)
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) * 1000 + mode
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_text(
    text: str, encoding: str, utf8: bytes | None = None, limits: Limits | None = None
) -> Workbook:
    if text.startswith("\ufeff"):
        text, utf8 = text[1:], None
    head_lines = text[:200_000].splitlines()[: PREAMBLE_ROWS + 20]
    delimiter = _sniff_delimiter(head_lines[: PREAMBLE_ROWS + 20])
    _check_text_shape(
        utf8 if utf8 is not None else text.encode("utf-8", errors="replace"),
        delimiter,
        limits or Limits(),
    )
    preamble: list[list[object]] = []
    line_of_record: list[int] = []
    raw_lengths: list[int] = []
    reader = csv.reader(io.StringIO(text[:200_000]), delimiter=delimiter)
    # A malformed line ends this preview of the first rows; the header is looked for in the
    # rows read before it.
    with contextlib.suppress(csv.Error):
        for record in reader:
            preamble.append([c if c.strip() else None for c in record])
            line_of_record.append(reader.line_num)
            raw_lengths.append(len(record))
            if len(preamble) >= PREAMBLE_ROWS:
                break
    sheet = Sheet(
        name=None,
        preamble=[_trim(r) for r in preamble],
        text=text,
        delimiter=delimiter,
        line_of_record=line_of_record,
        raw_lengths=raw_lengths,
        utf8=utf8,
        max_columns=(limits or Limits()).max_columns,
    )
    return Workbook("csv", [sheet], encoding)


def _check_text_shape(raw: bytes, delimiter: str, limits: Limits) -> None:
    """Refuse a text file with a giant cell, or a header too wide, before parsing it.

    Rows further down wider than the header are counted when they are read (Sheet.body).
    """
    _check_cell_sizes(raw, delimiter, limits)
    sep = delimiter.encode()
    start = 0
    for line in range(1, PREAMBLE_ROWS + 21):  # the lines where the header is looked for
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        fields = raw.count(sep, start, end) + 1
        if fields > limits.max_columns:
            with contextlib.suppress(csv.Error, StopIteration):  # quoted delimiters count once
                text = raw[start:end].decode("utf-8", errors="replace")
                fields = len(next(csv.reader([text], delimiter=delimiter)))
            if fields > limits.max_columns:
                first_line = not raw[:start].strip()
                raise _too_wide(
                    "the header has" if first_line else f"row {line} has", fields, limits
                )
        if end >= len(raw):
            return
        start = end + 1


def _too_wide(what: str, fields: int, limits: Limits) -> FileRefused:
    return FileRefused(
        "too_many_columns",
        f"{what} {fields:,} columns; at most {limits.max_columns:,} are read. "
        "Check the file is the extract itself, or split its columns into smaller files.",
    )


def _check_cell_sizes(raw: bytes, delimiter: str, limits: Limits) -> None:
    """A cell is at most the run between two delimiters or line ends (a quoted cell holding
    delimiters is counted in pieces, and is harmless to the parser). A run longer than the
    limit covers a whole block of half the limit, so only blocks without a delimiter or a
    line end are looked at closely: one vectorised pass over the bytes."""
    limit = limits.max_field_bytes
    if len(raw) <= limit:
        return
    block = max(limit // 2, 1)
    blocks = len(raw) // block
    arr = np.frombuffer(raw, dtype=np.uint8, count=blocks * block)
    # A few megabytes at a time: two masks the size of the file cost more in fresh memory
    # (0.27 s for 70 MB in a new process) than the comparisons themselves.
    per_step = max((4 << 20) // block, 1)
    is_sep = np.empty(per_step * block, dtype=bool)
    other = np.empty_like(is_sep)
    found = []
    for first in range(0, blocks, per_step):
        n = min(per_step, blocks - first)
        part = arr[first * block : (first + n) * block]
        sep_part, other_part = is_sep[: n * block], other[: n * block]
        np.equal(part, 10, out=sep_part)
        np.equal(part, ord(delimiter), out=other_part)
        sep_part |= other_part
        found.append(first + np.flatnonzero(~sep_part.reshape(n, block).any(axis=1)))
    empty = np.concatenate(found) if found else np.empty(0, dtype=np.intp)
    del is_sep, other
    sep = delimiter.encode()
    checked_to = -1
    for b in empty:
        at = int(b) * block
        if at < checked_to:
            continue  # inside the run just measured
        start = max(raw.rfind(b"\n", 0, at), raw.rfind(sep, 0, at)) + 1
        ends = [e for e in (raw.find(b"\n", at), raw.find(sep, at)) if e >= 0]
        end = min(ends) if ends else len(raw)
        checked_to = end
        if end - start > limit:
            line_start = raw.rfind(b"\n", 0, start) + 1
            row = raw.count(b"\n", 0, start) + 1
            raise FileRefused(
                "cell_too_large",
                f"row {row}, column "
                f"{column_letter(raw.count(sep, line_start, start))}: a cell of "
                f"{_size(end - start)}; the largest cell accepted is "
                f"{limit / 1024:,.0f} KB. Check the file is the extract itself (not a "
                "document pasted into a cell) and send it again.",
            )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:,.1f} MB"
    return f"{n / 1024:,.0f} KB"


def _trim(row: list[object] | tuple) -> list[object]:
    out = list(row)
    while out and (out[-1] is None or (isinstance(out[-1], str) and not out[-1].strip())):
        out.pop()
    return out


def _read_xlsx(data: bytes, filename: str, limits: Limits) -> Workbook:
    max_uncompressed = limits.max_uncompressed
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(
            "unreadable_file",
            f"{filename} looks like an Excel workbook but is damaged and cannot be opened. "
            "Save it again from Excel and re-upload.",
        ) from exc
    names = {i.filename for i in infos}
    # The zip directory declares each member's size; Python's zip reader stops at that size
    # (and fails the CRC check if the data is longer), so the declared total is a real bound.
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        raise FileRefused(
            "too_large",
            f"{filename} would expand to {total / 1024 / 1024:,.0f} MB when opened, more than "
            f"the {max_uncompressed / 1024 / 1024:,.0f} MB allowed. Remove unused sheets or "
            "split the extract.",
        )
    for info in infos:
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise FileRefused(
                "too_large",
                f"{filename} contains a part ({info.filename}) that expands "
                f"{info.file_size // max(info.compress_size, 1):,} times when opened; "
                "that is not a normal spreadsheet, so it was not opened.",
            )
        if info.filename.lower().endswith("sharedstrings.xml") and (
            info.file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise FileRefused(
                "too_large",
                f"{filename} holds {info.file_size / 1024 / 1024:,.0f} MB of text in its "
                f"cells; at most {MAX_SHARED_STRINGS_BYTES / 1024 / 1024:,.0f} MB is read. "
                "Remove unused sheets or columns of notes, or split the extract.",
            )
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        if "word/document.xml" in names:
            raise _refuse_as(filename, "a Word document")
        if any(n.startswith("ppt/") for n in names):
            raise _refuse_as(filename, "a PowerPoint presentation")
        if "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
            raise _refuse_as(filename, "an OpenDocument spreadsheet (.ods); save it as .xlsx")
        raise _refuse_as(filename, "a zip archive")

    _count_cells(archive, infos, filename, limits)

    import openpyxl  # imported here: CSV-only callers do not pay for it

    try:
        return Workbook("xlsx", _xlsx_sheets(_load_xlsx(data), filename, limits))
    except FileRefused:
        raise
    except Exception as exc:
        if _unsafe_xml(exc):
            raise _refused_unsafe(filename) from exc
        # Any other failure is reported by the plain reading below, in its own words.
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = _xlsx_sheets(wb, filename, limits)
    except FileRefused:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        if _unsafe_xml(exc):
            raise _refused_unsafe(filename) from exc
        raise FileRefused(
            "unreadable_file",
            f"{filename} could not be opened as an Excel workbook: it is damaged or was not "
            "saved by a spreadsheet program. Save it again from Excel as .xlsx and re-upload.",
        ) from exc
    return Workbook("xlsx", sheets)


def _count_cells(archive: zipfile.ZipFile, infos, filename: str, limits: Limits) -> None:
    """Refuse a workbook of more than limits.max_cells cells before any sheet is parsed.

    Counts cell elements (<c ...>, with or without a namespace prefix) in each worksheet's XML
    as it is decompressed: a few seconds for 500 MB, where parsing it would take minutes.
    Text inside a cell cannot hold "<c " (XML escapes it), so the count is not fooled by it.
    """
    total = 0
    for info in infos:
        name = info.filename.lower()
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        tail = b""
        try:
            with archive.open(info) as part:
                while chunk := part.read(4 * 1024 * 1024):
                    block = tail + chunk
                    total += block.count(b"<c ") + block.count(b"<c>") + block.count(b":c ")
                    # A tag split between chunks is counted in the next block, once.
                    tail = block[-3:]
                    total -= tail.count(b"<c ") + tail.count(b"<c>") + tail.count(b":c ")
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return  # damaged: the reading below says so in its own words
        if total > limits.max_cells:
            raise FileRefused(
                "too_many_cells",
                f"{filename} has at least {total:,} cells; at most {limits.max_cells:,} are "
                "read. Delete unused sheets, rows or columns, or split the extract (for "
                "example a year each).",
            )


def _unsafe_xml(exc: BaseException | None) -> bool:
    """True when defusedxml stopped the read: a DTD, an entity or an external reference."""
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _refused_unsafe(filename: str) -> FileRefused:
    return FileRefused(
        "unsafe_file",
        f"{filename} contains XML declarations (a DTD or entities) that Excel never writes "
        "and that can be used to attack a server, so it was not opened. Open it in Excel, "
        "save it again as .xlsx and re-upload.",
    )


def _xlsx_sheets(wb, filename: str, limits: Limits) -> list[Sheet]:
    sheets: list[Sheet] = []
    budget = limits.max_rows + PREAMBLE_ROWS + 1
    cells = [0]
    try:
        for ws in wb.worksheets:
            hidden = getattr(ws, "sheet_state", "visible") != "visible"
            if hasattr(ws, "reset_dimensions"):
                # Stored dimensions are often wrong (A1:A1 from some generators) and
                # read-only mode would stop there.
                ws.reset_dimensions()
            rows, truncated = _collect(
                ws.iter_rows(values_only=True), budget, filename, ws.title, limits, cells
            )
            budget -= len(rows)
            sheets.append(
                Sheet(
                    name=ws.title,
                    preamble=rows[:PREAMBLE_ROWS],
                    hidden=hidden,
                    rows=rows,
                    truncated=truncated,
                )
            )
    finally:
        wb.close()
    return sheets


def _load_xlsx(data: bytes):
    """openpyxl.load_workbook(read_only=True, data_only=True), less one pass over each sheet.

    Opening a sheet read-only, openpyxl looks for its <dimension> element; a sheet that has
    none (as written by some generators, openpyxl's own write-only mode among them) is
    parsed to its end for it. The dimensions are reset before the rows are read anyway, so
    this skips that search when the sheet's opening shows there is no such element. The
    caller falls back to load_workbook on any error, so a damaged file is reported the same.
    """
    from xml.etree.ElementTree import iterparse

    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG

    class QuickSheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            with self._get_source() as src:
                for _event, element in iterparse(src, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        break  # declared: read it as openpyxl does (it stops there)
                    if element.tag == DATA_TAG:
                        return  # the cells begin and no dimension was declared
            super()._get_size()

    class QuickReader(ExcelReader):
        def read_worksheets(self) -> None:
            # ExcelReader.read_worksheets when read_only, with QuickSheet for the sheets
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files:
                    continue
                if "chartsheet" in rel.Type:
                    self.read_chartsheet(sheet, rel)
                    continue
                rels_path = get_rels_path(rel.target)
                if rels_path in self.valid_files:
                    get_dependents(self.archive, rels_path)
                ws = QuickSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)

    reader = QuickReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _collect(
    row_iter,
    budget: int,
    filename: str = "",
    sheet: str | None = None,
    limits: Limits | None = None,
    cells: list[int] | None = None,
) -> tuple[list[list[object]], bool]:
    """Rows as read (trimmed), stopping at budget rows or a long empty run.

    cells: a one-item running count of cells over the file's sheets; past limits.max_cells
    (or a row wider than limits.max_columns) the file is refused while it is streamed.
    """
    limits = limits or Limits()
    cells = cells if cells is not None else [0]
    rows: list[list[object]] = []
    empty_run = 0
    where = f"sheet '{sheet}'" if sheet is not None else filename
    for number, raw in enumerate(row_iter, start=1):
        width = len(raw)
        cells[0] += width
        if width > limits.max_columns:
            raise FileRefused(
                "too_many_columns",
                f"{where}, row {number} has {width:,} columns; at most "
                f"{limits.max_columns:,} are read. Delete the unused columns and save again.",
            )
        if cells[0] > limits.max_cells:
            raise FileRefused(
                "too_many_cells",
                f"{filename} has more than {limits.max_cells:,} cells (reading stopped at "
                f"{cells[0]:,}, row {number:,} of {where}); at most {limits.max_cells:,} are "
                "read. Delete unused sheets, rows or columns, or split the extract.",
            )
        row = _trim(raw)
        if row:
            if empty_run:
                rows.extend([[]] * empty_run)
                empty_run = 0
            rows.append(row)
            if len(rows) > budget:
                return rows, True
        else:
            empty_run += 1
            if empty_run > MAX_EMPTY_RUN:
                break
    return rows, False


def _read_xls(data: bytes, filename: str, limits: Limits) -> Workbook:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise FileRefused(
                "unreadable_file",
                f"{filename} is password-protected. Remove the password in Excel "
                "(File > Info > Protect Workbook) and upload it again.",
            ) from exc
        if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
            raise _refuse_as(filename, "a Word document") from exc
        raise FileRefused(
            "unreadable_file",
            f"{filename} could not be opened as an old-style Excel (.xls) workbook: it is "
            "damaged or was not saved by a spreadsheet program. Save it again from Excel as "
            ".xlsx and re-upload.",
        ) from exc
    sheets: list[Sheet] = []
    budget = limits.max_rows + PREAMBLE_ROWS + 1
    cells = [0]
    for index in range(book.nsheets):
        sh = book.sheet_by_index(index)
        rows, truncated = _collect(
            _xls_rows(sh, book.datemode), budget, filename, sh.name, limits, cells
        )
        budget -= len(rows)
        sheets.append(
            Sheet(
                name=sh.name,
                preamble=rows[:PREAMBLE_ROWS],
                hidden=bool(getattr(sh, "visibility", 0)),
                rows=rows,
                truncated=truncated,
            )
        )
    return Workbook("xls", sheets)


def _xls_rows(sh, datemode: int):
    import xlrd

    for r in range(sh.nrows):
        out: list[object] = []
        for ctype, value in zip(sh.row_types(r), sh.row_values(r), strict=False):
            if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                out.append(None)
            elif ctype == xlrd.XL_CELL_DATE:
                try:
                    out.append(xlrd.xldate_as_datetime(value, 1 if datemode else 0))
                except (ValueError, OverflowError):
                    out.append(value)
            elif ctype == xlrd.XL_CELL_ERROR:
                out.append(xlrd.error_text_from_code.get(value, "#ERROR"))
            elif ctype == xlrd.XL_CELL_BOOLEAN:
                out.append(bool(value))
            else:
                out.append(value)
        yield out


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value: object) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
