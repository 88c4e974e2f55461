"""Content rules over a plan's whole text: a stated count against the list that goes with it.

Two forms are checked, both conservative so that an analyst can read every finding:
- "05 chỉ số tăng điểm (2, 3, 4, 5, 6)": the count against the list in the parentheses that follow;
- "trong 07 tiêu chí" / "cả 6 nội dung" / "Tổng điểm 6 chỉ số nội dung": a count of the whole, against the
  distinct quoted names ("tiêu chí “…”") in the section around it (from its numbered heading to the next
  heading of the same or a higher level).
"""

from __future__ import annotations

import re

from pipelines.model import Finding
from pipelines.normalise.textkey import match_key
from pipelines.sources.plans.lines import lines_containing, strip_markup

_WORD_NUMBERS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
_NOUNS = r"(tiêu chí|lĩnh vực|chỉ số nội dung|chỉ số thành phần|nội dung thành phần|nội dung|chỉ số)"
_NUMBER = r"(\d{1,2}|" + "|".join(_WORD_NUMBERS) + r")"
# a count of the whole: "trong 07 tiêu chí", "cả sáu nội dung", "gồm 8 lĩnh vực", "Tổng điểm 6 chỉ số"
_WHOLE = re.compile(r"\b(trong|cả|gồm|tổng điểm|tổng số)\s+" + _NUMBER + r"\s+" + _NOUNS + r"\b", re.IGNORECASE)
# a count with its list in parentheses: "05 chỉ số tăng điểm (2, 3, 4, 5, 6)"
_PAREN = re.compile(r"\b" + _NUMBER + r"\s+" + _NOUNS + r"((?:\s+[^\s(),;:]+){0,3})\s*\(([^()]{1,80})\)", re.IGNORECASE)
_QUOTED = re.compile(_NOUNS + r"(?:\s+\d{1,2})?\s*[“\"]([^”\"]{3,120})[”\"]", re.IGNORECASE)
_WHOLE_WORDS = ("trong ", "cả ", "gồm ", "tổng ")
_WHOLE_STEMS = ("trong", "cả", "gồm", "tổng")  # what every _WHOLE match holds, whatever space follows
_NOUN_WORDS = ("tiêu chí", "lĩnh vực", "chỉ số", "nội dung")
_HEADING = re.compile(r"^\s*(?:\*\*)?((?:[IVX]+)|(?:\d+(?:\.\d+)*))\.\s")


def _number(s: str) -> int:
    return int(s) if s.isdigit() else _WORD_NUMBERS[s.lower()]


def _level(marker: str) -> int:
    return 0 if re.fullmatch(r"[IVX]+", marker) else marker.count(".") + 1


def _section_bounds(lines: list[str], idx: int) -> tuple[int, int]:
    """0-based [start, end) of the numbered section holding line idx."""
    start, level = 0, -1
    for i in range(idx, -1, -1):
        m = _HEADING.match(strip_markup(lines[i])) if "." in lines[i] else None  # a heading's marker ends in "."
        if m:
            start, level = i, _level(m[1])
            break
    end = len(lines)
    for j in range(idx + 1, len(lines)):
        m = _HEADING.match(strip_markup(lines[j])) if "." in lines[j] else None
        if m and (level < 0 or _level(m[1]) <= level):
            end = j
            break
    return start, end


def _singular(noun: str) -> str:
    return "chỉ số" if noun.lower().startswith("chỉ số") else noun.lower()


def stated_count_findings(lines: list[str]) -> list[Finding]:
    out: list[Finding] = []
    # cheap filters: most lines name none of the nouns, or have neither a list nor a count of the whole
    for i in lines_containing(_NOUN_WORDS, lines):
        raw = lines[i]
        low = raw.lower()
        if not ("(" in raw or any(w in low for w in _WHOLE_WORDS)):
            continue
        text = strip_markup(raw)
        for m in _PAREN.finditer(text) if "(" in text else ():
            stated, items = _number(m[1]), [x for x in re.split(r"[,;]|\svà\s", m[4]) if x.strip()]
            # only a list of short items (numbers, letters, names) is a list of the counted things
            if len(items) >= 2 or stated == 1:
                if all(len(x.split()) <= 6 for x in items) and len(items) != stated:
                    out.append(
                        Finding(
                            "count_mismatch",
                            "warning",
                            f"Line {i + 1} says {m[1]} {m[2]} but lists {len(items)}: ({m[4].strip()}).",
                            i + 1,
                            i + 1,
                        )
                    )
        for m in _WHOLE.finditer(text) if any(w in low for w in _WHOLE_STEMS) else ():
            stated, noun = _number(m[2]), _singular(m[3])
            start, end = _section_bounds(lines, i)
            names: dict[str, tuple[int, str]] = {}
            for j in range(start, end):
                if "“" not in lines[j] and '"' not in lines[j]:
                    continue  # every quoted name opens with a quote mark
                for q in _QUOTED.finditer(strip_markup(lines[j])):
                    if _singular(q[1]) == noun:
                        names.setdefault(match_key(q[2]), (j + 1, q[2]))
            if names and len(names) != stated:
                last = max(ln for ln, _ in names.values())
                listed = "; ".join(f"“{n if len(n) <= 40 else n[:37] + '...'}” (line {ln})" for ln, n in names.values())
                out.append(
                    Finding(
                        "count_mismatch",
                        "warning",
                        f"Line {i + 1} speaks of {m[2]} {m[3]}, but section lines {start + 1}-{end} name "
                        f"{len(names)}: {listed}.",
                        i + 1,
                        max(i + 1, last),
                    )
                )
    return out
