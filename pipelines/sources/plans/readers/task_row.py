"""A narrative item as a task row: its text (with its points when they are its own), the section and sub-section
above it, and whoever it names: the lead and partners from its attribute lines, its opening words, a "<party>:"
before its work, the agency heading above it."""

from __future__ import annotations

import re
from functools import lru_cache

from pipelines.model import TaskRow
from pipelines.sources.plans.agency_text import (
    agencies_at_start,
    agency_prefix,
    assignment_sentence,
    is_agency_label,
    leader_assignment,
    looks_like_agency,
    named_in_closing_paren,
    names_a_body,
    opening_partners,
    split_lead,
    time_only,
    trailing_assignment,
)
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.readers.outline import (
    _ABOUT,
    Node,
    _family,
    _is_family_heading,
    _is_section_like,
    _ref_of,
    _section_name,
    _subtree_end,
    is_task_section_heading,
)

_RESPONSIBLE = re.compile(r"^(?P<who>\S.{2,}?)\s+(?:có|chịu)\s+trách nhiệm$", re.IGNORECASE)
# "1.5. Trách nhiệm của đối tượng thực hiện kiểm kê:", "Nhiệm vụ, quyền hạn của Sở Tài chính"
_DUTIES_OF = re.compile(
    r"^(?:trách nhiệm|nhiệm vụ)(?:\s*(?:,|và)\s*(?:trách nhiệm|nhiệm vụ|quyền hạn))?\s+của\s+(?P<who>\S.{2,})$",
    re.IGNORECASE,
)


# the items under one heading share its path (the same list): where they stand is worked out once per path
_PLACES: dict[int, tuple[list[Node], tuple[int, tuple]]] = {}
_TIMES: dict[int, tuple[list[Node], int, str | None]] = {}  # ... and the deadline its headings give (_time_heading)


def forget_headings() -> None:
    """A new outline: the places worked out for the last one are forgotten."""
    _PLACES.clear()
    _TIMES.clear()


def _agency_heading(n: Node) -> str | None:
    """The agency a heading names when the items under it are that agency's work ("1. Sở Tư pháp", "Sở Tư pháp:",
    "3. Đề nghị Ủy ban MTTQ Việt Nam tỉnh"), else None."""
    return _heading_agency(n)


# a lead-in that announces the points under it as the work: "… tổ chức thực hiện các nhiệm vụ sau:", "… tập trung
# một số nhiệm vụ cụ thể sau:"
_TASKS_FOLLOW = re.compile(
    r"(?i)(?:nhiệm vụ|nội dung|công việc|hoạt động|giải pháp)(?:\s+(?:cụ thể|chủ yếu|trọng tâm|chính))?\s+sau(?:\s+đây)?$"
)
# "Căn cứ tình hình thực tế, các cơ quan, đơn vị …": an opening clause of circumstance before the body named
_OPENING = re.compile(r"^(?:Căn cứ|Trên cơ sở|Trong quá trình|Định kỳ|Hằng năm|Hàng năm|Sau khi)\b[^,;:.]{3,160},\s*")
_REQUEST_COLON = re.compile(r"^(Đề nghị|Giao|Mời)\s*:\s*", re.IGNORECASE)


def lead_in_agency(n: Node) -> str | None:
    """ "d) Các hoạt động chính" over "Căn cứ tình hình thực tế, các cơ quan, đơn vị, địa phương phối hợp thực hiện các
    hoạt động sau:" over its points: the body the lead-in names, given each of them."""
    if not n.items or not n.intro or not (lead_in := collapse_ws(n.intro[-1].text)).endswith(":"):
        return None
    body = _OPENING.sub("", lead_in.rstrip(" :"))
    if not _TASKS_FOLLOW.search(body[-80:]):
        return None
    named, _ = agency_prefix(_addressee(body))
    return named if named is not None and looks_like_agency(named) else None


def _heading_agency(n: Node) -> str | None:
    if n.kind not in ("num", "letter", "label", "bullet") or n.synthetic:
        return None
    items = n.items
    # all the answer depends on besides the kind: the same headings are asked again for every item under them
    return _agency_named(
        n.text, bool(items), bool(n.intro), bool(items) and not any(c.items for c in items), lead_in_agency(n)
    )


@lru_cache(maxsize=1 << 14)
def _agency_named(
    text: str, has_items: bool, has_intro: bool, items_are_leaves: bool, lead_in: str | None
) -> str | None:
    # "6. Đề nghị: Hiệp hội Doanh nghiệp tỉnh, …": the request's colon is not the item's
    t = collapse_ws(text).strip(" :.")
    if ":" in t[:12]:
        t = _REQUEST_COLON.sub(r"\1 ", t)
    if len(t) <= 200 and ":" not in t and (m := _RESPONSIBLE.match(t)):
        return m["who"]  # "12. Các tổ chức, cá nhân khai thác nước dưới đất có trách nhiệm": whoever it names
    if len(t) <= 200 and ":" not in t and (m := _DUTIES_OF.match(t)) and items_are_leaves:
        return m["who"]  # the duties of whoever it names, listed as points under it
    if ":" in t and has_items and (who := t.split(":", 1)[0].strip(" *")) and len(who) <= 120:
        # "2. Các sở, ban, ngành, địa phương: Là các đơn vị được lấy ý kiến …, các nội dung sau:" over its items
        if looks_like_agency(who) and not agency_prefix(who)[1]:
            return re.sub(r"^(?:Đề nghị|đề nghị|Giao|giao|Mời|mời)\s+", "", who)
    if (
        has_items
        and t.endswith(("sau", "sau đây"))
        and _TASKS_FOLLOW.search(t[-80:])
        and text.rstrip(" *_").endswith(":")
    ):
        # "1. Giao Sở X là cơ quan đầu mối, chủ trì …; tổ chức thực hiện các nhiệm vụ sau:" over its points: the
        # body it opens with is given each of them
        named, _ = agency_prefix(_addressee(t))
        if named is not None:
            return named
    if lead_in is not None:
        return lead_in
    if len(t) > 200 or not looks_like_agency(t) or ":" in t:
        return None
    if len(agency_prefix(t)[1].split()) >= 4 and (
        not has_items and not has_intro or collapse_ws(text).rstrip(" *_").endswith((".", ";"))
    ):
        # "- Hội đồng Thi đua - Khen thưởng các cấp phân công …": an item that opens with its agency; a whole
        # sentence ending in a full stop is one too, whatever paragraphs follow it
        return None
    return re.sub(r"^(?:Đề nghị|đề nghị|Giao|giao|Mời|mời)\s+", "", t)


_FIELD_LABEL = re.compile(
    r"^(?:Tên\s+)?(?:nhiệm vụ|nội dung(?:\s+(?:công việc|thực hiện|nhiệm vụ|hoạt động))?|công việc|hoạt động)"
    r"(?:\s+cụ thể)?\s*:\s*(?=\S)",
    re.IGNORECASE,
)
# a deadline closing the task's sentence: "…, hoàn thành trước ngày 31/3/2026", "…, thực hiện trong năm 2026"
# an item that only names and numbers a piece of work ("Hoạt động 1", "Nhiệm vụ 2:")
_BARE_LABEL = re.compile(r"(?i)^(?:hoạt động|nhiệm vụ|nội dung|công việc|giải pháp)\s*(?:số\s*)?\d{1,3}\s*[.:]?$")
_CLOSING_DEADLINE = re.compile(
    r"[,;]\s*(?:hoàn thành|thực hiện|triển khai)\s+(?P<when>(?:trước|trong|vào|chậm nhất|từ)\s[^,;]{3,60}?)\s*[.;]?$"
)
# "<party>: work", the party with its partners in brackets ("Sở Y tế (phối hợp: Sở Tư pháp): Triển khai …")
_INLINE_AGENCY = re.compile(r"^(?P<who>(?:[^:;.()]|\([^()]{1,200}\)){3,160}?)\s*:\s*(?P<work>\S.{10,})$")


def _lists_its_objects(c: Node) -> bool:
    """A lettered task that ends in ":" over a list ("a) Tham mưu Ủy ban nhân dân tỉnh trình Hội đồng nhân dân
    quyết định:" over "- Phương án phân bổ vốn …"): the list is what the one task covers, not more tasks."""
    t = collapse_ws(c.text)
    return (
        c.kind == "letter"
        and t.endswith(":")
        and len(t.split()) >= 5
        and bool(c.items)
        and all(i.kind in ("bullet", "plus", "lost") and not i.items for i in c.items)
        # not a heading that only names its agency: "d) Giao Ban Quản lý … chỉ đạo các đơn vị … có trách nhiệm:"
        # names the work too
        and (_agency_heading(c) is None or len(agency_prefix(_addressee(t))[1].split()) >= 4)
        # a topic over items that each name their own agency ("Đối với tiêu chí …:" over "Sở Nội vụ tham mưu …")
        and not re.match(r"(?i)(?:đối với|về)\s", t)
        and not any(looks_like_agency(collapse_ws(i.text)) for i in c.items)
    )


def _addressee(heading: str) -> str:
    """The body a heading gives work to, without the request ("Đề nghị Viện kiểm sát nhân dân tỉnh" -> "Viện kiểm
    sát nhân dân tỉnh")."""
    return re.sub(r"(?i)^(?:đề nghị|giao|mời|yêu cầu)\s+", "", collapse_ws(heading).rstrip(" :"))


# an item that only says its agency leads and works with others, over points naming those others
_LEADS_WITH = re.compile(r"(?i)^\W*chủ trì\s*,?\s*(?:và\s+)?phối hợp(?:\s+với)?\W*$")


def _place(path: list[Node]) -> tuple[str | None, Node | None, Node | None, list[Node]]:
    """Where an item stands: the index family its headings name, its section and sub-section headings, and the
    agency labels above it ("- Sở Tư pháp:" over "+ " items)."""
    known = _PLACES.get(id(path))
    if known is not None and known[0] is path and len(path) == known[1][0]:
        return known[1][1]
    out = _place_of(path)
    _PLACES[id(path)] = (path, (len(path), out))
    return out


def _place_of(path: list[Node]) -> tuple[str | None, Node | None, Node | None, list[Node]]:
    headings = [h for h in path if h.kind not in ("label", "roman")]
    labels = [h for h in path if h.kind == "label" or (h.kind in ("bullet", "plus") and is_agency_label(h.text))]
    headings = [h for h in headings if h not in labels]
    family = None
    for h in path:
        family = _family(h.text) if _is_family_heading(h) else family
    content = [h for h in headings if not _is_family_heading(h)]
    sec = None
    for h in content:
        if _is_section_like(h):
            sec = h
    if sec is None and content:
        sec = content[0]
    if sec is None and (named := [h for h in path if h.kind == "roman" and is_task_section_heading(h.text) is None]):
        # "I. THAM GIA CỦA NGƯỜI DÂN Ở CẤP CƠ SỞ" over its items (in a part "B. NHIỆM VỤ …"): the roman names the
        # section, as a numbered heading would
        sec = named[-1]
    sub = None
    if sec is not None and sec in content:
        rest = content[content.index(sec) + 1 :]
        sub = rest[0] if rest else None
    return family, sec, sub, labels


def _text_and_attrs(n: Node, path: list[Node], merge_children: bool) -> tuple[str, dict[str, str], int]:
    """The item's words (with its points when they are its own), its attributes (its own lines, then its headings',
    then a trailing or whole-sentence assignment, a closing deadline) and its last line."""
    text_parts = [n.text]
    line_end = n.line_end
    if merge_children:
        for c in n.items:
            text_parts.append(c.text)
            line_end = max(line_end, _subtree_end(c))
    text = _FIELD_LABEL.sub("", collapse_ws(" ".join(text_parts)))
    attrs = dict(n.attrs)
    if "note" in attrs and _BARE_LABEL.match(text):
        # "a) Hoạt động 1" over "- Nội dung: Triển khai …": the item only numbers the work its content field gives
        text = attrs.pop("note")
    for h in reversed(path):  # a heading's attribute lines hold for the items under it
        for k, v in h.attrs.items():
            attrs.setdefault(k, v)
    if not attrs:
        attrs, text = trailing_assignment(text)
    if "lead" not in attrs and (".." in text or "…" in text):
        given, text = leader_assignment(text)
        attrs = given | attrs
    if not attrs and ("chủ trì" in text or "Chủ trì" in text):
        attrs, _ = assignment_sentence(text)  # the task keeps its words; the sentence also names who does it
    if "timeline" not in attrs and (when := _time_heading(path)):
        attrs["timeline"] = when
    if (
        "timeline" not in attrs
        and ("hoàn thành" in text or "thực hiện" in text or "triển khai" in text)
        and (tm := _CLOSING_DEADLINE.search(text))
    ):
        attrs["timeline"] = tm["when"]  # "…, hoàn thành trước ngày 31/3/2026"
    return text, attrs, line_end


def _time_heading(path: list[Node]) -> str | None:
    """The deadline a heading above gives when it is only a time ("a) Trong tháng 01/2026:"), once per path."""
    known = _TIMES.get(id(path))
    if known is not None and known[0] is path and len(path) == known[1]:
        return known[2]
    out = _time_of(path)
    _TIMES[id(path)] = (path, len(path), out)
    return out


def _time_of(path: list[Node]) -> str | None:
    for h in reversed(path):
        if when := time_only(h.text):
            return when
    return None


def _parties(n: Node, path: list[Node], text: str, attrs: dict[str, str]) -> tuple[str | None, str | None, str]:
    """Lead and partners of an item from its opening words, a "<party>:" before its work, the "Chủ trì, phối hợp"
    heading above it and its attributes; and its text without the party when the party stood before a colon."""
    lead, support = split_lead(collapse_ws(n.text))
    # "<party>: work": the party is all that stands before the colon, also where the opening's agency ran past the
    # colon ("Sở Nội vụ: Tham mưu …") or stopped short of it ("Ủy ban MTTQ tỉnh và các tổ chức …: Vận động …")
    if "lead" not in attrs and ":" in text[:170] and (m := _INLINE_AGENCY.match(text)):
        named = re.sub(r"^(?:Đề nghị|Giao|Mời)\s+", "", m["who"].strip(), flags=re.IGNORECASE)
        opened = (
            lead is None
            or ":" in lead
            # the name goes on to the colon, with no work in between ("… ISO 9001:2008" is not a party)
            or (named.startswith(lead) and len(named) > len(lead) and not agency_prefix(named)[1].strip())
        )
        if opened and (names_a_body(named) or named != m["who"].strip()):
            # "12. Đề nghị Công ty Điện lực tỉnh: Khẩn trương …": the agency, then its work
            lead, text = named, m["work"]
            support = support or split_lead(collapse_ws(text))[1]  # "Sở X: Phối hợp với Ban Y chỉ đạo …"
            if lead.endswith(")") and (given := trailing_assignment(lead))[0]:
                # "Sở Y tế (phối hợp: Sở Tư pháp): …": the partners in the party's brackets
                lead = given[1]
                support = given[0].get("support", support)
                if "timeline" in given[0] and "timeline" not in attrs:
                    attrs["timeline"] = given[0]["timeline"]
    if lead is not None and "lead" not in attrs and n.parent is not None and _LEADS_WITH.match(n.parent.text):
        # "b) Chủ trì, phối hợp" over "- Sở Tài chính và … tham mưu …": the agency whose heading is above leads,
        # the bodies each point opens with are its partners
        owner = next((a for h in reversed(path) if (a := _agency_heading(h))), None)
        if owner is not None:
            lead, support = owner, lead if support is None else f"{lead}; {support}"
    if lead is None and "lead" not in attrs and (in_paren := named_in_closing_paren(text)):
        lead, text = in_paren
    if (
        lead is None
        and "lead" not in attrs
        and "do" in text  # (the clause's own words: a cheap look before the search)
        and "chủ" in text
        and (by := _DONE_BY.search(text))
        and looks_like_agency(by["lead"])
    ):
        # "…, do Sở Tư pháp chủ trì, Công an tỉnh phối hợp; hoàn thành trong quý III/2026": who does it, said after it
        lead = by["lead"].strip()
        support = support or (by["sup"] or "").strip(" ,;.") or (_partners_named(by["with"]) if by["with"] else None)
    if "lead" in attrs:
        lead, support = attrs["lead"], attrs.get("support", support if lead is None else None)
    elif "support" in attrs:
        support = attrs["support"]
    if support is None and "support" not in attrs:
        support = opening_partners(text)
    if support is None and lead is not None and "với" in text and (mid := _PARTNERS_CLAUSE.search(text)):
        # "… cho doanh nghiệp mới thành lập, phối hợp với Sở Tài chính, hoàn thành trong quý I/2026": the partners
        # in a clause of the task's own sentence
        support = agencies_at_start(mid["rest"])
    return lead, support, text


_DONE_BY = re.compile(
    r",\s*do\s+(?P<lead>[^,;()]{3,120}?)\s+chủ\s*trì\b(?:\s*,\s*(?:(?P<sup>[^;()]{3,200}?)\s+phối\s*hợp\b|phối\s*hợp\s+với"
    r"\s+(?P<with>[^;()]{3,300})))?"
)


def _partners_named(text: str) -> str | None:
    """The bodies a "phối hợp với …" names, up to the work or the time after them."""
    who, _ = agency_prefix(text)
    return who.strip(" ,;.") if who is not None and looks_like_agency(who) else agencies_at_start(text)


_PARTNERS_CLAUSE = re.compile(r"[,;]\s*(?:và\s+)?phối\s+hợp(?:\s+chặt\s+chẽ)?\s+với\s+(?P<rest>\S.*)$")


def _task_from(n: Node, path: list[Node], merge_children: bool) -> TaskRow:
    family, sec, sub, labels = _place(path)
    about = _ABOUT.match(n.text)  # "a) Về công khai danh sách hộ nghèo: niêm yết …": the item names its sub-topic
    text, attrs, line_end = _text_and_attrs(n, path, merge_children)
    lead, support, text = _parties(n, path, text, attrs)
    if lead is None and labels:
        lead = _addressee(labels[-1].text)
    if lead is None and sub is not None and looks_like_agency(sub.text):
        lead = _addressee(sub.text)
    sec_ref = None
    if sec is not None:
        sec_ref = _ref_of(sec)
    return TaskRow(
        task_ref=_ref_of(n),
        source_kind="narrative",
        reader="narrative",
        section_ref=sec_ref,
        section_as_written=None if sec is None or sec.synthetic else _section_name(sec.text),
        section_heading=None if sec is None or sec.synthetic else collapse_ws(sec.text),
        subsection_as_written=_section_name(sub.text) if sub is not None else (about["label"] if about else None),
        family_context=family,
        task_text=text,
        output_text=attrs.get("output"),
        lead_as_written=lead,
        support_as_written=support,
        timeline_text=attrs.get("timeline"),
        note_text=attrs.get("note"),
        line_start=n.line_start,
        line_end=line_end,
        section_inferred=bool(sec is not None and sec.synthetic),
    )
