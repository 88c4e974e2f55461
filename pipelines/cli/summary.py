"""Print where the warehouse is and what it holds (the last step of `make run`)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.settings import Settings
from pipelines.sources.plans.ingest import raw_roots

QUARANTINE_SHOWN = 10
# run bookkeeping, not data: a rerun on the same inputs writes new values here
NOT_DATA_TABLES = {"build_info"}


def release_fingerprint(db: Path) -> dict[str, tuple[int, int]] | None:
    """(rows, order-free hash of the rows) per table of a published database, leaving out timestamps and the
    build's bookkeeping: two releases built from the same inputs have the same fingerprint. None: no release."""
    if not db.exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
            if name in NOT_DATA_TABLES:
                continue
            cols = con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND data_type NOT LIKE 'TIMESTAMP%' "
                "ORDER BY column_index",
                [name],
            ).fetchall()
            row = ", ".join(f'"{c}"' for (c,) in cols) or "1"
            n, h = con.execute(f'SELECT count(*), coalesce(sum(hash({row})), 0) FROM "{name}"').fetchall()[0]
            out[name] = (int(n), int(h))
        return out
    finally:
        con.close()


def quarantined_files(con: duckdb.DuckDBPyConnection, shown: int = QUARANTINE_SHOWN) -> tuple[int, list[str]]:
    """(how many files, the first `shown` of them with their first reason), by path."""
    (n,) = con.execute("SELECT count(DISTINCT source_path) FROM quarantine").fetchall()[0]
    rows = con.execute(
        "SELECT source_path, min(reason) FROM quarantine GROUP BY 1 ORDER BY 1 LIMIT ?", [shown]
    ).fetchall()
    return int(n), [f"{p}: {r}" for p, r in rows]


def main(settings: Settings | None = None) -> None:
    settings = Settings.from_env() if settings is None else settings
    published_db, warehouse_dir = settings.published_db, settings.warehouse_dir
    print()
    print(f"Raw roots read: {', '.join(str(r) for r in raw_roots(settings))}")
    if not published_db.exists():
        print(f"No published warehouse at {published_db}: the run did not reach publishing (see the log above).")
        raise SystemExit(1)
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        print(f"Warehouse (published, open it read-only): {published_db}")
        if "build_info" in {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}:
            (bid,) = con.execute("SELECT DISTINCT build_id FROM build_info").fetchall()[0]
            print(f"Release: {bid} ({warehouse_dir / 'current'})")
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall():
            n = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
            print(f"  {name:<22} {n:>8} rows")
        n_rows, n_files = con.execute("SELECT count(*), count(DISTINCT source_path) FROM quarantine").fetchall()[0]
        print(
            f"Quarantine: {n_rows} rejected files, rows or cells from {n_files} files, each with its reason: "
            'make sql Q="SELECT source_path, source_ref, reason FROM quarantine"'
        )
        n_q, first = quarantined_files(con)
        if n_q:
            print(f"Quarantined files ({n_q}; the first {len(first)} by path):")
            for line in first:
                print(f"  {line[:200]}")
            if n_q > len(first):
                print(f"  … and {n_q - len(first)} more (the query above lists them all)")
        f = con.execute("SELECT severity, count(*) FROM dq_finding GROUP BY 1 ORDER BY 1").fetchall()
        print("Findings for analysts (dq_finding): " + ", ".join(f"{n} {sev}" for sev, n in f))
    finally:
        con.close()
    marts = settings.marts_dir
    print(
        f"Parquet marts: {marts}"
        + ("" if marts.exists() else " (none built yet)")
        + (f", described by {marts / 'datapackage.json'}" if (marts / "datapackage.json").exists() else "")
    )
    report = settings.report_dir / "index.html"
    if report.exists():
        print(f"Report (open in a browser, works offline): {report}")
    docs = settings.gx_docs_dir
    if docs.exists():
        print(f"Great Expectations Data Docs: {docs}/<mart>/index.html")


if __name__ == "__main__":
    main()
