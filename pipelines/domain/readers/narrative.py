"""Reader for narrative plans: headings, numbered items and bullets -> TaskRow.

The reader builds an outline (roman sections > numbered headings > lettered items > "-" bullets >
"+" sub-bullets), then decides what is a heading and what is a task from the shape of the outline,
not from anything specific to one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..agency_text import (
    agency_prefix,
    assignment_sentence,
    empty_attribute,
    is_agency_label,
    is_attribute_line,
    looks_like_agency,
    opening_partners,
    parse_attributes,
    split_lead,
    trailing_assignment,
)
from ..decode import collapse_ws
from ..lines import lines_containing, strip_markup
from ..model import Finding, TaskRow

_ROMAN = re.compile(r"^(?P<m>[IVX]{1,4})\s*[.\-–)]\s*(?P<t>\S.*)$")
_NUM_MULTI = re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<t>\S.*)$")
_NUM_ONE = re.compile(r"^(?P<m>\d{1,2})[.)]\s*(?P<t>[^\d\s].*)$")
_LETTER = re.compile(r"^(?P<m>[a-zđ])\)\s*(?P<t>\S.*)$")
_BULLET = re.compile(r"^(?P<m>[-–•+])\s*(?P<t>\S.*)$")
_DATE_CONT = re.compile(r"^\d+/\d")  # "15/3 ..." continues the line before
_QUOTED = re.compile(r"[“\"]([^”\"]{3,200})[”\"]")

VI_LETTERS = "abcdđeghiklmnopqrstuvxy"

LEVEL_ROMAN, LEVEL_LETTER, LEVEL_BULLET, LEVEL_PLUS = 0, 5, 6, 7

# Roman sections that hold the plan's tasks, and those that never do.
_TASK_SECTION = re.compile(r"NHIỆM VỤ|GIẢI PHÁP|NỘI DUNG|CÔNG VIỆC|HOẠT ĐỘNG", re.IGNORECASE)
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
_LABEL_START = re.compile(r"^[^:]{2,45}:\s*\S")  # "Chủ trì: …", "Thời gian thực hiện: …"


def hard_wrapped(lines: list[str]) -> bool:
    """A text whose paragraphs are wrapped over several lines and set apart by blank lines (a portal scrape, a
    text export with a fixed width): many lines go on in lower case straight after a line, and blank lines part
    the paragraphs. There a line without a marker that follows a line not ending a sentence continues it, even
    when it starts with a capital ("… do\nSở, ngành chủ trì …")."""
    st = [ln.strip() for ln in lines]
    # one cell per line between "|" lines is a table, not prose: its lines are not counted
    n_blank = n_text = 0
    for k, t in enumerate(st):
        if not t:
            n_blank += 1
        elif t != "|" and not (0 < k < len(st) - 1 and st[k - 1] == "|"):
            n_text += 1
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


def paragraphs(lines: list[str], skip: set[int] | None = None) -> list[Para]:
    """Non-empty lines, with continuation lines (page breaks mid-sentence) joined to the line before; in a
    hard-wrapped text (hard_wrapped), every line of a paragraph."""
    skip = skip or set()
    wrapped = hard_wrapped(lines)
    paras: list[Para] = []
    prev_raw = ""
    bold_open = False  # the paragraph so far opened a bold span ("**1. Đề nghị Ban …") it has not closed
    prev_end = ""  # the line before, markup stripped (what a wrap is judged on)
    for i, raw in enumerate(lines, start=1):
        if i in skip:
            prev_raw, prev_end, bold_open = "", "", False
            continue
        t = strip_markup(raw.replace("\t", " ") if "\t" in raw else raw).strip()
        lone_bullet = t in ("-", "–", "+", "•") and i < len(lines) and bool(lines[i].strip()) and "|" not in lines[i]
        if not t.strip("|-: ") and not lone_bullet:  # empty, or only table rules (a bullet whose words follow stays)
            prev_raw, prev_end, bold_open = "", "", False
            continue
        plain = _classify_text(t)[0] == "plain"
        starts_lower = t[0].islower() and not _LETTER.match(t)
        starts_cont = t[0] in ",;)" or bool(_DATE_CONT.match(t))
        wrap_cont = (
            wrapped
            and bool(prev_raw)
            # a sentence may end at a line's end inside a paragraph: blank lines part the paragraphs here
            and (not _SENTENCE_END.search(prev_end) or prev_end[-1:] == ".")
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
        if (
            last is not None
            and (starts_lower or starts_cont or wrap_cont or after_marker or in_bold)
            and not _BULLET.match(t)
        ):
            last.text += " " + t
            last.line_end = i
            bold_open ^= odd
        else:
            paras.append(Para(i, i, t))
            bold_open = odd
        prev_raw, prev_end = raw, strip_markup(raw)
    return paras


# "A. MỤC TIÊU", "B. NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU", "C. TỔ CHỨC THỰC HIỆN": parts above the roman sections
_PART = re.compile(r"^(?P<m>[A-H])\s*[.\-–)]\s*(?P<t>\w.{3,})$")


def classify(p: Para) -> tuple[str, str | None, float, str]:
    """A paragraph's numbering (part, roman, num, letter, bullet, plus or plain), marker, depth and text."""
    return _classify_text(p.text)


@lru_cache(maxsize=1 << 16)  # the same text is classified by the line pass, the block model and the outline
def _classify_text(t: str) -> tuple[str, str | None, float, str]:
    if (m := _PART.match(t)) and m["t"] == m["t"].upper():  # in capitals, as part headings are written
        return "part", m["m"], LEVEL_ROMAN - 1, m["t"]
    if m := _ROMAN.match(t):
        if t.upper() == t or len(t) < 120:
            return "roman", m["m"], LEVEL_ROMAN, m["t"]
    if m := _NUM_MULTI.match(t):
        return "num", m["m"], float(m["m"].count(".") + 1), m["t"]
    if m := _NUM_ONE.match(t):
        return "num", m["m"], 1.0, m["t"]
    if m := _LETTER.match(t):
        return "letter", m["m"], LEVEL_LETTER, m["t"]
    if m := _BULLET.match(t):
        if m["m"] == "+":
            return "plus", "+", LEVEL_PLUS, m["t"]
        return "bullet", "-", LEVEL_BULLET, m["t"]
    return "plain", None, -1, t


# the plan's closing words ("Trên đây là Kế hoạch …", "Trong quá trình thực hiện, nếu có khó khăn …"): never an item
_CLOSING_FORMULA = re.compile(r"(?i)^(?:trên đây là|trong quá trình (?:tổ chức )?(?:triển khai )?thực hiện)")


_DETAIL = re.compile(r"^[-–+•]\s*Nội dung\s*:\s*(?=\S)", re.IGNORECASE)


def build_outline(paras: list[Para], findings: list[Finding]) -> Node:
    root = Node("root", None, -1, "", 0, 0)
    stack = [root]
    open_attr: tuple[Node, str] | None = None  # "- Thời gian thực hiện:" over "+" points: its values
    for idx, p in enumerate(paras):
        if open_attr is not None and classify(p)[0] == "plus":
            owner, key = open_attr
            value = collapse_ws(classify(p)[3]).rstrip(" .;")
            owner.attrs[key] = f"{owner.attrs[key]}; {value}" if key in owner.attrs else value
            owner.line_end = max(owner.line_end, p.line_end)
            continue
        open_attr = None
        if (
            len(stack) > 1
            and stack[-1].kind in ("num", "letter")
            and not stack[-1].children
            and _DETAIL.match(p.text)
            and not looks_like_agency(stack[-1].text)
        ):
            # "4. Rà soát văn bản …" over "- Nội dung: rà soát …": what the task covers, not another task
            stack[-1].attrs["note"] = collapse_ws(_DETAIL.sub("", p.text))
            stack[-1].line_end = max(stack[-1].line_end, p.line_end)
            continue
        if is_attribute_line(p.text) and len(stack) > 1:
            # "- Cơ quan chủ trì: …", "Thời hạn: …": an attribute of the item above, never an item itself; a "+"
            # point under a task does not own it, the task does
            owner = stack[-1]
            if (
                owner.kind == "plus"
                and owner.parent is not None
                and owner.parent.kind in ("bullet", "letter", "num", "lost")
            ):
                owner = owner.parent
            attrs, _ = parse_attributes(p.text.lstrip("-–+•* "))
            for k, v in attrs.items():
                owner.attrs[k] = f"{owner.attrs[k]}; {v}" if k in owner.attrs else v
            owner.line_end = max(owner.line_end, p.line_end)
            if (empty_key := empty_attribute(p.text.lstrip("-–+•* "))) is not None:
                open_attr = (owner, empty_key)
            continue
        kind, marker, level, text = classify(p)
        if kind == "plain":
            top = stack[-1]
            nxt = classify(paras[idx + 1]) if idx + 1 < len(paras) else ("plain", None, -1, "")
            if _is_unmarked_heading(text, nxt) and top.kind != "root":
                # "Công khai danh sách hộ nghèo" over "- " items: a sub-heading that lost (or never had) its number
                _open_over_next(stack, "head", nxt, text, p)
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
        if kind in ("roman", "part"):
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


def _letter_index(m: str) -> int:
    return VI_LETTERS.index(m) if m in VI_LETTERS else -1


def check_numbering(node: Node, findings: list[Finding]) -> None:
    """Gaps and duplicates among sibling numbers and letters."""
    items = node.items
    for kind in ("letter", "num"):
        sibs = [c for c in items if c.kind == kind and c.marker]
        seen: dict[str, Node] = {}
        prev = None
        for c in sibs:
            key = (c.marker or "").rsplit(".", 1)[-1]
            if key in seen:
                findings.append(
                    Finding(
                        "numbering_duplicate",
                        "warning",
                        f"Marker {c.marker} is used twice: lines {seen[key].line_start} and {c.line_start}.",
                        c.line_start,
                        c.line_end,
                    )
                )
                if kind == "letter" and prev == key and _letter_index(key) + 1 < len(VI_LETTERS):
                    # "d) … d) … e)": the second d stands where đ belongs; e) after it skips nothing
                    prev = VI_LETTERS[_letter_index(key) + 1]
                    continue
            elif prev is not None:
                if kind == "letter":
                    # Vietnamese order: a b c d đ e g h … (Decree 30/2020/NĐ-CP); "d) e)" skips đ
                    gap = _letter_index(key) - _letter_index(prev)
                    if gap > 1:
                        findings.append(
                            Finding(
                                "letter_sequence_gap",
                                "warning",
                                f"Item {c.marker}) at line {c.line_start} follows {prev}): "
                                f"{', '.join(VI_LETTERS[_letter_index(prev) + 1 : _letter_index(key)])} skipped.",
                                c.line_start,
                                c.line_end,
                            )
                        )
                    elif gap <= 0:
                        findings.append(
                            Finding(
                                "letter_sequence_order",
                                "warning",
                                f"Item {c.marker}) at line {c.line_start} comes after {prev}): out of order.",
                                c.line_start,
                                c.line_end,
                            )
                        )
                    gap = 1
                else:
                    gap = int(key) - int(prev) if key.isdigit() and prev.isdigit() else 1
                if gap > 1:
                    findings.append(
                        Finding(
                            "numbering_gap",
                            "warning",
                            f"Marker {c.marker} at line {c.line_start} follows {prev}: {gap - 1} item(s) skipped.",
                            c.line_start,
                            c.line_end,
                        )
                    )
            seen.setdefault(key, c)
            prev = key
    for c in items:
        check_numbering(c, findings)


_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10}


def _roman(m: str) -> int:
    total = 0
    for a, b in zip(m, m[1:] + " "):
        v = _ROMAN_VALUE.get(a, 0)
        total += -v if _ROMAN_VALUE.get(b, 0) > v else v
    return total


def _check_roman_numbering(root: Node, findings: list[Finding]) -> None:
    """The roman sections: one used twice ("IV. KINH PHÍ" then "IV. PHÂN CÔNG NHIỆM VỤ") or one skipped (II, IV).
    A new "I." starts another part (an attached plan, an appendix): counted afresh."""
    prev = None
    for c in (x for x in root.children if x.kind == "roman" and x.marker):
        n = _roman(c.marker or "")
        if prev is not None and n != 1:
            if n == prev:
                findings.append(
                    Finding(
                        "numbering_duplicate",
                        "warning",
                        f"Section {c.marker} at line {c.line_start} repeats the number of the section before it.",
                        c.line_start,
                        c.line_start,
                    )
                )
            elif n > prev + 1:
                findings.append(
                    Finding(
                        "numbering_gap",
                        "warning",
                        f"Section {c.marker} at line {c.line_start} follows section {prev}: {n - prev - 1} skipped.",
                        c.line_start,
                        c.line_start,
                    )
                )
        prev = n


def is_task_section_heading(text: str) -> bool | None:
    t = text.strip()
    if _NON_TASK_SECTION.match(t):
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


def _walk(n: Node) -> list[Node]:
    """The node and every node under it, in the order of the text (a list: a recursive generator cost more than
    the rules that walk it)."""
    out: list[Node] = []
    stack = [n]
    while stack:
        x = stack.pop()
        out.append(x)
        stack.extend(reversed(x.children))
    return out


def _subtree_end(n: Node) -> int:
    end = max([n.line_end] + [p.line_end for p in n.intro])
    for c in n.children:
        end = max(end, _subtree_end(c))
    return end


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
            if rows := _agency_paragraphs(sec, []):
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


_RESPONSIBLE = re.compile(r"^(?P<who>\S.{2,}?)\s+(?:có|chịu)\s+trách nhiệm$", re.IGNORECASE)
# "1.5. Trách nhiệm của đối tượng thực hiện kiểm kê:", "Nhiệm vụ, quyền hạn của Sở Tài chính"
_DUTIES_OF = re.compile(
    r"^(?:trách nhiệm|nhiệm vụ)(?:\s*(?:,|và)\s*(?:trách nhiệm|nhiệm vụ|quyền hạn))?\s+của\s+(?P<who>\S.{2,})$",
    re.IGNORECASE,
)


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
    """ "mục I", "Mục VI" anywhere (also across a wrapped line): only lines holding "ục" are looked at, since a
    scan of the whole text cost 0.4 ms a document."""
    for k in lines_containing(("ục",), lines):  # "ục", "ỤC", "Ục", "ụC" in lower case
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


def _agency_heading(n: Node) -> str | None:
    """The agency a heading names when the items under it are that agency's work ("1. Sở Tư pháp", "Sở Tư pháp:",
    "3. Đề nghị Ủy ban MTTQ Việt Nam tỉnh"), else None."""
    if n.kind not in ("num", "letter", "label", "bullet") or n.synthetic:
        return None
    t = collapse_ws(n.text).strip(" :.")
    if len(t) <= 200 and ":" not in t and (m := _RESPONSIBLE.match(t)):
        return m["who"]  # "12. Các tổ chức, cá nhân khai thác nước dưới đất có trách nhiệm": whoever it names
    if len(t) <= 200 and ":" not in t and (m := _DUTIES_OF.match(t)) and n.items and not any(c.items for c in n.items):
        return m["who"]  # the duties of whoever it names, listed as points under it
    if len(t) > 200 or not looks_like_agency(t) or ":" in t:
        return None
    if not n.items and not n.intro and len(agency_prefix(t)[1].split()) >= 4:
        return None  # "- Hội đồng Thi đua - Khen thưởng các cấp phân công …": an item that opens with its agency
    return re.sub(r"^(?:Đề nghị|đề nghị|Giao|giao|Mời|mời)\s+", "", t)


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
            # the items were read as tasks already: they take the lead the heading names (unless they name their own)
            for c in n.items or _intro_nodes(n):
                if c.line_start in by_line:
                    old = tasks[by_line[c.line_start]]
                    old.lead_as_written = old.lead_as_written if has_agency_lead(old) else agency
            continue
        path = _path_to(n) + [n]
        rows = [_task_from(c, path, True) for c in n.items]
        if not rows:  # the heading over paragraphs: each is that agency's task
            for x in _intro_nodes(n):
                row = _task_from(x, path, False)
                row.task_ref = _ref_of(n)
                rows.append(row)
        for row in rows:
            row.lead_as_written = agency
            outside.append(row)
    one: dict[int, TaskRow] = {}
    for r in outside:
        one.setdefault(r.line_start, r)  # one row per item (its heading's, when it has one)
    return tasks, list(one.values())


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
    return rows


def _only_names_agencies(text: str) -> bool:
    """A heading that is nothing but an agency's name ("5. Sở Khoa học và Công nghệ:"), not an item that opens
    with one ("a) Chủ tịch UBND các xã tiếp công dân định kỳ")."""
    from ..agencies import resolve

    res = resolve(text, "lead")
    return bool(res.mentions) and not res.unknown


def _intro_nodes(n: Node) -> list[Node]:
    """The paragraphs under a heading before its first item, as nodes."""
    return [Node("plain", None, n.level + 1, p.text, p.line_start, p.line_end, parent=n) for p in n.intro]


def has_agency_lead(t: TaskRow) -> bool:
    return bool(t.lead_as_written) and looks_like_agency(t.lead_as_written or "")


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
        ) or _lists_its_objects(c)
        if items and not merge_children:
            _collect_tasks(c, path + [c], out, findings)
            continue
        if not items and (rows := _agency_paragraphs(c, path) or _assignment_sentences(c, path)):
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
_FIELD_LABEL = re.compile(
    r"^(?:Tên\s+)?(?:nhiệm vụ|nội dung(?:\s+(?:công việc|thực hiện|nhiệm vụ|hoạt động))?|công việc|hoạt động)"
    r"(?:\s+cụ thể)?\s*:\s*(?=\S)",
    re.IGNORECASE,
)
# a deadline closing the task's sentence: "…, hoàn thành trước ngày 31/3/2026", "…, thực hiện trong năm 2026"
_CLOSING_DEADLINE = re.compile(
    r"[,;]\s*(?:hoàn thành|thực hiện|triển khai)\s+(?P<when>(?:trước|trong|vào|chậm nhất|từ)\s[^,;]{3,60}?)\s*[.;]?$"
)
_INLINE_AGENCY = re.compile(r"^(?P<who>[^:;.]{3,160}):\s*(?P<work>\S.{10,})$")


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


def _task_from(n: Node, path: list[Node], merge_children: bool) -> TaskRow:
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
    sub = None
    if sec is not None and sec in content:
        rest = content[content.index(sec) + 1 :]
        sub = rest[0] if rest else None
    about = _ABOUT.match(n.text)  # "a) Về công khai danh sách hộ nghèo: niêm yết …": the item names its sub-topic
    text_parts = [n.text]
    line_end = n.line_end
    if merge_children:
        for c in n.items:
            text_parts.append(c.text)
            line_end = max(line_end, _subtree_end(c))
    text = _FIELD_LABEL.sub("", collapse_ws(" ".join(text_parts)))
    attrs = dict(n.attrs)
    for h in reversed(path):  # a heading's attribute lines hold for the items under it
        for k, v in h.attrs.items():
            attrs.setdefault(k, v)
    if not attrs:
        attrs, text = trailing_assignment(text)
    if not attrs and ("chủ trì" in text or "Chủ trì" in text):
        attrs, _ = assignment_sentence(text)  # the task keeps its words; the sentence also names who does it
    if (
        "timeline" not in attrs
        and ("hoàn thành" in text or "thực hiện" in text or "triển khai" in text)
        and (tm := _CLOSING_DEADLINE.search(text))
    ):
        attrs["timeline"] = tm["when"]  # "…, hoàn thành trước ngày 31/3/2026"
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
        if opened and (looks_like_agency(named) or named != m["who"].strip()):
            # "12. Đề nghị Công ty Điện lực tỉnh: Khẩn trương …": the agency, then its work
            lead, text = named, m["work"]
    if lead is not None and "lead" not in attrs and n.parent is not None and _LEADS_WITH.match(n.parent.text):
        # "b) Chủ trì, phối hợp" over "- Sở Tài chính và … tham mưu …": the agency whose heading is above leads,
        # the bodies each point opens with are its partners
        owner = next((a for h in reversed(path) if (a := _agency_heading(h))), None)
        if owner is not None:
            lead, support = owner, lead if support is None else f"{lead}; {support}"
    if "lead" in attrs:
        lead, support = attrs["lead"], attrs.get("support", support if lead is None else None)
    elif "support" in attrs:
        support = attrs["support"]
    if support is None and "support" not in attrs:
        support = opening_partners(text)
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
