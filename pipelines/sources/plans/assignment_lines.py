"""The lines and cells that say who leads and who works with them, in the forms plans write them: a "Phân công:"
line with its roles tagged in brackets, labels stacked over their values in one cell, and the note that the body
named first in a cell leads."""

from __future__ import annotations

import re

from pipelines.sources.plans.agency_text import ROLE_TAG, parse_attributes, tagged_roles
from pipelines.sources.plans.lines import strip_markup

# "Cơ quan được nêu đầu tiên trong cột … là cơ quan chủ trì; các cơ quan tiếp theo là cơ quan phối hợp"
FIRST_LISTED_LEADS = re.compile(
    r"(?i)(?:nêu|ghi|liệt kê)\s+(?:đầu tiên|trước(?:\s+tiên)?|thứ nhất)[^.;]{0,120}?(?:là\s+)?(?:cơ quan|đơn vị)\s+chủ\s*trì"
)
# FIRST_LISTED_LEADS's opening in the text's lower case, case-sensitive (a cheap gate before the case-ignoring search;
# an "i" it matches may be "ı", or "İ" lowered to "i" and a combining dot)
FIRST_LISTED_OPENING = re.compile(
    r"(?:nêu|gh(?:i\u0307?|ı)|l(?:i\u0307?|ı)ệt kê)\s+(?:đầu t(?:i\u0307?|ı)ên|trước|thứ nhất)"
)


_ASSIGNMENT_LINE = re.compile(r"(?i)^phân công(?:\s+thực hiện)?\s*:\s*(?P<rest>\S.*)$")


def tagged_assignment(text: str) -> dict[str, str] | None:
    """ "Phân công: Phòng Kinh tế (chủ trì); Ủy ban MTTQ xã, Trưởng các thôn (phối hợp); thời gian: Quý II/2026."
    under an item: its lead, partners and fields, the roles tagged in brackets in any order; None for any other line
    (one that gives numbered tasks out, "… nhiệm vụ (1) và (3)", is read with its part)."""
    if text.lstrip()[:4].lower() != "phân":  # the label's first word, before the line is respaced and matched
        return None
    if (m := _ASSIGNMENT_LINE.match(" ".join(text.split()))) is None or re.search(r"\(\d{1,2}\)", text):
        return None
    # the fields stand after the tagged names ("…; thời gian: Quý II/2026"), or between them
    fields = [seg for seg in m["rest"].split(";") if not ROLE_TAG.search(seg)]
    if (tagged := tagged_roles(";".join(seg for seg in m["rest"].split(";") if ROLE_TAG.search(seg)))) is None:
        return None
    out: dict[str, str] = {"lead": tagged[0]} | ({"support": tagged[1]} if tagged[1] else {})
    for seg in fields:
        for k, v in parse_attributes(seg.strip(" ."))[0].items():
            out.setdefault(k, v)
    return out


def stacked_fields(cell: str) -> dict[str, str] | None:
    """One cell stacking labels over their values, each on its own line ("CHỦ TRÌ" / "Sở Nội vụ" / "PHỐI HỢP" /
    "Văn phòng UBND tỉnh" / "Thanh tra tỉnh" / "THỜI HẠN" / "Quý II/2026"): {lead, support, timeline …}, or None."""
    lines = [" ".join(strip_markup(x).split()) for x in re.split(r"\n|<br\s*/?>", cell) if x.strip()]
    out: dict[str, list[str]] = {}
    key = None
    for ln in lines:
        got = parse_attributes(f"{ln.rstrip(':').capitalize()}: x")[0] if len(ln) <= 30 and ln.upper() == ln else {}
        if got:
            key = next(iter(got))
            out.setdefault(key, [])
        elif key is not None:
            out[key].append(ln)
        else:
            return None
    if len(out) < 2 or "lead" not in out:
        return None
    return {k: (", " if k in ("lead", "support") else " ").join(v) for k, v in out.items() if v}
