"""Layouts the seed plans do not contain. The texts below are SYNTHETIC fixtures written for these
robustness tests (they recombine wording of the real plans); they are not data and never enter the warehouse."""

from __future__ import annotations

import pytest

from pipelines.sources.plans.plan import PlanParseError, parse_plan

SYNTHETIC_TAB_HTML = "\n".join(
    [
        "SYNTHETIC TEST FIXTURE - not a real plan",
        "KẾ HOẠCH",
        "Cải thiện Chỉ số PAPI năm 2022",
        "II. NHIỆM VỤ VÀ GIẢI PHÁP",
        "STT\tNhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành",
        "1\t<p>Rà soát thủ tục hành chính</p><ul><li>cấp xã</li><li>cấp huyện</li></ul>\tVăn phòng UBND tỉnh\tSở Tư pháp\tQuý II năm 2022",
        "2\t<ol><li>Khảo sát sự hài lòng</li></ol>\tSở Nội vụ\t&nbsp;\tTháng 12/2022",
        "STT\tNhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành",
        "3\tCông khai danh sách hộ nghèo\tSở LĐTB&amp;XH\tUBND cấp huyện\tThường xuyên",
    ]
)


def test_tab_rows_with_html_cells_and_repeated_header():
    p = parse_plan(SYNTHETIC_TAB_HTML)
    assert [t.task_ref for t in p.tasks] == ["1", "2", "3"]  # the repeated header row is not a task
    t1, t2, t3 = p.tasks
    assert t1.task_text == "Rà soát thủ tục hành chính - cấp xã - cấp huyện"
    assert (t1.lead_as_written, t1.support_as_written, t1.timeline_text) == (
        "Văn phòng UBND tỉnh",
        "Sở Tư pháp",
        "Quý II năm 2022",
    )
    assert (t2.task_text, t2.support_as_written, t2.line_start) == ("- Khảo sát sự hài lòng", None, 7)
    assert (t3.lead_as_written, t3.timeline_text, t3.line_start) == ("Sở LĐTB&XH", "Thường xuyên", 9)
    assert {t.reader for t in p.tasks} == {"tab_table"}


def test_text_without_tasks_is_refused_with_a_reason():
    try:
        parse_plan("SYNTHETIC TEST FIXTURE\nKính gửi các sở, ngành.\nĐề nghị báo cáo trước ngày 15/12.")
    except PlanParseError as e:
        assert "no tasks found" in str(e)
    else:
        raise AssertionError("expected PlanParseError")


# SYNTHETIC: the shapes published files give once their tables are read as cells (docx/pdf/html adapters)
SYNTHETIC_PUBLISHED_TABLES = "\n".join(
    [
        "SYNTHETIC TEST FIXTURE - not a real plan",
        "KẾ HOẠCH",
        "Nâng cao Chỉ số PCI tỉnh Tây Ninh năm 2024",
        "I. KẾT QUẢ NĂM 2023",
        "",
        "| STT | Lĩnh vực/Tiêu chí | Điểm tối đa | Điểm đạt |",
        "| 1 | Công tác chỉ đạo, điều hành | 13,00 | 12,00 |",
        "| 1.1 | Kế hoạch CCHC năm | 2,00 | 1,83 |",
        "| 2 | Cải cách thể chế | 8,00 | 7,32 |",
        "",
        "II. NHIỆM VỤ, GIẢI PHÁP",
        "",
        "| STT | Chỉ số thành phần | Nhiệm vụ, giải pháp | Cơ quan thực hiện |  | Thời gian |",
        "|  |  |  | Chủ trì | Phối hợp |  |",
        "| (1) | (2) | (3) | (4) | (5) | (6) |",
        "| I. NHÓM CHỈ SỐ VỀ CHI PHÍ |  |  |  |  |  |",
        "| 1 | Chi phí gia nhập thị trường | Rút ngắn thời gian đăng ký doanh nghiệp | Sở Kế hoạch và Đầu tư | Cục Thuế tỉnh | Năm 2024 |",
        "| 2 |  | Đăng ký doanh nghiệp qua mạng đạt 100% |  | Công an tỉnh |  |",
        "| Ghi chú: các huyện tự bố trí kinh phí |  |  |  |  |  |",  # alone in the first cell: not a heading
        "| 3 | Chi phí thời gian | Không thanh tra quá 01 lần/năm đối với một doanh nghiệp | Thanh tra tỉnh |  | Thường xuyên |",
    ]
)


def test_published_table_shapes():
    """A table of figures is results, not tasks; the two-row header gives 'Chủ trì' and 'Phối hợp' their columns;
    the column-numbering row is skipped; a row spanning the table (its text in the number cell) heads a group, so
    the merged lead, timeline and sub-index cells below fill within it."""
    p = parse_plan(SYNTHETIC_PUBLISHED_TABLES)
    assert [t.task_ref for t in p.tasks] == ["1", "2", "3"]
    t1, t2, t3 = p.tasks
    assert (t1.lead_as_written, t1.support_as_written, t1.subsection_as_written) == (
        "Sở Kế hoạch và Đầu tư",
        "Cục Thuế tỉnh",
        "Chi phí gia nhập thị trường",
    )
    assert (t2.lead_as_written, t2.support_as_written, t2.timeline_text, t2.subsection_as_written) == (
        "Sở Kế hoạch và Đầu tư",
        "Công an tỉnh",
        "Năm 2024",
        "Chi phí gia nhập thị trường",
    )
    assert (t3.section_as_written, t3.subsection_as_written) == ("NHÓM CHỈ SỐ VỀ CHI PHÍ", "Chi phí thời gian")
    assert any(f.rule == "table_of_figures" for f in p.findings)


@pytest.mark.parametrize(
    "head",
    [
        # SYNTHETIC mastheads as the adapters give them: a Word/HTML borderless table, a PDF text layer's merged columns
        [
            "| ỦY BAN NHÂN DÂN<br>HUYỆN CAM LÂM<br>Số: 12/KH-UBND | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>"
            "Độc lập - Tự do - Hạnh phúc<br>Cam Lâm, ngày 20 tháng 01 năm 2025 |"
        ],
        [
            "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "HUYỆN CAM LÂM Độc lập - Tự do - Hạnh phúc",
            "Số: 12/KH-UBND Cam Lâm, ngày 20 tháng 01 năm",
            "2025",
        ],
    ],
)
def test_two_column_masthead_of_published_files(head):
    import datetime as dt

    from pipelines.sources.plans.metadata import extract_metadata

    text = "\n".join(head + ["KẾ HOẠCH", "Nâng cao Chỉ số PAPI trên địa bàn huyện Cam Lâm, tỉnh Khánh Hòa năm 2025"])
    meta, _ = extract_metadata(text)
    assert (meta.doc_numbers, meta.issue_date, meta.issuer_level, meta.province_name) == (
        ["12/KH-UBND"],
        dt.date(2025, 1, 20),
        "district",
        "Khánh Hòa",
    )


def test_a_portal_news_item_is_not_a_plan():
    from pipelines.sources.plans.metadata import extract_metadata, not_a_plan

    text = "\n".join(
        [
            "Hội nghị triển khai Kế hoạch nâng cao Chỉ số PAPI năm 2024",
            "22/03/2024 16:20 Lượt xem: 512",
            "In bài viết",
            "(Cổng TTĐT) - Sáng 22/3, UBND tỉnh tổ chức Hội nghị triển khai Kế hoạch số "
            "45/KH-UBND; mục tiêu Chỉ số PAPI đạt từ 44,5 điểm trở lên.",
            "Các tin khác",
        ]
    )
    meta, _ = extract_metadata(text)
    assert (meta.doc_type, meta.issue_date.isoformat()) == ("Tin bài", "2024-03-22")
    assert "news item" in not_a_plan(meta, text.split("\n"))


def test_a_task_table_with_a_budget_column_is_not_a_table_of_figures():
    """SYNTHETIC: short tasks beside a column of amounts are still tasks when the column says 'Nhiệm vụ'."""
    text = "\n".join(
        [
            "KẾ HOẠCH",
            "Nâng cao Chỉ số PAPI năm 2024",
            "II. NHIỆM VỤ",
            "",
            "| STT | Nhiệm vụ | Kinh phí (triệu đồng) |",
            "| 1 | Tập huấn cán bộ xã | 120 |",
            "| 2 | In tờ rơi tuyên truyền | 35,5 |",
            "| 3 | Khảo sát người dân | 200 |",
        ]
    )
    p = parse_plan(text)
    assert [t.task_text for t in p.tasks] == ["Tập huấn cán bộ xã", "In tờ rơi tuyên truyền", "Khảo sát người dân"]
    assert not any(f.rule == "table_of_figures" for f in p.findings)


def test_group_rows_whose_text_lands_in_the_column_after_the_number():
    """SYNTHETIC: a table that puts the lead before the task; its spanning group rows keep their text in the
    first cell after the number (the lead column), and are headings, not agencies or tasks."""
    text = "\n".join(
        [
            "KẾ HOẠCH",
            "Nâng cao Chỉ số PAPI tỉnh Gia Lai năm 2025",
            "II. NHIỆM VỤ, GIẢI PHÁP",
            "",
            "| STT | Cơ quan chủ trì | Nội dung nhiệm vụ | Cơ quan phối hợp | Thời gian hoàn thành |",
            "| I | THAM GIA CỦA NGƯỜI DÂN Ở CẤP CƠ SỞ |  |  |  |",
            "| 1. | Sở Nội vụ | Hướng dẫn bầu cử trưởng thôn dân chủ, công khai | UBND cấp huyện | Quý II/2025 |",
            "| II | CÔNG KHAI, MINH BẠCH TRONG VIỆC RA QUYẾT ĐỊNH Ở ĐỊA PHƯƠNG |  |  |  |",
            "| 2. | Sở Tài nguyên và Môi trường | Công khai bảng giá đất tại trụ sở UBND xã | UBND cấp huyện | 30/6/2025 |",
        ]
    )
    p = parse_plan(text)
    assert [(t.task_ref, t.section_as_written, t.lead_as_written) for t in p.tasks] == [
        ("1", "THAM GIA CỦA NGƯỜI DÂN Ở CẤP CƠ SỞ", "Sở Nội vụ"),
        ("2", "CÔNG KHAI, MINH BẠCH TRONG VIỆC RA QUYẾT ĐỊNH Ở ĐỊA PHƯƠNG", "Sở Tài nguyên và Môi trường"),
    ]


def _grouped_table(numbers: list[list[int]]) -> str:
    """SYNTHETIC: an appendix table with Roman group rows and the given row numbers in each group."""
    rows = [
        "KẾ HOẠCH",
        "Nâng cao Chỉ số PAPI tỉnh Gia Lai năm 2025",
        "II. NHIỆM VỤ, GIẢI PHÁP",
        "",
        "| STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Thời gian |",
    ]
    names = [
        "THAM GIA CỦA NGƯỜI DÂN Ở CẤP CƠ SỞ",
        "CÔNG KHAI, MINH BẠCH",
        "TRÁCH NHIỆM GIẢI TRÌNH",
        "KIỂM SOÁT THAM NHŨNG TRONG KHU VỰC CÔNG",
    ]
    for roman, name, nums in zip(["I", "II", "III", "IV"], names, numbers):
        rows.append(f"| {roman} | {name} |  |  |")
        rows += [f"| {n}. | Nhiệm vụ số {n} của nhóm {roman} về cải cách | Sở Nội vụ | Năm 2025 |" for n in nums]
    return "\n".join(rows)


@pytest.mark.parametrize(
    "numbers, gaps",
    [
        ([[1, 2], [3, 4], [6, 7], [8]], [6]),  # numbered straight through its groups: 5 is missing
        ([[1, 2], [1, 2], [1, 2, 3], [1]], []),  # restarts in each group: nothing is skipped
    ],
)
def test_a_number_skipped_between_groups_of_a_table_numbered_straight_through(numbers, gaps):
    from pipelines.sources.plans.contradictions import table_number_findings

    p = parse_plan(_grouped_table(numbers))
    found = [f.message for f in table_number_findings(p.tasks) if f.rule == "numbering_gap"]
    assert [int(m.split()[1]) for m in found] == gaps
