"""The report's charts as Vega-Lite specs (altair): the country's charts, and every chart by name (CHARTS, chart_specs)."""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from pipelines.report.chart_parts import (
    _break_rules,
    _no_scores_chart,
    _province_params,
    _scores,
    _values,
    _with_labels,
    _year_x,
    _years,
)
from pipelines.report.data import MISSING, STATUS_COLOURS, STATUS_VI, ReportData
from pipelines.report.json_stream import rows_of
from pipelines.report.province_charts import (
    province_change_chart,
    province_chart,
    province_dims_chart,
    province_rank_chart,
)
from pipelines.report.province_view import BASE_YEAR
from pipelines.report.vi_text import reason_vi


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


def chart_specs(data: ReportData, rows: bool = True, validate: bool = True) -> dict[str, dict]:
    """Complete Vega-Lite specs (each with the datasets it names, so vl-convert can render it alone). With `rows`
    off, a spec's datasets are the polars frames, not their rows as dicts (the page writes them in pieces). With
    `validate` off, altair does not check each spec against the Vega-Lite schema (a second a report; the same
    specs, which the tests validate)."""
    specs = {}
    for name, (title, fn) in CHARTS.items():
        try:
            chart = fn(data)
        except (IndexError, ValueError):
            if data.scores["score"].drop_nulls().len() if "score" in data.scores.columns else 0:
                raise
            chart = _no_scores_chart(title)  # a build without the published scores: say so, never crash
        spec = chart.to_dict(validate=validate)
        text = json.dumps(spec)
        spec["datasets"] = {
            n: rows_of(df) if rows else df for n, df in data.datasets.items() if f'"name": "{n}"' in text
        }
        specs[name] = spec
    return specs
