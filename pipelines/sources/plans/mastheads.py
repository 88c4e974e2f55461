"""A state document's masthead (Decree 30/2020): the issuing body at the top left (under its superior), the motto at
the top right, the number and the place and date; read as they come out of Word, PDF and portal scrapes (side by
side on one line, one under the other, split by '|'). Gives the issuer candidates metadata.py chooses from."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from pipelines.normalise.provinces import Province, find_province_prefix
from pipelines.sources.plans.lines import strip_markup

_ISSUER = re.compile(
    r"(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\s*\|?\s*\n?\s*(TỈNH|THÀNH PHỐ|QUẬN|HUYỆN|THỊ XÃ|XÃ|PHƯỜNG|THỊ TRẤN)[ \t]+([^\n*|]{2,40})"
)


_MASTHEAD_START = re.compile(r"(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN|CỘNG\s+HÒA\s+XÃ\s+HỘI|CỘNG\s+HOÀ\s+XÃ\s+HỘI")


_MASTHEAD_RIGHT = re.compile(
    r"CỘNG\s+H(?:ÒA|OÀ)\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|Độc\s+lập\s*-\s*Tự\s+do\s*-\s*Hạnh\s+phúc"
)


_PLACE_DATE = re.compile(r"[^\d|()\n,]{2,60},\s*ngày\b")


_NUMBER_FIRST = re.compile(r"^(Số\s*:?\s*\S+)\s+(?=[^\d|()\n,]{2,60},\s*ngày\b)")


def masthead_view(lines: list[str], search: int = 15, span: int = 8) -> tuple[list[str], list[int]]:
    """The lines with the two-column masthead as a text export has it: the issuer's column (its name, number)
    then the national motto's column (motto, place and date), each piece with its 1-based line in `lines`.
    Word and web pages put the masthead in a borderless table (cells with line breaks); a PDF's text layer puts
    both columns on one line ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …", "Số: 27/KH-UBND Thái Bình, ngày …") and may
    wrap a name or the year onto the next line."""
    start = next((i for i, ln in enumerate(lines[:search]) if _MASTHEAD_START.search(ln)), None)
    if start is None:
        return lines, list(range(1, len(lines) + 1))
    end = start + 1
    if not (lines[start].lstrip().startswith("|") and "<br" in lines[start].lower()):
        while end < min(len(lines), start + span) and not _PLACE_DATE.search(lines[end - 1]):
            end += 1
        if end < len(lines) and re.fullmatch(r"\s*\d{4}\s*", lines[end]) and lines[end - 1].rstrip().endswith("năm"):
            end += 1  # the year wrapped onto its own line
    left: list[tuple[str, int]] = []
    right: list[tuple[str, int]] = []
    for n in range(start, end):
        ln = lines[n]
        if ln.lstrip().startswith("|"):
            cells = [c for c in ln.strip().strip("|").split("|")]
            for k, c in enumerate(cells):
                for piece in re.split(r"<br\s*/?>", c, flags=re.IGNORECASE):
                    if piece.strip():
                        (left if k == 0 else right).append((piece.strip(), n + 1))
            continue
        rest = _NUMBER_FIRST.sub(lambda m: m[1] + "\n", ln.strip())
        for part in rest.split("\n"):
            pos = 0
            for m in _MASTHEAD_RIGHT.finditer(part):
                if part[pos : m.start()].strip():
                    left.append((part[pos : m.start()].strip(), n + 1))
                right.append((m[0], n + 1))
                pos = m.end()
            tail = part[pos:].strip()
            if not tail:
                continue
            if _PLACE_DATE.match(tail):
                right.append((tail, n + 1))
            elif re.fullmatch(r"\d{4}", tail) and right and right[-1][0].endswith("năm"):
                right[-1] = (right[-1][0] + " " + tail, right[-1][1])
            elif left and left[-1][0].endswith("-"):
                left[-1] = (left[-1][0] + " " + tail, left[-1][1])  # a name wrapped after its hyphen
            else:
                left.append((tail, n + 1))
    head = left + right
    return (
        [ln for ln in lines[:start]] + [t for t, _ in head] + lines[end:],
        list(range(1, start + 1)) + [n for _, n in head] + list(range(end + 1, len(lines) + 1)),
    )


class IssuerCandidate(NamedTuple):
    """An issuing People's Committee read from the text: its canonical name, level and province (None: not known)."""

    name: str
    level: str
    province: Province | None


_LEVEL_OF = {
    "TỈNH": "province",
    "QUẬN": "district",
    "HUYỆN": "district",
    "THỊ XÃ": "district",
    "XÃ": "commune",
    "PHƯỜNG": "commune",
    "THỊ TRẤN": "commune",
}


_DEPTH = {"province": 0, "district": 1, "commune": 2}


# Bodies above the provinces that issue documents, as their masthead prints them
_CENTRAL = re.compile(
    r"^(?:THỦ TƯỚNG CHÍNH PHỦ|CHÍNH PHỦ|VĂN PHÒNG CHÍNH PHỦ|QUỐC HỘI|ỦY BAN THƯỜNG VỤ QUỐC HỘI|UỶ BAN THƯỜNG VỤ QUỐC HỘI|"
    r"BỘ [A-ZĐÀ-Ỹ ,&\-]+|NGÂN HÀNG NHÀ NƯỚC(?: VIỆT NAM)?|KIỂM TOÁN NHÀ NƯỚC|TÒA ÁN NHÂN DÂN TỐI CAO|"
    r"VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO|BẢO HIỂM XÃ HỘI VIỆT NAM|BAN CHẤP HÀNH TRUNG ƯƠNG|"
    r"(?:TỔNG )?CỤC [A-ZĐÀ-Ỹ ,&\-]+|ỦY BAN [A-ZĐÀ-Ỹ ,&\-]+ (?:QUỐC GIA|TRUNG ƯƠNG))$"
)


_MOTTO_WRAPPED = re.compile(r"CỘNG[\s*_|]+H(?:ÒA|OÀ)[\s*_|]+XÃ[\s*_|]+HỘI")


_COUNCIL = re.compile(r"^HỘI ĐỒNG NHÂN DÂN (TỈNH|THÀNH PHỐ) (.{2,40})$")


# the state's own organs sign as the nation; a ministry or the Government's office is a central body under them
_NATIONAL = re.compile(
    r"^(?:THỦ TƯỚNG CHÍNH PHỦ|CHÍNH PHỦ|QUỐC HỘI|ỦY BAN THƯỜNG VỤ QUỐC HỘI|UỶ BAN THƯỜNG VỤ QUỐC HỘI|CHỦ TỊCH NƯỚC)$"
)
_UNDER = re.compile(r"\s(?=(?:TỔNG CỤC|CỤC|VỤ|VĂN PHÒNG|THUẾ|HẢI QUAN|KHO BẠC NHÀ NƯỚC) )")  # a unit under its ministry


def _masthead_left(lines: list[str], search: int = 200) -> str | None:
    """The issuer's words of the masthead: the text just above the national motto ("CỘNG HÒA XÃ HỘI …"), a name the
    scrape may have wrapped ("**BỘ KHOA HỌC VÀ **" / "CÔNG NGHỆ"), without the rule and cell marks around it."""
    # the motto may be wrapped after its first word ("**CỘNG" / "HÒA XÃ HỘI …"): looked for once in the joined head
    head = "\n".join(lines[:search]).upper()
    m = _MOTTO_WRAPPED.search(head) if "CỘNG" in head else None
    if m is None:
        return None
    motto = head.count("\n", 0, m.start())
    got: list[str] = []
    for ln in reversed(lines[max(0, motto - 8) : motto]):
        t = strip_markup(ln).strip(" |*")
        if not t or set(t) <= set("-_=—"):
            if got:
                break
            continue
        got.insert(0, t)
    text = re.sub(r"\s+", " ", " ".join(got)).strip()
    return text or None


def _issuer_above_provinces(lines: list[str]) -> IssuerCandidate | None:
    """A ministry, the Government or a national office ("BỘ TÀI CHÍNH / CỤC THUẾ": the lowest unit), or a
    provincial People's Council, from the masthead."""
    left = _masthead_left(lines)
    if left is None:
        return None
    left = left.upper() if left.isupper() else left
    if m := _COUNCIL.match(left):
        prov = find_province_prefix(m[2])
        if prov is not None:
            unit = "Thành phố" if m[1] == "THÀNH PHỐ" else "Tỉnh"
            return IssuerCandidate(f"Hội đồng nhân dân {unit} {prov.name_vi}", "province", prov)
    lowest = _UNDER.split(left)[-1].strip()
    if (m := re.search(r"\b(?:TỈNH|THÀNH PHỐ) (.{2,40})$", lowest)) and (prov := find_province_prefix(m[1])):
        return IssuerCandidate(lowest, "province", prov)  # "CỤC THUẾ / THUẾ TỈNH VĨNH LONG": a branch in a province
    if _CENTRAL.match(lowest) or _CENTRAL.match(left):
        name = lowest if _CENTRAL.match(lowest) else left
        return IssuerCandidate(name, "national" if _NATIONAL.match(name) else "central", None)
    return None


def _issuer_matches(plain: str) -> list[re.Match]:
    """_ISSUER.finditer(plain), tried only where "BAN" is written: every match is "ỦY" or "UỶ", white space, then
    "BAN", so it can start only two characters before the white space in front of a "BAN" (a pattern that opens
    with two alternatives is tried at every character of the text, a tenth of a millisecond a document)."""
    out: list[re.Match] = []
    end = 0
    p = plain.find("BAN")
    while p != -1:
        j = p
        while j > 0 and plain[j - 1].isspace():  # \s is str.isspace
            j -= 1
        s = j - 2
        if j < p and s >= end and plain[s:j] in ("ỦY", "UỶ") and (m := _ISSUER.match(plain, s)):
            out.append(m)  # in order and without overlap, as finditer gives them
            end = m.end()
        p = plain.find("BAN", p + 1)
    return out


def _issuer_from_header(plain: str, at: Callable[[int], int]) -> IssuerCandidate | None:
    """Every "ỦY BAN NHÂN DÂN <unit> <name>" line read as a candidate; the first placed in a province wins. A header
    that stacks the parent unit over the issuer's own ("UBND HUYỆN PHONG ĐIỀN / UBND XÃ NHƠN ÁI"): the issuer is
    the lowest unit of the header; its province is the highest one named."""
    candidates: list[IssuerCandidate] = []
    matches = _issuer_matches(plain)
    for m in matches:
        issuer = None
        unit, name = m[1], m[2].strip(" .")
        prov = find_province_prefix(name)
        if unit == "THÀNH PHỐ" and prov and prov.is_city:
            issuer = IssuerCandidate(f"Ủy ban nhân dân Thành phố {prov.name_vi}", "province", prov)
        elif unit == "THÀNH PHỐ":
            issuer = IssuerCandidate(f"Ủy ban nhân dân Thành phố {name.title()}", "district", None)
        elif unit == "TỈNH" and prov:
            issuer = IssuerCandidate(f"Ủy ban nhân dân Tỉnh {prov.name_vi}", "province", prov)
        elif unit in _LEVEL_OF:
            issuer = IssuerCandidate(f"Ủy ban nhân dân {unit.title()} {name.title()}", _LEVEL_OF[unit], None)
        if issuer:
            candidates.append(issuer)
    resolved = [c for c in candidates if c.province is not None or c.level != "province"]
    chosen = (resolved or candidates)[0] if candidates else None
    head_cands = [c for c, m in zip(candidates, matches) if at(m.start()) <= 15]
    if len(head_cands) > 1:
        lowest = max(head_cands, key=lambda c: _DEPTH.get(c.level, 0))
        prov_c = next((c.province for c in head_cands if c.province is not None), None)
        chosen = IssuerCandidate(lowest.name, lowest.level, lowest.province or prov_c)
    return chosen
