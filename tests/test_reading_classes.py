"""Reading rules that hold for any province and layout (issue 23), each on a short text in the shape real plans use:
role sub-headings under an agency heading, tagged roles in one cell, a table of work done, the closing formula and a
signer who signs in person, the portal's own lines around a document."""

from __future__ import annotations

from pipelines.sources.plans.plan import parse_plan

AGENCY_ROLES = """V. TỔ CHỨC THỰC HIỆN

1. Sở Công Thương

a) Chủ trì, phối hợp với các sở, ban, ngành, UBND các xã, phường

- Tổ chức chương trình tập huấn kiến thức về thương mại điện tử.

- Tổ chức các hoạt động kết nối giao thương trong và ngoài nước.

b) Phối hợp với Sở Nông nghiệp và Môi trường

- Hỗ trợ các nhà đầu tư phát triển hạ tầng thương mại.

2. Sở Khoa học và Công nghệ

Chủ trì, phối hợp với các cơ quan, đơn vị có liên quan:

- Triển khai các chính sách khuyến khích đổi mới công nghệ.
"""


def test_role_sub_headings_under_an_agency_give_its_tasks_their_partners():
    tasks = parse_plan(AGENCY_ROLES).tasks
    assert [(t.task_text[:30].strip(), t.lead_as_written, t.support_as_written) for t in tasks] == [
        ("Tổ chức chương trình tập huấn", "Sở Công Thương", "các sở, ban, ngành, UBND các xã, phường"),
        ("Tổ chức các hoạt động kết nối", "Sở Công Thương", "các sở, ban, ngành, UBND các xã, phường"),
        ("Hỗ trợ các nhà đầu tư phát tri", "Sở Công Thương", "Sở Nông nghiệp và Môi trường"),
        ("Triển khai các chính sách khuy", "Sở Khoa học và Công nghệ", "các cơ quan, đơn vị có liên quan"),
    ]


TAGGED = """II. NHIỆM VỤ CỤ THỂ

| STT | Nhiệm vụ | Cơ quan thực hiện | Thời gian |
|---|---|---|---|
| 1 | Phổ biến Luật Thực hiện dân chủ ở cơ sở | Sở Tư pháp (chủ trì), Sở Văn hóa, Thể thao và Du lịch, UBND các xã (phối hợp) | Năm 2026 |
| 2 | Sửa chữa phòng học | Sở Giáo dục và Đào tạo, UBND các xã (đồng chủ trì); Sở Tài chính (phối hợp) | Quý III/2026 |
"""


def test_names_tagged_with_their_roles_in_one_cell():
    tasks = parse_plan(TAGGED).tasks
    assert [(t.lead_as_written, t.support_as_written) for t in tasks] == [
        ("Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch, UBND các xã"),
        ("Sở Giáo dục và Đào tạo, UBND các xã", "Sở Tài chính"),
    ]


REPORT_AND_PLAN = """Phụ lục I
KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2025

| STT | Nhiệm vụ | Cơ quan chủ trì | Thời gian | Kết quả thực hiện |
| 1 | Khảo sát sự hài lòng đối với dịch vụ hành chính công | Sở Nội vụ | Quý III/2025 | Hoàn thành |

Phụ lục II
PHÂN CÔNG NHIỆM VỤ NĂM 2026

| STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |
| 1 | Tổ chức khảo sát sự hài lòng năm 2026 | Sở Nội vụ | Văn phòng UBND tỉnh | Quý III/2026 |
"""


def test_a_table_of_work_done_gives_no_task():
    parsed = parse_plan(REPORT_AND_PLAN)
    assert [t.task_text for t in parsed.tasks] == ["Tổ chức khảo sát sự hài lòng năm 2026"]
    assert "report_table_not_tasks" in {f.rule for f in parsed.findings}


DIRECTIVE_END = """**17.** Giao Sở Nội vụ chủ trì, phối hợp với Sở Nông nghiệp và Môi trường tham
mưu khen thưởng tập thể, cá nhân có thành tích.

**18.** Đề nghị Ủy ban MTTQ Việt Nam tỉnh vận động hội viên ký cam kết không sử dụng lửa trong rừng;
thực hiện trước ngày 31/3/2026.

Yêu cầu Giám đốc các sở, Thủ trưởng các cơ quan, đơn vị và Chủ tịch UBND các
xã, phường nghiêm túc triển khai thực hiện Chỉ thị này./.

**CHỦ TỊCH**

(Đã ký)

Tin liên quan:
- [Ra quân bảo vệ rừng mùa khô](/tin-tuc/ra-quan-bao-ve-rung)

CỔNG THÔNG TIN ĐIỆN TỬ TỈNH - Cơ quan chủ quản: Văn phòng UBND tỉnh
"""


def test_the_closing_formula_the_signer_and_the_portal_lines_are_nobody_s_work():
    tasks = parse_plan(DIRECTIVE_END).tasks
    assert [(t.task_ref, t.line_start, t.line_end) for t in tasks] == [("17", 1, 2), ("18", 4, 5)]
    assert tasks[1].lead_as_written == "Ủy ban MTTQ Việt Nam tỉnh"


GRID = """PHỤ LỤC
Chữ viết tắt: STP: Sở Tư pháp; SNV: Sở Nội vụ; CAT: Công an tỉnh. Ký hiệu: C - cơ quan chủ trì; P - cơ quan phối hợp.

| STT | Nội dung hoạt động | Cơ quan thực hiện |  |  | Đơn vị khác phối hợp | Thời gian |
|  |  | STP | SNV | CAT |  |  |
| I | CÔNG TÁC CHỈ ĐẠO |  |  |  |  |  |
| 1 | Ban hành Kế hoạch hoạt động của Hội đồng phối hợp phổ biến pháp luật | C | P |  | - | Tháng 01/2026 |
| 2 | Phổ biến pháp luật về xuất nhập cảnh cho cư dân các xã biên giới |  | P | C | Tỉnh đoàn | Quý II/2026 |
"""


def test_an_assignment_grid_of_marks_under_abbreviated_bodies():
    """One column per body, named by an abbreviation the legend above the table spells out; 'C' marks the lead,
    'P' a partner, beside a column of other partners."""
    tasks = parse_plan(GRID).tasks
    assert [(t.task_ref, t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        ("1", "Sở Tư pháp", "Sở Nội vụ", "Tháng 01/2026"),
        ("2", "Công an tỉnh", "Sở Nội vụ; Tỉnh đoàn", "Quý II/2026"),
    ]


def test_a_clause_that_only_makes_bodies_answer_for_the_plan_is_no_task():
    text = """IV. TỔ CHỨC THỰC HIỆN
1. Các sở, ban, ngành, Ủy ban nhân dân các xã, phường chịu trách nhiệm thực hiện Kế hoạch này.
2. Sở Tài chính và Ủy ban nhân dân các xã, phường bố trí ngân sách để thực hiện Kế hoạch này.
3. Các cơ quan, đơn vị được phân công nhiệm vụ có trách nhiệm thực hiện nghiêm túc theo đúng tiến độ, chất lượng.
4. Các cơ quan, đơn vị được giao chủ trì có trách nhiệm hoàn thành nhiệm vụ được phân công, bảo đảm tiến độ và nội
dung công việc, các cơ quan phối hợp có trách nhiệm phối hợp với cơ quan chủ trì thực hiện các nhiệm vụ được giao.
5. Sở Tài chính có trách nhiệm thực hiện kiểm kê tài sản công của tỉnh.
"""
    assert [t.task_ref for t in parse_plan(text).tasks] == ["2", "5"]


def test_an_item_a_list_says_again_for_the_same_body_counts_once():
    text = """IV. TỔ CHỨC THỰC HIỆN
5. Các sở ngành liên quan
- Phối hợp với các sở, ngành, đơn vị có liên quan thu thập, biên tập, chuẩn hóa dữ liệu quy hoạch thuộc phạm vi quản lý.
- Cung cấp, kết nối, chia sẻ dữ liệu chuyên ngành thuộc phạm vi quản lý.
- Phối hợp thu thập, biên tập, chuẩn hóa dữ liệu quy hoạch.
"""
    parsed = parse_plan(text)
    assert [t.line_start for t in parsed.tasks] == [3, 4]
    assert "item_repeated" in {f.rule for f in parsed.findings}


NESTED = """**IV. TỔ CHỨC THỰC HIỆN**

**1. Các cơ quan đăng ký đầu tư (Sở Tài chính, Ban Quản lý các Khu công nghiệp tỉnh):**

a) Là đầu mối chủ trì, tiếp nhận hồ sơ, tổ chức lấy ý kiến thẩm định dự án.

**2. Các sở, ban, ngành, địa phương: Là các đơn vị được lấy ý kiến, chịu trách nhiệm các nội dung sau:**

**2.1. Trách nhiệm chung**

a) Đánh giá sự phù hợp của dự án đầu tư với quy hoạch tỉnh.

**3. Đề nghị: Hiệp hội Doanh nghiệp tỉnh, Hội Nông dân tỉnh**

a) Tuyên truyền, vận động hội viên tham gia chuyển đổi số.

4. Các cơ quan được phân công chủ trì thực hiện nhiệm vụ báo cáo kết quả trước ngày 15/12 hằng năm.

Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh về Sở Tài chính để tổng hợp.

**PHỤ LỤC**

DANH MỤC NHIỆM VỤ TRỌNG TÂM

*(Kèm theo Kế hoạch số 617/KH-UBND ngày 01/12/2025)*
"""


def test_agency_headings_in_the_shapes_real_plans_print_them():
    """A description named by the bodies in brackets; an agency before a lead-in sentence, over parts of its work;
    'Đề nghị:' with a colon; 'Các cơ quan được phân công chủ trì' as a subject. The routine 'nếu có khó khăn,
    vướng mắc' paragraph and the appendix's title are nobody's work."""
    from pipelines.normalise.agencies import resolve

    tasks = parse_plan(NESTED).tasks
    got = [(t.task_text[:20], sorted(m.code for m in resolve(t.lead_as_written, "lead").mentions)) for t in tasks]
    assert got == [
        ("Là đầu mối chủ trì, ", ["BQL_KCN", "SO_TAI_CHINH"]),
        ("Đánh giá sự phù hợp ", ["G_DIA_PHUONG", "G_SO_BAN_NGANH"]),
        ("Tuyên truyền, vận độ", ["HIEP_HOI_DN", "HOI_NONG_DAN"]),
        ("Các cơ quan được phâ", ["G_CO_QUAN_DON_VI"]),
    ]


def test_a_target_belongs_to_the_index_or_component_its_clause_names():
    """Targets for several indices or components in one sentence: each goes to the one its own clause names last."""
    from pipelines.normalise.targets import find_targets

    line = (
        "Phấn đấu Chỉ số PCI năm 2026 của tỉnh đạt từ 67 điểm trở lên; trong đó Chỉ số Chi phí thời gian đạt trên "
        "7,2 điểm, Chỉ số Chi phí không chính thức đạt từ 6,9 điểm trở lên."
    )
    assert [(h.comparator, h.value, h.indicator_hint) for h in find_targets(line)] == [
        (">=", 67.0, "PCI.TOTAL"),
        (">", 7.2, "PCI.TIME_COSTS"),
        (">=", 6.9, "PCI.INFORMAL_CHARGES"),
    ]
    line = "Năm 2026, Chỉ số SIPAS của tỉnh đạt từ 87% trở lên; Chỉ số PAR INDEX đạt từ 88% trở lên."
    assert [(h.value, h.unit, h.indicator_hint) for h in find_targets(line)] == [
        (87.0, "percent", "SIPAS.TOTAL"),
        (88.0, "percent", "PAR.TOTAL"),
    ]


def test_a_table_that_gives_each_component_its_target():
    from pipelines.normalise.table_targets import find_table_targets

    lines = """| TT | Chỉ số nội dung | Điểm năm 2024 | Chỉ tiêu phấn đấu năm 2026 |
|---|---|---|---|
| 1 | Tham gia của người dân ở cấp cơ sở | 5,11 | ≥ 5,45 |
| 2 | Công khai, minh bạch trong việc ra quyết định ở địa phương | 5,58 | Từ 5,90 trở lên |
| 3 | Trách nhiệm giải trình với người dân | 4,36 | Trên 4,75 |
| | **Tổng điểm PAPI** | 42,61 | ≥ 44,50 |""".split("\n")
    got = [(t.line, t.component[:12], t.comparator, t.value, t.unit, t.year) for t in find_table_targets(lines)]
    assert got == [
        (3, "Tham gia của", ">=", 5.45, "points", 2026),
        (4, "Công khai, m", ">=", 5.9, "points", 2026),
        (5, "Trách nhiệm ", ">", 4.75, "points", 2026),
        (6, "Tổng điểm PA", ">=", 44.5, "points", 2026),
    ]


def test_the_routine_paragraph_ends_where_the_next_item_begins():
    """A scrape without blank lines: the 'nếu có khó khăn, vướng mắc' paragraph is nobody's work, the item right
    after it still is."""
    text = """IV. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính bố trí kinh phí thực hiện Kế hoạch theo quy định.
2. Trong quá trình triển khai thực hiện Kế hoạch này, nếu
có khó khăn, vướng mắc, các sở, ngành kịp thời phản ánh về Sở Nội vụ để tổng hợp
3. Sở Nội vụ theo dõi, đôn đốc, tổng hợp kết quả thực hiện, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12.
"""
    assert [t.task_ref for t in parse_plan(text).tasks] == ["1", "3"]
