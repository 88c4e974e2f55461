"""`make bench-compare BASE=<commit>`: is reading slower than at BASE? Both trees read the same SYNTHETIC corpus in
one run on this machine, in turns (base, head, base, head, ...), each turn a fresh process reading every document
once on one core; CPU seconds (not wall) per turn, so another process on the machine weighs less. Prints each turn,
the median of each side, head/base and the load average beside each figure.

    python -m tools.bench.compare_speed BASE [--corpus DIR] [--rounds 3] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.bench.compare_builds import PROJECT

# Run in the tree under test: one pass over the corpus, CPU seconds and MB (either layout of the code)
_READ_ALL = """
import json, sys, time
from pathlib import Path
# by the tree's folders, not by trying an import: the editable install answers a module the tree lacks
if Path("pipelines/sources").is_dir():
    from pipelines.sources.plans.ingest import RawFile, process_document
else:
    from pipelines.domain.ingest import RawFile, process_document
assert Path(process_document.__code__.co_filename).resolve().is_relative_to(Path.cwd().resolve()), "not the tree's code"
root, limit = Path(sys.argv[1]), int(sys.argv[2])
files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".md", ".txt", ".html", ".docx", ".pdf"))
files = files[:limit] if limit else files
data = [(p, p.read_bytes()) for p in files]
t0 = time.process_time()
for p, d in data:
    process_document(RawFile(root, p), d)
print(json.dumps({"cpu_s": time.process_time() - t0, "mb": sum(len(d) for _, d in data) / 1e6, "docs": len(data)}))
"""


def _turn(tree: Path, corpus: Path, limit: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    r = subprocess.run(
        [sys.executable, "-c", _READ_ALL, str(corpus), str(limit)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["load_1m"] = round(os.getloadavg()[0], 2)
    return out


def compare(base: str, corpus: Path, rounds: int, limit: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-base-") as tmp:
        base_tree = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(PROJECT), "worktree", "add", "--detach", str(base_tree), base], check=True)
        try:
            turns: dict[str, list[dict]] = {"base": [], "head": []}
            for n in range(rounds):
                for side, tree in (("base", base_tree), ("head", PROJECT)):
                    t = _turn(tree, corpus, limit)
                    turns[side].append(t)
                    print(
                        f"round {n + 1} {side}: {t['cpu_s']:.2f} CPU s, {t['mb'] / t['cpu_s']:.2f} MB/s (load {t['load_1m']})"
                    )
        finally:
            subprocess.run(["git", "-C", str(PROJECT), "worktree", "remove", "--force", str(base_tree)], check=False)
    med = {side: statistics.median(t["cpu_s"] for t in ts) for side, ts in turns.items()}
    mb = turns["head"][0]["mb"]
    return {
        "base": base,
        "documents": turns["head"][0]["docs"],
        "mb": round(mb, 1),
        "median_cpu_s": {k: round(v, 2) for k, v in med.items()},
        "mb_per_s_per_core": {k: round(mb / v, 2) for k, v in med.items()},
        "head_over_base": round(med["head"] / med["base"], 3),
        "load_1m": [t["load_1m"] for ts in turns.values() for t in ts],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="reading speed at BASE and now, in turns on this machine")
    ap.add_argument("base")
    ap.add_argument("--corpus", default=str(PROJECT / "warehouse" / "bench" / "corpus_1000_seed7"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="the first N documents only")
    a = ap.parse_args(argv)
    corpus = Path(a.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus}: run `make bench` (or tools.bench.synthetic) first")
        return 2
    result = compare(a.base, corpus, a.rounds, a.limit)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
