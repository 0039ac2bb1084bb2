"""CPU time of the library's stages in two checkouts, side by side: did a change slow one?

``python -m benchmarks.compare OLD_TREE NEW_TREE`` runs each stage in a fresh interpreter
with the tree's own ``evidence`` first on ``sys.path``, alternating OLD and NEW for
``--rounds`` rounds, and prints the best CPU time (``time.process_time``) of each with the
ratio NEW / OLD. CPU time rather than wall time, and the best of several alternating runs,
because the team's machines are shared: wall clocks move by 10-20 % between runs while the
CPU a process itself spends moves far less. The stages use only public names every
version since the first release has (``load_references``, ``parse_efetch``,
``build_table`` and ``render``), so a tree from before a restructure can be measured too.

Stages: ``bib`` (a cold parse of the 7,166-entry Zotero export, no parse cache),
``efetch`` (parsing 2,000 real EFetch records), ``table`` (building a 1,000-claim table and
rendering it to Markdown, HTML and JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks._measure import FIXTURES

STAGES = ("bib", "efetch", "table")

_CHILD = r"""
import json, sys, time
sys.path.insert(0, TREE)
stage = STAGE
if stage == "bib":
    from evidence import load_references
    path = FIXTURES + "/bib/zotero_bbt_7166_pmid_large.bib"
    start = time.process_time()
    bib = load_references(path, cache=False)
    spent = time.process_time() - start
    size = len(bib)
elif stage == "efetch":
    try:
        from evidence.pubmed import parse_efetch
    except ImportError:
        from evidence.pubmed.parse import parse_efetch
    from pathlib import Path
    files = sorted(Path(FIXTURES, "pubmed").glob("efetch_*.xml"))
    bodies = [f.read_bytes() for f in files]
    start = time.process_time()
    size = 0
    for _ in range(40):
        for body in bodies:
            try:
                size += len(parse_efetch(body))
            except Exception:
                pass
    spent = time.process_time() - start
else:
    from benchmarks import generate
    from evidence import build_table
    claims, references = generate.generate_claims(1000, 2000)
    start = time.process_time()
    table = build_table(claims, references)
    for fmt in ("markdown", "html", "json"):
        table.render(fmt)
    spent = time.process_time() - start
    size = len(table.claims)
print(json.dumps({"seconds": spent, "size": size}))
"""


def run_stage(tree: Path, stage: str) -> float:
    code = (
        _CHILD.replace("TREE", repr(str(tree)))
        .replace("STAGE", repr(stage))
        .replace("FIXTURES", repr(str(FIXTURES)))
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path.cwd()), str(tree)])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stage", action="append", choices=STAGES)
    args = parser.parse_args(argv)
    print("| stage | old CPU s | new CPU s | new / old |")
    print("|---|---:|---:|---:|")
    for stage in args.stage or STAGES:
        best = {"old": float("inf"), "new": float("inf")}
        for _ in range(args.rounds):
            for side, tree in (("old", args.old), ("new", args.new)):
                best[side] = min(best[side], run_stage(tree.resolve(), stage))
        print(
            f"| {stage} | {best['old']:.3f} | {best['new']:.3f} | "
            f"{best['new'] / best['old']:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
