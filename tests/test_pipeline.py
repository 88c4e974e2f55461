"""The whole Dagster graph on raw/, in process, into a throwaway warehouse folder."""
from __future__ import annotations

import dagster as dg
import duckdb
import pytest


@pytest.fixture(scope="module")
def built():
    from pipelines import definitions, warehouse

    result = dg.materialize(
        [definitions.raw_plan_files, definitions.stg_plans, *definitions.sql_assets, definitions.publish_asset,
         *definitions.build_checks()],
        resources={"duckdb": definitions.defs.resources["duckdb"]},
    )
    return result, warehouse.PUBLISHED_DB


def test_run_succeeds_and_publishes(built):
    result, published = built
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    con = duckdb.connect(str(published), read_only=True)
    counts = dict(con.execute("SELECT source_path, n_tasks FROM dim_document").fetchall())
    assert counts == {"plans/000_fc9f8ecdecbcee10.txt": 50, "plans/001_5d5a89fb325a0d90.txt": 67,
                      "plans/002_a4935c26879af6ae.txt": 85, "plans/004_0f436dfa0397b1ae.txt": 51}
    assert con.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0] == 253
    assert con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0] == 0
    # every fact key resolves; grains are unique
    assert con.execute("SELECT count(*) FROM fct_plan_task t ANTI JOIN dim_document d USING (document_id)").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) - count(DISTINCT task_id) FROM fct_plan_task").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) - count(DISTINCT finding_id) FROM dq_finding").fetchall()[0][0] == 0
    row = con.execute("SELECT province_key, doc_numbers, issue_date::VARCHAR, n_findings_warning FROM dim_document "
                      "WHERE source_path = 'plans/001_5d5a89fb325a0d90.txt'").fetchall()[0]
    assert row == ("2004-51", ["881/QĐ-UBND"], "2017-05-12", 3)
    t = con.execute("SELECT task_ref, timeline_text, line_start, line_end FROM fct_plan_task "
                    "WHERE task_ref = '3.4.b'").fetchall()
    assert t == [("3.4.b", "Trong năm 2020", 337, 340)]
    comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'fct_plan_task' "
                          "AND column_name = 'task_ref'").fetchall()[0][0]
    assert comment.startswith("The row's own number")
    con.close()


def test_sql_model_dependencies_come_from_the_sql():
    from pipelines.warehouse import load_models

    deps = {m.name: m.deps for m in load_models()}
    assert deps["dim_document"] == ("stg_documents", "stg_findings")
    assert deps["fct_plan_task"] == ("stg_plan_tasks",)


def test_reader_holding_published_file_does_not_block_rebuild(built, tmp_path):
    from pipelines.warehouse import BUILD_DB, publish

    _, published = built
    reader = duckdb.connect(str(published), read_only=True)
    before = reader.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0]
    publish(BUILD_DB, published)  # replaces the file while the reader holds the old one
    assert reader.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0] == before == 253
    reader.close()
    again = duckdb.connect(str(published), read_only=True)
    assert again.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0] == 253
    again.close()
