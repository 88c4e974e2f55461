"""Plans as provinces publish them: plain text, Word (.docx, .doc), PDF and web pages, read into one document model.

Every adapter turns a file's bytes into the text the readers parse (tables written as Markdown pipe rows, one row
per line, `<br>` for a line break inside a cell; merged cells blank after their first position, as text exports
leave them) plus a provenance map: for each line of that text, where it came from in the original ("page 3",
"paragraph 41", "table 2 row 5", an HTML element path). A file that cannot be read raises `FormatError`, whose
message is the quarantine reason.
"""

from __future__ import annotations

from pathlib import PurePath

from pipelines.settings import Settings
from pipelines.sources.plans.decode import DecodeError, decode_document
from pipelines.sources.plans.formats.document import (
    FORMATS,
    LIMIT,
    TEXT_SOURCES,
    Document,
    FormatError,
    LineBuilder,
    TableSpan,
    cell_text,
    check_text,
    clean,
    location_of,
)

__all__ = [
    "DecodeError",
    "FORMATS",
    "LIMIT",
    "TEXT_SOURCES",
    "Document",
    "FormatError",
    "LineBuilder",
    "TableSpan",
    "cell_text",
    "check_text",
    "clean",
    "detect_format",
    "location_of",
    "read_document",
    "read_text",
]


def detect_format(name: str, data: bytes) -> str:
    """By extension first (so a damaged .docx is reported as one), else by magic bytes."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext in ("docx", "pdf", "doc"):
        return ext
    if ext in ("html", "htm", "xhtml"):
        return "html"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:65536]:
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "html"
    return "txt"


def check_zip(data: bytes, what: str, max_bytes: int, max_entries: int) -> None:
    """A .docx or .xlsx checked from its zip directory before any parser inflates it: the entry count (read from
    the end record, so a million entries are refused without building a million ZipInfo) and the sizes the entries
    declare. zipfile never inflates an entry past its declared size (a lie ends in a CRC error), so these bound
    the parse: a 4 MB bomb whose document.xml inflates to 1 GiB is refused in microseconds."""
    import io
    import zipfile

    from pipelines.settings import UNZIPPED_ENV, ZIP_ENTRIES_ENV

    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0:
        return  # not a zip: the parser reports the file as corrupt
    n = int.from_bytes(data[end + 10 : end + 12], "little")
    if n == 0xFFFF and (z64 := data.rfind(b"PK\x06\x06", 0, end)) >= 0:  # ZIP64: the count is in its own record
        n = int.from_bytes(data[z64 + 32 : z64 + 40], "little")
    if n > max_entries:
        raise FormatError(f"{LIMIT}: {what} holds {n:,} zip entries, more than {max_entries:,} ({ZIP_ENTRIES_ENV})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return
    if len(infos) > max_entries:
        raise FormatError(
            f"{LIMIT}: {what} holds {len(infos):,} zip entries, more than {max_entries:,} ({ZIP_ENTRIES_ENV})"
        )
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        big = max(infos, key=lambda i: i.file_size)
        raise FormatError(
            f"{LIMIT}: {what} inflates to {total:,} bytes unzipped ({big.filename} {big.file_size:,}), more than "
            f"{max_bytes:,} ({UNZIPPED_ENV})"
        )


def read_document(data: bytes, name: str = "", settings: Settings | None = None) -> Document:
    """Any plan file -> Document. Raises DecodeError/FormatError with the quarantine reason. The limits on what a
    file may cost are `settings`' (the environment's without)."""
    settings = Settings.from_env() if settings is None else settings
    fmt = detect_format(name, data)
    if fmt == "txt":
        import csv

        from pipelines.sources.plans.formats.csv_sheet import looks_like_csv, read_csv_sheet
        from pipelines.sources.plans.formats.gantt import box_drawing_as_grid
        from pipelines.sources.plans.formats.html import html_tables_in_text

        d = decode_document(data)
        if PurePath(name).suffix.lower() == ".csv" or looks_like_csv(d.text):
            # a sheet saved as comma-separated values: its records, tables by their runs; one the csv module cannot
            # split (a cell past its field limit, a NUL) is read as the text it is, nothing lost
            try:
                return read_csv_sheet(d.text, d.encoding, d.cut_in_character)
            except csv.Error:
                pass
        text, spans = html_tables_in_text(box_drawing_as_grid(d.text))  # a pandoc Markdown's raw HTML tables too
        n = text.count("\n") + 1
        return Document(text, [None] * n, "txt", d.encoding, cut_in_character=d.cut_in_character, tables=spans)
    if not data.strip():
        raise FormatError(f"empty .{fmt} file (no bytes)")
    if fmt == "docx":
        from pipelines.sources.plans.formats.docx import read_docx

        check_zip(data, "the .docx", settings.max_unzipped_bytes, settings.max_zip_entries)
        return read_docx(data)
    if fmt == "pdf":
        from pipelines.sources.plans.formats.pdf import read_pdf

        return read_pdf(data, settings.max_pdf_pages, settings.ocr_seconds_per_file)
    if fmt == "html":
        from pipelines.sources.plans.formats.html import read_html

        return read_html(data)
    from pipelines.sources.plans.formats.doc import read_doc

    return read_doc(data)


def read_text(data: bytes, name: str = "") -> str:
    """The normalised text of any plan file (what line numbers count in)."""
    return read_document(data, name).text
