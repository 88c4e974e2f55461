"""`make bench` figure for published formats: a 30-page text-layer PDF (a real seed plan's paragraphs repeated, written
with reportlab and the DejaVu font) read by the PDF adapter; the target is under 2 s on this machine.
`python -m pipelines.bench.formats` prints the figure as JSON."""
from __future__ import annotations

import html
import io
import json
import sys
import time
from pathlib import Path

from ..domain.formats import read_document

PROJECT_DIR = Path(__file__).resolve().parents[2]
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PDF_TARGET_SECONDS = 2.0


def _pdf(n_pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(TTFont("DejaVu", str(FONT)))
    style = ParagraphStyle("b", fontName="DejaVu", fontSize=11, leading=14, spaceAfter=4)
    lines = [ln for ln in (PROJECT_DIR / "raw" / "plans" / "004_0f436dfa0397b1ae.txt").read_text(
        encoding="utf-8").split("\n") if ln.strip()]
    story, i = [], 0
    for page in range(n_pages):
        for _ in range(14):  # about a page of paragraphs
            story.append(Paragraph(html.escape(lines[i % len(lines)][:400]), style))
            i += 1
        story.append(PageBreak())
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


def pdf_read_seconds(n_pages: int = 30) -> dict:
    if not FONT.is_file():
        return {"skipped": "no DejaVuSans.ttf (apt-get install fonts-dejavu-core)"}
    data = _pdf(n_pages)
    t0 = time.perf_counter()
    doc = read_document(data, "bench.pdf")
    secs = time.perf_counter() - t0
    return {"format": "pdf", "pages": doc.page_count, "lines": len(doc.locations), "bytes": len(data),
            "read_seconds": round(secs, 3), "target_seconds": PDF_TARGET_SECONDS, "ok": secs < PDF_TARGET_SECONDS}


if __name__ == "__main__":
    r = pdf_read_seconds()
    print(json.dumps(r))
    sys.exit(0 if r.get("ok", True) else 1)
