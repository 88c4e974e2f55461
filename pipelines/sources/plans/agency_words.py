"""The words that start a body's name ("Sở", "Ủy ban", "các doanh nghiệp") and the words that end it where its work
begins ("chủ trì", "rà soát", "đã"): the vocabulary agency_text reads names with."""

from __future__ import annotations

import re

# Words an agency name can start with. "Ban"/"Phòng"/"Hội" need a capitalised next word,
# otherwise "Ban hành", "Phòng, chống", "Hội nghị" would read as agencies.
_HEADS = (
    r"(?:Các\s+|các\s+)?(?:Sở|sở|Ủy ban|Uỷ ban|UBND|Thanh tra|Văn phòng|VP|Công an|Công An|Thủ trưởng|thủ trưởng|Chủ tịch|"
    r"Giám đốc|Chánh|Trưởng|Đài|Báo(?!\s+cáo)|Học viện|Viện|Bảo hiểm|Cục|Kho bạc|Bưu điện|Mặt trận|MTTQ|"
    r"Cơ quan|cơ quan|Đơn vị|đơn vị|Khối|Tòa án|Liên đoàn|Tỉnh đoàn|Thành đoàn|Huyện đoàn|Thị đoàn|Trung tâm|Bộ phận|"
    r"Công chức|Trạm|Bộ trưởng|Trưởng thôn|Trưởng ấp|Tổ trưởng|Chi nhánh|Chi cục|Tòa|Viện kiểm sát|Liên minh|"
    # parties outside the administration a plan also gives work to ("Đề nghị các doanh nghiệp …")
    r"(?<=[Cc]ác )(?:doanh nghiệp|hợp tác xã|tổ chức tín dụng|ngân hàng thương mại)|"
    # the Party's committees ("Đề nghị các cấp ủy Đảng, Mặt trận Tổ quốc …", "Ban Thường vụ Tỉnh ủy")
    r"(?<=[Cc]ác )cấp ủy|Cấp ủy|Tỉnh ủy|Thành ủy|Đảng ủy|"
    # the tax office since 2025 ("Thuế tỉnh Tuyên Quang", "Thuế thành phố Hà Nội"), not the word "thuế"
    r"Thuế(?=\s+(?:tỉnh|thành phố|cơ sở)\b)|"
    r"HĐND|Hội đồng|Kiểm toán|Ngân hàng|Hiệp hội|Tổ kiểm tra|Tổ công tác|Tổ Công tác|(?<=[Cc]ác )đoàn thể|Ban(?=\s+[A-ZĐÂÊÔƠƯ])|"
    r"Phòng(?=\s+[A-ZĐÂÊÔƠƯ])|Bộ(?=\s+[A-ZĐ])|Hội(?=\s+(?!nghị|thảo|thi)[A-ZĐÂÊÔƠƯa-zđ])|Đoàn(?=\s+[A-ZĐ]))"
)
_HEAD_RE = re.compile(r"^(?:(?:Đề nghị|đề nghị|Mời|mời|Giao|giao)\s+)?" + _HEADS + r"\b")

# Lower-case verbs and adverbs that end the agency span at the start of a task.
_STOP_WORDS = [
    "căn cứ",
    "triển khai",
    "tiếp tục",
    "chỉ đạo",
    "thực hiện",
    "phổ biến",
    "hướng dẫn",
    "phối hợp",
    "tham mưu",
    "chủ trì",
    "khẩn trương",
    "xây dựng",
    "tổ chức",
    "công khai",
    "rà soát",
    "kiểm tra",
    "đẩy nhanh",
    "đẩy mạnh",
    "nghiên cứu",
    "tăng cường",
    "theo dõi",
    "từng bước",
    "nâng cao",
    "chủ động",
    "thường xuyên",
    "kịp thời",
    "giám sát",
    "ban hành",
    "đề xuất",
    "cung cấp",
    "quản lý",
    "bố trí",
    "trình",
    "lập",
    "tăng",
    "duy trì",
    "đôn đốc",
    "hoàn thành",
    "kiện toàn",
    "phát huy",
    "đảm bảo",
    "bảo đảm",
    "cập nhật",
    "thống kê",
    "tích cực",
    "nghiêm túc",
    "phân công",
    "tổng hợp",
    "có trách nhiệm",
    "chịu trách nhiệm",
    "làm",
    "là",
    "cần",
    "phải",
    "tập trung",
    "ứng dụng",
    "phát động",
    "vận động",
    "quan tâm",
    "thẩm định",
    "báo cáo",
    "định kỳ",
    "tuyên truyền",
    "tiếp nhận",
    "xử lý",
    "giải quyết",
    "áp dụng",
    "sớm",
    "khắc phục",
    "thực thi",
    "nâng cấp",
    "công bố",
    "gửi",
    "đã",
    "đang",
    "sẽ",
    "tham gia",
    "cải thiện",
    "đầu tư",
    "hỗ trợ",
    "trực tiếp",
    "lấy",
    "mở",
    "ưu tiên",
    "biên soạn",
    "đánh giá",
    "bồi dưỡng",
    "đào tạo",
    "niêm yết",
    "tiếp",
    "đối thoại",
    "kết nối",
    "tích hợp",
    "sắp xếp",
    "sửa đổi",
    "bổ sung",
    "kiến nghị",
    "được",
    "với",
    "nhằm",
    "để",
]
