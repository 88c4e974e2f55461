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
