"""Reader for narrative plans: headings, numbered items and bullets -> TaskRow.

The reader takes the outline (outline.py: roman sections > numbered headings > lettered items > "-" bullets >
"+" sub-bullets), then decides what is a heading and what is a task from the shape of the outline,
not from anything specific to one document.
"""

from __future__ import annotations

import re

from pipelines.model import Finding, TaskRow
from pipelines.sources.plans.agency_text import (
    agency_prefix,
    is_agency_label,
    lead_and_partners,
    looks_like_agency,
    names_a_body,
    parse_attributes,
)
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import lines_containing
from pipelines.sources.plans.readers.numbering import _check_roman_numbering, check_numbering
from pipelines.sources.plans.readers.outline import (
    _SENTENCE_END,
    _TASK_SECTION,
    NarrativeSection,
    Node,
    Para,
    _is_section_like,
    _ref_of,
    _section_name,
    _subtree_end,
    _walk,
    build_outline,
    is_task_section_heading,
    paragraphs,
)
from pipelines.sources.plans.readers.task_row import (
    _FIELD_LABEL,
    _INLINE_AGENCY,
    _agency_heading,
    _lists_its_objects,
    _task_from,
    forget_headings,
)


def task_sections(root: Node, findings: list[Finding]) -> list[Node]:
    """Roman sections that hold tasks. A restart of top-level numbering inside one (1 after 9)
    means the next roman heading was lost: what follows is not treated as tasks."""
    romans = [c for c in root.children if c.kind == "roman"]
    part: dict[int, bool | None] = {}  # each roman section: what the part above it is ("B. NHIỆM VỤ …": True)
    current = None
    for c in root.children:
        if c.kind == "part":
            current = is_task_section_heading(c.text)
        elif c.kind == "roman":
            part[id(c)] = current
    if any(v is not None for v in part.values()):
        # the parts decide: every section of a task part, none of another part
        romans = [r for r in romans if part[id(r)] is not False]
        by_part = [r for r in romans if part[id(r)] or is_task_section_heading(r.text)]
        if by_part:
            return _cut_restarts(by_part, findings)
    chosen: list[Node] = []
    for r in romans:
        if is_task_section_heading(r.text):
            chosen.append(r)
    if not romans or not chosen:
        # no roman outline: fall back to every top-level heading that is not purpose/organisation
        chosen = [c for c in root.children if c.kind != "roman" and is_task_section_heading(c.text) is not False]
        if romans:
            chosen += [r for r in romans if is_task_section_heading(r.text) is not False]
    return _cut_restarts(chosen, findings)


def _cut_restarts(chosen: list[Node], findings: list[Finding]) -> list[Node]:
    for r in list(chosen):
        nums = [c for c in r.children if c.kind == "num" and c.level == 1]
        last = None
        for c in nums:
            marker = c.marker or ""
            if marker.isdigit() and last is not None and int(marker) <= last:
                findings.append(
                    Finding(
                        "heading_missing",
                        "warning",
                        f"Numbering restarts at {c.marker} on line {c.line_start} inside section "
                        f"'{collapse_ws(r.text)[:60]}': a section heading was lost; the rest is not read as tasks.",
                        c.line_start,
                        c.line_start,
                    )
                )
                idx = r.children.index(c)
                r.children = r.children[:idx]
                break
            if marker.isdigit():
                last = int(marker)
    return chosen


def read_narrative(
    lines: list[str], skip: set[int], paras: list[Para] | None = None
) -> tuple[list[TaskRow], list[NarrativeSection], list[Finding], list[TaskRow], list[tuple[int, int, int]]]:
    """Tasks of the task sections, the numbered sections, findings, the work given by agency outside the task
    sections (_assignments_by_agency; plan.assignments_or_solutions decides, knowing the tables, which to keep), and
    the line span of each task section (level 0) and of each numbered part of one (level 1)."""
    findings: list[Finding] = []
    forget_headings()  # the memo of the previous document's headings
    root = build_outline(paragraphs(lines, skip) if paras is None else paras, findings)
    sections = task_sections(root, findings)
    for sec in sections:
        check_numbering(sec, findings)
    _check_roman_numbering(root, findings)
    for r in root.children:  # numbering is checked in every roman part, tasks or not ("TỔ CHỨC THỰC HIỆN": 1, 2, 4)
        if r.kind == "roman" and r not in sections and is_task_section_heading(r.text) is False:
            check_numbering(r, findings)
    tasks: list[TaskRow] = []
    nsections: list[NarrativeSection] = []
    for sec in sections:
        for n in _walk(sec):
            if n.kind == "num" and n.level == 1:
                texts = [collapse_ws(c.text) for c in _walk(n) if c is not n and c.kind != "label"]
                nsections.append(
                    NarrativeSection(
                        n.marker or "",
                        None if n.synthetic else _section_name(n.text),
                        texts,
                        n.line_start,
                        _subtree_end(n),
                    )
                )
        if sec.kind != "roman" and not sec.items:
            # a top-level item with nothing under it (a directive's "2. Chánh Thanh tra tỉnh: …"): the item is the
            # task, or an agency heading over its paragraph
            if rows := _run_on_assignments(sec, []) or _agency_paragraphs(sec, []):
                tasks.extend(rows)
            elif sec.kind in ("num", "letter", "bullet") and not sec.intro:
                tasks.append(_task_from(sec, [], False))
        before = len(tasks)
        _collect_tasks(sec, [sec] if sec.kind == "roman" else [], tasks, findings)  # a roman heading may name the index
        party = _party_heading(sec)
        for row in tasks[before:]:
            # a directive's "5. Các chủ rừng là tổ chức (…)" over its items: they are that party's, whoever it is
            row.lead_as_written = row.lead_as_written or party
    tasks, outside = _assignments_by_agency(root, sections, tasks)
    # each task section, and each numbered part of one ("1. Nhiệm vụ, giải pháp" beside "2. Phân công trách nhiệm")
    spans = [(sec.line_start, _subtree_end(sec), 0) for sec in sections]
    spans += [
        (c.line_start, _subtree_end(c), 1)
        for sec in sections
        if sec.kind == "roman"
        for c in sec.children
        if c.kind == "num" and c.level == 1
    ]
    if _gives_work_by_number(lines):  # a cheap first look: work given by section number at all?
        _assign_by_reference(root, sections, tasks)
    return tasks, nsections, findings, outside, spans


# "Sở Tài chính chủ trì, phối hợp với Hiệp hội Doanh nghiệp tỉnh triển khai các nhiệm vụ tại mục I và mục VI (riêng
# nhiệm vụ tại mục VI.2 do Sở Công Thương chủ trì, Sở Tài chính phối hợp)": work assigned by section number
_REF_ITEM = r"[IVX]{1,4}(?:\.\d{1,2})?"
_SECTION_REFS = re.compile(
    rf"(?i)\bmục\s+({_REF_ITEM}(?:\s*(?:,|và)\s*(?:(?:các\s+)?(?:nhiệm vụ\s+tại\s+)?mục\s+)?{_REF_ITEM})*)"
)
_CLAUSE_LEAD = re.compile(r"(?i)^(?:.*?\bdo\s+)?(?P<lead>[^,;()]+?)\s+chủ\s*trì\b")
_CLAUSE_SUPPORT = re.compile(
    r"(?i)phối\s*hợp(?:\s+với)?\s+(?P<after>[^,;()]+?)\s+(?:triển khai|thực hiện|tổ chức)|"
    r"(?:,|;|^)\s*(?P<before>[^,;()]+?)\s+phối\s*hợp\b"
)


_BY_NUMBER = re.compile(r"\b[Mm][ụỤ][cC]\s+[IVX]{1,4}\b")


def _gives_work_by_number(lines: list[str]) -> bool:
    """ "mục I", "Mục VI" anywhere (also across a wrapped line): only lines holding "mục" are looked at, since a
    scan of the whole text cost 0.4 ms a document."""
    for k in lines_containing(("mục",), lines):  # every match holds "mục" in lower case ("Mục", "MỤC", …)
        ln = lines[k]
        if ("ục" in ln or "ỤC" in ln or "Ục" in ln or "ụC" in ln) and (
            _BY_NUMBER.search(ln)
            or (
                k + 1 < len(lines)
                and ln.rstrip().endswith(("ục", "ỤC", "Ục", "ụC"))
                and _BY_NUMBER.search(ln + "\n" + lines[k + 1])
            )
        ):
            return True
    return False


def _assign_by_reference(root: Node, sections: list[Node], tasks: list[TaskRow]) -> None:
    """Leads and partners given outside the task sections by section number (above): a task without a lead gets
    the one its item's number names, else its section's; an item-level clause wins over a section-level one."""
    romans = {c.marker: c for c in sections if c.kind == "roman" and c.marker}
    if not romans or not tasks:
        return
    in_sections = {id(x) for sec in sections for x in _walk(sec)}
    clauses: list[str] = []
    for n in _walk(root):
        if id(n) in in_sections or n is root:
            continue
        for text in [n.text] + [p.text for p in n.intro]:
            if "mục" not in text.lower():
                continue
            for inner in re.findall(r"\(([^()]*)\)", text):
                clauses += inner.split(";")
            clauses += re.sub(r"\([^()]*\)", "", text).split(";")
    by_ref: dict[str, dict[str, str]] = {}
    for clause in clauses:
        refs = [r for m in _SECTION_REFS.finditer(clause) for r in re.findall(_REF_ITEM, m.group(1))]
        if not refs:
            continue
        lead = _CLAUSE_LEAD.match(clause.strip())
        sup = _CLAUSE_SUPPORT.search(clause)
        who = {}
        if lead and looks_like_agency(lead["lead"].strip()):
            who["lead"] = lead["lead"].strip()
        if sup:
            partner = (sup["after"] or sup["before"] or "").strip()
            if looks_like_agency(partner):
                who["support"] = partner
        for r in refs:
            for k, v in who.items():
                by_ref.setdefault(r, {})[k] = v  # later (item-level, in parentheses last) clauses win
    if not by_ref:
        return
    line_roman = [(sec.line_start, _subtree_end(sec), sec.marker) for sec in romans.values()]
    for t in tasks:
        roman = next((m for lo, hi, m in line_roman if lo <= t.line_start <= hi), None)
        if roman is None:
            continue
        item = by_ref.get(f"{roman}.{t.task_ref}") if t.task_ref else None
        group = by_ref.get(roman, {})
        for k in ("lead", "support"):
            v = (item or {}).get(k) or (group.get(k) if not (item or {}).get("lead") or k == "lead" else None)
            attr = "lead_as_written" if k == "lead" else "support_as_written"
            if v and not getattr(t, attr):
                setattr(t, attr, v)


_DESCRIBING_PART = re.compile(
    r"^(?:MỤC ĐÍCH|MỤC TIÊU|YÊU CẦU|ĐỐI TƯỢNG|TIÊU CHUẨN|TIÊU CHÍ|HÌNH THỨC|SỐ LƯỢNG|NGUYÊN TẮC|CĂN CỨ|TÌNH HÌNH|"
    r"ĐẶC ĐIỂM|KẾT QUẢ|ĐÁNH GIÁ|QUAN ĐIỂM)",
    re.IGNORECASE,
)


def _describes(heading: str) -> bool:
    """A roman part that describes ("I. MỤC ĐÍCH, YÊU CẦU", "IV. SỐ LƯỢNG ĐỀ NGHỊ KHEN THƯỞNG"), naming neither tasks
    nor their organisation."""
    t = collapse_ws(heading)
    return (
        bool(_DESCRIBING_PART.match(t))
        and not _TASK_SECTION.search(t)
        and not re.search(r"(?i)tổ chức thực hiện|phân công|trách nhiệm", t)
    )


def _party_among_agencies(n: Node) -> str | None:
    """A heading naming a plural party ("18. Các doanh nghiệp công nghệ số", "19. Các cơ sở đào tạo …") among
    headings that name agencies: a party given work like its siblings, though not a state body."""
    if n.kind != "num" or n.synthetic or not n.items or n.parent is None:
        return None
    t = collapse_ws(n.text).strip(" :")
    if not re.match(r"(?i)^(?:các|những)\s", t) or len(t.split()) > 12 or _SENTENCE_END.search(t) or ":" in t:
        return None
    named = sum(1 for c in n.parent.children if c is not n and c.kind == "num" and _agency_heading(c))
    return t if named >= 2 else None


def _path_to(n: Node) -> list[Node]:
    path: list[Node] = []
    p = n.parent
    while p is not None and p.parent is not None:  # up to the root's child (the root itself holds no heading)
        path.insert(0, p)
        p = p.parent
    return path


def _assignments_by_agency(
    root: Node, sections: list[Node], tasks: list[TaskRow]
) -> tuple[list[TaskRow], list[TaskRow]]:
    """Work given by agency: a heading that names an agency makes each item under it (or the paragraph under it)
    that agency's task. Inside the task sections this gives the items their lead; outside them ("TỔ CHỨC THỰC
    HIỆN", "PHÂN CÔNG NHIỆM VỤ") the agencies' items are returned apart."""
    in_sections = {id(x) for sec in sections for x in _walk(sec)}
    # what the plan is for, whom it rewards and how many: parts that describe, where no party is given work
    described = {id(x) for r in _walk(root) if r.kind == "roman" and _describes(r.text) for x in _walk(r)}
    by_line = {t.line_start: i for i, t in enumerate(tasks)}
    outside: list[TaskRow] = []
    for n in _walk(root):
        if id(n) in described:
            continue
        agency = _agency_heading(n) or _party_among_agencies(n)
        if agency is None:
            if id(n) not in in_sections and n.kind in ("num", "letter", "bullet") and not n.items:
                # "2. Sở Tài chính: Căn cứ khả năng cân đối …", "- Sở Khoa học và Công nghệ là cơ quan thường trực,
                # chủ trì theo dõi …": an item that names its agency first, in the organisation section
                text = collapse_ws(n.text)
                named_first, rest = agency_prefix(text)
                if (named_first is not None and len(rest.split()) >= 4) or (
                    ":" in text[:170] and _INLINE_AGENCY.match(text)
                ):
                    row = _task_from(n, _path_to(n), False)
                    if has_agency_lead(row):
                        outside.append(row)
            continue
        if id(n) in in_sections:
            # the items were read as tasks already: they take the lead the heading names (unless they name their own),
            # down through the parts it is divided in ("2.1. Trách nhiệm chung"), not into another agency's heading
            for c in _own_nodes(n) if n.items else _intro_nodes(n):
                if c.line_start in by_line:
                    old = tasks[by_line[c.line_start]]
                    old.lead_as_written = old.lead_as_written if has_agency_lead(old) else agency
            continue
        path = _path_to(n) + [n]
        rows = []
        # "Chủ trì, phối hợp với …:" as the heading's own paragraph over its items: their partners
        lead_in = next((p for x in _intro_nodes(n) if (p := _role_heading(x, True)) is not None), None)
        for c in n.items:
            partners = _role_heading(c)
            if partners is None:
                rows.extend(_agency_items(c, path))
                continue
            # "a) Chủ trì, phối hợp với các sở …" / "b) Phối hợp với …" over items: a heading naming the role and
            # the partners; its items are the agency's work with those partners
            for x in c.items or _intro_nodes(c):
                row = _task_from(x, path + [c], not c.items)
                row.support_as_written = row.support_as_written or partners[0]
                rows.append(row)
        if lead_in is not None:
            for row in rows:
                row.support_as_written = row.support_as_written or lead_in[0]
        if not rows:  # the heading over paragraphs: each is that agency's task
            for x in _intro_nodes(n):
                row = _task_from(x, path, False)
                row.task_ref = _ref_of(n)
                rows.append(row)
        lead, heading_partners = _lead_and_partners(agency)
        for row in rows:
            row.lead_as_written = lead
            row.support_as_written = row.support_as_written or heading_partners
            outside.append(row)
    one: dict[int, TaskRow] = {}
    for r in outside:
        one.setdefault(r.line_start, r)  # one row per item (its heading's, when it has one)
    return tasks, list(one.values())


def _lead_and_partners(agency: str) -> tuple[str, str | None]:
    """An agency heading that gives the roles ("2. Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Y tế, UBND các
    xã:"): the lead, and the partners of every item under it."""
    return lead_and_partners(agency) or (agency, None)


def _own_nodes(n: Node) -> list[Node]:
    """The items under an agency heading, and the items of its parts, short of a nested agency heading."""
    out: list[Node] = []
    for c in n.items:
        out.append(c)
        if c.items and _agency_heading(c) is None:
            out.extend(_own_nodes(c))
    return out


def _agency_items(c: Node, path: list[Node]) -> list[TaskRow]:
    """The tasks an item under an agency heading gives: itself, or, when it only heads a part of the agency's work
    ("2.1. Trách nhiệm chung" over lettered items), its items; an item naming another agency gives that one's."""
    head = collapse_ws(c.text)
    if c.items and len(head.split()) <= 12 and not _SENTENCE_END.search(head) and not _role_heading(c):
        if _agency_heading(c) is not None:
            return []  # "a) Sở Nông nghiệp và Môi trường" over its points: read as its own heading
        return [row for x in c.items for row in _agency_items(x, path + [c])]
    return [_task_from(c, path, True)]


_ROLE_HEADING = re.compile(r"(?i)^\W*(?:(?:chủ trì|phối hợp)\W*(?:,|và)?\s*)+(?:với\s+)?(?P<who>[^:]*?)[\s*_:.]*$")


def _role_heading(c: Node, lead_in: bool = False) -> tuple[str] | None:
    """(partners,) of an item that only names a role and its partners ("Chủ trì, phối hợp với các sở, ngành, UBND các
    xã, phường:") and has items or paragraphs under it (`lead_in`: a paragraph over its heading's items); None
    otherwise."""
    if not (lead_in or c.items or c.intro):
        return None
    m = _ROLE_HEADING.match(collapse_ws(c.text))
    if m is None or not m["who"] or not looks_like_agency(m["who"].strip(" *_")):
        return None
    return (m["who"].strip(" *_"),)


def _agency_paragraphs(c: Node, path: list[Node]) -> list[TaskRow]:
    """ "5. Sở Khoa học và Công nghệ:" over paragraphs and no items: each paragraph is that agency's task."""
    if not c.intro:
        return []
    agency = _agency_heading(c)
    if agency is None or not _only_names_agencies(agency):
        return []
    rows = []
    for x in _intro_nodes(c):
        row = _task_from(x, path + [c], False)
        row.task_ref = _ref_of(c)
        row.lead_as_written = row.lead_as_written if has_agency_lead(row) else agency
        rows.append(row)
    return rows


def _party_heading(sec: Node) -> str | None:
    """Who a top-level heading of a text without roman sections names, when items stand under it: its words, if
    they are a name (short, not a sentence)."""
    if sec.kind == "roman" or not sec.items or sec.synthetic:
        return None
    t = collapse_ws(sec.text).rstrip(" :")
    if len(t) > 160 or t.endswith((".", ";")) or _FIELD_LABEL.match(t):
        return None
    # an agency, or a plural party ("Các chủ rừng …", "Các tổ chức, cá nhân …"); a topic ("Công tác chỉ đạo") is none
    return _agency_heading(sec) or (t if re.match(r"(?i)^(?:các|những)\s", t) else None)


# A sentence that gives work to someone: "Giao Sở X chủ trì …", "Đề nghị Ủy ban MTTQ tỉnh chủ trì …",
# "UBND các xã có trách nhiệm …"
_SENTENCE_SPLIT = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])")
_ASSIGNS = re.compile(
    r"^(?:(?:Giao|Đề nghị|Yêu cầu)\s+\S.{0,150}?\s+(?:chủ\s*trì|là cơ quan|có trách nhiệm|thực hiện)\b"
    r"|\S.{0,150}?\s+(?:có|chịu)\s+trách nhiệm\s)"
)


_ROUTINE = re.compile(r"(?i)thi hành\s+(?:chỉ thị|quyết định|kế hoạch|văn bản)\s+này")


def _assignment_sentences(c: Node, path: list[Node]) -> list[TaskRow]:
    """A heading over prose in which sentences give the work ("1. Giải quyết tình trạng thiếu đất ở" over "Qua rà
    soát, … Giao Sở Dân tộc và Tôn giáo chủ trì, … hoàn thành trước ngày 31/3/2026. Giao Sở …"): each such sentence
    is a task; the heading is a topic and the other sentences context."""
    if not c.intro or c.kind not in ("num", "letter", "head"):
        return []
    head = collapse_ws(c.text)
    if len(head) > 160 or _SENTENCE_END.search(head.rstrip(":")):
        return []  # an item with words of its own is a task itself, whatever prose follows it
    rows = []
    for p in c.intro:
        for sent in _SENTENCE_SPLIT.split(p.text):
            sent = sent.strip()
            m = _ASSIGNS.match(sent)
            if m is None or (not sent.startswith(("Giao", "Đề nghị", "Yêu cầu")) and not looks_like_agency(sent)):
                continue
            if _ROUTINE.search(sent):
                continue  # "… chịu trách nhiệm thi hành Chỉ thị này": the closing formula
            node = Node("plain", None, c.level + 1, sent.rstrip(" ."), p.line_start, p.line_end, parent=c)
            row = _task_from(node, path + [c], False)
            if not row.lead_as_written:
                who = re.match(
                    r"^(?:(?:Giao|Đề nghị|Yêu cầu)\s+)?(?P<who>.+?)\s+(?:chủ\s*trì|là cơ quan|(?:có|chịu)\s+trách nhiệm)",
                    sent,
                )
                row.lead_as_written = who["who"] if who else None
            rows.append(row)
    if (
        len(rows) == 1
        and len(c.intro) == 1
        and not _SENTENCE_SPLIT.search(c.intro[0].text.strip().rstrip("."))
        and not looks_like_agency(head)
        and not re.match(r"(?i)(?:các|những)\s", head)
    ):
        # one topic heading over the one sentence that gives it ("3. Xây dựng các văn bản …" over "Sở, ban, ngành …
        # có trách nhiệm rà soát, tham mưu …"): the heading names the task, the sentence says who does it
        row = rows[0]
        row.task_text = f"{head.rstrip(' :.')}: {row.task_text}"
        row.line_start, row.task_ref = c.line_start, _ref_of(c)
    return rows


_GIVE_TO = re.compile(r"(?:^|(?<=[.:;])\s*)Giao\s+(?P<who>[^:;.()]{3,120}?):\s*(?=[a-zđ]\)\s)")
_LETTERED = re.compile(r"(?:^|(?<=[;.])\s*)(?P<m>[a-zđ])\)\s+")


def _run_on_assignments(c: Node, path: list[Node]) -> list[TaskRow]:
    """An item written as one run-on paragraph of assignments ("1. Chỉ số …: Giao Sở Tài chính: a) rà soát …; b) công
    khai …. Giao Trung tâm …: a) bố trí …"): one task per lettered clause, for the body the clause follows."""
    if "Giao" not in c.text and not any("Giao" in p.text for p in c.intro):
        return []  # every _GIVE_TO match holds "Giao" (joining and collapsing white space makes none)
    text = collapse_ws(" ".join([c.text] + [p.text for p in c.intro]))
    gives = list(_GIVE_TO.finditer(text))
    if not gives:
        return []
    rows = []
    for g, nxt in zip(gives, gives[1:] + [None]):
        part = text[g.end() : nxt.start() if nxt else len(text)]
        marks = list(_LETTERED.finditer(part))
        for m, after in zip(marks, marks[1:] + [None]):
            clause = part[m.end() : after.start() if after else len(part)].strip(" ;.")
            node = Node("letter", m["m"], c.level + 1, clause, c.line_start, _subtree_end(c), parent=c)
            node.attrs, node.text = parse_attributes(clause)
            row = _task_from(node, path + [c], False)
            row.lead_as_written = g["who"].strip()
            rows.append(row)
    return rows


_PARTY_OPENS = re.compile(r"^(?P<who>[^:;.()]{3,120}?):\s*\S")


def _party_paragraphs(c: Node, path: list[Node]) -> list[TaskRow]:
    """A heading over paragraphs that each open with the body in charge and a colon ("SỞ NỘI VỤ: Hướng dẫn … .
    Phối hợp: … Thời hạn: …"): each paragraph is that body's task, its labelled fields its own. A line that goes on
    right under one (a wrap the export broke before a capital) is part of it."""
    groups: list[list] = []  # [text, line_start, line_end]: the paragraphs on lines that follow one another
    for p in c.intro:
        if groups and p.line_start == groups[-1][2] + 1:
            groups[-1][0], groups[-1][2] = f"{groups[-1][0]} {p.text}", p.line_end
        else:
            groups.append([p.text, p.line_start, p.line_end])
    if not groups or not all((m := _PARTY_OPENS.match(g[0])) and names_a_body(m["who"]) for g in groups):
        return []
    rows = []
    for text, start, end in groups:
        node = Node("plain", None, c.level + 1, text, start, end, parent=c)
        node.attrs, node.text = parse_attributes(text)
        row = _task_from(node, path + [c], False)
        if row.lead_as_written:  # "SỞ TƯ PHÁP CHỦ TRÌ, PHỐI HỢP VỚI CÔNG AN THÀNH PHỐ: …"
            row.lead_as_written, partners = _lead_and_partners(row.lead_as_written)
            row.support_as_written = row.support_as_written or partners
        rows.append(row)
    return rows


def _only_names_agencies(text: str) -> bool:
    """A heading that is nothing but an agency's name ("5. Sở Khoa học và Công nghệ:"), not an item that opens
    with one ("a) Chủ tịch UBND các xã tiếp công dân định kỳ")."""
    from pipelines.normalise.agencies import resolve

    res = resolve(text, "lead")
    return bool(res.mentions) and not res.unknown


def _intro_nodes(n: Node) -> list[Node]:
    """The paragraphs under a heading before its first item, as nodes."""
    return [Node("plain", None, n.level + 1, p.text, p.line_start, p.line_end, parent=n) for p in n.intro]


def has_agency_lead(t: TaskRow) -> bool:
    return bool(t.lead_as_written) and looks_like_agency(t.lead_as_written or "")


_EMPTY_FIELD = re.compile(r"(?i)^(?:nội dung|nhiệm vụ|công việc|hoạt động)(?:\s+(?:thực hiện|cụ thể|chính))?\s*:$")


def _collect_tasks(node: Node, path: list[Node], out: list[TaskRow], findings: list[Finding]) -> None:
    for c in node.children:
        if c.kind in ("plain",):
            continue
        if c.kind == "label":
            _collect_tasks(c, path + [c], out, findings)
            continue
        items = c.items
        merge_children = bool(
            c.kind in ("bullet", "lost", "letter", "num")
            and items
            and all(i.kind == "plus" for i in items)
            # "+" points that each name their own agency ("+ Sở Xây dựng: hướng dẫn …") are tasks of their own
            and not any(looks_like_agency(collapse_ws(i.text)) for i in items)
            and not is_agency_label(c.text)
            and not _is_section_like(c)
            # "- Nội dung:" over "+" points: the field holds the work, each point is a task
            and not _EMPTY_FIELD.match(collapse_ws(c.text))
        ) or _lists_its_objects(c)
        if items and not merge_children:
            _collect_tasks(c, path + [c], out, findings)
            continue
        if not items and (
            rows := _run_on_assignments(c, path)
            or _agency_paragraphs(c, path)
            or _party_paragraphs(c, path)
            or _assignment_sentences(c, path)
        ):
            out.extend(rows)
            continue
        if c.kind == "lost":
            findings.append(
                Finding(
                    "bullet_marker_missing",
                    "info",
                    f"Paragraph at line {c.line_start} stands between bullets without a bullet marker; read as its own task.",
                    c.line_start,
                    c.line_end,
                )
            )
        out.append(_task_from(c, path, merge_children))


# "1.1. Nhiệm vụ: Tham mưu …", "Nội dung công việc: Kiểm tra …": the label of the field that holds the task's words
