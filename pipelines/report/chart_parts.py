"""What the report's charts share: the data sets written once in the page, the year axis, the methodology-break rules, the province selector and titles."""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from pipelines.report.data import DEFAULT_PROVINCE, ReportData


def _values(data: ReportData, name: str, df: pl.DataFrame) -> alt.Data:
    """Named data: the rows go once into `data.datasets` (each spec gets the datasets it names, the page holds each
    once), so altair neither validates nor repeats thousands of inline rows. Kept as the frame: the page writes it
    as JSON in pieces (pipelines/report/json_stream.py), a chart spec gets its rows when it asks (chart_specs)."""
    data.datasets[name] = df
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


def _latest(data: ReportData) -> int:
    return _years(data)[-1]  # IndexError without scores: the chart says there are none


def _dimension_y() -> alt.Y:
    return alt.Y("indicator_label:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=240))


def _dimension_panel(layers: list, params: tuple, width: int, title: str, subtitle: str) -> alt.TopLevelMixin:
    """A province chart with one row per dimension: its layers, the province selector's parameters, a row height
    that fits the labels, the title naming the province."""
    return (
        alt.layer(*layers)
        .add_params(*params)
        .properties(width=width, height=alt.Step(26), title=_title(title, subtitle))
    )


def _no_scores_chart(title: str) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=[{"t": "Không có số liệu điểm trong bản dựng này (thiếu ../shared/data)"}]))
        .mark_text(size=14)
        .encode(text="t:N")
        .properties(width=500, height=60, title=title)
    )
