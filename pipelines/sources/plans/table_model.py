"""The table model every layout becomes: cells with their lines, a header, and the role of each column
(number, task, lead, support, timeline, output, section …) read from the header's words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipelines.model import Finding
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import strip_markup

_REF = re.compile(r"^(?:[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*)\.?$")
_LETTER_START = re.compile(r"^(?P<m>[a-zđ])\)\s*(?P<t>\S.*)$", re.DOTALL)
_REF_LABEL = re.compile(r"^(stt|tt|số tt|số thứ tự|s\.tt|it|tt\.)$")  # the number column's label, typos included
_LETTER_REF = re.compile(r"^(?P<m>[a-zđ])[).]$")  # "a)" alone in the number column: a lettered sub-row

_TASK_HEADER = re.compile(r"nhiệm vụ|giải pháp|công việc|hoạt động")
# a header that names only the bodies, no role ("Cơ quan, đơn vị"): beside a column of work, who does it; beside a
# column of figures, what is ranked
BODIES_ONLY = re.compile(
    r"^(?:các\s+)?(?:cơ quan|đơn vị|địa phương)(?:\s*(?:,|và|/)\s*(?:cơ quan|đơn vị|địa phương))*$"
)
_ROLE_RULES: list[tuple[str, re.Pattern]] = [
    # "Mã nhiệm vụ", "Mã số": the code a row is known by, also in another table that gives more of its fields
    ("ref", re.compile(r"^(stt|tt|số tt|số thứ tự|s\.tt|it|tt\.|mã|mã số|mã nhiệm vụ|mã nv|nhiệm vụ số|số nhiệm vụ)$")),
    ("subsection", re.compile(r"thành phần")),
    # "Cơ quan tham mưu": the body that prepares the work for the committee's signature is its lead
    ("lead", re.compile(r"chủ trì|chịu trách nhiệm|đơn vị thực hiện|cơ quan thực hiện|phân công|đầu mối|tham mưu")),
    # a column that names only the bodies ("Cơ quan, đơn vị", "Đơn vị", "Địa phương") beside the work: who does it
    ("lead", BODIES_ONLY),
    ("support", re.compile(r"phối hợp")),
    ("output", re.compile(r"sản phẩm|kết quả|hình thức văn bản|cần đạt|đạt được")),
    ("timeline", re.compile(r"thời gian|thời hạn|tiến độ|hoàn thành")),
    ("note", re.compile(r"ghi chú")),
    # "Thuộc nhóm nhiệm vụ, hành động", "Nhóm nhiệm vụ": the group a row belongs to, beside the column of the work
    ("section", re.compile(r"^(?:thuộc\s+)?nhóm\b")),
    ("task", _TASK_HEADER),
    ("section", re.compile(r"chỉ số|lĩnh vực|tiêu chí|nội dung")),
]


@dataclass
class Cell:
    text: str
    line_start: int
    line_end: int

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class RawTable:
    reader: str
    header: list[str]
    rows: list[list[Cell]]
    line_start: int
    line_end: int
    findings: list[Finding] = field(default_factory=list)


KEYED = "keyed_table"  # the reader name of a table that adds fields to tasks numbered in another table


def keyed_roles(header: list[str]) -> list[str | None] | None:
    """The roles of a table that gives more fields of tasks listed in another table, by their code ("Mã nhiệm vụ |
    Sản phẩm | Thời hạn hoàn thành"): a number column first, then only field columns (output, time, lead, support),
    no task column. None otherwise."""
    roles = [label_role(h) for h in header]
    if len(roles) < 2 or roles[0] != "ref" or not roles[1:]:
        return None
    if not all(r in ("output", "timeline", "lead", "support", "note") for r in roles[1:]):
        return None
    return roles


def header_roles(header: list[str]) -> list[str | None] | None:
    """Column roles from header text; None when this is not a task table."""
    roles = _header_roles(tuple(header))
    return None if roles is None else list(roles)


def label_role(label: str) -> str | None:
    """The role one header label names on its own ("Cơ quan chủ trì": lead), or None."""
    t = label_key(label)
    return next((name for name, rx in _ROLE_RULES if rx.search(t)), None)


def label_key(cell: str) -> str:
    """A header cell as its roles are read: markup and white space gone, lower case."""
    return _label_key(cell) if len(cell) < 200 else collapse_ws(strip_markup(cell)).lower()


@lru_cache(maxsize=1 << 14)  # a table's rows are tested against the same header labels again and again
def _label_key(cell: str) -> str:
    return collapse_ws(strip_markup(cell)).lower()


@lru_cache(maxsize=1 << 12)  # every row of a table asks whether it repeats the header: the same few headers
def _header_roles(header: tuple[str, ...]) -> tuple[str | None, ...] | None:
    roles: list[str | None] = []
    for h in header:
        t = label_key(h)
        role = None
        for name, rx in _ROLE_RULES:
            if rx.search(t) and name not in roles:
                role = name
                break
        roles.append(role)
    if "task" not in roles and "section" in roles:
        roles[roles.index("section")] = "task"  # a lone "Nội dung" column is the task
    if "task" not in roles and "lead" in roles:
        # "TT | Chỉ tiêu | Chủ trì": a table giving each target to its lead; the target is the work
        for i, h in enumerate(header):
            if roles[i] is None and re.match(r"(?:các\s+)?chỉ tiêu\b", collapse_ws(strip_markup(h)).lower()):
                roles[i] = "task"
                break
    if "task" not in roles or not ({"lead", "ref"} & set(roles)):
        return None
    return tuple(roles)


def merge_subheader(header: list[str], cells: list[str]) -> list[str] | None:
    """The second row of a two-row header (a spanning label over its sub-columns): only short labels, none in the
    task column, at least one naming a role. Each column takes its sub-label, else the label above."""
    roles = header_roles(header) or []
    if len(cells) < len(header) or "task" not in roles:
        return None
    # the task column's own sub-label only where the label above spans more ("Nội dung" over "Nội dung thành phần |
    # Nhiệm vụ, giải pháp"); a first row of data has words there
    task_sub = cells[roles.index("task")].strip()
    if task_sub and not (roles.index("task") + 1 < len(header) and not header[roles.index("task") + 1].strip()):
        return None
    labels = [collapse_ws(strip_markup(c)) for c in cells]
    if not any(labels) or any(len(c) > 40 or _FIGURE.match(c) for c in labels if c):
        return None
    named = [c for c in labels if c and any(rx.search(c.lower()) for _, rx in _ROLE_RULES)]
    if len(named) < sum(1 for c in labels if c):
        return None
    merged = [sub or top for top, sub in zip(header, labels)]
    return merged if header_roles(merged) is not None else None


def _is_header(cells: list[str]) -> bool:
    # header cells are short labels; a signature block or title that happens to contain
    # "nhiệm vụ" is not a header
    if any(len(c) > 80 or c.count("\n") > 2 for c in cells):
        return False
    roles = header_roles(cells)
    if roles is None:
        return False
    # two columns only when both are named: the body and the work given to it ("Cơ quan, đơn vị | Nhiệm vụ được giao")
    return sum(1 for c in cells if c.strip()) >= 3 or sorted(r for r in roles if r) == ["lead", "task"]


# shared by the layouts and the conversion
_FIGURE = re.compile(r"^[-+]?\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d+)?\s*%?$|^\d{1,3}\s*/\s*\d{1,3}$")

_ROMAN_REF = re.compile(r"^[IVX]{1,4}\.?$")

_GROUP_WORDS = re.compile(
    r"(?i)^(?:[IVX]{1,4}[.)]\s*|\d{1,2}(?:\.\d{1,2})*[.)]?\s*)?(?:(?:trong|về|đối với)\s+)?(?:nhóm\s+)?(?:chỉ số|chỉ tiêu|"
    r"nội dung thành phần|lĩnh vực|tiêu chí|phần\s|nhóm\s|cải cách|công tác chỉ đạo|"
    r"hiện đại hóa|hiện đại hoá|xây dựng và phát triển chính phủ|tác động)"
)

_AGENCY_WORDS = re.compile(
    r"(?i)^(?:các\s+)?(?:sở|ubnd|ủy ban|uỷ ban|phòng|ban|thanh tra|công an|văn phòng|trung tâm|"
    r"đài|cục|chi cục|bhxh|bảo hiểm|hội|đoàn|liên đoàn|mặt trận|mttq|kho bạc|tỉnh đoàn|"
    r"huyện đoàn|thành đoàn|công chức|bộ phận|cơ quan|đơn vị)\b"
)

_DATE_LIKE = re.compile(
    r"(?i)\b(năm\s+20\d\d|quý\s+[ivx1-4]+|tháng\s+\d|\d{1,2}/20\d\d|20\d\d|thường xuyên|hằng năm|hàng năm|"
    r"định kỳ|trước ngày|đến ngày|hàng quý|6 tháng|năm học|hằng tháng|hàng tháng)"
)
