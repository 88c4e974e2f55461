"""Numbering checks over an outline: a letter or number skipped or written twice inside a list, a roman section
skipped or repeated (findings, never a stop)."""

from __future__ import annotations

from pipelines.model import Finding
from pipelines.sources.plans.readers.outline import VI_LETTERS, Node


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


# "ĐÁNH GIÁ VÀ GIẢI PHÁP THEO TỪNG CHỈ SỐ", "MỤC TIÊU, NHIỆM VỤ": a section of context that goes on with the work
