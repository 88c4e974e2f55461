"""Pandera contracts validated in slices and incrementally (pipelines/validation.py): the same verdict as
validating the whole table, while a refresh validates only the documents whose rows changed."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines.contracts import CORE_MODELS
from pipelines.validation import STATE, validate_table

TASKS = {"fb5d00c12cc86914": 50, "b4b9dfe0cf6bfabe": 67, "b87cb0caa1fc84d8": 85, "14f81197b396b4ee": 51}


@pytest.fixture()
def con(built, tmp_path):
    _, published = built
    path = tmp_path / "copy.duckdb"
    shutil.copy(published, path)
    c = duckdb.connect(str(path))
    yield c
    c.close()


def test_second_validation_reuses_every_unchanged_document(con):
    first = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    assert first.passed and first.rows_validated == 253 and first.documents_validated == 4
    assert dict(con.execute(f'SELECT document_id, n_rows FROM "{STATE}" WHERE table_name = ?',
                            ["fct_plan_task"]).fetchall()) == TASKS
    again = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    assert again.passed and (again.rows_validated, again.documents_reused) == (0, 4)


def test_a_changed_document_is_validated_alone_and_its_bad_row_found(con):
    validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    con.execute("UPDATE fct_plan_task SET line_end = line_start - 1 WHERE task_id = 'b87cb0caa1fc84d8-0007'").fetchall()
    v = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    assert not v.passed
    assert (v.rows_validated, v.documents_validated, v.documents_reused) == (85, 1, 3)  # HCMC PAR plan only
    assert set(v.cases()["check"].to_list()) == {"line_range_ordered"}
    assert v.rows()["task_id"].to_list() == ["b87cb0caa1fc84d8-0007"]
    # a failed validation records nothing: the document is validated again next time
    assert validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"]).documents_validated == 1


def test_a_key_duplicated_across_documents_is_found_when_one_side_changed(con):
    validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    # document 002's first task row copied under Hanoi's document: only Hanoi's rows changed
    con.execute("INSERT INTO fct_plan_task SELECT * REPLACE ('14f81197b396b4ee' AS document_id) FROM fct_plan_task "
                "WHERE task_id = 'b87cb0caa1fc84d8-0001'").fetchall()
    v = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"])
    assert (v.documents_validated, v.documents_reused) == (1, 3)
    assert v.duplicate_keys["task_id"].rows() == [("b87cb0caa1fc84d8-0001", 2)]
    assert not v.passed


def test_slices_give_the_same_verdict_as_the_whole_table(con):
    con.execute("UPDATE fct_plan_task SET timeline_kind = 'someday' WHERE task_id IN "
                "('fb5d00c12cc86914-0003', '14f81197b396b4ee-0051')").fetchall()
    whole = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"], incremental=False)
    sliced = validate_table(con, "fct_plan_task", CORE_MODELS["fct_plan_task"], slice_rows=60, incremental=False)
    assert (whole.slices, sliced.slices) == (1, 5)
    assert whole.rows_validated == sliced.rows_validated == 253
    assert sorted(whole.rows()["task_id"].to_list()) == sorted(sliced.rows()["task_id"].to_list()) == [
        "14f81197b396b4ee-0051", "fb5d00c12cc86914-0003"]


def test_tables_without_documents_are_validated_whole_every_time(con):
    for _ in range(2):
        v = validate_table(con, "dim_indicator", CORE_MODELS["dim_indicator"])
        assert v.passed and v.rows_validated == v.rows_in_table == 50
