"""Numeric targets and quoted index scores, read line by line from a plan's text.

Targets: "Từ 85% trở lên" (>= 85 percent), "Trên 90%" (> 90), "100% hồ sơ" (= 100), "đạt trên 6,00 điểm"
(> 6.00 points), "nhóm 20/63 tỉnh" (rank <= 20), "nhóm 16 địa phương dẫn đầu" (rank <= 16),
"tăng ít nhất 05 bậc" (rank improves by >= 5). "100% đơn vị đạt … trên 90%, trong đó ít nhất 70% đơn vị
đạt … trên 95%" is two targets on the share of units, the second paired with the first.

Quoted scores: "Chỉ số nội dung 2 “…”: tăng từ 5,75 điểm lên 5,93 điểm, xếp thứ 16/63" and
"Tổng điểm 6 chỉ số nội dung … năm 2017 là 35,88 (năm 2016 là 34,91) … thứ 39/63 (năm 2016 là 44/63)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.normalise.provinces import fold
from pipelines.sources.plans.lines import lines_containing


def _num(s: str) -> float:
    return float(s.replace(",", "."))


_FAMILY_WORDS = [
    (re.compile(r"par\s*index|chi so cai cach hanh chinh|chi so cchc\b"), "PAR.TOTAL"),
    (re.compile(r"\bpapi\b"), "PAPI.TOTAL"),
    (re.compile(r"\bpci\b|nang luc canh tranh cap tinh"), "PCI.TOTAL"),
    (re.compile(r"\bsipas\b|chi so hai long"), "SIPAS.TOTAL"),
]
_DIM = re.compile(r"chi so noi dung\s+(\d)")
_TARGET_VERB = re.compile(r"phan dau|phấn đấu|muc tieu|chi tieu|dua thanh pho vao|dua tinh vao")


@dataclass
class TargetHit:
    comparator: str
    value: float
    unit: str
    metric_text: str
    quote: str
    indicator_hint: str | None = None  # from the words of the line ("chỉ số PAPI", "Chỉ số nội dung 2")
    share_comparator: str | None = None
    share_value: float | None = None
    paired_with_index: int | None = None  # index of the target this one is paired with, in the same line
    year_hint: int | None = None


# "trở lên" (or more) is often mistyped "trả lên" / "trở nên"; comparators are also written as symbols (≥ 90%)
_OR_MORE = r"(?:trở|trả)\s+(?:lên|nên)"
_SYM = r"(?P<sym>≥|≤|>=|<=|=>|=<|>|<|=)"
# A match begins with a comparator word, a symbol or the number: the lookahead at the front lets the scan skip every
# other position at once instead of trying each optional word there (4x faster, same matches).
_PCT = re.compile(
    r"(?=[tíkdđ≥≤<>=\d])(?P<pre>từ\s+trên|từ|trên|ít nhất|tối thiểu|không quá|tối đa|dưới|đạt tỷ lệ|đạt|tới|đến|"
    + _OR_MORE
    + r")?\s*"
    + _SYM
    + r"?\s*(?P<v>\d{1,3}(?:[,.]\d+)?)\s*%(?P<post>[^%;.]{0,80}?"
    + _OR_MORE
    + r")?",
    re.IGNORECASE,
)
_PAIRED = re.compile(
    r"(?P<s1>\d{1,3})\s*%\s*(?P<noun>đơn vị|cơ quan)[^%]*?(?P<c1>từ\s+trên|trên|từ|ít nhất)?\s*(?P<v1>\d{1,3})\s*%"
    r"\s*,?\s*trong đó\s*(?P<sc2>ít nhất|tối thiểu)?\s*(?P<s2>\d{1,3})\s*%[^%]*?(?P<c2>từ\s+trên|trên|từ|ít nhất)?\s*(?P<v2>\d{1,3})\s*%",
    re.IGNORECASE,
)
_POINTS = re.compile(
    r"(?:(?:đạt|lên)\s+|(?=không))(?P<pre>trên|từ|ít nhất|tối thiểu|không dưới|không thấp hơn)?\s*"
    + _SYM
    + r"?\s*(?P<v>\d{1,2}(?:[,.]\d+)?)\s*điểm"
    r"(?P<post>\s*" + _OR_MORE + r")?",
    re.IGNORECASE,
)
_RANK_GROUP = re.compile(r"nhóm\s+(?P<v>\d+)\s*/\s*(?P<n>\d+)")
_RANK_LEAD = re.compile(
    r"(?:nhóm|trong|top)\s+(?P<v>\d+)\s+(?:địa phương|tỉnh|đơn vị|quận|huyện)[^.;]{0,40}?"
    r"(?:dẫn đầu|đứng đầu|cao nhất|xếp hạng cao)",
    re.IGNORECASE,
)
_TOP = re.compile(r"\btop\s*(?P<v>\d{1,2})\b", re.IGNORECASE)
# counts: "ít nhất 1 lần/năm", "tối thiểu 02 tin, bài/tháng", "cung cấp 322 dịch vụ công", "tại 05 ấp", "tại 2-3 xã"
_COUNT_NOUNS = (
    r"lần|tin|bài|cuộc|đợt|hội nghị|hội thảo|hội chợ|sự kiện|chương trình|lớp|buổi|lượt|dịch vụ|thủ tục|"
    r"xã|phường|thị trấn|ấp|thôn|tổ dân phố|khu phố|khu dân cư|cơ quan|đơn vị|hồ sơ|mô hình|doanh nghiệp|"
    r"sáng kiến|văn bản|chuyên mục|camera|điểm|trường|trạm|ứng cử viên|người|ngày làm việc|ngày|sở|"
    r"huyện|cơ sở|phiếu"
)
_COUNT = re.compile(
    r"(?=[ctđxblíkqd\d≥≤<>=])(?P<verb>cung cấp|tổ chức|thực hiện|tại|có thêm|có|đạt|xây dựng|ban hành|thành lập|lắp đặt)?\s*"
    r"(?P<pre>ít nhất|tối thiểu|không quá|tối đa|không dưới|quá|trên|dưới)?\s*" + _SYM + r"?\s*"
    r"(?P<v>\d{1,3}(?:\.\d{3})+|\d{1,4})(?:\s*[-–]\s*(?P<v2>\d{1,4}))?\s+(?P<noun>"
    + _COUNT_NOUNS
    + r")\b(?!\s*/\s*\d)",
    re.IGNORECASE,
)
_RANK_UP = re.compile(r"tăng\s+(?P<pre>ít nhất|tối thiểu)?\s*(?P<v>\d+)\s*bậc")
_YEAR = re.compile(r"năm\s+(20\d\d)")

_SYMBOL = {"≥": ">=", ">=": ">=", "=>": ">=", "≤": "<=", "<=": "<=", "=<": "<=", ">": ">", "<": "<", "=": "="}
_CMP = {
    "quá": "<=",
    "không dưới": ">=",
    "không thấp hơn": ">=",
    "từ trên": ">",
    "trên": ">",
    "từ": ">=",
    "ít nhất": ">=",
    "tối thiểu": ">=",
    "không quá": "<=",
    "tối đa": "<=",
    "dưới": "<",
    "đạt tỷ lệ": ">=",
    "đạt": ">=",
    "tới": "=",
    "đến": "=",
}


def _cmp(pre: str | None, post: str | None, bare: str = "=", sym: str | None = None) -> str:
    if sym:
        return _SYMBOL[sym]
    p = (pre or "").lower().strip()
    if re.fullmatch(_OR_MORE, p):
        return ">="
    if post and p in ("", "từ", "đạt", "đạt tỷ lệ"):
        return ">="
    return _CMP.get(p, bare)


def _hints(k: str) -> list[str]:
    """Indicators the words of a line name; `k` is the line folded (provinces.fold)."""
    out = [code for rx, code in _FAMILY_WORDS if rx.search(k)]
    m = _DIM.search(k)
    if m:
        out.append(f"PAPI.D{m.group(1)}")
    return out


# every target form below needs one of these
_PAST = re.compile(r"(?:\bđã\b|năm qua|năm trước|vừa qua|kết quả)", re.IGNORECASE)


def _bracketed(line: str, pos: int) -> bool:
    return line.rfind("(", 0, pos) > line.rfind(")", 0, pos)


def _in_past_clause(line: str, quote: str) -> bool:
    """ "năm 2022 đã đạt 42,5 điểm", "(năm 2024 đạt 5,02 điểm)": a result already reached, not a target."""
    pos = line.find(quote)
    if pos < 0:
        return False
    if _bracketed(line, pos) and re.match(r"\s*năm\s+20\d\d\b", line[line.rfind("(", 0, pos) + 1 :]):
        return True  # a bracket that opens with a year states that year's result beside the target
    start = max(line.rfind(";", 0, pos), line.rfind(". ", 0, pos), line.rfind("(", 0, pos))
    # a year then "đã" in the same clause: "năm 2022 đã đạt …" ("thủ tục đã triển khai …: 50%" is still a target)
    return bool(re.search(r"(?:năm\s+20\d\d|năm trước|năm qua)[^;.]{0,40}?\bđã\b", line[start + 1 : pos + len(quote)]))


# a year a comparison is made against is a baseline, not the year of a target: "so với năm 2015" (compared with),
# "cao hơn năm 2015" / "thấp hơn" / "tốt hơn" (better than), "bằng năm 2015" (equal to)
# ("so với điểm năm 2017": a word may stand between)
_BASELINE_BEFORE_YEAR = re.compile(r"(?:so với|\bhơn|\bbằng)\s+(?:\w+\s+)?$", re.IGNORECASE)


def _is_baseline_year(text: str, m: re.Match) -> bool:
    before = text[max(0, m.start() - 16) : m.start()]
    return "so với" in before or bool(_BASELINE_BEFORE_YEAR.search(before))


def _year_for(line: str, quote: str, default: int | None) -> int | None:
    """The year a target is for: the nearest "năm 20xx" before its words in the same clause, unless that clause is
    in the past tense ("năm 2022 đã đạt 42,5 điểm"): then none, and the plan's year applies."""
    pos = line.find(quote)
    if pos < 0 or "năm" not in line:
        return default
    before = line[:pos]
    clause_start = max(before.rfind(";"), before.rfind(". "), before.rfind(","))
    clause = line[clause_start + 1 : pos + len(quote)]
    if _PAST.search(clause):
        return None
    ys = [m for m in _YEAR.finditer(before) if not _is_baseline_year(before, m)]
    if not ys:
        return default
    y = ys[-1]
    between = line[y.end() : pos]
    if _PAST.search(between):
        return None
    return int(y.group(1))


TARGET_WORDS = (
    "%",
    "điểm",
    "nhóm",
    "bậc",
    "top",
    "Top",
    "TOP",
    "dẫn đầu",
    "ít nhất",
    "tối thiểu",
    "cung cấp",
    "tại ",
    "tổ chức",
    "quá",
    "tối đa",
)


def find_targets(line: str) -> list[TargetHit]:
    """Every numeric target written on one line."""
    low = line.lower()
    if not any(w in low for w in TARGET_WORDS):
        return []
    if "<" in line:  # markup left in a cell ("<p>100% …"): its ">" is no comparator
        line = re.sub(r"<[^<>]{0,200}>", " ", line)
        low = line.lower()
    hits: list[TargetHit] = []
    taken: list[tuple[int, int]] = []
    folded = fold(line)
    hints = _hints(folded)
    per_hint: list[str | None] = [*hints] or [None]  # a rank target: one row per index the line names
    # a year compared against ("so với", "… hơn", "bằng") is a baseline, not the target year
    # a year in brackets is a baseline too: "lên trên 5,30 điểm (năm 2024 đạt 5,02 điểm)"
    years = (
        [
            int(m.group(1))
            for m in _YEAR.finditer(line)
            if not _is_baseline_year(line, m) and not _bracketed(line, m.start())
        ]
        if "năm" in line
        else []
    )
    year = years[0] if years else None
    # each pattern runs only on a line holding the words it needs (plain `in` tests, far cheaper than a scan), in
    # this order: a span one pattern took is not read again by the next
    _shares_and_percents(line, low, hits, taken)
    _points(line, low, folded, hits, taken)
    _ranks(line, low, per_hint, hits, taken)
    _counts(line, low, hits, taken)
    for m in _RANK_UP.finditer(line) if "bậc" in line else ():
        for hint in per_hint:
            hits.append(
                TargetHit(
                    _cmp(m["pre"], None, "="),
                    float(m["v"]),
                    "rank_change",
                    "rank places gained",
                    m.group(0),
                    indicator_hint=hint,
                )
            )
    return _kept_targets(hits, line, hints, year)


def _inside(m: re.Match, taken: list[tuple[int, int]]) -> bool:
    return any(a <= m.start("v") < b for a, b in taken)


def _shares_and_percents(line: str, low: str, hits: list[TargetHit], taken: list[tuple[int, int]]) -> None:
    """ "≥ 90% …, trong đó ≥ 50% …" (a target and its share), then every other percentage."""
    for m in _PAIRED.finditer(line) if "trong đó" in low else ():
        first = TargetHit(
            _cmp(m["c1"], None, ">="),
            _num(m["v1"]),
            "percent",
            line[: m.start()].strip(" :-") or m["noun"],
            m.group(0),
            share_comparator="=",
            share_value=_num(m["s1"]),
        )
        hits.append(first)
        hits.append(
            TargetHit(
                _cmp(m["c2"], None, ">="),
                _num(m["v2"]),
                "percent",
                first.metric_text,
                m.group(0),
                share_comparator=_cmp(m["sc2"], None, "="),
                share_value=_num(m["s2"]),
                paired_with_index=len(hits) - 1,
            )
        )
        taken.append(m.span())
    for m in _PCT.finditer(line) if "%" in line else ():
        if _inside(m, taken):
            continue
        hits.append(
            TargetHit(
                _cmp(m["pre"], m["post"], sym=m["sym"]),
                _num(m["v"]),
                "percent",
                line[: m.start()].strip(" :-|") or line.strip(" |"),
                m.group(0).strip(),
            )
        )


def _points(line: str, low: str, folded: str, hits: list[TargetHit], taken: list[tuple[int, int]]) -> None:
    if "điểm" not in low:
        return
    verb = bool(_TARGET_VERB.search(folded) or _TARGET_VERB.search(low))
    for m in _POINTS.finditer(line):
        if not (verb or m["pre"] or m["post"] or m["sym"]):
            continue  # "đạt 42,5 điểm" without a target verb or comparator is a result
        hits.append(
            TargetHit(_cmp(m["pre"], m["post"], ">=", m["sym"]), _num(m["v"]), "points", "score", m.group(0).strip())
        )
        taken.append(m.span())


def _ranks(
    line: str, low: str, per_hint: list[str | None], hits: list[TargetHit], taken: list[tuple[int, int]]
) -> None:
    """A rank in a group ("nhóm 10 tỉnh dẫn đầu"), among the leaders, or in the top N: one row per index named."""
    for m in _RANK_GROUP.finditer(line) if "nhóm" in line else ():
        for hint in per_hint:
            hits.append(TargetHit("<=", float(m["v"]), "rank", f"rank among {m['n']}", m.group(0), indicator_hint=hint))
    for m in _RANK_LEAD.finditer(line) if ("dẫn đầu" in low or "đứng đầu" in low or "cao nhất" in low) else ():
        if _inside(m, taken):
            continue
        taken.append(m.span())
        for hint in per_hint:
            hits.append(
                TargetHit(
                    "<=", float(m["v"]), "rank", "rank among the leading provinces", m.group(0), indicator_hint=hint
                )
            )
    for m in _TOP.finditer(line) if "top" in low else ():
        if _inside(m, taken):
            continue
        taken.append(m.span())
        for hint in per_hint:
            hits.append(TargetHit("<=", float(m["v"]), "rank", "rank (top N)", m.group(0), indicator_hint=hint))


def _counts(line: str, low: str, hits: list[TargetHit], taken: list[tuple[int, int]]) -> None:
    """ "ít nhất 03 buổi đối thoại", "tổ chức 2-3 hội nghị": a count with a comparator or a verb that sets it."""
    if not any(
        w in low for w in ("ít nhất", "tối thiểu", "cung cấp", "tại ", "tổ chức", "≥", "không dưới", "quá", "tối đa")
    ):
        return
    for m in _COUNT.finditer(line):
        if _inside(m, taken) or (m["noun"].lower() == "điểm" and not m["verb"]):
            continue
        if not (m["pre"] or m["sym"] or (m["verb"] or "").lower() in ("cung cấp", "tại", "có thêm", "tổ chức")):
            continue  # a bare count ("03 xã") is a description, not a target
        taken.append(m.span())
        # a range ("tại 2-3 xã") is at least its lower bound
        bare = ">=" if m["v2"] else "="
        hits.append(
            TargetHit(
                _cmp(m["pre"], None, bare, m["sym"]),
                float(m["v"].replace(".", "")),
                "count",
                m["noun"],
                m.group(0).strip(),
            )
        )


def _kept_targets(hits: list[TargetHit], line: str, hints: list[str], year: int | None) -> list[TargetHit]:
    """Without targets in a past clause, once per sentence (two patterns reading the same words), with the year
    and (when the line names one index) the indicator."""
    hits = [h for h in hits if not _in_past_clause(line, h.quote)]
    seen = set()
    for h in list(hits):
        k = (h.comparator, h.value, h.unit, h.indicator_hint, h.share_value, h.quote, h.metric_text)
        if k in seen:
            hits.remove(h)
        seen.add(k)
    for h in hits:
        h.year_hint = _year_for(line, h.quote, year)
        if h.indicator_hint is None and len(hints) == 1:
            h.indicator_hint = hints[0]
        if (hints or "hỉ số" in line) and h.unit not in ("rank", "rank_change"):  # a rank: one row per index named
            h.indicator_hint = _named_before(line, h.quote, hints) or h.indicator_hint
        elif "hỉ số" in line and (part := _named_before(line, h.quote, hints)) and not part.endswith(".TOTAL"):
            h.indicator_hint = part  # "…; Chỉ số nội dung Quản trị điện tử vào top 10": the rank of that component
    if any(h.unit in ("rank", "rank_change") for h in hits):
        seen_rank: set = set()
        for h in list(hits):  # a component's rank read once, not once per index the line names
            rk = (h.unit, h.quote, h.indicator_hint)
            if h.unit in ("rank", "rank_change") and rk in seen_rank:
                hits.remove(h)
            seen_rank.add(rk)
    return hits


_TOTALS = {"PAPI": "PAPI.TOTAL", "PAR_INDEX": "PAR.TOTAL", "PCI": "PCI.TOTAL", "SIPAS": "SIPAS.TOTAL"}


def target_indicator(h: TargetHit, line: str, near_code: str | None, indices: list[str]) -> str | None:
    """The indicator of a target: what its own words name; else, for a rank, the plan's one index; else its task's or
    section's; else, in a plan on one index, the component its own clause or label cell is about (a goal outside the
    sections, "… cung cấp 322 dịch vụ công trực tuyến toàn trình"; a targets table's row, "| Chỉ số thành phần Tính
    minh bạch (điểm) | 6,20 | Đạt từ 6,80 điểm |"); else, for a score in points, the plan's one index."""
    total = _TOTALS.get(indices[0]) if len(indices) == 1 else None
    code = h.indicator_hint or (total if h.unit in ("rank", "rank_change") else None) or near_code
    if code is None and len(indices) == 1:
        from pipelines.normalise.indicators import map_heading

        clause = next((c for c in re.split(r"[;.]", line) if h.quote in c), line)
        if "|" in clause:
            clause = next((c for c in clause.split("|") if re.search(r"[^\W\d_]{3}", c)), clause)
        code = map_heading(clause, indices[0]).code
    return code if code is not None or h.unit != "points" else total


_COMPONENT = re.compile(
    r"(?i)\bchỉ số\s+(?P<name>(?:(?!chỉ số)[^;.:%\d]){4,80}?)\s+(?:của (?:tỉnh|thành phố)\s+)?(?:năm \d{4}\s+)?(?:phấn đấu\s+)?"
    r"(?:đạt|lên|không thấp hơn|không dưới|vào|thuộc|nằm trong|xếp)\b"
)


def _named_before(line: str, quote: str, hints: list[str]) -> str | None:
    """The index, or its component, that the target's own clause names last before the figure ("…; trong đó Chỉ số
    Chi phí thời gian đạt trên 7,2 điểm": PCI's time-cost component; "Chỉ số SIPAS … đạt từ 87%; Chỉ số PAR INDEX
    đạt từ 88%": each its own index). None when the clause names none."""
    pos = line.find(quote)
    if pos < 0:
        return None
    clause = re.split(r";|\btrong đó\b", line[:pos])[-1]
    if "|" in clause:  # a table row ("| 3 | Chỉ số thành phần Tính minh bạch (điểm) | 6,20 | Đạt từ …"): its label cell
        clause = next((c for c in reversed(clause.split("|")) if re.search(r"[^\W\d_]{3}", c)), clause)
    folded = fold(clause)
    family = max(((m.start(), code) for rx, code in _FAMILY_WORDS for m in rx.finditer(folded)), default=(-1, None))
    comps = list(_COMPONENT.finditer(clause + " đạt")) if "chỉ số" in clause.lower() else []
    if comps:
        from pipelines.normalise.indicators import map_heading  # the component names live with the indicators

        # the component's family: the index the clause names, else the one the line names
        total = family[1] or (hints[0] if len(hints) == 1 else None)
        fam = total.split(".")[0].replace("PAR", "PAR_INDEX") if total else None
        if fam is None and "nội dung" in comps[-1]["name"].lower():
            fam = "PAPI"  # "Chỉ số nội dung …" is PAPI's own word for its dimensions
        got = map_heading(f"Chỉ số {comps[-1]['name']}", fam)
        if got.code and comps[-1].start() >= family[0] - 8:
            return got.code
    return family[1]


# ---------------------------------------------------------------- quoted scores


@dataclass
class QuotedScore:
    indicator_code: str
    year: int
    score: float | None
    rank: int | None
    n_ranked: int | None
    quote: str
    claim: str | None = None  # "increase" when written "tăng từ A lên B"
    previous_score: float | None = None
    previous_year: int | None = None


_QUOTED_DIM = re.compile(
    r"chỉ số nội dung\s+(?P<d>\d)\s*[“\"][^”\"]*[”\"]\s*[:,]?\s*(?:(?P<verb>tăng|giảm)\s+từ\s+(?P<a>\d+[,.]\d+)\s*điểm\s+"
    r"(?:lên|xuống)\s+)?(?P<b>\d+[,.]\d+)\s*điểm(?:\s*,\s*xếp thứ\s+(?P<r>\d+)\s*/\s*(?P<n>\d+))?",
    re.IGNORECASE,
)
_QUOTED_TOTAL = re.compile(
    r"tổng điểm\s+(?P<k>\d+)\s+chỉ số nội dung.*?năm\s+(?P<y>20\d\d)\s+là\s+(?P<v>\d+[,.]\d+)"
    r"(?:\s*\(năm\s+(?P<py>20\d\d)\s+là\s+(?P<pv>\d+[,.]\d+)\))?",
    re.IGNORECASE,
)
_QUOTED_TOTAL_RANK = re.compile(
    r"(?:vị trí|xếp) thứ\s+(?P<r>\d+)\s*/\s*(?P<n>\d+)[^(]*(?:\(năm\s+(?P<py>20\d\d)\s+là\s+(?P<pr>\d+)\s*/\s*(?P<pn>\d+))?",
    re.IGNORECASE,
)
_BASELINE = re.compile(
    r"so với điểm năm\s+(?P<y>20\d\d)\s*\(tăng\s+(?P<inc>\d+[,.]\d+)\s*điểm\s+so với\s+(?P<v>\d+[,.]\d+)", re.IGNORECASE
)
_YEAR_CONTEXT = re.compile(r"(?:trong\s+)?năm\s+(?P<y>20\d\d).*?so với năm\s+(?P<py>20\d\d)", re.IGNORECASE)


@dataclass
class QuoteScan:
    year: int | None = None
    previous_year: int | None = None
    quotes: list[tuple[int, QuotedScore]] = field(default_factory=list)


def find_quoted_scores(lines: list[str], dimension_at_line) -> list[tuple[int, QuotedScore]]:
    """(line number, quoted score) for every score a plan states. `dimension_at_line(n)` gives the PAPI
    dimension a line belongs to (for baselines written as "so với 4,27 điểm" under a dimension's heading)."""
    scan = QuoteScan()
    m: re.Match[str] | None
    for i in lines_containing(("điểm", "năm"), lines):  # every pattern below needs one of these words
        no, line = i + 1, lines[i].strip()
        low = line.lower()
        has_points = "điểm" in low
        ctx = _YEAR_CONTEXT.search(line)
        if ctx and "chỉ số" in low:
            scan.year, scan.previous_year = int(ctx["y"]), int(ctx["py"])
        if not has_points:
            continue
        for m in _QUOTED_DIM.finditer(line):
            if scan.year is None:
                continue
            code = f"PAPI.D{m['d']}"
            q = QuotedScore(
                code,
                scan.year,
                _num(m["b"]),
                int(m["r"]) if m["r"] else None,
                int(m["n"]) if m["n"] else None,
                m.group(0),
                claim=("increase" if (m["verb"] or "").lower() == "tăng" else "decrease" if m["verb"] else None),
                previous_score=_num(m["a"]) if m["a"] else None,
                previous_year=scan.previous_year if m["a"] else None,
            )
            scan.quotes.append((no, q))
            if m["a"] and scan.previous_year:
                scan.quotes.append((no, QuotedScore(code, scan.previous_year, _num(m["a"]), None, None, m.group(0))))
        m = _QUOTED_TOTAL.search(line)
        if m:
            r = _QUOTED_TOTAL_RANK.search(line, m.end())
            scan.quotes.append(
                (
                    no,
                    QuotedScore(
                        "PAPI.TOTAL",
                        int(m["y"]),
                        _num(m["v"]),
                        int(r["r"]) if r else None,
                        int(r["n"]) if r else None,
                        line,
                        claim=f"sum_of_{m['k']}_dimensions",
                    ),
                )
            )
            if m["py"]:
                scan.quotes.append(
                    (
                        no,
                        QuotedScore(
                            "PAPI.TOTAL",
                            int(m["py"]),
                            _num(m["pv"]),
                            int(r["pr"]) if r and r["pr"] else None,
                            int(r["pn"]) if r and r["pn"] else None,
                            line,
                        ),
                    )
                )
        for m in _BASELINE.finditer(line):
            code = dimension_at_line(no)
            if code:
                scan.quotes.append((no, QuotedScore(code, int(m["y"]), _num(m["v"]), None, None, m.group(0))))
    return scan.quotes
