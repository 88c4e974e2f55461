"""Great Expectations Data Docs that read offline.

GX 1.x writes pages that load about 16 scripts and styles from CDNs (Bootstrap, jQuery, bootstrap-table, Font
Awesome, Vega) and fills its tables from JavaScript: opened without a network the index is blank. The package ships
only images, fonts and its own styles (static/), not those libraries. So each page is rewritten after GX writes it:

- every table GX fills with `$('#id').bootstrapTable({columns: [...], data: [...]})` is written out as plain HTML
  rows (the same cells, sorted as GX asked; a row GX links to gets a link in its first cell), and the script goes;
- `<script src>`, `<link href>` and `<img src>` pointing at http(s) are removed, or for GX's logo pointed at the
  copy under static/images/;
- Font Awesome icons (none without the font) become characters: ✔ success, ✖ failure, ? unknown, ⚠ warning;
- inline scripts that need jQuery are dropped (nothing would run them); a page that draws Vega charts gets Vega,
  Vega-Lite and Vega-Embed inlined from vl-convert-python's bundle (the report's own, offline);
- a short style sheet of its own replaces Bootstrap's look (tables, tabs shown one under the other).

Links to GX's documentation stay links: they load nothing when the page opens.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

REMOTE = re.compile(r"""^(https?:)?//""", re.I)
_SCRIPT_SRC = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?(?P<url>[^"'\s>]+)[^>]*>\s*</script\s*>""", re.I)
_LINK = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?(?P<url>[^"'\s>]+)[^>]*/?>""", re.I)
_IMG = re.compile(r"""(<img\b[^>]*\bsrc\s*=\s*["']?)(?P<url>[^"'\s>]+)([^>]*>)""", re.I | re.S)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(?P<body>.*?)</script\s*>", re.I | re.S)
_TABLE_CALL = re.compile(r"""\$\(\s*['"]#(?P<id>[\w-]+)['"]\s*\)\s*\.bootstrapTable\(""")
_CLEAR_FILTERS = re.compile(r"<button\b[^>]*onclick=[\"']clearTableFilters\([^>]*>.*?</button\s*>", re.I | re.S)
_ICON = re.compile(r"""<i\s+class\s*=\s*["'](?P<cls>fa[srb]?\s[^"']*)["'][^>]*>\s*</i\s*>""", re.I)
_ICONS = [
    ("fa-check", "✔", "#28a745"),
    ("fa-times", "✖", "#dc3545"),
    ("fa-exclamation", "⚠", "#b8860b"),
    ("fa-question", "?", "#6c757d"),
]
OFFLINE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;max-width:1400px;
padding:0 16px 40px;color:#222}
table{border-collapse:collapse;margin:6px 0;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 6px;
vertical-align:top;text-align:left}th{background:#f3f3f3}.tab-pane,.collapse{display:block!important;opacity:1!important}
.cooltip .top{display:none}.text-success{color:#28a745}.text-danger{color:#dc3545}img{max-width:240px}
.ge-offline-note{background:#fff8e1;border:1px solid #e0c060;padding:6px 10px;font-size:.9em}
"""
NOTE = (
    '<p class="ge-offline-note">Offline copy: the tables are plain HTML; the filters and sorting of the online '
    "version need scripts from the internet and are left out.</p>"
)


def remote_assets(page: str) -> list[str]:
    """The http(s) scripts, style sheets and images a page would load when opened (links to follow are not loads)."""
    urls = [m["url"] for m in _SCRIPT_SRC.finditer(page)]
    urls += [m["url"] for m in _LINK.finditer(page)]
    urls += [m["url"] for m in _IMG.finditer(page)]
    return [u for u in urls if REMOTE.match(u)]


def _literal_end(text: str, start: int) -> int:
    """Index after the Python/JS literal (list or dict) opening at text[start], skipping brackets inside quotes."""
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated literal")


def _literal_after(text: str, key: str) -> object:
    m = re.search(rf"\b{key}\s*:\s*(?=[\[{{])", text)
    if m is None:
        return None
    end = _literal_end(text, m.end())
    return ast.literal_eval(text[m.end() : end])


def _options(call: str) -> dict:
    """The second argument of GX's Object.assign({columns, data, toolbar}, {options}): the last dict literal."""
    starts = [m.start() for m in re.finditer(r"\{\s*['\"]\w+['\"]\s*:", call)]
    for s in reversed(starts):
        try:
            value = ast.literal_eval(call[s : _literal_end(call, s)])
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict) and "field" not in value:
            return value
    return {}


def table_rows_html(columns: list[dict], data: list[dict], options: dict) -> str:
    """The rows bootstrap-table would have drawn, as HTML: a header of column titles, one row per datum (cells are
    GX's own HTML, as bootstrap-table inserts them), sorted by the table's sortName/sortOrder."""
    sort_name = options.get("sortName")
    if sort_name:
        col = next((c for c in columns if c.get("field") == sort_name), {})
        key = col.get("sortName", sort_name)
        data = sorted(
            data,
            key=lambda r: (r.get(key) is None, str(r.get(key)) if not isinstance(r.get(key), int | float) else r[key]),
            reverse=str(options.get("sortOrder", "asc")).lower() == "desc",
        )
    head = "".join(f"<th>{html.escape(str(c.get('title', c.get('field', ''))))}</th>" for c in columns)
    rows = []
    for r in data:
        cells = []
        for i, c in enumerate(columns):
            value = r.get(c.get("field"), "")
            cell = "" if value is None else str(value).strip()
            if i == 0 and r.get("_table_row_link_path") and "<a " not in cell:
                link = html.escape(str(r["_table_row_link_path"]), quote=True)
                text = r.get("_validation_success_text") or "open"
                cell = f'<a href="{link}">{cell} {html.escape(str(text))}</a>'
            cells.append(f"<td>{cell}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"


def _fill_tables(page: str) -> str:
    for m in list(_INLINE_SCRIPT.finditer(page))[::-1]:
        body = m["body"]
        call = _TABLE_CALL.search(body)
        if call is None:
            continue
        columns = _literal_after(body, "columns")
        data = _literal_after(body, "data")
        if not isinstance(columns, list) or not isinstance(data, list):
            continue
        rows = table_rows_html(columns, data, _options(body[call.end() :]))
        page = page[: m.start()] + page[m.end() :]
        table = re.compile(
            rf"""(<table\b[^>]*\bid\s*=\s*["']{re.escape(call["id"])}["'][^>]*>)(.*?)(</table\s*>)""", re.S
        )
        t = table.search(page)
        if t is not None:
            page = page[: t.end(1)] + rows + page[t.start(3) :]
    return page


def _icon(m: re.Match) -> str:
    cls = m["cls"]
    for key, char, colour in _ICONS:
        if key in cls:
            return f'<span style="color:{colour}" aria-hidden="true">{char}</span>'
    return ""


def offline_page(page: str, root: str, vega_bundle: str | None = None) -> str:
    """One Data Docs page rewritten to load nothing from the network; `root` is the relative path from the page
    to the site's folder ('' or '../../../')."""
    page = _fill_tables(page)
    page = _SCRIPT_SRC.sub(lambda m: "" if REMOTE.match(m["url"]) else m.group(0), page)
    page = _LINK.sub(lambda m: "" if REMOTE.match(m["url"]) else m.group(0), page)

    def img(m: re.Match) -> str:
        if not REMOTE.match(m["url"]):
            return m.group(0)
        name = m["url"].split("?")[0].rsplit("/", 1)[-1]
        if re.fullmatch(r"[\w.-]+\.(png|svg|gif|ico)", name):
            return f"{m.group(1)}{root}static/images/{name}{m.group(3)}"
        return ""

    page = _IMG.sub(img, page)
    page = _ICON.sub(_icon, page)
    page = _CLEAR_FILTERS.sub("", page)
    needs_vega = False

    def script(m: re.Match) -> str:
        nonlocal needs_vega
        body = m["body"]
        if re.search(r"\$\(|\bjQuery\b|bootstrapTable", body):
            return ""
        needs_vega = needs_vega or "vegaEmbed" in body
        return m.group(0)

    page = _INLINE_SCRIPT.sub(script, page)
    head = f"<style>{OFFLINE_CSS}</style>"
    if needs_vega and vega_bundle:
        head += "<script>" + re.sub(r"</(script)", r"<\\/\1", vega_bundle, flags=re.I) + "</script>"
    page = re.sub(r"</head\s*>", lambda _m: head + "</head>", page, count=1, flags=re.I)
    page = re.sub(r"(<body\b[^>]*>)", lambda b: b.group(1) + NOTE, page, count=1, flags=re.I)
    return page


def offline_site(site: Path) -> int:
    """Rewrite every page of a Data Docs site in place; returns how many pages were written."""
    bundle: str | None = None
    n = 0
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if "ge-offline-note" in text:  # rewritten before (GX rewrites only the pages of a new validation)
            continue
        if bundle is None and "vegaEmbed" in text:
            import vl_convert as vlc

            bundle = vlc.javascript_bundle()  # type: ignore[call-arg]  # no snippet: the whole bundle
        depth = len(path.relative_to(site).parts) - 1
        path.write_text(offline_page(text, "../" * depth, bundle), encoding="utf-8")
        n += 1
    return n
