"""The published database kept beside the build, in the published storage format, and brought up to date by
content instead of written again.

Writing every table of a 20,000-document build into a fresh file in DuckDB 1.5's format (COPY FROM DATABASE)
took 5.2 s of every publish, also when one document or nothing had changed. The mirror
(build/governance.publish.<storage version>.duckdb, beside Settings.build_db) holds exactly the tables a release holds; each
publish compares it with the build, table by table and for a table with `document_id` document by document (row
count and sum of row hashes on both sides: the mirror's content itself is compared, nothing is trusted from a
previous run), replaces only what differs, and the release's database is a copy of the mirror. A table whose
columns changed, one that is new, or one whose documents mostly changed is written whole; a table the build no
longer has is dropped; table and column comments follow the build's.

The mirror is rebuilt from nothing when it is missing, damaged, or more than half free blocks. A build holding
anything but plain tables (views, macros, sequences, constraints or defaults in a published table) is published
by the rewrite instead (files.publish_by_rewrite), which copies those too.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.warehouse.db import run_sql

MIRROR_NAME = "governance.publish.duckdb"
WHOLE_TABLE_SHARE = 0.25  # above this share of a table's documents changed, the table is written whole
# DuckDB takes 80 % of RAM by default; comparing and copying tables needs little (it spills beyond, beside the build):
# writing the 20,000-document mirror from nothing took 7.7 s with 256 MB and 7.5 s with 512 MB (load 2.9), at 0.49
# against 0.73 GB of process
MEMORY_LIMIT = "256MB"


def mirror_path(build_db: Path, storage_version: str) -> Path:
    """One mirror per storage format, beside the build."""
    return build_db.with_name(MIRROR_NAME.replace(".duckdb", f".{storage_version}.duckdb"))


@dataclass
class MirrorSync:
    rebuilt: bool = False  # written from nothing (first publish, damaged or bloated mirror)
    tables_written: list[str] = field(default_factory=list)  # created or replaced whole
    tables_dropped: list[str] = field(default_factory=list)
    documents_replaced: dict[str, int] = field(default_factory=dict)  # table -> documents deleted and inserted
    tables_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.rebuilt or self.tables_written or self.tables_dropped or self.documents_replaced)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def published_tables(con, db: str, keep: set[str] | None) -> list[str]:
    """The tables of database `db` a release holds: not the bookkeeping ones (leading _), and only those in `keep`
    when given."""
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name",
        [db],
    ).fetchall()
    return [t for (t,) in names if not t.startswith("_") and (keep is None or t in keep)]


def plain_tables_only(con, db: str, tables: list[str]) -> bool:
    """True when the published part of `db` is plain tables: no view, macro, sequence or type, no constraint or
    default on a published table (the mirror copies rows and comments only)."""
    others = con.execute(
        "SELECT (SELECT count(*) FROM duckdb_views() WHERE NOT internal AND database_name = $1) "
        "+ (SELECT count(*) FROM duckdb_sequences() WHERE database_name = $1) "
        "+ (SELECT count(*) FROM duckdb_functions() WHERE NOT internal AND database_name = $1) "
        "+ (SELECT count(*) FROM duckdb_types() WHERE NOT internal AND database_name = $1)",
        [db],
    ).fetchall()[0][0]
    if others:
        return False
    if not tables:
        return True
    extra = con.execute(
        "SELECT (SELECT count(*) FROM duckdb_constraints() WHERE database_name = $1 AND list_contains($2, table_name)) "
        "+ (SELECT count(*) FROM duckdb_columns() WHERE database_name = $1 AND list_contains($2, table_name) "
        "AND column_default IS NOT NULL)",
        [db, tables],
    ).fetchall()[0][0]
    return not extra


def _columns(con, db: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index",
        [db, table],
    ).fetchall()


def _comments(con, db: str, table: str) -> tuple[str | None, dict[str, str | None]]:
    (table_comment,) = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' AND table_name = ?",
        [db, table],
    ).fetchall()[0]
    cols = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ?",
        [db, table],
    ).fetchall()
    return table_comment, dict(cols)


def _literal(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def _sync_comments(con, table: str) -> None:
    """dst's comments on `table` (and its columns) made the build's."""
    src_table, src_cols = _comments(con, "src", table)
    dst_table, dst_cols = _comments(con, "dst", table)
    if src_table != dst_table:
        run_sql(con, f"COMMENT ON TABLE dst.{_q(table)} IS {_literal(src_table)}")
    for col, text in src_cols.items():
        if dst_cols.get(col) != text:
            run_sql(con, f"COMMENT ON COLUMN dst.{_q(table)}.{_q(col)} IS {_literal(text)}")


def _write_whole(con, table: str) -> None:
    run_sql(con, f"DROP TABLE IF EXISTS dst.{_q(table)}")
    run_sql(con, f"CREATE TABLE dst.{_q(table)} AS SELECT * FROM src.{_q(table)}")
    _sync_comments(con, table)


def _changed_documents(con, table: str) -> tuple[int, int]:
    """Fills temp table _changed_docs with the documents whose rows differ between src and dst (by row count and
    sum of row hashes); returns (changed, documents in src)."""
    per_doc = "SELECT document_id, count(*) AS n, sum(hash(t)) AS h FROM {db}.{t} t GROUP BY ALL"
    run_sql(
        con,
        "CREATE OR REPLACE TEMP TABLE _changed_docs AS SELECT coalesce(a.document_id, b.document_id) AS document_id "
        f"FROM ({per_doc.format(db='src', t=_q(table))}) a FULL JOIN ({per_doc.format(db='dst', t=_q(table))}) b "
        "ON a.document_id IS NOT DISTINCT FROM b.document_id WHERE a.n IS DISTINCT FROM b.n OR a.h IS DISTINCT FROM b.h",
    )
    return con.execute(
        f"SELECT (SELECT count(*) FROM _changed_docs), (SELECT count(DISTINCT document_id) FROM src.{_q(table)})"
    ).fetchall()[0]


def _same_rows(con, table: str) -> bool:
    whole = "SELECT count(*), sum(hash(t)) FROM {db}.{t} t"
    a = con.execute(whole.format(db="src", t=_q(table))).fetchall()[0]
    b = con.execute(whole.format(db="dst", t=_q(table))).fetchall()[0]
    return a == b


def _sync_table(con, table: str, out: MirrorSync) -> None:
    cols = _columns(con, "src", table)
    if cols != _columns(con, "dst", table):  # new, or its columns changed
        _write_whole(con, table)
        out.tables_written.append(table)
        return
    if "document_id" in dict(cols):
        n_changed, n_docs = _changed_documents(con, table)
        if n_changed and n_changed > WHOLE_TABLE_SHARE * max(n_docs, 1):
            _write_whole(con, table)
            out.tables_written.append(table)
        elif n_changed:
            hit = "EXISTS (SELECT 1 FROM _changed_docs c WHERE c.document_id IS NOT DISTINCT FROM t.document_id)"
            run_sql(con, f"DELETE FROM dst.{_q(table)} t WHERE {hit}")
            run_sql(con, f"INSERT INTO dst.{_q(table)} SELECT * FROM src.{_q(table)} t WHERE {hit}")
            out.documents_replaced[table] = n_changed
        else:
            out.tables_unchanged += 1
    elif not _same_rows(con, table):
        _write_whole(con, table)
        out.tables_written.append(table)
    else:
        out.tables_unchanged += 1
    _sync_comments(con, table)


def _bloated(con) -> bool:
    row = con.execute("SELECT total_blocks, free_blocks FROM pragma_database_size() WHERE database_name = 'dst'")
    total, free = row.fetchall()[0]
    return total > 64 and free > total / 2


def sync_mirror(build_db: Path, mirror: Path, keep: set[str] | None, storage_version: str) -> MirrorSync | None:
    """Bring `mirror` (created in `storage_version`) to the published tables of `build_db`. None when the build
    cannot be mirrored (plain_tables_only is false): publish it by the rewrite."""
    out = MirrorSync()
    for attempt in range(2):
        if attempt or not mirror.exists():
            _remove(mirror)
            out = MirrorSync(rebuilt=True)
        spill = mirror.parent / ".mirror.tmp"
        con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill)})
        try:
            run_sql(con, f"ATTACH '{build_db}' AS src (READ_ONLY)")
            tables = published_tables(con, "src", keep)
            if not plain_tables_only(con, "src", tables):
                return None
            try:
                run_sql(con, f"ATTACH '{mirror}' AS dst (STORAGE_VERSION '{storage_version}')")
            except duckdb.Error:
                if attempt:
                    raise
                continue  # damaged: written again from nothing
            if not out.rebuilt and _bloated(con):
                continue
            # no transaction around the whole: each statement commits (a table written whole goes to disk instead of
            # waiting in memory), and a sync cut short is finished by the next, which compares the content again
            for gone in sorted(set(published_tables(con, "dst", None)) - set(tables)):
                run_sql(con, f"DROP TABLE dst.{_q(gone)}")
                out.tables_dropped.append(gone)
            for table in tables:
                _sync_table(con, table, out)
            run_sql(con, "CHECKPOINT dst")
            return out
        finally:
            con.close()
    raise AssertionError("unreachable")


def _remove(mirror: Path) -> None:
    for p in (mirror, mirror.with_name(mirror.name + ".wal")):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)
