"""Layouts the seed plans do not contain. The texts below are SYNTHETIC fixtures written for these
robustness tests (they recombine wording of the real plans); they are not data and never enter the warehouse."""
from __future__ import annotations

from pipelines.domain.plan import PlanParseError, parse_plan

SYNTHETIC_TAB_HTML = "\n".join([
    "SYNTHETIC TEST FIXTURE - not a real plan",
    "KẾ HOẠCH",
    "Cải thiện Chỉ số PAPI năm 2022",
    "II. NHIỆM VỤ VÀ GIẢI PHÁP",
    "STT\tNhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành",
    "1\t<p>Rà soát thủ tục hành chính</p><ul><li>cấp xã</li><li>cấp huyện</li></ul>\tVăn phòng UBND tỉnh\tSở Tư pháp\tQuý II năm 2022",
    "2\t<ol><li>Khảo sát sự hài lòng</li></ol>\tSở Nội vụ\t&nbsp;\tTháng 12/2022",
    "STT\tNhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành",
    "3\tCông khai danh sách hộ nghèo\tSở LĐTB&amp;XH\tUBND cấp huyện\tThường xuyên",
])


def test_tab_rows_with_html_cells_and_repeated_header():
    p = parse_plan(SYNTHETIC_TAB_HTML)
    assert [t.task_ref for t in p.tasks] == ["1", "2", "3"]  # the repeated header row is not a task
    t1, t2, t3 = p.tasks
    assert t1.task_text == "Rà soát thủ tục hành chính - cấp xã - cấp huyện"
    assert (t1.lead_as_written, t1.support_as_written, t1.timeline_text) == ("Văn phòng UBND tỉnh", "Sở Tư pháp", "Quý II năm 2022")
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
