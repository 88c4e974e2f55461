"""SYNTHETIC corpus generator for benchmarks and robustness tests. Never real data.

It recombines the four real seed plans (raw/plans/): each synthetic document takes one seed as its structure and
layout (narrative bullets 000 and 001, pipe table with one cell per line 002, tab table with HTML in cells and
merged blank cells 004), and changes who issued it (another province of the same kind, or the provincial capital
city as a district-level issuer), its years (all shifted together), its document number and its encoding. The
tasks themselves are the seed's wording, so the expected task count of a file is its seed's count.

Deterministic for a seed. Every file says SYNTHETIC on its first line; the corpus lives under its own raw root
(default warehouse/bench/corpus_<n>_seed<seed>/) with a manifest of expected task counts and a SYNTHETIC.md label.

With `--mixed`, documents are also written as provinces publish them (tools/bench/formats.py: tables as real
cells): MIXED_SHARES of them as .docx, .pdf and .html, the rest as text; the manifest says each file's format.

    python -m tools.bench.synthetic --n 1000 --seed 7 [--mixed] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.normalise.provinces import REFERENCE_DIR
from pipelines.settings import PROJECT_DIR

SEEDS = {  # seed file -> (layout, expected tasks, issuer kind, province as written)
    "000_fc9f8ecdecbcee10.txt": ("narrative", 50, "city", "Hồ Chí Minh"),
    "001_5d5a89fb325a0d90.txt": ("narrative", 67, "province", "Quảng Ngãi"),
    "002_a4935c26879af6ae.txt": ("pipe_table", 85, "city", "Hồ Chí Minh"),
    "004_0f436dfa0397b1ae.txt": ("tab_table_html_merged", 51, "city", "Hà Nội"),
}
LABEL = (
    "[SYNTHETIC] Văn bản giả lập để đo hiệu năng, không phải văn bản thật / synthetic benchmark document, "
    "not a real plan (tools/bench/synthetic.py, seed {seed}, no. {i}, template {template})"
)
MANIFEST = "manifest.csv"
MIXED_SHARES = {"txt": 0.55, "docx": 0.2, "pdf": 0.15, "html": 0.1}  # PDF last in count: the slowest to write
_YEAR = re.compile(r"(?<!\d)(20(?:0[5-9]|1\d|2[0-4]))(?!\d)")


@dataclass(frozen=True)
class Province:
    name: str
    is_city: bool


def _provinces() -> list[Province]:
    with open(REFERENCE_DIR / "provinces_63.csv", encoding="utf-8") as f:
        return [Province(r["name_vi"], r["unit_type_pre2025"].startswith("Thành phố")) for r in csv.DictReader(f)]


def default_root(n: int, seed: int, mixed: bool = False) -> Path:
    return PROJECT_DIR / "warehouse" / "bench" / f"corpus_{n}_seed{seed}{'_mixed' if mixed else ''}"


def _swap_issuer(text: str, old: str, new: str, capital_city: bool) -> str:
    if capital_city:
        # district level: the provincial capital city issues; the body still names its province
        text = text.replace(f"TỈNH {old.upper()}", f"THÀNH PHỐ {new.upper()}", 1)
    return text.replace(old, new).replace(old.upper(), new.upper())


class _Sources:
    def __init__(self):
        self.texts = {name: (PROJECT_DIR / "raw" / "plans" / name).read_text(encoding="utf-8") for name in SEEDS}
        provinces = _provinces()
        self.cities = [p for p in provinces if p.is_city]
        self.others = [p for p in provinces if not p.is_city]


def _publish(text: str, fmt: str) -> bytes:
    from tools.bench import formats

    blocks = formats.blocks(text)
    return {"docx": formats.write_docx, "html": formats.write_html, "pdf": formats.write_pdf}[fmt](blocks)


def _write_doc(root: Path, i: int, seed: int, src: _Sources, mixed: bool = False) -> dict:
    rng = random.Random(f"{seed}:{i}")  # per document, so document i is the same whatever n is
    template = rng.choice(sorted(SEEDS))
    layout, expected, kind, old = SEEDS[template]
    prov = rng.choice(src.cities if kind == "city" else src.others)
    capital = kind == "province" and rng.random() < 0.3
    shift = rng.randint(-4, 2)
    body = _swap_issuer(src.texts[template], old, prov.name, capital)
    body = _YEAR.sub(lambda m: str(int(m[1]) + shift), body)
    text = LABEL.format(seed=seed, i=i, template=template) + "\n" + body
    encoding = rng.choices(["utf-8", "utf-8-sig", "utf-16"], weights=[8, 1, 1])[0]
    # drawn after everything else, so a document's text is the same with or without --mixed
    fmt = rng.choices(list(MIXED_SHARES), weights=list(MIXED_SHARES.values()))[0] if mixed else "txt"
    folder = root / "plans" / prov.name.replace(" ", "_") / str(2020 + shift)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic_{i:06d}.{fmt}"
    path.write_bytes(text.encode(encoding) if fmt == "txt" else _publish(text, fmt))
    return {
        "source_path": path.relative_to(root).as_posix(),
        "template": template,
        "layout": layout,
        "province": prov.name,
        "issuer_level": "district" if capital else "province",
        "year_shift": shift,
        "encoding": encoding if fmt == "txt" else "binary" if fmt != "html" else "utf-8",
        "format": fmt,
        "expected_tasks": expected,
        "size_bytes": path.stat().st_size,
    }


def generate(n: int, seed: int = 7, out: Path | None = None, mixed: bool = False) -> Path:
    """Write n synthetic plans and their manifest; returns the raw root."""
    root = out or default_root(n, seed, mixed)
    (root / "plans").mkdir(parents=True, exist_ok=True)
    src = _Sources()
    rows = [_write_doc(root, i, seed, src, mixed) for i in range(1, n + 1)]
    with open(root / MANIFEST, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (root / "SYNTHETIC.md").write_text(
        f"# SYNTHETIC corpus, not real data\n\n{n} documents generated by `tools/bench/synthetic.py` with seed "
        f"{seed} from the structures and wording of the four real seed plans, for `make bench` only"
        f"{' (mixed formats: .txt, .docx, .pdf, .html)' if mixed else ''}. Expected task counts: {MANIFEST}.\n",
        encoding="utf-8",
    )
    return root


def generate_one(root: Path, i: int, seed: int) -> dict:
    """One more document (number i) in an existing corpus, outside its manifest; its path goes to extra.txt."""
    row = _write_doc(root, i, seed, _Sources())
    (root / "extra.txt").write_text(row["source_path"].removeprefix("plans/") + "\n", encoding="utf-8")
    return row


def read_manifest(root: Path) -> dict[str, int]:
    with open(root / MANIFEST, encoding="utf-8") as f:
        return {r["source_path"]: int(r["expected_tasks"]) for r in csv.DictReader(f)}


def manifest_formats(root: Path) -> dict[str, str]:
    with open(root / MANIFEST, encoding="utf-8") as f:
        return {r["source_path"]: r.get("format") or "txt" for r in csv.DictReader(f)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--mixed", action="store_true", help="some documents as .docx, .pdf and .html (MIXED_SHARES)")
    a = ap.parse_args()
    print(generate(a.n, a.seed, a.out, a.mixed))


if __name__ == "__main__":
    main()
