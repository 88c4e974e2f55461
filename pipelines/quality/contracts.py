"""The contracts of the tables the SQL models build (dimensions, facts, marts), found by the table's name.

Each contracted table has one declaration beside its SQL: `dbt_like_sql/<layer>/<table>.py` holds its Pandera
model (`CONTRACT`: types, keys, column docs, checks) and, for a mart with a Great Expectations suite, what only GX
checks (`gx_expected`, `gx_check_columns`, `gx_suite`); the GX column rules are generated from the Pandera model
(pipelines/quality/expectations.py), never written twice. The column docs become `COMMENT ON COLUMN` in the warehouse and
the asset's column schema; the SQL file keeps only the table description and grain. Cross-table rules (foreign
keys) are SQL checks in assets/checks.py. Rules shared by several tables: pipelines/quality/contract_rules.py.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pandera.polars as pa

from pipelines.settings import PROJECT_DIR

SQL_DIR = PROJECT_DIR / "dbt_like_sql"
LAYERS = ("staging", "intermediate", "core", "marts")


def _table_modules(sql_dir: Path = SQL_DIR) -> dict[str, ModuleType]:
    """table name -> its declaration module, for every `<table>.sql` with a `<table>.py` beside it, in layer order."""
    out = {}
    for layer in LAYERS:
        for sql in sorted((sql_dir / layer).glob("*.sql")):
            if sql.with_suffix(".py").is_file():
                out[sql.stem] = importlib.import_module(f"{sql_dir.name}.{layer}.{sql.stem}")
    return out


TABLE_MODULES: dict[str, ModuleType] = _table_modules()
CORE_MODELS: dict[str, type[pa.DataFrameModel]] = {t: m.CONTRACT for t, m in TABLE_MODULES.items()}


def table_module(table: str) -> ModuleType:
    """The declaration module of a contracted table (KeyError naming it when it has none)."""
    try:
        return TABLE_MODULES[table]
    except KeyError:
        raise KeyError(f"no contract for {table}: add dbt_like_sql/<layer>/{table}.py beside its SQL") from None
