"""Tasks from the four real plans, checked against a reading of the source texts."""

from __future__ import annotations

import collections

import pytest

from pipelines.sources.plans.plan import task_text_in_lines
from tests.conftest import task_at, task_ref


@pytest.mark.parametrize(
    "plan,count,readers",
    [
        ("000", 50, {"narrative": 50}),
        ("001", 67, {"narrative": 67}),
        ("002", 85, {"pipe_table": 85}),  # narrative section II restates the table: not counted again
        ("004", 51, {"narrative": 24, "tab_table": 27}),
    ],
)
def test_exact_task_counts(parsed, plan, count, readers):
    p, _ = parsed[plan]
    assert len(p.tasks) == count
    assert dict(collections.Counter(t.reader for t in p.tasks)) == readers


@pytest.mark.parametrize("plan", ["000", "001", "002", "004"])
def test_every_line_range_contains_its_text(parsed, plan):
    p, text = parsed[plan]
    lines = text.split("\n")
    for t in p.tasks:
        assert 1 <= t.line_start <= t.line_end <= len(lines)
        assert task_text_in_lines(t.task_text, lines, t.line_start, t.line_end), t


# ---- narrative: HCMC PAPI plan 2018-2019 (bullets under "1. Đối với nội dung “…”")


def test_hcmc_papi_narrative_rows(parsed):
    p, _ = parsed["000"]
    t = task_at(p, 124)
    assert (t.section_ref, t.section_as_written) == ("1", "Tham gia của người dân ở cấp cơ sở")
    assert (t.lead_as_written, t.support_as_written) == ("Sở Tư pháp", "Sở Nội vụ")
    t = task_at(p, 102)  # bullet broken over a page: lines 102-104
    assert (t.line_end, t.lead_as_written) == (104, "Ủy ban nhân dân phường, xã, thị trấn")
    t = task_at(p, 120)
    assert (t.lead_as_written, t.support_as_written) == (
        "Sở Kế hoạch và Đầu tư",
        "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố",
    )
    t = task_at(p, 146)
    assert (t.section_as_written, t.lead_as_written, t.support_as_written) == (
        "Công khai, minh bạch",
        "Sở Tư pháp",
        "sở, ban, ngành",
    )
    t = task_at(p, 156)
    assert t.section_as_written == "Trách nhiệm giải trình với người dân"
    assert t.lead_as_written == "Thủ trưởng sở, ban, ngành, Chủ tịch Ủy ban nhân dân quận - huyện, phường, xã, thị trấn"
    t = task_at(p, 158)  # no agency opens the bullet
    assert t.lead_as_written is None
    t = task_at(p, 184)  # paragraph that lost its "- " between bullets is its own task
    assert t.section_as_written == "Kiểm soát tham nhũng trong khu vực công"
    assert t.task_text.startswith("Nâng cao chất lượng công tác tuyển dụng viên chức")
    t = task_at(p, 226)
    assert (t.section_ref, t.section_as_written) == ("6", "Cung ứng dịch vụ công")
    sections = collections.Counter(t.section_ref for t in p.tasks)
    assert sections == {"1": 12, "2": 9, "3": 5, "4": 8, "5": 5, "6": 11}
    # "IV. TỔ CHỨC THỰC HIỆN" assigns follow-up duties: not tasks
    assert max(t.line_start for t in p.tasks) == 226


# ---- narrative with agency sub-headings: Quảng Ngãi PAR + PAPI plan 2017


def test_quang_ngai_narrative_rows(parsed):
    p, _ = parsed["001"]
    t = task_ref(p, "1.đ")
    assert (t.line_start, t.section_as_written) == (102, "Nhiệm vụ chung")
    assert t.lead_as_written == "Các sở, ban, ngành tỉnh và UBND các huyện, thành phố"
    t = task_at(p, 118)
    assert (t.section_ref, t.family_context) == ("2.1.a", "PAR_INDEX")
    assert t.section_as_written == "Công tác chỉ đạo, điều hành cải cách hành chính (CCHC)"
    t = task_at(p, 128)  # "+" item under the sub-heading "- Sở Tư pháp:"
    assert t.lead_as_written == "Sở Tư pháp"
    assert t.section_as_written == (
        "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật (QPPL) tại tỉnh; Cải cách thủ tục hành chính (TTHC)"
    )
    t = task_at(p, 146)
    assert (t.lead_as_written, t.support_as_written) == ("Sở Nội vụ", "các sở, ban, ngành")
    t = task_at(p, 176)  # second "d)" of the PAR list
    assert (t.section_ref, t.section_as_written, t.lead_as_written) == (
        "2.1.d",
        "Cải cách tài chính công",
        "Sở Tài chính",
    )
    t = task_at(p, 206)
    assert t.lead_as_written == "Sở Tài nguyên và Môi trường và UBND các huyện Nghĩa Hành, Ba Tơ"
    assert t.section_as_written == "Thực hiện cơ chế một cửa, cơ chế một cửa liên thông"
    t = task_at(p, 248)
    assert (t.family_context, t.lead_as_written, t.support_as_written) == (
        "PAPI",
        "UBND các huyện, thành phố",
        "Sở Kế hoạch và Đầu tư, Sở Xây dựng",
    )
    t = task_at(p, 292)
    assert (t.section_as_written, t.lead_as_written) == ("Cung ứng dịch vụ công", "Công an tỉnh")
    fam = collections.Counter(t.family_context for t in p.tasks)
    assert fam == {None: 8, "PAR_INDEX": 34, "PAPI": 25}  # 3+6+3+7+3+7+5 and 4+3+3+6+2+7


# ---- pipe table, one cell per line: HCMC PAR plan 2020


def test_hcmc_par_pipe_table_rows(parsed):
    p, _ = parsed["002"]
    t = task_ref(p, "1.6")
    assert t.timeline_text == "Đợt 1: Tháng 02-5/2020 Đợt 2: Tháng 6-11/2020"
    assert (t.lead_as_written, t.output_text) == ("Trưởng Ban Thi đua Khen thưởng Thành phố", "Kế hoạch, hội thi")
    assert t.section_as_written == "Công tác chỉ đạo, điều hành CCHC"
    t = task_ref(p, "3.2")
    assert (t.timeline_text, t.line_start, t.line_end) == ("Trước ngày 30/01/2020", 313, 318)
    t = task_ref(p, "3.4.b")  # lettered sub-row with its number cell merged away and a blank timeline
    assert (t.line_start, t.line_end) == (337, 340)
    assert t.timeline_text == "Trong năm 2020"
    assert t.output_text == "Từ 30% số dịch vụ công trực tuyến trở lên"
    t = task_ref(p, "3.5.a")
    assert (
        t.subsection_as_written
        == "Thực hiện tiếp nhận hồ sơ, trả kết quả giải quyết thủ tục hành chính qua dịch vụ bưu chính công ích"
    )
    assert (t.lead_as_written, t.support_as_written) == (
        "Thủ trưởng sở, ban - ngành; Chủ tịch UBND quận - huyện",
        "Bưu điện Thành phố",
    )
    t = task_ref(p, "2.1")  # heading "2." lost in the export
    assert (t.section_ref, t.section_as_written, t.section_inferred) == ("2", None, True)
    assert t.timeline_text == "Sau khi có Thông báo của Bộ Tư pháp"
    t = task_ref(p, "9.2")  # table group 9 is the narrative's section 8
    assert t.section_as_written == "Khảo sát, đánh giá sự hài lòng của người dân, tổ chức"
    assert t.lead_as_written == "Viện trưởng Viện Nghiên cứu Phát triển thành phố"
    t = task_ref(p, "10.2")
    assert (t.support_as_written, t.timeline_text) == (None, "Trong năm 2020")
    t = task_ref(p, "5.11")
    assert t.timeline_text == "Sau khi Bộ Nội vụ ban hành Thông tư"
    t = task_ref(p, "7.10.c")
    assert t.subsection_as_written == "Đẩy mạnh thanh toán điện tử, thanh toán không dùng tiền mặt"
    assert "3.5" not in {t.task_ref for t in p.tasks}  # a row that only heads its sub-rows is not a task
    assert {t.source_kind for t in p.tasks} == {"table"}


# ---- tab table with merged cells: Hà Nội PAPI plan 2021


def test_hanoi_tab_table_rows(parsed):
    p, _ = parsed["004"]
    tab = [t for t in p.tasks if t.reader == "tab_table"]
    t = task_at(p, 91)
    assert (t.section_as_written, t.subsection_as_written, t.lead_as_written) == (
        "Tham gia của người dân ở cấp cơ sở",
        "Tri thức công dân",
        "Sở TT&TT",
    )
    t = task_at(p, 99)  # section cell merged (blank) = the one above
    assert (t.section_as_written, t.subsection_as_written, t.lead_as_written, t.line_end) == (
        "Tham gia của người dân ở cấp cơ sở",
        "Cơ hội tham gia",
        "Sở Nội vụ",
        102,
    )
    t = task_at(p, 124)
    assert (t.section_as_written, t.lead_as_written) == (
        "Công khai minh bạch trong hoạch định chính sách",
        "Sở LĐTB&XH",
    )
    t = task_at(p, 173)
    assert (t.subsection_as_written, t.lead_as_written) == (
        "Kiểm soát tham nhũng trong cung ứng dịch vụ công Gd tiểu học",
        "Sở Giáo dục",
    )
    t = task_at(p, 221)  # the "nước sạch" row has a merged (blank) task cell
    assert (
        t.subsection_as_written
        == "Cơ sở hạ tầng căn bản (Thu gom rác thải); Cơ sở hạ tầng căn bản (nước sạch sinh hoạt)"
    )
    assert t.lead_as_written == "Sở Xây dựng"
    t = task_at(p, 238)
    assert t.section_as_written == "Quản trị môi trường"
    assert t.subsection_as_written == "Nghiêm túc trong bảo vệ môi trường; Chất lượng nước; Chất lượng không khí"
    t = task_at(p, 265)  # blank lead = merged with the row above
    assert (t.section_as_written, t.lead_as_written) == ("Quản trị điện tử", "Sở TT&TT")
    t = task_at(p, 271)
    assert t.lead_as_written == "Sở TT&TT"
    per_section = collections.Counter(t.section_as_written for t in tab)
    assert per_section["Kiểm soát tham nhũng trong khu vực công"] == 5
    assert per_section["Cung ứng dịch vụ công"] == 6
    assert all(t.source_kind == "table" and t.task_ref is None for t in tab)


def test_hanoi_narrative_rows(parsed):
    p, _ = parsed["004"]
    t = task_at(p, 13)  # "- X:" followed by "+" items is one task, not an agency heading
    assert (t.line_end, t.section_as_written) == (17, "Công tác thông tin, tuyên truyền")
    t = task_at(p, 29)
    assert (t.subsection_as_written, t.lead_as_written) == ("Khối quận, huyện, thị xã", "Khối quận, huyện, thị xã")
    t = task_at(p, 45)
    assert t.lead_as_written == "UBND cấp huyện, UBND cấp xã và các cơ quan thuộc Thành phố"


# ---- the table-group / narrative-section alignment: the fast matrix form equals the reference definition


@pytest.mark.parametrize("plan", ["002", "004"])
def test_section_matcher_equals_group_similarity(parsed, plan):
    from pipelines.sources.plans.formats.text_tables import find_pipe_tables, find_tab_tables
    from pipelines.sources.plans.plan import SectionMatcher, group_similarity
    from pipelines.sources.plans.readers.narrative import read_narrative

    _, text = parsed[plan]
    lines = text.split("\n")
    tables = find_pipe_tables(lines, set()) + find_tab_tables(lines, set())
    table_lines = {n for t in tables for n in range(t.line_start, t.line_end + 1)}
    _, sections, _, _, _ = read_narrative(lines, table_lines)
    texts = [" ".join(c.text for c in row) for t in tables for row in t.rows]
    assert len(sections) > 3 and len(texts) > 20
    matcher = SectionMatcher(sections)
    for group in (texts, texts[:5], texts[7:8], []):
        assert matcher.scores(group) == [group_similarity(group, s) for s in sections]
    assert max(matcher.scores(texts)) > 0.05  # real overlap, not an all-zero comparison


@pytest.mark.parametrize("plan", ["000", "001", "002", "004"])
def test_lines_containing_equals_the_line_by_line_test(parsed, plan):
    from pipelines.sources.plans.lines import lines_containing

    _, text = parsed[plan]
    lines = text.split("\n")
    for words in (("chỉ số", "nội dung"), ("%", "điểm", "nhóm", "bậc"), ("chủ tịch", "ủy ban nhân dân"), ("zzz",)):
        naive = [i for i, ln in enumerate(lines) if any(w in ln.lower() for w in words)]
        assert lines_containing(words, lines) == naive
    # a word on the last line, and one at the very start
    assert lines_containing(("x",), ["x", "", "ax"]) == [0, 2]


def test_the_lowered_text_follows_the_lines_it_is_asked_about():
    """lines_containing keeps the last text it lowered: another list, or the same list changed in place, is
    another text (a stale answer would read one document's words in another)."""
    from pipelines.sources.plans.lines import lines_containing

    a = ["KẾ HOẠCH", "Sở Tư pháp chủ trì", "Mục II"]
    b = ["QUYẾT ĐỊNH", "mục I của Kế hoạch"]
    assert lines_containing(("mục",), a) == [2]
    assert lines_containing(("mục",), b) == [1]
    assert lines_containing(("sở tư pháp",), a) == [1]
    a[0] = "Mục I. MỤC ĐÍCH"
    assert lines_containing(("mục",), a) == [0, 2]
