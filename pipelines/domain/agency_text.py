"""Find the agencies a task names in its opening words ("Sở Tư pháp phối hợp Sở Nội vụ hướng dẫn ...").

Only the as-written spans are found here; canonical names come from the agency mapping.
"""
from __future__ import annotations

import re

# Words an agency name can start with. "Ban"/"Phòng"/"Hội" need a capitalised next word,
# otherwise "Ban hành", "Phòng, chống", "Hội nghị" would read as agencies.
_HEADS = (
    r"(?:Các\s+|các\s+)?(?:Sở|sở|Ủy ban|Uỷ ban|UBND|Thanh tra|Văn phòng|VP|Công an|Thủ trưởng|thủ trưởng|Chủ tịch|"
    r"Giám đốc|Chánh|Trưởng|Đài|Báo|Học viện|Viện|Bảo hiểm|Cục|Kho bạc|Bưu điện|Mặt trận|MTTQ|"
    r"Cơ quan|cơ quan|Đơn vị|đơn vị|Khối|Tòa án|Liên đoàn|Tỉnh đoàn|Thành đoàn|Trung tâm|Bộ phận|"
    r"HĐND|Hội đồng|Kiểm toán|Ngân hàng|Hiệp hội|Tổ kiểm tra|Tổ công tác|Tổ Công tác|Ban(?=\s+[A-ZĐÂÊÔƠƯ])|"
    r"Phòng(?=\s+[A-ZĐÂÊÔƠƯ])|Hội(?=\s+(?!nghị|thảo|thi)[A-ZĐÂÊÔƠƯa-zđ])|Đoàn(?=\s+[A-ZĐ]))"
)
_HEAD_RE = re.compile(r"^(?:(?:Đề nghị|đề nghị|Mời|mời|Giao|giao)\s+)?" + _HEADS + r"\b")

# Lower-case verbs and adverbs that end the agency span at the start of a task.
_STOP_WORDS = [
    "căn cứ", "triển khai", "tiếp tục", "chỉ đạo", "thực hiện", "phổ biến", "hướng dẫn", "phối hợp",
    "tham mưu", "chủ trì", "khẩn trương", "xây dựng", "tổ chức", "công khai", "rà soát", "kiểm tra",
    "đẩy nhanh", "đẩy mạnh", "nghiên cứu", "tăng cường", "theo dõi", "từng bước", "nâng cao", "chủ động",
    "thường xuyên", "kịp thời", "giám sát", "ban hành", "đề xuất", "cung cấp", "quản lý", "bố trí",
    "trình", "lập", "tăng", "duy trì", "đôn đốc", "hoàn thành", "kiện toàn", "phát huy", "đảm bảo",
    "bảo đảm", "cập nhật", "thống kê", "tích cực", "nghiêm túc", "có trách nhiệm", "chịu trách nhiệm",
    "làm", "là", "cần", "phải", "tập trung", "ứng dụng", "phát động", "vận động", "quan tâm", "thẩm định",
    "báo cáo", "định kỳ", "tuyên truyền", "tiếp nhận", "xử lý", "giải quyết", "áp dụng", "sớm",
    "khắc phục", "thực thi", "tham gia", "cải thiện", "đầu tư", "hỗ trợ", "trực tiếp", "lấy", "mở",
    "ưu tiên", "biên soạn", "đánh giá", "bồi dưỡng", "đào tạo", "niêm yết", "tiếp", "đối thoại",
    "kết nối", "tích hợp", "sắp xếp", "sửa đổi", "bổ sung", "kiến nghị", "được", "với", "nhằm", "để",
]
_STOP_RE = re.compile(r"(?:^|[\s,;:])(" + "|".join(sorted(map(re.escape, _STOP_WORDS), key=len, reverse=True)) + r")(?=[\s,;:.]|$)")

_SUPPORT_OPEN = re.compile(
    r"^(?:(?:tiếp tục|thường xuyên|chủ động)\s+)?(?:chủ trì\s*,?\s*)?phối hợp(?:\s+chặt chẽ)?(?:\s+với)?\s+",
    re.IGNORECASE,
)
_LEAD_MARKER = re.compile(r"^chủ trì\s*[,:]?\s*", re.IGNORECASE)


def _agency_prefix(text: str, max_words: int = 25) -> tuple[str | None, str]:
    """Split `text` into (agency span, rest) when it opens with an agency."""
    if not _HEAD_RE.match(text):
        return None, text
    m = _STOP_RE.search(text)
    if not m:
        # the whole text is an agency label ("Sở Tư pháp:")
        label = text.rstrip(" :;.,")
        if len(label.split()) <= max_words:
            return label, ""
        return None, text
    span = text[: m.start(1)].rstrip(" ,;:")
    if not span or len(span.split()) > max_words:
        return None, text
    return span, text[m.start(1):]


def split_lead(text: str) -> tuple[str | None, str | None]:
    """(lead as written, support as written) named at the start of a task text."""
    lead, rest = _agency_prefix(text)
    support = None
    # the opening words after the lead, or the task's own opening words under an agency label
    tail = rest if lead else text
    tail = _LEAD_MARKER.sub("", tail) if tail.lower().startswith("chủ trì") and "phối hợp" not in tail[:30].lower() else tail
    sm = _SUPPORT_OPEN.match(tail)
    if sm:
        sup, _ = _agency_prefix(tail[sm.end():])
        if sup is None:
            # "phối hợp với các sở, ngành, địa phương tổ chức ..." — take up to the next verb
            after = tail[sm.end():]
            m = _STOP_RE.search(after)
            cand = after[: m.start(1)].rstrip(" ,;:") if m else None
            if cand and 0 < len(cand.split()) <= 25 and (looks_like_agency(cand) or cand.lower().startswith("các ")):
                sup = cand
        support = sup
    return lead, support


def is_agency_label(text: str) -> bool:
    """A line that only names an agency and introduces its tasks: "Sở Tư pháp:"."""
    t = text.strip()
    if not t.endswith(":"):
        return False
    lead, rest = _agency_prefix(t)
    return lead is not None and rest.strip(" :") == ""


def looks_like_agency(text: str) -> bool:
    return bool(_HEAD_RE.match(text.strip()))
