"""The block model (pipelines/domain/blocks.py): one pass turns any layout's text into headings, items, paragraphs
and tables with their column roles, each with its lines; the readers label these blocks."""

from __future__ import annotations

import subprocess
import sys

from pipelines.domain.blocks import blocks_of_text
from pipelines.domain.decode import decode_document
from pipelines.domain.plan import parse_plan

from .conftest import HANOI_PAPI, PROJECT


def test_the_hanoi_plan_as_blocks():
    """Hà Nội's PAPI plan (raw/plans/004): three roman parts (lines 4, 11, 47) and one tab-separated table at lines
    84-273 headed TT | Chỉ số / Nội dung | Nội dung thành phần | Nhiệm vụ | Chủ trì (checked in the file), 30 rows."""
    doc = blocks_of_text(decode_document(HANOI_PAPI.read_bytes()).text)
    headings = [(b.line_start, b.marker, b.text) for b in doc.blocks if b.kind == "heading"]
    assert headings == [(4, "I", "MỤC ĐÍCH, YÊU CẦU"), (11, "II", "NỘI DUNG"), (47, "III", "TỔ CHỨC THỰC HIỆN")]
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert (table.line_start, table.line_end, len(table.table.rows)) == (84, 273, 30)
    assert table.roles == ("ref", "section", "subsection", "task", "lead")
    # a table's lines are never prose, and the blocks come in the order of the text
    assert not [b for b in doc.blocks if b.kind != "table" and 84 <= b.line_start <= 273]
    assert [b.line_start for b in doc.blocks] == sorted(b.line_start for b in doc.blocks)


SCRAPE = """**II. NHIỆM VỤ
CỤ THỂ**

**1. Đề nghị Ban Tuyên giáo và
Dân vận Tỉnh ủy: **Ban hành văn bản chỉ đạo, đôn đốc, tổ chức triển khai công
tác thông tin, tuyên truyền.

**2.** Sở Nội vụ chủ trì, phối hợp Sở Tư pháp
rà soát thủ tục hành chính.

|
**TT**
|
**Nhiệm vụ**
|
**Chủ trì**
|
|
1
|
Công khai thủ tục hành chính trên Cổng dịch vụ công
|
Sở Tư pháp
|
"""


def test_a_portal_scrape_as_blocks():
    """What a portal scrape gives (bold headings wrapped over two lines, a wrapped paragraph, a table with one cell
    per line between '|' lines) becomes a heading, two numbered items and a table with its roles (lines counted in
    the text above)."""
    doc = blocks_of_text(SCRAPE)
    got = [(b.kind, b.numbering, b.marker, b.line_start, b.line_end) for b in doc.blocks]
    assert got == [
        ("heading", "roman", "II", 1, 2),
        ("item", "num", "1", 4, 6),
        ("item", "num", "2", 8, 9),
        ("table", None, None, 11, 24),
    ]
    assert doc.blocks[1].text.startswith("Đề nghị Ban Tuyên giáo và Dân vận Tỉnh ủy: Ban hành văn bản")
    assert doc.blocks[3].roles == ("ref", "task", "lead")
    # the readers label these blocks: the agency's item, the numbered task and the table row
    tasks = parse_plan(SCRAPE).tasks
    assert [(t.line_start, t.lead_as_written) for t in tasks] == [
        (4, "Ban Tuyên giáo và Dân vận Tỉnh ủy"),
        (8, "Sở Nội vụ"),
        (19, "Sở Tư pháp"),
    ]


def test_the_blocks_of_a_file_are_printed_for_whoever_debugs_a_layout():
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.domain.blocks", str(HANOI_PAPI)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines()[0].startswith(f"# {HANOI_PAPI}")
    assert "table (" in out and "heading   roman I" in out
