"""GX Data Docs readable offline (issue 25.5): GX 1.x pages load Bootstrap, jQuery, bootstrap-table, Font Awesome
and Vega from CDNs and fill their tables from JavaScript, so opened offline the index is blank. pipelines/quality/gx_offline
rewrites each page: tables as HTML rows, no http(s) script, style or image. Checked on a page shaped as GX writes it,
and on real Data Docs in headless Chromium with every non-file request refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.quality.gx_offline import offline_page, remote_assets
from pipelines.settings import Settings
from tests.conftest import chromium_browser

CHROMIUM = Settings.from_env().chromium

GX_LIKE = """<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<link rel="shortcut icon" href="./static/images/favicon.ico" type="image/x-icon"/>
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<script src="https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js"></script>
</head><body>
<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1" alt="logo"/>
<button class="btn" onclick="clearTableFilters('t1')">Clear Filters</button>
<table id="t1" class="table-sm" data-toggle="table">
</table>
<script>
  $('#t1').bootstrapTable(
    Object.assign(
      {
        columns: [{'field': 'ok', 'title': 'Status'}, {'field': 'run_time', 'title': 'Run Time', 'sortName': '_t'},
                  {'field': 'name', 'title': "Suite's name"}],
        data: [{'ok': '<i class="fas fa-check-circle text-success" ></i>', 'run_time': 'early', '_t': 1.0,
                'name': 'a ] } [ {', '_table_row_link_path': 'validations/a.html', '_validation_success_text': 'Success'},
               {'ok': '<i class="fas fa-times text-danger"></i>', 'run_time': 'late', '_t': 2.0,
                'name': "it's b", '_table_row_link_path': 'validations/b.html', '_validation_success_text': 'Failed'}],
        toolbar: '#t1-toolbar'
      },
      {'search': 'true', 'sortName': 'run_time', 'sortOrder': 'desc'}
    )
  );
  $(document).ready(function() {});
</script>
<script>var plain = 1;</script>
</body></html>"""


def test_a_gx_page_is_rewritten_to_load_nothing_and_keep_its_rows():
    assert len(remote_assets(GX_LIKE)) == 4  # two scripts, a style sheet, the logo
    page = offline_page(GX_LIKE, "../../")
    assert remote_assets(page) == []
    assert "bootstrapTable" not in page and "$(" not in page and "clearTableFilters" not in page
    assert "var plain = 1;" in page  # a script that needs no library stays
    assert 'src="../../static/images/logo-long.png"' in page and 'href="./static/images/favicon.ico"' in page
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    assert rows[0] == "<th>Status</th><th>Run Time</th><th>Suite&#x27;s name</th>"
    # newest first, as GX sorts it; brackets and quotes inside the values survive; the row's link and status text
    assert "late" in rows[1] and "it's b" in rows[1] and "a ] } [ {" in rows[2]
    assert '<a href="validations/b.html"><span style="color:#dc3545" aria-hidden="true">✖</span> Failed</a>' in rows[1]
    assert "✔</span> Success</a>" in rows[2]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed")
def test_real_data_docs_read_offline_in_chromium(built, tmp_path):
    """A real GX validation of a published mart, its Data Docs opened with the network cut: the index shows the
    validation row, its status and the suite, and no request leaves the machine."""
    import duckdb

    from pipelines.quality.expectations import expected_facts, validate_mart

    _, db = built
    con = duckdb.connect(str(db), read_only=True)
    try:
        df = con.sql("SELECT * FROM mart_plan_coverage").pl()
        facts = expected_facts(con, "mart_plan_coverage")
    finally:
        con.close()
    outcome = validate_mart("mart_plan_coverage", df, facts, tmp_path)
    assert outcome.success, outcome.failed
    index = outcome.docs_index
    assert remote_assets(index.read_text(encoding="utf-8")) == []
    blocked: list[str] = []
    errors: list[str] = []
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 900})
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(("file:", "data:"))
                else (blocked.append(r.request.url), r.abort())
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(index.as_uri(), wait_until="load")
        text = page.locator("body").inner_text()
    assert blocked == [] and errors == [], (blocked, errors)
    assert "mart_plan_coverage_suite" in text and "✔ Success" in text
    assert "Run Time" in text and "Expectation Suite" in text
