"""The analyst report, Dagster-free: one self-contained HTML page per build (warehouse/report/index.html) with
Vega-Lite charts (made with altair) of the marts, and PNG renderings of the key charts for the Dagster UI.

The page opens on a province (the selector at the top): its words and tables (pipelines/report/province_view.py) and four
charts that follow the selector through the `tinh` / `ten_tinh` params, every title naming the province; the
country's charts come after. Values are printed where they answer the question (no hover needed), axes that show
differences do not start at 0, and every chart fits a 1024 px window.

The page opens offline: Vega, Vega-Lite and Vega-Embed come inlined from vl-convert-python's bundle, the data is
inlined in each chart's spec, there is no external font, style or script. Labels are Vietnamese. A missing score is
drawn as missing (a grey mark and the words "không có số liệu"), never as zero. The methodology breaks of PAPI are
drawn on every time axis (METHODOLOGY_BREAKS).

No map: no openly licensed boundary file of Viet Nam's provinces is published on PyPI or npm (world-atlas, from
Natural Earth, holds countries only); the page says so.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, cast

import polars as pl

from pipelines.report.charts import NATIONAL_CHARTS, PNG_CHARTS, PROVINCE_CHARTS, chart_specs, target_view
from pipelines.report.data import DEFAULT_PROVINCE, NO_MAP_NOTE, ReportData, load_report_data
from pipelines.report.json_stream import datasets_json_pieces, escape_for_script, python_json, rows_of
from pipelines.report.province_view import province_html, province_view
from pipelines.report.vi_text import reason_vi


@dataclass
class Report:
    path: Path
    charts: list[str]
    pngs: dict[str, bytes] = field(default_factory=dict)
    n_bytes: int = 0


# ---------------------------------------------------------------- charts


# ---------------------------------------------------------------- page

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;margin:0 auto;max-width:1200px;
padding:0 16px 40px;color:#222}
h1{font-size:1.6em;margin:.8em 0 .2em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
.meta,.note{color:#555;font-size:.9em}.chart{margin:10px 0 20px;overflow-x:auto}
table{border-collapse:collapse;font-size:.85em;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 6px;
vertical-align:top;text-align:left}th{background:#f3f3f3}.met{color:#1a9850}.not_met{color:#d73027}
.not_evaluable{color:#777}nav a{margin-right:12px}td{overflow-wrap:anywhere}
.picker{position:sticky;top:0;background:#fff;padding:8px 0;border-bottom:1px solid #ddd;z-index:2;font-size:1.05em}
.picker select{font-size:1em;padding:2px 4px}.summary{font-size:1.1em}h3{font-size:1.05em;margin:1.2em 0 .3em}
"""


def json_for_script(value) -> str:
    """JSON that stays data inside an inline <script>: every <, > and & (so no `</ScRiPt`, `<!--` or `]]>` in any
    letter case), and U+2028/U+2029 (line ends to older JavaScript), written as \\uXXXX escapes, which JSON reads
    back as the same characters."""
    return escape_for_script(python_json(value))


def _bundle_safe(js: str) -> str:
    """The Vega bundle (code, not data: its < cannot be escaped): only a closing tag, in any case, is broken."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(scripts: list[str]) -> str:
    """Nothing loads from anywhere, and only the page's own inline scripts run (by hash): an injected <script>, an
    onerror= handler or a javascript: link is refused by the browser even if escaping ever failed. Styles inline
    (Vega sets them on its SVG); images only as data: URIs (the PNG export)."""
    return _policy(" ".join(_sha256(s) for s in scripts))


def _policy(hashes: str) -> str:
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _targets_table(data: ReportData) -> str:
    head = (
        "<tr><th>Kế hoạch</th><th>Chỉ số</th><th>Năm</th><th>Chỉ tiêu (trích)</th><th>Mục tiêu</th>"
        "<th>Thực tế</th><th>Chênh lệch</th><th>Kết quả</th><th>Lý do</th></tr>"
    )
    rows = []

    def num(v):
        return "" if v is None else f"{v:.2f}".rstrip("0").rstrip(".")

    for r in target_view(data.targets).iter_rows(named=True):
        gap = "" if r["gap"] is None else f"{r['gap']:+.2f}"
        rows.append(
            f"<tr><td>{html.escape(r['plan_label'])}</td><td>{html.escape(r['indicator_code'])}</td>"
            f"<td>{r['year'] if r['year'] is not None else ''}</td><td>{html.escape(r['quote'] or '')}</td>"
            f"<td>{html.escape(r['comparator'])} {num(r['target_value'])} {html.escape(r['unit_vi'])}</td>"
            f"<td>{num(r['actual_value'])}</td><td>{gap}</td>"
            f"<td class='{html.escape(r['status'])}'>{html.escape(r['status_vi'])}</td>"
            f"<td>{html.escape(r['status_reason_vi'] if r['status_reason'] else '')}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _breaks_table(data: ReportData) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(y))}</td><td>{html.escape(c)}</td><td>{html.escape(w)}</td></tr>"
        for y, c, w in data.breaks
    )
    return f"<table><tr><th>Năm</th><th>Chỉ số</th><th>Thay đổi phương pháp</th></tr>{rows}</table>"


def _default_province(data: ReportData) -> tuple[str, str]:
    keys = data.provinces["province_key"].to_list()
    names = data.provinces["province_name"].to_list()
    if not keys:
        return "", ""
    key = DEFAULT_PROVINCE if DEFAULT_PROVINCE in keys else keys[0]
    return key, names[keys.index(key)]


def province_sections(data: ReportData) -> str:
    """The province selector and one section per province (all but the chosen one hidden): the words and tables
    that answer how the province did, each heading naming it."""
    key, _ = _default_province(data)
    options = "".join(
        f'<option value="{html.escape(k)}"{" selected" if k == key else ""}>{html.escape(n)}</option>'
        for k, n in data.provinces.select("province_key", "province_name").iter_rows()
    )
    views = "".join(
        province_html(
            province_view(data.scores, data.indicators, data.targets, k, n, reason_vi=reason_vi), hidden=k != key
        )
        for k, n in data.provinces.select("province_key", "province_name").iter_rows()
    )
    picker = (
        '<div class="picker"><label for="tinh">Tỉnh/thành: </label><select id="tinh">'
        f"{options}</select> <span class='note'>(mọi bảng và biểu đồ của phần tỉnh đi theo lựa chọn này)</span></div>"
    )
    return picker + views


def render_html(data: ReportData, specs: dict[str, dict], js_bundle: str) -> str:
    """The whole page as one string (write_page writes the same characters to a file in pieces)."""
    out = io.StringIO()
    write_page(out, data, specs, js_bundle)
    return out.getvalue()


def _main_script_pieces(specs: dict[str, dict]) -> Iterator[str]:
    """The page's main script: every dataset once (frames written in pieces), then the slim specs and the code."""
    datasets: dict[str, object] = {}
    slim = {}
    for chart, spec in specs.items():
        spec = dict(spec)
        own = spec.pop("datasets", {})
        datasets.update(own)
        follows = any(p.get("name") == "tinh" for p in spec.get("params", []))
        slim[chart] = {"spec": spec, "datasets": sorted(own), "province": follows}
    yield "\nconst DATASETS = "
    # one pass: a value of the data may be any text, a placeholder's name included
    yield from datasets_json_pieces(datasets)
    yield f";\nconst SPECS = {json_for_script(slim)};{_MAIN_SCRIPT}"


def write_page(out: TextIO, data: ReportData, specs: dict[str, dict], js_bundle: str) -> None:
    """The page into `out`, its main script (the data: 150 MB at 20,000 plans) never held whole: it is written to a
    temporary file while its hash (for the Content-Security-Policy in the head) is taken, then copied after the
    head. `specs`' datasets are polars frames or lists of rows. (write_page_file writes the same bytes to a file
    without the temporary copy.)"""
    bundle = _bundle_safe(js_bundle)
    digest = hashlib.sha256()
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as main:
        for piece in _main_script_pieces(specs):
            digest.update(piece.encode("utf-8"))
            main.write(piece)
        out.write(_page_head_and_body(data, _csp(bundle, _hash_source(digest)), bundle))
        main.seek(0)
        shutil.copyfileobj(main, out, 1 << 20)
    out.write(_PAGE_END)


def write_page_file(path: Path, data: ReportData, specs: dict[str, dict], js_bundle: str) -> None:
    """write_page into the file at `path`, in one pass: the head is written with a placeholder hash of the same
    length, the main script after it while its hash is taken, then the placeholder is overwritten in place."""
    bundle = _bundle_safe(js_bundle)
    placeholder = "'sha256-" + "A" * 43 + "='"
    head = _page_head_and_body(data, _csp(bundle, placeholder), bundle).encode("utf-8")
    at = head.index(placeholder.replace("'", "&#x27;").encode())
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        fh.write(head)
        for piece in _main_script_pieces(specs):
            raw = piece.encode("utf-8")
            digest.update(raw)
            fh.write(raw)
        fh.write(_PAGE_END.encode("utf-8"))
        fh.seek(at)
        fh.write(_hash_source(digest).replace("'", "&#x27;").encode())


_PAGE_END = "</script>\n</body></html>\n"


def _hash_source(digest) -> str:
    return "'sha256-" + base64.b64encode(digest.digest()).decode() + "'"


def _csp(bundle: str, main_hash: str) -> str:
    return html.escape(_policy(_sha256(bundle) + " " + main_hash))


def _page_head_and_body(data: ReportData, csp: str, bundle: str) -> str:
    """The page up to its main script's opening tag."""
    _, name = _default_province(data)
    nav = "".join(f'<a href="#{n}">{html.escape(t)}</a>' for n, (t, _) in NATIONAL_CHARTS.items())
    province_charts = "".join(
        f'<h3 id="{n}"><span class="ten-tinh">{html.escape(name)}</span>: {html.escape(t)}</h3>'
        f'<div class="chart" id="chart-{n}" data-chart="{n}"></div>'
        for n, (t, _) in PROVINCE_CHARTS.items()
    )
    sections = "".join(
        f'<h2 id="{n}">{html.escape(t)}</h2><div class="chart" id="chart-{n}" data-chart="{n}"></div>'
        + (f'<h3>Bảng chỉ tiêu</h3><div id="targets-table">{_targets_table(data)}</div>' if n == "targets" else "")
        for n, (t, _) in NATIONAL_CHARTS.items()
    )
    n_prov = data.scores.filter(pl.col("indicator_code") == "PAPI.TOTAL")
    latest = cast(int | None, n_prov["year"].max())  # a year column: an int, or None when empty
    missing = (
        n_prov.filter((pl.col("year") == latest) & pl.col("score").is_null())["province_name"].to_list()
        if latest is not None
        else []
    )
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Báo cáo quản trị cấp tỉnh: PAPI và kế hoạch</title><style>{_CSS}</style>
<script>{bundle}</script></head>
<body>
<h1>Báo cáo quản trị và hành chính công cấp tỉnh (PAPI) và các kế hoạch nâng cao chỉ số</h1>
{province_sections(data)}
{province_charts}
<h2 id="ca-nuoc">Cả nước</h2>
<p class="meta">Bản dựng (build): <code>{html.escape(data.build_id or "không rõ")}</code> · Nguồn: PAPI (CECODES, MTTQ
Việt Nam – VFF-CRT, UNDP Việt Nam), kế hoạch của UBND các cấp; các bảng mart trong <code>marts/</code>
(<code>datapackage.json</code>). Tỉnh thiếu số liệu năm {latest}: {html.escape(", ".join(missing) or "không có")} — luôn
được ghi là thiếu, không bao giờ tính là 0.</p>
<nav>{nav}<a href="#phuong-phap">Phương pháp</a></nav>
{sections}
<h2 id="phuong-phap">Các mốc thay đổi phương pháp (vẽ trên mọi trục thời gian)</h2>
{_breaks_table(data)}
<p class="note">So sánh điểm qua các mốc này (ví dụ 2018 so với 2024 đối với tổng điểm hoặc D5) cần thận trọng.</p>
<h2 id="ban-do">Bản đồ</h2><p class="note">{html.escape(NO_MAP_NOTE)}</p>
<script>"""


# The page's own script (its hash goes into the Content-Security-Policy). ast: Vega reads expressions with its
# interpreter instead of new Function, so the policy needs no 'unsafe-eval'. The province selector shows that
# province's section and sets `tinh` / `ten_tinh` in every chart that follows it (names set as text, never markup);
# #tinh=<key> in the address opens a province directly.
_MAIN_SCRIPT = """
window.__charts = {};
window.__chartErrors = [];
const picker = document.getElementById('tinh');
function showProvince(key) {
  if (!picker || !key) return Promise.resolve();
  picker.value = key;
  const name = picker.selectedIndex >= 0 ? picker.options[picker.selectedIndex].text : '';
  document.querySelectorAll('section.province-view').forEach(s => { s.hidden = s.dataset.key !== key; });
  document.querySelectorAll('.ten-tinh').forEach(e => { e.textContent = name; });
  return Promise.all(Object.entries(window.__charts).filter(([n]) => SPECS[n].province)
    .map(([n, v]) => v.signal('tinh', key).signal('ten_tinh', name).runAsync()));
}
window.showProvince = showProvince;
if (picker) {
  picker.addEventListener('change', () => {
    showProvince(picker.value);
    history.replaceState(null, '', '#tinh=' + encodeURIComponent(picker.value));
  });
  const m = /^#tinh=(.+)$/.exec(location.hash);
  if (m && [...picker.options].some(o => o.value === decodeURIComponent(m[1]))) showProvince(decodeURIComponent(m[1]));
}
// every dataset is written once in the page and shared by the charts that use it
Promise.all(Object.entries(SPECS).map(([name, s]) =>
  vegaEmbed('#chart-' + name, Object.assign({}, s.spec, {datasets: Object.fromEntries(s.datasets.map(d => [d, DATASETS[d]]))}),
            {renderer: 'svg', actions: false, ast: true})
    .then(r => { window.__charts[name] = r.view; })
    .catch(e => { window.__chartErrors.push(name + ': ' + e); console.error(e); })
)).then(() => showProvince(picker ? picker.value : ''))
  .then(() => { document.body.dataset.rendered = 'true'; });
"""


def build_report(
    db: Path, out_dir: Path, build_id: str | None = None, with_png: bool = True, cache_dir: Path | None = None
) -> Report:
    """Write out_dir/index.html (replaced atomically) from the published warehouse `db`. `cache_dir`
    (Settings.report_cache_dir): the Vega bundle and the last build's PNGs by content, so an unchanged chart is not
    rendered again (the same bytes: vl-convert renders a spec the same way every time)."""
    import vl_convert as vlc

    data = load_report_data(db, build_id)
    # datasets as frames (the page writes them in pieces); the schema check of the specs is the tests' (test_report)
    specs = chart_specs(data, rows=False, validate=False)
    bundle = _cached(cache_dir, f"vega-bundle-{_vlc_version()}.js", lambda: vlc.javascript_bundle().encode())  # type: ignore[call-arg]  # the stub wants a snippet; without one it is the whole bundle
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".index.", suffix=".html.tmp", dir=out_dir)
    os.close(fd)
    write_page_file(Path(tmp), data, specs, bundle.decode())
    os.chmod(tmp, 0o644)
    n_bytes = os.stat(tmp).st_size
    os.replace(tmp, out_dir / "index.html")
    pngs = {}
    if with_png:
        used = set()
        for name in PNG_CHARTS:
            spec = {**specs[name], "datasets": {n: rows_of(df) for n, df in specs[name]["datasets"].items()}}
            key = hashlib.sha256(f"{_vlc_version()} 1 {json.dumps(spec, sort_keys=True)}".encode()).hexdigest()
            used.add(f"{key}.png")
            pngs[name] = _cached(cache_dir, f"{key}.png", lambda spec=spec: vlc.vegalite_to_png(spec, scale=1))
            (out_dir / f"{name}.png").write_bytes(pngs[name])
        if cache_dir is not None:  # the cache holds the last build's PNGs only
            for old in cache_dir.glob("*.png"):
                if old.name not in used:
                    old.unlink(missing_ok=True)
    return Report(out_dir / "index.html", list(specs), pngs, n_bytes)


def _vlc_version() -> str:
    from importlib.metadata import version

    return version("vl-convert-python")


def _cached(cache_dir: Path | None, name: str, make) -> bytes:
    """The bytes of `name` in `cache_dir`, made (and kept, written atomically) when missing."""
    if cache_dir is None:
        return make()
    path = cache_dir / name
    if path.is_file():
        return path.read_bytes()
    out = make()
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=cache_dir)
    with os.fdopen(fd, "wb") as fh:
        fh.write(out)
    os.replace(tmp, path)
    return out
