"""Read-only access to the published warehouse: one query, or a small interactive prompt."""
from __future__ import annotations

import sys

import duckdb

from .warehouse import PUBLISHED_DB


def main(argv: list[str]) -> None:
    con = duckdb.connect(str(PUBLISHED_DB), read_only=True)
    query = " ".join(a for a in argv if a.strip())
    if query:
        print(con.sql(query))
        return
    print(f"{PUBLISHED_DB} (read-only). End a query with ';'. Ctrl-D quits.")
    buf = ""
    while True:
        try:
            line = input("sql> " if not buf else "...> ")
        except EOFError:
            break
        buf += line + "\n"
        if buf.strip().endswith(";"):
            try:
                print(con.sql(buf))
            except duckdb.Error as e:
                print(f"error: {e}")
            buf = ""


if __name__ == "__main__":
    main(sys.argv[1:])
