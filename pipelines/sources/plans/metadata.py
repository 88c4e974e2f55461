"""Document metadata from the text of a plan: issuer, numbers, dates, signer, title, years, indices."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from pipelines.model import Finding
from pipelines.normalise.provinces import REORGANISED, find_province_prefix, unit_2025_for
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.index_names import indices_named
from pipelines.sources.plans.lines import lines_containing, strip_markup
from pipelines.sources.plans.mastheads import (
    _MASTHEAD_START,
    IssuerCandidate,
    _issuer_above_provinces,
    _issuer_from_header,
    masthead_view,
)

# "19/KH-UBND", also with stray spaces around the slash as exports print it ("19 /KH-UBND"); spaces are removed
_DOCNO = r"\d{1,5}[A-Za-z]?[ \t]?/[ \t]?(?:[0-9]{4}/)?[A-ZĐ][A-ZĐa-z0-9\-]*(?:-[A-ZĐ0-9]+)*"
_DATE_LONG = r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
_DATE_SHORT = r"ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})"
_DATE_ANY = re.compile(rf"(?:{_DATE_LONG}|{_DATE_SHORT})", re.IGNORECASE)
_HEADER_DATE = re.compile(rf"^[^\d|()\n]{{2,60}},\s*(?:{_DATE_LONG}|{_DATE_SHORT})", re.IGNORECASE | re.MULTILINE)
# "Số:" opens a line, or follows the issuer's rule (kept as one "_" by strip_markup) when a scrape glued the
# masthead into one line
# ("CHÍNH PHỦ_______ Số: 172/2025/NĐ-CP | CỘNG HÒA …")
_SO = re.compile(rf"Số\s*(?:hiệu)?\s*[:|]\s*({_DOCNO})")  # where its line allows it: _own_number_at
# an OCR'd masthead may lose the colon: "Số 70/KH-UBND" alone on its line
_SO_BARE = re.compile(rf"(?m)^[ \t*_#|]*Số[ \t]+({_DOCNO})[ \t*_|]*$")
_ATTACHED = re.compile(
    rf"^\s*\(?\s*(?:Ban\s+hành\s+)?kèm\s+theo\s+(Quyết\s+định|Kế\s+hoạch)\s+số\s*:?\s*({_DOCNO})\s*,?\s*(?:{_DATE_LONG}|{_DATE_SHORT})",
    re.IGNORECASE | re.MULTILINE,
)
# a "|" that opens its line: the "|" first, so the scan looks only at the "|"s (a pattern opening with "^" is tried at
# every character of the text)
_WEB_FIELD = re.compile(
    r"\|(?<=^\|)\s*(Số hiệu|Ngày ban hành|Loại văn bản|Cơ quan ban hành|Người ký)\s*\|\s*([^|]+?)\s*\|", re.MULTILINE
)
_TITLE_OWNER = re.compile(r"(?:của|CỦA|trên địa bàn|TRÊN ĐỊA BÀN)\s+(tỉnh|thành phố|TỈNH|THÀNH PHỐ)\s+([^\n,()]{2,40})")
_SIGN_TITLE = re.compile(r"^(?:(?:KT|TM|Q|TUQ)\.\s*)?(?:PHÓ\s+)?CHỦ TỊCH$|^TM\.\s*ỦY BAN NHÂN DÂN$")
_NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}$")


# Headings that open a Vietnamese administrative document (Decree 30/2020/NĐ-CP, Appendix I), and the type they give
DOC_TYPES = {
    "QUYẾT ĐỊNH": "Quyết định",
    "KẾ HOẠCH": "Kế hoạch",
    "BÁO CÁO": "Báo cáo",
    "CHƯƠNG TRÌNH": "Chương trình",
    "ĐỀ ÁN": "Đề án",
    "THÔNG BÁO": "Thông báo",
    "CHỈ THỊ": "Chỉ thị",
    "NGHỊ QUYẾT": "Nghị quyết",
    "TỜ TRÌNH": "Tờ trình",
    "CÔNG VĂN": "Công văn",
    "HƯỚNG DẪN": "Hướng dẫn",
    "QUY ĐỊNH": "Quy định",
    "QUY CHẾ": "Quy chế",
    "PHƯƠNG ÁN": "Phương án",
    "CHƯƠNG TRÌNH HÀNH ĐỘNG": "Chương trình",
    "CÔNG ĐIỆN": "Công điện",
    "THÔNG CÁO": "Thông cáo",
    "BIÊN BẢN": "Biên bản",
    # legal normative documents (Law 80/2015/QH13, art. 4)
    "NGHỊ ĐỊNH": "Nghị định",
    "THÔNG TƯ": "Thông tư",
    "THÔNG TƯ LIÊN TỊCH": "Thông tư liên tịch",
    "LUẬT": "Luật",
    "PHÁP LỆNH": "Pháp lệnh",
}
PLAN_TYPES = ("Kế hoạch", "Chương trình", "Đề án", "Phương án")
# a directive assigns work to the bodies it names: read like a plan (its items under an agency are that agency's)
DIRECTIVE_TYPES = ("Chỉ thị",)
# a decision or a resolution is a plan only when it issues one (its first article or its title says so)
ISSUING_TYPES = ("Quyết định", "Nghị quyết")
# the type code in a document number ("19/KH-UBND"); a number with none ("1528/SNV-CCHC") over "V/v …" is a letter
_NUMBER_TYPES = {
    "KH": "Kế hoạch",
    "QĐ": "Quyết định",
    "BC": "Báo cáo",
    "TB": "Thông báo",
    "CT": "Chỉ thị",
    "NQ": "Nghị quyết",
    "TTr": "Tờ trình",
    "HD": "Hướng dẫn",
    "CTr": "Chương trình",
    "ĐA": "Đề án",
    "NĐ": "Nghị định",
    "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch",
    "CĐ": "Công điện",
    "VBHN": "Văn bản hợp nhất",
}
# a consolidated text prints the heading of the text it consolidates: its number's code says what it is
_NUMBER_OVERRIDES = ("Văn bản hợp nhất",)


def _number_code(number: str) -> str | None:
    m = re.match(r"\d+[A-Za-z]?/(?:\d{4}/)?([A-Za-zĐđ]+)(?:-|$)", number)
    return _NUMBER_TYPES.get(m[1]) if m else None


# the issuer's initials that end a document's number (Nghị định 30/2020/NĐ-CP, appendix I) for the state's own
# organs and the Government's office: "09/2025/NĐ-CP", "1661/NQ-UBTVQH15", "2530/QĐ-TTg", "623/TB-VPCP"
_NUMBER_ISSUERS = {
    "CP": ("CHÍNH PHỦ", "national"),
    "TTg": ("THỦ TƯỚNG CHÍNH PHỦ", "national"),
    "UBTVQH": ("ỦY BAN THƯỜNG VỤ QUỐC HỘI", "national"),
    "QH": ("QUỐC HỘI", "national"),
    "VPCP": ("VĂN PHÒNG CHÍNH PHỦ", "central"),
}


def _issuer_from_number(numbers: list[str]) -> IssuerCandidate | None:
    """The issuer its own number names, when the masthead was lost in the scrape."""
    m = re.match(r"\d+[A-Za-z]?/(?:\d{4}/)?[A-Za-zĐđ]+-([A-Za-z]+?)(?:\d+)?$", numbers[0]) if numbers else None
    got = _NUMBER_ISSUERS.get(m[1]) if m else None
    return IssuerCandidate(got[0], got[1], None) if got else None


def _type_from_number(number: str, lines: list[str]) -> str | None:
    # "V/v …" under the number is the mark of an official letter, whose number carries its issuer's initials
    # ("123/CT-CS" is a letter of the tax department, not a Chỉ thị): looked at before the number's code
    if any(re.match(r"\W*V/v\b", ln) for ln in lines[:80]):
        return "Công văn"
    return _number_code(number)


# a "phương án" a decision approves is a scheme (of procedures, compensation, prices), not a plan of tasks
# a decision that itself gives the tasks of improving an index ("Về việc giao chỉ tiêu và nhiệm vụ cải thiện Chỉ số
# năng lực cạnh tranh cấp tỉnh (PCI) …"): its articles are the plan
_GIVES_INDEX_TASKS = re.compile(
    r"(?i)\bgiao\s+(?:chỉ tiêu\s+và\s+)?nhiệm vụ\b.{0,80}?(?:PAPI|PCI|PAR\s*INDEX|SIPAS|chỉ số (?:cải cách hành chính|"
    r"năng lực cạnh tranh|hiệu quả quản trị|hài lòng))"
)
_ISSUES_PLAN = re.compile(
    r"(?i)(?:ban hành|phê duyệt)\s+(?:kèm theo\s+)?(?:quyết định này\s+)?[“\"']?\s*(?:kế hoạch|chương trình|đề án)"
)


def not_a_plan(meta: DocumentMeta, lines: list[str]) -> str | None:
    """Why a document is not a plan (no task of it is read), or None for a plan. A report records what was done; a
    decision that only sets criteria or rules assigns no tasks, even when it names PAR INDEX in a scoring table; a
    decision that issues a plan ("Ban hành kèm theo Quyết định này Kế hoạch …") is a plan."""
    t = meta.doc_type
    if t is None and not meta.doc_numbers and meta.issuer_name is None:
        # every state document states its type, its number or its issuer (Decree 30/2020): a text with none of
        # them (a web article, a Q&A page quoting a law) assigns nobody anything
        return "no document type, number or issuer: not an official document, so not a plan; its lists are not tasks"
    if t is None or t in PLAN_TYPES or t in DIRECTIVE_TYPES:
        return None
    # what this document does (its title and its Article 1), not what it cites or lists as criteria
    first = next((i for i, ln in enumerate(lines) if re.match(r"\s*\**Điều\s+1\b", ln)), None)
    # Article 1 as a scrape gives it: its words may start on the lines below "**Điều 1.**"
    article = [] if first is None else [strip_markup(ln) for ln in lines[first : first + 4]]
    head = "\n".join([meta.title or "", " ".join(article)])
    if t in ISSUING_TYPES:
        # an attached plan: its heading with "(Ban hành kèm theo Quyết định số …)" just below it; a bare heading
        # may be a form inside a list of procedures
        plan_heading = any(
            strip_markup(ln).strip(" |*") in ("KẾ HOẠCH", "CHƯƠNG TRÌNH", "ĐỀ ÁN", "PHƯƠNG ÁN")
            and any(re.search(r"(?i)kèm\s+theo\s+\w+\s+\w+\s+số:?\s*\d", x) for x in lines[i + 1 : i + 8])
            for i, ln in enumerate(lines[10:], start=10)
            if "KẾ HOẠCH" in ln or "CHƯƠNG TRÌNH" in ln or "ĐỀ ÁN" in ln or "PHƯƠNG ÁN" in ln
        )
        # the title (a decision's "Về việc …" lines under its type heading, wrapped) before the preamble
        top = " ".join(strip_markup(ln).strip() for ln in lines[:30]).split("Căn cứ", 1)[0]
        if _ISSUES_PLAN.search(head) or plan_heading or _GIVES_INDEX_TASKS.search(top):
            return None
        return (
            f"a {t} that issues no plan (no 'ban hành … Kế hoạch/Chương trình' and no attached plan): "
            "its numbered items are rules or criteria, not tasks"
        )
    if t == "Tin bài":
        return "a news item on a portal, not a plan: it reports on a plan or an event and assigns no tasks"
    if t in ("Báo cáo", "Thông báo", "Tờ trình", "Công văn", "Hướng dẫn", "Quy định", "Công điện"):
        return f"a {t}, not a plan: it reports or instructs, it assigns no tasks with leads and deadlines"
    # laws, decrees, circulars, rules, consolidated texts, minutes, contracts: they set rules, they plan nothing
    return f"a {t}, not a plan: it sets rules or records, it assigns no tasks with leads and deadlines"


@dataclass
class DocumentMeta:
    issuer_name: str | None = None
    issuer_level: str | None = None  # province | district | commune
    province_code: str | None = None  # GSO code of the province in force when the plan was issued
    province_name: str | None = None
    province_vintage: int | None = None  # 2004 (the 63 provinces) or 2025 (the 34 units from 1 July 2025)
    doc_type: str | None = None
    doc_numbers: list[str] = field(default_factory=list)
    issue_date: dt.date | None = None
    signer: str | None = None
    title: str | None = None
    plan_year_start: int | None = None
    plan_year_end: int | None = None
    indices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _date(groups: tuple) -> dt.date | None:
    vals = [g for g in groups if g]
    if len(vals) != 3:
        return None
    d, m, y = (int(v) for v in vals)
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _title(lines: list[str]) -> tuple[str | None, int | None]:
    clean = [strip_markup(ln).strip(" |") for ln in lines]
    for i, ln in enumerate(clean):
        if ln == "KẾ HOẠCH":
            parts: list[str] = []
            for nxt in clean[i + 1 : i + 6]:
                if not nxt:
                    if parts:
                        break
                    continue
                # "Thực hiện …" opens a preamble sentence, or (the line right under "KẾ HOẠCH", not a sentence) the
                # title itself: "Thực hiện các giải pháp nâng cao Chỉ số PAPI … năm 2023"
                title_line = not parts and len(nxt) < 250 and not nxt.endswith((";", ",", ".")) and "như sau" not in nxt
                if (
                    # a note in brackets under the title ("(Ban hành kèm theo …)"); "(PAPI) trên địa bàn …" goes on
                    (nxt.startswith("(") and not (parts and re.match(r"^\([^()]{1,40}\)\s+\w", nxt)))
                    or re.match(r"^[IVX]+[.\-]", nxt)
                    or nxt.endswith(":")
                    or re.match(r"^(Căn cứ|Nhằm|Để)\b", nxt)
                    or (nxt.startswith("Thực hiện") and not title_line)
                ):
                    break
                parts.append(nxt)
            if parts:
                return collapse_ws(" ".join(parts)), i + 2
    for i, ln in enumerate(clean[:40]):
        # the type word and the title on one line, in capitals: "KẾ HOẠCH HÀNH ĐỘNG CẢI THIỆN CHỈ SỐ … NĂM 2026"
        if (m := re.match(r"^KẾ HOẠCH\s+(\S.{10,240})$", ln)) and ln.isupper() and not ln.endswith((".", ":", ";")):
            return collapse_ws(m[1]), i + 1
    for i, ln in enumerate(clean):
        m = re.match(r"^(?:về\s+)?(?:việc\s+)?ban hành\s+(kế hoạch.*)$", ln, re.IGNORECASE)
        if m:
            t = m.group(1)
            return collapse_ws(t[0].upper() + t[1:].lower() if t.isupper() else t[0].upper() + t[1:]), i + 1
    return None, None


def _years(title: str | None) -> tuple[int | None, int | None]:
    if not title:
        return None, None
    t = title.lower()
    if m := re.search(r"(?:năm|giai đoạn)\s+(\d{4})\s*[-–]\s*(\d{4})", t):
        return int(m[1]), int(m[2])
    if m := re.search(r"năm\s+(\d{4})\s+và\s+(?:những|các)\s+năm\s+tiếp\s+theo", t):
        return int(m[1]), None
    if m := re.search(r"năm\s+(\d{4})", t):
        return int(m[1]), int(m[1])
    return None, None


_PORTAL_NEWS = re.compile(
    r"Lượt xem|In bài viết|Các tin khác|Tin liên quan|\((?:Cổng TTĐT|TTXVN|Báo [^)]{2,30})\)\s*-|"
    r"^\d{1,2}/\d{1,2}/20\d\d\s+\d{1,2}:\d{2}",
    re.MULTILINE | re.IGNORECASE,
)


_DATELINE = re.compile(r"^(\d{1,2})/(\d{1,2})/(20\d\d)\s+\d{1,2}:\d{2}", re.MULTILINE)


def extract_metadata(text: str) -> tuple[DocumentMeta, list[Finding]]:
    """The document's numbers, type, issue date, issuer and province, signer, title, plan years and indices; each
    conflict between two sources is a finding."""
    meta = DocumentMeta()
    findings: list[Finding] = []
    lines = text.split("\n")
    view, src_line = masthead_view(lines)
    plain = "\n".join(map(strip_markup, view))

    def at(pos: int) -> int:  # the line in the document of a position in `plain`
        return src_line[_line_of(plain, pos) - 1]

    web: dict[str, tuple[str, int]] = {}
    for m in _WEB_FIELD.finditer(plain):
        web.setdefault(m[1], (m[2].strip(), at(m.start())))
    attached = _doc_numbers(meta, plain, at)
    _doc_type(meta, lines, web, plain)
    _issue_date(meta, plain, web, attached, findings, at)
    title, title_line = _title(lines)
    above = _issuer_above_provinces(lines) or _issuer_from_number(meta.doc_numbers)
    issuer: IssuerCandidate | None
    if above is not None and above.level in ("national", "central"):
        issuer = above  # a central masthead or number names the issuer; a province the text writes to is not it
    else:
        issuer = _issuer(plain, web, title, title_line, findings, at)
        if issuer is None or issuer.province is None and issuer.level == "province":
            issuer = above or issuer
    _place_issuer(meta, issuer, plain, findings)
    _signer(meta, lines, web, findings)
    meta.title = title
    meta.plan_year_start, meta.plan_year_end = _years(title)
    meta.indices = indices_named(title, text)
    # a district-level issuer that calls its plan provincial
    # ("cấp tỉnh" inside PAPI's own name does not count)
    own_title = re.sub(r"hành chính công cấp tỉnh", "", title or "", flags=re.IGNORECASE)
    if meta.issuer_level == "district" and re.search(r"cấp tỉnh|của tỉnh", own_title, re.IGNORECASE):
        findings.append(
            Finding(
                "issuer_level_inconsistent",
                "warning",
                f"District-level issuer '{meta.issuer_name}' titles its plan as provincial.",
                title_line,
                title_line,
            )
        )
    return meta, findings


def _own_number_at(plain: str, pos: int) -> bool:
    """ "Số:" opens its line (after a cell mark), or follows the issuer's rule when a scrape glued the masthead into
    one line ("CHÍNH PHỦ_ Số: 172/2025/NĐ-CP | …"; strip_markup leaves one "_")."""
    before = plain[plain.rfind("\n", 0, pos) + 1 : pos]
    return not before.strip(" \t|") or before.rstrip(" \t").endswith(("_", "-"))


def _doc_numbers(
    meta: DocumentMeta, plain: str, at: Callable[[int], int]
) -> list[tuple[str, str, dt.date | None, int]]:
    """Numbers: the header's "Số:", the web record's "Số hiệu", and "kèm theo ... số X" lines (returned:
    (kind, number, date, line) of each of those)."""
    numbers: list[tuple[str, int]] = []
    for m in _SO.finditer(plain):
        if _own_number_at(plain, m.start()):
            numbers.append((m[1], at(m.start())))
    if not numbers and "Số " in plain:
        numbers += [(m[1], at(m.start())) for m in _SO_BARE.finditer(plain)][:1]
    attached = [(m[1], m[2], _date(m.groups()[2:]), at(m.start())) for m in _attached_matches(plain)]
    for _, no, _, ln in attached:
        numbers.append((no, ln))
    numbers = [(re.sub(r"\s+", "", no), ln) for no, ln in numbers]
    for no, _ in numbers:
        if no not in meta.doc_numbers:
            meta.doc_numbers.append(no)
    return attached


_ATTACHED_LEAD = frozenset("(banhàBANHÀ")  # what _ATTACHED reads before "kèm", white space aside


def _attached_matches(plain: str) -> list[re.Match]:
    """_ATTACHED.finditer(plain), tried only before an "è": a match opens a line, reads only white space, "(" and
    "Ban hành" up to "kèm" (its "è" matches "è" or "È" alone), so it starts at a line start between that "kèm" and
    the first character before it that none of those can be. In order and without overlap, as finditer gives them
    (a multi-line pattern opening with "^" is tried at every character of the text)."""
    out: list[re.Match] = []
    end = 0
    for p in sorted(i for ch in ("è", "È") for i in _positions(plain, ch)):
        k = p - 1
        if k < end:
            continue
        q = k
        while q > 0 and (plain[q - 1].isspace() or plain[q - 1] in _ATTACHED_LEAD):
            q -= 1
        for s in range(max(q, end), k + 1):
            if (s == 0 or plain[s - 1] == "\n") and (m := _ATTACHED.match(plain, s)):
                out.append(m)
                end = m.end()
                break
    return out


def _positions(text: str, ch: str) -> list[int]:
    out, i = [], text.find(ch)
    while i != -1:
        out.append(i)
        i = text.find(ch, i + 1)
    return out


def _doc_type(meta: DocumentMeta, lines: list[str], web: dict[str, tuple[str, int]], plain: str) -> None:
    first_kind, kind_at = None, len(lines)
    for i, ln in enumerate(lines[:200]):
        s = strip_markup(ln).strip(" |")
        if s in DOC_TYPES:
            first_kind, kind_at = DOC_TYPES[s], i
            break
    # "V/v …" (the subject line of an official letter) above any type heading: a letter, whatever it quotes below
    letter_at = next((i for i, ln in enumerate(lines[:80]) if re.match(r"\W*V/v\b", ln)), None)
    if letter_at is not None and letter_at < kind_at:
        first_kind = "Công văn"
    web_kind = web["Loại văn bản"][0].strip().capitalize() if "Loại văn bản" in web else None
    if web_kind is None:  # the same record scraped one cell per line: "**Loại văn bản:**", "|", "Công văn"
        for i, ln in enumerate(lines[:80]):
            if re.match(r"\W*Loại văn bản:?\W*$", ln):
                web_kind = next((x.strip() for x in lines[i + 1 : i + 4] if x.strip(" |")), "").capitalize()
                break
    if web_kind in DOC_TYPES.values():  # a portal's record, when its value is a type (not a stray table cell)
        meta.doc_type = web_kind
    elif first_kind:
        meta.doc_type = first_kind
    elif meta.doc_numbers:
        meta.doc_type = _type_from_number(meta.doc_numbers[0], lines)
    if meta.doc_numbers and (code := _number_code(meta.doc_numbers[0])) in _NUMBER_OVERRIDES:
        meta.doc_type = code
    if (
        meta.doc_type is None
        and len(_PORTAL_NEWS.findall(plain[:6000])) >= 2
        and not any(_MASTHEAD_START.search(ln) for ln in lines[:40])
    ):
        meta.doc_type = "Tin bài"  # a portal's news item: no masthead of a document, the page furniture of an article
        if meta.issue_date is None and (m := _DATELINE.search(plain[:2000])):
            meta.issue_date = _date((m[1], m[2], m[3]))  # its dateline


def _issue_date(
    meta: DocumentMeta,
    plain: str,
    web: dict[str, tuple[str, int]],
    attached: list[tuple[str, str, dt.date | None, int]],
    findings: list[Finding],
    at: Callable[[int], int],
) -> None:
    """The header's date, else the web record's, else the attachment line's; any other date given is a finding."""
    dates: list[tuple[dt.date, int, str]] = []
    if m := _HEADER_DATE.search(plain):
        d = _date(m.groups())
        if d:
            dates.append((d, at(m.start()), "header"))
    if "Ngày ban hành" in web:
        v, ln = web["Ngày ban hành"]
        if mm := re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", v):
            d = _date(mm.groups())
            if d:
                dates.append((d, ln, "web record"))
    own = set(meta.doc_numbers[:1]) if meta.doc_numbers else set()
    for kind, no, ad, ln in attached:
        if ad and (no in own or not own):
            dates.append((ad, ln, f"'kèm theo {collapse_ws(kind)} số {no}'"))
    if dates:
        meta.issue_date = dates[0][0]
        for d, ln, src in dates[1:]:
            if d != meta.issue_date:
                findings.append(
                    Finding(
                        "date_conflict",
                        "warning",
                        f"Issue date {meta.issue_date.isoformat()} (line {dates[0][1]}, {dates[0][2]}) conflicts with "
                        f"{d.isoformat()} (line {ln}, {src}); keeping {meta.issue_date.isoformat()}.",
                        min(ln, dates[0][1]),
                        max(ln, dates[0][1]),
                    )
                )


def _issuer(
    plain: str,
    web: dict[str, tuple[str, int]],
    title: str | None,
    title_line: int | None,
    findings: list[Finding],
    at: Callable[[int], int],
) -> IssuerCandidate | None:
    """The issuer from the header, else the web record, else the title or opening text (a finding says so)."""
    issuer = _issuer_from_header(plain, at)
    if issuer is None and "Cơ quan ban hành" in web:
        v = web["Cơ quan ban hành"][0]
        kind, _, rest = v.partition(" ") if not v.lower().startswith("thành phố") else ("Thành phố", " ", v[9:].strip())
        prov = find_province_prefix(rest if rest else v)
        if prov:
            lvl = "province" if (prov.is_city or kind.lower() == "tỉnh") else "district"
            issuer = IssuerCandidate(f"Ủy ban nhân dân {v}", lvl, prov)
    if issuer is None:
        for src in (title or "", plain[:3000]):
            m = _TITLE_OWNER.search(src)
            if m:
                prov = find_province_prefix(m[2])
                if prov:
                    unit = "Thành phố" if m[1].lower() == "thành phố" else "Tỉnh"
                    lvl = "province" if (unit == "Tỉnh" or prov.is_city) else "district"
                    issuer = IssuerCandidate(f"Ủy ban nhân dân {unit} {prov.name_vi}", lvl, prov)
                    findings.append(
                        Finding(
                            "issuer_inferred",
                            "info",
                            f"No issuer header; issuer read from the text as '{issuer.name}'.",
                            title_line,
                            title_line,
                        )
                    )
                    break
    return issuer


def _place_issuer(meta: DocumentMeta, issuer: IssuerCandidate | None, plain: str, findings: list[Finding]) -> None:
    """The issuer's name and level, and its province (for a district-level issuer, the one the text names); a plan
    issued after the 2025 reorganisation belongs to one of the 34 units."""
    if not issuer:
        findings.append(Finding("issuer_missing", "warning", "No issuer found in the text.", None, None))
        return
    meta.issuer_name, meta.issuer_level, prov = issuer
    if meta.issuer_level in ("national", "central"):
        return  # above the provinces: no province of its own (the one it concerns may be named in the text)
    if prov is None:
        # district-level issuer: its province is the one the text names
        for m in re.finditer(r"(tỉnh|TỈNH|[Tt]hành phố|THÀNH PHỐ|TP\.)\s*([^\n,.;()]{2,30})", plain):
            cand = find_province_prefix(m[2])
            # "thành phố X" names a province only for a centrally-run city (Đà Nẵng, Cần Thơ …)
            if cand and (m[1].lower().startswith("t") and m[1].lower() == "tỉnh" or cand.is_city):
                prov = cand
                break
    if prov:
        if meta.issue_date and meta.issue_date.isoformat() >= REORGANISED and (unit := unit_2025_for(prov)):
            prov = unit  # a plan issued after the 2025 reorganisation belongs to one of the 34 units
        meta.province_code, meta.province_name, meta.province_vintage = prov.code, prov.name_vi, prov.vintage
    else:
        findings.append(
            Finding(
                "province_unresolved",
                "warning",
                f"Issuer '{meta.issuer_name}' could not be placed in a province.",
                None,
                None,
            )
        )


def _signer(meta: DocumentMeta, lines: list[str], web: dict[str, tuple[str, int]], findings: list[Finding]) -> None:
    """The name under the signing title (or the web record's "Người ký"); another name elsewhere is a finding."""
    signers: list[tuple[str, int]] = []
    for i in lines_containing(("chủ tịch", "ủy ban nhân dân"), lines):  # the only lines _SIGN_TITLE can match
        s = strip_markup(lines[i]).strip(" |")
        if _SIGN_TITLE.match(s):
            for j in range(i + 1, min(i + 6, len(lines))):
                cand = strip_markup(lines[j]).strip(" |")
                if not cand or _SIGN_TITLE.match(cand):
                    continue
                if _NAME.match(cand):
                    signers.append((cand, j + 1))
                break
    if "Người ký" in web:
        signers.insert(0, web["Người ký"])
    if signers:
        meta.signer = signers[0][0]
        others = {s for s, _ in signers[1:] if s != meta.signer}
        for s in others:
            ln = next(ln for n, ln in signers if n == s)
            findings.append(
                Finding(
                    "signer_conflict",
                    "warning",
                    f"Signer '{meta.signer}' (line {signers[0][1]}) differs from '{s}' (line {ln}).",
                    ln,
                    ln,
                )
            )
