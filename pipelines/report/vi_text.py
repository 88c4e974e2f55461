"""Vietnamese for the report: the collation of Vietnamese names and the reasons of the marts in Vietnamese.

Collation: the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y) decides first, tones
(none, huyền, sắc, hỏi, ngã, nặng) only between names equal without them. So Bình Định comes before Bình Thuận, every
Đ after every D and before E, and Ă / Â after A; Python's code-point order puts Đ after Y.
"""

from __future__ import annotations

import re
import unicodedata

_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {c: i for i, c in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}  # huyền sắc hỏi ngã nặng
_SHAPES = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư): part of the letter


def vi_sort_key(text: str) -> tuple:
    letters: list[tuple[int, str]] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", text).lower():
        parts = unicodedata.normalize("NFD", ch)
        tone = next((_TONES[m] for m in parts[1:] if m in _TONES), 0)
        base = unicodedata.normalize("NFC", parts[0] + "".join(m for m in parts[1:] if m in _SHAPES))
        letters.append((_RANK.get(base, len(_ALPHABET) + (0 if base.isalnum() else -100)), base))
        tones.append(tone)
    return (tuple(letters), tuple(tones))


def vi_sorted(names) -> list[str]:
    return sorted(names, key=vi_sort_key)


_REASONS: list[tuple[str, str]] = [
    (
        r"^issuer is not a province: (.+) ranks only provinces$",
        r"cơ quan ban hành không phải cấp tỉnh: \1 chỉ xếp hạng tỉnh",
    ),
    (r"^province unknown$", "không xác định được tỉnh"),
    (r"^target year unknown$", "không xác định được năm mục tiêu"),
    (r"^no (.+) value is held in the warehouse$", r"kho dữ liệu không có giá trị \1 nào"),
    (r"^(.+) (\d{4}) not held \(latest held (\d{4})\)$", r"chưa có \1 năm \2 (năm mới nhất có: \3)"),
    (
        r"^no (.+) value held for this province in (\d{4}): only press figures \(partial\) are held$",
        r"không có giá trị \1 của tỉnh năm \2: chỉ có số liệu báo chí (không đầy đủ)",
    ),
    (r"^no official rank for (\d{4}) or (\d{4})$", r"không có thứ hạng chính thức năm \1 hoặc \2"),
    (r"^no official value for (\d{4})$", r"không có giá trị chính thức năm \1"),
]


def reason_vi(reason: str | None) -> str | None:
    """The reason a target is not evaluable (mart_target_vs_actual.status_reason), in Vietnamese; a reason this
    table does not know is shown as written, never dropped."""
    if reason is None:
        return None
    for pattern, vi in _REASONS:
        if re.match(pattern, reason):
            return re.sub(pattern, vi, reason)
    return reason
