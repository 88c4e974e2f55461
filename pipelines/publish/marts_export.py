"""Self-describing Parquet marts, Dagster-free.

Every exported table (the marts and the dimensions a BI tool joins them with) is written as zstd Parquet whose
Arrow schema carries the table description, each column's description (field metadata `description`, from the
contracts in pipelines/quality/contracts.py), the data's source and licence, the keys, and the build id. Beside the tables,
`datapackage.json` (Frictionless Data Package v2 descriptor) lists every resource with its file, schema, primary
key and foreign keys, and `frictionless validate marts/datapackage.json` accepts the package, data included:

- one file per table (`<table>/data.parquet`, rows in year order, so DuckDB still skips other years by row-group
  statistics): Frictionless reads a Parquet resource as one file (a multi-file resource would be read as its first
  file only), and the marts are small (tens of thousands of rows);
- list columns (doc_numbers, member_keys …) are JSON arrays as text (`["a","b"]`), the Table Schema's own
  representation of type `array`; DuckDB reads them back with `from_json(c, '["VARCHAR"]')` or `c::JSON`;
- each file carries pandas metadata naming nullable dtypes (Int64, boolean), so pandas (and Frictionless, which
  reads through pandas) keeps integers as integers and a missing value as missing, never as NaN or "nan".
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.quality.contracts import CORE_MODELS

DIMENSIONS = ("dim_province", "dim_indicator", "dim_agency", "dim_document", "ref_methodology_break")
DESCRIPTOR = "datapackage.json"

PAPI_SOURCE = (
    "PAPI (Provincial Governance and Public Administration Performance Index) by CECODES, VFF-CRT and "
    "UNDP Viet Nam (https://papi.org.vn): official workbook 2011-2016 as republished in mdtrinh/vietnamdata "
    "(CC0); sub-dimension panel 2011-2024 as republished in hnks-gh/ml-mcdm (dimension and total = sums of "
    "the published sub-dimensions)"
)
PAR_SOURCE = (
    "PAR Index (Ministry of Home Affairs): published figures in raw/reference/par_index_published_figures.csv "
    "(press releases, partial), or a full PAR table a user supplies"
)
PLAN_SOURCE = (
    "Plans of provincial, district and commune People's Committees (public administrative documents), read "
    "by this project's readers; every row keeps its source file and line range"
)
REFERENCE_SOURCE = (
    "raw/reference/: GSO province codes (2004 list), Resolution 202/2025/QH15 (34 units), PAPI "
    "codebooks by methodology period, agency catalogue with legal sources"
)

LICENCES = [
    {
        "name": "CC0-1.0",
        "path": "https://creativecommons.org/publicdomain/zero/1.0/",
        "title": "PAPI official workbook 2011-2016 (mdtrinh/vietnamdata)",
    },
    {
        "name": "PAPI-publishers-terms",
        "path": "https://papi.org.vn",
        "title": "PAPI scores 2017-2024: the data belong to CECODES, VFF-CRT and UNDP Viet Nam; cite the PAPI report",
    },
    {
        "name": "public-administrative-documents",
        "path": "https://thuvienphapluat.vn/van-ban/So-huu-tri-tue/Luat-So-huu-tri-tue-2005-50-2005-QH11-7022.aspx",
        "title": "Plan texts and PAR Index figures: official documents, not protected by copyright "
        "(Law on Intellectual Property 2005, art. 15)",
    },
]

# column -> (table, column) it references, applied to every exported table that has the column
FOREIGN_KEYS = {
    "province_key": ("dim_province", "province_key"),
    "unit_2025_key": ("dim_province", "province_key"),
    "successor_key": ("dim_province", "province_key"),
    "indicator_code": ("dim_indicator", "indicator_code"),
    "parent_code": ("dim_indicator", "indicator_code"),
    "document_id": ("dim_document", "document_id"),
    "agency_id": ("dim_agency", "agency_id"),
}

_SOURCES = {
    "mart_province_scores": PAPI_SOURCE + "; " + PAR_SOURCE,
    "dim_indicator": PAPI_SOURCE + "; " + PAR_SOURCE + "; " + REFERENCE_SOURCE,
    "dim_province": REFERENCE_SOURCE,
    "dim_agency": PLAN_SOURCE + "; " + REFERENCE_SOURCE,
    "mart_target_vs_actual": PLAN_SOURCE + "; " + PAPI_SOURCE,
    "mart_score_change": PAPI_SOURCE + "; " + PAR_SOURCE,
    "mart_scores_2025_units": PAPI_SOURCE + "; " + PAR_SOURCE + "; " + REFERENCE_SOURCE,
    "ref_methodology_break": PAPI_SOURCE + " (methodology notes of the annual reports)",
}


def source_of(table: str) -> str:
    return _SOURCES.get(table, PLAN_SOURCE)


def licence_text() -> str:
    return "; ".join(f"{lic['title']} ({lic['name']}, {lic['path']})" for lic in LICENCES)


def new_build_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]


@dataclass(frozen=True)
class TableDoc:
    name: str
    description: str
    columns: dict[str, str]
    primary_key: list[str]
    year_nullable: bool


def table_doc(name: str, description: str) -> TableDoc:
    """Description from the SQL model, column docs and keys from the table's contract (none without one)."""
    if name not in CORE_MODELS:
        return TableDoc(name, description, {}, [], True)
    schema = CORE_MODELS[name].to_schema()
    cols = {c: (col.description or "") for c, col in schema.columns.items()}
    unique = schema.unique
    pk = list(unique) if unique else [c for c, col in schema.columns.items() if col.unique][:1]
    year = schema.columns.get("year")
    return TableDoc(name, description, cols, pk, year is None or bool(year.nullable))


def exported_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return sorted(t for t in have if t.startswith("mart_")) + [d for d in DIMENSIONS if d in have]


def _arrow_schema(schema: pa.Schema, doc: TableDoc, build_id: str) -> pa.Schema:
    # `year` is int32 in every file: the type pyarrow and pandas give a hive partition value, so a partitioned
    # mart's files and folder names agree (int64 in the file fails "Unable to merge: ... int64 vs int32")
    fields = [
        (f.with_type(pa.int32()) if f.name == "year" else f).with_metadata({"description": doc.columns.get(f.name, "")})
        for f in schema
    ]
    meta = {
        "table": doc.name,
        "description": doc.description,
        "source": source_of(doc.name),
        "licence": licence_text(),
        "build_id": build_id,
        "primary_key": json.dumps(doc.primary_key),
        "foreign_keys": json.dumps(_foreign_keys(doc.name, [f.name for f in schema])),
    }
    return pa.schema(fields, metadata=meta)


def pandas_metadata(table: pa.Table) -> bytes:
    """The `pandas` schema metadata pyarrow writes for a frame whose integer and boolean columns are pandas'
    nullable dtypes: `pd.read_parquet` (and anything reading through `to_pandas()`) then gets Int64 / boolean
    with <NA> for a missing value, instead of float64 with NaN."""
    import pandas as pd

    mapping = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    frame = table.slice(0, 0).to_pandas(types_mapper=mapping.get)
    return pa.Table.from_pandas(frame, preserve_index=False).schema.metadata[b"pandas"]


def _annotate(path: Path, doc: TableDoc, build_id: str) -> None:
    """Rewrite one Parquet file with the descriptions in its Arrow schema (same rows, same types), and the pandas
    metadata that keeps nullable integers integers."""
    table = pq.ParquetFile(path).read()
    table = table.cast(_arrow_schema(table.schema, doc, build_id))
    table = table.replace_schema_metadata({**table.schema.metadata, b"pandas": pandas_metadata(table)})
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)


def _foreign_keys(table: str, columns: list[str]) -> list[dict]:
    out = []
    for c in columns:
        if c in FOREIGN_KEYS and not (table, c) == (FOREIGN_KEYS[c][0], FOREIGN_KEYS[c][1]):
            ref_table, ref_col = FOREIGN_KEYS[c]
            out.append(
                {"fields": [c], "reference": {"resource": "" if ref_table == table else ref_table, "fields": [ref_col]}}
            )
    return out


_FRICTIONLESS_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "integer",
    "INTEGER": "integer",
    "SMALLINT": "integer",
    "HUGEINT": "integer",
    "DOUBLE": "number",
    "FLOAT": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "datetime",
}


def _field_type(duck_type: str) -> str:
    if duck_type.endswith("[]"):
        return "array"
    if duck_type.startswith("DECIMAL"):
        return "number"
    return _FRICTIONLESS_TYPES.get(duck_type, "any")


def _field(name: str, duck_type: str, description: str) -> dict:
    field: dict[str, object] = {"name": name, "type": _field_type(duck_type), "description": description}
    if duck_type.endswith("[]"):
        item = _field_type(duck_type.removesuffix("[]"))
        field["arrayItem"] = {"type": item}
        field["description"] = (description + " " if description else "") + (
            f"(In the Parquet file: a JSON array of {item}s as text.)"
        )
    return field


def export_tables(
    con: duckdb.DuckDBPyConnection, out: Path, build_id: str, descriptions: dict[str, str]
) -> dict[str, int]:
    """Write every exported table under `out` (a fresh folder) and the data-package descriptor. Returns rows per
    table."""
    counts: dict[str, int] = {}
    resources = []
    for name in exported_tables(con):
        doc = table_doc(name, descriptions.get(name, ""))
        cols = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
            "AND database_name = current_database() ORDER BY column_index",
            [name],
        ).fetchall()
        counts[name] = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
        target = out / name
        target.mkdir(parents=True)
        # one file (also an empty table: a file with its schema); list columns as JSON text (see the module doc)
        select = ", ".join(
            f'CAST(to_json("{c}") AS VARCHAR) AS "{c}"' if t.endswith("[]") else f'"{c}"' for c, t in cols
        )
        order = ' ORDER BY "year" NULLS LAST' if "year" in dict(cols) else ""
        con.execute(
            f"COPY (SELECT {select} FROM \"{name}\"{order}) TO '{target / 'data.parquet'}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        ).fetchall()
        files = sorted(target.rglob("*.parquet"))
        for f in files:
            _annotate(f, doc, build_id)
        paths = [f.relative_to(out).as_posix() for f in files]
        resources.append(
            {
                "name": name,
                "title": name,
                "description": doc.description,
                "path": paths[0],
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "profile": "tabular-data-resource",
                "sources": [{"title": source_of(name)}],
                "schema": {
                    "fields": [_field(c, t, doc.columns.get(c, "")) for c, t in cols],
                    **({"primaryKey": doc.primary_key} if doc.primary_key else {}),
                    "foreignKeys": _foreign_keys(name, [c for c, _ in cols]),
                },
                "rows": counts[name],
            }
        )
    descriptor = {
        "name": "vietnam-governance-warehouse-marts",
        "title": "Vietnamese provincial governance: PAPI, PAR Index, plans' tasks and targets (marts)",
        "description": "Marts and the dimensions they join with, exported from the governance warehouse. Column "
        "descriptions are also in each Parquet file's Arrow field metadata.",
        "profile": "data-package",
        "build_id": build_id,
        "licenses": LICENCES,
        "sources": [{"title": s} for s in (PAPI_SOURCE, PAR_SOURCE, PLAN_SOURCE, REFERENCE_SOURCE)],
        "resources": resources,
    }
    (out / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return counts


def read_build_id(marts_dir: Path) -> str | None:
    p = marts_dir / DESCRIPTOR
    if not p.exists():
        return None
    return json.loads(p.read_text(encoding="utf-8")).get("build_id")
