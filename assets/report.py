"""The analyst report: warehouse/report/index.html, one self-contained page per published build."""

import base64

import dagster as dg

from pipelines.marts_export import read_build_id
from pipelines.report import CHARTS, NO_MAP_NOTE, build_report

from .resources import SettingsResource


@dg.asset(
    key="report_html",
    group_name="report",
    kinds={"html", "vega"},
    owners=["team:governance-data"],
    deps=[dg.AssetKey("warehouse_published")],
    description="One self-contained HTML report per build (warehouse/report/index.html, opens offline: Vega, "
    "Vega-Lite and Vega-Embed inlined) from the published marts: national PAPI ranking per year, "
    "province × dimension heatmap, a province's trends against the national mean with its rank and a "
    "polar chart of the 8 dimensions, plan coverage, targets against actuals. Methodology breaks on every "
    "time axis; missing scores drawn as missing. Code: pipelines/report.py.",
)
def report_html(context: dg.AssetExecutionContext, settings: SettingsResource) -> dg.MaterializeResult:
    s = settings.get()
    build_id = read_build_id(s.marts_dir)
    report = build_report(s.published_db, s.report_dir, build_id)
    context.log.info(f"report written to {report.path} ({report.n_bytes:,} bytes, charts: {', '.join(report.charts)})")
    meta: dict = {
        "path": dg.MetadataValue.path(str(report.path)),
        "url": dg.MetadataValue.url(report.path.as_uri()),
        "size_bytes": report.n_bytes,
        "build_id": build_id or "",
        "charts": dg.MetadataValue.md("\n".join(f"- `{n}`: {t}" for n, (t, _) in CHARTS.items())),
        "map": NO_MAP_NOTE,
    }
    for name, png in report.pngs.items():  # the Dagster UI shows the key charts
        meta[f"chart_{name}"] = dg.MetadataValue.md(
            f"![{name}](data:image/png;base64,{base64.b64encode(png).decode()})"
        )
    return dg.MaterializeResult(metadata=meta)
