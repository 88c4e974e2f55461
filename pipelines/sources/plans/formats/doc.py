"""Word 97-2003 .doc through a converter from the Debian registry (text_source 'converted'):

- antiword (Debian `antiword`, GPL-2, run as a command, 0.4 MB), used first: small and fast (milliseconds a file).
  Its plain-text output (`-w 0`: one line per paragraph, line breaks kept) gives the paragraphs; its DocBook output
  (`-x db`) gives the tables as rows and cells (the text output wraps a cell over several lines, so rows cannot be
  told apart there). A cell spanning columns is placed by the column widths DocBook states, blank after its first
  position as the other adapters leave it. Not kept: Word's automatic list numbers (antiword prints neither the
  numbers nor, in DocBook, which list a paragraph is in; typed numbers are kept).
- LibreOffice headless (`soffice`, Debian `libreoffice-writer-nogui`, MPL-2.0): converted to .docx and read by the
  .docx adapter (list numbers resolved); about 3 s a file and 260 MB installed, so only when antiword is absent or
  fails. (Re-importing its own .doc exports it lost tables that begin a document, which antiword read.)

With neither installed the file is quarantined with that reason (the Makefile and CI install antiword).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipelines.sources.plans.formats.document import Document, FormatError, LineBuilder

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NO_CONVERTER = (
    "Word 97-2003 .doc needs a converter: install antiword (apt-get install antiword) or LibreOffice "
    "(soffice); neither is installed"
)


def converters() -> list[str]:
    """The converters installed here, in the order they are tried."""
    out = ["antiword"] if shutil.which("antiword") else []
    return out + (["libreoffice"] if shutil.which("soffice") or shutil.which("libreoffice") else [])


def read_doc(data: bytes, converter: str | None = None) -> Document:
    """`converter` forces one ("antiword" / "libreoffice"); by default antiword, then LibreOffice."""
    if not data.startswith(OLE2):
        raise FormatError("corrupt .doc: not a Word 97-2003 (OLE2) file")
    have = converters()
    if converter is not None:
        if converter not in have:
            raise FormatError(f"Word 97-2003 .doc: converter {converter} is not installed")
        have = [converter]
    if not have:
        raise FormatError(NO_CONVERTER)
    errors = []
    for name in have:
        try:
            return _via_antiword(data) if name == "antiword" else _via_libreoffice(data)
        except FormatError as e:
            errors.append(str(e))
    raise FormatError("; ".join(errors) or NO_CONVERTER)


# ---------------------------------------------------------------- antiword


def _run_antiword(args: list[str], data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "plan.doc"
        src.write_bytes(data)
        try:
            res = subprocess.run(
                [shutil.which("antiword") or "antiword", *args, str(src)], capture_output=True, timeout=120
            )
        except subprocess.TimeoutExpired as e:
            raise FormatError("Word 97-2003 .doc: antiword timed out") from e
    if res.returncode:
        msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise FormatError(f"Word 97-2003 .doc: antiword could not read it ({msg[-1] if msg else 'no message'})")
    return res.stdout.decode("utf-8", "replace")


def _docbook_tables(xml: str) -> list[list[list[str]]]:
    """Tables of antiword's DocBook as rows of cell texts on one column grid."""
    from lxml import etree

    root = etree.fromstring(
        xml.encode("utf-8"), etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False, huge_tree=True)
    )
    tables = []
    for tbl in root.iter("informaltable"):
        groups = []  # antiword starts a new tgroup where the column layout changes (a cell spanning columns)
        for tg in tbl.iter("tgroup"):
            widths = [float(re.sub(r"[^\d.]", "", c.get("colwidth") or "0") or 0) for c in tg.iter("colspec")]
            edges, x = [], 0.0
            for w in widths:
                x += w
                edges.append(round(x))
            rows = [
                [
                    ("\n".join(ln.strip() for ln in "".join(e.itertext()).split("\n") if ln.strip()))
                    for e in row.iter("entry")
                ]
                for row in tg.iter("row")
            ]
            groups.append((edges, rows))
        grid = sorted({e for edges, _ in groups for e in edges})
        out = []
        for edges, rows in groups:
            for row in rows:
                cells, start = [], 0
                for i, text in enumerate(row):
                    end = edges[i] if i < len(edges) else (grid[-1] if grid else 0)
                    span = max(1, sum(1 for g in grid if start < g <= end))
                    cells += [text] + [""] * (span - 1)
                    start = end
                out.append(cells)
        tables.append(out)
    return tables


def _via_antiword(data: bytes) -> Document:
    tables = _docbook_tables(_run_antiword(["-x", "db"], data))
    text = _run_antiword(["-m", "UTF-8.txt", "-w", "0"], data)
    out = LineBuilder()
    n_par = n_tbl = 0
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\f", "\n\n"))
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        if all(ln.startswith("|") and ln.rstrip().endswith("|") for ln in lines):
            n_tbl += 1
            if n_tbl > len(tables):  # the text output shows a table DocBook did not: read its lines as rows
                tables.append([[c.strip() for c in ln.strip()[1:-1].split("|")] for ln in lines])
            out.table(tables[n_tbl - 1], f"table {n_tbl}")
            continue
        n_par += 1
        out.add("\n".join(lines), f"paragraph {n_par}")
    return out.document("doc", "binary", "converted")


# ---------------------------------------------------------------- LibreOffice


def _via_libreoffice(data: bytes) -> Document:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe is not None  # tried only when converters() found it
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "plan.doc"
        src.write_bytes(data)
        try:
            subprocess.run(
                [
                    exe,
                    "--headless",
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--convert-to",
                    "docx",
                    "--outdir",
                    tmp,
                    str(src),
                ],
                capture_output=True,
                timeout=180,
                check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise FormatError("Word 97-2003 .doc: LibreOffice conversion timed out") from e
        out = Path(tmp) / "plan.docx"
        if not out.is_file():
            raise FormatError("Word 97-2003 .doc: LibreOffice could not convert it (corrupt or protected)")
        from pipelines.sources.plans.formats.docx import read_docx

        return read_docx(out.read_bytes(), text_source="converted", fmt="doc")
