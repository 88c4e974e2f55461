"""The architecture rules of `make lint` (tools/check_architecture.py) and the comparison of `make compare-builds`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb

from tools.bench.compare_builds import compare_documents, compare_tables, table_rows
from tools.check_architecture import ALLOWED, violations


def _package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_repository_keeps_the_rules():
    assert violations() == []


def test_a_cycle_through_a_function_level_import_fails(tmp_path):
    _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .b import g\n\ndef f():\n    return g()\n",
            "b.py": "def g():\n    from . import a  # hidden in a function: still a cycle\n    return a\n",
            "c.py": "from pkg import a\n",
        },
    )
    assert violations(tmp_path, ("pkg",), frozenset()) == ["import cycle: pkg.a <-> pkg.b"]


def test_a_long_function_and_a_long_module_fail(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(80))  # 80 lines of body + the def line: 81
    _package(tmp_path, {"__init__.py": "", "long.py": "def f():\n" + body, "big.py": "x = 1\n" * 601})
    assert violations(tmp_path, ("pkg",), frozenset()) == [
        "pkg/big.py: module of 601 lines",
        "pkg/long.py:f: function of 81 lines",
    ]


def test_an_allowlist_entry_that_no_longer_holds_fails(tmp_path):
    _package(tmp_path, {"__init__.py": "", "ok.py": "x = 1\n"})
    stale = "pkg/ok.py: module of 900 lines"
    assert violations(tmp_path, ("pkg",), frozenset({stale})) == [
        f"allowlisted but no longer a violation (remove it): {stale}"
    ]
    # and the project itself holds to the rules with no exception
    assert ALLOWED == frozenset()
    assert violations() == []


def test_compare_tables_ignores_order_build_ids_and_paths(tmp_path):
    def db(name: str, rows: list[tuple], build: str, root: str) -> Path:
        path = tmp_path / f"{name}.duckdb"
        con = duckdb.connect(str(path))
        con.execute("CREATE TABLE t (k INTEGER, path VARCHAR, score DOUBLE, build_id VARCHAR, loaded_at TIMESTAMP)")
        for k, score in rows:
            con.execute("INSERT INTO t VALUES (?, ?, ?, ?, now())", [k, f"{root}/raw/{k}.txt", score, build])
        con.execute("CREATE TABLE build_info (build_id VARCHAR)")
        con.close()
        return path

    roots = ["/tmp/base", "/work/tree"]
    base = table_rows(db("base", [(1, 0.1 + 0.2), (2, 5.0)], "b1", "/tmp/base"), roots)
    same = table_rows(db("same", [(2, 5.0), (1, 0.3)], "b2", "/work/tree"), roots)
    other = table_rows(db("other", [(2, 5.5), (1, 0.3)], "b3", "/work/tree"), roots)
    assert list(base) == ["t"]  # build_info is the build's identity, not its content
    assert base["t"][0] == ["k", "path", "score"]
    assert compare_tables(base, same) == []
    diffs = compare_tables(base, other)
    assert diffs[0] == "table t: 1 rows only in base, 1 only in working tree"
    assert diffs[1] == "  - {'k': 2, 'path': '<ROOT>/raw/2.txt', 'score': 5.0}"
    assert diffs[2] == "  + {'k': 2, 'path': '<ROOT>/raw/2.txt', 'score': 5.5}"


def test_compare_documents_names_the_document_and_what_differs():
    doc = {"doc": {"n_tasks": 1}, "tasks": [{"task_seq": 1, "text": "a"}], "findings": [], "quarantine": None}
    changed = {**doc, "tasks": [{"task_seq": 1, "text": "b"}]}
    assert compare_documents({"raw:x.txt": doc}, {"raw:x.txt": dict(doc)}) == []
    assert compare_documents({"raw:x.txt": doc}, {"raw:x.txt": changed}) == [
        "document raw:x.txt: tasks differ",
        "  - {'task_seq': 1, 'text': 'a'}",
        "  + {'task_seq': 1, 'text': 'b'}",
    ]
    assert compare_documents({"raw:x.txt": doc}, {}) == ["document raw:x.txt: only in base"]
    assert Counter(compare_documents({}, {"raw:y.txt": doc})) == Counter(["document raw:y.txt: only in working tree"])


def test_the_product_may_not_import_its_orchestration_or_tools(tmp_path):
    for pkg, files in {
        "pipelines": {"__init__.py": "", "a.py": "def f():\n    import tools.b\n"},
        "tools": {"__init__.py": "", "b.py": "x = 1\n"},
    }.items():
        (tmp_path / pkg).mkdir()
        for name, text in files.items():
            (tmp_path / pkg / name).write_text(text)
    assert violations(tmp_path, ("pipelines", "tools"), frozenset()) == [
        "pipelines.a imports tools.b: the product may not import tools"
    ]
