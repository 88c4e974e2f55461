"""Reading rules of issue 23 found on the real_plans10 batch, each a class on a short invented text in the shape real
plans use: a task record written as lettered fields, an item that only numbers the work its content field gives, a
lead-in that announces the work below it, clauses that only say to carry the plan out, the plan's "Trên đây là"
paragraph and the footnotes printed after the signature. Each fails on the reader before the rule."""

from __future__ import annotations

from pipelines.sources.plans.lines import never_work_lines
from pipelines.sources.plans.plan import parse_plan

LETTERED_FIELDS = """II. NHIỆM VỤ

1. Về hạ tầng số

a) Nhiệm vụ: Nâng cấp Trung tâm dữ liệu của tỉnh bảo đảm an toàn thông tin.

b) Cơ quan thực hiện:

- Đơn vị chủ trì: Sở Khoa học và Công nghệ.

- Đơn vị phối hợp: Các sở, ban, ngành.

c) Thời gian thực hiện: Quý II/2026.

2. Về dữ liệu

a) Nhiệm vụ:

- Rà soát, chuẩn hóa cơ sở dữ liệu chuyên ngành.

- Kết nối dữ liệu với Trung tâm dữ liệu quốc gia.

b) Cơ quan thực hiện:

- Đơn vị chủ trì: Các sở, ban, ngành.

- Đơn vị phối hợp: Công an tỉnh.

c) Thời gian thực hiện: Năm 2026.
"""


def test_a_task_record_written_as_lettered_fields():
    tasks = parse_plan(LETTERED_FIELDS).tasks
    assert [(t.task_text[:25], t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        ("Nâng cấp Trung tâm dữ liệ", "Sở Khoa học và Công nghệ", "Các sở, ban, ngành", "Quý II/2026"),
        ("Rà soát, chuẩn hóa cơ sở ", "Các sở, ban, ngành", "Công an tỉnh", "Năm 2026"),
        ("Kết nối dữ liệu với Trung", "Các sở, ban, ngành", "Công an tỉnh", "Năm 2026"),
    ]


NUMBERED_ACTIVITIES = """III. NỘI DUNG HOẠT ĐỘNG

1. Nâng cao nhận thức về bình đẳng giới

a) Hoạt động 1

- Nội dung: Tổ chức Tháng hành động vì bình đẳng giới trên địa bàn tỉnh.

- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với các sở, ban, ngành.

b) Hoạt động 2

- Nội dung: Lồng ghép nội dung bình đẳng giới trong chương trình giáo dục.

- Cơ quan thực hiện: Sở Giáo dục và Đào tạo chủ trì, phối hợp với Tỉnh đoàn.

c) Hoạt động 3

- Nội dung:

+ Tổng kết mô hình một cửa hỗ trợ phụ nữ và trẻ em tại bệnh viện tỉnh.

+ Tập huấn nâng cao năng lực cho nhân viên công tác xã hội.

- Cơ quan thực hiện: Sở Y tế chủ trì, phối hợp với các sở, ban, ngành.
"""


def test_an_item_that_only_numbers_its_work_takes_the_content_field_as_its_text():
    tasks = parse_plan(NUMBERED_ACTIVITIES).tasks
    assert [(t.task_text[:30], t.lead_as_written) for t in tasks] == [
        ("Tổ chức Tháng hành động vì bìn", "Sở Nội vụ"),
        ("Lồng ghép nội dung bình đẳng g", "Sở Giáo dục và Đào tạo"),
        ("Tổng kết mô hình một cửa hỗ tr", "Sở Y tế"),  # an empty "Nội dung:" over points: each point a task
        ("Tập huấn nâng cao năng lực cho", "Sở Y tế"),
    ]


LEAD_IN = """V. TỔ CHỨC THỰC HIỆN

1. Giao Sở Nông nghiệp và Môi trường là cơ quan đầu mối, chủ trì, hướng dẫn thực hiện Đề án trên địa bàn tỉnh; tổ chức thực hiện các nhiệm vụ sau:

- Điều phối chung, đôn đốc việc triển khai Kế hoạch;

- Tổ chức đánh giá, báo cáo kết quả thực hiện hằng năm.

2. Ủy ban nhân dân các xã, phường chủ động bố trí kinh phí từ ngân sách địa phương để thực hiện Kế hoạch, tập trung một số nhiệm vụ cụ thể sau:

- Xây dựng kế hoạch phòng, chống thiên tai của địa phương.
"""


def test_a_lead_in_that_announces_the_work_below_gives_each_point_its_body():
    tasks = parse_plan(LEAD_IN).tasks
    assert [(t.task_text[:25], t.lead_as_written) for t in tasks] == [
        ("Điều phối chung, đôn đốc ", "Sở Nông nghiệp và Môi trường"),
        ("Tổ chức đánh giá, báo cáo", "Sở Nông nghiệp và Môi trường"),
        ("Xây dựng kế hoạch phòng, ", "Ủy ban nhân dân các xã, phường"),
    ]


CARRY_OUT = """IV. TỔ CHỨC THỰC HIỆN

1. Sở Y tế

Chủ trì, phối hợp với các sở, ngành tổ chức tập huấn cho cán bộ dân số cấp xã.

2. Các sở, ban, ngành

Căn cứ chức năng, nhiệm vụ, quyền hạn được giao tổ chức triển khai thực hiện Kế hoạch theo quy định.

3. Ủy ban nhân dân các xã, phường

- Trong phạm vi chức năng, nhiệm vụ của mình, tham gia phối hợp triển khai thực hiện Kế hoạch này.

- Bố trí cán bộ làm công tác dân số tại xã.

Trên đây là Kế hoạch thực hiện công tác dân số năm 2026. Trong quá trình tổ chức
thực hiện nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh về Sở Y tế để
tổng hợp, báo cáo Ủy ban nhân dân tỉnh./.
"""


def test_clauses_that_only_say_to_carry_the_plan_out_and_the_closing_paragraph_are_no_tasks():
    tasks = parse_plan(CARRY_OUT).tasks
    assert [(t.task_text[:25], t.lead_as_written) for t in tasks] == [
        ("Chủ trì, phối hợp với các", "Sở Y tế"),
        ("Bố trí cán bộ làm công tá", "Ủy ban nhân dân các xã, phường"),
    ]


FOOTNOTES = """3. Sở Tài chính bố trí kinh phí thực hiện Kế hoạch.

Nơi nhận:
- Như trên;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn A

[1]
Chương trình số 30-CTr/TU ngày 29/12/2017 của Thành ủy thực hiện Nghị
quyết số 21-NQ/TW.

[2] Chỉ thị số 27/CT-TTg ngày 15/7/2024 của Thủ tướng Chính phủ.

1. Sở Nội vụ tổ chức tập huấn cho cán bộ cấp xã.
"""


def test_footnotes_after_the_signature_are_never_work():
    lines = FOOTNOTES.split("\n")
    out = never_work_lines(lines)
    assert {11, 12, 13, 15} <= out  # "[1]", its two lines, "[2] …"
    assert 1 not in out and 17 not in out  # the tasks above the recipients and after the notes


BODY_AND_WORK = """III. PHÂN CÔNG NHIỆM VỤ

| Cơ quan, đơn vị | Nhiệm vụ được giao |
|---|---|
| **Sở Nội vụ** | a) Hướng dẫn các xã tổ chức lấy ý kiến Nhân dân (phối hợp: Ủy ban MTTQ Việt Nam tỉnh; thời hạn: Quý II/2026) |
| **UBND các xã, phường** | a) Công khai danh mục công trình có huy động đóng góp (thời hạn: thường xuyên)<br>b) Mời đại diện người dân dự họp xây dựng kế hoạch năm 2027 (thời hạn: Quý IV/2026) |

Biểu 2. Kết quả Chỉ số CCHC năm 2025 của các cơ quan, đơn vị

| TT | Cơ quan, đơn vị | Chỉ số (%) | Xếp hạng |
|---|---|---|---|
| 1 | Sở Tư pháp | 91,20 | 1 |
| 2 | Sở Nội vụ | 90,85 | 2 |
| 3 | Sở Tài chính | 89,10 | 3 |
"""


def test_a_column_of_bodies_beside_the_work_leads_it_and_a_cell_may_list_several_tasks():
    result = parse_plan(BODY_AND_WORK)
    assert [(t.task_text[:25], t.lead_as_written, t.support_as_written, t.timeline_text) for t in result.tasks] == [
        ("Hướng dẫn các xã tổ chức ", "Sở Nội vụ", "Ủy ban MTTQ Việt Nam tỉnh", "Quý II/2026"),
        ("Công khai danh mục công t", "UBND các xã, phường", None, "thường xuyên"),
        ("Mời đại diện người dân dự", "UBND các xã, phường", None, "Quý IV/2026"),
    ]
    # the same column beside figures is what a table of results ranks: no task
    assert any(f.rule == "table_of_figures" for f in result.findings)


KEYED = """PHỤ LỤC I

| Mã nhiệm vụ | Nội dung nhiệm vụ | Đơn vị chủ trì | Đơn vị phối hợp |
|---|---|---|---|
| 1 | Chỉ số Chi phí gia nhập thị trường |  |  |
| 1.1 | Rút ngắn thời gian cấp giấy chứng nhận đăng ký doanh nghiệp | Sở Tài chính | Thuế tỉnh |
| 1.2 | Liên thông thủ tục đăng ký doanh nghiệp và đăng ký thuế | Sở Tài chính | Thuế tỉnh |

PHỤ LỤC II

| Mã nhiệm vụ | Sản phẩm | Thời hạn hoàn thành |
|---|---|---|
| 1.1 | Kết quả rút ngắn thời gian được công bố | Quý II/2026 |
| 1.2 | Quy trình liên thông | Quý III/2026 |
| 9.9 | Báo cáo | Quý IV/2026 |
"""


def test_a_second_table_gives_more_fields_of_the_tasks_by_their_codes():
    result = parse_plan(KEYED)
    assert [(t.task_ref, t.lead_as_written, t.output_text, t.timeline_text) for t in result.tasks] == [
        ("1.1", "Sở Tài chính", "Kết quả rút ngắn thời gian được công bố", "Quý II/2026"),
        ("1.2", "Sở Tài chính", "Quy trình liên thông", "Quý III/2026"),
    ]
    (joined,) = [f for f in result.findings if f.rule == "keyed_table_joined"]
    assert "9.9" in joined.message  # a code no task has is said, not dropped silently


def test_a_raw_html_table_inside_a_markdown_file_is_read_as_a_page_table_and_keeps_its_line_numbers():
    from pipelines.sources.plans.formats import read_document

    text = "\n".join(
        [
            "II. NHIỆM VỤ",  # 1
            "",
            "<table>",  # 3
            "<thead>",
            '<tr class="header">',  # 5
            "<th>TT</th><th>Nhiệm vụ</th><th>Cơ quan chủ trì</th><th>Thời gian</th>",
            "</tr>",
            "</thead>",
            "<tbody>",
            "<tr>",  # 10
            "<td>1</td>",
            "<td><p>Ban hành kế hoạch tuyên truyền cải cách hành chính</p></td>",
            '<td rowspan="2">Sở Nội vụ</td>',
            "<td>Quý I/2026</td>",
            "</tr>",
            "<tr>",  # 16
            "<td>2</td>",
            "<td>Kiểm tra công tác cải cách hành chính tại các xã</td>",
            "<td>Quý III/2026</td>",
            "</tr>",
            "</tbody>",
            "</table>",  # 22
            "",
            "III. TỔ CHỨC THỰC HIỆN",  # 24
        ]
    )
    doc = read_document(text.encode(), "plan.md")
    lines = doc.text.split("\n")
    assert len(lines) == 24 and lines[23] == "III. TỔ CHỨC THỰC HIỆN"  # every line keeps its number
    assert lines[15] == "| 2 | Kiểm tra công tác cải cách hành chính tại các xã |  | Quý III/2026 |"  # rowspan: blank
    tasks = parse_plan(doc.text, file_tables=("txt", doc.tables)).tasks
    assert [(t.line_start, t.lead_as_written, t.timeline_text) for t in tasks] == [
        (10, "Sở Nội vụ", "Quý I/2026"),
        (16, "Sở Nội vụ", "Quý III/2026"),  # the merged lead cell above
    ]


BY_TIME = """III. LỘ TRÌNH VÀ PHÂN CÔNG THỰC HIỆN

a) Trong tháng 01/2026:
- Văn phòng UBND tỉnh (phối hợp: Sở Khoa học và Công nghệ): Công bố danh mục thủ tục hành chính tiếp nhận không phụ thuộc địa giới.
- Sở Nội vụ: Ban hành quy chế phối hợp giữa Trung tâm Phục vụ hành chính công và bộ phận một cửa cấp xã.

b) Từ tháng 7 đến tháng 9/2026:
- Sở Y tế: Triển khai sổ sức khỏe điện tử tại các trạm y tế xã.
"""


def test_headings_that_are_only_a_time_give_their_items_the_deadline_and_a_party_may_carry_its_partners():
    tasks = parse_plan(BY_TIME).tasks
    assert [(t.task_text[:20], t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        ("Công bố danh mục thủ", "Văn phòng UBND tỉnh", "Sở Khoa học và Công nghệ", "Trong tháng 01/2026"),
        ("Ban hành quy chế phố", "Sở Nội vụ", None, "Trong tháng 01/2026"),
        ("Triển khai sổ sức kh", "Sở Y tế", None, "Từ tháng 7 đến tháng 9/2026"),
    ]


BY_QUARTER = """II. NHIỆM VỤ

| TT | Nội dung công việc | Cơ quan thực hiện | Kết quả đầu ra |
|---|---|---|---|
| I | Quý I năm 2026 |  |  |
| 1 | Ban hành kế hoạch tuyên truyền về Chỉ số SIPAS | Sở Nội vụ, phối hợp với Báo và Phát thanh, Truyền hình tỉnh | Kế hoạch |
| 2 | Tập huấn kỹ năng giao tiếp cho công chức một cửa cấp xã | Sở Nội vụ (phối hợp: UBND các xã, phường) | Lớp tập huấn |
| II | Quý II năm 2026 |  |  |
| 3 | Kiểm tra đột xuất thái độ phục vụ của công chức | Sở Nội vụ; phối hợp: Thanh tra tỉnh | Thông báo |
"""


def test_group_rows_that_are_a_time_give_the_deadline_and_one_cell_may_name_lead_then_partners():
    tasks = parse_plan(BY_QUARTER).tasks
    assert [(t.task_ref, t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        ("1", "Sở Nội vụ", "Báo và Phát thanh, Truyền hình tỉnh", "Quý I năm 2026"),
        ("2", "Sở Nội vụ", "UBND các xã, phường", "Quý I năm 2026"),
        ("3", "Sở Nội vụ", "Thanh tra tỉnh", "Quý II năm 2026"),
    ]


AGENCY_FIRST = """III. PHÂN CÔNG NHIỆM VỤ

| Cơ quan, đơn vị chủ trì | STT | Nhiệm vụ | Chỉ số nội dung chịu tác động | Đơn vị phối hợp | Thời gian hoàn thành |
|---|---|---|---|---|---|
| Sở Nội vụ | 1 | Hướng dẫn UBND các xã thực hiện dân chủ ở cơ sở | Tham gia của người dân ở cấp cơ sở | Ủy ban MTTQ Việt Nam tỉnh | Quý I/2026 |
|  | 2 | Công khai kết quả tuyển dụng công chức cấp xã | Kiểm soát tham nhũng trong khu vực công | - | Sau mỗi kỳ tuyển dụng |
| Sở Tư pháp | 3 | Tổ chức trợ giúp pháp lý cho người dân tộc thiểu số | Trách nhiệm giải trình với người dân | UBND các xã | Quý II/2026 |
|  | 4 | Đôn đốc bộ phận một cửa niêm yết thủ tục chứng thực | Thủ tục hành chính công | UBND các xã | Quý I/2026 |
"""


def test_a_merged_lead_cell_before_the_section_column_spans_rows_of_several_sections():
    tasks = parse_plan(AGENCY_FIRST).tasks
    assert [(t.task_text[:12], t.lead_as_written) for t in tasks] == [
        ("Hướng dẫn UB", "Sở Nội vụ"),
        ("Công khai kế", "Sở Nội vụ"),
        ("Tổ chức trợ ", "Sở Tư pháp"),
        ("Đôn đốc bộ p", "Sở Tư pháp"),
    ]


ROLES_IN_HEADING = """V. TỔ CHỨC THỰC HIỆN

2. Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Nông nghiệp và Môi trường, Ủy ban nhân dân các xã:

- Xây dựng chương trình tập huấn cho giáo viên về phòng chống thiên tai.

- Lồng ghép nội dung phòng chống thiên tai vào hoạt động ngoại khóa.
"""


def test_an_agency_heading_that_gives_the_roles_leads_its_items_with_those_partners():
    tasks = parse_plan(ROLES_IN_HEADING).tasks
    assert {(t.lead_as_written, t.support_as_written) for t in tasks} == {
        ("Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Môi trường, Ủy ban nhân dân các xã")
    }
    assert len(tasks) == 2


def test_a_component_target_in_prose_with_the_last_years_result_in_brackets():
    from pipelines.normalise.targets import find_targets

    line = "Phấn đấu nâng điểm Chỉ số nội dung Tham gia của người dân ở cấp cơ sở lên trên 5,30 điểm (năm 2024 đạt 5,02 điểm)."
    hits = find_targets(line)
    # the bracket states 2024's result: neither a target nor the target's year
    assert [(h.comparator, h.value, h.unit, h.indicator_hint, h.year_hint) for h in hits] == [
        (">", 5.3, "points", "PAPI.D1", None)
    ]
    line = "Phấn đấu điểm Chỉ số nội dung Công khai, minh bạch trong việc ra quyết định ở địa phương không thấp hơn 5,60 điểm."
    assert [(h.comparator, h.value, h.indicator_hint) for h in find_targets(line)] == [(">=", 5.6, "PAPI.D2")]


SPACED_TARGETS = """   TT    Chỉ số thành phần                                     Điểm năm        Chỉ tiêu phấn đấu
                                                               2024            năm 2026
   1     Chi phí gia nhập thị trường                           7,12            ≥ 7,40
   2     Chi phí thời gian để thực hiện các quy định của       6,88            ≥ 7,20
         Nhà nước
   3     Tính năng động và tiên phong của chính quyền tỉnh     6,21            Trên 6,70
         Tổng điểm PCI (có trọng số)                           65,48           ≥ 67,50
"""


def test_a_table_of_targets_laid_out_by_spaces_gives_one_target_per_row():
    from pipelines.normalise.table_targets import find_table_targets

    got = [(t.line, t.component, t.comparator, t.value, t.year) for t in find_table_targets(SPACED_TARGETS.split("\n"))]
    assert got == [
        (3, "Chi phí gia nhập thị trường", ">=", 7.4, 2026),
        (4, "Chi phí thời gian để thực hiện các quy định của Nhà nước", ">=", 7.2, 2026),  # wrapped name joined
        (6, "Tính năng động và tiên phong của chính quyền tỉnh", ">", 6.7, 2026),
        (7, "Tổng điểm PCI (có trọng số)", ">=", 67.5, 2026),  # an unnumbered row with its own figures
    ]


def test_a_title_that_opens_with_thuc_hien_is_the_title_not_a_preamble():
    from pipelines.sources.plans.metadata import extract_metadata

    text = (
        "ỦY BAN NHÂN DÂN\nXÃ NHƠN ÁI\n\nSố: 24/KH-UBND\n\nNhơn Ái, ngày 10 tháng 4 năm 2023\n\nKẾ HOẠCH\n"
        "Thực hiện các giải pháp nâng cao Chỉ số PAPI trên địa bàn xã Nhơn Ái năm 2023\n\n"
        "Thực hiện Kế hoạch số 88/KH-UBND ngày 20 tháng 3 năm 2023 của Ủy ban nhân dân huyện, Ủy ban nhân dân xã "
        "xây dựng Kế hoạch như sau:\n"
    )
    meta, _ = extract_metadata(text)
    assert meta.title == "Thực hiện các giải pháp nâng cao Chỉ số PAPI trên địa bàn xã Nhơn Ái năm 2023"
    assert (meta.plan_year_start, meta.plan_year_end) == (2023, 2023)
    # a title wrapped before its index's initials goes on; a note in brackets under it does not
    two = text.replace("nâng cao Chỉ số PAPI trên", "nâng cao Chỉ số Hiệu quả quản trị và hành chính công\n(PAPI) trên")
    two = two.replace(
        "năm 2023\n\nThực hiện Kế",
        "năm 2023\n(Ban hành kèm theo Quyết định số 12/QĐ-UBND\nngày 10/4/2023)\n\nThực hiện Kế",
    )
    meta, _ = extract_metadata(two)
    assert meta.title == (
        "Thực hiện các giải pháp nâng cao Chỉ số Hiệu quả quản trị và hành chính công (PAPI) trên địa bàn xã Nhơn Ái "
        "năm 2023"
    )
    # the preamble sentence under a title is still no part of it
    meta, _ = extract_metadata(text.replace("Thực hiện các giải pháp", "Nâng cao các giải pháp"))
    assert meta.title == "Nâng cao các giải pháp nâng cao Chỉ số PAPI trên địa bàn xã Nhơn Ái năm 2023"


NUMBERED_WITH_FIELDS = """II. NỘI DUNG

3. Rà soát lại các văn bản quy định về thực hiện dân chủ ở cơ sở để điều chỉnh, thay thế

a) Cơ quan chủ trì: Sở Nội vụ; b) Cơ quan phối hợp: các cơ quan, đơn vị c) Thời gian thực hiện: Quý IV/2025

4. Tiếp tục thực hiện tốt các chính sách đối với đồng bào các dân tộc

- a) Cơ quan chủ trì: Sở Dân tộc và Tôn giáo
b) Cơ quan phối hợp: Sở Nội vụ
c) Thời gian thực hiện: Thường xuyên
"""


def test_a_numbered_item_followed_by_its_lettered_fields_even_on_one_line():
    tasks = parse_plan(NUMBERED_WITH_FIELDS).tasks
    assert [(t.task_ref, t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        ("3", "Sở Nội vụ", "các cơ quan, đơn vị", "Quý IV/2025"),
        ("4", "Sở Dân tộc và Tôn giáo", "Sở Nội vụ", "Thường xuyên"),
    ]


def test_a_number_whose_colon_the_scan_lost():
    from pipelines.sources.plans.metadata import extract_metadata

    meta, _ = extract_metadata(
        "Số 70/KH-UBND\n\nCần Thơ, ngày 15 tháng 9 năm 2025\n\n# KẾ HOẠCH Thực hiện công tác dân vận\n"
    )
    assert meta.doc_numbers[:1] == ["70/KH-UBND"] and meta.doc_type == "Kế hoạch"
    # a number cited inside a sentence is not the document's
    meta, _ = extract_metadata("Căn cứ Kế hoạch số 70/KH-UBND ngày 15/9/2025.\nSố 12/KH-UBND ngày 1/10/2025 của Sở.\n")
    assert meta.doc_numbers == []


def test_a_task_given_in_its_closing_bracket_with_any_verb():
    from pipelines.sources.plans.agency_text import trailing_assignment

    assert trailing_assignment("Thành lập Đoàn kiểm tra việc chấp hành các quy định (Giao Công an tỉnh tham mưu).") == (
        {"lead": "Công an tỉnh"},
        "Thành lập Đoàn kiểm tra việc chấp hành các quy định",
    )
    attrs, _ = trailing_assignment(
        "Xây dựng Quy chế bảo vệ bí mật nhà nước (Giao Công an tỉnh chủ trì, phối hợp với Văn phòng UBND tỉnh; Sở Tư "
        "pháp và các cơ quan có liên quan tham mưu)."
    )
    assert attrs == {"lead": "Công an tỉnh", "support": "Văn phòng UBND tỉnh; Sở Tư pháp và các cơ quan có liên quan"}
    # a bracket that gives no one work is the task's words
    assert trailing_assignment("Rà soát quy chế (giao ban định kỳ).")[0] == {}


TOPIC_OVER_SENTENCE = """II. NỘI DUNG

3. Xây dựng các văn bản quy phạm pháp luật quy định chi tiết Luật Việc làm

Sở, ban, ngành thuộc Ủy ban nhân dân Thành phố có trách nhiệm rà soát, tham mưu ban hành văn bản quy định chi tiết.

4. Giải quyết tình trạng thiếu đất ở

Giao Sở Dân tộc và Tôn giáo chủ trì rà soát nhu cầu đất ở. Giao Sở Nông nghiệp và Môi trường chủ trì bố trí quỹ đất.
"""


def test_a_topic_heading_over_the_one_sentence_that_gives_it_is_one_task_named_by_the_heading():
    tasks = parse_plan(TOPIC_OVER_SENTENCE).tasks
    assert [(t.line_start, t.task_text[:30], t.lead_as_written) for t in tasks] == [
        (3, "Xây dựng các văn bản quy phạm ", "Sở, ban, ngành thuộc Ủy ban nhân dân Thành phố"),
        (9, "Giao Sở Dân tộc và Tôn giáo ch", "Sở Dân tộc và Tôn giáo"),  # several sentences: one task each
        (9, "Giao Sở Nông nghiệp và Môi trư", "Sở Nông nghiệp và Môi trường"),
    ]


BY_COMPONENT = """III. ĐÁNH GIÁ VÀ GIẢI PHÁP THEO TỪNG CHỈ SỐ THÀNH PHẦN

Chỉ số thành phần: Chi phí gia nhập thị trường

Năm 2024, chỉ số thành phần này đạt 7,12 điểm, giảm 0,41 điểm so với năm trước.

Giải pháp:

1. Giải quyết hồ sơ đăng ký doanh nghiệp qua mạng trong 02 ngày làm việc — Sở Tài chính chủ trì, Trung tâm Phục vụ hành chính công tỉnh phối hợp; quý I/2026.

Chỉ số thành phần: Tiếp cận đất đai

Chỉ số Tiếp cận đất đai năm 2024 đạt 6,05 điểm.

Giải pháp:

1. Rà soát quỹ đất sạch tại các khu, cụm công nghiệp — Sở Nông nghiệp và Môi trường chủ trì; quý II/2026.
"""


def test_groups_by_component_whose_numbering_starts_again_and_an_assignment_after_a_dash():
    tasks = parse_plan(BY_COMPONENT).tasks
    assert [(t.task_text[:20], t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        ("Giải quyết hồ sơ đăn", "Sở Tài chính", "Trung tâm Phục vụ hành chính công tỉnh", "quý I/2026"),
        ("Rà soát quỹ đất sạch", "Sở Nông nghiệp và Môi trường", None, "quý II/2026"),
    ]


FIELD_ROWS = """II. NHIỆM VỤ

| STT | Nhiệm vụ | Chủ trì | Phối hợp |
|---|---|---|---|
| 1 | Hướng dẫn các xã tổ chức hội nghị thôn để Nhân dân bàn công trình phúc lợi | Sở Nội vụ | Ủy ban MTTQ Việt Nam tỉnh |
|  | Sản phẩm: Văn bản hướng dẫn; Thời gian: Quý I/2026 |  |  |
| 2 | Công khai các khoản đóng góp tự nguyện tại nhà văn hóa thôn | UBND các xã, phường |  |
|  | Thời gian: Thường xuyên |  |  |
"""


def test_a_row_of_fields_under_a_task_row_gives_them_to_that_task():
    tasks = parse_plan(FIELD_ROWS).tasks
    assert [(t.task_ref, t.task_text[-20:], t.output_text, t.timeline_text, t.line_end) for t in tasks] == [
        ("1", " công trình phúc lợi", "Văn bản hướng dẫn", "Quý I/2026", 6),
        ("2", "tại nhà văn hóa thôn", None, "Thường xuyên", 8),
    ]


GROUPED_BY_BODY = """PHỤ LỤC: PHÂN CÔNG NHIỆM VỤ THEO CƠ QUAN CHỦ TRÌ

| STT | Nội dung nhiệm vụ | Cơ quan phối hợp | Thời hạn hoàn thành |
|---|---|---|---|
| I. SỞ NỘI VỤ |  |  |  |
| 1 | Tham mưu ban hành Kế hoạch cải cách hành chính năm 2026 | Các sở, ban, ngành | Tháng 01/2026 |
| II. VĂN PHÒNG UBND TỈNH |  |  |  |
| 2 | Công bố danh mục thủ tục hành chính được tiếp nhận trực tuyến toàn trình | Sở Khoa học và Công nghệ | Quý I/2026 |
"""


def test_a_table_with_no_lead_column_grouped_by_body_gives_each_group_its_lead():
    tasks = parse_plan(GROUPED_BY_BODY).tasks
    assert [(t.task_ref, t.lead_as_written, t.support_as_written) for t in tasks] == [
        ("1", "SỞ NỘI VỤ", "Các sở, ban, ngành"),
        ("2", "VĂN PHÒNG UBND TỈNH", "Sở Khoa học và Công nghệ"),
    ]


LEGEND_BELOW = """II. NHIỆM VỤ

| STT | Nhiệm vụ | Chủ trì | Phối hợp |
|---|---|---|---|
| 1 | Tổ chức thi hành dứt điểm các bản án có nghĩa vụ trả tiền cho doanh nghiệp | THADS | CAT, UBND các xã, phường |
| 2 | Liên thông thủ tục đăng ký doanh nghiệp và đăng ký thuế | STC | CQT |

*Ghi chú chữ viết tắt:*

- STC: Sở Tài chính
- CAT: Công an tỉnh
- CQT: Thuế tỉnh
- THADS: Thi hành án dân sự tỉnh
"""


def test_abbreviations_a_legend_defines_below_the_table_are_written_out_and_the_legend_is_no_task():
    tasks = parse_plan(LEGEND_BELOW).tasks
    assert [(t.task_ref, t.lead_as_written, t.support_as_written) for t in tasks] == [
        ("1", "Thi hành án dân sự tỉnh", "Công an tỉnh, UBND các xã, phường"),  # UBND: not defined, kept
        ("2", "Sở Tài chính", "Thuế tỉnh"),
    ]


def test_a_web_page_whose_tasks_are_description_lists():
    from pipelines.sources.plans.formats import read_document

    page = """<html><body><h3>II. NHIỆM VỤ</h3>
<dl><dt>Nhiệm vụ 1.1</dt><dd>Hướng dẫn quy trình lấy ý kiến Nhân dân đối với dự án đầu tư công</dd>
<dt>Đơn vị chủ trì</dt><dd>Sở Nội vụ</dd><dt>Đơn vị phối hợp</dt><dd>Ủy ban MTTQ Việt Nam tỉnh</dd>
<dt>Thời hạn</dt><dd>Quý I/2026</dd></dl>
<dl><dt>Nhiệm vụ 1.2</dt><dd>Công khai số tiền đóng góp tự nguyện đã huy động tại hội nghị thôn</dd>
<dt>Thời hạn</dt><dd>Quý IV/2026</dd><dt>Đơn vị chủ trì</dt><dd>UBND các xã, phường</dd></dl>
</body></html>"""
    doc = read_document(page.encode(), "plan.html")
    tasks = parse_plan(doc.text, file_tables=("html", doc.tables)).tasks
    assert [(t.task_ref, t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        ("1.1", "Sở Nội vụ", "Ủy ban MTTQ Việt Nam tỉnh", "Quý I/2026"),
        ("1.2", "UBND các xã, phường", None, "Quý IV/2026"),
    ]


LEADERS = """III. DANH MỤC NHIỆM VỤ

A. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH
1. Ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2026 ........................ Sở Nội vụ Quý I/2026
Phối hợp: Báo và Phát thanh, Truyền hình tỉnh
B. CẢI CÁCH THỂ CHẾ
2. Kiểm tra việc thi hành pháp luật về xử lý vi phạm hành chính ............... Sở Tư pháp Quý III/2026
"""


def test_lettered_groups_inside_a_section_and_a_task_set_with_dotted_leaders():
    tasks = parse_plan(LEADERS).tasks
    assert [(t.task_text, t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        (
            "Ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2026",
            "Sở Nội vụ",
            "Báo và Phát thanh, Truyền hình tỉnh",
            "Quý I/2026",
        ),
        ("Kiểm tra việc thi hành pháp luật về xử lý vi phạm hành chính", "Sở Tư pháp", None, "Quý III/2026"),
    ]


GANTT = """II. NHIỆM VỤ

┌────┬──────────────────────────┬──────────────────┬─────────────────────────────────────┐
│ TT │ Nội dung công việc       │ Cơ quan chủ trì  │ Thời gian thực hiện năm 2026 (tháng)│
│    │                          │                  ├──┬──┬──┬──┬──┬──┬──┬──┬──┬──┬──┬──┤
│    │                          │                  │1 │2 │3 │4 │5 │6 │7 │8 │9 │10│11│12│
├────┼──────────────────────────┼──────────────────┼──┼──┼──┼──┼──┼──┼──┼──┼──┼──┼──┼──┤
│ 1. │ Công bố danh mục thủ tục │ Văn phòng UBND   │  │  │x │  │  │x │  │  │x │  │  │x │
│    │ hành chính mới           │ tỉnh             │  │  │  │  │  │  │  │  │  │  │  │  │
├────┼──────────────────────────┼──────────────────┼──┼──┼──┼──┼──┼──┼──┼──┼──┼──┼──┼──┤
│ 2. │ Niêm yết thủ tục hành    │ UBND các xã,     │  │x │x │  │  │  │  │  │  │  │  │  │
│    │ chính cấp xã             │ phường           │  │  │  │  │  │  │  │  │  │  │  │  │
└────┴──────────────────────────┴──────────────────┴──┴──┴──┴──┴──┴──┴──┴──┴──┴──┴──┴──┘
"""


def test_a_box_drawn_schedule_chart_gives_each_task_the_months_marked():
    from pipelines.sources.plans.formats import read_document

    doc = read_document(GANTT.encode(), "plan.txt")
    assert len(doc.text.split("\n")) == len(GANTT.split("\n"))  # the same lines
    tasks = parse_plan(doc.text).tasks
    assert [(t.task_text, t.lead_as_written, t.timeline_text) for t in tasks] == [
        ("Công bố danh mục thủ tục hành chính mới", "Văn phòng UBND tỉnh", "Tháng 3, 6, 9, 12/2026"),
        ("Niêm yết thủ tục hành chính cấp xã", "UBND các xã, phường", "Tháng 2 - Tháng 3/2026"),
    ]


PARTY_PARAGRAPHS = """II. NHIỆM VỤ CỤ THỂ

1. Chỉ số nội dung 1: Tham gia của người dân ở cấp cơ sở

SỞ NỘI VỤ: Hướng dẫn thôn, tổ dân phố tổ chức lấy ý kiến người dân về chủ trương đầu tư. Phối hợp: Ủy ban
MTTQ Việt Nam tỉnh. Thời hạn: Quý I/2026.

SỞ TƯ PHÁP CHỦ TRÌ, PHỐI HỢP VỚI CÔNG AN
TỈNH: Tổ chức trợ giúp pháp lý miễn phí tại các xã. Thời hạn: Quý II/2026.
"""


def test_paragraphs_that_open_with_the_body_in_capitals_are_its_tasks():
    tasks = parse_plan(PARTY_PARAGRAPHS).tasks
    assert [(t.task_text[:20], t.lead_as_written, t.support_as_written, t.timeline_text) for t in tasks] == [
        ("Hướng dẫn thôn, tổ d", "SỞ NỘI VỤ", "Ủy ban MTTQ Việt Nam tỉnh", "Quý I/2026"),
        ("Tổ chức trợ giúp phá", "SỞ TƯ PHÁP", "CÔNG AN TỈNH", "Quý II/2026"),
    ]


BY_QUARTER_TABLES = """II. NHIỆM VỤ

**Bảng 1. Nhiệm vụ hoàn thành trong Quý I/2026**

| TT | Nhiệm vụ | Chủ trì |
|---|---|---|
| 1 | Hướng dẫn các xã tổ chức hội nghị nhân dân | Sở Nội vụ |

**Bảng 2. Nhiệm vụ hoàn thành trong Quý II/2026**

| TT | Nhiệm vụ | Chủ trì |
|---|---|---|
| 1 | Tổ chức cuộc thi tìm hiểu pháp luật về bầu cử | Thành đoàn |
"""


def test_small_tables_whose_captions_give_the_deadline_stay_apart():
    tasks = parse_plan(BY_QUARTER_TABLES).tasks
    assert [(t.lead_as_written, t.timeline_text) for t in tasks] == [
        ("Sở Nội vụ", "Quý I/2026"),
        ("Thành đoàn", "Quý II/2026"),
    ]


def test_a_table_drawn_by_a_style_sheet_with_div_cells():
    from pipelines.sources.plans.formats import read_document

    page = """<html><body><h2>III. NHIỆM VỤ CỤ THỂ</h2><div class="card-body">
<div class="grid-head"><div>STT</div><div>Nhiệm vụ</div><div>Chủ trì</div><div>Thời hạn</div></div>
<div class="grid-row"><div class="cell"><span class="lbl">STT</span><div>1.1</div></div>
<div class="cell"><span class="lbl">Nhiệm vụ</span><div>Hỗ trợ doanh nghiệp thành lập mới đăng ký thuế</div></div>
<div class="cell"><span class="lbl">Chủ trì</span><div>Sở Tài chính</div></div>
<div class="cell"><span class="lbl">Thời hạn</span><div>Quý II/2026</div></div></div>
</div></body></html>"""
    doc = read_document(page.encode(), "plan.html")
    tasks = parse_plan(doc.text, file_tables=("html", doc.tables)).tasks
    assert [(t.task_ref, t.task_text, t.lead_as_written, t.timeline_text) for t in tasks] == [
        ("1.1", "Hỗ trợ doanh nghiệp thành lập mới đăng ký thuế", "Sở Tài chính", "Quý II/2026")
    ]


def test_a_pdf_table_set_by_white_space_alone():
    """layouts8 x08 (SYNTHETIC, tests/fixtures/dev/layouts8/make_layouts8.py): no ruling lines, cells wrapped over two
    or three lines, roman group rows, the header repeated on page 2."""
    from pathlib import Path

    from pipelines.sources.plans.formats import read_document

    pdf = Path(__file__).parent / "fixtures" / "dev" / "layouts8" / "x08.pdf"
    doc = read_document(pdf.read_bytes(), pdf.name)
    tasks = parse_plan(doc.text, file_tables=("pdf", doc.tables)).tasks
    assert len(tasks) == 13
    first, last = tasks[0], tasks[-1]
    assert first.task_text.startswith("Tham mưu UBND tỉnh ban hành kế hoạch tự đánh giá, chấm điểm Chỉ số cải cách")
    assert (first.lead_as_written, first.timeline_text) == ("Sở Nội vụ", "Tháng 3/2026")
    assert last.task_ref == "13" and last.lead_as_written and last.timeline_text  # page 2, after the repeated header


DECISION_GIVING_TASKS = """ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ

Số: 148/QĐ-UBND

QUYẾT ĐỊNH
Về việc giao chỉ tiêu và nhiệm vụ cải thiện Chỉ số năng lực cạnh tranh
cấp tỉnh (PCI) tỉnh Phú Thọ năm 2026

Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;

QUYẾT ĐỊNH:

Điều 2. Giao nhiệm vụ cụ thể cho các cơ quan, đơn vị như sau:
1. Chỉ số Chi phí gia nhập thị trường: Giao Sở Tài chính: a) rà soát quy trình đăng ký doanh nghiệp qua mạng, phối hợp với Trung tâm Phục vụ hành chính công tỉnh, hoàn thành trong quý I/2026; b) công khai danh sách hồ sơ bị trả lại trên Cổng thông tin điện tử. Giao Trung tâm Phục vụ hành chính công tỉnh: a) bố trí quầy hỗ trợ doanh nghiệp khởi nghiệp; thời hạn: tháng 3/2026.
"""


def test_a_decision_that_gives_the_tasks_of_an_index_in_run_on_paragraphs():
    tasks = parse_plan(DECISION_GIVING_TASKS).tasks
    assert [(t.task_text[:25], t.lead_as_written, t.timeline_text) for t in tasks] == [
        ("rà soát quy trình đăng ký", "Sở Tài chính", "trong quý I/2026"),
        ("công khai danh sách hồ sơ", "Sở Tài chính", None),
        ("bố trí quầy hỗ trợ doanh ", "Trung tâm Phục vụ hành chính công tỉnh", "tháng 3/2026"),
    ]
    from pipelines.sources.plans.metadata import extract_metadata, not_a_plan

    lines = DECISION_GIVING_TASKS.split("\n")
    assert not_a_plan(extract_metadata(DECISION_GIVING_TASKS)[0], lines) is None
    # the same decision about a body's functions is no plan
    other = DECISION_GIVING_TASKS.replace(
        "giao chỉ tiêu và nhiệm vụ cải thiện Chỉ số năng lực cạnh tranh", "quy định chức năng của Sở"
    )
    assert not_a_plan(extract_metadata(other)[0], other.split("\n")) is not None


SCORING = """PHỤ LỤC: TIÊU CHÍ CHẤM ĐIỂM THI ĐUA

| STT | TIÊU CHÍ THI ĐUA | ĐIỂM CHUẨN | HƯỚNG DẪN CHẤM ĐIỂM |
|---|---|---|---|
| 1 | Tỷ lệ % người hưởng trợ cấp xã hội chưa có tài khoản được tuyên truyền, vận động mở tài khoản thanh toán | 20 | Đạt 100%: 20 điểm |
| 2 | Tỷ lệ % người hưởng trợ cấp xã hội mở mới tài khoản ngân hàng để nhận chi trả trợ cấp | 30 | Đạt 100%: 30 điểm |
"""


def test_a_table_of_criteria_and_their_points_is_no_table_of_tasks():
    result = parse_plan(
        SCORING.replace(
            "PHỤ LỤC", "II. NHIỆM VỤ\n\n1. Sở Y tế chủ trì hướng dẫn chi trả không dùng tiền mặt.\n\nPHỤ LỤC"
        )
    )
    assert [t.lead_as_written for t in result.tasks] == ["Sở Y tế"]
    assert any(f.rule == "table_of_figures" for f in result.findings)


def test_one_reading_of_a_name_and_its_roles_for_headings_cells_and_paragraphs():
    from pipelines.sources.plans.agency_text import lead_and_partners

    assert lead_and_partners("Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Y tế, UBND các xã:") == (
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế, UBND các xã",
    )
    assert lead_and_partners("Sở Nội vụ chủ trì; các sở, ban, ngành phối hợp") == ("Sở Nội vụ", "các sở, ban, ngành")
    assert lead_and_partners("SỞ TƯ PHÁP CHỦ TRÌ, PHỐI HỢP VỚI CÔNG AN TỈNH") == ("SỞ TƯ PHÁP", "CÔNG AN TỈNH")
    assert lead_and_partners("Sở Nội vụ (phối hợp: UBND các xã, phường)") == ("Sở Nội vụ", "UBND các xã, phường")
    assert lead_and_partners("Sở Tài chính") is None


def test_unclosed_html_tables_in_a_text_file_are_left_as_written():
    from pipelines.sources.plans.formats.html import html_tables_in_text

    hostile = "<table>\n<tr><td>1</td><td>x</td></tr>\n" * 2000  # never closed
    assert html_tables_in_text(hostile) == (hostile, [])
