"""The analyst report, Dagster-free: one self-contained HTML page per build (warehouse/report/index.html) with
Vega-Lite charts (made with altair) of the marts, and PNG renderings of the key charts for the Dagster UI.

The page opens on a province (the selector at the top): its words and tables (pipelines/province_view.py) and four
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
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import altair as alt
import duckdb
import polars as pl

from .province_view import BASE_YEAR, province_html, province_view
from .vi_text import reason_vi, vi_sort_key

# (year, indicator, what changed): the first year of the new methodology; used only when the warehouse has no
# ref_methodology_break table (the reference the marts use)
METHODOLOGY_BREAKS: list[tuple[int, str, str]] = [
    (
        2016,
        "PAPI.D3",
        "Trách nhiệm giải trình: bỏ Ban Giám sát đầu tư cộng đồng, thêm Giải quyết khiếu nại, tố cáo "
        "(nội dung thành phần thay đổi)",
    ),
    (
        2018,
        "PAPI.TOTAL",
        "6 → 8 chỉ số nội dung (thêm D7 Quản trị môi trường, D8 Quản trị điện tử); thang tổng "
        "6–60 → 8–80; D2, D3 đổi nội dung thành phần",
    ),
    (2019, "PAPI.D8", "Quản trị điện tử: 2 → 3 nội dung thành phần (thêm Phúc đáp qua cổng thông tin điện tử)"),
    (2021, "PAPI.D5", "Thủ tục hành chính công: bỏ nội dung Thủ tục cấp phép xây dựng"),
]
STATUS_VI = {"met": "đạt", "not_met": "không đạt", "not_evaluable": "không đánh giá được"}
STATUS_COLOURS = ["#1a9850", "#d73027", "#9e9e9e"]
UNIT_VI = {"points": "điểm", "rank": "thứ hạng", "rank_change": "số bậc tăng"}
MISSING = "không có số liệu"
DEFAULT_PROVINCE = "2004-79"  # Hồ Chí Minh: the seed plans' city
NO_MAP_NOTE = (
    "Không có bản đồ: không có tệp ranh giới tỉnh Việt Nam với giấy phép mở trên PyPI hoặc npm "
    "(world-atlas của Natural Earth chỉ có ranh giới quốc gia), nên bản đồ được bỏ qua."
)


@dataclass
class ReportData:
    scores: pl.DataFrame  # PAPI total and dimensions, every 2004 province x year x indicator (score NULL = missing)
    indicators: pl.DataFrame  # PAPI total and dimensions: code, label
    coverage: pl.DataFrame
    targets: pl.DataFrame
    provinces: pl.DataFrame  # province_key, province_name
    build_id: str | None = None
    breaks: list[tuple[int, str, str]] = field(default_factory=lambda: list(METHODOLOGY_BREAKS))
    datasets: dict[str, list] = field(default_factory=dict)  # named datasets the chart specs refer to
    panel: pl.DataFrame = field(default_factory=pl.DataFrame)  # mart_index_panel: one row per province x year
    correlations: pl.DataFrame = field(default_factory=pl.DataFrame)  # pair, year, r, n_provinces
    units_2025: pl.DataFrame = field(default_factory=pl.DataFrame)  # mart_scores_2025_units, PAPI total


@dataclass
class Report:
    path: Path
    charts: list[str]
    pngs: dict[str, bytes] = field(default_factory=dict)
    n_bytes: int = 0


def load_report_data(db: Path, build_id: str | None = None) -> ReportData:
    con = duckdb.connect(str(db), read_only=True)
    try:
        has_ref = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ref_methodology_break'"
        ).fetchall()[0][0]
        breaks = (
            con.execute(
                "SELECT year, indicator_code, what_changed_vi FROM ref_methodology_break "
                "WHERE indicator_code <> 'PAPI.TOTAL' OR kind = 'dimensions_changed' ORDER BY year, indicator_code"
            ).fetchall()
            if has_ref
            else list(METHODOLOGY_BREAKS)
        )
        # the provinces PAPI scores (63; not Hà Tây, merged into Hà Nội in 2008 before PAPI began)
        provinces = con.sql(
            "SELECT province_key, name_vi AS province_name FROM dim_province WHERE province_key IN "
            "(SELECT province_key FROM mart_province_scores WHERE family = 'PAPI') ORDER BY name_vi"
        ).pl()
        indicators = con.sql("""SELECT indicator_code, name_vi,
                                   CASE WHEN indicator_code = 'PAPI.TOTAL' THEN 'Tổng hợp PAPI'
                                        ELSE replace(indicator_code, 'PAPI.', '') || '. ' || name_vi END AS label
                                FROM dim_indicator WHERE family = 'PAPI' AND level IN ('total', 'dimension')
                                ORDER BY indicator_code = 'PAPI.TOTAL' DESC, indicator_code""").pl()
        # every province in every year and indicator PAPI published: a missing score is a row with NULL
        scores = con.sql("""
            WITH published AS (SELECT DISTINCT year, indicator_code FROM mart_province_scores
                               WHERE family = 'PAPI' AND level IN ('total', 'dimension')),
                 m AS (SELECT province_key, year, indicator_code, score, rank, n_ranked, national_mean, n_provinces,
                              comparable_with_base_year, change_since_base_year, comparable_since
                       FROM mart_province_scores WHERE family = 'PAPI' AND level IN ('total', 'dimension'))
            SELECT p.province_key, p.name_vi AS province_name, y.year, y.indicator_code, i.label AS indicator_label,
                   m.score, m.rank, m.n_ranked,
                   max(m.national_mean) OVER (PARTITION BY y.year, y.indicator_code) AS national_mean,
                   max(m.n_provinces) OVER (PARTITION BY y.year, y.indicator_code) AS n_provinces,
                   m.comparable_with_base_year, m.change_since_base_year, CAST(m.comparable_since AS BIGINT)
                       AS comparable_since
            FROM dim_province AS p CROSS JOIN published AS y
            JOIN (SELECT indicator_code, CASE WHEN indicator_code = 'PAPI.TOTAL' THEN 'Tổng hợp PAPI'
                         ELSE replace(indicator_code, 'PAPI.', '') || '. ' || name_vi END AS label
                  FROM dim_indicator) AS i ON i.indicator_code = y.indicator_code
            LEFT JOIN m ON m.province_key = p.province_key AND m.year = y.year AND m.indicator_code = y.indicator_code
            WHERE p.province_key IN (SELECT province_key FROM mart_province_scores WHERE family = 'PAPI')
            ORDER BY y.year, y.indicator_code, p.name_vi""").pl()
        coverage = con.sql("""
            SELECT c.document_id, coalesce(d.doc_numbers[1], d.source_path) || ' · ' || coalesce(d.issuer_name, '?')
                       || coalesce(' (' || d.plan_year_start || ')', '') AS plan_label,
                   coalesce(c.indicator_code, 'ngoài chỉ số') AS indicator_code,
                   coalesce(i.name_vi, 'Nhiệm vụ ngoài PAPI/PAR') AS indicator_name,
                   c.n_tasks, c.n_tasks_with_lead, c.n_tasks_with_deadline, c.share_tasks_with_lead,
                   c.share_tasks_with_deadline, c.n_targets
            FROM mart_plan_coverage AS c JOIN dim_document AS d USING (document_id)
            LEFT JOIN dim_indicator AS i ON i.indicator_code = c.indicator_code
            -- the plans: a letter or a decree has its coverage row (0 tasks, the reason) but no place in a chart
            WHERE c.no_task_reason IS NULL
            ORDER BY plan_label, c.indicator_code""").pl()
        targets = con.sql("""
            SELECT t.target_id, coalesce(d.doc_numbers[1], d.source_path) || ' · ' || coalesce(d.issuer_name, '?')
                       AS plan_label,
                   t.province_key, t.indicator_code, t.year, t.comparator, t.target_value, t.unit, t.actual_value,
                   t.status, t.status_reason, t.quote, t.line, t.source_path,
                   CASE WHEN t.actual_value IS NULL THEN NULL
                        WHEN t.unit = 'rank' THEN t.target_value - t.actual_value
                        ELSE t.actual_value - t.target_value END AS gap
            FROM mart_target_vs_actual AS t JOIN dim_document AS d USING (document_id)
            ORDER BY plan_label, t.year, t.indicator_code, t.target_id""").pl()
        has_panel = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mart_index_panel'"
        ).fetchall()[0][0]
        panel = (
            con.sql("""SELECT x.province_key, p.name_vi AS province_name, x.year, x.papi_total, x.pci_total,
                                  x.par_index, x.sipas
                           FROM mart_index_panel AS x JOIN dim_province AS p USING (province_key)
                           ORDER BY x.year, p.name_vi""").pl()
            if has_panel
            else pl.DataFrame()
        )
        has_units = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mart_scores_2025_units'"
        ).fetchall()[0][0]
        units_2025 = (
            con.sql("""SELECT unit_2025_name, year, score_unweighted, members_total, members_covered,
                              all_members_covered, array_to_string(members_missing, ', ') AS members_missing
                       FROM mart_scores_2025_units WHERE indicator_code = 'PAPI.TOTAL'
                       ORDER BY year, unit_2025_name""").pl()
            if has_units
            else pl.DataFrame()
        )
    finally:
        con.close()
    # Vietnamese collation (Bình Định before Bình Thuận, Đ after D), not code-point order (every Đ after Yên Bái)
    names = provinces["province_name"].to_list()
    provinces = provinces[sorted(range(len(names)), key=lambda i: vi_sort_key(names[i]))]
    targets = targets.with_columns(
        pl.col("status").replace_strict(STATUS_VI, default=pl.col("status")).alias("status_vi"),
        pl.col("unit").replace_strict(UNIT_VI, default=pl.col("unit")).alias("unit_vi"),
        (
            pl.col("indicator_code").str.replace("PAPI.", "", literal=True)
            + " "
            + pl.col("year").cast(pl.String).fill_null("?")
            + " "
            + pl.col("comparator")
            + " "
            + pl.col("target_value").round(2).cast(pl.String)
            + " "
            + pl.col("unit").replace_strict(UNIT_VI, default=pl.col("unit"))
            + " · dòng "
            + pl.col("line").cast(pl.String).fill_null("?")
        ).alias("target_label"),
    )
    return ReportData(
        scores,
        indicators,
        coverage,
        targets,
        provinces,
        build_id,
        [tuple(b) for b in breaks],
        panel=panel,
        correlations=index_correlations(panel),
        units_2025=units_2025,
    )


INDEX_COLUMNS = {"papi_total": "PAPI", "pci_total": "PCI", "par_index": "PAR Index", "sipas": "SIPAS"}


def index_correlations(panel: pl.DataFrame, min_provinces: int = 20) -> pl.DataFrame:
    """Pearson correlation of each pair of indices per year, over the provinces that have both that year, with how
    many provinces that is (pairs with fewer than `min_provinces` are left out: press figures are not a sample)."""
    rows = []
    if panel.is_empty():
        return pl.DataFrame(schema={"pair": pl.String, "year": pl.Int64, "r": pl.Float64, "n_provinces": pl.Int64})
    cols = [c for c in INDEX_COLUMNS if c in panel.columns]
    for i, a in enumerate(cols):
        for b in cols[i + 1 :]:
            both = panel.filter(pl.col(a).is_not_null() & pl.col(b).is_not_null())
            for (year,), g in both.group_by("year"):
                if g.height >= min_provinces:
                    r = g.select(pl.corr(a, b)).item()
                    rows.append(
                        {
                            "pair": f"{INDEX_COLUMNS[a]} – {INDEX_COLUMNS[b]}",
                            "year": int(year),
                            "r": None if r is None else round(float(r), 3),
                            "n_provinces": g.height,
                        }
                    )
    return pl.DataFrame(
        rows, schema={"pair": pl.String, "year": pl.Int64, "r": pl.Float64, "n_provinces": pl.Int64}
    ).sort("pair", "year")


def indices_chart(data: ReportData) -> alt.TopLevelMixin:
    """How the indices move together: PAPI against PCI per province for a chosen year (province on hover), and the
    correlation of each pair of indices per year with the number of provinces behind it."""
    both = (
        data.panel.filter(pl.col("papi_total").is_not_null() & pl.col("pci_total").is_not_null())
        if not data.panel.is_empty()
        else data.panel
    )
    years = sorted(set(both["year"].to_list())) if not both.is_empty() else [None]
    pick = alt.param(
        name="nam_chi_so", value=years[-1], bind=alt.binding_select(options=years, name="Năm (PAPI – PCI): ")
    )
    scatter = (
        alt.Chart(_values(data, "index_panel", both))
        .mark_circle(size=60, opacity=0.8)
        .encode(
            x=alt.X("papi_total:Q", title="PAPI (tổng hợp)", scale=alt.Scale(zero=False)),
            y=alt.Y("pci_total:Q", title="PCI (có trọng số)", scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("province_name:N", title="Tỉnh"),
                alt.Tooltip("year:Q", title="Năm"),
                alt.Tooltip("papi_total:Q", title="PAPI", format=".2f"),
                alt.Tooltip("pci_total:Q", title="PCI", format=".2f"),
            ],
        )
        .add_params(pick)
        .transform_filter("datum.year == nam_chi_so")
        .properties(width=380, height=300, title="PAPI và PCI theo tỉnh (di chuột để xem tên tỉnh)")
    )
    corr = (
        alt.Chart(_values(data, "index_correlations", data.correlations))
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Năm"),
            y=alt.Y("r:Q", title="Hệ số tương quan r", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("pair:N", title="Cặp chỉ số"),
            tooltip=[
                alt.Tooltip("pair:N", title="Cặp"),
                alt.Tooltip("year:O", title="Năm"),
                alt.Tooltip("r:Q", title="r", format=".3f"),
                alt.Tooltip("n_provinces:Q", title="Số tỉnh"),
            ],
        )
        .properties(width=380, height=300, title="Tương quan giữa các chỉ số theo năm (số tỉnh có cả hai: di chuột)")
    )
    return alt.hconcat(scatter, corr)


# ---------------------------------------------------------------- charts


def _values(data: ReportData, name: str, df: pl.DataFrame) -> alt.Data:
    """Named data: the rows go once into `data.datasets` (each spec gets the datasets it names, the page holds each
    once), so altair neither validates nor repeats thousands of inline rows."""
    data.datasets[name] = json.loads(df.write_json())
    return alt.Data(name=name)


def _scores(data: ReportData) -> alt.Data:
    """The one score dataset every chart filters (the page holds it once): keys and numbers only, names by lookup."""
    df = data.scores.select(
        "province_key",
        "year",
        "indicator_code",
        pl.col("score").round(4),
        "rank",
        "n_ranked",
        pl.col("national_mean").round(4),
        "n_provinces",
        *[
            pl.col(c).round(4) if c == "change_since_base_year" else pl.col(c)
            for c in ("comparable_with_base_year", "change_since_base_year", "comparable_since")
            if c in data.scores.columns
        ],
    )
    return _values(data, "scores", df)


def _with_labels(chart: alt.Chart, data: ReportData) -> alt.Chart:
    """Province and indicator names by lookup from two small tables."""
    return chart.transform_lookup(
        lookup="province_key",
        from_=alt.LookupData(_values(data, "provinces", data.provinces), "province_key", ["province_name"]),
    ).transform_lookup(
        lookup="indicator_code",
        from_=alt.LookupData(
            _values(
                data, "indicators", data.indicators.select("indicator_code", pl.col("label").alias("indicator_label"))
            ),
            "indicator_code",
            ["indicator_label"],
        ),
    )


def _breaks(data: ReportData) -> pl.DataFrame:
    rows = [(y, c, what) for y, c, what in data.breaks]
    return pl.DataFrame(rows, schema={"year": pl.Int64, "indicator_code": pl.String, "what": pl.String}, orient="row")


def _break_rules(data: ReportData) -> alt.Chart:
    """Dashed vertical rules at every methodology break, with what changed in the tooltip."""
    return (
        alt.Chart(_values(data, "methodology_breaks", _breaks(data)))
        .mark_rule(strokeDash=[4, 3], color="#7b3294", opacity=0.7)
        .encode(
            x=_year_x(data),
            tooltip=[
                alt.Tooltip("year:Q", title="Năm đổi phương pháp"),
                alt.Tooltip("indicator_code:N", title="Chỉ số"),
                alt.Tooltip("what:N", title="Thay đổi"),
            ],
        )
    )


def _years(data: ReportData) -> list[int]:
    return sorted(data.scores["year"].unique().to_list())


def _year_x(data: ReportData, title: str | None = "Năm") -> alt.X:
    """The one time axis: whole years from the first to the last PAPI year (the break rules share it)."""
    years = _years(data)
    if not years:  # no published scores in this build (e.g. ../shared/data absent): an empty axis, not a crash
        return alt.X("year:Q", title=title, axis=alt.Axis(format="d", tickMinStep=1))
    return alt.X(
        "year:Q",
        title=title,
        axis=alt.Axis(format="d", tickMinStep=1),
        scale=alt.Scale(domain=[years[0], years[-1]], zero=False, nice=False),
    )


def _province_params(data: ReportData) -> tuple[alt.Parameter, alt.Parameter]:
    """The province the page shows: its key (`tinh`) and its name (`ten_tinh`, for the titles). Not bound to a
    widget of the chart: the page's one selector at the top sets both in every chart that declares them."""
    keys = data.provinces["province_key"].to_list()
    names = data.provinces["province_name"].to_list()
    key = DEFAULT_PROVINCE if DEFAULT_PROVINCE in keys or not keys else keys[0]
    name = names[keys.index(key)] if key in keys else ""
    return alt.param(name="tinh", value=key), alt.param(name="ten_tinh", value=name)


def _title(text: str, subtitle: str | None = None) -> alt.TitleParams:
    """A title that names the chosen province: `text` follows the province's name."""
    expr = "ten_tinh + " + json.dumps(text)
    if subtitle:
        return alt.TitleParams(text=alt.expr(expr), subtitle=subtitle, anchor="start")
    return alt.TitleParams(text=alt.expr(expr), anchor="start")


def ranking_chart(data: ReportData) -> alt.TopLevelMixin:
    """Every province's PAPI total in a chosen year as a dot on an axis that starts near the lowest score (a bar
    from 0 would make 40 and 48 look alike), the score printed beside it, the chosen province in red, the national
    mean as a rule."""
    years = _years(data)
    year = alt.param(name="nam_xep_hang", value=years[-1], bind=alt.binding_select(options=years, name="Năm: "))
    tinh, ten = _province_params(data)
    base = _with_labels(
        alt.Chart(_scores(data)).transform_filter("datum.year == nam_xep_hang && datum.indicator_code == 'PAPI.TOTAL'"),
        data,
    ).transform_calculate(sort_key="isValid(datum.score) ? datum.score : -1")
    y = alt.Y(
        "province_name:N",
        title=None,
        sort=alt.EncodingSortField("sort_key", op="max", order="descending"),
        axis=alt.Axis(labelLimit=160),
    )
    x = alt.X("score:Q", title="Điểm PAPI tổng hợp (không trọng số)", scale=alt.Scale(zero=False, nice=False))
    tip = [
        alt.Tooltip("province_name:N", title="Tỉnh/thành"),
        alt.Tooltip("year:Q", title="Năm"),
        alt.Tooltip("score:Q", title="Điểm", format=".2f"),
        alt.Tooltip("rank:Q", title="Hạng"),
        alt.Tooltip("n_ranked:Q", title="Số tỉnh được xếp hạng"),
    ]
    scored = base.transform_filter("isValid(datum.score)")
    mine = "datum.province_key == tinh"
    dots = scored.mark_circle(size=45, opacity=1).encode(
        y=y, x=x, color=alt.condition(mine, alt.value("#d6604d"), alt.value("#2166ac")), tooltip=tip
    )
    values = (
        scored.transform_calculate(txt="format(datum.score, '.2f') + '  (hạng ' + datum.rank + ')'")
        .mark_text(align="left", dx=6, fontSize=9)
        .encode(y=y, x=x, text="txt:N", color=alt.condition(mine, alt.value("#b2182b"), alt.value("#444")))
    )
    mean = (
        base.transform_filter("isValid(datum.national_mean)")
        .mark_rule(color="#555", strokeDash=[4, 3])
        .encode(x=alt.X("mean(national_mean):Q"))
    )
    missing = (
        base.transform_filter("!isValid(datum.score)")
        .transform_calculate(label=f"'{MISSING}'")
        .mark_text(align="left", color="#888", fontStyle="italic", dx=4)
        .encode(
            y=y,
            x=alt.value(0),
            text="label:N",
            tooltip=[alt.Tooltip("province_name:N", title="Tỉnh/thành"), alt.Tooltip("label:N", title="Điểm")],
        )
    )
    return (
        alt.layer(mean, dots, values, missing)
        .add_params(year, tinh, ten)
        .properties(
            width=520,
            height=alt.Step(12),
            title="Xếp hạng PAPI toàn quốc theo năm (đỏ: tỉnh đang chọn; nét đứt: trung bình toàn quốc; tỉnh thiếu "
            "số liệu ghi rõ, không tính là 0)",
        )
    )


def heatmap_chart(data: ReportData) -> alt.TopLevelMixin:
    years = _years(data)
    year = alt.param(name="nam_nhiet", value=years[-1], bind=alt.binding_select(options=years, name="Năm: "))
    # a dimension PAPI did not publish that year (D7, D8 before 2018) has no row at all in the published list
    base = _with_labels(
        alt.Chart(_scores(data)).transform_filter("datum.year == nam_nhiet && datum.indicator_code != 'PAPI.TOTAL'"),
        data,
    )
    enc = dict(
        x=alt.X("indicator_label:N", title="Chỉ số nội dung", axis=alt.Axis(labelAngle=-35, labelLimit=180)),
        y=alt.Y("province_name:N", title=None, sort=data.provinces["province_name"].to_list()),
    )
    tip = [
        alt.Tooltip("province_name:N", title="Tỉnh/thành"),
        alt.Tooltip("indicator_label:N", title="Chỉ số"),
        alt.Tooltip("score:Q", title="Điểm", format=".2f"),
        alt.Tooltip("rank:Q", title="Hạng"),
        alt.Tooltip("national_mean:Q", title="Trung bình toàn quốc", format=".2f"),
    ]
    cells = base.mark_rect().encode(
        **enc,
        color=alt.condition(
            "isValid(datum.score)",
            alt.Color("score:Q", title="Điểm", scale=alt.Scale(scheme="viridis")),
            alt.value("#e0e0e0"),
        ),
        tooltip=tip,
    )
    # a NULL colour would drop the cell: missing cells are their own grey layer
    grey = base.transform_filter("!isValid(datum.score)").mark_rect(color="#d9d9d9").encode(**enc, tooltip=tip)
    missing = base.transform_filter("!isValid(datum.score)").mark_text(text="–", color="#777").encode(**enc)
    return (
        alt.layer(cells, grey, missing)
        .add_params(year)
        .properties(
            width=alt.Step(70), height=alt.Step(11), title="Điểm theo tỉnh × chỉ số nội dung (ô xám: không có số liệu)"
        )
    )


def _latest(data: ReportData) -> int:
    return _years(data)[-1]  # IndexError without scores: the chart says there are none


def _dimension_y() -> alt.Y:
    return alt.Y("indicator_label:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=240))


def province_dims_chart(data: ReportData) -> alt.TopLevelMixin:
    """The chosen province on each dimension in the latest year against the national mean, both values and the
    difference printed (no hover needed); the axis spans the values, not 0-10."""
    year = _latest(data)
    tinh, ten = _province_params(data)
    base = _with_labels(
        alt.Chart(_scores(data)).transform_filter(
            f"datum.province_key == tinh && datum.year == {year} && datum.indicator_code != 'PAPI.TOTAL'"
        ),
        data,
    )
    y = _dimension_y()
    x = alt.X("score:Q", title=f"Điểm năm {year} (thang 1–10)", scale=alt.Scale(zero=False))
    scored = base.transform_filter("isValid(datum.score)")
    link = scored.mark_rule(color="#bbb", strokeWidth=2).encode(y=y, x=x, x2="national_mean:Q")
    mean = scored.mark_tick(color="#333", thickness=2, size=14).encode(y=y, x="national_mean:Q")
    dot = scored.mark_circle(size=90, color="#d6604d", opacity=1).encode(
        y=y,
        x=x,
        tooltip=[
            alt.Tooltip("indicator_label:N", title="Chỉ số"),
            alt.Tooltip("score:Q", title="Điểm", format=".2f"),
            alt.Tooltip("national_mean:Q", title="Trung bình toàn quốc", format=".2f"),
            alt.Tooltip("rank:Q", title="Hạng"),
        ],
    )
    width = 340
    text = (
        base.transform_calculate(
            txt="isValid(datum.score) ? format(datum.score, '.2f') + ' (TB ' + format(datum.national_mean, '.2f') "
            "+ '; ' + format(datum.score - datum.national_mean, '+.2f') + '; hạng ' + datum.rank + '/' + "
            f"datum.n_ranked + ')' : '{MISSING}'"
        )
        .mark_text(align="left", fontSize=11)
        .encode(y=y, x=alt.value(width + 10), text="txt:N")
    )
    return _dimension_panel(
        [link, mean, dot, text],
        (tinh, ten),
        width,
        f": 8 chỉ số nội dung năm {year} so với trung bình toàn quốc",
        "chấm đỏ: điểm của tỉnh; vạch đen: trung bình toàn quốc; bên phải: điểm (TB; chênh lệch; hạng)",
    )


def _dimension_panel(layers: list, params: tuple, width: int, title: str, subtitle: str) -> alt.TopLevelMixin:
    """A province chart with one row per dimension: its layers, the province selector's parameters, a row height
    that fits the labels, the title naming the province."""
    return (
        alt.layer(*layers)
        .add_params(*params)
        .properties(width=width, height=alt.Step(26), title=_title(title, subtitle))
    )


def province_change_chart(data: ReportData) -> alt.TopLevelMixin:
    """Change of each dimension since the base year 2018 (mart_province_scores.change_since_base_year), a bar only
    where it is comparable; where a methodology break lies between, the words say so and name the year."""
    year = _latest(data)
    tinh, ten = _province_params(data)
    base = _with_labels(
        alt.Chart(_scores(data)).transform_filter(
            f"datum.province_key == tinh && datum.year == {year} && datum.indicator_code != 'PAPI.TOTAL'"
        ),
        data,
    ).transform_calculate(
        txt=f"!isValid(datum.score) ? '{MISSING}' : "
        f"(isValid(datum.comparable_since) && datum.comparable_since > {BASE_YEAR}) ? "
        "'không so sánh được (phương pháp đổi năm ' + datum.comparable_since + ')' : "
        f"isValid(datum.change_since_base_year) ? format(datum.change_since_base_year, '+.2f') + ' (so sánh được)'"
        f" : 'không có số liệu năm {BASE_YEAR}'"
    )
    y = _dimension_y()
    width = 300
    bars = (
        base.transform_filter("isValid(datum.change_since_base_year)")
        .mark_bar(height=14)
        .encode(
            y=y,
            x=alt.X("change_since_base_year:Q", title=f"Thay đổi điểm {BASE_YEAR} → {year}"),
            color=alt.condition("datum.change_since_base_year >= 0", alt.value("#1a9850"), alt.value("#d73027")),
            tooltip=[
                alt.Tooltip("indicator_label:N", title="Chỉ số"),
                alt.Tooltip("change_since_base_year:Q", title="Thay đổi", format="+.2f"),
            ],
        )
    )
    zero = base.mark_rule(color="#333").encode(x=alt.datum(0))
    text = base.mark_text(align="left", fontSize=11).encode(
        y=y,
        x=alt.value(width + 10),
        text="txt:N",
        color=alt.condition("isValid(datum.change_since_base_year)", alt.value("#222"), alt.value("#777")),
    )
    return _dimension_panel(
        [zero, bars, text],
        (tinh, ten),
        width,
        f": thay đổi từ {BASE_YEAR} đến {year} theo chỉ số nội dung",
        "chỉ vẽ khi so sánh được (không có năm đổi phương pháp ở giữa)",
    )


def province_rank_chart(data: ReportData) -> alt.TopLevelMixin:
    """The chosen province's PAPI total per year: its rank (of the provinces ranked that year) and its score
    against the national mean, every value printed."""
    tinh, ten = _province_params(data)
    mine = alt.Chart(_scores(data)).transform_filter(
        "datum.province_key == tinh && datum.indicator_code == 'PAPI.TOTAL' && isValid(datum.score)"
    )
    x = _year_x(data)
    rank_y = alt.Y("rank:Q", title="Hạng (1 = cao nhất)", scale=alt.Scale(reverse=True, domain=[1, 63]))
    rank_line = mine.mark_line(point=True, color="#2166ac").encode(
        x=x,
        y=rank_y,
        tooltip=[alt.Tooltip("year:Q", title="Năm"), alt.Tooltip("rank:Q", title="Hạng")],
    )
    rank_text = (
        mine.transform_calculate(txt="datum.rank + '/' + datum.n_ranked")
        .mark_text(dy=-9, fontSize=9, color="#2166ac")
        .encode(x=x, y=rank_y, text="txt:N")
    )
    rank = alt.layer(_break_rules(data), rank_line, rank_text).properties(
        width=360, height=210, title=_title(": thứ hạng PAPI tổng hợp theo năm")
    )
    score_y = alt.Y("score:Q", title="Điểm PAPI tổng hợp", scale=alt.Scale(zero=False))
    score_line = mine.mark_line(point=True, color="#d6604d").encode(
        x=x,
        y=score_y,
        tooltip=[
            alt.Tooltip("year:Q", title="Năm"),
            alt.Tooltip("score:Q", title="Điểm", format=".2f"),
            alt.Tooltip("national_mean:Q", title="Trung bình toàn quốc", format=".2f"),
        ],
    )
    mean_line = mine.mark_line(color="#555", strokeDash=[6, 3]).encode(x=x, y="national_mean:Q")
    score_text = (
        mine.transform_calculate(txt="format(datum.score, '.1f')")
        .mark_text(dy=-9, fontSize=9, color="#b2182b")
        .encode(x=x, y=score_y, text="txt:N")
    )
    score = alt.layer(_break_rules(data), mean_line, score_line, score_text).properties(
        width=360,
        height=210,
        title=_title(
            ": điểm PAPI tổng hợp (đỏ) và trung bình toàn quốc (nét đứt)", "thang 6–60 đến 2017, 8–80 từ 2018"
        ),
    )
    return alt.hconcat(rank, score).add_params(tinh, ten)


def province_chart(data: ReportData) -> alt.TopLevelMixin:
    """The chosen province's trend on the total and each dimension against the national mean (small multiples,
    methodology breaks as rules), each panel titled with the province."""
    tinh, ten = _province_params(data)
    panels = []
    for code, label in data.indicators.select("indicator_code", "label").iter_rows():
        base = _with_labels(alt.Chart(_scores(data)).transform_filter(f"datum.indicator_code == '{code}'"), data)
        mine = base.transform_filter("datum.province_key == tinh")
        x = _year_x(data, None)
        line = mine.mark_line(point=True, color="#d6604d").encode(
            x=x,
            y=alt.Y("score:Q", title="Điểm", scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("province_name:N", title="Tỉnh/thành"),
                alt.Tooltip("year:Q", title="Năm"),
                alt.Tooltip("score:Q", title="Điểm", format=".2f"),
                alt.Tooltip("rank:Q", title="Hạng"),
                alt.Tooltip("n_ranked:Q", title="trên"),
                alt.Tooltip("national_mean:Q", title="Trung bình toàn quốc", format=".2f"),
            ],
        )
        mean = mine.mark_line(strokeDash=[6, 3], color="#555").encode(x=x, y="national_mean:Q")
        panels.append(
            alt.layer(_break_rules(data), mean, line).properties(
                width=220,
                height=130,
                title=alt.TitleParams(text=alt.expr("ten_tinh + " + json.dumps(" – " + label)), limit=270),
            )
        )
    return alt.concat(
        *panels,
        columns=3,
        title=_title(
            ": xu hướng từng chỉ số so với trung bình toàn quốc",
            "đỏ: tỉnh; nét đứt: trung bình toàn quốc; đường tím: năm đổi phương pháp",
        ),
    ).add_params(tinh, ten)


def coverage_chart(data: ReportData) -> alt.TopLevelMixin:
    cov = data.coverage.filter(pl.col("n_tasks") > 0)
    y = alt.Y("indicator_code:N", title=None, sort="ascending")
    tip = [
        alt.Tooltip("plan_label:N", title="Kế hoạch"),
        alt.Tooltip("indicator_name:N", title="Chỉ số"),
        alt.Tooltip("n_tasks:Q", title="Số nhiệm vụ"),
        alt.Tooltip("n_tasks_with_lead:Q", title="Có cơ quan chủ trì"),
        alt.Tooltip("n_tasks_with_deadline:Q", title="Có thời hạn"),
        alt.Tooltip("n_targets:Q", title="Chỉ tiêu"),
    ]
    shares = cov.unpivot(
        index=["plan_label", "indicator_code", "indicator_name", "n_tasks"],
        on=["share_tasks_with_lead", "share_tasks_with_deadline"],
        variable_name="measure",
        value_name="share",
    ).with_columns(
        pl.col("measure").replace_strict(
            {"share_tasks_with_lead": "có cơ quan chủ trì", "share_tasks_with_deadline": "có thời hạn"}
        )
    )
    left = (
        alt.Chart(_values(data, "coverage", cov))
        .mark_bar(color="#4393c3")
        .encode(
            y=y,
            x=alt.X("n_tasks:Q", title="Số nhiệm vụ"),
            row=alt.Row("plan_label:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=230)),
            tooltip=tip,
        )
        .properties(width=170, height=alt.Step(12))
        .resolve_scale(y="independent")
    )
    right = (
        alt.Chart(_values(data, "coverage_shares", shares))
        .mark_point(filled=True, size=60)
        .encode(
            y=y,
            x=alt.X("share:Q", title="Tỷ lệ nhiệm vụ", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(range=["#b2182b", "#2166ac"]),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape("measure:N", title=None),
            row=alt.Row("plan_label:N", title=None, header=alt.Header(labels=False)),
            tooltip=[
                alt.Tooltip("plan_label:N", title="Kế hoạch"),
                alt.Tooltip("indicator_name:N", title="Chỉ số"),
                alt.Tooltip("measure:N", title="Nhiệm vụ"),
                alt.Tooltip("share:Q", title="Tỷ lệ", format=".0%"),
            ],
        )
        .properties(width=170, height=alt.Step(12))
        .resolve_scale(y="independent")
    )
    return alt.hconcat(
        left, right, title="Độ bao phủ của kế hoạch: nhiệm vụ theo chỉ số, tỷ lệ có cơ quan chủ trì và có thời hạn"
    )


def target_view(targets: pl.DataFrame) -> pl.DataFrame:
    """The targets as the report shows them: the reason in Vietnamese ("—" when there is none, never "null"), and
    which axis the gap goes on (points and ranks are different units)."""
    return targets.with_columns(
        pl.Series(
            "status_reason_vi", [reason_vi(r) or "—" for r in targets["status_reason"].to_list()], dtype=pl.String
        ),
        pl.when(pl.col("unit").is_in(["rank", "rank_change"]))
        .then(pl.lit("Hạng: số bậc tốt hơn (+) hay kém hơn (−) mục tiêu"))
        .otherwise(pl.lit("Điểm: thực tế − mục tiêu"))
        .alias("gap_kind"),
    )


def targets_chart(data: ReportData) -> alt.TopLevelMixin:
    """Each target's gap to the actual, points and ranks in two charts of their own (a 0.1-point miss would look
    like nothing beside a 30-place one), status by colour and in words, every value printed in a column at the
    right; a target that cannot be evaluated says why, in Vietnamese."""
    t = target_view(data.targets)
    t = t.with_columns(
        (pl.col("plan_label").str.split(" · ").list.first() + " · " + pl.col("target_label")).alias("row_label")
    )
    colour = alt.Color(
        "status_vi:N",
        title="Kết quả",
        scale=alt.Scale(domain=list(STATUS_VI.values()), range=STATUS_COLOURS),
        legend=alt.Legend(orient="top"),
    )
    tip = [
        alt.Tooltip("plan_label:N", title="Kế hoạch"),
        alt.Tooltip("quote:N", title="Chỉ tiêu"),
        alt.Tooltip("comparator:N", title="So sánh"),
        alt.Tooltip("target_value:Q", title="Mục tiêu"),
        alt.Tooltip("actual_value:Q", title="Thực tế", format=".2f"),
        alt.Tooltip("gap:Q", title="Chênh lệch", format="+.2f"),
        alt.Tooltip("status_vi:N", title="Kết quả"),
        alt.Tooltip("status_reason_vi:N", title="Lý do"),
    ]
    width = 260
    parts = []
    for prefix, title, fmt in (
        ("Điểm", "Chỉ tiêu tính bằng điểm: thực tế − mục tiêu", ".2f"),
        ("Hạng", "Chỉ tiêu tính bằng thứ hạng: số bậc tốt hơn (+) hay kém hơn (−) mục tiêu", "d"),
    ):
        base = alt.Chart()
        y = alt.Y("row_label:N", title=None, sort=None, axis=alt.Axis(labelLimit=290))
        bar = (
            base.transform_filter("isValid(datum.gap)")
            .mark_bar(height=10)
            .encode(y=y, x=alt.X("gap:Q", title=title), color=colour, tooltip=tip)
        )
        zero = base.mark_rule(color="#333").encode(x=alt.datum(0))
        text = (
            base.transform_calculate(
                txt=f"isValid(datum.gap) ? format(datum.gap, '+{fmt}') + ' (thực tế ' + format(datum.actual_value, "
                f"'{fmt}') + '): ' + datum.status_vi : 'không đánh giá được: ' + datum.status_reason_vi"
            )
            .mark_text(align="left", fontSize=10, limit=330)
            .encode(y=y, x=alt.value(width + 8), text="txt:N", color=colour, tooltip=tip)
        )
        parts.append(
            alt.layer(zero, bar, text, data=_values(data, "targets", t))
            .transform_filter(f"indexof(datum.gap_kind, '{prefix}') == 0")
            .properties(width=width, height=alt.Step(16), title=title)
        )
    return alt.vconcat(
        *parts,
        title="Chỉ tiêu của kế hoạch so với kết quả chính thức (đạt / không đạt / không đánh giá được, kèm chênh lệch)",
    ).resolve_scale(x="independent", y="independent")


def national_chart(data: ReportData) -> alt.TopLevelMixin:
    """National mean of the total and of each dimension over time, with the breaks (a time axis of its own)."""
    df = (
        data.scores.group_by("year", "indicator_code", "indicator_label")
        .agg(pl.col("national_mean").first(), pl.col("n_provinces").first())
        .sort("year", "indicator_code")
    )
    line = (
        alt.Chart(_values(data, "national", df.filter(pl.col("indicator_code") != "PAPI.TOTAL")))
        .mark_line(point=True)
        .encode(
            x=_year_x(data),
            y=alt.Y("national_mean:Q", title="Trung bình toàn quốc (thang 1–10)", scale=alt.Scale(zero=False)),
            color=alt.Color("indicator_label:N", title="Chỉ số nội dung", legend=alt.Legend(labelLimit=260)),
            tooltip=[
                alt.Tooltip("indicator_label:N", title="Chỉ số"),
                alt.Tooltip("year:Q", title="Năm"),
                alt.Tooltip("national_mean:Q", title="Trung bình", format=".2f"),
                alt.Tooltip("n_provinces:Q", title="Số tỉnh có số liệu"),
            ],
        )
    )
    return alt.layer(_break_rules(data), line).properties(
        width=620, height=260, title="Trung bình toàn quốc theo chỉ số nội dung (đường tím: năm đổi phương pháp)"
    )


def units_2025_chart(data: ReportData) -> alt.TopLevelMixin:
    """PAPI total of the 34 units of July 2025 for the latest year: the unweighted mean of the member provinces.
    A unit whose members are not all scored is drawn apart and names the missing ones (never a silent mean)."""
    df = data.units_2025
    if df.is_empty() or df["score_unweighted"].drop_nulls().len() == 0:
        raise ValueError("no 2025-unit scores in this build")
    year = df.filter(pl.col("score_unweighted").is_not_null())["year"].cast(pl.Int64).max()
    assert isinstance(year, int)
    df = df.filter(pl.col("year") == year).with_columns(
        pl.when(pl.col("all_members_covered"))
        .then(pl.lit("mọi tỉnh thành viên có điểm"))
        .otherwise(pl.lit("thiếu tỉnh thành viên"))
        .alias("coverage_vi")
    )
    return (
        alt.Chart(_values(data, "units_2025", df))
        .mark_bar()
        .encode(
            y=alt.Y("unit_2025_name:N", sort="-x", title="Đơn vị hành chính từ 1/7/2025"),
            x=alt.X(
                "score_unweighted:Q",
                title=f"PAPI tổng hợp {year}: trung bình không trọng số các tỉnh cũ",
                scale=alt.Scale(zero=False),
            ),
            color=alt.Color(
                "coverage_vi:N",
                title="Độ phủ",
                scale=alt.Scale(
                    domain=["mọi tỉnh thành viên có điểm", "thiếu tỉnh thành viên"], range=["#4575b4", "#fdae61"]
                ),
            ),
            tooltip=[
                alt.Tooltip("unit_2025_name:N", title="Đơn vị"),
                alt.Tooltip("score_unweighted:Q", title="Trung bình", format=".2f"),
                alt.Tooltip("members_covered:Q", title="Tỉnh có điểm"),
                alt.Tooltip("members_total:Q", title="Tỉnh thành viên"),
                alt.Tooltip("members_missing:N", title="Thiếu"),
            ],
        )
        .properties(
            width=560,
            height=alt.Step(14),
            title=f"34 đơn vị sau sáp nhập 2025: PAPI {year} (không trọng số dân số: chưa có bảng dân số GSO)",
        )
    )


# the province view first (every chart follows the page's province selector), then the country
PROVINCE_CHARTS = {
    "province_dims": ("từng chỉ số so với trung bình toàn quốc", province_dims_chart),
    "province_change": (f"thay đổi từ {BASE_YEAR}", province_change_chart),
    "province_rank": ("thứ hạng và điểm theo năm", province_rank_chart),
    "province": ("xu hướng từng chỉ số", province_chart),
}
NATIONAL_CHARTS = {
    "ranking": ("Xếp hạng toàn quốc", ranking_chart),
    "heatmap": ("Bản đồ nhiệt tỉnh × chỉ số", heatmap_chart),
    "national": ("Trung bình toàn quốc", national_chart),
    "coverage": ("Độ bao phủ của kế hoạch", coverage_chart),
    "targets": ("Chỉ tiêu so với thực tế", targets_chart),
    "indices": ("Các chỉ số cùng biến động", indices_chart),
    "units_2025": ("34 đơn vị sau sáp nhập 2025", units_2025_chart),
}
CHARTS = {**PROVINCE_CHARTS, **NATIONAL_CHARTS}
PNG_CHARTS = ("province_dims", "province_change", "province_rank", "province", "ranking", "heatmap", "targets")


def _no_scores_chart(title: str) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=[{"t": "Không có số liệu điểm trong bản dựng này (thiếu ../shared/data)"}]))
        .mark_text(size=14)
        .encode(text="t:N")
        .properties(width=500, height=60, title=title)
    )


def chart_specs(data: ReportData) -> dict[str, dict]:
    """Complete Vega-Lite specs (each with the datasets it names, so vl-convert can render it alone)."""
    specs = {}
    for name, (title, fn) in CHARTS.items():
        try:
            chart = fn(data)
        except (IndexError, ValueError):
            if data.scores["score"].drop_nulls().len() if "score" in data.scores.columns else 0:
                raise
            chart = _no_scores_chart(title)  # a build without the published scores: say so, never crash
        spec = chart.to_dict()
        text = json.dumps(spec)
        spec["datasets"] = {n: rows for n, rows in data.datasets.items() if f'"name": "{n}"' in text}
        specs[name] = spec
    return specs


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
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _bundle_safe(js: str) -> str:
    """The Vega bundle (code, not data: its < cannot be escaped): only a closing tag, in any case, is broken."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(scripts: list[str]) -> str:
    """Nothing loads from anywhere, and only the page's own inline scripts run (by hash): an injected <script>, an
    onerror= handler or a javascript: link is refused by the browser even if escaping ever failed. Styles inline
    (Vega sets them on its SVG); images only as data: URIs (the PNG export)."""
    hashes = " ".join(_sha256(s) for s in scripts)
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
    datasets: dict[str, list] = {}
    slim = {}
    for chart, spec in specs.items():
        spec = dict(spec)
        own = spec.pop("datasets", {})
        datasets.update(own)
        follows = any(p.get("name") == "tinh" for p in spec.get("params", []))
        slim[chart] = {"spec": spec, "datasets": sorted(own), "province": follows}
    bundle = _bundle_safe(js_bundle)
    # one pass: a value of the data may be any text, a placeholder's name included
    main = f"\nconst DATASETS = {json_for_script(datasets)};\nconst SPECS = {json_for_script(slim)};{_MAIN_SCRIPT}"
    csp = html.escape(content_security_policy([bundle, main]))
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
<script>{main}</script>
</body></html>
"""


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


def build_report(db: Path, out_dir: Path, build_id: str | None = None, with_png: bool = True) -> Report:
    """Write out_dir/index.html (replaced atomically) from the published warehouse `db`."""
    import vl_convert as vlc

    data = load_report_data(db, build_id)
    specs = chart_specs(data)
    page = render_html(data, specs, vlc.javascript_bundle())  # type: ignore[call-arg]  # the stub wants a snippet; the call without one returns the whole bundle
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".index.", suffix=".html.tmp", dir=out_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out_dir / "index.html")
    pngs = {}
    if with_png:
        for name in PNG_CHARTS:
            pngs[name] = vlc.vegalite_to_png(specs[name], scale=1)
            (out_dir / f"{name}.png").write_bytes(pngs[name])
    return Report(out_dir / "index.html", list(specs), pngs, len(page.encode("utf-8")))
