"""Pandera contracts validated in slices and incrementally (pipelines/quality/validation.py): the same verdict as
validating the whole table, while a refresh validates only the documents whose rows changed."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines.quality.contracts import CORE_MODELS
from pipelines.quality.validation import STATE, validate_table

TASKS = {
    "fb5d00c12cc86914": 50,
    "b4b9dfe0cf6bfabe": 67,
    "b87cb0caa1fc84d8": 85,
    "14f81197b396b4ee": 51,
    "409018ee49d26868": 71,
}


@pytest.fixture()
def con(built, tmp_path):
    _, published = built
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(published, path)  # not copy: the published file is 0444
    c = duckdb.connect(str(path))
    yield c
    c.close()


def test_second_validation_reuses_every_unchanged_document(con):
    first = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    assert first.passed and first.rows_validated == 324 and first.documents_validated == 5
    assert (
        dict(
            con.execute(f'SELECT document_id, n_rows FROM "{STATE}" WHERE table_name = ?', ["fct_plan_task"]).fetchall()
        )
        == TASKS
    )
    again = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    assert again.passed and (again.rows_validated, again.documents_reused) == (0, 5)


def test_a_changed_document_is_validated_alone_and_its_bad_row_found(con):
    validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    con.execute("UPDATE fct_plan_task SET line_end = line_start - 1 WHERE task_id = 'b87cb0caa1fc84d8-0007'").fetchall()
    v = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    assert not v.passed
    assert (v.rows_validated, v.documents_validated, v.documents_reused) == (85, 1, 4)  # HCMC PAR plan only
    assert set(v.cases()["check"].to_list()) == {"line_range_ordered"}
    assert v.rows()["task_id"].to_list() == ["b87cb0caa1fc84d8-0007"]
    # a failed validation records nothing: the document is validated again next time
    assert validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"]).documents_validated == 1


def test_a_key_duplicated_across_documents_is_found_when_one_side_changed(con):
    validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    # document 002's first task row copied under Hanoi's document: only Hanoi's rows changed
    con.execute(
        "INSERT INTO fct_plan_task SELECT * REPLACE ('14f81197b396b4ee' AS document_id) FROM fct_plan_task "
        "WHERE task_id = 'b87cb0caa1fc84d8-0001'"
    ).fetchall()
    v = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    assert (v.documents_validated, v.documents_reused) == (1, 4)
    assert v.duplicate_keys["task_id"].rows() == [("b87cb0caa1fc84d8-0001", 2)]
    assert not v.passed


def test_slices_give_the_same_verdict_as_the_whole_table(con):
    con.execute(
        "UPDATE fct_plan_task SET timeline_kind = 'someday' WHERE task_id IN "
        "('fb5d00c12cc86914-0003', '14f81197b396b4ee-0051')"
    ).fetchall()
    whole = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"], incremental=False)
    sliced = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"], slice_rows=60, incremental=False)
    assert (whole.slices, sliced.slices) == (1, 6)
    assert whole.rows_validated == sliced.rows_validated == 324
    assert (
        sorted(whole.rows()["task_id"].to_list())
        == sorted(sliced.rows()["task_id"].to_list())
        == ["14f81197b396b4ee-0051", "fb5d00c12cc86914-0003"]
    )


def test_tables_without_documents_are_validated_whole_unless_the_same_rows_passed(con):
    v = validate_table(con, "dim_indicator", CORE_MODELS["dim_indicator"])
    assert v.passed and v.rows_validated == v.rows_in_table == 64  # 50 PAPI/PAR + 13 PCI + SIPAS
    again = validate_table(con, "dim_indicator", CORE_MODELS["dim_indicator"])
    assert again.passed and (again.rows_validated, again.documents_reused) == (0, 1)
    assert validate_table(con, "dim_indicator", CORE_MODELS["dim_indicator"], incremental=False).rows_validated == 64
    # a changed row: the whole table again, and a failing one fails every time
    con.execute("UPDATE dim_indicator SET level = 'nonsense' WHERE indicator_code = 'PAPI.D1'").fetchall()
    for _ in range(2):
        bad = validate_table(con, "dim_indicator", CORE_MODELS["dim_indicator"])
        assert not bad.passed and bad.rows_validated == 64


# ---------------------------------------------------------------- incremental SQL models


def _equals_full_rebuild(con, model) -> bool:
    body = "\n".join(ln for ln in model.sql.splitlines() if not ln.strip().startswith("--")).strip().rstrip(";")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _full AS {body}").fetchall()
    return (
        con.execute(
            f'SELECT (SELECT count(*) FROM (SELECT * FROM "{model.name}" EXCEPT ALL SELECT * FROM _full)) + '
            f'(SELECT count(*) FROM (SELECT * FROM _full EXCEPT ALL SELECT * FROM "{model.name}"))'
        ).fetchall()[0][0]
        == 0
    )


def test_incremental_models_replace_only_the_documents_whose_inputs_changed(con):
    import dataclasses

    from pipelines.warehouse.sql_models import load_models, run_model_detail

    models = {m.name: m for m in load_models()}
    assert {n for n, m in models.items() if m.incremental_by == "document_id"} == {
        "fct_plan_task",
        "bridge_task_agency",
        "fct_plan_target",
        "mart_plan_coverage",
    }
    task = models["fct_plan_task"]
    first = run_model_detail(con, task)
    assert (first.mode, first.reason, first.rows) == ("full", "first build", 324)
    assert run_model_detail(con, task).units_changed == 0
    # one task of the Quảng Ngãi plan is re-worded, and the Hà Nội plan leaves the staging tables
    con.execute(
        "UPDATE stg_plan_tasks SET task_text = task_text || ' (sửa)' WHERE task_id = 'b4b9dfe0cf6bfabe-0001'"
    ).fetchall()
    for t in ("stg_plan_tasks", "stg_task_normalised"):
        con.execute(f"DELETE FROM {t} WHERE document_id = '14f81197b396b4ee'").fetchall()
    run = run_model_detail(con, task)
    assert (run.mode, run.units_changed, run.rows) == ("incremental", 2, 324 - 51)
    assert (
        con.execute("SELECT task_text FROM fct_plan_task WHERE task_id = 'b4b9dfe0cf6bfabe-0001'")
        .fetchall()[0][0]
        .endswith(" (sửa)")
    )
    assert _equals_full_rebuild(con, task)
    # a change to the model's SQL rebuilds it whole
    edited = dataclasses.replace(task, sql=task.sql + "\n")
    assert (run_model_detail(con, edited).mode, run_model_detail(con, edited).mode) == ("full", "incremental")


def test_a_full_model_whose_inputs_did_not_change_is_not_run_again(con):
    """No-op refresh: a model built in full is kept when its SQL, docs and input tables (and its own rows) are
    those of its last build, and built again, equal to a full rebuild, when any of them changed."""
    import dataclasses

    from pipelines.warehouse.sql_models import load_models, run_model_detail

    model = {m.name: m for m in load_models()}["dim_document"]
    assert run_model_detail(con, model).mode == "full"
    kept = run_model_detail(con, model)
    assert (kept.mode, kept.rows) == ("unchanged", 5)
    con.execute(
        "UPDATE stg_documents SET issuer_name = issuer_name || ' (sửa)' WHERE document_id = 'b4b9dfe0cf6bfabe'"
    ).fetchall()
    assert run_model_detail(con, model).mode == "full" and _equals_full_rebuild(con, model)
    assert run_model_detail(con, model).mode == "unchanged"
    con.execute("DELETE FROM dim_document WHERE document_id = 'b4b9dfe0cf6bfabe'").fetchall()  # its own rows
    assert run_model_detail(con, model).mode == "full" and _equals_full_rebuild(con, model)
    edited = dataclasses.replace(model, description=model.description + " (edited)")
    assert run_model_detail(con, edited).mode == "full"
    # SQL that reads the date is keyed by it; SQL that draws random numbers is always run
    rnd = dataclasses.replace(model, sql=model.sql.replace("SELECT", "SELECT random() AS r,", 1))
    assert [run_model_detail(con, rnd).mode for _ in range(2)] == ["full", "full"]


def test_a_mart_unchanged_since_its_last_passing_suite_is_not_validated_again(con, tmp_path):
    from pipelines.quality.expectations import validate_mart_in_db

    first, reused = validate_mart_in_db(con, "mart_agency_workload", tmp_path)
    assert first.success and not reused and first.docs_index.is_file()
    again, reused = validate_mart_in_db(con, "mart_agency_workload", tmp_path)
    assert reused and again.success and again.n_expectations == first.n_expectations
    # a duplicated row: validated again, fails, and the failure is never reused
    con.execute("INSERT INTO mart_agency_workload SELECT * FROM mart_agency_workload LIMIT 1").fetchall()
    for _ in range(2):
        bad, reused = validate_mart_in_db(con, "mart_agency_workload", tmp_path)
        assert not bad.success and not reused
        assert "expect_compound_columns_to_be_unique" in {f["expectation"] for f in bad.failed}
