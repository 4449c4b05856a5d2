"""Is an uploaded evidence file safe to keep? Pure code (no Django), tested without a database.

A file is refused unless its extension is on the allow-list AND its first bytes look like that
kind of file: an executable renamed to .pdf is caught by its content, a harmless file with an
unknown extension by its name. Office files must be the zip containers they claim to be, with no
macros or executables inside.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO, Protocol

ALLOWED_EXTENSIONS: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".csv": "text/csv",
    ".txt": "text/plain",
}

# Signatures of programs and scripts, whatever the file is called.
EXECUTABLE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"#!", "a script"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\x00asm", "a WebAssembly program"),
    (b"\xd0\xcf\x11\xe0", "an old Office file that can carry macros"),
)

OFFICE_FOLDERS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
DANGEROUS_MEMBER_SUFFIXES = (
    ".exe",
    ".dll",
    ".bat",
    ".cmd",
    ".com",
    ".scr",
    ".msi",
    ".ps1",
    ".vbs",
    ".js",
    ".jar",
    ".sh",
    ".bin",
)

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileVerdict:
    ok: bool
    message: str = ""
    content_type: str = ""


def _refuse(message: str) -> FileVerdict:
    return FileVerdict(ok=False, message=message)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # Incremental: a multi-byte character may be cut at the end of the sniffed chunk.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")  # spreadsheets saved on Windows
        except UnicodeDecodeError:
            return False
    return True


def _check_office(stream: BinaryIO, extension: str) -> str:
    """An error message, or '' when the zip is the Office file it claims to be."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "The file is not a valid Office document."
    if "[Content_Types].xml" not in names or not any(
        name.startswith(OFFICE_FOLDERS[extension]) for name in names
    ):
        return f"The file is not a {extension[1:]} document."
    for name in names:
        lower = name.lower()
        if lower.endswith("vbaproject.bin"):
            return "The document contains macros; save it without macros and upload it again."
        if lower.endswith(DANGEROUS_MEMBER_SUFFIXES):
            return "The document contains a program and cannot be uploaded."
    return ""


# What a file of these types starts with, and what to say when it does not.
MAGIC_NUMBERS = {
    ".pdf": (b"%PDF-", "The file is not a PDF."),
    ".png": (b"\x89PNG\r\n\x1a\n", "The file is not a PNG image."),
    ".jpg": (b"\xff\xd8\xff", "The file is not a JPEG image."),
    ".jpeg": (b"\xff\xd8\xff", "The file is not a JPEG image."),
}


class Readable(Protocol):
    """Bytes to read from the start: an upload, or a file opened with "rb"."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, /) -> int: ...


def check_evidence_file(*, name: str, stream: Readable, size: int, max_bytes: int) -> FileVerdict:
    """Decide whether an upload may be stored. `stream` is read from the start and rewound."""
    extension = PurePath(name).suffix.lower()
    allowed = ", ".join(sorted({ext[1:] for ext in ALLOWED_EXTENSIONS} - {"jpeg"}))
    if extension not in ALLOWED_EXTENSIONS:
        return _refuse(f"Upload a file of one of these types: {allowed}.")
    if size > max_bytes:
        return _refuse(f"The file must be smaller than {max_bytes / 1_000_000:.0f} MB.")
    if size == 0:
        return _refuse("The file is empty.")
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    for signature, what in EXECUTABLE_SIGNATURES:
        if head.startswith(signature):
            return _refuse(f"The file is {what}, not a document, and cannot be uploaded.")
    content_type = ALLOWED_EXTENSIONS[extension]
    if extension in MAGIC_NUMBERS:
        magic, refusal = MAGIC_NUMBERS[extension]
        if not head.startswith(magic):
            return _refuse(refusal)
    if extension in OFFICE_FOLDERS:
        if not head.startswith(b"PK\x03\x04"):
            return _refuse(f"The file is not a {extension[1:]} document.")
        data = io.BytesIO(stream.read())
        stream.seek(0)
        message = _check_office(data, extension)
        if message:
            return _refuse(message)
    if extension in {".csv", ".txt"} and not _looks_like_text(head):
        return _refuse("The file is not plain text.")
    return FileVerdict(ok=True, content_type=content_type)
