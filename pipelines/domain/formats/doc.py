"""Word 97-2003 .doc: converted to .docx by LibreOffice headless (`soffice`, from Debian's libreoffice-writer) when it
is installed, then read as a .docx (text_source 'converted'). Without it the file is quarantined with that reason;
CI does not install LibreOffice (too heavy for a few old files)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from . import Document, FormatError

NO_SOFFICE = "Word 97-2003 .doc needs LibreOffice (soffice) to convert; not installed"


def read_doc(data: bytes) -> Document:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise FormatError(NO_SOFFICE)
    if not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise FormatError("corrupt .doc: not a Word 97-2003 (OLE2) file")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "plan.doc"
        src.write_bytes(data)
        try:
            subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "docx",
                            "--outdir", tmp, str(src)], capture_output=True, timeout=180, check=False)
        except subprocess.TimeoutExpired:
            raise FormatError("Word 97-2003 .doc: LibreOffice conversion timed out")
        out = Path(tmp) / "plan.docx"
        if not out.is_file():
            raise FormatError("Word 97-2003 .doc: LibreOffice could not convert it (corrupt or protected)")
        from .docx import read_docx
        return read_docx(out.read_bytes(), text_source="converted", fmt="doc")
