"""Print where the warehouse is and what it holds (the last step of `make run`)."""
from __future__ import annotations

import duckdb

from .domain.ingest import raw_roots
from .warehouse import PUBLISHED_DB, WAREHOUSE_DIR


def main() -> None:
    print()
    print(f"Raw roots read: {', '.join(str(r) for r in raw_roots())}")
    if not PUBLISHED_DB.exists():
        print(f"No published warehouse at {PUBLISHED_DB}: the run did not reach publishing (see the log above).")
        raise SystemExit(1)
    con = duckdb.connect(str(PUBLISHED_DB), read_only=True)
    try:
        print(f"Warehouse (published, open it read-only): {PUBLISHED_DB}")
        if "build_info" in {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}:
            (bid,) = con.execute("SELECT DISTINCT build_id FROM build_info").fetchall()[0]
            print(f"Release: {bid} ({WAREHOUSE_DIR / 'current'})")
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall():
            n = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
            print(f"  {name:<22} {n:>8} rows")
        n_rows, n_files = con.execute("SELECT count(*), count(DISTINCT source_path) FROM quarantine").fetchall()[0]
        print(f"Quarantine: {n_rows} rejected files, rows or cells from {n_files} files, each with its reason: "
              "make sql Q=\"SELECT source_path, source_ref, reason FROM quarantine\"")
        f = con.execute("SELECT severity, count(*) FROM dq_finding GROUP BY 1 ORDER BY 1").fetchall()
        print("Findings for analysts (dq_finding): " + ", ".join(f"{n} {sev}" for sev, n in f))
    finally:
        con.close()
    marts = WAREHOUSE_DIR / "marts"
    print(f"Parquet marts: {marts}" + ("" if marts.exists() else " (none built yet)")
          + (f", described by {marts / 'datapackage.json'}" if (marts / "datapackage.json").exists() else ""))
    report = WAREHOUSE_DIR / "report" / "index.html"
    if report.exists():
        print(f"Report (open in a browser, works offline): {report}")
    docs = WAREHOUSE_DIR / "docs" / "gx"
    if docs.exists():
        print(f"Great Expectations Data Docs: {docs}/<mart>/index.html")


if __name__ == "__main__":
    main()
