"""Reading rules of issue 23 found on the real_plans12 batch (after its first figures), each a class on a short
invented text in the shape real plans use: an organisation item whose body comes after an opening clause, a task
record whose content is a lead-in over points, an issuer asking other bodies, a closing paragraph that names its own
bodies under a party heading, a hard-wrapped line ending in a colon, and parties that are not state bodies named in
a long heading or asked with "Đề nghị". Each failed on the reader before the rule."""

from __future__ import annotations

from pipelines.sources.plans.plan import parse_plan


def _rows(text: str) -> list[tuple[str, str | None]]:
    return [(t.task_text[:30], t.lead_as_written) for t in parse_plan(text).tasks]


OPENING_CLAUSE = """KẾ HOẠCH
Triển khai thi hành Luật Thống kê

I. NỘI DUNG

1. Tuyên truyền Luật

- Cơ quan thực hiện: Sở Tài chính.

- Thời gian thực hiện: Năm 2026.

II. TỔ CHỨC THỰC HIỆN

1. Sở Tài chính có trách nhiệm theo dõi, đôn đốc việc thực hiện Kế hoạch này.

2. Căn cứ nội dung Kế hoạch và tình hình thực tế, các sở, ngành và Ủy ban nhân dân các xã, phường có trách nhiệm
xây dựng kế hoạch chi tiết và báo cáo kết quả thực hiện.
"""


def test_an_organisation_item_whose_body_follows_an_opening_clause():
    rows = _rows(OPENING_CLAUSE)
    assert ("Căn cứ nội dung Kế hoạch và tì", "các sở, ngành và Ủy ban nhân dân các xã, phường") in rows
    assert len(rows) == 3


RECORD_OVER_POINTS = """II. NỘI DUNG KẾ HOẠCH

1. Rà soát văn bản

- Cơ quan thực hiện: Sở Tư pháp.

- Thời gian thực hiện: Năm 2026.

2. Tổ chức hỗ trợ thi hành Luật

- Các nội dung hỗ trợ bao gồm:

+ Hướng dẫn áp dụng các văn bản quy định chi tiết;

+ Tiếp nhận và xử lý kiến nghị của tổ chức, cá nhân.

- Cơ quan thực hiện: Sở Công Thương.
"""


def test_a_record_whose_content_is_a_lead_in_over_points_is_one_task_of_its_body():
    tasks = parse_plan(RECORD_OVER_POINTS).tasks
    assert [(t.task_text[:30], t.lead_as_written) for t in tasks] == [
        ("Rà soát văn bản", "Sở Tư pháp"),
        ("Tổ chức hỗ trợ thi hành Luật C", "Sở Công Thương"),
    ]


PARTIES = """V. TỔ CHỨC THỰC HIỆN

1. Sở Khoa học và Công nghệ

- Chủ trì theo dõi, đôn đốc việc triển khai Kế hoạch.

2. Sở Tài chính

- Tham mưu bố trí kinh phí thực hiện Kế hoạch.

3. Các chủ đầu tư xây dựng và kinh doanh hạ tầng khu công nghiệp

- Tạo điều kiện về mặt bằng cho việc lắp đặt thiết bị.

4. Đề nghị các tổ chức cung cấp dịch vụ chi trả

a) Bố trí nguồn lực tổ chức chi trả trực tiếp cho người cao tuổi.

5. Các doanh nghiệp viễn thông

- Bảo đảm chất lượng mạng 5G.

Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành và Ủy ban nhân dân các xã, phường nghiêm túc triển khai thực hiện.
"""


def test_parties_named_in_a_long_heading_or_asked_are_given_their_items():
    rows = _rows(PARTIES)
    assert ("Tạo điều kiện về mặt bằng cho ", "Các chủ đầu tư xây dựng và kinh doanh hạ tầng khu công nghiệp") in rows
    assert ("Bố trí nguồn lực tổ chức chi t", "các tổ chức cung cấp dịch vụ chi trả") in rows


def test_a_paragraph_that_names_the_bodies_it_asks_keeps_them_as_its_lead():
    asked = [lead for text, lead in _rows(PARTIES) if text.startswith("Ủy ban nhân dân tỉnh yêu cầu")]
    assert asked == ["các sở, ban, ngành và Ủy ban nhân dân các xã, phường"]


# a portal scrape: paragraphs hard-wrapped and parted by blank lines
WRAPPED = """II. TỔ CHỨC THỰC HIỆN

1. Các doanh nghiệp trong khu công nghiệp

- Khuyến khích các doanh nghiệp đầu tư, ứng dụng thiết bị IoT trong quản lý, sản xuất như:
Giám sát môi trường, năng lượng, an ninh nhằm nâng cao hiệu quả hoạt động.

- Bảo vệ an toàn thiết bị và hạ tầng trong phạm vi
quản lý của doanh nghiệp.

""" + "\n".join(
    f"- Nội dung thứ {k} của kế hoạch được thực hiện\ntheo đúng quy định của pháp luật hiện hành.\n" for k in range(25)
)


def test_a_wrapped_line_after_a_colon_goes_on_with_its_paragraph():
    texts = [t.task_text for t in parse_plan(WRAPPED).tasks]
    assert any(t.startswith("Khuyến khích") and "Giám sát môi trường" in t for t in texts)
    assert not any(t.startswith("Giám sát") for t in texts)
