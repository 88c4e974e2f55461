"""`make bench` calls the same plain functions the Dagster assets wrap, in the same order (tools/bench/run.py
build). A new staging table the SQL models read must be loaded there too, or the bench stops at the first model
that reads it (as it did when stg_ref_population arrived). Run here on a small SYNTHETIC corpus, into its own
warehouse folder: every contract and expectation passes and no task is lost against the generator's manifest."""

from __future__ import annotations

import pytest

from tools.bench import run, synthetic


def test_the_bench_pipeline_builds_a_small_synthetic_corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDATA_WAREHOUSE_DIR", str(tmp_path / "wh"))  # never the tests' shared warehouse
    root = synthetic.generate(12, seed=7, out=tmp_path / "corpus")
    results: dict = {}
    out = run.build(root, results)
    expected = synthetic.read_manifest(root)
    assert out["n_documents"] == 12
    assert out["tasks"] == sum(expected.values())
    assert all(k in results for k in ("parse", "normalise", "scores", "sql_models", "checks", "report", "publish"))
    # the report is written into the release, within the publish
    assert results["report"]["wall_s"] <= results["publish"]["wall_s"]
    assert (tmp_path / "wh" / "report" / "index.html").is_file()
    # the load average beside every figure: before and after each stage
    assert all(len(v["load_avg_1m"]) == 2 for v in results.values() if isinstance(v, dict))


pytestmark = pytest.mark.slow


def _burn(seconds: float) -> None:
    import time

    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_each_stage_reports_the_cpu_seconds_of_the_build_and_its_workers():
    """A stage's CPU seconds count its child processes (the parse workers): a child that computes 0.6 s and a
    sleep that computes nothing give about 0.6 s, whatever else the machine is doing meanwhile."""
    import multiprocessing
    import time

    results: dict = {}
    with run.stage(results, "work", 1, 1):
        p = multiprocessing.get_context("forkserver").Process(target=_burn, args=(0.6,))
        p.start()
        p.join()
        time.sleep(0.3)
    assert 0.55 <= results["work"]["cpu_s"] < 1.5, results["work"]
    assert results["work"]["wall_s"] >= 0.6


def _rounded(row: tuple) -> tuple:
    # DuckDB sums in parallel: the last bits of a float mean may differ between two builds (as compare_builds)
    return tuple(round(v, 9) if isinstance(v, float) else v for v in row)


def _published_rows(warehouse) -> dict[str, list]:
    """Every table of a warehouse's release (but build_info) and every mart file, as sorted rows."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{warehouse / 'governance.duckdb'}' AS r (READ_ONLY)").fetchall()
    out = {}
    for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'r'").fetchall():
        if t != "build_info":
            out[t] = sorted((_rounded(r) for r in con.execute(f'SELECT * FROM r."{t}"').fetchall()), key=repr)
    for f in sorted((warehouse / "marts").rglob("*.parquet")):
        rows = con.execute(f"SELECT * FROM read_parquet('{f}')").fetchall()
        out[f"marts/{f.parent.name}"] = sorted((_rounded(r) for r in rows), key=repr)
    con.close()
    return out


def test_a_noop_refresh_keeps_the_release_and_one_new_documents_release_equals_a_full_build(tmp_path, monkeypatch):
    """Issue 27: nothing changed, nothing is redone (the release is kept, no report is written); after one new
    document the refreshed release (documents replaced one by one in the mirror, models and checks only where their
    inputs changed) holds exactly what a cold build of the same files publishes."""
    from pipelines.publish.release import current_build_id

    wh, cold = tmp_path / "wh", tmp_path / "cold"
    monkeypatch.setenv("GOVDATA_WAREHOUSE_DIR", str(wh))
    root = synthetic.generate(12, seed=7, out=tmp_path / "corpus")
    run.build(root, {})
    first = current_build_id(wh)
    noop: dict = {}
    run.build(root, noop, "noop_")
    assert current_build_id(wh) == first and "noop_report" not in noop  # kept: no report, no new release
    synthetic.generate_one(root, 13, 7)
    run.build(root, {}, "refresh_")
    assert current_build_id(wh) != first
    monkeypatch.setenv("GOVDATA_WAREHOUSE_DIR", str(cold))
    out = run.build(root, {})
    assert out["n_documents"] == 13
    refreshed, full = _published_rows(wh), _published_rows(cold)
    assert refreshed.keys() == full.keys()
    assert [t for t in full if refreshed[t] != full[t]] == []
    # the report differs only by the build id
    pages = [(w / "report" / "index.html").read_text(encoding="utf-8") for w in (wh, cold)]
    assert pages[0].replace(current_build_id(wh) or "", "ID") == pages[1].replace(current_build_id(cold) or "", "ID")
