"""Analyst access to the published warehouse that cannot write anything.

    python -m pipelines.cli.sql                       list the tables (then a prompt when stdin is a terminal, or
                                                  the queries piped in: echo "SELECT 1;" | make sql)
    python -m pipelines.cli.sql "SELECT ..."          one query, every row and column
    python -m pipelines.cli.sql --limit 20 "SELECT ..."
    python -m pipelines.cli.sql --export out.parquet "SELECT ..."   (or .csv) into warehouse/exports/
    python -m pipelines.cli.sql --export out.csv --dir /some/folder "SELECT ..."

The database is opened read-only with DuckDB's file-system access off (COPY, ATTACH, read_csv and friends, INSTALL
and LOAD are refused) and the configuration locked, so `SET` cannot turn it back on. The one way out is --export:
Python writes the query's result (DuckDB -> Arrow -> Parquet/CSV) to a plain file name under one chosen folder,
never where the user's SQL says.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipelines.settings import Settings

# enable_external_access first: lock_configuration must come after every other option is set
ANALYST_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def analyst_connect(path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The published warehouse at `path`, read-only, no file-system access, configuration locked, and DuckDB's
    memory bounded (its default is 80 % of RAM: one careless join would take the machine)."""
    if not path.exists():
        raise SystemExit(f"no published warehouse at {path}: run `make run` first")
    memory_limit = memory_limit or Settings().sql_memory_limit
    # the limit before lock_configuration, which must come last
    config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": memory_limit, **ANALYST_CONFIG}
    return duckdb.connect(str(path), read_only=True, config=config)


def list_tables(con) -> list[tuple[str, int]]:
    return con.execute("SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY 1").fetchall()


def show(con, query: str, limit: int | None = None) -> None:
    rel = con.sql(query)
    if rel is None:  # a statement without a result (SET, PRAGMA ...)
        print("ok")
        return
    if limit is not None:
        rel = rel.limit(limit)
    # every row and column: DuckDB's own printer elides both by default
    rel.show(max_rows=10**9, max_width=10**9, max_col_width=10**6)


def export(con, query: str, name: str, folder: Path) -> Path:
    """Write the query's result to <folder>/<name> (.parquet or .csv). The name must be a plain file name: no
    folders, no '..'; the folder is the one given here, never one from SQL."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if not name or Path(name).name != name or name in (".", "..") or name.startswith("."):
        raise ValueError(f"export name must be a plain file name, not {name!r}")
    suffix = Path(name).suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ValueError(f"export name must end in .parquet or .csv, not {name!r}")
    table = con.sql(query).to_arrow_table()
    table = with_descriptions(table, column_descriptions(con, query, table.column_names))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    tmp = folder / f".{name}.tmp"
    if suffix == ".parquet":
        pq.write_table(table, tmp, compression="zstd")
    else:
        pacsv.write_csv(csv_safe(table), tmp)
    tmp.replace(target)
    return target


def column_descriptions(con, query: str, names: list[str]) -> dict[str, str]:
    """Each result column's description from the warehouse (its column comment): from the tables the query reads
    first, else from any table, and only when the name has one description there (never a guess between two)."""
    import sqlglot
    from sqlglot import exp

    try:
        read = {t.name for t in sqlglot.parse_one(query, read="duckdb").find_all(exp.Table)}
    except sqlglot.errors.ParseError:
        read = set()
    docs: dict[str, dict[str, set[str]]] = {}
    for table, column, comment in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE coalesce(comment, '') <> ''"
    ).fetchall():
        docs.setdefault(column, {}).setdefault(table, set()).add(comment)
    out = {}
    for name in names:
        by_table = docs.get(name, {})
        for scope in ([t for t in by_table if t in read], list(by_table)):
            found = set().union(*(by_table[t] for t in scope)) if scope else set()
            if len(found) == 1:
                out[name] = found.pop()
                break
            if found:
                break  # several descriptions among the tables read: none rather than the wrong one
    return out


def with_descriptions(table, descriptions: dict[str, str]):
    """The Arrow table with each column's description in its field metadata (`description`), as in the marts."""
    import pyarrow as pa

    fields = [
        f.with_metadata({"description": descriptions[f.name]}) if f.name in descriptions else f for f in table.schema
    ]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


FORMULA_START = "^[=+\\-@\t\r]"  # what Excel, LibreOffice and Sheets read as the start of a formula


def csv_safe(table):
    """The OWASP rule against CSV injection: a text cell starting with = + - @ tab or CR gets a leading ', so a
    spreadsheet shows it as text instead of running it (=HYPERLINK(...), +cmd|...). Numbers are left alone."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols, fields = [], []
    for field, col in zip(table.schema, table.columns, strict=True):
        if pa.types.is_dictionary(col.type) and pa.types.is_string(col.type.value_type):  # an ENUM column
            col, field = col.cast(pa.string()), field.with_type(pa.string())
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            risky = pc.fill_null(pc.match_substring_regex(col, FORMULA_START), False)
            col = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
        cols.append(col)
        fields.append(field)
    return pa.Table.from_arrays(cols, schema=pa.schema(fields, metadata=table.schema.metadata))


def one_line(e: BaseException) -> str:
    """An error as one line for the terminal, never a traceback."""
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"


def _stdin() -> str:
    try:
        return sys.stdin.read()
    except (OSError, ValueError):  # no stdin to read (closed, or a test runner's)
        return ""


DOT_HELP = ".tables (list tables), .schema [table] (columns and types), .help, .quit"


def dot_command(con, line: str) -> bool | None:
    """Run one dot command (a line starting with '.', as in the DuckDB shell). True: done; False: an unknown
    command (said on stderr); None: .quit / .exit."""
    words = line.strip().rstrip(";").split()
    cmd, args = words[0].lower(), words[1:]
    if cmd in (".quit", ".exit", ".q"):
        return None
    if cmd == ".tables":
        for t, _ in list_tables(con):
            print(t)
        return True
    if cmd == ".schema":
        q = "SELECT table_name, column_name, data_type FROM duckdb_columns()"
        rel = con.execute(q + (" WHERE table_name = ?" if args else "") + " ORDER BY table_name, column_index", args)
        for table, column, dtype in rel.fetchall():
            print(f"{table}.{column} {dtype}")
        return True
    if cmd == ".help":
        print(DOT_HELP)
        return True
    print(f"error: unknown dot command {cmd!r} (known: {DOT_HELP})", file=sys.stderr)
    return False


def _script(con, text: str) -> int:
    """Queries piped in (`echo "SELECT 1;" | make sql`): each statement printed whole; a line starting with '.'
    between statements is a dot command (.tables, .schema …), as in the DuckDB shell. 1 if one failed; the rest
    still runs."""
    rc = 0
    buf = ""

    def run(sql_text: str) -> int:
        if not sql_text.strip():
            return 0
        try:
            statements = [s.query for s in con.extract_statements(sql_text)]
        except duckdb.Error as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        failed = 0
        for q in statements:
            try:
                show(con, q)
            except duckdb.Error as e:
                print(f"error: {e}", file=sys.stderr)
                failed = 1
        return failed

    for line in text.splitlines():
        if not buf.strip() and line.strip().startswith("."):
            done = dot_command(con, line)
            if done is None:
                return rc
            rc |= 0 if done else 1
            continue
        buf += line + "\n"
        if buf.strip().endswith(";"):
            rc |= run(buf)
            buf = ""
    return rc | run(buf)


def _interactive(con, db: Path) -> None:
    print(f"{db} (read-only). End a query with ';'. Dot commands: {DOT_HELP}. Ctrl-D quits.")
    buf = ""
    while True:
        try:
            line = input("sql> " if not buf else "...> ")
        except EOFError:
            break
        if not buf and line.strip().startswith("."):
            if dot_command(con, line) is None:
                break
            continue
        buf += line + "\n"
        if buf.strip().endswith(";"):
            try:
                show(con, buf)
            except duckdb.Error as e:
                print(f"error: {e}")
            buf = ""


def main(argv: list[str], settings: Settings | None = None) -> int:
    settings = Settings.from_env() if settings is None else settings
    ap = argparse.ArgumentParser(
        prog="python -m pipelines.cli.sql", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("query", nargs="*", help="one SQL query (several words are joined)")
    ap.add_argument("--limit", type=int, default=None, help="print at most this many rows")
    ap.add_argument("--export", metavar="NAME", help="write the result to NAME (.parquet or .csv) under --dir")
    ap.add_argument("--dir", type=Path, default=None, help=f"export folder (default {settings.export_dir})")
    ap.add_argument("--db", type=Path, default=None, help=argparse.SUPPRESS)  # tests
    args = ap.parse_args(argv)
    query = " ".join(a for a in args.query if a.strip()).strip()
    db = settings.published_db if args.db is None else args.db
    con = analyst_connect(db, settings.sql_memory_limit)
    try:
        if args.export:
            if not query:
                ap.error("--export needs a query")
            try:
                print(
                    f"exported to {export(con, query, args.export, settings.export_dir if args.dir is None else args.dir)}"
                )
            except ValueError as e:
                print(f"error: {e}", file=sys.stderr)
                return 2
            except (duckdb.Error, OSError, ArithmeticError, TypeError) as e:  # the query, the folder, the writer
                print(f"error: {one_line(e)}", file=sys.stderr)
                return 1
            return 0
        if query:
            try:
                show(con, query, args.limit)
            except duckdb.Error as e:
                print(f"error: {e}", file=sys.stderr)
                return 1
            return 0
        tables = list_tables(con)
        print(f"{len(tables)} tables in {db}:")
        for t, n in tables:
            print(f"  {t}  (~{n} rows)")
        if sys.stdin.isatty():
            _interactive(con, db)
            return 0
        return _script(con, _stdin())
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
