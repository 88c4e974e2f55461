"""The report's data: the published marts and dimensions read into frames (load_report_data), and the labels the page and charts share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.report.vi_text import vi_sort_key
from pipelines.warehouse.db import READER_MEMORY

STATUS_VI = {"met": "đạt", "not_met": "không đạt", "not_evaluable": "không đánh giá được"}


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
    datasets: dict[str, pl.DataFrame] = field(default_factory=dict)  # named datasets the chart specs refer to
    panel: pl.DataFrame = field(default_factory=pl.DataFrame)  # mart_index_panel: one row per province x year
    correlations: pl.DataFrame = field(default_factory=pl.DataFrame)  # pair, year, r, n_provinces
    units_2025: pl.DataFrame = field(default_factory=pl.DataFrame)  # mart_scores_2025_units, PAPI total


# The report's queries on the published release (read-only)
BREAKS_SQL = """SELECT year, indicator_code, what_changed_vi FROM ref_methodology_break
WHERE indicator_code <> 'PAPI.TOTAL' OR kind = 'dimensions_changed' ORDER BY year, indicator_code"""
# the provinces PAPI scores (63; not Hà Tây, merged into Hà Nội in 2008 before PAPI began)
PROVINCES_SQL = """SELECT province_key, name_vi AS province_name FROM dim_province WHERE province_key IN
(SELECT province_key FROM mart_province_scores WHERE family = 'PAPI') ORDER BY name_vi"""
INDICATORS_SQL = """SELECT indicator_code, name_vi,
                                   CASE WHEN indicator_code = 'PAPI.TOTAL' THEN 'Tổng hợp PAPI'
                                        ELSE replace(indicator_code, 'PAPI.', '') || '. ' || name_vi END AS label
                                FROM dim_indicator WHERE family = 'PAPI' AND level IN ('total', 'dimension')
                                ORDER BY indicator_code = 'PAPI.TOTAL' DESC, indicator_code"""
# every province in every year and indicator PAPI published: a missing score is a row with NULL
SCORES_SQL = """
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
            ORDER BY y.year, y.indicator_code, p.name_vi"""
COVERAGE_SQL = """
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
            ORDER BY plan_label, c.indicator_code"""
TARGETS_SQL = """
            SELECT t.target_id, coalesce(d.doc_numbers[1], d.source_path) || ' · ' || coalesce(d.issuer_name, '?')
                       AS plan_label,
                   t.province_key, t.indicator_code, t.year, t.comparator, t.target_value, t.unit, t.actual_value,
                   t.status, t.status_reason, t.quote, t.line, t.source_path,
                   CASE WHEN t.actual_value IS NULL THEN NULL
                        WHEN t.unit = 'rank' THEN t.target_value - t.actual_value
                        ELSE t.actual_value - t.target_value END AS gap
            FROM mart_target_vs_actual AS t JOIN dim_document AS d USING (document_id)
            ORDER BY plan_label, t.year, t.indicator_code, t.target_id"""
PANEL_SQL = """SELECT x.province_key, p.name_vi AS province_name, x.year, x.papi_total, x.pci_total,
                                  x.par_index, x.sipas
                           FROM mart_index_panel AS x JOIN dim_province AS p USING (province_key)
                           ORDER BY x.year, p.name_vi"""
UNITS_SQL = """SELECT unit_2025_name, year, score_unweighted, members_total, members_covered,
                              all_members_covered, array_to_string(members_missing, ', ') AS members_missing
                       FROM mart_scores_2025_units WHERE indicator_code = 'PAPI.TOTAL'
                       ORDER BY year, unit_2025_name"""


def _has_table(con, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchall()[0][0])


def _optional(con, table: str, sql: str) -> pl.DataFrame:
    """A mart a warehouse of an older build may lack: empty then."""
    return con.sql(sql).pl() if _has_table(con, table) else pl.DataFrame()


def load_report_data(db: Path, build_id: str | None = None) -> ReportData:
    con = duckdb.connect(str(db), read_only=True, config={"memory_limit": READER_MEMORY})
    try:
        has_ref = _has_table(con, "ref_methodology_break")
        breaks = con.execute(BREAKS_SQL).fetchall() if has_ref else list(METHODOLOGY_BREAKS)
        provinces = con.sql(PROVINCES_SQL).pl()
        indicators = con.sql(INDICATORS_SQL).pl()
        scores = con.sql(SCORES_SQL).pl()
        coverage = con.sql(COVERAGE_SQL).pl()
        targets = con.sql(TARGETS_SQL).pl()
        panel = _optional(con, "mart_index_panel", PANEL_SQL)
        units_2025 = _optional(con, "mart_scores_2025_units", UNITS_SQL)
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
