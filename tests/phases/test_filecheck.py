"""phases.filecheck: which evidence files may be stored (pure code, no database)."""

from __future__ import annotations

import io
import zipfile

import pytest

from phases.filecheck import check_evidence_file

MB = 1_000_000


def verdict(name: str, data: bytes, max_bytes: int = 10 * MB):
    return check_evidence_file(
        name=name, stream=io.BytesIO(data), size=len(data), max_bytes=max_bytes
    )


def office(folder: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Office file. Entries carry a fixed date, so the bytes (and so the test ids
    built from them) are the same in every process: pytest-xdist's workers must agree."""
    buffer = io.BytesIO()
    entries: dict[str, bytes | str] = {
        "[Content_Types].xml": "<Types/>",
        f"{folder}document.xml": "<doc/>",
        **(extra or {}),
    }
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 6, 9, 0, 0)), data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("minutes.pdf", b"%PDF-1.7\n..."),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("extract.csv", b"week,referrals\n06/01/2025,12\n"),
        ("notes.txt", "Café meeting – notes".encode("cp1252")),
        ("plan.docx", office("word/")),
        ("data.xlsx", office("xl/")),
        ("slides.pptx", office("ppt/")),
    ],
)
def test_allowed_documents_pass_with_their_content_type(name, data):
    result = verdict(name, data)
    assert result.ok, result.message
    assert result.content_type


@pytest.mark.parametrize("name", ["setup.exe", "run.sh", "macro.docm", "page.html", "noext"])
def test_files_with_other_extensions_are_refused(name):
    result = verdict(name, b"%PDF-1.7 harmless")
    assert not result.ok
    assert "Upload a file of one of these types" in result.message


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "Windows program"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 20, "Linux program"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 20, "macOS program"),
    ],
)
def test_executables_renamed_as_documents_are_refused_by_content(data, what):
    for name in ("report.pdf", "notes.txt", "data.csv"):
        result = verdict(name, data)
        assert not result.ok
        assert what in result.message


def test_content_must_match_the_extension():
    assert not verdict("report.pdf", b"just some text").ok
    assert not verdict("photo.png", b"%PDF-1.7").ok
    assert not verdict("plan.docx", b"%PDF-1.7").ok
    assert not verdict("data.csv", b"\x00\x01\x02binary").ok


def test_office_files_with_macros_or_programs_inside_are_refused():
    assert "macros" in verdict("plan.docx", office("word/", {"word/vbaProject.bin": b"x"})).message
    assert "program" in verdict("data.xlsx", office("xl/", {"xl/payload.exe": b"MZ"})).message


def test_a_zip_claiming_to_be_a_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert not verdict("plan.docx", buffer.getvalue()).ok


def test_files_over_the_limit_and_empty_files_are_refused():
    big = verdict("report.pdf", b"%PDF-" + b"0" * 2000, max_bytes=1000)
    assert not big.ok
    assert "smaller than" in big.message
    assert not verdict("report.pdf", b"").ok
