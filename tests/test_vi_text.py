"""Vietnamese collation and Vietnamese reasons in the report (issue 25.1)."""

from __future__ import annotations

from pipelines.report.vi_text import reason_vi, vi_sorted


def test_vietnamese_collation_letters_first_then_tones():
    names = [
        "Yên Bái",
        "Đồng Nai",
        "Bình Thuận",
        "Bình Định",
        "Đà Nẵng",
        "Cao Bằng",
        "Bắc Ninh",
        "Bạc Liêu",
        "Thanh Hóa",
        "Thái Bình",
        "Hà Nội",
        "Hà Nam",
        "Hải Phòng",
        "Dak Test",
        "Điện Biên",
    ]
    assert vi_sorted(names) == [
        "Bạc Liêu",
        "Bắc Ninh",
        "Bình Định",
        "Bình Thuận",
        "Cao Bằng",
        "Dak Test",
        "Đà Nẵng",
        "Điện Biên",
        "Đồng Nai",
        "Hà Nam",
        "Hà Nội",
        "Hải Phòng",
        "Thái Bình",
        "Thanh Hóa",
        "Yên Bái",
    ]
    assert sorted(names)[-1].startswith("Đ")  # what code-point order does: every Đ after Yên Bái


def test_not_evaluable_reasons_are_in_vietnamese_and_unknown_ones_kept():
    assert reason_vi("no PAR Index value held for this province in 2020: only press figures (partial) are held") == (
        "không có giá trị PAR Index của tỉnh năm 2020: chỉ có số liệu báo chí (không đầy đủ)"
    )
    assert reason_vi("PAPI 2026 not held (latest held 2024)") == "chưa có PAPI năm 2026 (năm mới nhất có: 2024)"
    assert reason_vi("target year unknown") == "không xác định được năm mục tiêu"
    assert reason_vi("something new") == "something new" and reason_vi(None) is None
