"""The analyst report: warehouse/report/index.html, one self-contained page per published build."""

import base64

import dagster as dg

from assets.resources import SettingsResource
from pipelines.publish.marts_export import read_build_id
from pipelines.publish.release import BUILD_ID_FILE, REPORT_NAME, link_report
from pipelines.report.charts import CHARTS
from pipelines.report.page import NO_MAP_NOTE, PNG_CHARTS, build_report


@dg.asset(
    key="report_html",
    group_name="report",
    kinds={"html", "vega"},
    owners=["team:governance-data"],
    deps=[dg.AssetKey("warehouse_published")],
    description="One self-contained HTML report per build (warehouse/report/index.html, opens offline: Vega, "
    "Vega-Lite and Vega-Embed inlined) from the published marts. First a province view driven by the selector at "
    "the top (every title names the province): latest total and rank, each dimension against the national mean "
    "with values printed, change since 2018 with its comparability, total and rank per year, the province's plan "
    "targets with their status. Then the country: ranking per year, province × dimension heatmap, national means, "
    "plan coverage, targets against actuals (points and ranks apart), indices together, the 2025 units. "
    "Methodology breaks on every time axis; missing scores drawn as missing. Key charts as PNG in the metadata. "
    "Written into the release folder by the publish, before the switch, so the report shown is always the "
    "release's own. Code: pipelines/report/ (page.py, data.py, charts.py, province_charts.py, province_view.py).",
)
def report_html(context: dg.AssetExecutionContext, settings: SettingsResource) -> dg.MaterializeResult:
    s = settings.get()
    build_id = read_build_id(s.marts_dir)
    page = s.report_dir / "index.html"
    own = s.warehouse_dir / "current" / REPORT_NAME
    if build_id and not (own / BUILD_ID_FILE).is_file():
        # a release published without its report (by a tool, not the publish asset): written into it now
        build_report(s.published_db, own, build_id, cache_dir=s.report_cache_dir)
        (own / BUILD_ID_FILE).write_text(build_id + "\n", encoding="utf-8")
        link_report(s.warehouse_dir)
    report_id = (s.report_dir / BUILD_ID_FILE).read_text(encoding="utf-8").strip()
    if report_id != build_id:
        raise dg.Failure(f"the published report is of build {report_id}, the release of {build_id}")
    n_bytes = page.stat().st_size
    context.log.info(f"report of build {build_id}: {page} ({n_bytes:,} bytes, charts: {', '.join(CHARTS)})")
    meta: dict = {
        "path": dg.MetadataValue.path(str(page)),
        "url": dg.MetadataValue.url(page.as_uri()),
        "size_bytes": n_bytes,
        "build_id": build_id or "",
        "charts": dg.MetadataValue.md("\n".join(f"- `{n}`: {t}" for n, (t, _) in CHARTS.items())),
        "map": NO_MAP_NOTE,
    }
    for name in PNG_CHARTS:  # the Dagster UI shows the key charts
        png = (s.report_dir / f"{name}.png").read_bytes()
        meta[f"chart_{name}"] = dg.MetadataValue.md(
            f"![{name}](data:image/png;base64,{base64.b64encode(png).decode()})"
        )
    return dg.MaterializeResult(metadata=meta)
