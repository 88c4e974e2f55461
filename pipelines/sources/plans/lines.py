"""Line-level helpers shared by every reader: markup stripping and repeated-block detection."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_EMPH = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*]))")
_TAG = re.compile(r"<[^>]+>")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+")


@lru_cache(maxsize=1 << 16)  # every reader strips the same lines again
def strip_markup(line: str) -> str:
    """Remove Markdown emphasis left by Word/PDF exports ("**X**", "*X*") and a Markdown heading's "## "."""
    if line.lstrip().startswith("#"):
        line = _ATX.sub("", line)
    if "*" not in line and "_" not in line:
        return line.strip()
    return _EMPH.sub("", line).strip()


def html_to_text(cell: str) -> str:
    """HTML fragment of a table cell -> text; list items become "- " lines."""
    if "<" not in cell and "&" not in cell:
        return cell
    s = re.sub(r"(?i)<\s*br\s*/?>", "\n", cell)
    s = re.sub(r"(?i)<\s*li[^>]*>", "\n- ", s)
    s = re.sub(r"(?i)</\s*(p|li|div|ul|ol|tr|h\d)\s*>", "\n", s)
    s = re.sub(r"(?i)<\s*(p|div|ul|ol)[^>]*>", "\n", s)
    s = _TAG.sub("", s)
    s = html.unescape(s)
    out = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in s.split("\n")]
    return "\n".join(ln for ln in out if ln)


# the last lines joined in lower case (several rules ask of the same lines), as one (lines, text) pair replaced
# whole, so a reader in another thread never sees the text of other lines
_LOWERED: list[tuple[tuple[str, ...], str]] = [((), "")]


def lowered_text(lines: list[str]) -> str:
    """The lines joined by newlines in lower case, worked out once for the same lines."""
    key = tuple(lines)  # the lines as they are now (a list changed in place is another text)
    entry = _LOWERED[0]
    if entry[0] != key:
        entry = (key, joined_text(lines).lower())
        _LOWERED[0] = entry
    return entry[1]


# the last lines joined as they are (several rules search the same lines), kept as _LOWERED is
_JOINED: list[tuple[tuple[str, ...], str]] = [((), "")]


def joined_text(lines: list[str]) -> str:
    """The lines joined by newlines, worked out once for the same lines."""
    key = tuple(lines)
    entry = _JOINED[0]
    if entry[0] != key:
        entry = (key, "\n".join(lines))
        _JOINED[0] = entry
    return entry[1]


def lines_containing(words: tuple[str, ...], lines: list[str]) -> list[int]:
    """0-based indices of the lines whose lower case contains one of `words` (lower case): the same as testing
    `w in line.lower()` line by line, but with str.find over the whole text, so rules that look at a few lines
    of a document skip the rest at C speed."""
    low = lowered_text(lines)
    if len(low) != sum(map(len, lines)) + len(lines) - 1:  # lower() changed a length (rare letters)
        return [i for i, ln in enumerate(lines) if any(w in ln.lower() for w in words)]
    hits: set[int] = set()
    for w in words:
        line, last, p = 0, 0, low.find(w)
        while p != -1:
            line += low.count("\n", last, p)  # positions only grow: each stretch is counted once
            hits.add(line)
            last = low.find("\n", p)
            if last == -1:
                break
            p = low.find(w, last + 1)
            last += 1
            line += 1
    return sorted(hits)


@dataclass(frozen=True)
class RepeatedBlock:
    first_start: int  # 1-based line numbers in the normalised text
    first_end: int
    repeat_start: int
    repeat_end: int
    n_lines: int


def find_repeated_blocks(lines: list[str], min_lines: int = 8, min_chars: int = 300) -> list[RepeatedBlock]:
    """Blocks of non-empty lines that appear verbatim earlier in the text (a header exported twice).

    Short table-cell runs repeat legitimately ("Trong năm 2020 |"), so a block must be long in
    lines and in characters before it counts.
    """
    seq = [(i + 1, t) for i, t in enumerate(map(str.strip, lines)) if t]  # (each line stripped once)
    texts = [t for _, t in seq]
    # a repeated block holds at least three long lines, each seen twice: without them there is none (most texts)
    counts = Counter(texts)  # (at C speed; then only the lines seen twice are looked at)
    twice = {t for t, c in counts.items() if c > 1}
    if sum(1 for t in twice if len(t) >= 40 and len(t.strip("| ")) >= 40) < 3:
        return []
    first_seen: dict[tuple[str, ...], int] = {}
    blocks: list[RepeatedBlock] = []
    k = 3
    keys = list(zip(texts, texts[1:], texts[2:]))  # each run of k lines, made once
    # a run can repeat only where its first line occurs twice in the text: the other places are passed over (the
    # run they open is never asked for again)
    after = 0  # the line after the last block found: the places inside it are not looked at
    for p in [p for p, t in enumerate(texts) if t in twice]:
        if p < after:
            continue
        if p + k > len(texts):
            break
        key = keys[p]
        q = first_seen.get(key)
        if q is not None and q + k <= p:
            m = 0
            while p + m < len(texts) and q + m < p and texts[q + m] == texts[p + m]:
                m += 1
            chars = sum(len(t.strip("| ")) for t in texts[p : p + m])
            long_lines = sum(1 for t in texts[p : p + m] if len(t.strip("| ")) >= 40)
            if m >= min_lines and chars >= min_chars and long_lines >= 3:
                blocks.append(RepeatedBlock(seq[q][0], seq[q + m - 1][0], seq[p][0], seq[p + m - 1][0], m))
                after = p + m
                continue
        first_seen.setdefault(key, p)
    return blocks


def mask_lines(lines: list[str], blocks: list[RepeatedBlock]) -> list[str]:
    """Blank the repeats so readers see each block once; line numbers are kept."""
    out = list(lines)
    for b in blocks:
        for n in range(b.repeat_start, b.repeat_end + 1):
            out[n - 1] = ""
    return out


# The closing of a state document (Decree 30/2020, form of a text): the signature ("KT. CHỦ TỊCH", "TM. ỦY BAN
# NHÂN DÂN" over the signer's title and name) and the list of recipients ("Nơi nhận:" then "- …;" lines). Neither
# ever assigns work, whatever the layout: their lines are left out of reading.
_RECIPIENTS = re.compile(r"^\W*Nơi nhận\s*:?", re.IGNORECASE)
_SIGNATURE_START = re.compile(r"[\s*|_#]*(?:KT|TM|TL|TUQ|Q)\s*\.")  # a cheap first look before the whole match
_SIGNATURE = re.compile(r"^(?:KT|TM|TL|TUQ|Q)\s*\.\s*[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ ,.\-]*$")
_RECIPIENT_LINE = re.compile(r"^(?:[-+•–*]|Lưu\b)|[;,.]\s*$|\((?:b/c|đ/b?c|t/h)\)", re.IGNORECASE)


# _SIGNATURE_START at the start of any line of the joined text (its white space kept inside the line): at the
# text's start, or after a newline (a pattern opening with the newline is looked for at C speed; "(?m)^" was tried
# at every character)
_SIGNATURE_AT_START = re.compile(r"(?:[^\S\n]|[*|_#])*(?:KT|TM|TL|TUQ|Q)[^\S\n]*\.")
_SIGNATURE_AFTER_NEWLINE = re.compile(r"\n(?:[^\S\n]|[*|_#])*(?:KT|TM|TL|TUQ|Q)[^\S\n]*\.")


def _closing_candidates(lines: list[str]) -> list[int]:
    """0-based lines that may open a recipients list or a signature, found over the joined text at C speed (most
    lines are neither); each is tested again line by line."""
    text = joined_text(lines)
    starts = [0] if _SIGNATURE_AT_START.match(text) else []
    starts += [m.start() + 1 for m in _SIGNATURE_AFTER_NEWLINE.finditer(text)]
    found = set(lines_containing(("nơi",), lines))
    line, last = 0, 0
    for p in starts:  # few: each line number counted over the stretch since the last one
        line += text.count("\n", last, p)
        found.add(line)
        last = p
    return sorted(found)


# a portal page's own parts around the document: links to other articles and the site's credit lines
_LINK_LINE = re.compile(r"(?m)^[ \t]*(?:[-*+•][ \t]*)?\[[^\]\n]{3,}\]\([^)\n]*\)[ \t]*$")  # a line that is a link
_RELATED = ("tin liên quan", "tin khác", "bài viết liên quan", "xem thêm")
_RELATED_LINE = re.compile(r"(?i)^[^\w\n]*(?:tin liên quan|tin khác|các tin khác|bài viết liên quan|xem thêm)[^\w\n]*$")
_CREDITS = ("cơ quan chủ quản", "ghi rõ nguồn", "bản quyền thuộc", "©")


def site_chrome_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the lines that are the portal's, not the document's: a line that is only a link, the
    "Tin liên quan" label over such links, the site's credit line ("Cơ quan chủ quản: …", "Ghi rõ nguồn …").
    Looked for in the lowered text, each pattern only where its words occur at all."""
    low = lowered_text(lines)
    out: set[int] = set()
    if "](" in low:
        out.update(i + 1 for i in _lines_matching(_LINK_LINE, lines, low))
    out.update(i + 1 for i in _lines_with(_RELATED, lines, _RELATED_LINE, low))
    out.update(i + 1 for i in _line_numbers(low, _CREDITS))
    return out


def _lines_with(words: tuple[str, ...], lines: list[str], rx: re.Pattern, text: str | None = None) -> list[int]:
    """0-based numbers of the lines that hold one of `words` and match `rx` as a whole line: the words found at C
    speed (a regex over the whole text costs a step per character), the few lines holding them tested. `text`: the
    lines joined (lowered, for lower-case words)."""
    text = joined_text(lines) if text is None else text
    return sorted(i for i in _line_numbers(text, words) if rx.match(lines[i]))


def _line_numbers(text: str, words: tuple[str, ...]) -> set[int]:
    """0-based numbers of the lines of `text` holding one of `words` (newlines counted once, in order)."""
    positions = []
    for w in words:
        pos = text.find(w)
        while pos >= 0:
            positions.append(pos)
            pos = text.find(w, pos + len(w))
    found: set[int] = set()
    n = last = 0
    for pos in sorted(positions):
        n += text.count("\n", last, pos)
        last = pos
        found.add(n)
    return found


def _lines_matching(rx: re.Pattern, lines: list[str], text: str | None = None) -> list[int]:
    """0-based numbers of the lines where `rx` (multi-line) matches, searched once over the joined text (or `text`,
    the same lines changed without changing their breaks)."""
    text = joined_text(lines) if text is None else text
    out: list[int] = []
    pos = n = 0
    for m in rx.finditer(text):
        n += text.count("\n", pos, m.start())
        pos = m.start()
        if not out or out[-1] != n:
            out.append(n)
    return out


# the closing formula that hands the whole document to everyone ("Yêu cầu Giám đốc các sở, … triển khai thực hiện
# nghiêm túc Chỉ thị này./."): no one's task, and no part of the item before it
_FORMULA_START = re.compile(r"(?m)^[^\w\n]*(?:Yêu cầu|Đề nghị)\s")
_FORMULA = re.compile(
    r"(?i)^\W*(?:yêu cầu|đề nghị)\s.{0,400}?(?:thực hiện|triển khai|thi hành)[^.;]{0,60}"
    r"(?:chỉ thị|kế hoạch|quyết định|công điện|thông báo|văn bản) này\W*$"
)


_ABOVE_START = re.compile(r"^[^\w\n]*Trên đây là\s")
_DIFFICULTIES_START = re.compile(r"^[^\w\n]*(?:\d{1,2}\.\s*)?Trong quá trình\s")
_DIFFICULTIES = re.compile(r"(?i)^\W*(?:\d{1,2}\.\s*)?trong quá trình[^.;]{0,80}?nếu có (?:khó khăn|vướng mắc)")


def closing_formula_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the lines of the document's closing formula (its paragraph, up to six lines)."""
    out: set[int] = set()
    low = lowered_text(lines)
    if "yêu cầu" not in low and "đề nghị" not in low and "trong quá trình" not in low and "trên đây" not in low:
        return out
    for i in _lines_with(("Trên đây",), lines, _ABOVE_START):
        # "Trên đây là Kế hoạch thực hiện … Trong quá trình … phản ánh về Sở Y tế …": what the text was, not work
        j, _ = next(reversed(list(_paragraph(lines, i, 10, whole=True))), (i, ""))
        out.update(range(i + 1, j + 2))
    for i in _lines_with(("Trong quá trình",), lines, _DIFFICULTIES_START):
        # "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, … phản ánh về Sở …": how to ask, not work
        j, text = next(reversed(list(_paragraph(lines, i, 8))), (i, ""))
        if _DIFFICULTIES.match(text):
            out.update(range(i + 1, j + 2))
    for i in _lines_with(("Yêu cầu", "Đề nghị"), lines, _FORMULA_START):
        for j, text in _paragraph(lines, i, 6):
            if _FORMULA.match(text):
                out.update(range(i + 1, j + 2))
                break
    return out


_NEW_ITEM = re.compile(r"^[\W_]*(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[IVX]{1,4}\.|[-–+•])\s")


def _paragraph(lines: list[str], i: int, limit: int, whole: bool = False) -> Iterator[tuple[int, str]]:
    """(0-based line, the paragraph's words up to it) for the paragraph opening at line i: it ends at a blank line,
    before a line that opens an item ("6. Sở …", "- …"), after a full stop (`whole`: only at the document's "./."),
    or after `limit` lines (a scrape without blank lines runs paragraphs together)."""
    text = ""
    for j in range(i, min(len(lines), i + limit)):
        t = strip_markup(lines[j]).strip()
        if not t or (j > i and _NEW_ITEM.match(t)):
            return
        text = f"{text} {t}".strip()
        yield j, text
        if text.endswith(("./.", "./.\u201d")) or not whole and text.endswith((".", ".\u201d")):
            return


# a signer who signs in person: the office alone in capitals over "(Đã ký)" or the name
_SIGNER_TITLE = re.compile(
    r"(?m)^[ \t*|_#]*(?:PHÓ[ \t]+)?(?:CHỦ TỊCH|GIÁM ĐỐC|BỘ TRƯỞNG|THỦ TƯỚNG|TRƯỞNG BAN|CHÁNH VĂN PHÒNG|CHÁNH THANH TRA)"
    r"[ \t*|_]*$"
)
_SIGNER_WORDS = ("CHỦ TỊCH", "GIÁM ĐỐC", "BỘ TRƯỞNG", "THỦ TƯỚNG", "TRƯỞNG BAN", "CHÁNH ")
_SIGNER_NAME = re.compile(r"^(?:\(Đã ký\)|[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,4})$")


def signer_lines(lines: list[str]) -> set[int]:
    """1-based numbers of a bare signer's title and what follows it up to the signature or name."""
    out: set[int] = set()
    for i in _lines_with(_SIGNER_WORDS, lines, _SIGNER_TITLE):
        nxt = [(j, strip_markup(lines[j]).strip(" |*")) for j in range(i + 1, min(i + 5, len(lines)))]
        hit = next((j for j, t in nxt if t and _SIGNER_NAME.match(t)), None)
        if hit is not None and all(not t for j, t in nxt if j < hit):
            out.update(range(i + 1, hit + 2))
    return out


def closing_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the lines of every recipients list and signature block (see above), of a signer who signs
    in person, and of the closing formula."""
    out: set[int] = closing_formula_lines(lines)  # its own first look: the words it opens with
    out |= signer_lines(lines)
    n = len(lines)
    todo = _closing_candidates(lines)
    c = 0
    i = 0
    while i < n:
        while c < len(todo) and todo[c] < i:
            c += 1
        if c == len(todo):
            break
        i = todo[c]
        c += 1
        raw = lines[i]
        if "Nơi" not in raw and "nơi" not in raw and "NƠI" not in raw and not _SIGNATURE_START.match(raw):
            i += 1  # neither a recipients heading nor "KT."/"TM." opening a signature: most lines
            continue
        t = strip_markup(raw).strip().strip("|").strip()
        if _RECIPIENTS.match(t):
            out.add(i + 1)
            j = i + 1
            while j < n:
                u = strip_markup(lines[j]).strip().strip("|").strip()
                if u and not (_RECIPIENT_LINE.search(u) and len(u) <= 120):
                    break
                out.add(j + 1)
                j += 1
            i = j
            continue
        if _SIGNATURE.match(t):
            out.add(i + 1)
            j, taken = i + 1, 0
            # the signer's title and name: short lines without a sentence, at most four
            while j < n and taken < 4:
                u = strip_markup(lines[j]).strip().strip("|").strip()
                if u and (len(u) > 60 or u[-1:] in ".;:" and not u.endswith("(Đã ký)")):
                    break
                out.add(j + 1)
                taken += bool(u)
                j += 1
            i = j
            continue
        i += 1
    return out


def never_work_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the lines no reader reads as work: recipients, signatures, the closing formula
    (closing_lines), the footnotes printed after the signature (footnote_lines) and the portal's own lines
    (site_chrome_lines)."""
    closing = closing_lines(lines)
    last = max(closing, default=0)
    while last - 1 in closing:  # the last block's first line: a signature may run on into the first mark
        last -= 1
    return closing | footnote_lines(lines, last) | site_chrome_lines(lines)


_FOOTNOTE = re.compile(r"^[^\w\n\[]*\[\d{1,3}\]")
_PART_AFTER = re.compile(r"^[\W_]*(?:PHỤ\s+LỤC|DANH\s+MỤC)\b|^\s*\|.*\|.*\|")


def footnote_lines(lines: list[str], after: int) -> set[int]:
    """1-based numbers of the footnotes after the signature ("[1] Chương trình số 30-CTr/TU …"): from the first
    footnote mark from line `after` on, while each paragraph opens with its mark."""
    if not after or not any("[" in ln for ln in lines[after - 1 :]):
        return set()
    start = next((k for k in range(after - 1, len(lines)) if _FOOTNOTE.match(lines[k])), None)
    if start is None:
        return set()
    out: set[int] = set()
    para_start = True
    for k in range(start, len(lines)):
        t = strip_markup(lines[k]).strip(" |*_")
        if not t:
            para_start = True
            continue
        if para_start and not _FOOTNOTE.match(lines[k]) or _PART_AFTER.match(lines[k]):
            break  # every paragraph of the notes opens with its mark: anything else is the document again
        out.add(k + 1)
        para_start = False
    return out
