"""The block model (pipelines/sources/plans/blocks.py): one pass turns any layout's text into headings, items, paragraphs
and tables with their column roles, each with its lines; the readers label these blocks."""

from __future__ import annotations

import subprocess
import sys

from pipelines.sources.plans.blocks import blocks_of_text
from pipelines.sources.plans.decode import decode_document
from pipelines.sources.plans.plan import parse_plan
from tests.conftest import HANOI_PAPI, PROJECT


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
        [sys.executable, "-m", "pipelines.sources.plans.blocks", str(HANOI_PAPI)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines()[0].startswith(f"# {HANOI_PAPI}")
    assert "table (" in out and "heading   roman I" in out


def _bar_table(rows: list[list[str]]) -> str:
    """A portal scrape's table: '|' before every cell, the cell's words after it, '|' twice between rows."""
    return "|\n".join("".join(f"|\n{c}\n" for c in r) for r in rows)


def test_a_scraped_table_with_merged_cells_and_a_second_table_glued_to_it():
    """Two appendix tables as a portal scrapes them (the shape of a national action plan's appendices): the first
    has a group column beside the task ('Thuộc nhóm nhiệm vụ'), capital group rows ('A.' | 'BỘ …'), a row with an
    empty number cell ('|' three times), and sub-rows whose number, agencies and group are merged with the row
    above (only their last three cells are printed). The second table's title and header follow the last cell with
    no row break. Each row lands in its columns, and the second table is a table of its own with its roles."""
    first = _bar_table(
        [
            ["**STT**", "**Cơ quan chủ trì**", "**Cơ quan phối hợp**", "**Thuộc nhóm nhiệm vụ**"]
            + ["**Nội dung nhiệm vụ**", "**Chỉ tiêu đạt được**", "**Thời hạn hoàn thành**"],
            ["**A.**", "**BỘ TÀI CHÍNH**"],
            ["1", "Bộ Tài chính", "Bộ Nội vụ", "Hoàn thiện chính sách"]
            + ["Ban hành nghị định về phí bảo vệ môi trường", "Nghị định được ban hành", "Năm 2026"],
            ["Rà soát các quy định về thuế đối với phương tiện", "Báo cáo rà soát", "Năm 2027"],
            ["**B.**", "**BỘ Y TẾ**"],
        ]
    )
    # the next row's number cell is empty: '|' three times before its first words
    first += "|\n|\n|\nBộ Y tế\n|\nBộ Giáo dục và Đào tạo\n|\nNâng cao năng lực\n|\n"
    first += "Xây dựng hồ sơ sức khỏe cộng đồng\n|\nHồ sơ được xây dựng\n|\nGiai đoạn 2026 - 2030\n"
    second = _bar_table(
        [
            ["**STT**", "**Tên dự án, nhiệm vụ**", "**Cơ quan chủ trì**", "**Thời gian thực hiện**"],
            ["1", "Dự án quan trắc tự động không khí quốc gia", "Bộ Nông nghiệp và Môi trường", "2026 - 2030"],
        ]
    )
    text = first + "|\n**PHỤ LỤC II**\nDANH MỤC CÁC NHIỆM VỤ, DỰ ÁN ƯU TIÊN THỰC HIỆN KẾ HOẠCH HÀNH ĐỘNG QUỐC GIA\n"
    text += second
    tables = [b for b in blocks_of_text(text).blocks if b.kind == "table"]
    assert [t.roles for t in tables] == [
        ("ref", "lead", "support", "section", "task", "output", "timeline"),
        ("ref", "task", "lead", "timeline"),
    ]
    rows = [[c.text for c in r] for r in tables[0].table.rows]
    assert rows[1][4:] == ["Ban hành nghị định về phí bảo vệ môi trường", "Nghị định được ban hành", "Năm 2026"]
    # the sub-row: its printed cells are the last three columns, the merged ones blank
    assert rows[2] == [
        "",
        "",
        "",
        "",
        "Rà soát các quy định về thuế đối với phương tiện",
        "Báo cáo rà soát",
        "Năm 2027",
    ]
    # the group row stands alone; the row after it has an empty number and its agency in the lead column
    assert rows[3][:2] == ["B.", "BỘ Y TẾ"] and not any(rows[3][2:])
    assert rows[4][:2] == ["", "Bộ Y tế"] and rows[4][4] == "Xây dựng hồ sơ sức khỏe cộng đồng"
    # the title between the tables belongs to neither
    assert rows[4][6] == "Giai đoạn 2026 - 2030"
    assert [[c.text for c in r] for r in tables[1].table.rows] == [
        ["1", "Dự án quan trắc tự động không khí quốc gia", "Bộ Nông nghiệp và Môi trường", "2026 - 2030"]
    ]
    tasks = parse_plan(text).tasks
    assert [(t.task_text[:40], t.lead_as_written, t.timeline_text) for t in tasks] == [
        ("Ban hành nghị định về phí bảo vệ môi trư", "Bộ Tài chính", "Năm 2026"),
        ("Rà soát các quy định về thuế đối với phư", "Bộ Tài chính", "Năm 2027"),
        ("Xây dựng hồ sơ sức khỏe cộng đồng", "Bộ Y tế", "Giai đoạn 2026 - 2030"),
        ("Dự án quan trắc tự động không khí quốc g", "Bộ Nông nghiệp và Môi trường", "2026 - 2030"),
    ]


# A table laid out by spaces, as `pdftotext -layout` gives a PDF's appendix: wrapped cells, a header label wrapped
# under itself, a page break (page number, the header again), a long Roman number one space from its group's words.
SPACED = """III. NHIỆM VỤ, GIẢI PHÁP

TT   Nhiệm vụ                                        Cơ quan chủ trì         Cơ quan phối hợp          Thời hạn
                                                                                                       hoàn thành
I    CHI PHÍ GIA NHẬP THỊ TRƯỜNG
1.   Thực hiện đăng ký doanh nghiệp qua mạng điện    Sở Tài chính            Thuế tỉnh; Trung tâm      Thường xuyên
     tử; hướng dẫn doanh nghiệp sử dụng chữ ký số                            Phục vụ hành chính công
     khi nộp hồ sơ                                                           tỉnh

                                               1
TT   Nhiệm vụ                                        Cơ quan chủ trì         Cơ quan phối hợp          Thời hạn
                                                                                                       hoàn thành
2.   Rút ngắn thời gian cấp giấy chứng nhận đăng ký  Sở Tài chính            Ban Quản lý Khu kinh tế   Năm 2026
     đầu tư                                                                  tỉnh
VIII DỊCH VỤ HỖ TRỢ DOANH NGHIỆP
3.   Hỗ trợ doanh nghiệp nhỏ và vừa tham gia hội     Sở Công Thương          Hiệp hội Doanh nghiệp     Năm 2026
     chợ, triển lãm                                                          tỉnh

IV. TỔ CHỨC THỰC HIỆN
Sở Tài chính là cơ quan thường trực, theo dõi, tổng hợp kết quả thực hiện Kế hoạch này, báo cáo định kỳ.
"""


def test_a_table_laid_out_by_spaces():
    tables = [b.table for b in blocks_of_text(SPACED).blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].reader == "column_table"
    t = tables[0]
    assert t.header == ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn hoàn thành"]
    rows = [[c.text for c in r] for r in t.rows]
    assert rows[1] == [
        "1.",
        "Thực hiện đăng ký doanh nghiệp qua mạng điện tử; hướng dẫn doanh nghiệp sử dụng chữ ký số khi nộp hồ sơ",
        "Sở Tài chính",
        "Thuế tỉnh; Trung tâm Phục vụ hành chính công tỉnh",
        "Thường xuyên",
    ]
    # across the page break: no page number, no second header, no "hoàn thành" in the next row's time cell
    assert rows[2][1:] == ["Rút ngắn thời gian cấp giấy chứng nhận đăng ký đầu tư", "Sở Tài chính"] + [
        "Ban Quản lý Khu kinh tế tỉnh",
        "Năm 2026",
    ]
    assert rows[3][:2] == ["VIII", "DỊCH VỤ HỖ TRỢ DOANH NGHIỆP"]
    assert t.line_end == 17  # the heading and the prose after it are not the table's
    tasks = parse_plan(SPACED).tasks
    assert [(t.task_ref, t.lead_as_written, t.section_as_written) for t in tasks] == [
        ("1", "Sở Tài chính", "CHI PHÍ GIA NHẬP THỊ TRƯỜNG"),
        ("2", "Sở Tài chính", "CHI PHÍ GIA NHẬP THỊ TRƯỜNG"),
        ("3", "Sở Công Thương", "DỊCH VỤ HỖ TRỢ DOANH NGHIỆP"),
    ]


def test_one_task_written_downwards_in_a_table_of_its_own():
    """Each task as its own two-column table (label | value), under the heading of its index's component."""
    text = "III. NHIỆM VỤ CỤ THỂ\n1. Chỉ số Chi phí gia nhập thị trường\n\n"
    for n, (task, lead) in enumerate(
        [
            ("Đẩy mạnh đăng ký doanh nghiệp qua mạng", "Sở Tài chính"),
            ("Công bố danh mục thủ tục hành chính", "Văn phòng UBND tỉnh"),
        ],
        1,
    ):
        text += (
            f"| Nhiệm vụ 1.{n} | {task} |\n| Cơ quan chủ trì | {lead} |\n| Cơ quan phối hợp | Các sở, ban, ngành |\n"
        )
        text += "| Thời hạn hoàn thành | Quý I/2026 |\n\n"
    text += "2. Chỉ số Tiếp cận đất đai\n\n| Nhiệm vụ 2.1 | Công khai quỹ đất sạch |\n| Chủ trì | Sở Nông nghiệp và Môi trường |\n"
    text += "| Thời gian | Quý II/2026 |\n"
    tasks = parse_plan(text).tasks
    assert [(t.task_ref, t.task_text, t.lead_as_written, t.timeline_text, t.section_as_written) for t in tasks] == [
        (
            "1.1",
            "Đẩy mạnh đăng ký doanh nghiệp qua mạng",
            "Sở Tài chính",
            "Quý I/2026",
            "Chỉ số Chi phí gia nhập thị trường",
        ),
        (
            "1.2",
            "Công bố danh mục thủ tục hành chính",
            "Văn phòng UBND tỉnh",
            "Quý I/2026",
            "Chỉ số Chi phí gia nhập thị trường",
        ),
        ("2.1", "Công khai quỹ đất sạch", "Sở Nông nghiệp và Môi trường", "Quý II/2026", "Chỉ số Tiếp cận đất đai"),
    ]
