"""The OCR figure of `make bench` (issue 27): a SYNTHETIC scanned corpus, generated, labelled and without a text
layer, read on one process and on two Dask workers on loopback (each page a task), pages/s per worker with the load
average beside it."""

from __future__ import annotations

import pytest

from pipelines.sources.plans.formats.pdf import ocr_available
from tools.bench.scanned import generate, ocr_figures


def test_the_scanned_corpus_is_synthetic_and_has_no_text_layer(tmp_path):
    import pdfplumber

    (path,) = generate(tmp_path, docs=1, pages=2)
    assert "SYNTHETIC" in (tmp_path / "SYNTHETIC.md").read_text(encoding="utf-8")
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 2
        assert all(not page.chars and page.images for page in pdf.pages)
    assert generate(tmp_path, docs=1, pages=2)[0].read_bytes() == path.read_bytes()  # kept, not written again


@pytest.mark.skipif(ocr_available() is not None, reason=f"OCR not installed here: {ocr_available()}")
def test_ocr_pages_per_worker_on_the_scanned_corpus(tmp_path):
    got = ocr_figures(tmp_path, docs=1, pages=3, workers=2)
    one, cluster = got["one_process"], got["cluster"]
    assert one["pages"] == 3 and cluster["workers"] == 2
    assert cluster["same_text_as_one_process"]
    assert 0 < one["pages_per_s_per_worker"] < 50 and 0 < cluster["pages_per_s_per_worker"] < 50
    assert cluster["pages_per_s"] == pytest.approx(2 * cluster["pages_per_s_per_worker"], abs=0.002)
    assert all(isinstance(x, float) for x in one["load_avg_1m"] + cluster["load_avg_1m"])
