"""The report's data written in pieces (pipelines/report/json_stream.py): the same characters as the whole JSON of
the rows the page held before, whichever writer (polars' own or json.dumps) a slice goes through."""

from __future__ import annotations

import json
import random

import polars as pl
import vl_convert as vlc

from pipelines.report.json_stream import (
    datasets_json_pieces,
    frame_json_pieces,
    polars_json_is_python_json,
    python_json,
)
from pipelines.report.page import chart_specs, json_for_script, render_html, write_page, write_page_file
from tests.test_report_payloads import PAYLOADS, _data


def _old(df: pl.DataFrame) -> str:
    """What the page held before: json.dumps of the rows of df.write_json()."""
    return python_json(json.loads(df.write_json()))


def _frame(rng: random.Random, n: int, floats) -> pl.DataFrame:
    words = [
        "Hồ Chí Minh",
        "Đà Nẵng",
        "kế hoạch",
        'a"b',
        "\\",
        "/",
        "x\u2028y",
        "<b>&",
        "",
        "ơư",
        *(p for p in PAYLOADS if "\t" not in p),
    ]
    return pl.DataFrame(
        {
            "s": [rng.choice(words) if rng.random() > 0.1 else None for _ in range(n)],
            "i": [rng.randint(-(2**40), 2**40) if rng.random() > 0.1 else None for _ in range(n)],
            "f": [rng.choice(floats) if rng.random() > 0.1 else None for _ in range(n)],
            "b": [rng.random() > 0.5 if rng.random() > 0.1 else None for _ in range(n)],
        }
    )


def test_frame_pieces_are_the_json_the_page_held():
    rng = random.Random(5)
    plain = [0.0, -0.0, 1.0, 0.1, 1 / 3, 2 / 3, 0.0001, 0.00012345, 5.356493111, 41.401936204, 123456.789, 1e14, -7.25]
    plain += [rng.uniform(-100, 100) for _ in range(200)] + [round(rng.uniform(0, 1), 4) for _ in range(200)]
    df = _frame(rng, 997, plain)
    assert polars_json_is_python_json(df)  # polars' own JSON is used
    for size in (1, 7, 100, 5000):
        assert "".join(frame_json_pieces(df, slice_rows=size)) == _old(df)
    # where the writers differ (exponents, control characters, NaN), the slices go through json.dumps
    for odd in ([1e-5, 2.5e-7], [1e16, 1e300], [float("nan"), 1.0], [float("inf"), 2.0]):
        df = _frame(rng, 50, odd)
        assert not polars_json_is_python_json(df)
        assert "".join(frame_json_pieces(df, slice_rows=7)) == _old(df)
    ctl = pl.DataFrame({"s": ["a\x01b", "\x7f", "ơ\tư", "ok"]})
    assert not polars_json_is_python_json(ctl) and "".join(frame_json_pieces(ctl, 2)) == _old(ctl)
    empty = pl.DataFrame(schema={"a": pl.Int64, "s": pl.String})
    assert "".join(frame_json_pieces(empty)) == _old(empty) == "[]"


def test_datasets_pieces_are_json_for_script_of_the_rows():
    rng = random.Random(9)
    frames = {"b": _frame(rng, 40, [0.5, 1.25]), "a<x>": _frame(rng, 3, [2.0]), "e": pl.DataFrame()}
    rows = {k: json.loads(v.write_json()) for k, v in frames.items()}
    assert "".join(datasets_json_pieces(frames)) == json_for_script(rows)
    assert "".join(datasets_json_pieces({**frames, "l": [{"k": PAYLOADS[0]}]})) == json_for_script(
        {**rows, "l": [{"k": PAYLOADS[0]}]}
    )


def test_the_page_from_frames_is_the_page_from_rows(tmp_path):
    """The report as build_report writes it (datasets as frames, in pieces, to a file) is the page of the specs
    with their rows as dicts, character for character."""
    data = _data()
    bundle = vlc.javascript_bundle()
    whole = render_html(data, chart_specs(data), bundle)
    path = tmp_path / "index.html"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        write_page(fh, data, chart_specs(data, rows=False, validate=False), bundle)
    assert path.read_text(encoding="utf-8") == whole
    write_page_file(path, data, chart_specs(data, rows=False, validate=False), bundle)  # the hash set in place
    assert path.read_bytes() == whole.encode("utf-8")
