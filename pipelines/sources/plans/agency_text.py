"""Find the agencies a task names in its opening words ("Sở Tư pháp phối hợp Sở Nội vụ hướng dẫn ...").

Only the as-written spans are found here; canonical names come from the agency mapping.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipelines.sources.plans.agency_words import _HEAD_RE, _STOP_WORDS
from pipelines.sources.plans.lines import lines_containing, strip_markup

_STOP_RE = re.compile(
    r"(?:^|[\s,;:])("
    + "|".join(sorted(map(re.escape, _STOP_WORDS), key=len, reverse=True))
    + r")(?=[\s,;:.]|$)(?!\s+chính\s*trị)"  # "các tổ chức chính trị - xã hội" names bodies: not the verb "tổ chức"
)

_SUPPORT_OPEN = re.compile(
    r"^(?:(?:tiếp tục|thường xuyên|chủ động)\s+)?(?:chủ trì\s*,?\s*)?phối hợp(?:\s+chặt chẽ)?(?:\s+với)?\s+",
    re.IGNORECASE,
)
_LEAD_MARKER = re.compile(r"^chủ trì\s*[,:]?\s*", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)  # the readers ask again of the same item texts, headings and cells
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
    rest = text[m.start(1) :]
    if (g := _GIVEN.match(rest)) and span.lower().startswith("các "):
        return f"{span} {g.group()}", rest[g.end() :].lstrip()
    return span, rest


# "Các cơ quan được phân công chủ trì …": the participle names who (the agencies given the work), not a verb
_GIVEN = re.compile(r"(?i)^được\s+(?:phân công|giao)(?:\s+nhiệm vụ)?(?:\s+chủ trì)?(?=[\s,;:]|$)")


def agency_prefix(text: str) -> tuple[str | None, str]:
    """(the agency a text opens with, the rest) or (None, text)."""
    return _agency_prefix(text)


_REQUEST = re.compile(r"(?i)^(?:đề nghị|giao|yêu cầu)\s")
_ASKS = re.compile(r"\s(?:đề nghị|giao|yêu cầu)\s")


@lru_cache(maxsize=1 << 16)
def split_lead(text: str) -> tuple[str | None, str | None]:
    """(lead as written, support as written) named at the start of a task text."""
    # a request may name a long list of bodies ("Đề nghị Văn phòng Tỉnh ủy và các Ban …, Kho bạc … tăng cường …")
    lead, rest = _agency_prefix(text, 80 if _REQUEST.match(text) else 25)
    if lead is not None and (ask := _ASKS.search(lead)) and looks_like_agency(lead[: ask.start()]):
        # "Ủy ban nhân dân Thành phố yêu cầu các Sở, ban, ngành … tổ chức …": the body that asks is the issuer; the
        # bodies asked do the work
        if looks_like_agency(asked := lead[ask.end() :]):
            lead = asked
    if lead is not None:
        lead = _REQUEST.sub("", lead) or lead  # the body asked, not the asking
    support = None
    # the opening words after the lead, or the task's own opening words under an agency label
    tail = rest if lead else text
    tail = (
        _LEAD_MARKER.sub("", tail)
        if tail.lower().startswith("chủ trì") and "phối hợp" not in tail[:30].lower()
        else tail
    )
    sm = _SUPPORT_OPEN.match(tail)
    if sm:
        sup, _ = _agency_prefix(tail[sm.end() :])
        if sup is None:
            # "phối hợp với các sở, ngành, địa phương tổ chức ..." — take up to the next verb
            after = tail[sm.end() :]
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


@lru_cache(maxsize=1 << 16)
def looks_like_agency(text: str) -> bool:
    return bool(_HEAD_RE.match(text.strip()))


# ---------------------------------------------------------------- assignment labels ("Chủ trì: X; Phối hợp: Y")

# A labelled attribute of a task, wherever it is written: its own line under the task ("- Cơ quan chủ trì: …"), one
# table cell holding several ("Chủ trì: X; Phối hợp: Y"), or a closing parenthesis ("(thời gian: Quý II/2024)").
# labels are matched with their usual typos (a lost or wrong tone mark: "Phối hơp", "Chu trì", "Thoi gian")
_CHU_TRI = r"ch[ủuú]\s*tr[ìiị]"
_PHOI_HOP = r"ph[ốôoó]i\s*h[ợơop]p"
_ATTR_KEYS = {
    # any wording around the key words: "Đơn vị chủ trì tham mưu thực hiện", "Cơ quan được giao chủ trì",
    # "Cơ quan, đơn vị cùng phối hợp"
    "lead": rf"(?:(?:cơ quan|đơn vị|bộ phận)(?:\s*,\s*(?:cơ quan|đơn vị))?(?:\s+được giao)?\s+)?{_CHU_TRI}"
    r"(?:\s+(?:tham mưu|thực hiện|triển khai|tổ chức))*|"
    r"(?:cơ quan|đơn vị)\s+(?:thực hiện|tham mưu|đầu mối)|đơn vị thực hiện",
    "support": rf"(?:(?:cơ quan|đơn vị)(?:\s*,\s*(?:cơ quan|đơn vị))?(?:\s+cùng)?\s+)?{_PHOI_HOP}"
    r"(?:\s+(?:thực hiện|triển khai))*",
    "timeline": r"th[ờơo]i\s*gian(?:\s+(?:thực hiện|hoàn thành|triển khai))?|th[ờơo]i\s*h[ạa]n(?:\s+(?:thực hiện|hoàn thành|ban hành|trình))?|"
    r"tiến\s*độ(?:\s+(?:thực hiện|hoàn thành))?",
    "output": r"sản\s*phẩm(?:\s+(?:đầu ra|dự kiến))?|kết\s*quả(?:\s+(?:đầu ra|dự kiến|cần đạt))?|hình thức văn bản",
}
_ATTR_LABEL = re.compile(
    # a label opens the text, follows ";", a line break, "(" or a sentence end, or is a capitalised label after a
    # space where a line break inside a cell was flattened ("Chủ trì: X<br>Phối hợp: Y")
    r"(?:^|(?<=[;\n(])|(?<=\.\s)|(?<=\s)(?=(?-i:[A-ZĐÂÊÔƠƯ])))\s*(?:[-–+•*]|[a-zđ]\))?\s*(?:"
    + "|".join(f"(?P<{k}>{v})" for k, v in _ATTR_KEYS.items())
    + r")\s*[:：]\s*",
    re.IGNORECASE,
)
_ATTR_LINE = re.compile(
    r"^\s*[-–+•*\[(]?\s*(?:[a-zđ]\)\s*)*(?:" + "|".join(_ATTR_KEYS.values()) + r")\s*[:：]", re.IGNORECASE
)
_POSTFIX_LEAD = re.compile(
    r"^(?P<lead>.+?)\s+chủ\s*trì\b\s*[,;]?\s*(?:(?:và\s+)?phối\s*hợp(?:\s+với)?\s+(?P<sup>.+)"
    # "Sở Tài chính chủ trì, Hiệp hội Doanh nghiệp tỉnh phối hợp": the partners before their verb
    r"|(?P<sup_before>.+?)\s+(?:cùng\s+)?phối\s*hợp(?:\s+thực hiện)?)?$",
    re.IGNORECASE | re.DOTALL,
)


def _partners(pm: re.Match) -> str | None:
    return pm["sup"] or pm["sup_before"]


# "Sở Nội vụ, phối hợp với Báo …", "Sở Nội vụ (phối hợp: UBND các xã)", "Sở Nội vụ; phối hợp: Công an tỉnh": the lead
# first, then its partners after a "phối hợp" marker, without "chủ trì"
_LEAD_THEN_PARTNERS = re.compile(
    r"(?is)^(?P<lead>[^;()]+?)\s*(?:[,;]\s*|\(\s*)(?:cùng\s+)?phối\s*hợp(?:\s+với)?\s*:?\s*(?P<sup>[^()]+?)\s*\)?\s*\.?$"
)


def lead_and_partners(text: str) -> tuple[str, str | None] | None:
    """The lead and partners one name-and-roles string gives, in any of its wordings: "X chủ trì, phối hợp với Y",
    "X chủ trì, Y phối hợp", "X, phối hợp với Y", "X (phối hợp: Y)", "X; phối hợp: Y" (capitals too: an agency
    heading, a cell, a paragraph's opening party). None when it names no role."""
    t = text.strip(" :.")
    low = t.lower()
    if "chủ" in low and (pm := _POSTFIX_LEAD.match(t)):
        return pm["lead"].strip(" ,;"), (_partners(pm) or "").strip(" ,;.:") or None
    if "phối" in low and (m := _LEAD_THEN_PARTNERS.match(t)):
        return m["lead"].strip(" ,;"), m["sup"].strip(" ,;.") or None
    return None


_TRAILING_PAREN = re.compile(
    r"[(\[](?P<inner>[^()\[\]]*(?:chủ\s*trì|phối\s*hợp|thời\s*gian|thời\s*hạn|\bgiao\b|sản\s*phẩm)[^()\[\]]*)[)\]]"
    r"\s*[.;,]?\s*$",
    re.IGNORECASE,
)
_TRAILING_DASH = re.compile(
    r"\s+[—–]\s+(?P<inner>[^—–()]*(?:chủ\s*trì|phối\s*hợp)[^—–()]*?)\s*[.;]?\s*$", re.IGNORECASE
)
_DASH_NAMES = re.compile(r"(?<=[.;:])\s+[—–]\s+(?P<inner>[A-ZĐ][^—–()]{2,300}?)\s*[.;]?\s*$")
_NAMES_PAREN = re.compile(r"\((?P<inner>[^()]{3,200})\)\s*[.;]?\s*$")
# "(Giao Công an tỉnh tham mưu)", "(Giao Công an tỉnh chủ trì, phối hợp với Văn phòng UBND tỉnh; Sở Tư pháp … tham mưu)"
_GIVEN_IN_PAREN = re.compile(
    r"(?is)^\s*(?:Giao|Đề nghị)\s+(?P<lead>[^;,()]{3,120}?)\s+(?:chủ\s*trì|tham mưu|thực hiện|triển khai|theo dõi)\b"
    r"(?:[\s,]*(?:và\s+)?phối\s*hợp(?:\s+với)?\s+(?P<sup>.+?))?(?:\s+(?:tham mưu|thực hiện|triển khai)\b[^;]*)?[\s.;]*$"
)


@lru_cache(maxsize=1 << 16)  # every paragraph is asked, some several times
def is_attribute_line(text: str) -> bool:
    """ "- Cơ quan chủ trì: Sở Nội vụ", "Thời hạn: Quý III/2024": a task's attribute, never a task."""
    return bool(_ATTR_LINE.match(text))


def empty_attribute(text: str) -> str | None:
    """ "- Thời gian thực hiện:" with nothing after: the attribute whose values are the points below it."""
    ms = list(_ATTR_LABEL.finditer(text))
    if len(ms) != 1 or ms[0].start() > 3 or text[ms[0].end() :].strip():
        return None
    return next(k for k in _ATTR_KEYS if ms[0].group(k))


_NEXT_LETTER = re.compile(r"[\s;,.]*\b[a-zđA-ZĐ]\)$")


def parse_attributes(text: str) -> tuple[dict[str, str], str]:
    """Labelled attributes in `text` -> ({lead|support|timeline|output: value}, text before the first label).
    Values run to the next label; repeated labels are joined with "; "."""
    out: dict[str, str] = {}
    ms = list(_ATTR_LABEL.finditer(text))
    if not ms:
        return out, text
    for m, nxt in zip(ms, ms[1:] + [None]):
        key = next(k for k in _ATTR_KEYS if m.group(k))
        value = text[m.end() : nxt.start() if nxt else len(text)].strip(" \n;,.")
        value = re.sub(r"\s*\n\s*", " ", value)
        value = _NEXT_LETTER.sub("", value)  # "sở Nội vụ; b) cơ quan phối hợp: …": the next field's letter
        if value:
            out[key] = f"{out[key]}; {value}" if key in out else value
    if "lead" in out and re.search(_CHU_TRI + "|" + _PHOI_HOP, out["lead"], re.IGNORECASE):
        # "Đơn vị thực hiện: Phòng X chủ trì; Y, Z phối hợp": the roles are written after the names
        lead, sup = _roles_after_names(out["lead"])
        if lead:
            out["lead"] = lead
            if sup and "support" not in out:
                out["support"] = sup
    return out, text[: ms[0].start()].strip()


def _roles_after_names(value: str) -> tuple[str | None, str | None]:
    lead = sup = None
    for part in re.split(r"\s*;\s*", value):
        if m := re.match(
            rf"(?P<who>.+?)\s+{_CHU_TRI}\b\s*,?\s*(?:{_PHOI_HOP}(?:\s+với)?\s+(?P<with>.+))?$", part, re.IGNORECASE
        ):
            lead = m["who"].strip(" ,.")
            if m["with"]:
                sup = m["with"].strip(" ,.")
        elif m := re.match(rf"(?P<who>.+?)\s+(?:cùng\s+)?{_PHOI_HOP}(?:\s+thực hiện)?\s*\.?$", part, re.IGNORECASE):
            sup = m["who"].strip(" ,.")
    return lead, sup


def parse_assignment(text: str) -> tuple[dict[str, str], str]:
    """Attributes of one combined cell or closing parenthesis: labelled ("Chủ trì: X; Phối hợp: Y") or written
    as a sentence ("Sở X chủ trì, phối hợp Sở Y; thời gian: Quý II"). Returns (attributes, what is left)."""
    attrs, before = parse_attributes(text)
    if attrs and before.strip(" -;,."):
        pm = _POSTFIX_LEAD.match(before.strip(" ;,."))
        if pm and "lead" not in attrs:
            attrs["lead"] = pm["lead"].strip(" ,;")
            if (partners := _partners(pm)) and "support" not in attrs:
                attrs["support"] = partners.strip(" ,;.")
            before = ""
    elif not attrs:
        parts = [p.strip() for p in text.split(";")]
        rest = []
        for p in parts:
            pm = _POSTFIX_LEAD.match(p)
            if pm and "lead" not in attrs and len(pm["lead"].split()) <= 20:
                attrs["lead"] = pm["lead"].strip(" ,;")
                if partners := _partners(pm):
                    attrs["support"] = partners.strip(" ,;.")
            else:
                rest.append(p)
        before = "; ".join(rest)
    return attrs, before


def named_in_closing_paren(text: str) -> tuple[str, str] | None:
    """ "… hoàn thành trong quý I/2026 (Sở Nông nghiệp và Môi trường, UBND các xã, phường).": the bodies that do it,
    named alone and by their proper names in the closing parenthesis -> (the bodies, the text without them)."""
    if not text.rstrip(" .;").endswith(")") or not (n := _NAMES_PAREN.search(text)) or not n["inner"][:1].isupper():
        return None
    who, rest = _agency_prefix(n["inner"], 40)
    if who is None or not looks_like_agency(who) or rest.strip(" .,;"):
        return None
    return who, text[: n.start()].rstrip(" ,;:")


def body_names(text: str) -> list[str]:
    """The bodies a list names, one each ("Sở Nội vụ, Văn phòng UBND tỉnh; UBND các xã, phường" -> three): a piece
    that names no body goes with the one before it ("UBND các xã, phường")."""
    names: list[str] = []
    for piece in re.split(r"\s*(?:,|;|\n|<br\s*/?>)\s*", text):
        if not piece.strip(" .-–"):
            continue
        if names and not looks_like_agency(piece.strip(" .-–")):
            names[-1] += ", " + piece.strip(" .")
        else:
            names.append(piece.strip(" .-–"))
    return names


# "X (chủ trì)", "Y, Z (phối hợp)", "X (cơ quan chủ trì)": a name, or names, tagged with their role
ROLE_TAG = re.compile(r"\(\s*(?:cơ quan\s+|đơn vị\s+|đồng\s+)?(?P<role>chủ\s*trì|phối\s*hợp)[^()]*\)", re.IGNORECASE)


def tagged_roles(value: str) -> tuple[str, str | None, str] | None:
    """ "X (chủ trì), Y, Z (phối hợp)": the names before each tag have its role -> (lead, partners, what follows the
    last tag), or None when no name is tagged as leading. The one reading of role tags, for a table cell, a
    "Phân công:" line and a checklist's mentions."""
    parts: dict[str, list[str]] = {"lead": [], "support": []}
    pos = 0
    for m in ROLE_TAG.finditer(value):
        who = value[pos : m.start()].strip(" ,;.@")
        if who:
            parts["lead" if m["role"].lower().startswith("chủ") else "support"].append(who)
        pos = m.end()
    if not parts["lead"]:
        return None
    return "; ".join(parts["lead"]), ", ".join(parts["support"]) or None, value[pos:]


_MENTIONS = re.compile(r"\s+[—–-]\s+(?P<tail>@\S.*)$")


def _mentions(text: str) -> tuple[dict[str, str], str] | None:
    """ "… — @Sở Tài chính (chủ trì), @Thuế thành phố · hạn: 30/6/2026 · sản phẩm: …" (a checklist's mentions): the
    bodies tagged "(chủ trì)" lead, the others are partners; the fields after "·" are the task's own."""
    d = _MENTIONS.search(text)
    if d is None:
        return None
    segs = [x.strip() for x in re.split(r"\s+·\s+", d["tail"])]
    names = [n.strip(" ,;") for n in re.split(r"(?:^|,)\s*@", segs[0]) if n.strip(" ,;")]
    # each mention is tagged on its own: an untagged one is a partner
    tagged = [(n, tagged_roles(n)) for n in names]
    leads = [t[0] for _, t in tagged if t is not None]
    if not leads:
        return None
    attrs = {"lead": "; ".join(leads)}
    if others := [n for n, t in tagged if t is None]:
        attrs["support"] = ", ".join(others)
    for seg in segs[1:]:
        got, _ = parse_attributes(re.sub(r"(?i)^hạn\s*:", "thời hạn:", seg))
        for k, v in got.items():
            attrs.setdefault(k, v)
    return attrs, text[: d.start()].rstrip(" ,;:")


def trailing_assignment(text: str) -> tuple[dict[str, str], str]:
    """A task that ends with its assignment in parentheses: "… (Sở Nội vụ chủ trì, phối hợp …; thời gian: …)", or
    after a dash: "… — Sở Tài chính chủ trì, Trung tâm … phối hợp; quý I/2026." Returns (attributes, the task text
    without them) or ({}, text)."""
    if "@" in text and (mentioned := _mentions(text)) is not None:
        return mentioned
    m = _TRAILING_PAREN.search(text)
    if not m and ("—" in text or " – " in text):
        m = _TRAILING_DASH.search(text)
        if not m and (d := _DASH_NAMES.search(text)):
            # "… Thời hạn: Quý II/2026. – Sở Tài chính, Thuế tỉnh Quảng Ninh": the bodies after the dash, the one
            # in charge first, its partners after it
            who, rest = _agency_prefix(d["inner"], 60)
            if who is not None and looks_like_agency(who) and not rest.strip(" .,;"):
                names = body_names(who)
                others = ", ".join(names[1:]).strip(" ,;.")
                attrs = {"lead": names[0].strip()} | ({"support": others} if others else {})
                return attrs, text[: d.start()].rstrip(" ,;:")
    if not m:
        return {}, text
    attrs, left = parse_assignment(m["inner"])
    if attrs and left.strip(" ;,.-") and "timeline" not in attrs and (when := time_only(left.strip(" ;,."))):
        attrs["timeline"], left = when, ""  # "…; quý I/2026": the deadline after the roles
    if not attrs or left.strip(" ;,.-"):
        if not (g := _GIVEN_IN_PAREN.match(m["inner"])):
            return {}, text
        attrs = {"lead": g["lead"].strip()} | ({"support": g["sup"].strip(" ,;.")} if g["sup"] else {})
    return attrs, text[: m.start()].rstrip(" ,;:")


# "… Giao Phòng Nội vụ chủ trì, phối hợp với Văn phòng HĐND và UBND huyện thực hiện; hoàn thành trong Quý I/2024."
_GIAO = re.compile(
    r"(?:^|(?<=[.;:])\s*)(?:Giao|giao|Đề nghị|đề nghị|Yêu cầu|yêu cầu)\s+(?P<lead>[^.;]{3,160}?)\s+"
    + _CHU_TRI
    + r"(?:\s*,\s*|\s+)(?:(?:và\s+)?"
    + _PHOI_HOP
    + r"(?:\s+chặt chẽ)?(?:\s+với)?\s+(?P<sup>[^.;]{3,300}?))?"
    r"(?:\s+(?:thực hiện|triển khai(?: thực hiện)?|tổ chức thực hiện))?\s*(?:[;.]|$)"
    r"(?:\s*(?:hoàn thành|thời gian(?: thực hiện)?|thời hạn|tiến độ|thực hiện)\s*:?\s*(?:trong|trước|vào|trong năm)?\s*"
    r"(?P<time>[^.;]{2,80}))?",
    re.IGNORECASE,
)


def assignment_sentence(text: str) -> tuple[dict[str, str], str]:
    """The sentence of a task that assigns it ("Giao X chủ trì, phối hợp với Y thực hiện; hoàn thành trong Quý I"),
    wherever it stands in the task: (attributes, the task text without it) or ({}, text)."""
    m = None
    for m in _GIAO.finditer(text):  # noqa: B007 (m is read after the loop)
        pass  # the last one: the assignment closes the task
    if m is None:
        return {}, text
    attrs = {"lead": m["lead"].strip(" ,")}
    if m["sup"]:
        attrs["support"] = m["sup"].strip(" ,")
    if m["time"]:
        attrs["timeline"] = m["time"].strip(" ,.")
    rest = (text[: m.start()] + text[m.end() :]).strip(" ;,.")
    return attrs, rest or text


# An item that opens with whom its agency works with: "Phối hợp (với) Công an tỉnh và UBND các xã tổ chức …",
# "Chủ trì, phối hợp với Sở Tài chính … tham mưu …" (the lead is the heading the item stands under).
_OPENS_WITH_PARTNERS = re.compile(
    rf"^(?:{_CHU_TRI}\s*,?\s*(?:và\s+)?)?{_PHOI_HOP}(?:\s+chặt chẽ)?(?:\s+với)?\s+(?P<rest>\S.*)$", re.IGNORECASE
)


def opening_partners(text: str) -> str | None:
    """The agencies an item names first as its partners (see above), as written, or None. The list ends where the
    words stop naming agencies (the work itself); nothing is returned unless every word kept names an agency."""

    m = _OPENS_WITH_PARTNERS.match(text)
    if not m:
        return None
    return agencies_at_start(m["rest"])


def agencies_at_start(text: str) -> str | None:
    """The agencies a text opens with, as written ("Các sở, ban, ngành liên quan theo chức năng … phối hợp …" ->
    "Các sở, ban, ngành liên quan"), or None; every word kept names an agency."""
    from pipelines.normalise.agencies import resolve

    span = re.split(r"[;.:(]", text, maxsplit=1)[0][:300]
    kept = ""
    for piece, sep in zip(*[iter(re.split(r"(\s*,\s*|\s+và\s+)", span) + [""])] * 2):
        res = resolve(piece, "support")
        if res.mentions and not res.unknown:
            kept += piece + sep
            continue
        words = piece.split()
        # the last agency runs into the work ("UBND các xã, phường tổ chức vận chuyển …"): its longest clean head
        for k in range(min(len(words) - 1, 12), 0, -1):
            head = " ".join(words[:k])
            res = resolve(head, "support")
            if res.mentions and not res.unknown:
                kept += head
                break
        break
    kept = kept.strip(" ,")
    return re.sub(r"\s+và$", "", kept) or None


# a heading (or a table's group row) that is only a time ("b) Trước ngày 31/3/2026:", "Quý II/2026", "Từ tháng 7
# đến tháng 9/2026"): the deadline of the items under it
WHEN = (
    r"(?:ngày\s+\d{1,2}/\d{1,2}/\d{4}|tháng\s+\d{1,2}(?:/\d{4})?|quý\s+[IV]{1,3}(?:/\d{4}|\s+năm\s+\d{4})?"
    r"|năm\s+\d{4}|\d{1,2}/\d{4}|6 tháng (?:đầu|cuối) năm(?:\s+\d{4})?)"
)
_TIME_HEADING = re.compile(
    rf"(?i)^(?:(?:trong|trước|sau|từ|vào|chậm nhất|hoàn thành(?: trong| trước)?)\s+)?{WHEN}"
    rf"(?:\s*(?:đến|-|–)\s*{WHEN})?$|^(?:thường xuyên|hằng năm|hàng năm)(?:\s+trong năm)?$"
)


@lru_cache(maxsize=1 << 14)  # asked for every heading above every task: the same few headings
def time_only(text: str) -> str | None:
    """The text of a heading or group row that is only a time, as written ("Trong tháng 01/2026"), else None."""
    t = " ".join(text.split()).strip(" :*_")
    return t if len(t) <= 60 and _TIME_HEADING.match(t) else None


# "- SNV: Sở Nội vụ" under "Ghi chú chữ viết tắt:", or "Chữ viết tắt: STP: Sở Tư pháp; SNV: Sở Nội vụ" on one line
_ABBR_LINE = re.compile(r"^[\s\-–•*+]*(?P<abbr>[A-ZĐ][A-ZĐ0-9&]{1,11})\s*[:=–]\s*(?P<name>\S.{2,120}?)[\s;.,]*$")
# pairs on the legend's own line ("Chữ viết tắt: STP: Sở Tư pháp; SNV: Sở Nội vụ. Ký hiệu: C - chủ trì …")
_ABBR_PAIR = re.compile(r"(?P<abbr>[A-ZĐ][\wĐđ&\s.]{0,20}?)\s*[:=–-]\s*(?P<name>[^;:]+?)(?=;|$|\.\s)")
_ABBR_TOKEN = re.compile(r"\b[A-ZĐ][A-ZĐ0-9&]{1,11}\b")


def abbreviation_legend(lines: list[str]) -> tuple[dict[str, str], set[int]]:
    """The abbreviations of bodies a document defines in a legend ("Chữ viết tắt", "Ghi chú chữ viết tắt:"), above
    or below its tables ({"SNV": "Sở Nội vụ", …}), and the legend's 1-based lines (never work)."""
    out: dict[str, str] = {}
    at: set[int] = set()
    for i in lines_containing(("viết tắt",), lines):
        ln = strip_markup(lines[i])
        if "viết tắt" not in ln.lower():
            continue
        rest = re.split(r"(?i)\bký hiệu\b", ln[ln.lower().index("viết tắt") + len("viết tắt") :])[0].strip(" :*_")
        pairs = {
            " ".join(m["abbr"].split()).upper(): " ".join(m["name"].split()).strip(" .")
            for m in _ABBR_PAIR.finditer(rest)
        }
        below: dict[str, str] = {}
        last = i
        for k in range(i + 1, min(len(lines), i + 60)):
            t = lines[k].strip().strip("*_").strip()
            if not t:
                continue
            if not (m := _ABBR_LINE.match(t)):
                break
            below[m["abbr"]], last = m["name"].strip(" ."), k
        if pairs or below:
            out |= pairs | below
            at.update(range(i + 1, last + 2))
    return out, at


_FIELD_ABBR = re.compile(r"\b(?P<abbr>[A-ZĐ]{2,4})\s*[–\-=:]\s*(?P<name>[^;,.:()\[\]–-]{4,40})")


def field_label_legend(lines: list[str]) -> dict[str, str]:
    """Short labels a document defines for a task's fields ("Ghi chú: CT – cơ quan chủ trì; PH – cơ quan phối hợp;
    TG – thời gian hoàn thành") -> {"CT": "cơ quan chủ trì", …}: two such at least, each a label the readers know."""
    out: dict[str, str] = {}
    for i in lines_containing(("chủ trì",), lines):
        got = {}
        for m in _FIELD_ABBR.finditer(strip_markup(lines[i])):
            name = " ".join(m["name"].split())
            if parse_attributes(f"{name}: x")[0]:
                got[m["abbr"]] = name
        if len(got) >= 2:
            out |= got
    return out


def write_out_field_labels(lines: list[str], labels: dict[str, str]) -> list[str]:
    """Each "CT: …" a legend defined written out ("cơ quan chủ trì: …") on the lines that are no table rows."""
    if not labels:
        return lines
    rx = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, labels)) + r")\s*:")
    return [ln if ln.lstrip().startswith("|") else rx.sub(lambda m: labels[m[1]] + ":", ln) for ln in lines]


def expand_abbreviations(value: str | None, abbreviations: dict[str, str]) -> str | None:
    """A lead or partners cell with the document's abbreviations written out ("CAT, UBND các xã" -> "Công an tỉnh,
    UBND các xã" when the legend defines CAT)."""
    if not value or not abbreviations:
        return value
    return _ABBR_TOKEN.sub(lambda m: abbreviations.get(m.group(), m.group()), value)


# a task set like a table of contents: its words, a dotted leader, then the body in charge and the deadline
# ("1. Ban hành Kế hoạch … ........... Sở Nội vụ Quý I/2026"), partners perhaps on the next line ("Phối hợp: …")
_LEADER = re.compile(r"\s*(?:\.{5,}|…{2,}|(?:\.\s){5,})\s*(?P<tail>[^.…]{3,300}?)\s*$")
_TIME_TAIL = re.compile(
    rf"(?i)\s+(?P<when>(?:(?:trong|trước|từ|vào)\s+)?{WHEN}(?:\s*(?:đến|-|–)\s*{WHEN})?|thường xuyên|hằng năm)$"
)


def leader_assignment(text: str) -> tuple[dict[str, str], str]:
    """(lead, partners and deadline after a dotted leader, the task's words before it), or ({}, text)."""
    if ".." not in text and "…" not in text or not (m := _LEADER.search(text)):
        return {}, text
    attrs, tail = parse_attributes(m["tail"])
    tail = tail.strip(" ,;")
    if t := _TIME_TAIL.search(" " + tail):
        attrs.setdefault("timeline", t["when"])
        tail = (" " + tail)[: t.start()].strip(" ,;")
    if not tail or not looks_like_agency(tail):
        return {}, text
    attrs["lead"] = tail
    return attrs, text[: m.start()].rstrip(" .…")


_ACRONYMS = {"UBND", "HĐND", "MTTQ", "VP", "BQL", "BHXH", "KBNN", "TP", "TW"}


def sentence_case(text: str) -> str:
    """ "VĂN PHÒNG UBND TỈNH" -> "Văn phòng UBND tỉnh": a name in capitals as it is written in a sentence."""
    if not text.isupper():
        return text
    words = [w if w.strip(",;.") in _ACRONYMS else w.lower() for w in text.split()]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def names_a_body(text: str) -> bool:
    """looks_like_agency, also for a name written in capitals ("SỞ NỘI VỤ", "VĂN PHÒNG UBND TỈNH")."""
    if looks_like_agency(text):
        return True
    if not text.isupper():
        return False
    titled = " ".join(w if w.strip(",;.") in _ACRONYMS else w.capitalize() for w in text.split())
    return looks_like_agency(sentence_case(text)) or looks_like_agency(titled)
