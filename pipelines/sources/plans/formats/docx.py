"""Word .docx (python-docx, MIT): body paragraphs and tables in document order; headers and footers are not read.

Word's list numbering is resolved to what a reader sees ("1.", "1.2.", "a)", "II.", "- " for bullets), from the
paragraph's own numbering or its style's. Table cells merged across columns (gridSpan) or rows (vMerge) keep their
text in the first position and are blank in the others, as text exports leave them; the table readers fill them.
"""

from __future__ import annotations

import io
import zipfile

from pipelines.sources.plans.formats.document import Document, FormatError, LineBuilder

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _roman(n: int) -> str:
    out = ""
    for v, s in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= v:
            out, n = out + s, n - v
    return out


def _letter(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(97 + r) + s
    return s


def _fmt(n: int, kind: str) -> str:
    if kind == "lowerLetter":
        return _letter(n)
    if kind == "upperLetter":
        return _letter(n).upper()
    if kind == "lowerRoman":
        return _roman(n).lower()
    if kind == "upperRoman":
        return _roman(n)
    return str(n)


class Numbering:
    """Word list numbering: numId -> abstract levels (format, text, start), with counters per numId."""

    def __init__(self, doc):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for a in root.findall(f"{W}abstractNum"):
            lv = {}
            for lvl in a.findall(f"{W}lvl"):
                ilvl = int(lvl.get(f"{W}ilvl", "0"))
                fmt = lvl.find(f"{W}numFmt")
                text = lvl.find(f"{W}lvlText")
                start = lvl.find(f"{W}start")
                lv[ilvl] = (
                    fmt.get(f"{W}val") if fmt is not None else "decimal",
                    text.get(f"{W}val") if text is not None else "",
                    int(start.get(f"{W}val")) if start is not None else 1,
                )
            abstract[a.get(f"{W}abstractNumId")] = lv
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is not None and ref.get(f"{W}val") in abstract:
                self.levels[num.get(f"{W}numId")] = abstract[ref.get(f"{W}val")]

    def label(self, num_id: str, ilvl: int) -> str | None:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return None
        kind, text, start = levels[ilvl]
        if kind == "none":
            return None
        if kind == "bullet":
            return "-"
        c = self.counters.setdefault(num_id, {})
        c[ilvl] = c.get(ilvl, start - 1) + 1
        for deeper in [k for k in c if k > ilvl]:
            del c[deeper]
        out = text
        for k in range(ilvl, -1, -1):
            if f"%{k + 1}" in out:
                kk, _t, st = levels.get(k, ("decimal", "", 1))
                out = out.replace(f"%{k + 1}", _fmt(c.get(k, st), kk))
        return out.strip() or None


def _num_pr(p, styles_cache: dict) -> tuple[str, int] | None:
    ppr = p.find(f"{W}pPr")
    num = ppr.find(f"{W}numPr") if ppr is not None else None
    if num is not None:
        nid, lvl = num.find(f"{W}numId"), num.find(f"{W}ilvl")
        if nid is not None:
            return nid.get(f"{W}val"), int(lvl.get(f"{W}val")) if lvl is not None else 0
        return None
    style = ppr.find(f"{W}pStyle") if ppr is not None else None
    return styles_cache.get(style.get(f"{W}val")) if style is not None else None


def _style_numbering(doc) -> dict:
    """style id -> (numId, ilvl) from the style or the styles it is based on."""
    out: dict = {}
    try:
        styles = {s.style_id: s for s in doc.styles}
    except Exception:
        return out
    for sid, s in styles.items():
        cur, seen = s, set()
        while cur is not None and cur.style_id not in seen:
            seen.add(cur.style_id)
            ppr = cur.element.find(f"{W}pPr")
            num = ppr.find(f"{W}numPr") if ppr is not None else None
            if num is not None and num.find(f"{W}numId") is not None:
                lvl = num.find(f"{W}ilvl")
                out[sid] = (num.find(f"{W}numId").get(f"{W}val"), int(lvl.get(f"{W}val")) if lvl is not None else 0)
                break
            cur = getattr(cur, "base_style", None)
    return out


def _para_text(p) -> str:
    """Text of a w:p: runs, tabs as spaces, line breaks as new lines; deleted revisions and fields' codes skipped."""
    out = []
    for el in p.iter():
        tag = el.tag
        if tag == f"{W}t":
            out.append(el.text or "")
        elif tag == f"{W}tab":
            out.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
    return "".join(out)


def _numbered(p, numbering: Numbering | None, style_num: dict, empty_too: bool = False) -> str:
    """A paragraph's text with the number Word draws before it (list numbering is not in the text). Word draws it
    on an empty paragraph too: a table's STT cell is often only that."""
    text = _para_text(p)
    if numbering is None or (not text.strip() and not empty_too):
        return text
    np_ = _num_pr(p, style_num)
    label = numbering.label(*np_) if np_ else None
    return f"{label} {text.lstrip()}".rstrip() if label else text


def _cell_text(tc, numbering: Numbering | None = None, style_num: dict | None = None) -> str:
    # a numbered STT cell ("1.", "2." drawn by Word) keeps its number; a table nested in the cell is not its text
    paras = [p for p in tc.iter(f"{W}p") if not _inside_table(p, tc)]
    return "\n".join(_numbered(p, numbering, style_num or {}, empty_too=True) for p in paras).strip("\n")


def _inside_table(el, up_to) -> bool:
    """`el` sits in a table nested below `up_to` (a cell or a table)."""
    for a in el.iterancestors():
        if a is up_to:
            return False
        if a.tag == f"{W}tbl":
            return True
    return False


def _nested(tbl) -> list:
    """The tables nested in a table's cells, outer row by outer row: [(the row, [its nested tables])]."""
    out = []
    for tr in tbl.findall(f"{W}tr"):
        inner = [t for tc in tr.findall(f"{W}tc") for t in tc.iter(f"{W}tbl") if not _inside_table(t, tc)]
        out.append((tr, inner))
    return out


def _table_rows(tbl, numbering: Numbering | None = None, style_num: dict | None = None) -> list[list[str]]:
    rows: list[list[str]] = []
    for tr in tbl.findall(f"{W}tr"):
        row: list[str] = []
        for tc in tr.findall(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            span, cont = 1, False
            if pr is not None:
                gs = pr.find(f"{W}gridSpan")
                span = int(gs.get(f"{W}val", "1")) if gs is not None else 1
                vm = pr.find(f"{W}vMerge")
                cont = vm is not None and vm.get(f"{W}val", "continue") == "continue"
            row.append("" if cont else _cell_text(tc, numbering, style_num))
            row.extend([""] * (span - 1))
        rows.append(row)
    return rows


def read_docx(data: bytes, text_source: str = "native", fmt: str = "docx") -> Document:
    try:
        import docx
    except ImportError as e:  # pragma: no cover
        raise FormatError(f"python-docx is not installed: {e}") from e
    try:
        d = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise FormatError(f"corrupt .docx: not a valid zip archive ({e})") from e
    except KeyError as e:
        raise FormatError(f"corrupt .docx: missing part {e}") from e
    except Exception as e:
        raise FormatError(f"corrupt .docx: {type(e).__name__}: {e}") from e
    numbering = Numbering(d)
    style_num = _style_numbering(d)
    out = LineBuilder()
    n_par = n_tbl = 0
    for el in d.element.body.iterchildren():
        if el.tag == f"{W}p":
            n_par += 1
            text = _numbered(el, numbering, style_num)
            if not text.strip():
                continue
            out.add(text, f"paragraph {n_par}")
        elif el.tag == f"{W}tbl":
            n_tbl += 1
            rows = _nested(el)
            if not any(inner for _, inner in rows):
                out.table(_table_rows(el, numbering, style_num), f"table {n_tbl}")
                continue
            # tables nested in the cells (one outer row per dimension, its tasks in an inner table): each outer row
            # becomes a line of its own cells' words over its inner tables, as a heading over tables
            for r, (tr, inner) in enumerate(rows, start=1):
                words = [t for tc in tr.findall(f"{W}tc") if (t := _cell_text(tc, numbering, style_num).strip())]
                if words:
                    out.add(" – ".join(words), f"table {n_tbl} row {r}")
                for k, t in enumerate(inner, start=1):  # (a table nested deeper stays its cell's text)
                    out.table(_table_rows(t, numbering, style_num), f"table {n_tbl} row {r} table {k}")
        elif el.tag == f"{W}sdt":  # content control: its paragraphs in order
            for p in el.iter(f"{W}p"):
                n_par += 1
                out.add(_para_text(p), f"paragraph {n_par}")
    return out.document(fmt, "binary", text_source)
