"""Self-describing Parquet marts: descriptions, source, licence, keys and build id in every file; the dimensions
beside the marts; `year` inside the files; no __HIVE_DEFAULT_PARTITION__; a Frictionless descriptor that validates."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

EXPORTED = {
    "mart_province_scores",
    "mart_plan_coverage",
    "mart_agency_workload",
    "mart_target_vs_actual",
    "mart_index_panel",
    "mart_score_change",
    "mart_scores_2025_units",
    "dim_province",
    "dim_indicator",
    "dim_agency",
    "dim_document",
    "ref_methodology_break",
}


def _read_all_ways(folder):
    import pandas as pd
    import polars as pl
    import pyarrow.dataset as ds

    d = duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet', hive_partitioning=true)").fetchall()[0][
        0
    ]
    p = pl.scan_parquet(f"{folder}/**/*.parquet", hive_partitioning=True).select(pl.len()).collect().item()
    a = ds.dataset(str(folder), format="parquet", partitioning="hive").count_rows()
    f = len(pd.read_parquet(folder))
    return d, p, a, f


def test_every_file_describes_itself(built):
    import pyarrow.parquet as pq

    from pipelines.quality.contracts import CORE_MODELS
    from pipelines.quality.schemas import column_docs
    from pipelines.settings import Settings

    MARTS_DIR = Settings.from_env().marts_dir

    descriptor = json.loads((MARTS_DIR / "datapackage.json").read_text(encoding="utf-8"))
    build_id = descriptor["build_id"]
    assert build_id
    assert {p.name for p in MARTS_DIR.iterdir() if p.is_dir()} == EXPORTED
    for table in EXPORTED:
        docs = column_docs(CORE_MODELS[table])
        files = sorted((MARTS_DIR / table).rglob("*.parquet"))
        assert files, table
        for f in files:
            schema = pq.read_schema(f)
            meta = {k.decode(): v.decode() for k, v in schema.metadata.items()}
            assert meta["table"] == table and meta["build_id"] == build_id
            assert meta["description"] and "Grain" in meta["description"], (table, meta["description"])
            assert "PAPI" in meta["source"] or "Plans" in meta["source"] or "reference" in meta["source"]
            assert "CC0-1.0" in meta["licence"]
            assert json.loads(meta["primary_key"]), table
            for field in schema:
                assert field.metadata[b"description"].decode() == docs[field.name], (table, field.name)
                assert docs[field.name], (table, field.name)
    # one file per table (Frictionless reads a Parquet resource as one file), rows in year order, year int32
    for table in EXPORTED:
        assert [p.relative_to(MARTS_DIR / table).as_posix() for p in (MARTS_DIR / table).rglob("*.parquet")] == [
            "data.parquet"
        ]
    years = pq.read_table(MARTS_DIR / "mart_province_scores" / "data.parquet", columns=["year"]).column("year")
    assert str(years.type) == "int32" and years.to_pylist() == sorted(years.to_pylist())
    assert len(set(years.to_pylist())) > 10
    assert not list(MARTS_DIR.rglob("*HIVE_DEFAULT_PARTITION*"))


def test_frictionless_validates_the_data_of_every_resource(built):
    """`frictionless validate marts/datapackage.json`, data included: every resource valid (types, nulls, list
    columns, primary and foreign keys), and every row read (a multi-file resource would be read as its first file
    only)."""
    import frictionless

    from pipelines.settings import Settings

    path = Settings.from_env().marts_dir / "datapackage.json"
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])[:20]
    tasks = {t.name: t for t in report.tasks}
    assert set(tasks) == EXPORTED
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        assert tasks[res["name"]].stats["rows"] == res["rows"], res["name"]
    rows = {r["name"]: r["rows"] for r in descriptor["resources"]}
    assert rows["mart_province_scores"] > 30000  # 37,294 on the real panel, not the 420 of one year's file


def test_pandas_keeps_nullable_integers_and_lists_are_json_arrays(built):
    """pandas reads an integer column with missing values as Int64 (<NA>), never float with NaN; a list column is
    a JSON array as text that DuckDB and Python read back."""
    import pandas as pd

    from pipelines.settings import Settings

    marts = Settings.from_env().marts_dir
    docs = pd.read_parquet(marts / "dim_document" / "data.parquet")
    assert str(docs["page_count"].dtype) == "Int64" and str(docs["plan_year_start"].dtype) == "Int64"
    assert docs["page_count"].isna().any()  # text plans have no pages: missing, not NaN in a float column
    units = pd.read_parquet(marts / "mart_scores_2025_units" / "data.parquet")
    assert str(units["members_total"].dtype) == "Int64" and str(units["all_members_covered"].dtype) == "boolean"
    hcmc = units[(units["unit_2025_name"] == "Hồ Chí Minh") & (units["year"] == 2024)].iloc[0]
    assert sorted(json.loads(hcmc["member_keys"])) == ["2004-74", "2004-77", "2004-79"]
    con = duckdb.connect()
    (keys,) = con.execute(
        f"SELECT from_json(member_keys, '[\"VARCHAR\"]') FROM read_parquet('{marts}/mart_scores_2025_units/*.parquet') "
        "WHERE unit_2025_name = 'Hồ Chí Minh' AND year = 2024 LIMIT 1"
    ).fetchone()
    assert sorted(keys) == ["2004-74", "2004-77", "2004-79"]


def test_data_package_validates_with_frictionless(built):
    import frictionless

    from pipelines.settings import Settings

    MARTS_DIR = Settings.from_env().marts_dir

    path = MARTS_DIR / "datapackage.json"
    report = frictionless.Package.validate_descriptor(str(path))
    assert report.valid, report.flatten(["type", "note"])
    package = frictionless.Package(str(path))
    by_name = {r.name: r for r in package.resources}
    assert set(by_name) == EXPORTED
    for name, res in by_name.items():
        assert res.schema.primary_key, name
        assert all(f.description for f in res.schema.fields), name
        for p in res.paths if res.multipart else [res.path]:
            assert (MARTS_DIR / p).is_file(), p
    fks = {
        (name, fk["fields"][0], fk["reference"]["resource"])
        for name, r in by_name.items()
        for fk in r.schema.foreign_keys
    }
    assert ("mart_province_scores", "province_key", "dim_province") in fks
    assert ("mart_province_scores", "indicator_code", "dim_indicator") in fks
    assert ("mart_agency_workload", "agency_id", "dim_agency") in fks
    assert ("mart_target_vs_actual", "document_id", "dim_document") in fks
    assert ("dim_province", "successor_key", "") in fks  # self-reference
    assert any(lic["name"] == "CC0-1.0" for lic in package.to_descriptor()["licenses"])
    # every foreign key of the marts resolves in the exported dimensions
    con = duckdb.connect()
    for name, res in by_name.items():
        for fk in res.schema.foreign_keys:
            ref = fk["reference"]["resource"] or name
            col, ref_col = fk["fields"][0], fk["reference"]["fields"][0]
            n = con.execute(f"""SELECT count(*) FROM read_parquet('{MARTS_DIR / name}/**/*.parquet') AS a
                                WHERE a."{col}" IS NOT NULL AND a."{col}" NOT IN
                                (SELECT "{ref_col}" FROM read_parquet('{MARTS_DIR / ref}/**/*.parquet'))""").fetchall()[
                0
            ][0]
            assert n == 0, (name, col, ref)


def test_rows_without_a_year_read_alike_in_every_reader(built, tmp_path):
    """A plan with no plan year: its coverage and target rows have year NULL; the marts still read the same in
    DuckDB, polars, pyarrow and pandas, and no __HIVE_DEFAULT_PARTITION__ folder is written."""
    from pipelines.publish.files import publish_marts
    from pipelines.settings import Settings

    BUILD_DB = Settings.from_env().build_db

    db = tmp_path / "copy.duckdb"
    shutil.copyfile(BUILD_DB, db)
    con = duckdb.connect(str(db))
    con.execute(
        "UPDATE mart_plan_coverage SET year = NULL WHERE document_id = (SELECT min(document_id) "
        "FROM mart_plan_coverage)"
    ).fetchall()
    con.execute(
        "UPDATE mart_target_vs_actual SET year = NULL WHERE target_id = (SELECT min(target_id) "
        "FROM mart_target_vs_actual)"
    ).fetchall()
    counts = {
        t: con.execute(f"SELECT count(*), count(*) - count(year) FROM {t}").fetchall()[0]
        for t in ("mart_plan_coverage", "mart_target_vs_actual")
    }
    con.close()
    assert all(nulls > 0 for _, nulls in counts.values())
    out = tmp_path / "marts"
    publish_marts(db, out, build_id="test-build")
    assert not list(out.rglob("*HIVE_DEFAULT_PARTITION*"))
    for table, (n, nulls) in counts.items():
        assert _read_all_ways(out / table) == (n, n, n, n), table
        import pandas as pd

        assert int(pd.read_parquet(out / table)["year"].isna().sum()) == nulls
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["build_id"] == "test-build"


@pytest.mark.parametrize("table", sorted(EXPORTED))
def test_exported_tables_read_alike(built, table):
    from pipelines.settings import Settings

    MARTS_DIR = Settings.from_env().marts_dir

    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    con.close()
    assert _read_all_ways(MARTS_DIR / table) == (n, n, n, n)
