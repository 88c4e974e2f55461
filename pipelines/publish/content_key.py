"""What a release is made from, as one key: when a build's key equals the current release's, publishing it would
make the same release again (same tables, marts and report: only the build id would differ), so the current
release is kept (pipelines/publish/release.py).

The key covers everything a release is computed from: every published table of the build (its columns and types,
its comments, its row count and the sum of its row hashes, computed in DuckDB: 0.3 s at 20,000 documents), the
tables kept, the release's information (all but the Dagster run id) and extra files, whether a report is written,
and the code and libraries that write the database copy, the marts and the report (every Python and SQL file of
the project's pipelines/ and dbt_like_sql/, and the versions of duckdb, polars, pyarrow, altair and vl-convert).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import duckdb

from pipelines.settings import PROJECT_DIR
from pipelines.warehouse.db import READER_MEMORY

CONTENT_KEY_FILE = "_content_key"  # in a release folder: the key of the build it was made from
IGNORED_INFO = ("dagster_run_id",)  # differs for every run, not for what the run built
LIBRARIES = ("duckdb", "polars", "pyarrow", "altair", "vl-convert-python", "pandas")


@lru_cache(maxsize=1)
def code_version() -> str:
    h = hashlib.sha256()
    for folder in ("pipelines", "dbt_like_sql"):
        for p in sorted((PROJECT_DIR / folder).rglob("*")):
            if p.suffix in (".py", ".sql") and p.is_file():
                h.update(p.relative_to(PROJECT_DIR).as_posix().encode())
                h.update(p.read_bytes())
    for lib in LIBRARIES:
        h.update(f"{lib}=={version(lib)}".encode())
    return h.hexdigest()


def tables_fingerprint(build_db: Path, keep: set[str] | None) -> str:
    """Columns, comments and content (count, sum of row hashes) of every table a release of `build_db` holds."""
    h = hashlib.sha256()
    con = duckdb.connect(str(build_db), read_only=True, config={"memory_limit": READER_MEMORY})
    try:
        tables = con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
        ).fetchall()
        for name, comment in tables:
            if name.startswith("_") or (keep is not None and name not in keep):
                continue
            cols = con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = 'main' "
                "AND table_name = ? ORDER BY column_index",
                [name],
            ).fetchall()
            q = '"' + name.replace('"', '""') + '"'
            rows = con.execute(f"SELECT count(*), sum(hash(t)) FROM {q} t").fetchall()[0]
            h.update(json.dumps([name, comment, cols, str(rows)], ensure_ascii=False).encode())
    finally:
        con.close()
    return h.hexdigest()


def release_content_key(
    build_db: Path,
    keep: set[str] | None,
    info: dict[str, str] | None,
    extra_files: Sequence[Path],
    with_report: bool,
) -> str:
    h = hashlib.sha256(code_version().encode())
    h.update(json.dumps(sorted(keep) if keep is not None else None).encode())
    h.update(json.dumps({k: v for k, v in (info or {}).items() if k not in IGNORED_INFO}, sort_keys=True).encode())
    for f in extra_files:
        h.update(f.name.encode())
        h.update(hashlib.sha256(f.read_bytes()).digest())
    h.update(b"report" if with_report else b"no report")
    h.update(tables_fingerprint(build_db, keep).encode())
    return h.hexdigest()


def mart_counts(marts_dir: Path) -> dict[str, int]:
    """Rows per exported table of a published marts folder (its datapackage.json), as publish_marts returns them."""
    descriptor = json.loads((marts_dir / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r["rows"] for r in descriptor["resources"]}
