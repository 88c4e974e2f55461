"""The report's data written as JSON in pieces: a chart dataset of 20,000 plans (the coverage chart: 570,000 rows,
150 MB of JSON) is never held as Python dicts nor as one string.

Each piece is exactly what `json.dumps(rows, ensure_ascii=False, separators=(",", ":"))` gives for the rows of
`json.loads(frame.write_json())` (what the page held before), escaped for an inline script (page.json_for_script
replaces single characters, so escaping piece by piece is escaping the whole). polars' own JSON is used as it is
when it cannot differ from Python's (FAST_DTYPES, finite floats in the range Python writes without an exponent, no
control characters); otherwise a slice goes through json.loads and json.dumps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import polars as pl

SLICE_ROWS = 20_000  # rows serialised at a time: a few MB of text
ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
# Python writes a float without an exponent from 1e-4 up to 1e16; polars then writes the same digits (shortest
# round trip); the bound below 1e16 is kept with a margin
_PLAIN_FLOATS = (1e-4, 1e15)
_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
FAST_DTYPES = (pl.String, pl.Boolean, pl.Float32, pl.Float64, pl.Null, *_INTEGERS)
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"  # escaped by one writer and not the other, or not known to be the same


def escape_for_script(text: str) -> str:
    """page.json_for_script's escapes on a piece of JSON text."""
    for ch, esc in ESCAPES:
        text = text.replace(ch, esc)
    return text


def python_json(value) -> str:
    """The compact JSON the page has always held (before the script escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def polars_json_is_python_json(df: pl.DataFrame) -> bool:
    """True when `df.write_json()` is byte for byte python_json(json.loads(df.write_json()))."""
    checks = []
    for name, dtype in df.schema.items():
        if not isinstance(dtype, FAST_DTYPES):
            return False
        col = pl.col(name)
        if dtype in (pl.Float32, pl.Float64):
            lo, hi = _PLAIN_FLOATS
            a = col.abs()
            checks.append((col.is_nan() | col.is_infinite() | ((a > 0) & (a < lo)) | (a >= hi)).any())
        elif dtype == pl.String:
            checks.append(col.str.contains(_CONTROL).any())
    if not checks or df.is_empty():
        return True
    return not any(bool(v) for v in df.select(checks).row(0))


def frame_json_pieces(df: pl.DataFrame, slice_rows: int = SLICE_ROWS) -> Iterator[str]:
    """python_json(json.loads(df.write_json())), in pieces of about `slice_rows` rows (not escaped)."""
    fast = polars_json_is_python_json(df)
    yield "["
    for i in range(0, df.height, slice_rows):
        text = df.slice(i, slice_rows).write_json()
        if not fast:
            text = python_json(json.loads(text))
        yield ("," if i else "") + text[1:-1]
    yield "]"


def datasets_json_pieces(datasets: Mapping[str, object]) -> Iterator[str]:
    """python_json(datasets) with every value a polars frame (its rows as objects) or a list, escaped for an
    inline script, in pieces."""
    yield "{"
    for i, (name, value) in enumerate(datasets.items()):
        yield escape_for_script(("," if i else "") + python_json(name) + ":")
        if isinstance(value, pl.DataFrame):
            for piece in frame_json_pieces(value):
                yield escape_for_script(piece)
        else:
            yield escape_for_script(python_json(value))
    yield "}"


def rows_of(df: pl.DataFrame) -> list[dict]:
    """A frame's rows as the JSON objects a chart spec holds (what vl-convert renders)."""
    return json.loads(df.write_json())
