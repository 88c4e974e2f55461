"""Behaviour before and after a change: `make compare-builds BASE=<commit>`.

Checks out BASE in a throwaway git worktree, then for BASE and for the working tree (each in a child process that
imports only that tree's code):
- reads every document of the comparison sets with `process_document` (document row, tasks, findings, quarantine);
- builds the whole warehouse on raw/ plus GOVDATA_RAW_EXTRA (the shared data) and publishes it.
It compares the documents file by file and every table of the two published databases row for row (as multisets:
row order, build ids, run times and absolute paths are not behaviour), prints the differences, and exits 1 on any.
Only the code differs between the two sides: both read the working tree's inputs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from pipelines.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]


# The document sets: (label, root, folder under the root); those that are absent are left out
def doc_sets(corpus: Path) -> tuple[tuple[str, Path, str], ...]:
    return (
        ("raw", PROJECT / "raw", "plans"),
        ("fixtures", PROJECT / "tests", "fixtures"),
        ("real", Settings.from_env().shared_data, "real_documents"),
        ("bench", corpus.parent, corpus.name),  # a synthetic corpus of `make bench`
    )


IGNORED_COLUMNS = {"build_id", "built_at", "run_id"}  # a build's identity, not its content
IGNORED_TYPES = ("TIMESTAMP",)  # run times (TIMESTAMP, TIMESTAMP WITH TIME ZONE); dates stay
FLOAT_DIGITS = 9  # DuckDB sums in parallel: the last bits of a float mean may differ between two runs

# Run by the child in the tree under test, with only APIs both sides have: one JSON line per document
_DUMP_DOCS = """
import json, sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
# the layout since issue 26, or the one before it (a base commit may have either). Chosen by the tree's folders, not
# by trying an import: the project's editable install would answer a module the tree lacks from the checkout
if Path("pipelines/sources").is_dir():
    from pipelines.sources.plans.ingest import RawFile, process_document
else:
    from pipelines.domain.ingest import RawFile, process_document
assert Path(process_document.__code__.co_filename).resolve().is_relative_to(Path.cwd().resolve()), "not the tree's code"

def one(job):
    label, root, path = job
    r = process_document(RawFile(Path(root), Path(path), label=label))
    return {"key": label + ":" + Path(path).relative_to(root).as_posix(), "doc": r.document, "tasks": r.tasks,
            "findings": r.findings, "quarantine": r.quarantine}

jobs = [tuple(j) for j in json.load(open(sys.argv[1]))]
with open(sys.argv[2], "w") as out, ProcessPoolExecutor(int(sys.argv[3])) as pool:
    for rec in pool.map(one, jobs, chunksize=8):
        out.write(json.dumps(rec, default=str, sort_keys=True) + "\\n")
"""

_BUILD = """
import dagster as dg
from pathlib import Path
if Path("assets/definitions.py").is_file():  # the layout since issue 26 (by the tree's files: see above)
    from assets import definitions
else:
    from pipelines import definitions
assert Path(definitions.__file__).resolve().is_relative_to(Path.cwd().resolve()), "not the tree's code"
r = dg.materialize([*definitions.PYTHON_ASSETS, *definitions.sql_assets, definitions.publish_asset],
                   resources=definitions.defs.resources, raise_on_error=False)
assert r.success, "the build failed"
print(definitions.settings.published_db)
"""


def document_jobs(sets: Sequence[tuple[str, Path, str]]) -> list[tuple[str, str, str]]:
    """(set label, root, file) for every file of the sets that exist, in a stable order."""
    jobs = []
    for label, root, folder in sets:
        base = root / folder
        if base.is_dir():
            jobs += [(label, str(base), str(p)) for p in sorted(base.rglob("*")) if p.is_file()]
    return jobs


def _child(tree: Path, code: str, args: Sequence[str], env: dict[str, str], timeout: int) -> str:
    r = subprocess.run(
        ["nice", "-n", "19", sys.executable, "-c", code, *args],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(tree), **env},
    )
    if r.returncode != 0:
        raise RuntimeError(f"child in {tree} failed:\n{r.stderr[-4000:]}")
    return r.stdout


def dump_documents(tree: Path, jobs: list[tuple[str, str, str]], out: Path, workers: int) -> dict[str, dict]:
    spec = out.with_suffix(".jobs.json")
    spec.write_text(json.dumps(jobs))
    _child(tree, _DUMP_DOCS, [str(spec), str(out), str(workers)], {}, timeout=3600)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    return {r.pop("key"): r for r in records}


def build_warehouse(tree: Path, workdir: Path, raw_extra: str) -> Path:
    env = {
        "GOVDATA_WAREHOUSE_DIR": str(workdir / "warehouse"),
        "GOVDATA_RAW_EXTRA": raw_extra,
        "DAGSTER_HOME": str(workdir / "dagster_home"),
    }
    (workdir / "dagster_home").mkdir(parents=True, exist_ok=True)
    out = _child(tree, _BUILD, [], env, timeout=3600)
    return Path(out.strip().splitlines()[-1])


def _canonical(value: object, roots: Iterable[str]) -> object:
    if isinstance(value, float):
        return float(f"{value:.{FLOAT_DIGITS}g}")
    if isinstance(value, str):
        for root in roots:
            value = value.replace(root, "<ROOT>")
        return value
    if isinstance(value, list | tuple):
        return tuple(_canonical(v, roots) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _canonical(v, roots)) for k, v in value.items()))
    return value


def table_rows(db: Path, roots: Iterable[str]) -> dict[str, tuple[list[str], Counter]]:
    """Every table of the database (but build_info and internal `_` state) as (columns, multiset of rows)."""
    roots = list(roots)
    out: dict[str, tuple[list[str], Counter]] = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
            ).fetchall()
            if t != "build_info" and not t.startswith("_")
        ]
        for t in tables:
            cols = [
                c
                for c, ty in con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                    [t],
                ).fetchall()
                if c not in IGNORED_COLUMNS and not ty.startswith(IGNORED_TYPES)
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f'SELECT {select} FROM "{t}"').fetchall()
            out[t] = (cols, Counter(tuple(_canonical(v, roots) for v in row) for row in rows))
    finally:
        con.close()
    return out


def compare_tables(
    base: dict[str, tuple[list[str], Counter]], work: dict[str, tuple[list[str], Counter]], show: int = 5
) -> list[str]:
    """Differences between two databases' tables, as printable lines (empty: identical)."""
    diffs: list[str] = []
    for t in sorted(set(base) | set(work)):
        if t not in work or t not in base:
            diffs.append(f"table {t}: only in {'base' if t in base else 'working tree'}")
            continue
        (bcols, brows), (wcols, wrows) = base[t], work[t]
        if bcols != wcols:
            diffs.append(f"table {t}: columns differ: base {bcols} / working tree {wcols}")
            continue
        lost, gained = brows - wrows, wrows - brows
        if lost or gained:
            diffs.append(
                f"table {t}: {sum(lost.values())} rows only in base, {sum(gained.values())} only in working tree"
            )
            diffs += [f"  - {dict(zip(bcols, r))}" for r in list(lost)[:show]]
            diffs += [f"  + {dict(zip(wcols, r))}" for r in list(gained)[:show]]
    return diffs


def compare_documents(base: dict[str, dict], work: dict[str, dict], show: int = 5) -> list[str]:
    """Differences per document: its row, its tasks, its findings, its quarantine row (empty: identical)."""
    diffs: list[str] = []
    for key in sorted(set(base) | set(work)):
        if key not in base or key not in work:
            diffs.append(f"document {key}: only in {'base' if key in base else 'working tree'}")
            continue
        for part in ("doc", "tasks", "findings", "quarantine"):
            b, w = _canonical(base[key][part], ()), _canonical(work[key][part], ())
            if part in ("tasks", "findings") and isinstance(b, tuple) and isinstance(w, tuple):
                b, w = Counter(b), Counter(w)  # the multiset: the order of findings is not behaviour
                if b != w:
                    diffs.append(f"document {key}: {part} differ")
                    diffs += [f"  - {dict(r)}" for r in list(b - w)[:show]]
                    diffs += [f"  + {dict(r)}" for r in list(w - b)[:show]]
            elif b != w:
                diffs.append(f"document {key}: {part} differs:\n  - {b}\n  + {w}")
    return diffs


def checkout(base: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(PROJECT), "worktree", "add", "--detach", str(where), base], check=True)
    return where


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("base", help="commit (or branch) to compare the working tree with")
    p.add_argument("--no-build", action="store_true", help="compare the documents only")
    p.add_argument("--no-documents", action="store_true", help="compare the builds only")
    p.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) // 4))
    p.add_argument("--corpus", default=str(PROJECT / "warehouse" / "bench" / "corpus_1000_seed7"))
    p.add_argument("--raw-extra", default=os.environ.get("GOVDATA_RAW_EXTRA", ""))
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="compare-builds-"))
    base_tree = checkout(args.base, tmp / "base")
    diffs: list[str] = []
    try:
        sides = {"base": base_tree, "work": PROJECT}
        if not args.no_documents:
            jobs = document_jobs(doc_sets(Path(args.corpus)))
            print(f"reading {len(jobs)} documents with each tree", flush=True)
            with ThreadPoolExecutor(2) as ex:
                docs = dict(
                    zip(
                        sides, ex.map(lambda s: dump_documents(sides[s], jobs, tmp / f"{s}.jsonl", args.workers), sides)
                    )
                )
            diffs += compare_documents(docs["base"], docs["work"])
            print(f"documents: {len(docs['work'])} compared, {sum(d.startswith('document') for d in diffs)} differ")
        if not args.no_build:
            print("building the warehouse with each tree", flush=True)
            with ThreadPoolExecutor(2) as ex:
                dbs = dict(
                    zip(sides, ex.map(lambda s: build_warehouse(sides[s], tmp / s / "_cmp", args.raw_extra), sides))
                )
            roots = [str(base_tree), str(PROJECT), str(tmp)]
            tables = {s: table_rows(db, roots) for s, db in dbs.items()}
            table_diffs = compare_tables(tables["base"], tables["work"])
            n_rows = sum(sum(rows.values()) for _, rows in tables["work"].values())
            print(
                f"tables: {len(tables['work'])} compared ({n_rows} rows), {sum(d.startswith('table') for d in table_diffs)} differ"
            )
            diffs += table_diffs
    finally:
        subprocess.run(["git", "-C", str(PROJECT), "worktree", "remove", "--force", str(base_tree)], check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(diffs) if diffs else "identical")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
