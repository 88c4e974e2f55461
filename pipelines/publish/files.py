"""Publishing: the build database copied into a fresh file and the marts exported into a fresh folder, each
switched in whole (pipelines/publish/release.py puts both into one release)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from pipelines.warehouse.db import READER_MEMORY, run_sql
from pipelines.warehouse.sql_models import load_models

# The storage format of the published file: the one DuckDB 1.5 reads, so analysts open the release with the
# DuckDB CLI of the package registry (duckdb-cli 1.5.6), DBeaver's driver or any 1.5 client, not only with the
# duckdb 2.0 this project builds with. The build database stays in 2.0's own format.
PUBLISHED_STORAGE_VERSION = "v1.5.0"


def publish(
    build_db: Path, target: Path, keep: set[str] | None = None, storage_version: str = PUBLISHED_STORAGE_VERSION
) -> Path:
    """Copy the build into a fresh file beside the target, then os.replace: readers holding the old
    file keep their snapshot, new readers see the new file whole, a failure leaves the old file.
    With `keep`, a table of the build that no asset makes any more (a renamed model) is left out. The file is in
    `storage_version` (DuckDB 1.5 opens it): a copy of the mirror beside the build (pipelines/publish/mirror.py),
    brought up to date with the build by content, so an unchanged table or document is not written again."""
    from pipelines.publish.mirror import mirror_path, sync_mirror

    target.parent.mkdir(parents=True, exist_ok=True)
    src = duckdb.connect(str(build_db), config={"memory_limit": READER_MEMORY})
    try:
        run_sql(src, "CHECKPOINT")
    finally:
        src.close()
    mirror = mirror_path(build_db, storage_version)
    if sync_mirror(build_db, mirror, keep, storage_version) is None:
        return publish_by_rewrite(build_db, target, keep, storage_version)
    tmp = _fresh_tmp(target)
    try:
        shutil.copyfile(mirror, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _fresh_tmp(target: Path) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=".governance.", suffix=".duckdb.tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp_name)
    return Path(tmp_name)


def publish_by_rewrite(
    build_db: Path, target: Path, keep: set[str] | None = None, storage_version: str = PUBLISHED_STORAGE_VERSION
) -> Path:
    """publish() for a build the mirror cannot hold (views, macros, constraints...): the build's file copied, the
    bookkeeping dropped, and every table written again with `storage_version` (COPY FROM DATABASE into a file
    attached with STORAGE_VERSION), so DuckDB 1.5 opens it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _fresh_tmp(target)
    try:
        # the whole build: checkpoint it and copy the file (seconds for a GB, where COPY FROM DATABASE rewrites
        # every row), then drop the bookkeeping of incremental staging, which is not for analysts
        src = duckdb.connect(str(build_db))
        try:
            run_sql(src, "CHECKPOINT")
        finally:
            src.close()
        shutil.copyfile(build_db, tmp)
        dst = duckdb.connect(str(tmp))
        try:
            for (t,) in dst.execute("SELECT table_name FROM duckdb_tables()").fetchall():
                if t.startswith("_") or (keep is not None and t not in keep):
                    run_sql(dst, f'DROP TABLE "{t}"')
            run_sql(dst, "CHECKPOINT")
        finally:
            dst.close()
        old_format = tmp.with_name(tmp.name + ".full")
        os.replace(tmp, old_format)
        try:
            rewrite_in_storage_version(old_format, tmp, storage_version)
        finally:
            old_format.unlink(missing_ok=True)
        os.replace(tmp, target)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return target


def rewrite_in_storage_version(src: Path, dst: Path, storage_version: str) -> None:
    """Every table of `src` (with its column comments) into a new file `dst` in DuckDB's `storage_version`."""
    con = duckdb.connect()
    try:
        run_sql(con, f"ATTACH '{src}' AS src (READ_ONLY)")
        run_sql(con, f"ATTACH '{dst}' AS dst (STORAGE_VERSION '{storage_version}')")
        run_sql(con, "COPY FROM DATABASE src TO dst")
        run_sql(con, "DETACH dst")
        run_sql(con, "DETACH src")
    finally:
        con.close()


def publish_marts(build_db: Path, marts_dir: Path, build_id: str | None = None) -> dict[str, int]:
    """Every mart_ table and the dimensions they join with, as self-describing zstd Parquet under
    marts/<table>/ (descriptions, source, licence, keys and build id in the files; see pipelines/publish/marts_export.py),
    and marts/datapackage.json. All are written into a fresh folder first, then swapped in: a failure leaves the
    old marts. Returns rows per exported table."""
    from pipelines.publish.marts_export import export_tables, new_build_id

    build_id = build_id or new_build_id()
    descriptions = {m.name: m.description for m in load_models()}
    marts_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".marts.", dir=marts_dir.parent))
    try:
        con = duckdb.connect(str(build_db), read_only=True, config={"memory_limit": READER_MEMORY})
        try:
            counts = export_tables(con, tmp, build_id, descriptions)
        finally:
            con.close()
        old = None
        if marts_dir.exists():
            old = marts_dir.with_name(f".marts.old.{os.getpid()}")
            os.replace(marts_dir, old)
        os.replace(tmp, marts_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts
