"""Web pages (.html/.htm) with lxml (BSD): the page's text blocks as lines, tables as pipe rows.

Navigation, headers, footers, scripts, styles and forms are dropped; `<main>` or `<article>` is read when the page
has one. Cells spanning rows or columns (rowspan/colspan) keep their text in the first position and are blank in the
others; `<br>` and block elements inside a cell are line breaks in it. List items keep a visible marker ("- " for
`<ul>`, "1." for `<ol>`) unless their text has one already.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from itertools import accumulate

from pipelines.sources.plans.decode import DecodeError, decode_bytes
from pipelines.sources.plans.formats.document import Document, FormatError, LineBuilder, TableSpan, cell_text, clean

# not <form>: ASP.NET portals wrap the whole page in one
_DROP = {
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "iframe",
    "button",
    "select",
    "input",
    "template",
    "svg",
    "head",
    "title",
    "meta",
    "link",
}
_BOILER = re.compile(
    r"(?i)(?:^|[\s_-])(menu|nav|navbar|navigation|breadcrumbs?|sidebar|footer|social|share|banner|"
    r"cookie|search|login)(?:$|[\s_-])"
)
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "center",
    "address",
    "figure",
    "figcaption",
    "hr",
    "caption",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_MARKED = re.compile(r"^(?:[-+•*–]|[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*\.|[IVX]{1,5}\.)\s")


def _decode(data: bytes) -> tuple[str, str]:
    m = _CHARSET.search(data[:4096])
    if m:
        try:
            enc = codecs.lookup(m.group(1).decode("ascii")).name  # utf-8, cp1258, utf-16-le ...
            if enc in ("utf-8", "cp1258"):
                return data.decode(enc).lstrip("\ufeff"), enc
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode_bytes(data)
    except DecodeError as e:
        raise FormatError(f"HTML page: {e}") from e


_NUMBER_LABEL = re.compile(
    r"^(?:nhiệm vụ|hoạt động|giải pháp|công việc)\s+(?P<n>\d{1,2}(?:\.\d{1,2})*)\b", re.IGNORECASE
)


def _task_article(el) -> list[str] | None:
    """An <article> holding one numbered task: its header numbers it ("Nhiệm vụ 1.1"), its paragraphs say the work,
    its footer gives the fields. -> ["1.1. the work", "the footer's fields"], or None for any other article."""
    header = next((c for c in el if isinstance(c.tag, str) and c.tag.lower() == "header"), None)
    if header is None or not (m := _NUMBER_LABEL.match(_inline_lines(header).strip())):
        return None
    body = [
        _inline_lines(c).replace("\n", " ")
        for c in el
        if isinstance(c.tag, str) and c.tag.lower() not in ("header", "footer") and _inline_lines(c).strip()
    ]
    footer = [_inline_lines(c).replace("\n", " ") for c in el if isinstance(c.tag, str) and c.tag.lower() == "footer"]
    if not body:
        return None
    fields = [re.sub(r"\s+·\s+", "; ", f).replace("**", "") for f in footer if f.strip()]
    return [f"{m['n']}. {' '.join(body)}", *fields]


def _in_article(el) -> bool:
    p = el.getparent()
    while p is not None and isinstance(p.tag, str):
        if p.tag.lower() == "article":
            return True
        p = p.getparent()
    return False


def _boilerplate(el) -> bool:
    if not isinstance(el.tag, str):
        return True  # comments, processing instructions
    tag = el.tag.lower()
    if tag in ("header", "footer") and _in_article(el):
        return False  # an article's own header and footer (a task's number, its body in charge, its deadline)
    if tag in _DROP:
        return True
    if (el.get("role") or "").lower() in ("navigation", "banner", "contentinfo", "search"):
        return True
    if (el.get("hidden") is not None) or "display:none" in (el.get("style") or "").replace(" ", "").lower():
        return True
    return bool(_BOILER.search(f"{el.get('id') or ''} {el.get('class') or ''}")) and tag not in (
        "body",
        "main",
        "article",
    )


# a whole item of a list of names: the bold text is all there is between two commas (or the cell's ends)
_NAMES_ITEM = re.compile(r"^[^;.:]{2,150}$")


def _item_around(b) -> str:
    """The bold element's text when it stands between commas or the cell's edges, else "" (a bold word in a
    sentence)."""
    before = (b.getprevious().tail if b.getprevious() is not None else b.getparent().text) or ""
    after = b.tail or ""
    if before.strip() and not before.rstrip().endswith((",", ";")):
        return ""
    if after.strip() and not after.lstrip().startswith((",", ";")):
        return ""
    if not before.strip() and not after.strip():
        return ""  # the whole cell in bold: a heading, not one body among others
    return (b.text or "").strip()


def _inline_lines(el) -> str:
    """Text of an element with `<br>` and block children as line breaks (inside a table cell or list item)."""
    parts: list[str] = []

    def walk(e):
        if _boilerplate(e) and e is not el:
            if e.tail:
                parts.append(e.tail)
            return
        tag = e.tag.lower() if isinstance(e.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag in _BLOCK and e is not el:
            parts.append("\n")
        bold = tag in ("b", "strong") and in_cell and e.text and _NAMES_ITEM.match(_item_around(e))
        if bold:
            parts.append("**")  # a body in bold among others in a cell: the one in charge (tables.bold_lead)
        if e.text and tag != "br":
            parts.append(e.text)
        for c in e:
            walk(c)
        if bold:
            parts.append("**")
        if tag in _BLOCK and e is not el:
            parts.append("\n")
        if e.tail and e is not el:
            parts.append(e.tail)

    in_cell = (
        isinstance(el.tag, str)
        and el.tag.lower() in ("td", "th")
        and len(el.findall(".//b") + el.findall(".//strong")) == 1
    )
    walk(el)
    return "\n".join(clean(x) for x in "".join(parts).split("\n") if clean(x))


def _table_rows(table) -> list[list[str]]:
    rows = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            try:
                rs = max(1, min(int(td.get("rowspan") or 1), 500))
                cs = max(1, min(int(td.get("colspan") or 1), 100))
            except ValueError:
                rs = cs = 1
            text = _inline_lines(td)
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text if dr == dc == 0 else ""
            c += cs
            width = max(width, c)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _table_like(el, tag: str) -> tuple[list[list[str]], str] | None:
    """The rows of an element that is a table: a <table>; rows of <div> cells laid out as a table by the page's style
    sheet (a CSS grid); a description list of "label | value" pairs ("Nhiệm vụ 1.1" / the task, "Đơn vị chủ trì" /
    the body), a record the readers know as a small two-column table. None for any other element."""
    if tag == "table":
        return _table_rows(el), ""
    if tag == "div" and (grid := _div_grid_rows(el)):
        return grid, " (div grid)"
    if tag == "dl" and (pairs := _dl_rows(el)):
        return pairs, " (dl)"
    return None


def _kids(el) -> list:
    return [c for c in el if isinstance(c.tag, str)]


def _div_grid_rows(el) -> list[list[str]]:
    """The rows of a <div> whose children are rows of the same number (three or more) of cell <div>s, the first
    row the header: a table drawn by a style sheet. A cell that repeats its column's label before its value (a label
    the page shows on phones only) gives the value. [] for any other <div>."""
    rows = _kids(el)
    if len(rows) < 2 or any(r.tag.lower() != "div" for r in rows):
        return []
    width = len(_kids(rows[0]))
    if width < 3 or any(len(_kids(r)) != width for r in rows):
        return []
    header = [_inline_lines(c).strip() for c in _kids(rows[0])]
    if any(len(h) > 60 or not h for h in header):
        return []
    out = [header]
    for r in rows[1:]:
        cells = []
        for k, c in enumerate(_kids(r)):
            parts = _kids(c)
            label = _inline_lines(parts[0]).strip() if len(parts) == 2 else None
            cells.append(_inline_lines(parts[1]) if label == header[k] else _inline_lines(c))
        out.append(cells)
    return out


def _dl_rows(dl) -> list[list[str]]:
    """The (term, description) rows of a <dl> whose children are <dt>/<dd> pairs; [] for any other shape."""
    rows: list[list[str]] = []
    for c in dl:
        if not isinstance(c.tag, str):
            continue
        t = c.tag.lower()
        if t == "dt":
            rows.append([_inline_lines(c), ""])
        elif t == "dd" and rows and not rows[-1][1]:
            rows[-1][1] = _inline_lines(c)
        else:
            return []
    return rows if len(rows) >= 2 and all(r[1] for r in rows) else []


def _owner_table(el):
    p = el.getparent()
    while p is not None and (not isinstance(p.tag, str) or p.tag.lower() != "table"):
        p = p.getparent()
    return p


def _add_table(out: LineBuilder, el, tag: str, found: tuple[list[list[str]], str], n: int) -> None:
    if tag == "table":  # its <caption> ("Bảng 2. Nhiệm vụ do Sở Tư pháp chủ trì") is the line above it
        for cap in el.findall("caption"):
            if t := _inline_lines(cap).strip():
                out.add(t, f"table {n} caption")
    out.table(found[0], f"table {n}{found[1]}")


def read_html(data: bytes) -> Document:
    try:
        import lxml.html
    except ImportError as e:  # pragma: no cover
        raise FormatError(f"lxml is not installed: {e}") from e
    text, encoding = _decode(data)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as e:
        raise FormatError(f"HTML page that cannot be parsed: {type(e).__name__}: {e}") from e
    tree = root.getroottree()
    body = next((b for b in (root.find(".//main"), root.find(".//article"), root.find("body")) if b is not None), root)
    out = LineBuilder()
    n_tbl = 0
    buf: list[str] = []
    buf_el = [body]

    def path(el) -> str:
        return tree.getpath(el).removeprefix("/html")

    def flush():
        s = "".join(buf)
        buf.clear()
        if s.strip():
            out.add(s, path(buf_el[0]))

    def walk(el, ol_counter=None):
        nonlocal n_tbl
        if _boilerplate(el):
            if el.tail:
                buf.append(el.tail)
            return
        tag = el.tag.lower()
        if (found := _table_like(el, tag)) is not None:
            flush()
            n_tbl += 1
            _add_table(out, el, tag, found, n_tbl)
        elif tag == "article" and (record := _task_article(el)) is not None:
            # "<article><header>Nhiệm vụ 1.1 …</header><p>the work</p><footer>Chủ trì: … · Thời hạn: …</footer>": a
            # task written as a card, read as the numbered item it is with its fields on the line below
            flush()
            for line in record:
                out.add(line, path(el))
        elif tag == "li":
            flush()
            t = _inline_lines(el)
            if t:
                lines = t.split("\n")
                if ol_counter is not None:
                    ol_counter[0] += 1
                    mark = f"{ol_counter[0]}." if not _MARKED.match(lines[0] + " ") else ""
                else:
                    mark = "-" if not _MARKED.match(lines[0] + " ") else ""
                lines[0] = f"{mark} {lines[0]}".strip()
                out.add("\n".join(lines), path(el))
        elif tag == "br":
            flush()
            buf_el[0] = el.getparent()
        elif tag in _BLOCK:
            flush()
            buf_el[0] = el
            if el.text:
                buf.append(el.text)
            counter = [int(el.get("start") or 1) - 1] if tag == "ol" else None
            for c in el:
                walk(c, counter if tag == "ol" else None)
            flush()
            buf_el[0] = el.getparent() if el.getparent() is not None else el
        else:
            if el.text:
                buf.append(el.text)
            for c in el:
                walk(c)
        if el.tail:
            buf.append(el.tail)

    walk(body)
    flush()
    return out.document("html", encoding)


_MAX_TABLES = 500
_TABLE_BLOCK = re.compile(r"(?is)^[ \t]*<table\b.*?</table\s*>[ \t]*$", re.MULTILINE)


def html_tables_in_text(text: str) -> tuple[str, list[TableSpan]]:
    """Raw HTML tables inside a text or Markdown file (pandoc writes one where a pipe table cannot hold merged
    cells): each becomes pipe rows, read as an HTML page's table (rowspan and colspan kept), one row on the line of
    its "<tr>", the table's other lines blank, so every line keeps its number. A table written on one line, or
    beside other text on its first or last line, is left as it is."""
    if "<" not in text:
        return text, []  # no tag at all (most texts): the same answer as below without lowering the whole text
    low = text.lower()
    # a closing tag for each table, and not thousands: a file of unclosed "<table" lines would cost each a scan to
    # its end (the hostile-input bound); such a text is read as it stands
    if "<table" not in low or "</table" not in low or low.count("<table") > _MAX_TABLES:
        return text, []
    import lxml.html

    lines = text.split("\n")
    starts = list(accumulate((len(ln) + 1 for ln in lines), initial=0))
    spans: list[TableSpan] = []
    for m in _TABLE_BLOCK.finditer(text):
        first = bisect_right(starts, m.start())
        last = bisect_right(starts, m.end() - 1)
        try:
            table = lxml.html.fragment_fromstring(m.group(0).strip())
        except Exception:
            continue  # not a table lxml can read: the text stays as written
        trs = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
        at = [first + (tr.sourceline or 1) - 1 for tr in trs]
        kept = [(ln, [cell_text(c) for c in r]) for ln, r in zip(at, _table_rows(table)) if any(c.strip() for c in r)]
        lines_of = [ln for ln, _ in kept]
        if len(kept) < 2 or len(set(lines_of)) != len(lines_of) or not all(first <= ln <= last for ln in lines_of):
            continue
        width = max(len(r) for _, r in kept)
        rows = [r + [""] * (width - len(r)) for _, r in kept]
        for k in range(first, last + 1):
            lines[k - 1] = ""
        for ln, r in zip(lines_of, rows):
            lines[ln - 1] = "| " + " | ".join(r) + " |"
        spans.append(TableSpan(f"html table {len(spans) + 1}", lines_of[0], rows, lines_of))
    return "\n".join(lines), spans
