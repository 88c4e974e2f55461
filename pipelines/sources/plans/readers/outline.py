"""The outline of a plan's prose: lines joined into paragraphs (wrapped lines, page breaks, a scrape's hard wraps),
each classified by its numbering (roman part, numbered heading, lettered item, "-" and "+" bullets), and built into
a tree (roman sections > numbered headings > lettered items > bullets), with its numbering checked. The narrative
reader (narrative.py) labels that tree's nodes; nothing here knows what a task is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from pipelines.model import Finding
from pipelines.sources.plans.agency_text import (
    empty_attribute,
    is_agency_label,
    is_attribute_line,
    looks_like_agency,
    parse_assignment,
    parse_attributes,
)
from pipelines.sources.plans.assignment_lines import tagged_assignment
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import strip_markup

_ROMAN = re.compile(r"^(?P<m>[IVX]{1,4})\s*[.\-–)]\s*(?P<t>\S.*)$")
_NUM_MULTI = re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<t>\S.*)$")
_LABELLED_NUM = re.compile(
    r"^(?:Nội dung|Chỉ số nội dung|Chỉ số thành phần|Lĩnh vực)\s+(?P<m>\d{1,2})\s*\.\s+(?P<t>[^\W\d_]\S*(?:\s+\S+){2,})$"
)
_NUM_PAREN = re.compile(r"^\((?P<m>\d{1,2})\)\s*(?P<t>[^\W_].{9,})$")
_NUM_ONE = re.compile(r"^(?P<m>\d{1,2})[.)]\s*(?P<t>[^\d\s].*)$")
_LETTER = re.compile(r"^(?P<m>[a-zđ])\)\s*(?P<t>\S.*)$")
_BULLET = re.compile(r"^(?P<m>[-–•+])\s*(?P<t>\S.*)$")
_DATE_CONT = re.compile(r"^\d+/\d")  # "15/3 ..." continues the line before
_QUOTED = re.compile(r"[“\"]([^”\"]{3,200})[”\"]")

VI_LETTERS = "abcdđeghiklmnopqrstuvxy"

LEVEL_ROMAN, LEVEL_LETTER, LEVEL_BULLET, LEVEL_PLUS = 0, 5, 6, 7

# Roman sections that hold the plan's tasks, and those that never do.
_TASK_SECTION = re.compile(r"NHIỆM VỤ|GIẢI PHÁP|NỘI DUNG|CÔNG VIỆC|HOẠT ĐỘNG|PHÂN CÔNG|LỘ TRÌNH", re.IGNORECASE)
_NON_TASK_SECTION = re.compile(
    r"^(MỤC ĐÍCH|MỤC TIÊU|YÊU CẦU|TỔ CHỨC THỰC HIỆN|KINH PHÍ|ĐẶC ĐIỂM|TÌNH HÌNH|KẾT QUẢ|CĂN CỨ|ĐÁNH GIÁ)",
    re.IGNORECASE,
)
_FAMILY_PAR = re.compile(r"PAR\s*INDEX|Chỉ số CCHC|chỉ số cải cách hành chính", re.IGNORECASE)
_FAMILY_PAPI = re.compile(r"\bPAPI\b")


@dataclass
class Para:
    line_start: int
    line_end: int
    text: str


@dataclass
class Node:
    kind: str  # roman | num | letter | bullet | plus | plain | label | lost
    marker: str | None
    level: float
    text: str
    line_start: int
    line_end: int
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    intro: list[Para] = field(default_factory=list)
    synthetic: bool = False  # heading missing from the text, recreated from numbering
    attrs: dict[str, str] = field(default_factory=dict)  # "- Cơ quan chủ trì: …" lines under it

    @property
    def items(self) -> list[Node]:
        return [c for c in self.children if c.kind != "plain"]


_SENTENCE_END = re.compile(r"[.:;!?…]\W*$")
# A number alone on its line ("**IV.", "1.", "a)"): a heading or item whose words the scrape put on the next line
_LONE_MARKER = re.compile(r"^(?:(?:[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*|[a-zđ])\s*[.)]|[-–+•])$")
# ... or with one or two of its words ("+ Sở" over "Văn hóa, Thể thao và Du lịch: hướng dẫn …")
_MARKER_AND_WORD = re.compile(r"^(?:[-–+•]|\d{1,2}(?:\.\d{1,2})*[.)]?|[a-zđ]\))\s+\w+(?:\s+\w+)?$")
# a line ending in a word that opens a phrase ("… chỉ đạo các" / "Cơ sở y tế …: …"): the next line goes on with it
_OPEN_END = re.compile(r"\s(?:các|những|của|và|với|cho|tại|theo|về|từ|đến|là|cùng)\s*$")
# an assignment line drawn with an arrow ("→ Sở X chủ trì; phối hợp: …"), or a task's own tail after one
_ARROW = re.compile(r"^\s*(?:→|⇒|➔|➜|->|=>)\s*")
_LABEL_START = re.compile(r"^[^:]{2,45}:\s*\S")  # "Chủ trì: …", "Thời gian thực hiện: …"


def hard_wrapped(lines: list[str]) -> bool:
    """A text whose paragraphs are wrapped over several lines and set apart by blank lines (a portal scrape, a
    text export with a fixed width): many lines go on in lower case straight after a line, and blank lines part
    the paragraphs. There a line without a marker that follows a line not ending a sentence continues it, even
    when it starts with a capital ("… do\nSở, ngành chủ trì …")."""
    st = [ln.strip() for ln in lines]
    # one cell per line between "|" lines is a table, not prose: its lines are not counted
    # (counted at C speed: the lines after a "|" line are looked at one by one, few in most texts)
    n_blank, n_pipe = st.count(""), st.count("|")
    after_pipe, k = 0, -1
    while (k := _index_of(st, "|", k + 1)) != -1:
        if k + 1 < len(st) - 1 and st[k + 1] and st[k + 1] != "|":
            after_pipe += 1
    n_text = len(st) - n_blank - n_pipe - after_pipe
    if n_blank < 0.1 * (n_blank + n_text):
        return False
    pairs = lower = 0
    for k in range(len(lines) - 1):
        a = st[k]
        if not a or a.startswith("|") or not st[k + 1]:  # a blank line after it: no pair
            continue
        b = strip_markup(lines[k + 1]).strip()
        if b and not b.startswith("|"):
            pairs += 1
            lower += b[0].islower()
    return n_blank >= 0.1 * (n_blank + n_text) and pairs >= 20 and lower >= 0.25 * pairs


def _index_of(items: list[str], x: str, start: int) -> int:
    try:
        return items.index(x, start)
    except ValueError:
        return -1


def first_line_indent(lines: list[str]) -> bool:
    """A text that marks its paragraphs by indenting their first line ("    Năm 2024, chỉ số …" under a heading)
    while the lines that go on with a paragraph start flush left: lines in lower case after an unfinished line are
    flush left, and several lines open indented with a capital right under another line."""
    opens = conts = conts_flush = 0
    for a, b in zip(lines, lines[1:]):
        pa, tb = a.rstrip(), b.strip()
        if not pa.strip() or not tb or tb[0] in "-–+•|*":
            continue
        indented = b[:2] in ("  ", " \t") or b[:1] == "\t"
        if indented and tb[0].isupper() and not a[:1].isspace():
            opens += 1
        elif pa[-1].isalnum() and tb[0].islower():
            conts += 1
            conts_flush += not indented
    return opens >= 3 and conts >= 5 and conts_flush >= 0.9 * conts


def paragraphs(lines: list[str], skip: set[int] | None = None) -> list[Para]:
    """Non-empty lines, with continuation lines (page breaks mid-sentence) joined to the line before; in a
    hard-wrapped text (hard_wrapped), every line of a paragraph."""
    skip = skip or set()
    wrapped = hard_wrapped(lines)
    indented_starts = wrapped and first_line_indent(lines)  # (only a hard-wrapped text parts paragraphs so)
    paras: list[Para] = []
    prev_raw = ""
    bold_open = False  # the paragraph so far opened a bold span ("**1. Đề nghị Ban …") it has not closed
    prev_end = ""  # the line before, markup stripped (what a wrap is judged on)
    column: Para | None = None  # what a right-hand column set by tab stops gives the line's item
    for i, raw in enumerate(lines, start=1):
        if column is not None:
            paras.append(column)
            column, prev_raw, prev_end, bold_open = None, "", "", False
        if i in skip:
            prev_raw, prev_end, bold_open = "", "", False
            continue
        if "\t\t" in raw and (tabbed := _tab_column(raw, i)) is not None:
            raw, column = tabbed
            if not raw.strip():  # "<tabs>phối hợp: …": the column's own line
                paras.append(column)
                column, prev_raw, prev_end, bold_open = None, "", "", False
                continue
        t = strip_markup(raw.replace("\t", " ") if "\t" in raw else raw).strip()
        lone_bullet = t in ("-", "–", "+", "•") and i < len(lines) and bool(lines[i].strip()) and "|" not in lines[i]
        if not t.strip("|-: ") and not lone_bullet:  # empty, or only table rules (a bullet whose words follow stays)
            prev_raw, prev_end, bold_open = "", "", False
            continue
        plain = _classify_text(t)[0] == "plain"
        starts_lower = t[0].islower() and not _LETTER.match(t)
        starts_cont = t[0] in ",;)" or (t[0] == "(" and t[1:2].islower()) or bool(_DATE_CONT.match(t))
        wrap_cont = (
            wrapped
            and bool(prev_raw)
            # a sentence may end at a line's end inside a paragraph: blank lines part the paragraphs here
            and (not _SENTENCE_END.search(prev_end) or prev_end[-1:] in ".:")
            and not prev_raw.rstrip().endswith("**")
            and not raw.lstrip().startswith("**")
            and plain
            # a label line ("Thời gian thực hiện: …", "Sở Xây dựng: …") starts anew; one word before a colon is
            # the end of a wrapped name ("… Khu công nghiệp Quảng" / "Ngãi: hướng dẫn …")
            and not (_LABEL_START.match(t) and len(t.split(":", 1)[0].split()) > 1 and not _OPEN_END.search(prev_end))
        )
        last = paras[-1] if paras else None
        after_marker = (
            last is not None
            and last.line_end == i - 1
            and plain
            and (
                bool(_LONE_MARKER.match(last.text))
                or (wrapped and last.line_start == i - 1 and bool(_MARKER_AND_WORD.match(last.text)))
            )
        )
        # a bold heading the scrape wrapped ("**1. Đề nghị Ban Tuyên giáo và" / "Dân vận Tỉnh ủy: **Ban hành …")
        # goes on until its bold closes
        in_bold = bold_open and last is not None and last.line_end == i - 1 and plain
        odd = raw.count("**") % 2 == 1
        # a text whose paragraphs open with an indent and go on flush left: an indented line opens a paragraph
        indent_opens = not starts_lower and (raw[:2] in ("  ", " \t") or raw[:1] == "\t")
        if (
            last is not None
            and (starts_lower or starts_cont or wrap_cont or after_marker or in_bold)
            and not _BULLET.match(t)
            and not _ARROW.match(t)
            and not (indent_opens and indented_starts)
        ):
            last.text += " " + t
            last.line_end = i
            bold_open ^= odd
        else:
            paras.append(Para(i, i, t))
            bold_open = odd
        prev_raw, prev_end = raw, strip_markup(raw)
    if column is not None:
        paras.append(column)
    return paras


_TAB_COLUMN = re.compile(r"^(?P<left>.*?)\t{2,}(?P<right>[^\t]+?)\s*$")


def _tab_column(raw: str, i: int) -> tuple[str, Para] | None:
    """ "… tại 08 ấp.<tabs>Phòng Kinh tế", then "<tabs>phối hợp: …": a column set by tab stops at the right of the
    text, the item's assignment -> (the words before the tabs, the column as a line of its own)."""
    if (m := _TAB_COLUMN.match(raw)) is None:
        return None
    right = strip_markup(m["right"]).strip()
    return m["left"], Para(i, i, right if ":" in right[:40] or not looks_like_agency(right) else f"Chủ trì: {right}")


# "A. MỤC TIÊU", "B. NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU", "C. TỔ CHỨC THỰC HIỆN": parts above the roman sections
_PART = re.compile(r"^(?P<m>[A-H])\s*[.\-–)]\s*(?P<t>\w.{3,})$")


def classify(p: Para) -> tuple[str, str | None, float, str]:
    """A paragraph's numbering (part, roman, num, letter, bullet, plus or plain), marker, depth and text."""
    return _classify_text(p.text)


# a checklist's box ("- [ ] 1.1. …", "- [x] …" done): the item's own number, if any, is its marker
_CHECKBOX = re.compile(r"^[-*+]\s+\[[ xX✓]\]\s+")


@lru_cache(maxsize=1 << 16)  # the same text is classified by the line pass, the block model and the outline
def _classify_text(t: str) -> tuple[str, str | None, float, str]:
    if t[:1] in "-*+" and (box := _CHECKBOX.match(t)):
        rest = t[box.end() :]
        got = _classify_text(rest)
        return got if got[0] != "plain" else ("bullet", "-", LEVEL_BULLET, rest)
    if (m := _PART.match(t)) and m["t"] == m["t"].upper():  # in capitals, as part headings are written
        return "part", m["m"], LEVEL_ROMAN - 1, m["t"]
    if m := _ROMAN.match(t):
        if t.upper() == t or len(t) < 120:
            return "roman", m["m"], LEVEL_ROMAN, m["t"]
    if m := _NUM_MULTI.match(t):
        return "num", m["m"], float(m["m"].count(".") + 1), m["t"]
    if m := _NUM_ONE.match(t):
        return "num", m["m"], 1.0, m["t"]
    if t[:1] in "NLC" and (m := _LABELLED_NUM.match(t)):
        return "num", m["m"], 1.0, m["t"]  # "Nội dung 1. Nâng cao mức độ tham gia …" over "1.1. …": a numbered part
    if m := _LETTER.match(t):
        return "letter", m["m"], LEVEL_LETTER, m["t"]
    if t[:1] == "(" and (m := _NUM_PAREN.match(t)):
        return "num", m["m"], LEVEL_LETTER + 0.5, m["t"]  # "(1) Rà soát …" under "b) Nhiệm vụ, giải pháp:"
    if m := _BULLET.match(t):
        if m["m"] == "+":
            return "plus", "+", LEVEL_PLUS, m["t"]
        return "bullet", "-", LEVEL_BULLET, m["t"]
    return "plain", None, -1, t


# the plan's closing words ("Trên đây là Kế hoạch …", "Trong quá trình thực hiện, nếu có khó khăn …"): never an item
_CLOSING_FORMULA = re.compile(r"(?i)^(?:trên đây là|trong quá trình (?:tổ chức )?(?:triển khai )?thực hiện)")


_DETAIL = re.compile(r"^[-–+•]\s*Nội dung\s*:\s*(?=\S)", re.IGNORECASE)


_APPENDIX_TITLE = re.compile(r"^[\W_]*PHỤ\s+LỤC(?:\s+(?:SỐ\s*)?(?:[IVX]{1,4}|\d{1,2}[a-z]?))?[\W_]*$")


_LETTER_MARK = re.compile(r"^\s*(?:[-–•]\s*)?(?:\(?[a-zđ]\)\s*)+(?=\S)")  # "b)", an OCR's "- a)" or "a) a)"


def _lettered_attribute(text: str, stack: list[Node]) -> bool:
    """A lettered field of a task record ("b) Cơ quan thực hiện:", "c) Thời gian thực hiện: Quý II/2026") after a
    lettered sibling ("a) Nhiệm vụ: …"): an attribute, not a task."""
    if not (m := _LETTER_MARK.match(text)):
        return False
    top = stack[-1]
    # after a lettered sibling ("a) Nhiệm vụ: …"), or first under a numbered item ("3. Rà soát …" over "a) Cơ quan
    # chủ trì: …; b) Cơ quan phối hợp: …"): the item's fields
    first_under_item = top.kind == "num" and not top.children
    if (
        not first_under_item
        and not any(n.kind == "letter" for n in stack[1:])
        and not (top.children and top.children[-1].kind == "letter")
    ):
        return False
    return is_attribute_line(text[m.end() :])


def _part_inside_roman(root: Node, stack: list[Node]) -> bool:
    """A lettered part ("A.", "B.") after a roman section in a text that put no part above its roman sections."""
    return len(stack) > 1 and stack[1].kind == "roman" and not any(c.kind == "part" for c in root.children)


def _attach_attribute(stack: list[Node], p: Para, lettered: bool) -> tuple[Node, str] | None:
    """ "- Cơ quan chủ trì: …", "Thời hạn: …": an attribute of the item above, never an item itself; a "+" point
    under a task does not own it, the task does. Returns (owner, key) when the label's values are the points below
    it ("- Thời gian thực hiện:" over "+ …")."""
    if lettered:
        # "b) Cơ quan thực hiện:", "c) Thời gian thực hiện: …" beside "a) Nhiệm vụ: …": fields of one task record,
        # so they belong to the heading over the lettered fields, for every task under "a)"
        while len(stack) > 2 and stack[-1].level >= LEVEL_LETTER:
            stack.pop()
    owner = stack[-1]
    if owner.kind == "plus" and owner.parent is not None and owner.parent.kind in ("bullet", "letter", "num", "lost"):
        owner = owner.parent
    if (
        owner.kind == "bullet"
        and owner.items
        and collapse_ws(owner.text).endswith(":")
        and owner.parent is not None
        and owner.parent.kind in ("num", "letter")
        and p.text.lstrip()[:1] == (owner.marker or "")[:1]
    ):
        # "- Các nội dung … bao gồm:" over "+" points, then "- Cơ quan thực hiện: …" at the same marker: a field of
        # the item above both, not of the lead-in beside it
        owner = owner.parent
    attrs, _ = parse_attributes(p.text.lstrip("-–+•*[( ").rstrip(")] "))  # "[Chủ trì: …; Thời gian: …]" too
    for k, v in attrs.items():
        owner.attrs[k] = f"{owner.attrs[k]}; {v}" if k in owner.attrs else v
    owner.line_end = max(owner.line_end, p.line_end)
    if (empty_key := empty_attribute(p.text.lstrip("-–+•* "))) is not None:
        return owner, empty_key
    return None


def _item_detail(top: Node, p: Para) -> bool:
    """A line that says more of the item above it, given to that item: "4. Rà soát văn bản …" over "- Nội dung: rà
    soát …" (what the task covers, not another task); "a) Tổ chức hội nghị …" over "→ Phòng Văn hóa - Xã hội chủ
    trì; phối hợp: …; thời gian: …" (its assignment line)."""
    if top.kind in ("num", "letter") and not top.children and _DETAIL.match(p.text) and not looks_like_agency(top.text):
        top.attrs["note"] = collapse_ws(_DETAIL.sub("", p.text))
    elif _ARROW.match(p.text) and (given := parse_assignment(_ARROW.sub("", p.text)))[0]:
        for k, v in given[0].items():
            top.attrs.setdefault(k, v)
    elif top.kind in ("num", "letter") and (roles := tagged_assignment(p.text)):
        for k, v in roles.items():
            top.attrs.setdefault(k, v)
    else:
        return False
    top.line_end = max(top.line_end, p.line_end)
    return True


def build_outline(paras: list[Para], findings: list[Finding]) -> Node:
    root = Node("root", None, -1, "", 0, 0)
    stack = [root]
    open_attr: tuple[Node, str] | None = None  # "- Thời gian thực hiện:" over "+" points: its values
    for idx, p in enumerate(paras):
        if _APPENDIX_TITLE.match(p.text):
            # "PHỤ LỤC": an appendix begins; whatever section was open before it has ended
            del stack[1:]
            open_attr = None
            continue
        if open_attr is not None and classify(p)[0] == "plus":
            owner, key = open_attr
            value = collapse_ws(classify(p)[3]).rstrip(" .;")
            owner.attrs[key] = f"{owner.attrs[key]}; {value}" if key in owner.attrs else value
            owner.line_end = max(owner.line_end, p.line_end)
            continue
        open_attr = None
        if len(stack) > 1 and _item_detail(stack[-1], p):
            continue
        lettered = _lettered_attribute(p.text, stack)
        if (lettered or is_attribute_line(p.text)) and len(stack) > 1:
            open_attr = _attach_attribute(stack, p, lettered)
            continue
        kind, marker, level, text = classify(p)
        if kind == "plain":
            top = stack[-1]
            nxt = classify(paras[idx + 1]) if idx + 1 < len(paras) else ("plain", None, -1, "")
            if _is_unmarked_heading(text, nxt) and top.kind != "root":
                # "Công khai danh sách hộ nghèo" over "- " items: a sub-heading that lost (or never had) its number
                _open_over_next(stack, "head", nxt, text, p)
            elif (depth := _unnumbered_group(text, nxt, stack)) is not None:
                # "Chỉ số thành phần: Tiếp cận đất đai" over its diagnosis, "Giải pháp:" over numbered items: groups
                # inside the section whose items may start again at 1
                _open_at(stack, depth, text, p)
            elif is_agency_label(text) and nxt[0] != "plain":
                # "Các sở, ban, ngành tỉnh và UBND các huyện, thành phố:" over a list
                _open_over_next(stack, "label", nxt, text, p)
            elif (
                top.kind in ("bullet", "plus", "lost")
                and not top.items
                and text[:1].isupper()
                and not _CLOSING_FORMULA.match(text)
            ):
                # a bullet whose "- " was lost in the export: a sibling, not a continuation
                stack.pop()
                node = Node("lost", None, top.level, text, p.line_start, p.line_end, parent=stack[-1])
                stack[-1].children.append(node)
                stack.append(node)
            else:
                top.intro.append(p)
            continue
        if kind == "part" and _part_inside_roman(root, stack):
            # "A. CÔNG TÁC CHỈ ĐẠO" under "III. DANH MỤC NHIỆM VỤ" in a text whose romans head no parts: a group of
            # the section, its items the section's
            kind, level = "head", LEVEL_ROMAN + 0.5
            while stack[-1].level >= level:
                stack.pop()
        elif kind in ("roman", "part"):
            stack = [root]  # a part stands beside the roman sections after it (task_sections reads it)
        else:
            while stack[-1].level >= level:
                stack.pop()
            if kind == "num" and marker is not None and "." in marker:
                _ensure_numeric_parent(stack, marker, p, findings)
        node = Node(kind, marker, level, text, p.line_start, p.line_end, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root


_ABOUT = re.compile(r"^Về\s+(?P<label>[^:;.]{3,80}):\s*\S")
_HEADING_WORDS = re.compile(r"(?i)^(chỉ số nội dung|chỉ số thành phần|nội dung thành phần|lĩnh vực|tiêu chí|chỉ số)\b")


def _open_over_next(stack: list[Node], kind: str, nxt: tuple, text: str, p: Para) -> None:
    """An unmarked line that heads the items after it: a node just above their level."""
    lvl = nxt[2] - 0.5
    while stack[-1].level >= lvl:
        stack.pop()
    node = Node(kind, None, lvl, text, p.line_start, p.line_end, parent=stack[-1])
    stack[-1].children.append(node)
    stack.append(node)


_GROUP_LABEL = re.compile(r"(?i)^(?:các\s+)?(?:giải pháp|nhiệm vụ|hoạt động)(?:\s+(?:cụ thể|chủ yếu|trọng tâm))?\s*:$")


def _unnumbered_group(text: str, nxt: tuple, stack: list[Node]) -> float | None:
    """The depth, under the section, of an unnumbered group heading: an index component's name over prose (0.5), a
    short "Giải pháp:" over numbered items (0.75); None for any other line."""
    t = text.strip()
    if len(stack) < 2 or len(t) > 160 or t.endswith((".", ";", ",")):
        return None
    if _HEADING_WORDS.match(t) and nxt[0] == "plain" and ":" in t:
        return 0.5
    if _GROUP_LABEL.match(t) and nxt[0] == "num":
        return 0.75
    return None


def _open_at(stack: list[Node], depth: float, text: str, p: Para) -> None:
    """A group heading `depth` below the section (roman or part) it stands in."""
    base = max((n.level for n in stack if n.kind in ("roman", "part", "root")), default=-1)
    lvl = base + depth
    while stack[-1].level >= lvl:
        stack.pop()
    node = Node("head", None, lvl, text, p.line_start, p.line_end, parent=stack[-1])
    stack[-1].children.append(node)
    stack.append(node)


def _is_unmarked_heading(text: str, nxt: tuple) -> bool:
    """A line with no marker and no closing punctuation directly over items, naming no agency: a short label over
    bullets, or a dimension / area heading ("Chỉ số nội dung 2: Công khai, minh bạch …") over any items."""
    t = text.strip()
    if not t[:1].isupper() or t.endswith((".", ";", ",")) or looks_like_agency(t) or is_attribute_line(t):
        return False
    if _HEADING_WORDS.match(t) and nxt[0] in ("bullet", "plus", "letter", "num") and len(t) < 200:
        return True
    return nxt[0] in ("bullet", "plus") and 0 < len(t.split()) <= 14 and not t.endswith(":")


def _ensure_numeric_parent(stack: list[Node], marker: str, p: Para, findings: list[Finding]) -> None:
    """ "2.1." under "1." means heading "2." was lost in the export: recreate it, empty."""
    parent_marker = marker.rsplit(".", 1)[0]
    top = stack[-1]
    if top.kind == "num" and top.marker == parent_marker:
        return
    lvl = float(parent_marker.count(".") + 1)
    while stack[-1].level >= lvl:
        stack.pop()
    holder = Node("num", parent_marker, lvl, "", p.line_start, p.line_start, parent=stack[-1], synthetic=True)
    stack[-1].children.append(holder)
    stack.append(holder)
    findings.append(
        Finding(
            "heading_missing",
            "warning",
            f"Item {marker} at line {p.line_start} has no heading {parent_marker}: the heading was lost in the export.",
            p.line_start,
            p.line_start,
        )
    )


_AND_TASKS = re.compile(
    r"(?i)^(?:ĐÁNH GIÁ|MỤC TIÊU|TÌNH HÌNH|THỰC TRẠNG)[^.:]{0,40}?(?:,|\bVÀ\b)\s*(?:NHIỆM VỤ|GIẢI PHÁP)"
)


def is_task_section_heading(text: str) -> bool | None:
    t = text.strip()
    if _NON_TASK_SECTION.match(t) and not _AND_TASKS.match(t):
        return False
    if _TASK_SECTION.search(t):
        return True
    return None


def _section_name(text: str) -> str:
    q = _QUOTED.findall(text)
    if q:
        return "; ".join(collapse_ws(x) for x in q)
    return collapse_ws(text).rstrip(" :;.")


_FAMILY_PCI = re.compile(r"\bPCI\b|năng lực cạnh tranh cấp tỉnh", re.IGNORECASE)
_FAMILY_SIPAS = re.compile(r"\bSIPAS\b")


@lru_cache(maxsize=1 << 14)  # every task asks again for each heading above it
def _family(text: str) -> str | None:
    found = [
        f
        for f, rx in (
            ("PAR_INDEX", _FAMILY_PAR),
            ("PAPI", _FAMILY_PAPI),
            ("PCI", _FAMILY_PCI),
            ("SIPAS", _FAMILY_SIPAS),
        )
        if rx.search(text)
    ]
    if len(found) == 2 and set(found) == {"PAR_INDEX", "SIPAS"}:
        return "PAR_INDEX"  # "PAR INDEX và SIPAS": the areas are PAR's, SIPAS is its impact criterion
    return found[0] if len(found) == 1 else None


def _is_family_heading(n: Node) -> bool:
    return _family(n.text) is not None and not _QUOTED.search(n.text) and len(n.text) < 160


def _is_section_like(n: Node) -> bool:
    return n.text.startswith("Đối với") or bool(_QUOTED.search(n.text))


def _ref_of(n: Node) -> str | None:
    if n.kind == "num":
        return n.marker
    if n.kind == "letter":
        p = n.parent
        while p is not None and p.kind not in ("num",):
            p = p.parent
        return f"{p.marker}.{n.marker}" if p is not None and p.marker else n.marker
    return None


@dataclass
class NarrativeSection:
    """A numbered section of the narrative, for aligning tables that lost their headings."""

    ref: str
    heading: str | None
    item_texts: list[str]
    line_start: int
    line_end: int


def _walk(n: Node) -> Iterator[Node]:
    """The node and every node under it, in the order of the text (a stack, not nested generators: each node is
    handed over once, whatever its depth)."""
    stack = [n]
    while stack:
        x = stack.pop()
        yield x
        stack.extend(reversed(x.children))


def _subtree_end(n: Node) -> int:
    end = max([n.line_end] + [p.line_end for p in n.intro])
    for c in n.children:
        end = max(end, _subtree_end(c))
    return end
