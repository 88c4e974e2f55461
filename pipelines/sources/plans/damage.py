"""Damaged plan texts, recognised before the readers see them: truncation and doubled lines.

Plain functions over the decoded lines. Each returns findings (and, for doubled lines, the lines read once) so a
damaged plan is loaded with what it has and says what is wrong, instead of being published as complete or losing
tasks.
"""

from __future__ import annotations

import hashlib
import operator
import re
from functools import lru_cache

from pipelines.model import Finding
from pipelines.sources.plans.lines import lowered_text

NEAR_DUPLICATE_SHARE = 0.95  # two documents with at least this share of equal lines are one plan

# what a complete last line may end with: sentence and list punctuation, a closed table cell, quotes, brackets
_TERMINAL = set(".:;!?…)]}\"'”’»|*")
LONG_LINE = 80  # a last line this long is a sentence; signers' names and page footers are short


def truncation_findings(lines: list[str], cut_in_character: bool = False) -> list[Finding]:
    """A `truncated` finding when the text looks cut off at its end. Conservative (the four real plans, which end
    in a signer's name, web-page leftovers or a table cell, get none):

    - the bytes ended inside a multi-byte UTF-8 character (the decoder replaced it);
    - the last line ends inside an open table row: the lines before it are cells closed with "|", it is long and
      is not closed;
    - the last line ends mid-word: its last word is never a whole word anywhere in the text but begins a longer
      word that is ("Tăng cườn" where the text has "cường");
    - (a warning) the last line is a long sentence (LONG_LINE characters or more) ending in a letter or digit."""
    idx = _last_non_empty(lines, 4)
    if not idx:
        return []
    last_i = idx[-1]
    last = lines[last_i].rstrip()
    n = last_i + 1
    out: list[Finding] = []
    if cut_in_character:
        out.append(
            Finding(
                "truncated",
                "error",
                "The file ends inside a character (an incomplete UTF-8 or UTF-16 "
                "sequence): it was cut off; the partial character is replaced with U+FFFD and the rest "
                "is read.",
                n,
                n,
            )
        )
        return out
    if last[-1:] in _TERMINAL:
        return out
    before = [lines[i].rstrip() for i in idx[-4:-1]]
    if len(before) == 3 and all(b.endswith("|") for b in before) and len(last.strip()) >= 25:
        out.append(
            Finding(
                "truncated",
                "error",
                f"The file ends inside a table row (line {n} is an unclosed "
                f"cell: '…{last[-40:]}'): it was probably cut off; the last task may be incomplete.",
                n,
                n,
            )
        )
        return out
    m = re.search(r"([^\W\d_]+)$", last)
    if m:
        stem = re.escape(m.group(1).lower())
        text = _lowered_before(lines, last_i, m.start())
        # two C-speed scans instead of splitting the whole text into words (this runs on most documents)
        letter = r"[^\W\d_]"
        if not re.search(rf"(?<!{letter}){stem}(?!{letter})", text) and re.search(
            rf"(?<!{letter}){stem}{letter}", text
        ):
            out.append(
                Finding(
                    "truncated",
                    "error",
                    f"The file ends mid-word ('…{last[-40:]}'): it was probably "
                    "cut off; the last task may be incomplete.",
                    n,
                    n,
                )
            )
            return out
    if len(last.strip()) >= LONG_LINE and last[-1:].isalnum():
        # a paragraph, not a signer's name or a page footer, that stops without any punctuation
        out.append(
            Finding(
                "truncated",
                "warning",
                f"The file ends mid-sentence ('…{last[-40:]}', a {len(last.strip())}"
                "-character line without final punctuation): it was probably cut off.",
                n,
                n,
            )
        )
    return out


def _last_non_empty(lines: list[str], k: int) -> list[int]:
    """The indices of the last `k` non-empty lines, in order (found from the end: most texts end near there)."""
    idx: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            idx.insert(0, i)
            if len(idx) == k:
                break
    return idx


def _lowered_before(lines: list[str], i: int, col: int) -> str:
    """The text up to column `col` of line `i`, lowered: a prefix of the whole text lowered (worked out once for
    every rule) when lowering kept every length and lowered no capital sigma (its small form depends on what
    follows it)."""
    low = lowered_text(lines)
    if len(low) == sum(map(len, lines)) + len(lines) - 1 and "σ" not in low and "ς" not in low:
        return low[: sum(map(len, lines[:i])) + i + col]
    return "\n".join(lines[:i] + [lines[i][:col]]).lower()


def _pairs(lines: list[str], blank_too: bool) -> list[int]:
    """Indices of the second line of each pair of equal consecutive lines, pairs taken left to right."""
    pairs, i = [], 0
    while i < len(lines) - 1:
        if (blank_too or lines[i].strip()) and lines[i] == lines[i + 1]:
            pairs.append(i + 1)
            i += 2
        else:
            i += 1
    return pairs


def undouble_lines(lines: list[str], min_share: float = 0.6) -> tuple[list[str], list[Finding]]:
    """A text whose lines were each exported twice in a row ("A", "A", "B", "B"): the second of each pair is dropped,
    blank and tab-only lines included (a tab table's empty cells are lines too), so every reader sees the text once.
    Only when doubling is pervasive (pairs cover `min_share` of the non-empty lines): a table legitimately repeats
    a short cell ("|") on consecutive lines. Line numbers are then those of the text read once."""
    non_empty = sum(map(bool, map(str.strip, lines)))
    # equal neighbours, counted at C speed, bound the pairs from above: most texts have too few to look further
    if not non_empty or 2 * sum(map(operator.eq, lines, lines[1:])) < min_share * non_empty:
        return lines, []
    if 2 * len(_pairs(lines, blank_too=False)) < min_share * non_empty:
        return lines, []
    drop = set(_pairs(lines, blank_too=True))
    out = [ln for i, ln in enumerate(lines) if i not in drop]
    n_text = sum(1 for i in drop if lines[i].strip())
    return out, [
        Finding(
            "doubled_lines",
            "warning",
            f"{n_text} of {non_empty} non-empty lines appear twice in a row: the text was exported "
            f"with every line doubled; each is read once ({len(drop)} lines dropped, line numbers are "
            "those of the text read once).",
            1,
            len(out),
        )
    ]


def line_hashes(lines: list[str]) -> list[int]:
    """The document's distinct non-empty lines (white space collapsed) as signed 64-bit hashes, sorted: what two
    documents are compared on to find near-duplicates (one character changed, a line added)."""
    # distinct lines first: each is hashed once (headers, footers and blank lines repeat)
    texts = {
        # most lines are collapsed already: no space at either end, none doubled, no other white space (a tab or a
        # no-break space is not printable)
        ln if ln.isprintable() and "  " not in ln and ln[:1] != " " and ln[-1:] != " " else " ".join(ln.split())
        for ln in set(lines)
    }
    texts.discard("")
    return sorted(
        {
            _line_hash(s)
            for s in texts
            if "\ufffd" not in s  # a damaged line (a cut character) is not text to compare, nor length
        }
    )


@lru_cache(maxsize=1 << 16)  # headers, footers and a plan's stock sentences recur from document to document
def _line_hash(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big", signed=True)
